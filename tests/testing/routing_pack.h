// Copyright 2026 gridroute authors.
//
// A small hand-written routing pack whose answers are known by construction:
// two districts, three 0.001-degree grids, a park layer, components, teams and
// rules exercising every precedence level. Used by the router, CLI and
// service tests.
//
//   grid g1 [120.000,120.001] x [31.000,31.001]  community 3205010101
//   grid g2 [120.001,120.002] x [31.000,31.001]  community 3205010101
//   grid g3 [120.002,120.003] x [31.000,31.001]  community 3205020101 (district 320502)
//   layer park1 [120.0002,120.0004]^2 around (120.0003, 31.0003), inside g1
#ifndef GRIDROUTE_TESTS_TESTING_ROUTING_PACK_H_
#define GRIDROUTE_TESTS_TESTING_ROUTING_PACK_H_

#include <string>

#include "testing/test_pack.h"

namespace gridroute::testing {

// Fills `pack` with the routing test city. `extra_rules` are appended to
// rules.csv. Without the grid-level catch-all rule (`grid_any_rule` false),
// event 9901 is covered by no rule at all.
void MakeRoutingPack(TestPack& pack, const std::string& extra_rules = "",
                     bool grid_any_rule = true);

}  // namespace gridroute::testing

#endif  // GRIDROUTE_TESTS_TESTING_ROUTING_PACK_H_

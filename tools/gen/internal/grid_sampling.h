// Copyright 2026 gridroute authors.
//
// Points inside a generated grid, for components, layers and events.
//
// Thread-safety: pure functions of their arguments (the Rng is the caller's).
#ifndef GRIDROUTE_TOOLS_GEN_INTERNAL_GRID_SAMPLING_H_
#define GRIDROUTE_TOOLS_GEN_INTERNAL_GRID_SAMPLING_H_

#include <cstddef>

#include "gen/city_generator.h"
#include "gen/internal/gen_util.h"

namespace gridroute::gen::internal {

// True if `p` is inside grid `g` (even-odd over all its rings) and on none of
// its edges. Exact (128-bit integer arithmetic). Cost O(vertices of g).
bool StrictlyInsideGrid(const City& city, size_t g, LonLatE7 p);

// A point of the triangle fan from the grid's seed over its first outer ring:
// a uniform triangle (seed, v_k, v_k+1), a uniform point of it shrunk towards
// the seed by `max_fraction` (1 = the whole triangle, edges included). Voronoi
// cells are convex, so this lies in the grid except where a hole is (callers
// that need it inside check with StrictlyInsideGrid).
LonLatE7 SampleInGrid(const City& city, size_t g, double max_fraction,
                      Rng& rng);

// A point strictly inside grid `g`: SampleInGrid(…, 0.9) until
// StrictlyInsideGrid holds, at most 32 tries. Returns false if none held
// (never observed).
bool SampleStrictlyInsideGrid(const City& city, size_t g, Rng& rng,
                              LonLatE7* out);

}  // namespace gridroute::gen::internal

#endif  // GRIDROUTE_TOOLS_GEN_INTERNAL_GRID_SAMPLING_H_

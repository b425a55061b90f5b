// Copyright 2026 gridroute authors.
//
// The CODES answer written from the compiled fragments (service/
// codes_tables.h, AppendDecisionCodes(tables, ...)) against the field-by-
// field writer (AppendDecisionCodes(snapshot, ...), itself held byte for
// byte against protobuf by views_test), for a decision in every grid of a
// generated city, with component faults (by code and nearest), snapped and
// outside points, and case references.
#include "service/codes_tables.h"

#include <random>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "route/router.h"
#include "service/codes_wire.h"
#include "testing/generated_city.h"

namespace gridroute {
namespace {

class CodesTablesTest : public ::testing::Test {
 protected:
  CodesTablesTest()
      : city_(testing::GetGeneratedCity(20'000, 3)),
        s_(*city_.snapshot),
        router_(city_.snapshot),
        tables_(CodesTables::Build(s_)) {}

  // Both writers after the same prefix; returns false if they differ.
  void ExpectSameBytes(const Decision& d, const CaseOutcome* c, const std::string& what) {
    std::string old_bytes = "prefix", new_bytes = "prefix";
    WireWriter ow(&old_bytes), nw(&new_bytes);
    AppendDecisionCodes(s_, d, c, 5, &scratch_, &ow);
    AppendDecisionCodes(tables_, s_, d, c, 5, &nw);
    ASSERT_EQ(new_bytes, old_bytes) << what;
  }

  const testing::GeneratedCity& city_;
  const Snapshot& s_;
  Router router_;
  CodesTables tables_;
  WireScratch scratch_;
};

TEST_F(CodesTablesTest, EveryGridAnswersAsTheFieldByFieldWriter) {
  const Categories& cats = s_.categories();
  std::mt19937_64 rng(15);
  const CaseOutcome cases[3] = {{absl::OkStatus(), "C-2026-000001", false, 1, false},
                                {absl::OkStatus(), "C-2026-000002", true, 300, false},
                                {absl::OkStatus(), "", false, 0, true}};
  Decision d;
  uint32_t grids_routed = 0, compared = 0;
  for (uint32_t g = 0; g < s_.num_grids(); ++g) {
    const IPoint p = testing::PointInGrid(s_, g, rng);
    bool routed_here = false;
    // A few categories per grid (one may have no rule here).
    for (int k = 0; k < 3; ++k) {
      Event e;
      e.x = s_.quantizer().ToX(p.x);
      e.y = s_.quantizer().ToY(p.y);
      const int32_t ci = static_cast<int32_t>(rng() % cats.size());
      e.category_type = cats.at(ci).type;
      e.category = cats.at(ci).code;
      e.reported_at = absl::FromUnixSeconds(1780000000 + static_cast<int64_t>(rng() % 86400000)) +
                      absl::Nanoseconds(rng() % 1000000000);
      if (!router_.Route(e, {}, &d).ok()) continue;
      routed_here |= d.outcome == Outcome::kRouted && d.location.grid == g;
      const CaseOutcome* c = rng() % 2 ? &cases[rng() % 3] : nullptr;
      ExpectSameBytes(d, c, "grid " + std::string(s_.grid_code(g)) + " category " + e.category);
      ++compared;
    }
    grids_routed += routed_here;
  }
  EXPECT_GE(grids_routed, s_.num_grids() * 95 / 100);
  EXPECT_GT(compared, s_.num_grids());
}

TEST_F(CodesTablesTest, ComponentsSnappedAndOutsideAnswerAsTheFieldByFieldWriter) {
  const Components& comps = s_.components();
  ASSERT_GT(comps.size(), 0);
  std::mt19937_64 rng(16);
  Decision d;
  int by_code = 0, nearest = 0, snapped = 0, outside = 0;
  for (int i = 0; i < 3000; ++i) {
    const int32_t k = static_cast<int32_t>(rng() % comps.size());
    const Component& comp = comps.at(k);
    Event e;
    e.category_type = CategoryType::kComponent;
    e.category = s_.categories().at(comp.category).code;
    e.reported_at = absl::FromUnixSeconds(1780000000 + i * 977);
    e.x = s_.quantizer().ToX(comp.point.x) + (static_cast<int>(rng() % 41) - 20) * 1e-7;
    e.y = s_.quantizer().ToY(comp.point.y) + (static_cast<int>(rng() % 41) - 20) * 1e-7;
    if (i % 2 == 0) e.component_code = std::string(comps.code(k));
    if (!router_.Route(e, {}, &d).ok()) continue;
    by_code += d.component_by_code;
    nearest += d.component >= 0 && !d.component_by_code;
    ExpectSameBytes(d, nullptr, "component " + std::string(comps.code(k)));
  }
  // Points beyond the city's box: outside, or snapped with snap_m.
  IBox all;
  for (uint32_t g = 0; g < s_.num_grids(); ++g) all.Expand(s_.geometry().box(g));
  for (int i = 0; i < 400; ++i) {
    Event e;
    e.category = s_.categories().at(0).code;
    e.category_type = s_.categories().at(0).type;
    e.reported_at = absl::FromUnixSeconds(1780000000 + i * 3571);
    e.x = s_.quantizer().ToX(all.max_x + 50 + static_cast<int64_t>(rng() % 4000));
    e.y = s_.quantizer().ToY(all.min_y + static_cast<int64_t>(rng() % uint64_t(all.max_y - all.min_y)));
    RouteOptions o;
    o.snap_m = i % 2 ? 1e6 : 0;
    if (!router_.Route(e, o, &d).ok()) continue;
    snapped += d.location.how == How::kSnapped;
    outside += d.outcome == Outcome::kOutsideCoverage;
    ExpectSameBytes(d, nullptr, "outside/snapped " + std::to_string(i));
  }
  EXPECT_GT(by_code, 100);
  EXPECT_GT(nearest, 10);
  EXPECT_GT(snapped, 10);
  EXPECT_GT(outside, 10);
}

}  // namespace
}  // namespace gridroute

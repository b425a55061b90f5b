// Copyright 2026 gridroute authors.
//
// The FULL answer written as wire bytes (service/full_wire.h) against
// protobuf's serialization of the Decision DecisionToProto builds (the
// oracle), byte for byte: a decision in every grid of a generated city, with
// and without personal data, with case references, component faults (by
// code and nearest), snapped and outside points.
#include "service/full_wire.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "gridroute/v1/routing.pb.h"
#include "service/convert.h"
#include "testing/generated_city.h"

namespace gridroute {
namespace {

class FullWireTest : public ::testing::Test {
 protected:
  FullWireTest()
      : city_(testing::GetGeneratedCity(20'000, 3)),
        s_(*city_.snapshot),
        router_(city_.snapshot),
        tables_(FullTables::Build(s_)) {}

  // The wire bytes after a prefix, as field 3 of a DetectionResult, equal
  // protobuf's for the same DetectionResult built from messages.
  void ExpectSameBytes(const Decision& d, bool personal, const CaseOutcome* c,
                       const std::string& what) {
    v1::DetectionResult m;
    m.set_correlation_id("k");
    DecisionToProto(s_, d, m.mutable_decision(), personal);
    if (c != nullptr && d.outcome == Outcome::kRouted) {
      v1::CaseRef* ref = m.mutable_decision()->mutable_case_ref();
      ref->set_case_id(c->case_id);
      ref->set_folded(c->folded);
      ref->set_report_count(c->report_count);
      ref->set_duplicate(c->duplicate);
    }
    std::string bytes = "prefix";
    WireWriter w(&bytes);
    w.String(1, "k");
    AppendDecisionFull(tables_, s_, d, personal, c, 3, &w);
    ASSERT_EQ(bytes, "prefix" + m.SerializeAsString()) << what;
  }

  const testing::GeneratedCity& city_;
  const Snapshot& s_;
  Router router_;
  FullTables tables_;
};

TEST_F(FullWireTest, EveryGridAnswersAsProtobuf) {
  const Categories& cats = s_.categories();
  std::mt19937_64 rng(25);
  const CaseOutcome cases[3] = {{absl::OkStatus(), "C-2026-000001", false, 1, false},
                                {absl::OkStatus(), "C-2026-000002", true, 300, false},
                                {absl::OkStatus(), "", false, 0, true}};
  Decision d;
  uint32_t grids_routed = 0, compared = 0, with_layers = 0, inherited = 0;
  for (uint32_t g = 0; g < s_.num_grids(); ++g) {
    const IPoint p = testing::PointInGrid(s_, g, rng);
    bool routed_here = false;
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
      with_layers += !d.layers.empty();
      for (const TeamAssignment& a : d.team) inherited += !a.from_grid;
      const CaseOutcome* c = rng() % 2 ? &cases[rng() % 3] : nullptr;
      const std::string what = "grid " + std::string(s_.grid_code(g)) + " category " + e.category;
      ExpectSameBytes(d, /*personal=*/true, c, what);
      ExpectSameBytes(d, /*personal=*/false, c, what + " (not personal)");
      ++compared;
    }
    grids_routed += routed_here;
  }
  EXPECT_GE(grids_routed, s_.num_grids() * 95 / 100);
  EXPECT_GT(compared, s_.num_grids());
  EXPECT_GT(with_layers, 100);
  EXPECT_GT(inherited, 100);
}

TEST_F(FullWireTest, ComponentsSnappedAndOutsideAnswerAsProtobuf) {
  const Components& comps = s_.components();
  ASSERT_GT(comps.size(), 0);
  std::mt19937_64 rng(26);
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
    ExpectSameBytes(d, i % 3 != 0, nullptr, "component " + std::string(comps.code(k)));
  }
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
    ExpectSameBytes(d, true, nullptr, "outside/snapped " + std::to_string(i));
  }
  EXPECT_GT(by_code, 100);
  EXPECT_GT(nearest, 10);
  EXPECT_GT(snapped, 10);
  EXPECT_GT(outside, 10);
}

// A long sub-message (a length of two varint bytes and more) moves into
// place as a short one does.
TEST_F(FullWireTest, LongDecisionsKeepTheirLengthPrefix) {
  Decision d;
  Event e;
  std::mt19937_64 rng(27);
  size_t longest = 0;
  for (uint32_t g = 0; g < s_.num_grids() && longest < 128; g += 97) {
    const IPoint q = testing::PointInGrid(s_, g, rng);
    e.x = s_.quantizer().ToX(q.x);
    e.y = s_.quantizer().ToY(q.y);
    e.category = s_.categories().at(0).code;
    e.category_type = s_.categories().at(0).type;
    e.reported_at = absl::FromUnixSeconds(1780000000);
    if (!router_.Route(e, {}, &d).ok() || d.outcome != Outcome::kRouted) continue;
    v1::Decision m;
    DecisionToProto(s_, d, &m, true);
    longest = std::max(longest, m.ByteSizeLong());
    ExpectSameBytes(d, true, nullptr, "grid " + std::to_string(g));
  }
  EXPECT_GE(longest, 128u);  // the generated city's FULL decisions are ~500 bytes
}

// A sub-message expected short (a case ref's one-byte length) that is not
// moves its body to make room for the longer length, and one expected long
// (the location of a point outside every grid) that is not moves it back.
TEST_F(FullWireTest, SubMessagesOfAnotherLengthSizeMoveIntoPlace) {
  std::mt19937_64 rng(28);
  Decision d;
  Event e;
  const IPoint q = testing::PointInGrid(s_, 7, rng);
  e.x = s_.quantizer().ToX(q.x);
  e.y = s_.quantizer().ToY(q.y);
  e.category = s_.categories().at(0).code;
  e.category_type = s_.categories().at(0).type;
  e.reported_at = absl::FromUnixSeconds(1780000000);
  ASSERT_TRUE(router_.Route(e, {}, &d).ok());
  ASSERT_EQ(d.outcome, Outcome::kRouted);
  for (size_t len : {100, 126, 127, 128, 200, 20000}) {
    const CaseOutcome c{absl::OkStatus(), std::string(len, 'C'), true, 2, false};
    ExpectSameBytes(d, true, &c, "case id of " + std::to_string(len) + " bytes");
  }
  e.x = 0;
  e.y = 0;
  ASSERT_TRUE(router_.Route(e, {}, &d).ok());
  ASSERT_EQ(d.outcome, Outcome::kOutsideCoverage);
  ExpectSameBytes(d, true, nullptr, "outside");
}

}  // namespace
}  // namespace gridroute

// Copyright 2026 gridroute authors.
//
// Router::RouteBatch (the camera stream's path: batched locate, prefetched
// records) against Router::Route, one event at a time, on a generated city:
// every status and every field of every decision must be the same.
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "route/router.h"
#include "testing/generated_city.h"

namespace gridroute {
namespace {

// Random reports over the city's box (some outside it), every category and
// urgency, component reports by code and by point, GCJ-02 points and a few
// bad ones.
std::vector<Event> MakeEvents(const Snapshot& s, int n, uint64_t seed) {
  IBox all;
  for (uint32_t g = 0; g < s.num_grids(); ++g) all.Expand(s.geometry().box(g));
  const double margin = 0.01;
  const double scale = s.quantizer().scale();
  const LonLat lo{all.min_x / scale, all.min_y / scale};
  const LonLat hi{all.max_x / scale, all.max_y / scale};
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> lon(lo.lon - margin, hi.lon + margin);
  std::uniform_real_distribution<double> lat(lo.lat - margin, hi.lat + margin);
  const Categories& cats = s.categories();
  std::vector<Event> out;
  for (int i = 0; i < n; ++i) {
    Event e;
    e.x = lon(rng);
    e.y = lat(rng);
    const Category& c = cats.at(static_cast<int32_t>(rng() % cats.size()));
    e.category_type = c.type;
    e.category = c.code;
    for (int32_t u = static_cast<int32_t>(rng() % kMaxUrgencies); u < kMaxUrgencies; ++u) {
      if (c.AllowsUrgency(u)) {
        e.urgency = cats.urgencies()[u];
        break;
      }
    }
    e.reported_at = absl::FromUnixSeconds(1767225600 + static_cast<int64_t>(rng() % 31536000));
    const int kind = static_cast<int>(rng() % 20);
    if (kind == 0 && s.components().size() > 0) {  // a component by its code
      const int32_t k = static_cast<int32_t>(rng() % s.components().size());
      const Category& kc = cats.at(s.components().at(k).category);
      e.category_type = kc.type;
      e.category = kc.code;
      e.urgency.clear();
      e.component_code = std::string(s.components().code(k));
      e.has_point = (rng() % 2) == 0;
    } else if (kind == 1) {
      e.crs.kind = CrsKind::kGcj02;
    } else if (kind == 2) {
      e.category = "NO-SUCH";
    } else if (kind == 3) {
      e.urgency = "not-an-urgency";
    } else if (kind == 4) {
      e.reported_at = absl::InfinitePast();
    } else if (kind == 5) {
      e.x = std::numeric_limits<double>::quiet_NaN();
    }
    out.push_back(std::move(e));
  }
  return out;
}

void ExpectSame(const Decision& a, const Decision& b, const std::string& where) {
  EXPECT_EQ(a.outcome, b.outcome) << where;
  EXPECT_EQ(a.location.grid, b.location.grid) << where;
  EXPECT_EQ(a.location.how, b.location.how) << where;
  EXPECT_EQ(a.location.distance_m, b.location.distance_m) << where;
  EXPECT_EQ(a.chain, b.chain) << where;
  EXPECT_EQ(a.category, b.category) << where;
  EXPECT_EQ(a.urgency, b.urgency) << where;
  EXPECT_EQ(a.rule, b.rule) << where;
  EXPECT_EQ(a.lead, b.lead) << where;
  EXPECT_EQ(a.helpers, b.helpers) << where;
  ASSERT_EQ(a.team.size(), b.team.size()) << where;
  for (size_t k = 0; k < a.team.size(); ++k) {
    EXPECT_EQ(a.team[k].person, b.team[k].person) << where;
    EXPECT_EQ(a.team[k].role, b.team[k].role) << where;
    EXPECT_EQ(a.team[k].specialty, b.team[k].specialty) << where;
    EXPECT_EQ(a.team[k].from_grid, b.team[k].from_grid) << where;
    EXPECT_EQ(a.team[k].scope, b.team[k].scope) << where;
  }
  EXPECT_EQ(a.layers, b.layers) << where;
  EXPECT_EQ(a.component, b.component) << where;
  EXPECT_EQ(a.component_by_code, b.component_by_code) << where;
  EXPECT_EQ(a.component_distance_m, b.component_distance_m) << where;
  EXPECT_EQ(a.deadline, b.deadline) << where;
}

void CheckBatchAgainstSingle(double snap_m, uint64_t seed) {
  const testing::GeneratedCity& c = testing::GetGeneratedCity(5000, 7);
  const Router router(c.snapshot);
  const std::vector<Event> events = MakeEvents(*c.snapshot, 6000, seed);
  RouteOptions o;
  o.snap_m = snap_m;
  std::vector<absl::Status> status(events.size());
  std::vector<Decision> batch(events.size());
  Router::BatchScratch scratch;
  router.RouteBatch(events, o, absl::MakeSpan(status), absl::MakeSpan(batch), &scratch);
  int routed = 0, errors = 0, outside = 0;
  Decision single;
  for (size_t i = 0; i < events.size(); ++i) {
    const absl::Status want = router.Route(events[i], o, &single);
    const std::string where = absl::StrCat("event ", i, " (", events[i].category, ")");
    ASSERT_EQ(status[i], want) << where;
    if (!want.ok()) {
      ++errors;
      continue;
    }
    ExpectSame(batch[i], single, where);
    (single.outcome == Outcome::kRouted ? routed : outside)++;
  }
  // The mix must exercise every path.
  EXPECT_GT(routed, 1000);
  EXPECT_GT(errors, 100);
  EXPECT_GT(outside, 10);
}

TEST(RouteBatchTest, SameAsRouteOneByOne) { CheckBatchAgainstSingle(0, 1); }
TEST(RouteBatchTest, SameAsRouteOneByOneWithSnapping) { CheckBatchAgainstSingle(80, 2); }

TEST(RouteBatchTest, EmptyBatchIsFine) {
  const testing::GeneratedCity& c = testing::GetGeneratedCity(5000, 7);
  const Router router(c.snapshot);
  Router::BatchScratch scratch;
  router.RouteBatch({}, {}, {}, {}, &scratch);
  EXPECT_TRUE(scratch.points.empty());
}

}  // namespace
}  // namespace gridroute

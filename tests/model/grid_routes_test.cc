// Copyright 2026 gridroute authors.
//
// The per-grid routing records (model/grid_routes.h) against the models they
// are compiled from: Teams::Resolve() for every grid and specialty, and
// Layers::Hits() for points inside, on the edges of and at the vertices of
// grids and layers.
#include "model/grid_routes.h"

#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "snapshot/snapshot.h"
#include "testing/generated_city.h"
#include "testing/routing_pack.h"
#include "testing/test_pack.h"

namespace gridroute {
namespace {

std::string Describe(const std::vector<TeamAssignment>& team) {
  std::string out;
  for (const TeamAssignment& t : team) {
    out += std::string(TeamRoleName(t.role)) + "/" + std::to_string(t.specialty) + "/" +
           std::to_string(t.person) + (t.from_grid ? "/grid/" : "/region/") +
           std::to_string(t.scope) + " ";
  }
  return out;
}

// Every grid, every specialty and none: the record's team is Resolve()'s.
void ExpectTeamsMatchResolve(const Snapshot& s) {
  const GridRoutes& routes = s.grid_routes();
  ASSERT_EQ(routes.size(), s.num_grids());
  const int32_t specialties = static_cast<int32_t>(s.teams().specialties().size());
  std::vector<TeamAssignment> want, got;
  int64_t compared = 0;
  for (uint32_t g = 0; g < s.num_grids(); ++g) {
    const GridRecord& rec = routes.record(g);
    ASSERT_EQ(rec.region, s.grid_parent(g));
    for (int32_t spec = -1; spec < specialties; ++spec) {
      want.clear();
      got.clear();
      s.teams().Resolve(g, s.grid_parent(g), spec, &want);
      routes.Team(g, rec, spec, s.teams(), &got);
      ASSERT_EQ(Describe(got), Describe(want)) << "grid " << s.grid_code(g) << " specialty " << spec;
      compared += static_cast<int64_t>(want.size());
    }
  }
  EXPECT_GT(compared, 0) << "no team at all: the comparison proved nothing";
}

// A point located in a grid (inside or on its edge): the record's layers
// are Hits()'s.
void ExpectLayersMatchHits(const Snapshot& s, IPoint p, int64_t* hits) {
  const LocateResult r = s.locator().Locate(p, {});
  if (r.grid == kNoGrid || r.how == How::kSnapped) return;
  std::vector<int32_t> want, got;
  s.layers().Hits(p, &want);
  s.grid_routes().LayerHits(r.grid, s.grid_routes().record(r.grid), p, s.layers(), &got);
  ASSERT_EQ(got, want) << "point (" << p.x << ", " << p.y << ") in grid " << s.grid_code(r.grid);
  *hits += static_cast<int64_t>(want.size());
}

TEST(GridRoutesTest, RoutingPackTeamsMatchResolve) {
  testing::TestPack p;
  testing::MakeRoutingPack(p);
  auto s = LoadPack(p.Write());
  ASSERT_TRUE(s.ok()) << s.status();
  ExpectTeamsMatchResolve(**s);
}

TEST(GridRoutesTest, GeneratedCityTeamsMatchResolve) {
  const testing::GeneratedCity& c = testing::GetGeneratedCity(5000, 7);
  ASSERT_GT(c.snapshot->teams().num_people(), 0);
  ExpectTeamsMatchResolve(*c.snapshot);
}

TEST(GridRoutesTest, GeneratedCityLayersMatchHits) {
  const testing::GeneratedCity& c = testing::GetGeneratedCity(5000, 7);
  const Snapshot& s = *c.snapshot;
  ASSERT_GT(s.layers().size(), 0);
  int64_t hits = 0;
  // Every vertex of every layer and of every grid (points on boundaries).
  for (int32_t l = 0; l < s.layers().size(); ++l) {
    const IBox& b = s.layers().box(l);
    ExpectLayersMatchHits(s, IPoint{b.min_x, b.min_y}, &hits);
    ExpectLayersMatchHits(s, IPoint{(b.min_x + b.max_x) / 2, (b.min_y + b.max_y) / 2}, &hits);
  }
  for (uint32_t g = 0; g < s.num_grids(); ++g) {
    const IBox& b = s.geometry().box(g);
    ExpectLayersMatchHits(s, IPoint{b.min_x, b.min_y}, &hits);
  }
  // Random points over the city.
  IBox all;
  for (uint32_t g = 0; g < s.num_grids(); ++g) all.Expand(s.geometry().box(g));
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<int64_t> x(all.min_x, all.max_x), y(all.min_y, all.max_y);
  for (int i = 0; i < 200000; ++i) ExpectLayersMatchHits(s, IPoint{x(rng), y(rng)}, &hits);
  EXPECT_GT(hits, 1000) << "too few layer hits to compare";
}

// The record keeps all-digit codes (with their leading zeros) and answers
// the code table's string; other codes stay in the table only.
TEST(GridRoutesTest, RecordsKeepDigitCodesExactly) {
  const testing::GeneratedCity& c = testing::GetGeneratedCity(5000, 7);
  const Snapshot& s = *c.snapshot;
  char buf[GridRecord::kMaxCodeDigits];
  for (uint32_t g = 0; g < s.num_grids(); ++g) {
    ASSERT_GT(s.grid_routes().record(g).code_len, 0) << s.grid_code(g);
    ASSERT_EQ(s.grid_code_fast(g, buf), s.grid_code(g));
  }
  auto kept = [](absl::string_view code) {
    GridRoutes r = GridRoutes::Build({-1}, Teams(), RuleTable(), Layers(), GridGeometry(),
                                     [&](uint32_t) { return code; });
    char b[GridRecord::kMaxCodeDigits];
    return std::string(r.record(0).CodeDigits(b));
  };
  EXPECT_EQ(kept("007"), "007");
  EXPECT_EQ(kept("0"), "0");
  EXPECT_EQ(kept("999999999999999999"), "999999999999999999");  // 18 digits
  EXPECT_EQ(kept("1234567890123456789"), "");                   // 19: table only
  EXPECT_EQ(kept("32A5"), "");
  EXPECT_EQ(kept(""), "");
}

}  // namespace
}  // namespace gridroute

// Copyright 2026 gridroute authors.
//
// Packs whose one grid is very large (tools/gen/stress_city.h): a ring of
// 1e5 vertices, 1e5 holes, a 1e5-vertex shell with 1e4 holes, a star of thin
// spikes. Before the sweep lines and the cell builder's local membership
// these took 10 s to minutes each (quadratic checks and index build); the
// ctest TIMEOUT of this binary (CMakeLists.txt) is the hang guard. No test
// here measures time. Each loaded pack's answers are checked against
// ClassifyRings, the brute-force even-odd test, at random points and at
// vertices, edge midpoints and their lattice neighbours.
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gen/city_generator.h"
#include "gen/stress_city.h"
#include "gtest/gtest.h"
#include "snapshot/geojson_reader.h"
#include "snapshot/snapshot.h"
#include "testing/test_pack.h"

namespace gridroute {
namespace {

std::shared_ptr<const Snapshot> LoadStressPack(const gen::StressCityOptions& o,
                                               const std::string& tag) {
  absl::StatusOr<gen::City> city = gen::GenerateStressCity(o);
  EXPECT_TRUE(city.ok()) << city.status();
  if (!city.ok()) return nullptr;
  const std::string dir = testing::MakeTempDir(tag);
  auto written = gen::WriteCityPack(*city, {.out_dir = dir, .num_points = 0, .num_events = 0});
  EXPECT_TRUE(written.ok()) << written.status();
  auto s = LoadPack(dir);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : nullptr;
}

// Locate answers the even-odd rule of ClassifyRings over the grid's rings.
// The oracle walks every edge per point: ~5e7 edge tests in all.
void ExpectLocateMatchesOracle(const Snapshot& s) {
  ASSERT_EQ(s.num_grids(), 1u);
  const GridGeometry& geo = s.geometry();
  const int probes = static_cast<int>(50'000'000 / geo.points().size());
  std::mt19937_64 rng(11);
  std::vector<IPoint> q;
  const IBox& box = geo.box(0);
  for (int k = 0; k < probes / 2; ++k) {
    q.push_back({std::uniform_int_distribution<int64_t>(box.min_x - 5, box.max_x + 5)(rng),
                 std::uniform_int_distribution<int64_t>(box.min_y - 5, box.max_y + 5)(rng)});
  }
  for (int k = 0; k < probes / 14; ++k) {
    const uint32_t r = std::uniform_int_distribution<uint32_t>(0, geo.num_rings() - 1)(rng);
    const IPoint* p = geo.ring(r);
    const uint32_t i = std::uniform_int_distribution<uint32_t>(0, geo.ring_size(r) - 1)(rng);
    const IPoint a = p[i], b = p[(i + 1) % geo.ring_size(r)];
    q.push_back(a);
    q.push_back({(a.x + b.x) / 2, (a.y + b.y) / 2});
    if (geo.ring_size(r) == 4) {  // a square hole's centre
      q.push_back({(p[0].x + p[2].x) / 2, (p[0].y + p[2].y) / 2});
    }
    for (int d = -1; d <= 1; d += 2) {
      q.push_back({a.x + d, a.y});
      q.push_back({a.x, a.y + d});
    }
  }
  int counts[3] = {0, 0, 0};
  for (const IPoint& p : q) {
    const Side want = geo.Classify(0, p);
    const LocateResult got = s.locator().Locate(p);
    ++counts[static_cast<int>(want)];
    switch (want) {
      case Side::kInside:
        ASSERT_EQ(got.how, How::kInside) << p.x << " " << p.y;
        ASSERT_EQ(got.grid, 0u);
        break;
      case Side::kBoundary:
        ASSERT_EQ(got.how, How::kOnEdge) << p.x << " " << p.y;
        ASSERT_EQ(got.grid, 0u);
        break;
      case Side::kOutside:
        ASSERT_EQ(got.how, How::kOutside) << p.x << " " << p.y;
        break;
    }
  }
  for (int c : counts) EXPECT_GT(c, 5);  // outside, boundary and inside all seen
}

TEST(BigGeometryTest, RingOf100kVerticesLoads) {
  gen::StressCityOptions o;
  o.ring_vertices = 100'000;
  auto s = LoadStressPack(o, "ring1e5");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->geometry().ring_size(0), 100'000u);
  ExpectLocateMatchesOracle(*s);
}

TEST(BigGeometryTest, PolygonWith100kHolesLoads) {
  gen::StressCityOptions o;
  o.holes = 100'000;
  auto s = LoadStressPack(o, "holes1e5");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->geometry().num_rings(), 100'001u);
  ExpectLocateMatchesOracle(*s);
}

// Every hole's vertices are placed against the 1e5-vertex shell (one sweep,
// not a walk of the shell per vertex).
TEST(BigGeometryTest, ShellOf100kVerticesWith10kHolesLoads) {
  gen::StressCityOptions o;
  o.ring_vertices = 100'000;
  o.holes = 10'000;
  auto s = LoadStressPack(o, "shell1e5holes1e4");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->geometry().num_rings(), 10'001u);
  ExpectLocateMatchesOracle(*s);
}

// Long thin spikes: every edge's box overlaps hundreds of others.
TEST(BigGeometryTest, StarOf20kSpikesLoads) {
  gen::StressCityOptions o;
  o.ring_vertices = 20'000;
  o.spike_depth = 0.1;
  auto s = LoadStressPack(o, "spikes2e4");
  ASSERT_NE(s, nullptr);
  ExpectLocateMatchesOracle(*s);
}

// One hole among 1e4 pokes out of its shell: the error names that ring.
TEST(BigGeometryTest, OneHoleOutsideItsShellAmongMany) {
  std::string coords = "[[[0,0],[1,0],[1,1],[0,1],[0,0]]";
  for (int i = 0; i < 100; ++i) {
    for (int j = 0; j < 100; ++j) {
      const double x = 0.001 + i * 0.0099, y = 0.001 + j * 0.0099;
      const double w = i == 99 && j == 42 ? 0.5 : 0.005;  // ring 9943 pokes out
      coords += absl::StrCat(",[[", x, ",", y, "],[", x, ",", y + w, "],[", x + w, ",",
                             y + w, "],[", x + w, ",", y, "],[", x, ",", y, "]]");
    }
  }
  coords += "]";
  testing::TestPack p;
  const std::string c = p.AddChain("320501");
  p.AddGrid("g1", c, coords);
  auto s = LoadPack(p.Write());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("code g1: part 0 ring 9943: hole is not inside"),
            std::string::npos)
      << s.status().message().substr(0, 500);
  EXPECT_NE(s.status().message().find("1 error(s)"), std::string::npos)
      << s.status().message().substr(0, 500);
}

// A hole may touch its shell (a vertex on the shell's edge, a shared
// vertex): inside or on, never outside.
TEST(BigGeometryTest, HolesTouchingTheShellAreInside) {
  testing::TestPack p;
  const std::string c = p.AddChain("320501");
  p.AddGrid("g1", c,
            "[[[0,0],[0.004,0],[0.004,0.004],[0,0.004],[0,0]],"
            "[[0,0.001],[0.001,0.002],[0.001,0.001],[0,0.001]],"          // vertex on the shell's edge
            "[[0.004,0.004],[0.003,0.003],[0.003,0.0035],[0.004,0.004]]]");  // the shell's vertex
  auto s = LoadPack(p.Write());
  EXPECT_TRUE(s.ok()) << s.status();
}

}  // namespace
}  // namespace gridroute

// Copyright 2026 gridroute authors.
//
// FindGaps (tools/import/gap_finder.h): holes in the union of the grids,
// sorted into gaps between grids, uncovered areas and float noise. Grids are
// squares written here (areas and locations follow from the arithmetic of
// the test, in the same local plane as the import's sliver check), and
// generated cities whose ponds the generator counts (the oracle for
// uncovered areas). The fast coverage union is checked against GEOS's
// snap-rounded union on the same input.
#include "import/gap_finder.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "import/source_grid.h"
#include "testing/generated_city.h"

namespace gridroute::import {
namespace {

using ::testing::ElementsAre;

constexpr double kX = 120.6, kY = 31.3, kS = 0.001;  // 0.001° squares

// Metres per degree east and north at kY (WGS-84, local plane).
double MetresPerDegreeX() {
  constexpr double a = 6378137.0, e2 = 0.00669437999014132;
  const double phi = kY * M_PI / 180, s = std::sin(phi);
  return a / std::sqrt(1 - e2 * s * s) * std::cos(phi) * M_PI / 180;
}
double MetresPerDegreeY() {
  constexpr double a = 6378137.0, e2 = 0.00669437999014132;
  const double phi = kY * M_PI / 180, s = std::sin(phi), w = 1 - e2 * s * s;
  return a * (1 - e2) / (w * std::sqrt(w)) * M_PI / 180;
}

Ring Rect(double x0, double y0, double x1, double y1) {
  return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}};
}

// A 3x3 block of kS squares; grid (i, j) is column i, row j, code
// "g<j*3+i>"; `edit` may change or drop (empty polygons) any of them.
struct Block {
  std::vector<SourceGrid> grids;
  std::vector<const SourceGrid*> Pointers() const {
    std::vector<const SourceGrid*> out;
    for (const SourceGrid& g : grids) {
      if (!g.polygons.empty()) out.push_back(&g);
    }
    return out;
  }
};

Block ThreeByThree() {
  Block b;
  for (int j = 0; j < 3; ++j) {
    for (int i = 0; i < 3; ++i) {
      SourceGrid g;
      g.fid = j * 3 + i;
      g.code = absl::StrCat("g", j * 3 + i);
      g.polygons.push_back(Polygon{{Rect(
          kX + i * kS, kY + j * kS, kX + (i + 1) * kS, kY + (j + 1) * kS)}});
      b.grids.push_back(std::move(g));
    }
  }
  return b;
}

TEST(GapFinderTest, AGapBetweenNeighboursHasItsAreaLocationAndNeighbours) {
  // The centre grid's east edge is 5e-6° (~0.48 m) short of its neighbour:
  // a strip 0.48 m x 111 m, closed at both ends by the rows above and below.
  const double d = 5e-6;
  Block b = ThreeByThree();
  b.grids[4].polygons[0].rings[0] =
      Rect(kX + kS, kY + kS, kX + 2 * kS - d, kY + 2 * kS);
  const std::vector<const SourceGrid*> grids = b.Pointers();
  GapReport r = FindGaps(grids, {});
  ASSERT_TRUE(r.error.empty()) << r.error;
  ASSERT_EQ(r.gaps.size(), 1u);
  const Gap& g = r.gaps[0];
  const double width = d * MetresPerDegreeX(), length = kS * MetresPerDegreeY();
  EXPECT_NEAR(g.area_m2, width * length, 1e-3 * width * length);
  EXPECT_NEAR(g.width_m, 2 * width * length / (2 * width + 2 * length), 1e-3);
  EXPECT_GT(g.at.x, kX + 2 * kS - d);
  EXPECT_LT(g.at.x, kX + 2 * kS);
  EXPECT_GT(g.at.y, kY + kS);
  EXPECT_LT(g.at.y, kY + 2 * kS);
  // The strip's sides are g4 and g5, its ends touch g1, g2, g7 and g8: the
  // first four by index, two more counted.
  EXPECT_THAT(g.neighbours, ElementsAre(1, 2, 4, 5));
  EXPECT_EQ(g.more_neighbours, 2u);
  EXPECT_EQ(r.uncovered, 0);
  // The centre grid's corners are T-junctions on the rows' edges; noded,
  // they let the coverage union match every edge.
  EXPECT_EQ(r.robust_unions, 0);
}

TEST(GapFinderTest, AMissingGridIsAnUncoveredAreaUnlessTheLimitsSayGap) {
  Block b = ThreeByThree();
  b.grids[4].polygons.clear();
  const double area = kS * MetresPerDegreeX() * kS * MetresPerDegreeY();
  GapReport r = FindGaps(b.Pointers(), {});
  EXPECT_TRUE(r.gaps.empty());
  EXPECT_EQ(r.uncovered, 1);
  EXPECT_NEAR(r.uncovered_area_m2, area, 1e-3 * area);
  EXPECT_NEAR(r.largest_uncovered_m2, area, 1e-3 * area);
  // Below --gap-area-m2 it is a gap; with both limits 0 nothing is.
  r = FindGaps(b.Pointers(), {.max_area_m2 = 20000});
  ASSERT_EQ(r.gaps.size(), 1u);
  EXPECT_EQ(r.gaps[0].neighbours.size(), 4u);
  EXPECT_EQ(r.gaps[0].more_neighbours, 4u);
  r = FindGaps(b.Pointers(), {.max_area_m2 = 0, .max_width_m = 0});
  EXPECT_TRUE(r.gaps.empty());
  EXPECT_EQ(r.uncovered, 1);
}

TEST(GapFinderTest, AGridRingedByAGapIsAnIslandNotAHole) {
  // The centre grid shrunk by 2e-8° (~2 mm) on every side: the union is the
  // ring of eight with a hole, and the centre grid an island in it. What is
  // uncovered is the 2 mm band around the island, not the whole hole.
  const double d = 2e-8;
  Block b = ThreeByThree();
  b.grids[4].polygons[0].rings[0] =
      Rect(kX + kS + d, kY + kS + d, kX + 2 * kS - d, kY + 2 * kS - d);
  GapReport r = FindGaps(b.Pointers(), {});
  ASSERT_TRUE(r.error.empty()) << r.error;
  ASSERT_EQ(r.gaps.size(), 1u);
  const double band = 2 * d * kS * (MetresPerDegreeX() * MetresPerDegreeY()) *
                      2;  // four sides of length kS, width d (to first order)
  EXPECT_NEAR(r.gaps[0].area_m2, band, 0.02 * band);
  EXPECT_LT(r.gaps[0].width_m, 0.003);
  EXPECT_EQ(r.uncovered, 0);
  // A lake with an island grid in it: the lake less the island.
  Block lake = ThreeByThree();
  lake.grids[4].polygons[0].rings[0] =
      Rect(kX + 1.4 * kS, kY + 1.4 * kS, kX + 1.6 * kS, kY + 1.6 * kS);
  r = FindGaps(lake.Pointers(), {});
  const double cell = kS * MetresPerDegreeX() * kS * MetresPerDegreeY();
  EXPECT_EQ(r.uncovered, 1);
  EXPECT_NEAR(r.uncovered_area_m2, cell * (1 - 0.04), 1e-3 * cell);
}

TEST(GapFinderTest, FloatNoiseOnSharedVerticesIsNoGap) {
  // Every vertex of every grid moved by up to 1e-9° (0.1 mm), independently
  // per grid, as a GIS pipeline's float arithmetic leaves them.
  Block b = ThreeByThree();
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> noise(-1e-9, 1e-9);
  for (SourceGrid& g : b.grids) {
    Ring& ring = g.polygons[0].rings[0];
    for (size_t k = 0; k + 1 < ring.size(); ++k) {
      ring[k].x += noise(rng);
      ring[k].y += noise(rng);
    }
    ring.back() = ring.front();
  }
  GapReport r = FindGaps(b.Pointers(), {});
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.gaps.empty());
  EXPECT_EQ(r.uncovered, 0);
  // The snapped vertices match again: no union needed the robust path.
  EXPECT_EQ(r.robust_unions, 0);
  // Without the coverage union, the robust one finds no gap either.
  GapReport robust = FindGaps(b.Pointers(), {.coverage_union = false});
  EXPECT_TRUE(robust.gaps.empty());
  EXPECT_EQ(robust.uncovered, 0);
}

TEST(GapFinderTest, TJunctionsAreNodedAndOverlapsTakeTheRobustUnion) {
  // g0 and g2 (stacked) meet g1, which spans both rows with one edge: g1
  // has no vertex where g0 and g2 meet. Noding gives it one.
  std::vector<SourceGrid> grids(3);
  grids[0].polygons = {Polygon{{Rect(kX, kY, kX + kS, kY + kS)}}};
  grids[1].polygons = {Polygon{{Rect(kX + kS, kY, kX + 2 * kS, kY + 2 * kS)}}};
  grids[2].polygons = {Polygon{{Rect(kX, kY + kS, kX + kS, kY + 2 * kS)}}};
  GapReport r = FindGaps({&grids[0], &grids[1], &grids[2]}, {});
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.gaps.empty());
  EXPECT_EQ(r.uncovered, 0);
  EXPECT_EQ(r.robust_unions, 0);
  // g1 reaching 1e-7° (~1 cm) into g0 and g2: no edge matching explains
  // the overlap (the union's area is not the sum of the parts'), and GEOS's
  // snap-rounded union decides. Still no gap.
  grids[1].polygons = {
      Polygon{{Rect(kX + kS - 1e-7, kY, kX + 2 * kS, kY + 2 * kS)}}};
  r = FindGaps({&grids[0], &grids[1], &grids[2]}, {});
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.gaps.empty());
  EXPECT_EQ(r.uncovered, 0);
  EXPECT_EQ(r.robust_unions, 1);
}

// A generated city's grids as SourceGrids, `noise` degrees of jitter on each
// vertex (per grid); with `tjunctions`, each ring gets the midpoint of its
// first edge, a vertex its neighbour across that edge does not have.
std::vector<SourceGrid> CityGrids(const gen::City& city, double noise,
                                  bool tjunctions = false) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> jitter(-noise, noise);
  std::vector<SourceGrid> out(city.grids.size());
  for (size_t g = 0; g < city.grids.size(); ++g) {
    const gen::Grid& grid = city.grids[g];
    out[g].fid = static_cast<int64_t>(g);
    out[g].code = city.GridCode(g);
    for (uint32_t r = grid.first_ring; r < grid.first_ring + grid.num_rings;
         ++r) {
      const gen::Ring& ring = city.rings[r];
      if (!ring.is_hole) out[g].polygons.emplace_back();
      Ring pts;
      for (uint32_t k = 0; k < ring.size; ++k) {
        const gen::LonLatE7 v = city.RingVertex(ring, k);
        pts.push_back({v.lon * 1e-7 + (noise > 0 ? jitter(rng) : 0),
                       v.lat * 1e-7 + (noise > 0 ? jitter(rng) : 0)});
      }
      if (tjunctions) {
        pts.insert(pts.begin() + 1,
                   XY{(pts[0].x + pts[1].x) / 2, (pts[0].y + pts[1].y) / 2});
      }
      pts.push_back(pts.front());
      out[g].polygons.back().rings.push_back(std::move(pts));
    }
  }
  return out;
}

TEST(GapFinderTest, GeneratedCityPondsAreItsUncoveredAreas) {
  const auto& c = testing::GetGeneratedCity(2000, 3);
  ASSERT_GT(c.city.stats.ponds, 0);
  for (double noise : {0.0, 1e-9, -1.0}) {
    // -1: no noise, a T-junction on every grid.
    std::vector<SourceGrid> grids =
        CityGrids(c.city, std::max(noise, 0.0), noise < 0);
    std::vector<const SourceGrid*> ptrs;
    for (const SourceGrid& g : grids) ptrs.push_back(&g);
    GapReport fast = FindGaps(ptrs, {});
    ASSERT_TRUE(fast.error.empty()) << fast.error;
    EXPECT_TRUE(fast.gaps.empty()) << noise;
    // Each pond is a 20 m x 20 m square (GENERATOR.md, step 8).
    EXPECT_EQ(fast.uncovered, c.city.stats.ponds) << noise;
    EXPECT_NEAR(fast.uncovered_area_m2, 400.0 * c.city.stats.ponds,
                2.0 * c.city.stats.ponds)
        << noise;
    EXPECT_EQ(fast.robust_unions, 0) << noise;
    // GEOS's snap-rounded union agrees.
    GapReport robust = FindGaps(ptrs, {.coverage_union = false});
    EXPECT_EQ(robust.uncovered, fast.uncovered) << noise;
    EXPECT_NEAR(robust.uncovered_area_m2, fast.uncovered_area_m2, 1e-3)
        << noise;
    EXPECT_EQ(robust.gaps.size(), fast.gaps.size()) << noise;
  }
}

}  // namespace
}  // namespace gridroute::import

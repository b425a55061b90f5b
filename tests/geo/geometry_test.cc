// Copyright 2026 gridroute authors.
#include "geo/geometry.h"

#include <cmath>
#include <random>
#include <vector>

#include "geo/grid_geometry.h"
#include "gtest/gtest.h"

namespace gridroute {
namespace {

TEST(OrientTest, ExactAtLargeCoordinates) {
  // Products exceed 2^63 and double precision; __int128 keeps them exact.
  const IPoint a{179'000'000'000, 89'000'000'000}, b{-179'000'000'000, -89'000'000'001};
  EXPECT_EQ(Orient(a, b, a), 0);
  EXPECT_EQ(Orient(a, b, IPoint{0, 0}), -1);  // 179e9 right of a 3e22 product
  EXPECT_EQ(Orient(b, a, IPoint{0, 0}), 1);
  EXPECT_EQ(Orient(IPoint{0, 0}, IPoint{2, 2}, IPoint{1, 1}), 0);
}

TEST(SegmentsTest, TouchingCrossingAndDisjoint) {
  EXPECT_TRUE(SegmentsIntersect({0, 0}, {4, 4}, {0, 4}, {4, 0}));
  EXPECT_TRUE(SegmentsCrossProperly({0, 0}, {4, 4}, {0, 4}, {4, 0}));
  EXPECT_TRUE(SegmentsIntersect({0, 0}, {4, 0}, {2, 0}, {2, 5}));  // T
  EXPECT_FALSE(SegmentsCrossProperly({0, 0}, {4, 0}, {2, 0}, {2, 5}));
  EXPECT_TRUE(SegmentsIntersect({0, 0}, {4, 0}, {3, 0}, {6, 0}));  // collinear overlap
  EXPECT_FALSE(SegmentsIntersect({0, 0}, {4, 0}, {5, 0}, {6, 0}));
  EXPECT_FALSE(SegmentsIntersect({0, 0}, {4, 0}, {0, 1}, {4, 1}));
}

// Brute-force oracle: winding number with explicit on-segment checks.
Side Oracle(const std::vector<std::vector<IPoint>>& rings, IPoint p) {
  int crossings = 0;
  for (const auto& r : rings) {
    for (size_t i = 0; i < r.size(); ++i) {
      IPoint a = r[i], b = r[(i + 1) % r.size()];
      if (Orient(a, b, p) == 0 && OnSegment(a, b, p)) return Side::kBoundary;
      // Half-open rule on y for the +x ray.
      if ((a.y <= p.y && b.y > p.y) || (b.y <= p.y && a.y > p.y)) {
        // x of the edge at p.y compared exactly via cross-multiplication.
        __int128 lhs = static_cast<__int128>(p.x - a.x) * (b.y - a.y);
        __int128 rhs = static_cast<__int128>(b.x - a.x) * (p.y - a.y);
        bool right_of_p = (b.y > a.y) ? rhs > lhs : rhs < lhs;
        if (right_of_p) ++crossings;
      }
    }
  }
  return crossings % 2 ? Side::kInside : Side::kOutside;
}

TEST(ClassifyRingsTest, MatchesOracleOnPolygonWithHoleAndLatticePoints) {
  std::vector<std::vector<IPoint>> rings = {
      {{0, 0}, {20, 0}, {20, 10}, {10, 15}, {0, 10}},  // outer (pentagon)
      {{5, 3}, {5, 7}, {9, 7}, {9, 3}},                  // hole (CW)
  };
  GridGeometryBuilder b;
  for (size_t i = 0; i < rings.size(); ++i) b.AddRing(rings[i].data(), rings[i].size(), i > 0);
  b.EndGrid();
  GridGeometry g = std::move(b).Build();
  int counts[3] = {0, 0, 0};
  for (int64_t x = -2; x <= 22; ++x) {
    for (int64_t y = -2; y <= 17; ++y) {
      const Side got = g.Classify(0, {x, y});
      ASSERT_EQ(got, Oracle(rings, {x, y})) << x << "," << y;
      ++counts[static_cast<int>(got)];
    }
  }
  EXPECT_GT(counts[0], 0);
  EXPECT_GT(counts[1], 0);
  EXPECT_GT(counts[2], 0);
  EXPECT_EQ(g.Classify(0, {7, 5}), Side::kOutside);   // in the hole
  EXPECT_EQ(g.Classify(0, {5, 5}), Side::kBoundary);  // on the hole's edge
  EXPECT_EQ(g.Classify(0, {10, 15}), Side::kBoundary);  // apex vertex
}

TEST(TwiceSignedAreaTest, SignFollowsOrientation) {
  std::vector<IPoint> ccw = {{0, 0}, {4, 0}, {4, 3}};
  EXPECT_EQ(TwiceSignedArea(ccw.data(), 3), 12);
  std::vector<IPoint> cw = {{0, 0}, {4, 3}, {4, 0}};
  EXPECT_EQ(TwiceSignedArea(cw.data(), 3), -12);
}

TEST(QuantizerTest, SevenDecimalDegreesAreExact) {
  Quantizer q(true);
  EXPECT_EQ(q.Quantize(120.6123456, 31.3000001).x, 120'612'345'600);
  EXPECT_EQ(q.Quantize(120.6123456, 31.3000001).y, 31'300'000'100);
  Quantizer m(false);
  EXPECT_EQ(m.Quantize(500000.12345, 3'300'000.5).x, 5'000'001'235);
}


// Quantizer::Round is an inline llround: same answer everywhere, including
// the halves, the doubles next to them and integers beyond 2^52.
TEST(QuantizerTest, RoundMatchesLlround) {
  std::vector<double> vs = {0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5,
                            0.49999999999999994, -0.49999999999999994,
                            4503599627370495.5, -4503599627370495.5,
                            4503599627370497.0, 9007199254740993.0, 1.8e11, -1.8e11};
  for (double v : std::vector<double>(vs)) {
    vs.push_back(std::nextafter(v, 1e300));
    vs.push_back(std::nextafter(v, -1e300));
  }
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> any(-2e11, 2e11);
  std::uniform_int_distribution<int64_t> half(-(int64_t{1} << 40), int64_t{1} << 40);
  for (int i = 0; i < 200000; ++i) {
    vs.push_back(any(rng));
    vs.push_back(static_cast<double>(half(rng)) + 0.5);
  }
  for (double v : vs) ASSERT_EQ(Quantizer::Round(v), std::llround(v)) << v;
}

// Boxes are computed from the vertices (not stored): against the boxes of
// the rings as they were added, for grids with a hole, two parts, and none.
TEST(GridGeometryTest, BoxesAreThoseOfTheAddedRingsAlsoAfterPermute) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int64_t> coord(-1'000'000'000'000, 1'000'000'000'000);
  GridGeometryBuilder b;
  std::vector<IBox> expected;
  for (int g = 0; g < 200; ++g) {
    IBox want;
    const int rings = g % 7 == 3 ? 0 : 1 + g % 3;  // some grids have none
    for (int r = 0; r < rings; ++r) {
      std::vector<IPoint> ring(3 + (g + r) % 5);
      for (IPoint& p : ring) {
        p = {coord(rng), coord(rng)};
        want.Expand(p);
      }
      b.AddRing(ring.data(), ring.size(), /*hole=*/r == 1);
    }
    b.EndGrid();
    expected.push_back(want);
  }
  const GridGeometry geo = std::move(b).Build();
  ASSERT_EQ(geo.num_grids(), expected.size());
  const std::vector<IBox> all = geo.ComputeBoxes();
  ASSERT_EQ(all.size(), expected.size());
  for (uint32_t g = 0; g < geo.num_grids(); ++g) {
    const IBox box = geo.box(g);
    EXPECT_EQ(box.min_x, expected[g].min_x) << g;
    EXPECT_EQ(box.min_y, expected[g].min_y) << g;
    EXPECT_EQ(box.max_x, expected[g].max_x) << g;
    EXPECT_EQ(box.max_y, expected[g].max_y) << g;
    EXPECT_EQ(all[g].min_x, box.min_x);
    EXPECT_EQ(all[g].max_y, box.max_y);
    EXPECT_EQ(box.min_x > box.max_x, g % 7 == 3) << g;  // empty iff no ring
  }
  std::vector<uint32_t> order(geo.num_grids());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(order.size() - 1 - i);
  const GridGeometry rev = GridGeometryBuilder::Permute(geo, order);
  for (uint32_t i = 0; i < order.size(); ++i) {
    EXPECT_EQ(rev.box(i).min_x, expected[order[i]].min_x);
    EXPECT_EQ(rev.box(i).max_y, expected[order[i]].max_y);
  }
}

// Where every grid is one ring without holes, Build() keeps neither the
// grid -> ring offsets nor the hole flags; the accessors answer as before.
TEST(GridGeometryTest, OneRingPerGridIsStoredWithoutGridOffsetsOrHoleFlags) {
  auto build = [](bool second_ring_in_grid_3, bool hole) {
    GridGeometryBuilder b;
    for (int g = 0; g < 6; ++g) {
      const IPoint sq[] = {{10 * g, 0}, {10 * g + 8, 0}, {10 * g + 8, 8}, {10 * g, 8}};
      b.AddRing(sq, 4, false);
      if (g == 3 && second_ring_in_grid_3) {
        const IPoint in[] = {{32, 2}, {36, 2}, {36, 6}};
        b.AddRing(in, 3, hole);
      }
      b.EndGrid();
    }
    return std::move(b).Build();
  };
  const GridGeometry one = build(false, false);
  const GridGeometry two = build(true, false);
  const GridGeometry holed = build(true, true);
  ASSERT_EQ(one.num_grids(), 6u);
  ASSERT_EQ(two.num_grids(), 6u);
  EXPECT_EQ(one.num_rings(), 6u);
  EXPECT_EQ(two.num_rings(), 7u);
  EXPECT_TRUE(one.one_ring_per_grid());
  EXPECT_FALSE(two.one_ring_per_grid());
  EXPECT_FALSE(holed.one_ring_per_grid());
  for (uint32_t g = 0; g < 6; ++g) {
    EXPECT_EQ(one.grid_ring_begin(g), g);
    EXPECT_EQ(one.grid_ring_begin(g + 1), g + 1);
    EXPECT_FALSE(one.ring_is_hole(g));
    const IPoint mid{10 * static_cast<int64_t>(g) + 4, 5};
    EXPECT_EQ(one.Classify(g, mid), Side::kInside) << g;
    EXPECT_EQ(two.Classify(g, mid), Side::kInside) << g;
    EXPECT_EQ(one.Classify(g, IPoint{10 * static_cast<int64_t>(g) + 9, 5}), Side::kOutside);
  }
  EXPECT_EQ(two.grid_ring_begin(4), 5u);
  EXPECT_FALSE(two.ring_is_hole(4));
  EXPECT_TRUE(holed.ring_is_hole(4));
  EXPECT_FALSE(holed.ring_is_hole(3));
  // Even-odd: the second ring of grid 3 cuts (35, 3) out of it either way.
  EXPECT_EQ(one.Classify(3, IPoint{35, 3}), Side::kInside);
  EXPECT_EQ(two.Classify(3, IPoint{35, 3}), Side::kOutside);
  const GridGeometry rev = GridGeometryBuilder::Permute(one, {5, 4, 3, 2, 1, 0});
  EXPECT_TRUE(rev.one_ring_per_grid());
  EXPECT_EQ(rev.box(0).min_x, 50);
}

}  // namespace
}  // namespace gridroute

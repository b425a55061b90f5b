// Copyright 2026 gridroute authors.
//
// The cell locator's own structure: every lattice point of small hand-made
// cities (shared edges and vertices, a hole, a multipolygon, an overlap, a
// grid far bigger than a cell, a grid smaller than a cell, 40 grids meeting
// at one vertex, edges longer than the packed-offset limit) against a brute
// force over GridGeometry::Classify, for many cell sizes and split settings,
// so points exactly on cell boundaries and cell corners are all covered.
// The Avx2AndScalar* tests run the AVX2 and the scalar leaf test on the same
// points (those cities, packed offsets near their 2^29 bound, a generated
// city's vertices, their neighbours, edge midpoints and random points).
// (tests/index/locator_test.cc runs the generated cities through both
// locators against an independent oracle.)
#include "index/cell_locator.h"

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "index/cell_layout.h"
#include "index/locator.h"
#include "testing/generated_city.h"

namespace gridroute {
namespace {

LocateResult BruteForce(const GridGeometry& geo, IPoint p) {
  for (uint32_t g = 0; g < geo.num_grids(); ++g) {
    const Side s = geo.Classify(g, p);
    if (s != Side::kOutside)
      return {g, s == Side::kBoundary ? How::kOnEdge : How::kInside, 0};
  }
  return {};
}

void AddPolygon(GridGeometryBuilder& b, std::vector<IPoint> ring,
                bool hole = false) {
  b.AddRing(ring.data(), ring.size(), hole);
}

// Ids are in the order grids are added (the loader sorts by code first).
GridGeometry SmallCity() {
  GridGeometryBuilder b;
  // 0: a big square with a pond [20,24]^2 (hole) and an exclave slot [40,44]^2.
  AddPolygon(b, {{0, 0}, {64, 0}, {64, 64}, {0, 64}});
  AddPolygon(b, {{20, 20}, {20, 24}, {24, 24}, {24, 20}}, true);
  AddPolygon(b, {{40, 40}, {40, 44}, {44, 44}, {44, 40}}, true);
  b.EndGrid();
  // 1: the exclave square plus a triangle east of the big square (multi).
  AddPolygon(b, {{40, 40}, {44, 40}, {44, 44}, {40, 44}});
  AddPolygon(b, {{64, 0}, {90, 13}, {64, 26}});
  b.EndGrid();
  // 2: a thin sliver overlapping grid 0 (ids below 0's would win; 2 > 0).
  AddPolygon(b, {{10, 10}, {50, 11}, {10, 12}});
  b.EndGrid();
  // 3: a tiny triangle north of the big square sharing its edge partly
  // (T-junction on the edge y = 64).
  AddPolygon(b, {{7, 64}, {9, 64}, {8, 67}});
  b.EndGrid();
  // 4: a quad sharing grid 1's triangle edge and grid 0's corner (64, 64).
  AddPolygon(b, {{64, 26}, {90, 13}, {91, 70}, {64, 64}});
  b.EndGrid();
  return std::move(b).Build();
}

void ExpectSameEverywhere(const GridGeometry& geo,
                          const CellLocatorOptions& options, int64_t lo,
                          int64_t hi) {
  auto loc = CellLocator::Build(&geo, Quantizer(false), options);
  int mismatches = 0;
  for (int64_t y = lo; y <= hi; ++y) {
    for (int64_t x = lo; x <= hi; ++x) {
      const IPoint p{x, y};
      const LocateResult want = BruteForce(geo, p);
      const LocateResult got = loc->Locate(p);
      if (!(got == want) && ++mismatches <= 5) {
        ADD_FAILURE() << "(" << x << "," << y << "): got " << got.grid << " "
                      << HowName(got.how) << ", want " << want.grid << " "
                      << HowName(want.how) << " (top "
                      << options.grids_per_top_cell << ", edges "
                      << options.max_leaf_edges << ", levels "
                      << options.max_split_levels << ")";
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(CellLocatorTest, EveryLatticePointMatchesBruteForceForManyCellSizes) {
  const GridGeometry geo = SmallCity();
  for (double top : {0.01, 0.1, 0.5, 2.0, 20.0}) {
    for (int edges : {0, 1, 3, 8}) {
      for (int levels : {0, 1, 5}) {
        for (int threads : {1, 2}) {
          ExpectSameEverywhere(geo, {top, edges, levels, threads}, -3, 95);
        }
      }
    }
  }
}

TEST(CellLocatorTest, ManyGridsAtOneVertexUseTheFallbackLeaf) {
  // 40 triangles around (1000, 1000): more candidates than a leaf's mask.
  GridGeometryBuilder b;
  const int n = 40;
  const int64_t r = 300;
  std::vector<IPoint> rim;
  for (int i = 0; i < n; ++i) {
    const double a = 2 * 3.14159265358979 * i / n;
    rim.push_back({1000 + static_cast<int64_t>(std::lround(r * std::cos(a))),
                   1000 + static_cast<int64_t>(std::lround(r * std::sin(a)))});
  }
  for (int i = 0; i < n; ++i) {
    AddPolygon(b, {{1000, 1000}, rim[i], rim[(i + 1) % n]});
    b.EndGrid();
  }
  const GridGeometry geo = std::move(b).Build();
  CellLocatorOptions options;
  options.max_split_levels = 0;
  options.grids_per_top_cell = 40;
  auto loc = CellLocator::Build(&geo, Quantizer(false), options);
  EXPECT_GT(loc->stats().fallback_leaves, 0u);
  EXPECT_EQ(loc->Probe({1000, 1000}), CellKind::kFallbackLeaf);
  int mismatches = 0;
  for (int64_t y = 680; y <= 1320; y += 3) {
    for (int64_t x = 680; x <= 1320; x += 3) {
      if (!(loc->Locate({x, y}) == BruteForce(geo, {x, y}))) ++mismatches;
    }
  }
  EXPECT_EQ(loc->Locate({1000, 1000}).grid, 0u);
  EXPECT_EQ(loc->Locate({1000, 1000}).how, How::kOnEdge);
  EXPECT_EQ(mismatches, 0);
  // Splitting resolves the same points without the fallback where it can.
  ExpectSameEverywhere(geo, {}, 980, 1020);
}

TEST(CellLocatorTest, EdgesLongerThanThePackedOffsetLimitStayExact) {
  // A grid 2^31 units wide next to a small one: its edges cannot be stored as
  // 30-bit offsets from a cell's reference point.
  const int64_t w = int64_t{1} << 31;
  GridGeometryBuilder b;
  AddPolygon(b, {{0, 0}, {w, 0}, {w, 7}, {0, 3}});
  b.EndGrid();
  AddPolygon(b, {{0, 3}, {w, 7}, {w, 20}, {0, 20}});
  b.EndGrid();
  const GridGeometry geo = std::move(b).Build();
  auto loc = CellLocator::Build(&geo, Quantizer(false), {});
  EXPECT_GT(loc->stats().fallback_leaves, 0u);
  int mismatches = 0;
  for (int64_t x : {int64_t{0}, int64_t{1}, w / 3, w / 2, w - 1, w}) {
    for (int64_t y = -1; y <= 21; ++y) {
      if (!(loc->Locate({x, y}) == BruteForce(geo, {x, y}))) ++mismatches;
    }
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(CellLocatorTest, EdgesTooLongToPackStayExactInWideLeaves) {
  // Edges 1.5 * 2^29 units long: too long for a packed leaf's 30-bit
  // offsets, short enough for the 5-word edges of an exact leaf.
  const int64_t w = int64_t{3} << 28;
  GridGeometryBuilder b;
  AddPolygon(b, {{0, 0}, {w, 0}, {w, 7}, {0, 3}});
  b.EndGrid();
  AddPolygon(b, {{0, 3}, {w, 7}, {w, 20}, {0, 20}});
  b.EndGrid();
  const GridGeometry geo = std::move(b).Build();
  auto loc = CellLocator::Build(&geo, Quantizer(false), {});
  EXPECT_EQ(loc->stats().fallback_leaves, 0u);
  int mismatches = 0;
  for (int64_t x : {int64_t{0}, int64_t{1}, w / 3, w / 2, w - 1, w}) {
    for (int64_t y = -1; y <= 21; ++y) {
      if (!(loc->Locate({x, y}) == BruteForce(geo, {x, y}))) ++mismatches;
    }
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(CellLocatorTest, LeafWithMoreEdgesThanTheHeaderHoldsUsesTheFallback) {
  // A comb of 140,000 teeth in one unsplittable cell: more distinct edges
  // than an exact leaf's 17-bit edge count.
  const int64_t n = 140'000;
  std::vector<IPoint> ring;
  for (int64_t i = 0; i <= n; ++i) ring.push_back({i, 10 + (i & 1)});
  ring.push_back({n, 0});
  ring.push_back({0, 0});
  GridGeometryBuilder b;
  AddPolygon(b, ring);
  b.EndGrid();
  const GridGeometry geo = std::move(b).Build();
  CellLocatorOptions options;
  options.max_split_levels = 0;
  options.grids_per_top_cell = 1e6;  // one top cell
  auto loc = CellLocator::Build(&geo, Quantizer(false), options);
  EXPECT_EQ(loc->stats().leaves, 1u);
  EXPECT_EQ(loc->stats().fallback_leaves, 1u);
  int mismatches = 0;
  for (int64_t x : {int64_t{-1}, int64_t{0}, int64_t{1}, n / 2, n / 2 + 1, n}) {
    for (int64_t y = -1; y <= 12; ++y) {
      if (!(loc->Locate({x, y}) == BruteForce(geo, {x, y}))) ++mismatches;
    }
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(CellLocatorTest, BatchEqualsSingleAcrossChunks) {
  const GridGeometry geo = SmallCity();
  auto loc = CellLocator::Build(&geo, Quantizer(false), {0.1, 1, 5, 2});
  std::vector<IPoint> pts;
  for (int64_t y = -3; y <= 95; y += 2) {
    for (int64_t x = -3; x <= 95; ++x) pts.push_back({x, y});
  }
  std::vector<LocateResult> out(pts.size());
  loc->LocateBatch(pts.data(), pts.size(), {}, out.data());
  for (size_t i = 0; i < pts.size(); ++i)
    ASSERT_EQ(out[i], loc->Locate(pts[i])) << i;
}

// Four grids whose edges lie along the 16- and 32-unit lattice lines and pass
// through their corners (the borders and corners of split children).
GridGeometry ChildBordersCity() {
  GridGeometryBuilder b;
  AddPolygon(b, {{0, 0}, {32, 0}, {32, 32}, {0, 32}});
  b.EndGrid();
  AddPolygon(b, {{32, 0}, {64, 32}, {32, 64}, {0, 32}});
  b.EndGrid();
  AddPolygon(b, {{16, 16}, {48, 16}, {48, 48}, {16, 48}});
  b.EndGrid();
  AddPolygon(b, {{0, 64}, {64, 0}, {64, 64}});
  b.EndGrid();
  return std::move(b).Build();
}

// Split hands each parent edge only to the children its bounding box
// overlaps; edges lying on child borders and through child corners (all the
// lattice lines below are multiples of the child sides) must still reach every
// child they touch.
TEST(CellLocatorTest, EdgesAlongChildBordersAndThroughChildCornersStayExact) {
  const GridGeometry geo = ChildBordersCity();
  for (double top : {0.05, 0.25, 1.0}) {
    for (int edges : {0, 2, 5}) {
      for (int levels : {1, 3}) {
        ExpectSameEverywhere(geo, {top, edges, levels, 2}, -2, 66);
      }
    }
  }
}

// The build hands each top cell a 32-bit mask of the grid edges that meet it
// (a grid with more than 32 edges is re-tested edge by edge) and merges the
// edges two grids share once per cell: grids of 43 and exactly 32 edges,
// sharing a saw-tooth border, spanning many top cells.
TEST(CellLocatorTest, GridsWithManyEdgesAcrossCellsMatchBruteForce) {
  std::vector<IPoint> saw;  // 41 points, (0, 50) .. (80, 50), teeth to 54
  for (int64_t i = 0; i <= 40; ++i) saw.push_back({2 * i, 50 + (i & 1) * 4});
  GridGeometryBuilder b;
  std::vector<IPoint> below = saw;  // 43 edges
  below.push_back({80, 0});
  below.push_back({0, 0});
  AddPolygon(b, below);
  b.EndGrid();
  std::vector<IPoint> above(saw.rbegin(), saw.rend());  // 43 edges
  above.push_back({0, 80});
  above.push_back({80, 80});
  AddPolygon(b, above);
  b.EndGrid();
  std::vector<IPoint> zigzag;  // exactly 32 edges
  for (int64_t i = 0; i < 30; ++i) {
    zigzag.push_back({82 + (i & 1) * 3, 10 + 2 * i});
  }
  zigzag.push_back({95, 68});
  zigzag.push_back({95, 10});
  AddPolygon(b, zigzag);
  b.EndGrid();
  const GridGeometry geo = std::move(b).Build();
  for (double top : {0.02, 0.2, 1.0}) {
    for (int edges : {1, 6}) {
      for (int levels : {0, 2}) {
        for (int threads : {1, 2}) {
          ExpectSameEverywhere(geo, {top, edges, levels, threads}, -2, 97);
        }
      }
    }
  }
}

// The segment/box tests run in int64 relative to an edge's end point; real
// packs sit ~1.2e11 lattice units from the origin (1e-9 degree at 120°E).
TEST(CellLocatorTest, CityFarFromTheOriginMatchesBruteForce) {
  const GridGeometry near = SmallCity();
  const IPoint shift{120'610'000'000, 31'290'000'000};
  GridGeometryBuilder b;
  for (uint32_t g = 0; g < near.num_grids(); ++g) {
    for (uint32_t r = near.grid_ring_begin(g); r < near.grid_ring_begin(g + 1);
         ++r) {
      std::vector<IPoint> ring(near.ring(r), near.ring(r) + near.ring_size(r));
      for (IPoint& p : ring) p = {p.x + shift.x, p.y + shift.y};
      AddPolygon(b, ring, near.ring_is_hole(r));
    }
    b.EndGrid();
  }
  const GridGeometry geo = std::move(b).Build();
  for (int edges : {1, 6}) {
    auto loc = CellLocator::Build(&geo, Quantizer(false), {0.1, edges, 5, 2});
    int mismatches = 0;
    for (int64_t y = -3; y <= 95; ++y) {
      for (int64_t x = -3; x <= 95; ++x) {
        const IPoint p{x + shift.x, y + shift.y};
        if (!(loc->Locate(p) == BruteForce(geo, p))) ++mismatches;
      }
    }
    EXPECT_EQ(mismatches, 0) << "edges " << edges;
  }
}

// Each build thread fills its own arrays; the first thread's become the final
// ones and the others are appended with rebased offsets.
TEST(CellLocatorTest, BuildIsTheSameForAnyThreadCount) {
  const GridGeometry geo = SmallCity();
  const CellLocatorOptions one{0.05, 1, 5, 1};
  auto want = CellLocator::Build(&geo, Quantizer(false), one);
  for (int threads : {2, 3, 7}) {
    CellLocatorOptions options = one;
    options.threads = threads;
    auto got = CellLocator::Build(&geo, Quantizer(false), options);
    EXPECT_EQ(got->MemoryBytes(), want->MemoryBytes()) << threads;
    EXPECT_EQ(got->stats().nodes, want->stats().nodes) << threads;
    EXPECT_EQ(got->stats().leaves, want->stats().leaves) << threads;
    EXPECT_EQ(got->stats().leaf_edges, want->stats().leaf_edges) << threads;
    int mismatches = 0;
    for (int64_t y = -3; y <= 95; ++y) {
      for (int64_t x = -3; x <= 95; ++x) {
        if (!(got->Locate({x, y}) == want->Locate({x, y}))) ++mismatches;
      }
    }
    EXPECT_EQ(mismatches, 0) << threads;
  }
}

// Runs `pts` through the scalar and the AVX2 leaf tests (Locate and
// LocateBatch) and expects identical answers; also against `want` if given.
void ExpectSameLeafPaths(const CellLocator& loc, const std::vector<IPoint>& pts,
                         const char* what,
                         const std::vector<LocateResult>* want = nullptr) {
  using cell_locator_internal::UseAvx2LeafTestForTesting;
  UseAvx2LeafTestForTesting(false);
  std::vector<LocateResult> scalar(pts.size()), scalar_batch(pts.size());
  for (size_t i = 0; i < pts.size(); ++i) scalar[i] = loc.Locate(pts[i]);
  loc.LocateBatch(pts.data(), pts.size(), {}, scalar_batch.data());
  const bool avx2 = UseAvx2LeafTestForTesting(true);
  std::vector<LocateResult> simd(pts.size()), simd_batch(pts.size());
  for (size_t i = 0; i < pts.size(); ++i) simd[i] = loc.Locate(pts[i]);
  loc.LocateBatch(pts.data(), pts.size(), {}, simd_batch.data());
  int mismatches = 0;
  for (size_t i = 0; i < pts.size(); ++i) {
    const bool same = scalar[i] == simd[i] && scalar[i] == scalar_batch[i] &&
                      scalar[i] == simd_batch[i] &&
                      (want == nullptr || scalar[i] == (*want)[i]);
    if (!same && ++mismatches <= 5) {
      ADD_FAILURE() << what << ": (" << pts[i].x << "," << pts[i].y
                    << "): scalar " << scalar[i].grid << " "
                    << HowName(scalar[i].how) << ", avx2 " << simd[i].grid
                    << " " << HowName(simd[i].how) << ", batch "
                    << scalar_batch[i].grid << " / " << simd_batch[i].grid;
    }
  }
  EXPECT_EQ(mismatches, 0) << what << (avx2 ? "" : " (no AVX2 on this CPU)");
}

std::vector<IPoint> Lattice(int64_t lo, int64_t hi) {
  std::vector<IPoint> pts;
  for (int64_t y = lo; y <= hi; ++y) {
    for (int64_t x = lo; x <= hi; ++x) pts.push_back({x, y});
  }
  return pts;
}

// Every vertex, the 8 lattice neighbours of each, and each edge's midpoint
// when it is a lattice point (on-edge and through-vertex cases).
std::vector<IPoint> VertexPoints(const GridGeometry& geo, uint32_t ring_step) {
  std::vector<IPoint> pts;
  for (uint32_t r = 0; r < geo.num_rings(); r += ring_step) {
    const IPoint* v = geo.ring(r);
    const uint32_t n = geo.ring_size(r);
    for (uint32_t i = 0; i < n; ++i) {
      for (int64_t dy = -1; dy <= 1; ++dy) {
        for (int64_t dx = -1; dx <= 1; ++dx) {
          pts.push_back({v[i].x + dx, v[i].y + dy});
        }
      }
      const IPoint a = v[i], b = v[(i + 1) % n];
      if ((a.x + b.x) % 2 == 0 && (a.y + b.y) % 2 == 0) {
        pts.push_back({(a.x + b.x) / 2, (a.y + b.y) / 2});
      }
    }
  }
  return pts;
}

TEST(CellLocatorTest, Avx2AndScalarLeafTestsAgreeOnHandMadeCities) {
  const GridGeometry small = SmallCity();
  const std::vector<IPoint> lattice = Lattice(-3, 95);
  for (double top : {0.01, 0.5, 20.0}) {
    for (int edges : {1, 6, 30}) {
      for (int levels : {0, 2, 5}) {
        auto loc =
            CellLocator::Build(&small, Quantizer(false), {top, edges, levels});
        std::vector<LocateResult> want;
        for (IPoint p : lattice) want.push_back(BruteForce(small, p));
        ExpectSameLeafPaths(*loc, lattice, "small city", &want);
      }
    }
  }
  const GridGeometry borders = ChildBordersCity();
  for (int edges : {0, 5, 40}) {
    auto loc =
        CellLocator::Build(&borders, Quantizer(false), {0.25, edges, 1, 2});
    ExpectSameLeafPaths(*loc, Lattice(-2, 66), "child borders");
  }
}

// Packed offsets close to their 2^29 limit in a cell of side 2^29 (the
// largest), so the products and cross-product differences are near the
// bounds the AVX2 test relies on.
TEST(CellLocatorTest, Avx2AndScalarLeafTestsAgreeNearTheOffsetBounds) {
  const int64_t m = int64_t{1} << 28;  // the top cell's centre offset
  const int64_t far = m + (int64_t{1} << 29) - 8;  // centre + 2^29 - 8
  GridGeometryBuilder b;
  AddPolygon(b, {{0, 0}, {far, 1}, {far, far}});
  b.EndGrid();
  AddPolygon(b, {{0, 0}, {far, far}, {1, far}});
  b.EndGrid();
  AddPolygon(b, {{m - 5, m + 7}, {far - 3, m - 2}, {m + 11, far - 1}});
  b.EndGrid();
  AddPolygon(b, {{3, far - 2}, {m + 1, m - 1}, {far, 2}, {far, far}});
  b.EndGrid();
  const GridGeometry geo = std::move(b).Build();
  CellLocatorOptions options;
  options.grids_per_top_cell = 1e12;  // top cells of side 2^29
  options.max_split_levels = 0;
  auto loc = CellLocator::Build(&geo, Quantizer(false), options);
  EXPECT_EQ(loc->stats().top_shift, 29);
  EXPECT_EQ(loc->stats().fallback_leaves, 0u);
  std::vector<IPoint> pts = VertexPoints(geo, 1);
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> u(-2, 2 * m + 1);
  std::uniform_int_distribution<int64_t> edge(0, 2 * m);
  for (int i = 0; i < 20000; ++i) {
    pts.push_back({u(rng), u(rng)});
    const int64_t t = edge(rng);
    pts.push_back({t, t});      // on the diagonal edge
    pts.push_back({t, t + 1});  // beside it
  }
  // The corners of the first cell and points at the farthest offsets.
  for (int64_t x : {int64_t{0}, int64_t{1}, m - 3, m, m + 3, 2 * m - 1}) {
    for (int64_t y : {int64_t{0}, int64_t{1}, m - 3, m, m + 3, 2 * m - 1}) {
      pts.push_back({x, y});
    }
  }
  std::vector<LocateResult> want;
  for (IPoint p : pts) want.push_back(BruteForce(geo, p));
  ExpectSameLeafPaths(*loc, pts, "near bounds", &want);
}

TEST(CellLocatorTest, Avx2AndScalarLeafTestsAgreeOnAGeneratedCity) {
  const testing::GeneratedCity& city = testing::GetGeneratedCity(2000, 1);
  const GridGeometry& geo = city.snapshot->geometry();
  IBox box;
  for (const IPoint& p : geo.points()) box.Expand(p);
  std::vector<IPoint> pts = VertexPoints(geo, 3);
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<int64_t> ux(box.min_x - 100, box.max_x + 100);
  std::uniform_int_distribution<int64_t> uy(box.min_y - 100, box.max_y + 100);
  for (int i = 0; i < 200000; ++i) pts.push_back({ux(rng), uy(rng)});
  // Default structure, long leaves (the 4-edge loop), no splits at all.
  for (const CellLocatorOptions& options :
       {CellLocatorOptions{}, CellLocatorOptions{1.0, 40, 5, 2},
        CellLocatorOptions{0.5, 6, 0, 2}}) {
    auto loc = CellLocator::Build(&geo, city.snapshot->quantizer(), options);
    EXPECT_GT(loc->stats().leaves, 0u);
    ExpectSameLeafPaths(*loc, pts, "generated city");
  }
}

TEST(CellLocatorTest, EmptyGeometryIsOutsideEverywhere) {
  const GridGeometry geo = GridGeometryBuilder().Build();
  auto loc = CellLocator::Build(&geo, Quantizer(false), {});
  EXPECT_EQ(loc->Locate({0, 0}).how, How::kOutside);
  EXPECT_EQ(loc->Locate({5, -5}).how, How::kOutside);
}

}  // namespace
}  // namespace gridroute

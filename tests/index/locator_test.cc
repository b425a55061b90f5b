// Copyright 2026 gridroute authors.
//
// Every Locator implementation against a brute-force oracle: Boost.Geometry's
// covered_by/within on every grid polygon (no index), built straight from the
// generator's own city (not from the loader's arrays), and Karney's geodesics
// (PROJ's geod_*) on the WGS-84 ellipsoid for snapping distances.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <boost/geometry.hpp>
#include <boost/geometry/geometries/multi_polygon.hpp>
#include <boost/geometry/geometries/point.hpp>
#include <boost/geometry/geometries/polygon.hpp>
#include <boost/geometry/geometries/segment.hpp>

#include <geodesic.h>  // PROJ's copy of Karney's geodesic routines

#include "gtest/gtest.h"
#include "index/cell_locator.h"
#include "index/locator.h"
#include "snapshot/snapshot.h"
#include "testing/generated_city.h"

namespace gridroute {
namespace {
namespace bg = boost::geometry;

using BPoint = bg::model::point<int64_t, 2, bg::cs::cartesian>;
using BPolygon = bg::model::polygon<BPoint, /*ClockWise=*/false, /*Closed=*/true>;
using BMulti = bg::model::multi_polygon<BPolygon>;

// Ellipsoidal distance in metres from p to the segment a-b (degrees):
// golden-section search along the geodesic from a to b.
double GeodesicDistanceToSegment(const geod_geodesic& g, double plon, double plat,
                                 double alon, double alat, double blon, double blat) {
  geod_geodesicline line;
  geod_inverseline(&line, &g, alat, alon, blat, blon, 0);
  auto dist_at = [&](double s) {
    double lat, lon, d;
    geod_position(&line, s, &lat, &lon, nullptr);
    geod_inverse(&g, plat, plon, lat, lon, &d, nullptr, nullptr);
    return d;
  };
  double lo = 0, hi = line.s13;
  const double r = (std::sqrt(5.0) - 1) / 2;
  double m1 = hi - r * (hi - lo), m2 = lo + r * (hi - lo);
  double f1 = dist_at(m1), f2 = dist_at(m2);
  for (int i = 0; i < 80 && hi - lo > 1e-5; ++i) {
    if (f1 < f2) {
      hi = m2; m2 = m1; f2 = f1; m1 = hi - r * (hi - lo); f1 = dist_at(m1);
    } else {
      lo = m1; m1 = m2; f1 = f2; m2 = lo + r * (hi - lo); f2 = dist_at(m2);
    }
  }
  return std::min(std::min(f1, f2), std::min(dist_at(0), dist_at(line.s13)));
}

// Generator units are 1e-7 degree; the engine's lattice is 1e-9 degree.
constexpr int64_t kE7ToE9 = 100;

class Oracle {
 public:
  explicit Oracle(const gen::City& city) : city_(city) {
    const size_t n = city.grids.size();
    polys_.resize(n);
    min_x_.resize(n, std::numeric_limits<int64_t>::max());
    min_y_.resize(n, std::numeric_limits<int64_t>::max());
    max_x_.resize(n, std::numeric_limits<int64_t>::min());
    max_y_.resize(n, std::numeric_limits<int64_t>::min());
    for (size_t g = 0; g < n; ++g) {
      const gen::Grid& grid = city.grids[g];
      for (uint32_t r = grid.first_ring; r < grid.first_ring + grid.num_rings; ++r) {
        const gen::Ring& ring = city.rings[r];
        bg::model::ring<BPoint, false, true> br;
        for (uint32_t k = 0; k <= ring.size; ++k) {
          gen::LonLatE7 v = city.RingVertex(ring, k % ring.size);
          const int64_t x = v.lon * kE7ToE9, y = v.lat * kE7ToE9;
          br.push_back(BPoint(x, y));
          min_x_[g] = std::min(min_x_[g], x);
          max_x_[g] = std::max(max_x_[g], x);
          min_y_[g] = std::min(min_y_[g], y);
          max_y_[g] = std::max(max_y_[g], y);
        }
        if (!ring.is_hole) {
          polys_[g].emplace_back();
          polys_[g].back().outer() = std::move(br);
        } else {
          polys_[g].back().inners().push_back(std::move(br));
        }
      }
    }
  }

  // Tests every grid (box prefilter, then Boost's exact predicates).
  LocateResult Locate(IPoint p, double snap_m) const {
    const BPoint bp(p.x, p.y);
    for (uint32_t g = 0; g < polys_.size(); ++g) {
      if (p.x < min_x_[g] || p.x > max_x_[g] || p.y < min_y_[g] || p.y > max_y_[g]) continue;
      if (bg::covered_by(bp, polys_[g])) {
        // The first covering grid has the smallest code: ids are code ranks.
        return {g, bg::within(bp, polys_[g]) ? How::kInside : How::kOnEdge, 0};
      }
    }
    if (snap_m <= 0) return {};
    // Ellipsoidal distance to every edge of grids within ~0.002 degree; the
    // geodesic search runs only on edges a cheap bound cannot rule out.
    geod_geodesic geod;
    geod_init(&geod, 6378137.0, 1 / 298.257223563);
    const double px = p.x * 1e-9, py = p.y * 1e-9;
    const double m_per_deg = 111'000;  // lower bound of metres per degree of
    const double cos_lat = std::cos(py * M_PI / 180);  // latitude at ±60°
    const int64_t margin = 2'000'000;  // 0.002 degree > snap_m here
    LocateResult best;
    double best_d = std::numeric_limits<double>::infinity();
    for (uint32_t g = 0; g < polys_.size(); ++g) {
      if (p.x < min_x_[g] - margin || p.x > max_x_[g] + margin ||
          p.y < min_y_[g] - margin || p.y > max_y_[g] + margin) {
        continue;
      }
      double d = std::numeric_limits<double>::infinity();
      auto visit_ring = [&](const auto& ring) {
        for (size_t i = 0; i + 1 < ring.size(); ++i) {
          const double ax = bg::get<0>(ring[i]) * 1e-9, ay = bg::get<1>(ring[i]) * 1e-9;
          const double bx = bg::get<0>(ring[i + 1]) * 1e-9, by = bg::get<1>(ring[i + 1]) * 1e-9;
          // Bound from the edge's box: skip edges certainly farther than d.
          const double gx = std::max(0.0, std::max(std::min(ax, bx) - px, px - std::max(ax, bx)));
          const double gy = std::max(0.0, std::max(std::min(ay, by) - py, py - std::max(ay, by)));
          const double lower = 0.99 * m_per_deg * std::hypot(gx * cos_lat, gy);
          if (lower > std::min(d, best_d) + 1 || lower > snap_m + 1) continue;
          d = std::min(d, GeodesicDistanceToSegment(geod, px, py, ax, ay, bx, by));
        }
      };
      for (const auto& poly : polys_[g]) {
        visit_ring(poly.outer());
        for (const auto& in : poly.inners()) visit_ring(in);
      }
      if (d < best_d) {
        best_d = d;
        best.grid = g;
      }
    }
    if (best.grid == kNoGrid || best_d > snap_m) return {};
    best.how = How::kSnapped;
    best.distance_m = best_d;
    return best;
  }

 private:
  const gen::City& city_;
  std::vector<BMulti> polys_;
  std::vector<int64_t> min_x_, min_y_, max_x_, max_y_;
};

struct LocatorKind {
  std::string name;
  std::function<std::unique_ptr<Locator>(const Snapshot&)> build;
  friend void PrintTo(const LocatorKind& k, std::ostream* os) { *os << k.name; }
};

class LocatorTest : public ::testing::TestWithParam<LocatorKind> {
 protected:
  const testing::GeneratedCity& City(int64_t n) { return testing::GetGeneratedCity(n, 7); }
  std::unique_ptr<Locator> Build(const Snapshot& s) { return GetParam().build(s); }
};

void ExpectSameCodes(const testing::GeneratedCity& c) {
  ASSERT_EQ(c.snapshot->num_grids(), c.city.grids.size());
  for (uint32_t g = 0; g < c.city.grids.size(); g += 97) {
    ASSERT_EQ(c.snapshot->grid_code(g), c.city.GridCode(g));
  }
}

std::vector<IPoint> RandomPoints(const gen::City& city, int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const int64_t pad = 2'000'000;  // 0.002 degree around the box: some outside
  std::uniform_int_distribution<int64_t> dx(city.bbox_min.lon * kE7ToE9 - pad,
                                            city.bbox_max.lon * kE7ToE9 + pad);
  std::uniform_int_distribution<int64_t> dy(city.bbox_min.lat * kE7ToE9 - pad,
                                            city.bbox_max.lat * kE7ToE9 + pad);
  std::vector<IPoint> pts(n);
  for (auto& p : pts) p = {dx(rng), dy(rng)};
  return pts;
}

void CompareAll(const Locator& locator, const Oracle& oracle,
                const std::vector<IPoint>& pts, int hows[4]) {
  int mismatches = 0;
  for (const IPoint& p : pts) {
    const LocateResult want = oracle.Locate(p, 0);
    const LocateResult got = locator.Locate(p);
    ++hows[static_cast<int>(want.how)];
    if (got.grid != want.grid || got.how != want.how) {
      if (++mismatches <= 5) {
        ADD_FAILURE() << "point (" << p.x << ", " << p.y << "): got grid " << got.grid
                      << " " << HowName(got.how) << ", oracle " << want.grid << " "
                      << HowName(want.how);
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
}

TEST_P(LocatorTest, RandomPointsMatchOracle2k) {
  const auto& c = City(2000);
  ExpectSameCodes(c);
  auto locator = Build(*c.snapshot);
  Oracle oracle(c.city);
  int hows[4] = {0, 0, 0, 0};
  CompareAll(*locator, oracle, RandomPoints(c.city, 100'000, 11), hows);
  EXPECT_GT(hows[static_cast<int>(How::kInside)], 50'000);
  EXPECT_GT(hows[static_cast<int>(How::kOutside)], 1'000);
}

TEST_P(LocatorTest, RandomPointsMatchOracle200k) {
  const auto& c = City(200'000);
  ExpectSameCodes(c);
  auto locator = Build(*c.snapshot);
  Oracle oracle(c.city);
  int hows[4] = {0, 0, 0, 0};
  CompareAll(*locator, oracle, RandomPoints(c.city, 20'000, 12), hows);
  EXPECT_GT(hows[static_cast<int>(How::kInside)], 10'000);
}

// Vertices and edge midpoints taken from the polygons themselves: shared
// boundaries resolve to the smallest code, and the answer says on_edge.
TEST_P(LocatorTest, EdgeAndVertexPointsResolveToSmallestCode) {
  const auto& c = City(2000);
  auto locator = Build(*c.snapshot);
  Oracle oracle(c.city);
  std::vector<IPoint> pts;
  for (const gen::Ring& ring : c.city.rings) {
    for (uint32_t k = 0; k < ring.size; ++k) {
      const gen::LonLatE7 a = c.city.RingVertex(ring, k);
      const gen::LonLatE7 b = c.city.RingVertex(ring, (k + 1) % ring.size);
      pts.push_back({a.lon * kE7ToE9, a.lat * kE7ToE9});
      // 1e-7 degree coordinates are multiples of 100 on the 1e-9 lattice, so
      // the midpoint is a lattice point exactly on the edge.
      pts.push_back({(a.lon + b.lon) * kE7ToE9 / 2, (a.lat + b.lat) * kE7ToE9 / 2});
    }
  }
  int mismatches = 0, shared = 0;
  for (const IPoint& p : pts) {
    const LocateResult got = locator->Locate(p);
    ASSERT_EQ(got.how, How::kOnEdge) << p.x << "," << p.y;
    const LocateResult want = oracle.Locate(p, 0);
    if (got.grid != want.grid) ++mismatches;
    // The smallest code among every grid that covers the point.
    uint32_t covering = 0, smallest = kNoGrid;
    for (uint32_t g = 0; g < c.snapshot->num_grids(); ++g) {
      if (!c.snapshot->geometry().box(g).Contains(p)) continue;
      if (c.snapshot->geometry().Classify(g, p) != Side::kOutside) {
        ++covering;
        smallest = std::min(smallest, g);
      }
    }
    if (covering > 1) ++shared;
    EXPECT_EQ(got.grid, smallest);
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_GT(shared, static_cast<int>(pts.size() / 2));
}

// Ponds (empty holes) are outside; exclaves belong to the other grid.
TEST_P(LocatorTest, HolesAreOutsideAndEveryPartOfAMultipolygonIsInside) {
  const auto& c = City(2000);
  auto locator = Build(*c.snapshot);
  int holes = 0, multi_parts = 0;
  for (uint32_t g = 0; g < c.city.grids.size(); ++g) {
    const gen::Grid& grid = c.city.grids[g];
    for (uint32_t r = grid.first_ring; r < grid.first_ring + grid.num_rings; ++r) {
      const gen::Ring& ring = c.city.rings[r];
      // Centre of the ring's box: holes and exclaves are small squares.
      int64_t x0 = INT64_MAX, x1 = INT64_MIN, y0 = INT64_MAX, y1 = INT64_MIN;
      for (uint32_t k = 0; k < ring.size; ++k) {
        auto v = c.city.RingVertex(ring, k);
        x0 = std::min(x0, v.lon); x1 = std::max(x1, v.lon);
        y0 = std::min(y0, v.lat); y1 = std::max(y1, v.lat);
      }
      const IPoint centre{(x0 + x1) * kE7ToE9 / 2, (y0 + y1) * kE7ToE9 / 2};
      if (ring.is_hole) {
        ++holes;
        const LocateResult r2 = locator->Locate(centre);
        EXPECT_NE(r2.grid, g) << "hole centre answered by its own grid";
      } else if (r > grid.first_ring) {
        ++multi_parts;
        const LocateResult r2 = locator->Locate(centre);
        EXPECT_EQ(r2.grid, g);
        EXPECT_EQ(r2.how, How::kInside);
      }
    }
  }
  EXPECT_GE(holes, 2);
  EXPECT_GE(multi_parts, 2);
}

TEST_P(LocatorTest, SnapDistanceMatchesEllipsoidalOracle) {
  const auto& c = City(2000);
  auto locator = Build(*c.snapshot);
  Oracle oracle(c.city);
  const double snap_m = 60;
  int snapped = 0, outside = 0;
  for (const IPoint& p : RandomPoints(c.city, 20'000, 13)) {
    const LocateResult want = oracle.Locate(p, snap_m);
    if (want.how != How::kSnapped && want.how != How::kOutside) continue;
    const LocateResult got = locator->Locate(p, {.snap_m = snap_m});
    if (want.how == How::kOutside) {
      ++outside;
      // Allow 1 cm of disagreement right at the snap radius.
      if (got.how == How::kSnapped) {
        EXPECT_GT(got.distance_m, snap_m - 0.01);
      }
      else EXPECT_EQ(got.how, How::kOutside);
      continue;
    }
    ++snapped;
    ASSERT_EQ(got.how, How::kSnapped);
    EXPECT_NEAR(got.distance_m, want.distance_m, 0.01);
    if (got.grid != want.grid) {
      // Only a near-tie may pick a different grid.
      EXPECT_NEAR(got.distance_m, want.distance_m, 0.01);
    }
    EXPECT_EQ(locator->Locate(p, {.snap_m = want.distance_m * 0.5}).how, How::kOutside);
  }
  EXPECT_GT(snapped, 50);
  EXPECT_GT(outside, 50);
}

TEST_P(LocatorTest, BatchEqualsSingle) {
  const auto& c = City(2000);
  auto locator = Build(*c.snapshot);
  auto pts = RandomPoints(c.city, 1000, 14);
  std::vector<LocateResult> out(pts.size());
  locator->LocateBatch(pts.data(), pts.size(), {.snap_m = 20}, out.data());
  for (size_t i = 0; i < pts.size(); ++i) {
    EXPECT_EQ(out[i], locator->Locate(pts[i], {.snap_m = 20})) << i;
  }
}

// Regression (fuzz_convert): a snap_m of 1e300 overflowed the search box's
// lattice units (undefined behaviour; in practice an empty box, so the point
// stayed outside). A radius wider than the lattice snaps as one just wide
// enough does.
TEST_P(LocatorTest, HugeSnapRadiusSnapsToTheNearestGrid) {
  const auto& c = City(2000);
  auto locator = Build(*c.snapshot);
  const IPoint p{c.city.bbox_max.lon * kE7ToE9 + 1'000'000'000,  // 1 degree east
                 c.city.bbox_max.lat * kE7ToE9};
  const LocateResult want = locator->Locate(p, {.snap_m = 1e6});
  ASSERT_EQ(want.how, How::kSnapped);
  EXPECT_EQ(locator->Locate(p, {.snap_m = 1e300}), want);
  EXPECT_EQ(locator->Locate(p, {.snap_m = std::numeric_limits<double>::max()}), want);
}

INSTANTIATE_TEST_SUITE_P(
    AllLocators, LocatorTest,
    ::testing::Values(LocatorKind{"rtree",
                                  [](const Snapshot& s) {
                                    return BuildRtreeLocator(&s.geometry(), s.quantizer());
                                  }},
                      LocatorKind{"cell",
                                  [](const Snapshot& s) {
                                    return BuildCellLocator(&s.geometry(), s.quantizer());
                                  }}),
    [](const ::testing::TestParamInfo<LocatorKind>& info) { return info.param.name; });

}  // namespace
}  // namespace gridroute

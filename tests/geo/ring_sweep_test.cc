// Copyright 2026 gridroute authors.
//
// The sweep lines of geo/ring_sweep.h against two independent oracles: the
// O(n²) pair check CleanRing ran before the sweep (kept here) and GEOS
// (its C API's isSimple, on small coordinates where doubles are exact), over
// random and adversarial rings; ClassifyPointsInRing against ClassifyRings.
#include "geo/ring_sweep.h"

#include <geos_c.h>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <numeric>
#include <cstdio>
#include <random>
#include <vector>

#include "geo/geometry.h"
#include "gtest/gtest.h"

namespace gridroute {
namespace {

using Ring = std::vector<IPoint>;

bool Adjacent(size_t i, size_t j, size_t n) {
  return (i + 1) % n == j || (j + 1) % n == i;
}

// The oracle: every pair of non-adjacent edges, closed segments (the check
// CleanRing made before the sweep).
bool BruteMeeting(const Ring& r) {
  const size_t n = r.size();
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 2; j < n; ++j) {
      if (Adjacent(i, j, n)) continue;
      if (SegmentsIntersect(r[i], r[(i + 1) % n], r[j], r[(j + 1) % n])) {
        return true;
      }
    }
  }
  return false;
}

// FindMeetingEdges' REQUIRES: n >= 4, no consecutive duplicates, no
// fold-back.
bool MeetsPreconditions(const Ring& r) {
  const size_t n = r.size();
  if (n < 4) return false;
  for (size_t i = 0; i < n; ++i) {
    const IPoint a = r[i], b = r[(i + 1) % n], c = r[(i + 2) % n];
    if (a == b) return false;
    if (Orient(a, b, c) == 0) {
      const __int128 dot = static_cast<__int128>(b.x - a.x) * (c.x - b.x) +
                           static_cast<__int128>(b.y - a.y) * (c.y - b.y);
      if (dot < 0) return false;
    }
  }
  return true;
}

// Drops cyclically consecutive duplicates.
Ring Dedup(Ring r) {
  Ring out;
  for (const IPoint& p : r) {
    if (out.empty() || !(out.back() == p)) out.push_back(p);
  }
  while (out.size() > 1 && out.back() == out.front()) out.pop_back();
  return out;
}

void GeosNotice(const char*, ...) {}

// GEOS's verdict on the closed ring: simple or not. Coordinates are small
// integers, exact in double.
class Geos {
 public:
  Geos() : h_(GEOS_init_r()) {
    GEOSContext_setNoticeHandler_r(h_, GeosNotice);
    GEOSContext_setErrorHandler_r(h_, GeosNotice);
  }
  ~Geos() { GEOS_finish_r(h_); }
  // 1 simple, 0 not, -1 GEOS refused the ring.
  int IsSimple(const Ring& r) {
    GEOSCoordSequence* seq =
        GEOSCoordSeq_create_r(h_, static_cast<unsigned>(r.size() + 1), 2);
    for (size_t i = 0; i <= r.size(); ++i) {
      const IPoint p = r[i % r.size()];
      GEOSCoordSeq_setXY_r(h_, seq, static_cast<unsigned>(i),
                           static_cast<double>(p.x), static_cast<double>(p.y));
    }
    GEOSGeometry* ring = GEOSGeom_createLinearRing_r(h_, seq);
    if (ring == nullptr) return -1;
    const char s = GEOSisSimple_r(h_, ring);
    GEOSGeom_destroy_r(h_, ring);
    return s == 2 ? -1 : s;
  }

 private:
  GEOSContextHandle_t h_;
};

// ---- Ring makers.

Ring RandomLattice(std::mt19937_64& rng, int n, int span) {
  std::uniform_int_distribution<int64_t> c(0, span);
  Ring r;
  for (int i = 0; i < n; ++i) r.push_back({c(rng), c(rng)});
  return r;
}

// Vertices at increasing angles around the centre: simple unless rounding
// makes vertices collide or line up.
Ring RandomStar(std::mt19937_64& rng, int n, double radius) {
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> angles(n);
  for (double& a : angles) a = u(rng) * 2 * M_PI;
  std::sort(angles.begin(), angles.end());
  Ring r;
  for (double a : angles) {
    const double rr = radius * (0.2 + 0.8 * u(rng));
    r.push_back({std::llround(rr * std::cos(a)), std::llround(rr * std::sin(a))});
  }
  return r;
}

// Axis-parallel random walk: vertical edges, collinear runs and overlaps.
Ring RandomRectilinear(std::mt19937_64& rng, int n, int step) {
  std::uniform_int_distribution<int> d(1, step), dir(0, 3);
  Ring r{{0, 0}};
  for (int i = 1; i < n; ++i) {
    IPoint p = r.back();
    const int k = dir(rng), len = d(rng);
    (k == 0 ? p.x : k == 1 ? p.y : k == 2 ? p.x : p.y) += k < 2 ? len : -len;
    r.push_back(p);
  }
  return r;
}

// Adversarial edits of a ring: a vertex moved onto another vertex, onto a
// lattice point of another edge, next to one, or two vertices swapped.
Ring Mutate(std::mt19937_64& rng, Ring r) {
  const size_t n = r.size();
  std::uniform_int_distribution<size_t> pick(0, n - 1);
  const size_t i = pick(rng), j = pick(rng);
  switch (std::uniform_int_distribution<int>(0, 3)(rng)) {
    case 0:
      r[i] = r[j];
      break;
    case 1: {  // a lattice point of edge j (its midpoint if the deltas allow)
      const IPoint a = r[j], b = r[(j + 1) % n];
      const int64_t g = std::gcd(std::abs(b.x - a.x), std::abs(b.y - a.y));
      if (g > 0) {
        const int64_t t = std::uniform_int_distribution<int64_t>(0, g)(rng);
        r[i] = {a.x + (b.x - a.x) / g * t, a.y + (b.y - a.y) / g * t};
      }
      break;
    }
    case 2:
      r[i] = {r[j].x + std::uniform_int_distribution<int>(-1, 1)(rng),
              r[j].y + std::uniform_int_distribution<int>(-1, 1)(rng)};
      break;
    default:
      std::swap(r[i], r[j]);
  }
  return r;
}

struct Tally {
  int checked = 0, meeting = 0, geos = 0;
};

// Runs the sweep and both oracles on one ring (if it meets the REQUIRES).
void CheckRing(const Ring& raw, Geos* geos, Tally* t) {
  const Ring r = Dedup(raw);
  if (!MeetsPreconditions(r)) return;
  uint32_t i = 0, j = 0;
  const bool sweep = FindMeetingEdges(r.data(), r.size(), &i, &j);
  const bool brute = BruteMeeting(r);
  ++t->checked;
  t->meeting += brute;
  std::string text;
  for (const IPoint& p : r) text += "(" + std::to_string(p.x) + "," + std::to_string(p.y) + ")";
  ASSERT_EQ(sweep, brute) << text;
  if (sweep) {
    // The pair reported is a real one.
    ASSERT_LT(i, j) << text;
    ASSERT_LT(j, r.size()) << text;
    ASSERT_FALSE(Adjacent(i, j, r.size())) << text;
    ASSERT_TRUE(SegmentsIntersect(r[i], r[(i + 1) % r.size()], r[j],
                                  r[(j + 1) % r.size()]))
        << text;
  }
  if (geos != nullptr) {
    const int simple = geos->IsSimple(r);
    if (simple >= 0) {
      ++t->geos;
      ASSERT_EQ(simple == 1, !sweep) << text;
    }
  }
}

TEST(FindMeetingEdgesTest, HandPickedRings) {
  uint32_t i, j;
  auto meets = [&](Ring r) { return FindMeetingEdges(r.data(), r.size(), &i, &j); };
  EXPECT_FALSE(meets({{0, 0}, {4, 0}, {4, 4}, {0, 4}}));
  EXPECT_FALSE(meets({{0, 0}, {0, 4}, {4, 4}, {4, 0}}));  // clockwise
  // Bow-tie: edges 0 and 2 cross.
  EXPECT_TRUE(meets({{0, 0}, {4, 4}, {4, 0}, {0, 4}}));
  EXPECT_EQ(i, 0u);
  EXPECT_EQ(j, 2u);
  // Vertex 5 (4, 2) touches the vertical edge 1 (a T, no crossing).
  EXPECT_TRUE(meets({{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 3}, {4, 2}, {0, 1}}));
  EXPECT_TRUE(i == 1 && (j == 4 || j == 5)) << i << " " << j;
  // The same notch stopping short of it: simple.
  EXPECT_FALSE(meets({{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 3}, {3, 2}, {0, 1}}));
  // A vertex visited twice (a pinched ring, two loops through (2, 2)).
  EXPECT_TRUE(meets({{0, 0}, {2, 2}, {4, 0}, {4, 4}, {2, 2}, {0, 4}}));
  EXPECT_EQ(i, 1u);
  EXPECT_EQ(j, 4u);
  // Vertex 3 on the interior of edge 0, from below and from above.
  EXPECT_TRUE(meets({{0, 0}, {4, 0}, {4, -4}, {2, 0}, {0, -4}}));
  EXPECT_TRUE(meets({{0, 0}, {6, 0}, {6, 4}, {3, 0}, {0, 4}}));
  // Collinear overlap of edges 0 and 4 (not adjacent, not a fold-back).
  EXPECT_TRUE(meets({{0, 0}, {4, 0}, {4, 4}, {2, 4}, {2, 0}, {1, 0}, {1, -2}, {0, -2}}));
  EXPECT_TRUE(meets({{0, 0}, {6, 0}, {6, 2}, {2, 2}, {2, 0}, {1, 0}, {1, 4}, {0, 4}}));
  // Vertical edges on one line, disjoint: fine.
  EXPECT_FALSE(meets({{0, 0}, {2, 0}, {2, 1}, {1, 1}, {1, 2}, {2, 2}, {2, 3}, {0, 3}}));
  // Vertical edges on one line meeting end to end at (2, 2) (vertex 2 and 8).
  EXPECT_TRUE(meets({{0, 0}, {2, 0}, {2, 2}, {1, 2}, {1, 3}, {3, 3}, {3, 4}, {2, 4}, {2, 2}, {0, 4}}));
}

TEST(FindMeetingEdgesTest, MatchesBruteForceAndGeosOnRandomRings) {
  std::mt19937_64 rng(20260417);
  Geos geos;
  Tally t;
  for (int iter = 0; iter < 6000; ++iter) {
    const int n = std::uniform_int_distribution<int>(4, 14)(rng);
    CheckRing(RandomLattice(rng, n, 6), &geos, &t);
    CheckRing(RandomLattice(rng, n, 1000), &geos, &t);
    const Ring star = RandomStar(rng, n + 6, 30);
    CheckRing(star, &geos, &t);
    CheckRing(Mutate(rng, star), &geos, &t);
    CheckRing(Mutate(rng, Mutate(rng, star)), &geos, &t);
    const Ring rect = RandomRectilinear(rng, n + 4, 3);
    CheckRing(rect, &geos, &t);
    CheckRing(Mutate(rng, rect), &geos, &t);
    if (HasFatalFailure()) return;
  }
  // Both verdicts are well represented, and GEOS looked at most rings.
  EXPECT_GT(t.checked, 20000);
  EXPECT_GT(t.meeting, t.checked / 5);
  EXPECT_LT(t.meeting, t.checked * 4 / 5);
  EXPECT_GT(t.geos, t.checked * 9 / 10);
}

// Near-degenerate: the same shapes scaled to the lattice's extreme (a
// geographic CRS spans ±1.8e11 units) with ±1-unit nudges, where products
// leave int64 and doubles round; only the exact brute force judges.
TEST(FindMeetingEdgesTest, MatchesBruteForceNearDegenerateAtLargeCoordinates) {
  std::mt19937_64 rng(7);
  Tally t;
  std::uniform_int_distribution<int> nudge(-1, 1);
  for (int iter = 0; iter < 4000; ++iter) {
    const int n = std::uniform_int_distribution<int>(4, 12)(rng);
    Ring r = iter % 2 ? RandomStar(rng, n, 20) : Mutate(rng, RandomStar(rng, n, 20));
    const int64_t scale = 8'000'000'000;  // 20 * 8e9 = 1.6e11
    for (IPoint& p : r) {
      p = {p.x * scale + nudge(rng) - 170'000'000'000, p.y * scale + nudge(rng)};
    }
    CheckRing(r, nullptr, &t);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(t.checked, 3000);
  EXPECT_GT(t.meeting, t.checked / 20);
}

// A thin-spiked star: every spike's box overlaps hundreds of others (the
// case that made box-filtered pair checks, Boost.Geometry's and GEOS's
// validity tests quadratic). Valid, then broken far from where a sweep
// starts.
TEST(FindMeetingEdgesTest, LargeSpikedStar) {
  const int n = 200'000;
  Ring r;
  for (int i = 0; i < n; ++i) {
    const double a = 2 * M_PI * i / n;
    const double rad = i % 2 ? 4.5e6 : 5e6;
    r.push_back({std::llround(rad * std::cos(a)), std::llround(rad * std::sin(a))});
  }
  uint32_t i, j;
  ASSERT_TRUE(MeetsPreconditions(r));
  EXPECT_FALSE(FindMeetingEdges(r.data(), r.size(), &i, &j));
  // Vertex 3 pulled across its neighbours' spikes: its edges cross edges of
  // the spikes next to them.
  Ring bad = r;
  bad[n / 2 + 1] = r[n / 2 + 9];
  bad[n / 2 + 1].x += 7;
  ASSERT_TRUE(MeetsPreconditions(bad));
  ASSERT_TRUE(FindMeetingEdges(bad.data(), bad.size(), &i, &j));
  EXPECT_FALSE(Adjacent(i, j, n));
  EXPECT_TRUE(SegmentsIntersect(bad[i], bad[(i + 1) % n], bad[j], bad[(j + 1) % n]));
  EXPECT_GE(i, static_cast<uint32_t>(n / 2 - 2));
  EXPECT_LE(j, static_cast<uint32_t>(n / 2 + 12));
}

// ---- ClassifyPointsInRing.

// Lattice points on the ring's edges, its vertices and points around them.
std::vector<IPoint> Probes(std::mt19937_64& rng, const Ring& r, int random) {
  std::vector<IPoint> q;
  IBox box;
  for (size_t k = 0; k < r.size(); ++k) {
    const IPoint a = r[k], b = r[(k + 1) % r.size()];
    box.Expand(a);
    q.push_back(a);
    const int64_t g = std::gcd(std::abs(b.x - a.x), std::abs(b.y - a.y));
    for (int64_t t = 1; t < g && t < 4; ++t) {
      q.push_back({a.x + (b.x - a.x) / g * t, a.y + (b.y - a.y) / g * t});
    }
    for (int dx = -1; dx <= 1; ++dx) {
      for (int dy = -1; dy <= 1; ++dy) q.push_back({a.x + dx, a.y + dy});
    }
  }
  for (int k = 0; k < random; ++k) {
    q.push_back({std::uniform_int_distribution<int64_t>(box.min_x - 2, box.max_x + 2)(rng),
                 std::uniform_int_distribution<int64_t>(box.min_y - 2, box.max_y + 2)(rng)});
  }
  return q;
}

void CheckClassify(std::mt19937_64& rng, const Ring& raw, int* rings, int64_t* counts) {
  const Ring r = Dedup(raw);
  if (r.size() < 3) return;
  if (r.size() == 3 ? Orient(r[0], r[1], r[2]) == 0
                    : !MeetsPreconditions(r) || BruteMeeting(r) ||
                          TwiceSignedArea(r.data(), static_cast<uint32_t>(r.size())) == 0) {
    return;  // not simple: outside the REQUIRES
  }
  ++*rings;
  const std::vector<IPoint> q = Probes(rng, r, 40);
  std::vector<Side> got(q.size());
  ClassifyPointsInRing(r.data(), r.size(), q.data(), q.size(), got.data());
  const uint32_t rb[2] = {0, static_cast<uint32_t>(r.size())};
  for (size_t k = 0; k < q.size(); ++k) {
    const Side want = ClassifyRings(r.data(), rb, 0, 1, q[k]);
    ++counts[static_cast<int>(want)];
    ASSERT_EQ(static_cast<int>(got[k]), static_cast<int>(want))
        << "point (" << q[k].x << ", " << q[k].y << ") ring of " << r.size();
  }
}

TEST(ClassifyPointsInRingTest, MatchesClassifyRingsOnRandomSimpleRings) {
  std::mt19937_64 rng(99);
  int rings = 0;
  int64_t counts[3] = {0, 0, 0};
  for (int iter = 0; iter < 3000; ++iter) {
    const int n = std::uniform_int_distribution<int>(3, 24)(rng);
    Ring star = RandomStar(rng, n, 12);
    CheckClassify(rng, star, &rings, counts);
    std::reverse(star.begin(), star.end());  // clockwise
    CheckClassify(rng, star, &rings, counts);
    CheckClassify(rng, RandomRectilinear(rng, n + 4, 3), &rings, counts);
    CheckClassify(rng, RandomLattice(rng, 5, 8), &rings, counts);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(rings, 4000);
  for (int64_t c : counts) EXPECT_GT(c, 10000);  // outside, boundary, inside
}

TEST(ClassifyPointsInRingTest, ManyPointsAgainstALargeRing) {
  std::mt19937_64 rng(5);
  const Ring r = [] {
    Ring s;
    for (int i = 0; i < 100'000; ++i) {
      const double a = 2 * M_PI * i / 100'000;
      const double rad = i % 2 ? 4.5e6 : 5e6;
      s.push_back({std::llround(rad * std::cos(a)), std::llround(rad * std::sin(a))});
    }
    return s;
  }();
  std::vector<IPoint> q;
  for (int k = 0; k < 2000; ++k) {
    q.push_back({std::uniform_int_distribution<int64_t>(-5'000'001, 5'000'001)(rng),
                 std::uniform_int_distribution<int64_t>(-5'000'001, 5'000'001)(rng)});
  }
  for (int k = 0; k < 1000; ++k) q.push_back(r[k * 97]);
  std::vector<Side> got(q.size());
  ClassifyPointsInRing(r.data(), r.size(), q.data(), q.size(), got.data());
  const uint32_t rb[2] = {0, static_cast<uint32_t>(r.size())};
  int inside = 0;
  for (size_t k = 0; k < q.size(); ++k) {
    ASSERT_EQ(static_cast<int>(got[k]),
              static_cast<int>(ClassifyRings(r.data(), rb, 0, 1, q[k])));
    inside += got[k] == Side::kInside;
  }
  EXPECT_GT(inside, 1000);
}

}  // namespace
}  // namespace gridroute

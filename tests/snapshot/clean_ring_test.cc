// Copyright 2026 gridroute authors.
//
// CleanRing (snapshot/validate.h) keeps the verdicts of the O(n²) check it
// replaced: the old function is kept here as the oracle and both run on
// random closed rings with every kind of defect (not closed, repeated
// vertices, fold-backs, crossings, touching vertices, overlaps, zero area).
#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "snapshot/validate.h"

namespace gridroute {
namespace {

// CleanRing as it was before the sweep line (quadratic pair loop).
std::string QuadraticCleanRing(std::vector<IPoint>& ring) {
  if (ring.size() < 2 || !(ring.front() == ring.back())) {
    return "ring is not closed (first and last positions differ)";
  }
  ring.pop_back();
  size_t w = 0;
  for (size_t i = 0; i < ring.size(); ++i) {
    if (w > 0 && ring[w - 1] == ring[i]) continue;
    ring[w++] = ring[i];
  }
  while (w > 1 && ring[w - 1] == ring[0]) --w;
  ring.resize(w);
  if (ring.size() < 3) return "ring has fewer than 3 distinct vertices";
  const size_t n = ring.size();
  for (size_t i = 0; i < n; ++i) {
    const IPoint a = ring[i], b = ring[(i + 1) % n], c = ring[(i + 2) % n];
    if (Orient(a, b, c) == 0) {
      const __int128 dot = static_cast<__int128>(b.x - a.x) * (c.x - b.x) +
                           static_cast<__int128>(b.y - a.y) * (c.y - b.y);
      if (dot < 0) {
        return absl::StrCat("ring self-intersects: edges ", i, " and ",
                            (i + 1) % n, " fold back on each other at vertex ",
                            (i + 1) % n);
      }
    }
  }
  if (n == 3) {
    return Orient(ring[0], ring[1], ring[2]) == 0
               ? "ring has zero area (all vertices collinear)"
               : "";
  }
  for (size_t i = 0; i < n; ++i) {
    const IPoint a = ring[i], b = ring[(i + 1) % n];
    for (size_t j = i + 2; j < n; ++j) {
      if (i == 0 && j == n - 1) continue;
      if (SegmentsIntersect(a, b, ring[j], ring[(j + 1) % n])) {
        return absl::StrCat("ring self-intersects: edges ", i, " and ", j,
                            " meet");
      }
    }
  }
  if (TwiceSignedArea(ring.data(), static_cast<uint32_t>(n)) == 0) {
    return "ring has zero area";
  }
  return "";
}

// The kind of verdict. Only "meet" messages may differ (the sweep may name
// another pair of the same ring); the others come from the same code.
std::string Kind(const std::string& problem) {
  if (problem.empty()) return "ok";
  if (absl::StrContains(problem, " meet")) return "meet";
  if (absl::StrContains(problem, "fold back")) return "fold";
  if (absl::StrContains(problem, "not closed")) return "open";
  if (absl::StrContains(problem, "fewer than 3")) return "few";
  if (absl::StrContains(problem, "zero area")) return "flat";
  return problem;
}

std::vector<IPoint> RandomClosedRing(std::mt19937_64& rng) {
  const int n = std::uniform_int_distribution<int>(1, 12)(rng);
  const int span = std::uniform_int_distribution<int>(0, 3)(rng) == 0 ? 2 : 7;
  std::uniform_int_distribution<int64_t> c(0, span);
  std::vector<IPoint> r;
  for (int i = 0; i < n; ++i) {
    if (!r.empty() && std::uniform_int_distribution<int>(0, 5)(rng) == 0) {
      r.push_back(r.back());  // a consecutive duplicate
    } else {
      r.push_back({c(rng), c(rng)});
    }
  }
  if (std::uniform_int_distribution<int>(0, 20)(rng) != 0) r.push_back(r.front());
  return r;
}

TEST(CleanRingTest, SameVerdictsAsTheQuadraticCheck) {
  std::mt19937_64 rng(1234);
  std::map<std::string, int> kinds;
  for (int iter = 0; iter < 200'000; ++iter) {
    std::vector<IPoint> ring = RandomClosedRing(rng);
    std::vector<IPoint> want_ring = ring;
    const std::string got = CleanRing(ring);
    const std::string want = QuadraticCleanRing(want_ring);
    ASSERT_EQ(Kind(got), Kind(want)) << got << " | " << want;
    if (Kind(got) != "meet") {
      ASSERT_EQ(got, want);
    }
    if (got.empty()) {
      ASSERT_TRUE(ring == want_ring);  // the same cleaned ring
    }
    ++kinds[Kind(want)];
  }
  // Every verdict shows up often enough to have been compared ("zero area"
  // cannot: three collinear vertices fold back, a longer ring with no area
  // meets itself).
  for (const char* k : {"ok", "meet", "fold", "open", "few"}) {
    EXPECT_GT(kinds[k], 500) << k;
  }
}

}  // namespace
}  // namespace gridroute

// Copyright 2026 gridroute authors.
//
// FindOverlaps' indexed path for pairs with many edges near each other
// (validate.cc LargePairMayOverlap) against its edge-by-edge path as the
// oracle: every pair of random grids (overlapping, nested, touching, sharing
// a border exactly, with T-junctions, nudged borders, holes, second parts)
// is tested both ways and the reports must be identical; and two grids
// sharing a 1e5-vertex border load (hang guard: pair by pair this took 17 s
// CPU).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "snapshot/snapshot.h"
#include "snapshot/validate.h"
#include "testing/test_pack.h"

namespace gridroute {
namespace {

using Ring = std::vector<IPoint>;

// A star-shaped ring around c (simple: angles increase), counter-clockwise.
Ring Star(std::mt19937_64& rng, IPoint c, int n, int64_t radius) {
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> angles(n);
  for (double& a : angles) a = u(rng) * 2 * M_PI;
  std::sort(angles.begin(), angles.end());
  Ring r;
  for (double a : angles) {
    const double rr = radius * (0.4 + 0.6 * u(rng));
    r.push_back({c.x + std::llround(rr * std::cos(a)), c.y + std::llround(rr * std::sin(a))});
  }
  return r;
}

// Cleans *r as the loader does (CleanRing: no repeated consecutive vertex);
// false if the loader would refuse it.
bool Valid(Ring* r) {
  r->push_back(r->front());
  return CleanRing(*r).empty();
}

// Two grids split by a zigzag border from x0 to x1 (shared exactly), the
// upper one maybe with extra vertices on the border (T-junctions) or one
// border vertex nudged (an overlap or a gap).
void AddSplitPair(std::mt19937_64& rng, IPoint o, int n, GridGeometryBuilder* b) {
  std::uniform_int_distribution<int> wiggle(-3, 3);
  Ring border;
  for (int i = 0; i <= n; ++i) border.push_back({o.x + 10 * i, o.y + wiggle(rng)});
  Ring lower = {{o.x + 10 * n, o.y - 50}};
  lower.insert(lower.end(), border.rbegin(), border.rend());
  lower.push_back({o.x, o.y - 50});
  Ring upper = border;
  const int mode = std::uniform_int_distribution<int>(0, 3)(rng);
  const int k = std::uniform_int_distribution<int>(1, n - 1)(rng);
  if (mode == 1) upper[k].y += std::uniform_int_distribution<int>(0, 1)(rng) ? 2 : -2;
  if (mode == 2) {  // a vertex on the middle of a border edge (even deltas)
    const IPoint a = border[k], c = border[k + 1];
    if ((a.y + c.y) % 2 == 0) upper.insert(upper.begin() + k + 1, {(a.x + c.x) / 2, (a.y + c.y) / 2});
  }
  upper.push_back({o.x + 10 * n, o.y + 50});
  upper.push_back({o.x, o.y + 50});
  for (Ring* r : {&lower, &upper}) {
    if (!Valid(r)) continue;
    b->AddRing(r->data(), r->size(), false);
    b->EndGrid();
  }
}

GridGeometry RandomGrids(std::mt19937_64& rng) {
  GridGeometryBuilder b;
  std::uniform_int_distribution<int64_t> at(0, 400);
  const int stars = std::uniform_int_distribution<int>(2, 8)(rng);
  for (int g = 0; g < stars; ++g) {
    const IPoint c{at(rng), at(rng)};
    const int n = std::uniform_int_distribution<int>(3, 60)(rng);
    Ring outer = Star(rng, c, n, std::uniform_int_distribution<int64_t>(20, 200)(rng));
    if (!Valid(&outer)) continue;
    b.AddRing(outer.data(), outer.size(), false);
    if (std::uniform_int_distribution<int>(0, 2)(rng) == 0) {
      Ring hole = Star(rng, c, std::uniform_int_distribution<int>(3, 20)(rng), 15);
      std::reverse(hole.begin(), hole.end());
      const uint32_t rb[2] = {0, static_cast<uint32_t>(outer.size())};
      bool inside = Valid(&hole);
      for (const IPoint& p : hole) {
        inside = inside && ClassifyRings(outer.data(), rb, 0, 1, p) == Side::kInside;
      }
      if (inside) b.AddRing(hole.data(), hole.size(), true);
    }
    if (std::uniform_int_distribution<int>(0, 4)(rng) == 0) {  // a second part
      Ring part = Star(rng, {at(rng), at(rng)}, 8, 30);
      if (Valid(&part)) b.AddRing(part.data(), part.size(), false);
    }
    b.EndGrid();
  }
  const int pairs = std::uniform_int_distribution<int>(0, 2)(rng);
  for (int k = 0; k < pairs; ++k) {
    AddSplitPair(rng, {at(rng), at(rng)}, std::uniform_int_distribution<int>(4, 80)(rng), &b);
  }
  return std::move(b).Build();
}

std::string Text(const OverlapReport& r) {
  std::string s = absl::StrCat(r.suspicious_pairs, " suspicious;");
  for (const Overlap& o : r.overlaps) absl::StrAppend(&s, " ", o.a, "-", o.b, ":", o.area_m2);
  return s;
}

TEST(FindOverlapsTest, IndexedPathGivesTheEdgeByEdgeReport) {
  std::mt19937_64 rng(77);
  const Quantizer q(/*geographic=*/false);
  int64_t suspicious = 0, overlaps = 0, cities = 0;
  for (int iter = 0; iter < 400; ++iter) {
    const GridGeometry geo = RandomGrids(rng);
    if (geo.num_grids() < 2) continue;
    ++cities;
    validate_internal::SetLargePairWorkForTesting(SIZE_MAX);
    const OverlapReport want = FindOverlaps(geo, q, 0.0);
    validate_internal::SetLargePairWorkForTesting(0);
    const OverlapReport got = FindOverlaps(geo, q, 0.0);
    validate_internal::SetLargePairWorkForTesting(size_t{1} << 14);
    ASSERT_EQ(Text(got), Text(want)) << "city " << iter;
    suspicious += want.suspicious_pairs;
    overlaps += static_cast<int64_t>(want.overlaps.size());
  }
  // Both verdicts were exercised, many times.
  EXPECT_GT(cities, 350);
  EXPECT_GT(suspicious, 300);
  EXPECT_GT(overlaps, 300);
}

// Two grids sharing a 1e5-vertex zigzag border exactly: no overlap.
TEST(FindOverlapsTest, TwoGridsAlongA100kVertexBorderLoad) {
  const int n = 100'000;
  std::string border;
  for (int i = 0; i <= n; ++i) {
    absl::StrAppend(&border, i ? "," : "", "[", absl::StrFormat("%.7f", 120.0 + i * 1e-5),
                    ",", i % 2 ? "31.5000100" : "31.5000000", "]");
  }
  std::string reversed;
  for (int i = n; i >= 0; --i) {
    absl::StrAppend(&reversed, i < n ? "," : "", "[", absl::StrFormat("%.7f", 120.0 + i * 1e-5),
                    ",", i % 2 ? "31.5000100" : "31.5000000", "]");
  }
  testing::TestPack p;
  const std::string c = p.AddChain("320501");
  p.AddGrid("a", c, absl::StrCat("[[[120,31],[121,31],", reversed, ",[120,31]]]"));
  p.AddGrid("b", c, absl::StrCat("[[", border, ",[121,32],[120,32],[120,31.5]]]"));
  auto s = LoadPack(p.Write());
  ASSERT_TRUE(s.ok()) << s.status().message().substr(0, 300);
  EXPECT_EQ((*s)->num_grids(), 2u);
  EXPECT_EQ((*s)->load_stats().suspicious_pairs, 0);
}

}  // namespace
}  // namespace gridroute

// Copyright 2026 gridroute authors.
//
// IntersectionAreaM2 / FindOverlaps on neighbours whose shared edge differs
// by float noise, as GIS exports write them. The oracle is a convex
// polygon clip written here (Sutherland–Hodgman on the lattice-rounded
// coordinates, in a local metric plane).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "snapshot/snapshot.h"
#include "snapshot/validate.h"
#include "testing/test_pack.h"

namespace gridroute {
namespace {

using testing::TestPack;
using Pt = std::pair<double, double>;

// Two grids of a real-looking export (clockwise shells) sharing the edge
// (120.6277975, 31.3580589)-(120.6279434, 31.3582096), each copy of it moved
// by up to 1e-9° independently.
const std::vector<Pt> kA = {{120.627797499807357, 31.358058900764128},
                            {120.627034200823317, 31.358192400775366},
                            {120.626936599422649, 31.358260200184468},
                            {120.626712700110645, 31.359076199065559},
                            {120.626714399124964, 31.359079000620977},
                            {120.627778200440503, 31.359078900222375},
                            {120.627863499908827, 31.359007799657505},
                            {120.627943399373791, 31.358209600992005}};
const std::vector<Pt> kB = {{120.629257000957708, 31.358264899318051},
                            {120.628533100656441, 31.357194900535262},
                            {120.627991299005927, 31.357365299154761},
                            {120.627797499258378, 31.35805890021458},
                            {120.627943400696083, 31.35820959910513},
                            {120.628988800872648, 31.358442299020691}};

std::string Coordinates(const std::vector<Pt>& ring) {
  std::string out = "[[";
  for (size_t i = 0; i <= ring.size(); ++i) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s[%.15f,%.15f]", i ? "," : "",
                  ring[i % ring.size()].first, ring[i % ring.size()].second);
    out += buf;
  }
  return out + "]]";
}

// The ring on the 1e-9° lattice (as the loader quantizes), in metres around
// (lon0, lat0), counter-clockwise.
std::vector<Pt> Metric(const std::vector<Pt>& ring, double lon0, double lat0) {
  constexpr double a = 6378137.0, e2 = 0.00669437999014132;
  const double phi = lat0 * M_PI / 180, s = std::sin(phi), w = 1 - e2 * s * s;
  const double mx = a / std::sqrt(w) * std::cos(phi) * M_PI / 180;
  const double my = a * (1 - e2) / (w * std::sqrt(w)) * M_PI / 180;
  std::vector<Pt> out;
  for (const Pt& p : ring) {
    const double x = std::llround(p.first * 1e9) / 1e9;
    const double y = std::llround(p.second * 1e9) / 1e9;
    out.push_back({(x - lon0) * mx, (y - lat0) * my});
  }
  double twice = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    const Pt& p = out[i];
    const Pt& q = out[(i + 1) % out.size()];
    twice += p.first * q.second - q.first * p.second;
  }
  if (twice < 0) std::reverse(out.begin(), out.end());
  return out;
}

double Cross(const Pt& o, const Pt& a, const Pt& b) {
  return (a.first - o.first) * (b.second - o.second) -
         (a.second - o.second) * (b.first - o.first);
}

// Area of subject ∩ clip; REQUIRES: clip convex, both counter-clockwise.
double ClipArea(std::vector<Pt> subject, const std::vector<Pt>& clip) {
  for (size_t i = 0; i < clip.size() && !subject.empty(); ++i) {
    const Pt& c0 = clip[i];
    const Pt& c1 = clip[(i + 1) % clip.size()];
    std::vector<Pt> out;
    for (size_t k = 0; k < subject.size(); ++k) {
      const Pt& p = subject[k];
      const Pt& q = subject[(k + 1) % subject.size()];
      const double sp = Cross(c0, c1, p), sq = Cross(c0, c1, q);
      if (sp >= 0) out.push_back(p);
      if ((sp >= 0) != (sq >= 0)) {
        const double t = sp / (sp - sq);
        out.push_back({p.first + t * (q.first - p.first),
                       p.second + t * (q.second - p.second)});
      }
    }
    subject = std::move(out);
  }
  double twice = 0;
  for (size_t i = 0; i < subject.size(); ++i) {
    twice += subject[i].first * subject[(i + 1) % subject.size()].second -
             subject[(i + 1) % subject.size()].first * subject[i].second;
  }
  return std::fabs(twice) / 2;
}

TEST(OverlapAreaTest, NoisySharedEdgeIsATinyOverlapNotAWholeGrid) {
  TestPack pack;
  const std::string c = pack.AddChain("320504");
  pack.AddGrid("g1", c, Coordinates(kA));
  pack.AddGrid("g2", c, Coordinates(kB));
  // Boost.Geometry's rescaling (its default in 1.74) called this a
  // 10,550 m² overlap, g1 wholly inside g2, and the pack was refused.
  auto s = LoadPack(pack.Write());
  ASSERT_TRUE(s.ok()) << s.status();
  const std::vector<Pt> a = Metric(kA, 120.6278, 31.3582);
  const std::vector<Pt> b = Metric(kB, 120.6278, 31.3582);
  for (size_t i = 0; i < b.size(); ++i) {
    ASSERT_GT(Cross(b[i], b[(i + 1) % b.size()], b[(i + 2) % b.size()]), 0)
        << "the oracle needs a convex clip polygon";
  }
  const double expected = ClipArea(a, b);
  ASSERT_GT(expected, 0);
  ASSERT_LT(expected, 1e-3);
  const Snapshot& snap = **s;
  const double got =
      IntersectionAreaM2(snap.geometry(), snap.quantizer(), snap.FindGrid("g1"),
                         snap.FindGrid("g2"));
  EXPECT_NEAR(got, expected, 0.05 * expected);
  OverlapReport r = FindOverlaps(snap.geometry(), snap.quantizer(), 0.0);
  ASSERT_EQ(r.overlaps.size(), 1u);
  EXPECT_NEAR(r.overlaps[0].area_m2, expected, 0.05 * expected);
}

}  // namespace
}  // namespace gridroute

// Copyright 2026 gridroute authors.
//
// MapView against brute force: the grids (and regions) a box query returns
// are exactly those whose box meets the query box; dissolved outlines have
// the area of their members; caps cut the answer where they say; GCJ-02 packs
// come back in WGS-84.
#include "mapview/map_view.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "testing/generated_city.h"
#include "testing/test_pack.h"

namespace gridroute {
namespace {

struct Parsed {
  std::set<std::string> codes;
  std::vector<std::vector<std::array<double, 2>>> rings;  // every ring of every feature
  bool truncated = false;
  int64_t matched = 0;
};

// Parses a FeatureCollection with simdjson (an independent reader).
Parsed Parse(const std::string& geojson) {
  Parsed p;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  auto err = parser.parse(geojson).get(doc);
  EXPECT_EQ(err, simdjson::SUCCESS) << geojson.substr(0, 300);
  if (err) return p;
  EXPECT_EQ(std::string_view(doc["type"]), "FeatureCollection");
  p.truncated = bool(doc["truncated"]);
  p.matched = int64_t(doc["matched"]);
  for (simdjson::dom::element f : doc["features"].get_array()) {
    p.codes.insert(std::string(std::string_view(f["properties"]["code"])));
    simdjson::dom::element g = f["geometry"];
    const std::string_view type = g["type"];
    auto add_polygon = [&](simdjson::dom::array poly) {
      for (simdjson::dom::element ring : poly) {
        std::vector<std::array<double, 2>> r;
        for (simdjson::dom::element pt : ring.get_array()) {
          r.push_back({double(pt.at(0)), double(pt.at(1))});
        }
        p.rings.push_back(std::move(r));
      }
    };
    if (type == "Polygon") {
      add_polygon(g["coordinates"].get_array());
    } else {
      for (simdjson::dom::element poly : g["coordinates"].get_array()) add_polygon(poly.get_array());
    }
  }
  return p;
}

std::unique_ptr<MapView> BuildView(std::shared_ptr<const Snapshot> s) {
  auto v = MapView::Build(std::move(s));
  EXPECT_TRUE(v.ok()) << v.status();
  return std::move(*v);
}

MapLimits Unlimited() {
  MapLimits l;
  l.max_features = l.max_vertices = l.max_bytes = size_t{1} << 40;
  return l;
}

// Random boxes over (and a bit beyond) the city.
std::vector<MapQuery> RandomBoxes(const MapView& v, int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const auto& b = v.city_bbox();
  std::uniform_real_distribution<double> ux(b[0] - 0.01, b[2] + 0.01), uy(b[1] - 0.01, b[3] + 0.01),
      us(0.0005, 0.03);
  std::vector<MapQuery> out;
  for (int i = 0; i < n; ++i) {
    MapQuery q;
    q.min_lon = ux(rng);
    q.min_lat = uy(rng);
    q.max_lon = q.min_lon + us(rng);
    q.max_lat = q.min_lat + us(rng);
    out.push_back(q);
  }
  return out;
}

TEST(MapViewTest, GridsInBoxAreExactlyTheBruteForceOnes) {
  const auto& c = testing::GetGeneratedCity(2000, 1);
  const Snapshot& s = *c.snapshot;
  auto view = BuildView(c.snapshot);
  for (const MapQuery& q : RandomBoxes(*view, 40, 7)) {
    IBox box;
    box.Expand(s.quantizer().Quantize(q.min_lon, q.min_lat));
    box.Expand(s.quantizer().Quantize(q.max_lon, q.max_lat));
    std::set<std::string> want;
    for (uint32_t g = 0; g < s.num_grids(); ++g) {
      if (s.geometry().box(g).Intersects(box)) want.insert(std::string(s.grid_code(g)));
    }
    auto a = view->Query(q, Unlimited());
    ASSERT_TRUE(a.ok()) << a.status();
    Parsed p = Parse(a->geojson);
    EXPECT_EQ(p.codes, want);
    EXPECT_FALSE(p.truncated);
    EXPECT_EQ(p.matched, static_cast<int64_t>(want.size()));
    EXPECT_EQ(a->features, want.size());
  }
}

// Each grid's rings come back as its own vertices (WGS-84 pack: identity, 7
// decimals), closed.
TEST(MapViewTest, GridRingsAreTheGridsVertices) {
  const auto& c = testing::GetGeneratedCity(2000, 1);
  const Snapshot& s = *c.snapshot;
  auto view = BuildView(c.snapshot);
  const uint32_t g = s.num_grids() / 2;
  const IBox& b = s.geometry().box(g);
  MapQuery q;
  q.min_lon = q.max_lon = s.quantizer().ToX((b.min_x + b.max_x) / 2);
  q.min_lat = q.max_lat = s.quantizer().ToY((b.min_y + b.max_y) / 2);
  auto a = view->Query(q, Unlimited());
  ASSERT_TRUE(a.ok());
  Parsed p = Parse(a->geojson);
  ASSERT_TRUE(p.codes.count(std::string(s.grid_code(g))));
  size_t want = 0;
  for (uint32_t r = s.geometry().grid_ring_begin(g); r < s.geometry().grid_ring_begin(g + 1); ++r) {
    want += s.geometry().ring_size(r);
  }
  EXPECT_NE(a->geojson.find("\"level\":\"grid\""), std::string::npos);
  EXPECT_NE(a->geojson.find("\"community\":"), std::string::npos);
  EXPECT_NE(a->geojson.find("\"street_name\":"), std::string::npos);
  for (const auto& ring : p.rings) EXPECT_EQ(ring.front(), ring.back());
  EXPECT_GE(a->vertices, want);
}

TEST(MapViewTest, RegionsInBoxAreExactlyTheBruteForceOnes) {
  const auto& c = testing::GetGeneratedCity(2000, 1);
  const Snapshot& s = *c.snapshot;
  const Hierarchy& h = s.hierarchy();
  auto view = BuildView(c.snapshot);
  for (const std::string level : {"district", "street", "community"}) {
    const int l = static_cast<int>(std::find(h.levels().begin(), h.levels().end(), level) -
                                   h.levels().begin());
    ASSERT_LT(l, static_cast<int>(h.levels().size()));
    for (MapQuery q : RandomBoxes(*view, 15, 11 + l)) {
      q.level = l;
      IBox box;
      box.Expand(s.quantizer().Quantize(q.min_lon, q.min_lat));
      box.Expand(s.quantizer().Quantize(q.max_lon, q.max_lat));
      std::set<std::string> want;  // regions with a grid whose box meets the query box
      for (uint32_t g = 0; g < s.num_grids(); ++g) {
        if (!s.geometry().box(g).Intersects(box)) continue;
        const int32_t r = h.chain_data(s.grid_parent(g))[l];
        if (r >= 0) want.insert(h.region(r).code);
      }
      auto a = view->Query(q, Unlimited());
      ASSERT_TRUE(a.ok()) << a.status();
      EXPECT_EQ(Parse(a->geojson).codes, want) << level;
    }
  }
}

__int128 GridArea2(const GridGeometry& geo, uint32_t g) {
  __int128 a = 0;
  for (uint32_t r = geo.grid_ring_begin(g); r < geo.grid_ring_begin(g + 1); ++r) {
    const __int128 ra = TwiceSignedArea(geo.ring(r), geo.ring_size(r));
    a += geo.ring_is_hole(r) ? -(ra < 0 ? -ra : ra) : (ra < 0 ? -ra : ra);
  }
  return a;
}

__int128 OutlineArea2(const Outline& o) {
  __int128 a = 0;
  for (const auto& p : o.polygons) {
    for (const auto& r : p.rings) a += TwiceSignedArea(r.data(), static_cast<uint32_t>(r.size()));
  }
  return a;
}

// The union of a community's grids (which do not overlap) has the sum of
// their areas, exactly; its outer rings are CCW and holes CW.
TEST(MapViewTest, DissolvedCommunitiesHaveTheirMembersArea) {
  const auto& c = testing::GetGeneratedCity(2000, 1);
  const Snapshot& s = *c.snapshot;
  const Hierarchy& h = s.hierarchy();
  const int community = static_cast<int>(h.levels().size()) - 1;
  std::vector<std::vector<uint32_t>> members(h.num_regions());
  for (uint32_t g = 0; g < s.num_grids(); ++g) {
    members[h.chain_data(s.grid_parent(g))[community]].push_back(g);
  }
  int checked = 0;
  for (int32_t r = 0; r < h.num_regions(); ++r) {
    if (members[r].empty()) continue;
    Outline o = DissolveGrids(s.geometry(), members[r]);
    ASSERT_TRUE(o.dissolved) << h.region(r).code;
    __int128 want = 0;
    for (uint32_t g : members[r]) want += GridArea2(s.geometry(), g);
    EXPECT_TRUE(OutlineArea2(o) == want) << h.region(r).code;
    for (const auto& p : o.polygons) {
      EXPECT_GT(TwiceSignedArea(p.rings[0].data(), p.rings[0].size()), 0);
      for (size_t i = 1; i < p.rings.size(); ++i) {
        EXPECT_LT(TwiceSignedArea(p.rings[i].data(), p.rings[i].size()), 0);
      }
    }
    // Fewer vertices than the members: the inner edges are gone.
    size_t member_vertices = 0;
    for (uint32_t g : members[r]) {
      for (uint32_t k = s.geometry().grid_ring_begin(g); k < s.geometry().grid_ring_begin(g + 1); ++k) {
        member_vertices += s.geometry().ring_size(k);
      }
    }
    if (members[r].size() > 1) {
      EXPECT_LT(o.num_vertices(), member_vertices);
    }
    ++checked;
  }
  EXPECT_GT(checked, 50);
}

// Geometry as text: eight unit squares around a missing centre dissolve into
// one square ring with a square hole.
TEST(MapViewTest, RingOfSquaresDissolvesToPolygonWithHole) {
  testing::TestPack pack;
  const std::string community = pack.AddChain("d1");
  int n = 0;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      if (i == 1 && j == 1) continue;
      pack.AddGrid(absl::StrCat("g", n++), community,
                   testing::TestPack::Square(120 + 0.001 * i, 31 + 0.001 * j, 0.001));
    }
  }
  auto s = LoadPack(pack.Write());
  ASSERT_TRUE(s.ok()) << s.status();
  std::vector<uint32_t> all;
  for (uint32_t g = 0; g < (*s)->num_grids(); ++g) all.push_back(g);
  Outline o = DissolveGrids((*s)->geometry(), all);
  ASSERT_TRUE(o.dissolved);
  ASSERT_EQ(o.polygons.size(), 1u);
  ASSERT_EQ(o.polygons[0].rings.size(), 2u);
  EXPECT_EQ(o.polygons[0].rings[0].size(), 12u);  // 3 vertices a side, collinear kept
  EXPECT_EQ(o.polygons[0].rings[1].size(), 4u);

  auto view = BuildView(*s);
  MapQuery q;
  q.min_lon = 119, q.min_lat = 30, q.max_lon = 121, q.max_lat = 32;
  q.level = 2;  // community
  auto a = view->Query(q, Unlimited());
  ASSERT_TRUE(a.ok());
  EXPECT_NE(a->geojson.find("\"type\":\"Polygon\""), std::string::npos);
  EXPECT_NE(a->geojson.find("\"grids\":8"), std::string::npos);
  Parsed p = Parse(a->geojson);
  EXPECT_EQ(p.rings.size(), 2u);
  EXPECT_EQ(view->cached_outlines(), 1u);
}

// Grids that do not share vertices (a T-junction): the inner edges that do
// not cancel stay as a slit, and the area is still exact.
TEST(MapViewTest, TJunctionKeepsTheAreaExact) {
  testing::TestPack pack;
  const std::string community = pack.AddChain("d1");
  pack.AddGrid("a", community, testing::TestPack::Square(120, 31, 0.002));
  pack.AddGrid("b", community, testing::TestPack::Square(120.002, 31, 0.001));
  pack.AddGrid("c", community, testing::TestPack::Square(120.002, 31.001, 0.001));
  auto s = LoadPack(pack.Write());
  ASSERT_TRUE(s.ok()) << s.status();
  Outline o = DissolveGrids((*s)->geometry(), std::vector<uint32_t>{0, 1, 2});
  EXPECT_TRUE(o.dissolved);
  __int128 want = 0;
  for (uint32_t g = 0; g < 3; ++g) want += GridArea2((*s)->geometry(), g);
  EXPECT_TRUE(OutlineArea2(o) == want);
  // b and c share their edge: it cancels (a's 4 + b/c's 6 edges are left).
  EXPECT_EQ(o.num_vertices(), 10u);
}

double SegDist(std::array<double, 2> p, IPoint a, IPoint b) {
  const double dx = double(b.x - a.x), dy = double(b.y - a.y);
  const double px = p[0] - double(a.x), py = p[1] - double(a.y);
  double t = (dx * dx + dy * dy) > 0 ? (px * dx + py * dy) / (dx * dx + dy * dy) : 0;
  t = std::clamp(t, 0.0, 1.0);
  return std::hypot(px - t * dx, py - t * dy);
}

// Douglas-Peucker keeps a subsequence, and every dropped vertex lies within
// the tolerance of the simplified ring.
TEST(MapViewTest, SimplifiedRingStaysWithinTolerance) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> noise(0, 200);
  std::vector<IPoint> ring;
  for (int i = 0; i < 2000; ++i) {
    const double t = 2 * M_PI * i / 2000;
    ring.push_back({static_cast<int64_t>(1e6 * std::cos(t) + noise(rng)),
                    static_cast<int64_t>(1e6 * std::sin(t) + noise(rng))});
  }
  for (double tol : {0.0, 100.0, 1000.0, 20000.0}) {
    std::vector<IPoint> s = SimplifyRing(ring, tol);
    ASSERT_GE(s.size(), 3u);
    if (tol == 0) {
      EXPECT_EQ(s.size(), ring.size());
    }
    if (tol >= 1000) {
      EXPECT_LT(s.size(), ring.size() / 4);
    }
    // Subsequence.
    size_t j = 0;
    for (const IPoint& p : ring) {
      if (j < s.size() && p == s[j]) ++j;
    }
    EXPECT_EQ(j, s.size());
    for (const IPoint& p : ring) {
      double best = 1e300;
      for (size_t k = 0; k < s.size(); ++k) {
        best = std::min(best, SegDist({double(p.x), double(p.y)}, s[k], s[(k + 1) % s.size()]));
      }
      EXPECT_LE(best, tol + 1e-6);
    }
  }
  // A sliver thinner than the tolerance vanishes.
  std::vector<IPoint> sliver{{0, 0}, {1000, 1}, {2000, 0}, {1000, -1}};
  EXPECT_TRUE(SimplifyRing(sliver, 10).empty());
}

TEST(MapViewTest, CapsCutTheAnswerAndSayTruncated) {
  const auto& c = testing::GetGeneratedCity(2000, 1);
  auto view = BuildView(c.snapshot);
  MapQuery q;
  const auto& b = view->city_bbox();
  q.min_lon = b[0], q.min_lat = b[1], q.max_lon = b[2], q.max_lat = b[3];

  MapLimits features = Unlimited();
  features.max_features = 10;
  auto a = view->Query(q, features);
  ASSERT_TRUE(a.ok());
  Parsed p = Parse(a->geojson);
  EXPECT_EQ(p.codes.size(), 10u);
  EXPECT_TRUE(p.truncated);
  EXPECT_EQ(p.matched, 2000);

  MapLimits bytes = Unlimited();
  bytes.max_bytes = 20000;
  a = view->Query(q, bytes);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(Parse(a->geojson).truncated);
  EXPECT_LE(a->geojson.size(), bytes.max_bytes + 64);  // + the closing members
  EXPECT_GT(a->features, 0u);

  MapLimits vertices = Unlimited();
  vertices.max_vertices = 500;
  a = view->Query(q, vertices);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->truncated);
  EXPECT_LE(a->vertices, 500u);
  Parsed pv = Parse(a->geojson);
  size_t written = 0;
  for (const auto& r : pv.rings) written += r.size();
  EXPECT_EQ(written, a->vertices);

  // Street outlines of the whole city, simplified, fit the defaults.
  q.level = 1;
  q.simplify_deg = 0.0005;
  a = view->Query(q, MapLimits{});
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->truncated);
  EXPECT_EQ(a->features, a->matched);
}

// A GCJ-02 pack answers in WGS-84: its vertices come back through
// Gcj02ToWgs84, and a WGS-84 box finds the grid at its true place.
TEST(MapViewTest, Gcj02PackAnswersInWgs84) {
  testing::TestPack pack;
  pack.SetCrs("gcj02");
  const std::string community = pack.AddChain("d1");
  pack.AddGrid("g", community, testing::TestPack::Square(120.6, 31.3, 0.002));
  auto s = LoadPack(pack.Write());
  ASSERT_TRUE(s.ok()) << s.status();
  auto view = BuildView(*s);
  const LonLat corner = Gcj02ToWgs84({120.6, 31.3});
  ASSERT_GT(std::abs(corner.lon - 120.6), 1e-3);  // the offset is real
  MapQuery q;
  q.min_lon = q.max_lon = corner.lon + 0.001;
  q.min_lat = q.max_lat = corner.lat + 0.001;
  auto a = view->Query(q, Unlimited());
  ASSERT_TRUE(a.ok()) << a.status();
  Parsed p = Parse(a->geojson);
  ASSERT_EQ(p.codes.size(), 1u);
  bool found = false;
  for (const auto& pt : p.rings[0]) {
    if (std::abs(pt[0] - corner.lon) < 2e-7 && std::abs(pt[1] - corner.lat) < 2e-7) found = true;
  }
  EXPECT_TRUE(found) << a->geojson;
  // The untransformed place is ~500 m away: nothing there.
  q.min_lon = q.max_lon = 120.6 - 0.003;
  q.min_lat = q.max_lat = 31.3 - 0.003;
  a = view->Query(q, Unlimited());
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->features, 0u);
}

TEST(MapViewTest, ParseMapQueryNamesTheBadParameter) {
  const std::vector<std::string> levels{"grid", "district", "street", "community"};
  auto q = ParseMapQuery("120.5,31.2,120.7,31.4", "street", "0.0001", levels);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->level, 1);
  EXPECT_EQ(q->max_lat, 31.4);
  EXPECT_EQ(ParseMapQuery("1,2,3,4", "", "", levels)->level, -1);
  EXPECT_EQ(ParseMapQuery("1,2,3,4", "grid", "", levels)->level, -1);
  for (const char* bad : {"", "1,2,3", "1,2,3,x", "1,2,3,4,5", "3,2,1,4", "-181,0,0,0", "0,0,0,91",
                          "nan,0,1,1"}) {
    auto r = ParseMapQuery(bad, "grid", "", levels);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message().substr(0, 5), "bbox:") << r.status();
  }
  auto l = ParseMapQuery("1,2,3,4", "province", "", levels);
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().message().substr(0, 6), "level:");
  auto si = ParseMapQuery("1,2,3,4", "grid", "-1", levels);
  ASSERT_FALSE(si.ok());
  EXPECT_EQ(si.status().message().substr(0, 9), "simplify:");
  auto longv = ParseMapQuery(std::string(10000, '9'), "grid", "", levels);
  ASSERT_FALSE(longv.ok());
  EXPECT_LT(longv.status().message().size(), 200u);
}

TEST(MapViewTest, MetaSaysWhereTheCityIs) {
  const auto& c = testing::GetGeneratedCity(2000, 1);
  auto view = BuildView(c.snapshot);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const std::string meta = view->Meta();
  ASSERT_EQ(parser.parse(meta).get(doc), simdjson::SUCCESS) << meta;
  simdjson::dom::array bbox = doc["city_bbox"];
  EXPECT_NEAR(double(bbox.at(0)), 120.62, 0.2);
  EXPECT_NEAR(double(bbox.at(1)), 31.30, 0.2);
  EXPECT_LT(double(bbox.at(0)), double(bbox.at(2)));
  EXPECT_EQ(doc["levels"].get_array().size(), 4u);
}

}  // namespace
}  // namespace gridroute

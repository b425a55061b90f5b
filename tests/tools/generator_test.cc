// Copyright 2026 gridroute authors.
//
// Tests of the synthetic city generator. Geometry is checked with oracles
// written here (shoelace areas in metres, brute-force point-in-polygon, a
// small JSON parser), not with the generator's own helpers.
#include <cstdlib>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "gen/city_generator.h"
#include "snapshot/snapshot.h"
#include "gtest/gtest.h"

namespace gridroute::gen {
namespace {

// A fresh directory per call and per process: ctest runs the tests of one
// binary as parallel processes, so fixed names would race.
std::string UniqueTempDir(const std::string& name) {
  std::string tmpl = ::testing::TempDir() + "/gridroute_" + name + "_XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) std::abort();
  return tmpl;
}

using Pt = LonLatE7;

// --- Independent oracles ----------------------------------------------------

// Local metric plane around the city centre (WGS-84 radii at φ0).
struct Metric {
  explicit Metric(const City& city) {
    const double phi0 = city.options.center_lat_deg * M_PI / 180.0;
    const double a = 6378137.0, f = 1.0 / 298.257223563, e2 = f * (2 - f);
    const double w = 1 - e2 * std::sin(phi0) * std::sin(phi0);
    m_per_e7_x = a / std::sqrt(w) * std::cos(phi0) * M_PI / 180.0 / 1e7;
    m_per_e7_y = a * (1 - e2) / (w * std::sqrt(w)) * M_PI / 180.0 / 1e7;
    lon0 = std::llround(city.options.center_lon_deg * 1e7);
    lat0 = std::llround(city.options.center_lat_deg * 1e7);
  }
  double X(const Pt& p) const { return (p.lon - lon0) * m_per_e7_x; }
  double Y(const Pt& p) const { return (p.lat - lat0) * m_per_e7_y; }
  double m_per_e7_x, m_per_e7_y;
  int64_t lon0, lat0;
};

std::vector<Pt> RingPoints(const City& city, const Ring& ring) {
  std::vector<Pt> out;
  for (uint32_t k = 0; k < ring.size; ++k) out.push_back(city.RingVertex(ring, k));
  return out;
}

// Signed shoelace area in m² (positive = counter-clockwise).
double SignedAreaM2(const Metric& m, const std::vector<Pt>& ring) {
  double a2 = 0;
  for (size_t i = 0; i < ring.size(); ++i) {
    const Pt& p = ring[i];
    const Pt& q = ring[(i + 1) % ring.size()];
    a2 += m.X(p) * m.Y(q) - m.X(q) * m.Y(p);
  }
  return a2 / 2;
}

double GridAreaM2(const City& city, const Metric& m, size_t g) {
  double area = 0;
  const Grid& grid = city.grids[g];
  for (uint32_t r = grid.first_ring; r < grid.first_ring + grid.num_rings; ++r) {
    area += SignedAreaM2(m, RingPoints(city, city.rings[r]));
  }
  return area;
}

// Even-odd test against one ring, exact in integers.
bool InRing(const std::vector<Pt>& ring, int64_t x, int64_t y) {
  bool in = false;
  for (size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
    const Pt& a = ring[i];
    const Pt& b = ring[j];
    if ((a.lat > y) != (b.lat > y)) {
      // x < a.lon + (y - a.lat) * (b.lon - a.lon) / (b.lat - a.lat)
      const __int128 lhs = static_cast<__int128>(x - a.lon) * (b.lat - a.lat);
      const __int128 rhs = static_cast<__int128>(y - a.lat) * (b.lon - a.lon);
      if ((b.lat - a.lat) > 0 ? lhs < rhs : lhs > rhs) in = !in;
    }
  }
  return in;
}

int Orient(const Pt& a, const Pt& b, const Pt& c) {
  const __int128 v = static_cast<__int128>(b.lon - a.lon) * (c.lat - a.lat) -
                     static_cast<__int128>(b.lat - a.lat) * (c.lon - a.lon);
  return (v > 0) - (v < 0);
}

bool SegmentsIntersect(const Pt& a, const Pt& b, const Pt& c, const Pt& d) {
  auto on = [](const Pt& p, const Pt& q, const Pt& r) {
    return std::min(p.lon, q.lon) <= r.lon && r.lon <= std::max(p.lon, q.lon) &&
           std::min(p.lat, q.lat) <= r.lat && r.lat <= std::max(p.lat, q.lat);
  };
  const int o1 = Orient(a, b, c), o2 = Orient(a, b, d);
  const int o3 = Orient(c, d, a), o4 = Orient(c, d, b);
  if (o1 != o2 && o3 != o4) return true;
  return (o1 == 0 && on(a, b, c)) || (o2 == 0 && on(a, b, d)) ||
         (o3 == 0 && on(c, d, a)) || (o4 == 0 && on(c, d, b));
}

// A tiny JSON parser (numbers kept as text so their format can be checked).
struct Json {
  enum Type { kNull, kBool, kNumber, kString, kArray, kObject } type = kNull;
  std::string text;
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> members;
  const Json* Get(const std::string& key) const {
    for (const auto& [k, v] : members) {
      if (k == key) return &v;
    }
    return nullptr;
  }
};

class JsonParser {
 public:
  explicit JsonParser(const std::string& s) : s_(s) {}
  bool Parse(Json* out) {
    if (!Value(out)) return false;
    Ws();
    return pos_ == s_.size();
  }

 private:
  void Ws() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool String(std::string* out) {
    if (s_[pos_] != '"') return false;
    ++pos_;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      if (s_[pos_] == '\\') {
        if (++pos_ >= s_.size()) return false;
        if (s_[pos_] == 'u') {
          return false;  // the generator never needs \u escapes
        }
      }
      out->push_back(s_[pos_++]);
    }
    if (pos_ >= s_.size()) return false;
    ++pos_;
    return true;
  }
  bool Value(Json* out) {
    Ws();
    if (pos_ >= s_.size()) return false;
    const char c = s_[pos_];
    if (c == '{') {
      out->type = Json::kObject;
      ++pos_;
      Ws();
      if (s_[pos_] == '}') return ++pos_, true;
      for (;;) {
        Ws();
        std::string key;
        if (!String(&key)) return false;
        Ws();
        if (s_[pos_++] != ':') return false;
        Json v;
        if (!Value(&v)) return false;
        out->members.emplace_back(key, std::move(v));
        Ws();
        if (s_[pos_] == ',') { ++pos_; continue; }
        if (s_[pos_] == '}') return ++pos_, true;
        return false;
      }
    }
    if (c == '[') {
      out->type = Json::kArray;
      ++pos_;
      Ws();
      if (s_[pos_] == ']') return ++pos_, true;
      for (;;) {
        Json v;
        if (!Value(&v)) return false;
        out->items.push_back(std::move(v));
        Ws();
        if (s_[pos_] == ',') { ++pos_; continue; }
        if (s_[pos_] == ']') return ++pos_, true;
        return false;
      }
    }
    if (c == '"') {
      out->type = Json::kString;
      return String(&out->text);
    }
    const size_t start = pos_;
    while (pos_ < s_.size() && std::strchr("+-.0123456789eEtruefalsn", s_[pos_])) ++pos_;
    out->text = s_.substr(start, pos_ - start);
    if (out->text == "true" || out->text == "false") out->type = Json::kBool;
    else if (out->text == "null") out->type = Json::kNull;
    else out->type = Json::kNumber;
    return !out->text.empty();
  }
  const std::string& s_;
  size_t pos_ = 0;
};

// "120.6012345" → 1206012345; false unless exactly 7 decimals.
bool ParseE7(const std::string& text, int64_t* out) {
  const size_t dot = text.find('.');
  if (dot == std::string::npos || text.size() - dot - 1 != 7) return false;
  int64_t whole, frac;
  const std::string w = text.substr(0, dot);
  if (!absl::SimpleAtoi(w, &whole) || !absl::SimpleAtoi(text.substr(dot + 1), &frac)) {
    return false;
  }
  const bool negative = !w.empty() && w[0] == '-';
  *out = whole * 10000000 + (negative ? -frac : frac);
  return true;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string NewTempDir(const std::string& name) {
  const std::string dir = UniqueTempDir("gen-" + name);
  std::filesystem::remove_all(dir);
  return dir;
}

// --- Fixtures -----------------------------------------------------------------

const City& CityOf(int64_t n, uint64_t seed) {
  static auto* cache = new std::map<std::pair<int64_t, uint64_t>, City>();
  auto it = cache->find({n, seed});
  if (it == cache->end()) {
    CityOptions options;
    options.num_grids = n;
    options.seed = seed;
    absl::StatusOr<City> city = GenerateCity(options);
    EXPECT_TRUE(city.ok()) << city.status();
    it = cache->emplace(std::make_pair(n, seed), std::move(*city)).first;
  }
  return it->second;
}

class GeneratedCityTest : public testing::TestWithParam<int64_t> {
 protected:
  const City& city() { return CityOf(GetParam(), 7); }
};

INSTANTIATE_TEST_SUITE_P(Sizes, GeneratedCityTest, testing::Values(2000, 20000));

// --- Tests --------------------------------------------------------------------

TEST(GeneratorTest, ExactlyNGrids) {
  for (int64_t n : {1, 2, 9, 150, 999, 1000, 2000, 4321}) {
    CityOptions options;
    options.num_grids = n;
    options.seed = 3;
    absl::StatusOr<City> city = GenerateCity(options);
    ASSERT_TRUE(city.ok()) << city.status();
    EXPECT_EQ(static_cast<int64_t>(city->grids.size()), n);
  }
}

TEST(GeneratorTest, RejectsBadOptions) {
  CityOptions options;
  options.num_grids = 0;
  EXPECT_EQ(GenerateCity(options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.num_grids = kMaxGrids + 1;
  EXPECT_EQ(GenerateCity(options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.num_grids = 10;
  options.jitter_fraction = 0.6;
  EXPECT_EQ(GenerateCity(options).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(WriteCityPack(CityOf(2000, 7), {.out_dir = ""}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(GeneratedCityTest, AreaStatistics) {
  const City& c = city();
  const Metric m(c);
  double sum = 0, lo = 1e300, hi = 0;
  for (size_t g = 0; g < c.grids.size(); ++g) {
    const double a = GridAreaM2(c, m, g);
    sum += a;
    lo = std::min(lo, a);
    hi = std::max(hi, a);
  }
  const double mean = sum / static_cast<double>(c.grids.size());
  EXPECT_NEAR(mean, 10000.0, 1000.0);
  EXPECT_GT(lo, 2000.0);
  EXPECT_LT(hi, 30000.0);
}

TEST_P(GeneratedCityTest, RingsAreSimpleAndOriented) {
  const City& c = city();
  for (size_t g = 0; g < c.grids.size(); ++g) {
    const Grid& grid = c.grids[g];
    ASSERT_GE(grid.num_rings, 1u);
    ASSERT_FALSE(c.rings[grid.first_ring].is_hole) << "grid " << g;
    for (uint32_t r = grid.first_ring; r < grid.first_ring + grid.num_rings; ++r) {
      const std::vector<Pt> ring = RingPoints(c, c.rings[r]);
      ASSERT_GE(ring.size(), 3u);
      std::set<std::pair<int64_t, int64_t>> distinct;
      for (const Pt& p : ring) distinct.insert({p.lon, p.lat});
      ASSERT_EQ(distinct.size(), ring.size()) << "repeated vertex, grid " << g;
      const int64_t n = static_cast<int64_t>(ring.size());
      __int128 a2 = 0;
      for (int64_t i = 0; i < n; ++i) {
        const Pt& p = ring[i];
        const Pt& q = ring[(i + 1) % n];
        a2 += static_cast<__int128>(p.lon) * q.lat - static_cast<__int128>(q.lon) * p.lat;
      }
      EXPECT_EQ(a2 > 0, !c.rings[r].is_hole) << "orientation, grid " << g;
      for (int64_t i = 0; i < n; ++i) {
        for (int64_t j = i + 1; j < n; ++j) {
          if (j == i + 1 || (i == 0 && j == n - 1)) continue;
          ASSERT_FALSE(SegmentsIntersect(ring[i], ring[(i + 1) % n], ring[j],
                                         ring[(j + 1) % n]))
              << "self-intersection, grid " << g;
        }
      }
    }
  }
}

// Every directed edge is used once; an interior edge a→b is matched by b→a in
// exactly one other grid; the unmatched (boundary) edges enclose exactly the
// total area of the grids and form 1 + ponds closed loops.
TEST_P(GeneratedCityTest, SharedEdgesTileWithoutGapsOrOverlaps) {
  const City& c = city();
  using Key = std::tuple<int64_t, int64_t, int64_t, int64_t>;
  absl::flat_hash_map<Key, int32_t> edges;
  for (size_t g = 0; g < c.grids.size(); ++g) {
    const Grid& grid = c.grids[g];
    for (uint32_t r = grid.first_ring; r < grid.first_ring + grid.num_rings; ++r) {
      const std::vector<Pt> ring = RingPoints(c, c.rings[r]);
      for (size_t i = 0; i < ring.size(); ++i) {
        const Pt& a = ring[i];
        const Pt& b = ring[(i + 1) % ring.size()];
        ASSERT_TRUE(edges.emplace(Key{a.lon, a.lat, b.lon, b.lat},
                                  static_cast<int32_t>(g)).second)
            << "directed edge used twice (overlap), grid " << g;
      }
    }
  }
  const Metric m(c);
  double total_area = 0;
  for (size_t g = 0; g < c.grids.size(); ++g) total_area += GridAreaM2(c, m, g);

  std::map<std::pair<int64_t, int64_t>, std::vector<std::pair<int64_t, int64_t>>> next;
  double boundary_a2 = 0;
  int64_t boundary_edges = 0;
  for (const auto& [key, g] : edges) {
    const auto& [x0, y0, x1, y1] = key;
    auto rev = edges.find(Key{x1, y1, x0, y0});
    if (rev != edges.end()) {
      EXPECT_NE(rev->second, g) << "edge matched inside one grid";
      continue;
    }
    ++boundary_edges;
    const Pt a{x0, y0}, b{x1, y1};
    boundary_a2 += m.X(a) * m.Y(b) - m.X(b) * m.Y(a);
    next[{x0, y0}].push_back({x1, y1});
  }
  EXPECT_NEAR(boundary_a2 / 2, total_area, 1e-6 * total_area);
  EXPECT_GT(boundary_edges, 0);

  // Walk the boundary into loops (at a pinch vertex take any unused edge).
  int64_t loops = 0;
  for (auto& [start, outs] : next) {
    while (!outs.empty()) {
      std::pair<int64_t, int64_t> at = start;
      do {
        auto& o = next[at];
        ASSERT_FALSE(o.empty()) << "boundary is not closed";
        const auto to = o.back();
        o.pop_back();
        at = to;
      } while (at != start);
      ++loops;
    }
  }
  EXPECT_EQ(loops, 1 + c.stats.ponds);
}

// Brute-force oracle: random points are covered by at most one grid, and the
// covered fraction matches total area / bounding-box area.
TEST(GeneratorTest, RandomPointsAreCoveredAtMostOnce) {
  const City& c = CityOf(2000, 7);
  const Metric m(c);
  std::vector<std::vector<std::vector<Pt>>> grid_rings(c.grids.size());
  for (size_t g = 0; g < c.grids.size(); ++g) {
    const Grid& grid = c.grids[g];
    for (uint32_t r = grid.first_ring; r < grid.first_ring + grid.num_rings; ++r) {
      grid_rings[g].push_back(RingPoints(c, c.rings[r]));
    }
  }
  std::mt19937_64 rng(42);
  const int kPoints = 4000;
  int covered = 0;
  double total_area = 0;
  for (size_t g = 0; g < c.grids.size(); ++g) total_area += GridAreaM2(c, m, g);
  for (int k = 0; k < kPoints; ++k) {
    const int64_t x = c.bbox_min.lon + static_cast<int64_t>(rng() % (c.bbox_max.lon - c.bbox_min.lon));
    const int64_t y = c.bbox_min.lat + static_cast<int64_t>(rng() % (c.bbox_max.lat - c.bbox_min.lat));
    int hits = 0;
    for (size_t g = 0; g < c.grids.size(); ++g) {
      bool in = false;
      for (const auto& ring : grid_rings[g]) in ^= InRing(ring, x, y);
      hits += in ? 1 : 0;
    }
    ASSERT_LE(hits, 1) << "overlap at " << x << "," << y;
    covered += hits;
  }
  const double bbox_area = (m.X(c.bbox_max) - m.X(c.bbox_min)) *
                           (m.Y(c.bbox_max) - m.Y(c.bbox_min));
  EXPECT_NEAR(static_cast<double>(covered) / kPoints, total_area / bbox_area, 0.03);
}

TEST_P(GeneratedCityTest, HierarchyFanOutAndCodes) {
  const City& c = city();
  std::map<int32_t, int> children;  // region index → child count
  std::vector<int32_t> order_of_parent;
  for (size_t r = 0; r < c.regions.size(); ++r) {
    const Region& region = c.regions[r];
    switch (region.level) {
      case RegionLevel::kDistrict:
        EXPECT_EQ(region.parent, -1);
        EXPECT_EQ(region.code.size(), 6u);
        EXPECT_EQ(region.code.substr(0, 2), "32");
        EXPECT_TRUE(absl::EndsWith(region.name, "区"));
        break;
      case RegionLevel::kStreet:
      case RegionLevel::kCommunity: {
        ASSERT_GE(region.parent, 0);
        ASSERT_LT(region.parent, static_cast<int32_t>(r)) << "parent after child";
        const Region& parent = c.regions[region.parent];
        EXPECT_EQ(static_cast<int>(parent.level) + 1, static_cast<int>(region.level));
        EXPECT_EQ(region.code.size(), parent.code.size() + 3);
        EXPECT_TRUE(absl::StartsWith(region.code, parent.code)) << region.code;
        EXPECT_TRUE(absl::EndsWith(
            region.name, region.level == RegionLevel::kStreet ? "街道" : "社区"));
        ++children[region.parent];
        break;
      }
    }
    if (r > 0) {
      EXPECT_LT(c.regions[r - 1].code, region.code);
    }
  }
  std::map<int32_t, int> grids_in;
  std::string previous;
  for (size_t g = 0; g < c.grids.size(); ++g) {
    const std::string code = c.GridCode(g);
    EXPECT_EQ(code.size(), 15u);
    EXPECT_TRUE(absl::StartsWith(code, c.GridParent(g)));
    EXPECT_EQ(c.regions[c.grids[g].community].level, RegionLevel::kCommunity);
    EXPECT_LT(previous, code) << "grids not in ascending code order";
    EXPECT_TRUE(absl::StartsWith(c.GridName(g), c.regions[c.grids[g].community].name));
    EXPECT_TRUE(absl::EndsWith(c.GridName(g), "网格"));
    previous = code;
    ++grids_in[c.grids[g].community];
    // West→east, north→south: latitude never increases along the sequence.
    if (g > 0 && c.grids[g - 1].community == c.grids[g].community) {
      EXPECT_EQ(c.grids[g].sequence, c.grids[g - 1].sequence + 1);
      EXPECT_GE(c.grids[g - 1].seed.lat, c.grids[g].seed.lat);
    } else {
      EXPECT_EQ(c.grids[g].sequence, 1);
    }
  }
  // Fan-out per level; only the last parent of a level may be short.
  auto check_fanout = [&](RegionLevel parent_level, const std::map<int32_t, int>& counts,
                          int lo, int hi) {
    std::vector<int> sizes;
    for (size_t r = 0; r < c.regions.size(); ++r) {
      if (c.regions[r].level != parent_level) continue;
      auto it = counts.find(static_cast<int32_t>(r));
      sizes.push_back(it == counts.end() ? 0 : it->second);
    }
    for (size_t k = 0; k < sizes.size(); ++k) {
      EXPECT_LE(sizes[k], hi) << RegionLevelName(parent_level);
      if (k + 1 < sizes.size()) {
        EXPECT_GE(sizes[k], lo) << RegionLevelName(parent_level);
      }
      EXPECT_GE(sizes[k], 1);
    }
  };
  check_fanout(RegionLevel::kCommunity, grids_in, 10, 25);
  check_fanout(RegionLevel::kStreet, children, 5, 20);
  check_fanout(RegionLevel::kDistrict, children, 10, 25);

  // Compactness: nearly every community's seeds lie within 1.5 km.
  const Metric m(c);
  int communities = 0, scattered = 0;
  for (size_t g = 0, start = 0; g <= c.grids.size(); ++g) {
    if (g < c.grids.size() && c.grids[g].community == c.grids[start].community) continue;
    double diameter = 0;
    for (size_t a = start; a < g; ++a) {
      for (size_t b = a + 1; b < g; ++b) {
        diameter = std::max(diameter, std::hypot(m.X(c.grids[a].seed) - m.X(c.grids[b].seed),
                                                 m.Y(c.grids[a].seed) - m.Y(c.grids[b].seed)));
      }
    }
    ++communities;
    if (diameter > 1500.0) ++scattered;
    start = g;
  }
  // Hilbert chunks are cut at the curve's excursions; a community can still
  // straddle one where the curve dips into the city for fewer than 10 cells.
  EXPECT_LE(scattered, std::max(1, communities / 100));
}

TEST_P(GeneratedCityTest, HolesAndMultiPolygons) {
  const City& c = city();
  int multipolygons = 0, holes = 0, ponds = 0;
  for (size_t g = 0; g < c.grids.size(); ++g) {
    const Grid& grid = c.grids[g];
    const std::vector<Pt> outer = RingPoints(c, c.rings[grid.first_ring]);
    if (c.NumPolygons(g) > 1) {
      ++multipolygons;
      ASSERT_EQ(grid.num_rings, 2u);
      const std::vector<Pt> exclave = RingPoints(c, c.rings[grid.first_ring + 1]);
      // Its hole is in a non-adjacent grid of the same community.
      int hosts = 0;
      for (size_t h = 0; h < c.grids.size(); ++h) {
        const Grid& host = c.grids[h];
        if (host.num_rings != 2 || !c.rings[host.first_ring + 1].is_hole) continue;
        std::vector<Pt> hole = RingPoints(c, c.rings[host.first_ring + 1]);
        std::reverse(hole.begin(), hole.end());
        if (std::find(hole.begin(), hole.end(), exclave[0]) == hole.end()) continue;
        ++hosts;
        EXPECT_EQ(host.community, grid.community);
        EXPECT_NE(h, g);
        const std::vector<Pt> host_outer = RingPoints(c, c.rings[host.first_ring]);
        for (const Pt& p : outer) {
          EXPECT_EQ(std::find(host_outer.begin(), host_outer.end(), p), host_outer.end())
              << "exclave owner is adjacent to its host";
        }
      }
      EXPECT_EQ(hosts, 1);
    }
    for (uint32_t r = grid.first_ring + 1; r < grid.first_ring + grid.num_rings; ++r) {
      if (!c.rings[r].is_hole) continue;
      ++holes;
      // The hole lies strictly inside its outer ring.
      for (const Pt& p : RingPoints(c, c.rings[r])) {
        EXPECT_TRUE(InRing(outer, p.lon, p.lat));
      }
    }
  }
  ponds = holes - multipolygons;
  EXPECT_GE(multipolygons, 2);
  EXPECT_GE(ponds, 1);
  EXPECT_EQ(multipolygons, c.stats.exclaves);
  EXPECT_EQ(ponds, c.stats.ponds);
  EXPECT_LE(holes, std::max<int64_t>(4, static_cast<int64_t>(c.grids.size()) / 500));
}

TEST(GeneratorTest, WrittenFilesParseLineByLine) {
  const City& c = CityOf(2000, 7);
  const std::string dir = NewTempDir("parse");
  absl::StatusOr<PackStats> stats = WriteCityPack(c, {.out_dir = dir, .num_points = 5000});
  ASSERT_TRUE(stats.ok()) << stats.status();

  Json manifest;
  const std::string manifest_text = ReadAll(dir + "/manifest.json");
  ASSERT_TRUE(JsonParser(manifest_text).Parse(&manifest));
  EXPECT_EQ(manifest.Get("format")->text, "gridroute-pack");
  EXPECT_EQ(manifest.Get("format_version")->text, "1");
  EXPECT_EQ(manifest.Get("name")->text, "Synthetic City (seed 7, 2000 grids)");
  EXPECT_EQ(manifest.Get("version")->text, "gen-7-2000");
  EXPECT_EQ(manifest.Get("crs")->text, "wgs84");
  ASSERT_EQ(manifest.Get("levels")->items.size(), 3u);
  EXPECT_EQ(manifest.Get("levels")->items[2].text, "community");
  EXPECT_EQ(manifest.Get("files")->Get("regions")->text, "regions.csv");
  EXPECT_EQ(manifest.Get("files")->Get("grids")->text, "grids.geojson");
  EXPECT_EQ(manifest.Get("grid_attributes")->Get("parent")->text, "parent");
  EXPECT_EQ(manifest.Get("overlap_tolerance_m2")->text, "1.0");

  // regions.csv: header, 4 fields, known levels, parents before children.
  std::ifstream regions(dir + "/regions.csv");
  std::string line;
  ASSERT_TRUE(std::getline(regions, line));
  EXPECT_EQ(line, "code,name,level,parent");
  std::map<std::string, std::string> level_of;
  while (std::getline(regions, line)) {
    const std::vector<std::string> f = absl::StrSplit(line, ',');
    ASSERT_EQ(f.size(), 4u) << line;
    ASSERT_TRUE(f[2] == "district" || f[2] == "street" || f[2] == "community") << line;
    EXPECT_EQ(f[3].empty(), f[2] == "district");
    if (!f[3].empty()) {
      ASSERT_TRUE(level_of.count(f[3])) << "parent after child: " << line;
    }
    EXPECT_TRUE(level_of.emplace(f[0], f[2]).second) << "duplicate code " << f[0];
  }
  EXPECT_EQ(level_of.size(), c.regions.size());

  // grids.geojson: fixed first/last lines, one feature per line.
  std::ifstream grids(dir + "/grids.geojson");
  std::vector<std::string> lines;
  while (std::getline(grids, line)) lines.push_back(line);
  ASSERT_EQ(lines.size(), c.grids.size() + 2);
  EXPECT_EQ(lines.front(), "{\"type\":\"FeatureCollection\",\"features\":[");
  EXPECT_EQ(lines.back(), "]}");
  std::string previous;
  int multi = 0;
  for (size_t k = 1; k + 1 < lines.size(); ++k) {
    std::string text = lines[k];
    const bool last = k + 2 == lines.size();
    ASSERT_EQ(text.back() == ',', !last) << "line " << k;
    if (!last) text.pop_back();
    Json f;
    ASSERT_TRUE(JsonParser(text).Parse(&f)) << "line " << k;
    EXPECT_EQ(f.Get("type")->text, "Feature");
    const Json* props = f.Get("properties");
    const std::string code = props->Get("code")->text;
    const std::string parent = props->Get("parent")->text;
    EXPECT_EQ(code.size(), 15u);
    EXPECT_EQ(code.substr(0, 12), parent);
    EXPECT_EQ(level_of[parent], "community");
    EXPECT_LT(previous, code);
    previous = code;
    EXPECT_TRUE(absl::StrContains(props->Get("name")->text, "网格"));
    const Json* geometry = f.Get("geometry");
    const std::string type = geometry->Get("type")->text;
    ASSERT_TRUE(type == "Polygon" || type == "MultiPolygon");
    std::vector<const Json*> polygons;
    if (type == "Polygon") {
      polygons.push_back(geometry->Get("coordinates"));
    } else {
      ++multi;
      for (const Json& p : geometry->Get("coordinates")->items) polygons.push_back(&p);
    }
    for (const Json* polygon : polygons) {
      ASSERT_GE(polygon->items.size(), 1u);
      for (const Json& ring : polygon->items) {
        ASSERT_GE(ring.items.size(), 4u);
        std::vector<Pt> pts;
        for (const Json& pos : ring.items) {
          ASSERT_EQ(pos.items.size(), 2u);
          Pt p;
          ASSERT_TRUE(ParseE7(pos.items[0].text, &p.lon)) << pos.items[0].text;
          ASSERT_TRUE(ParseE7(pos.items[1].text, &p.lat)) << pos.items[1].text;
          EXPECT_GE(p.lon, c.bbox_min.lon);
          EXPECT_LE(p.lat, c.bbox_max.lat);
          pts.push_back(p);
        }
        EXPECT_EQ(pts.front(), pts.back()) << "ring not closed, line " << k;
      }
    }
  }
  EXPECT_EQ(multi, c.stats.exclaves);

  std::ifstream points(dir + "/points.csv");
  ASSERT_TRUE(std::getline(points, line));
  EXPECT_EQ(line, "lon,lat");
  int rows = 0;
  while (std::getline(points, line)) {
    const std::vector<std::string> f = absl::StrSplit(line, ',');
    ASSERT_EQ(f.size(), 2u);
    Pt p;
    ASSERT_TRUE(ParseE7(f[0], &p.lon) && ParseE7(f[1], &p.lat)) << line;
    EXPECT_TRUE(p.lon >= c.bbox_min.lon && p.lon <= c.bbox_max.lon);
    EXPECT_TRUE(p.lat >= c.bbox_min.lat && p.lat <= c.bbox_max.lat);
    ++rows;
  }
  EXPECT_EQ(rows, 5000);
  std::filesystem::remove_all(dir);
}

TEST(GeneratorTest, SameSeedSameBytesOtherSeedOtherCity) {
  auto write = [](uint64_t seed, const std::string& name) {
    CityOptions options;
    options.num_grids = 2000;
    options.seed = seed;
    absl::StatusOr<City> city = GenerateCity(options);
    EXPECT_TRUE(city.ok()) << city.status();
    const std::string dir = NewTempDir(name);
    EXPECT_TRUE(WriteCityPack(*city, {.out_dir = dir, .num_points = 1000}).ok());
    return dir;
  };
  const std::string a = write(1, "det_a"), b = write(1, "det_b"), d = write(2, "det_d");
  for (const char* file : {"manifest.json", "regions.csv", "grids.geojson", "points.csv"}) {
    const std::string fa = ReadAll(a + "/" + file);
    EXPECT_FALSE(fa.empty()) << file;
    EXPECT_EQ(fa, ReadAll(b + "/" + file)) << file << " differs for the same seed";
    EXPECT_NE(fa, ReadAll(d + "/" + file)) << file << " same for another seed";
  }
  for (const std::string& dir : {a, b, d}) std::filesystem::remove_all(dir);
}

// The manifest lists every file's size and SHA-256, written last; a load
// checks them (teams.csv cut at a row boundary is an error naming it).
TEST(GeneratorTest, ManifestListsEveryFilesSizeAndChecksum) {
  CityOptions options;
  options.num_grids = 2000;
  options.seed = 5;
  absl::StatusOr<City> city = GenerateCity(options);
  ASSERT_TRUE(city.ok()) << city.status();
  const std::string dir = NewTempDir("sums");
  ASSERT_TRUE(WriteCityPack(*city, {.out_dir = dir}).ok());
  absl::StatusOr<PackManifest> m = ReadPackManifest(dir, PackLimits{});
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_TRUE(m->has_checksums);
  ASSERT_EQ(m->checksums.size(), PackFiles(*m, PackLimits{}).size());
  for (const FileChecksum& c : m->checksums) {
    EXPECT_EQ(c.bytes, std::filesystem::file_size(dir + "/" + c.file)) << c.file;
  }
  absl::StatusOr<std::shared_ptr<const Snapshot>> s = LoadPack(dir);
  ASSERT_TRUE(s.ok()) << s.status();
  for (const std::string& w : (*s)->warnings()) {
    EXPECT_FALSE(absl::StrContains(w, "checksums")) << w;
  }
  const std::string teams = ReadAll(dir + "/teams.csv");
  const size_t cut = teams.rfind('\n', teams.size() / 2) + 1;
  std::ofstream(dir + "/teams.csv", std::ios::binary | std::ios::trunc) << teams.substr(0, cut);
  s = LoadPack(dir);
  EXPECT_TRUE(absl::StrContains(s.status().message(), "teams.csv: " + std::to_string(cut) +
                                                          " bytes, but manifest.json says"))
      << s.status();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gridroute::gen

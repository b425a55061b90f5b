// Copyright 2026 gridroute authors.
//
// Tests of the routing part of the synthetic city generator: every file of a
// routing pack exists, parses with the engine's CSV reader / simdjson /
// calendar parser, every code it references exists, the catalogue has no
// ties and exactly one uncovered (local) category, components lie strictly
// inside their grids (exact integer oracle written here), layers are simple
// counter-clockwise polygons, events.csv has the documented mix and every
// kind of invalid row, and the output is byte-identical for a seed.
#include "gen/routing_generator.h"

#include <cstdlib>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/csv.h"
#include "gen/city_generator.h"
#include "geo/crs.h"
#include "gtest/gtest.h"
#include "model/calendar.h"
#include "simdjson.h"

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
using Rows = std::vector<std::vector<std::string>>;

// --- Helpers and oracles
// -------------------------------------------------------

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// All records of a CSV file after checking its header; every record must
// have exactly the header's number of fields.
Rows ReadCsv(const std::string& path, const std::string& header) {
  absl::StatusOr<CsvReader> reader = CsvReader::Open(path);
  EXPECT_TRUE(reader.ok()) << reader.status();
  if (!reader.ok()) return {};
  std::vector<std::string> fields;
  EXPECT_TRUE(reader->Next(fields)) << path;
  EXPECT_EQ(absl::StrJoin(fields, ","), header) << path;
  const size_t width = fields.size();
  Rows rows;
  while (reader->Next(fields)) {
    EXPECT_EQ(fields.size(), width) << path << ":" << reader->line();
    rows.push_back(fields);
  }
  EXPECT_TRUE(reader->status().ok()) << reader->status();
  return rows;
}

// "120.6012345" → 1206012345; false unless exactly 7 decimals.
bool ParseE7(const std::string& text, int64_t* out) {
  const size_t dot = text.find('.');
  if (dot == std::string::npos || text.size() - dot - 1 != 7) return false;
  int64_t whole, frac;
  const std::string w = text.substr(0, dot);
  if (!absl::SimpleAtoi(w, &whole) ||
      !absl::SimpleAtoi(text.substr(dot + 1), &frac)) {
    return false;
  }
  *out = whole * 10000000 + (!w.empty() && w[0] == '-' ? -frac : frac);
  return true;
}

__int128 Cross(const Pt& a, const Pt& b, const Pt& p) {
  return static_cast<__int128>(b.lon - a.lon) * (p.lat - a.lat) -
         static_cast<__int128>(b.lat - a.lat) * (p.lon - a.lon);
}

bool OnSegment(const Pt& a, const Pt& b, const Pt& p) {
  return Cross(a, b, p) == 0 && std::min(a.lon, b.lon) <= p.lon &&
         p.lon <= std::max(a.lon, b.lon) && std::min(a.lat, b.lat) <= p.lat &&
         p.lat <= std::max(a.lat, b.lat);
}

// 1 strictly inside grid g, 0 outside, -1 on one of its edges. Even-odd rule
// over all rings, exact.
int GridSide(const City& c, size_t g, const Pt& p) {
  bool in = false;
  const Grid& grid = c.grids[g];
  for (uint32_t r = grid.first_ring; r < grid.first_ring + grid.num_rings;
       ++r) {
    const Ring& ring = c.rings[r];
    for (uint32_t i = 0; i < ring.size; ++i) {
      const Pt a = c.RingVertex(ring, i);
      const Pt b = c.RingVertex(ring, (i + 1) % ring.size);
      if (OnSegment(a, b, p)) return -1;
      if ((a.lat > p.lat) != (b.lat > p.lat)) {
        const __int128 cr = Cross(a, b, p);
        if ((b.lat > a.lat) ? cr > 0 : cr < 0) in = !in;
      }
    }
  }
  return in ? 1 : 0;
}

bool ProperOrTouching(const Pt& a, const Pt& b, const Pt& c, const Pt& d) {
  auto sign = [](__int128 v) { return (v > 0) - (v < 0); };
  const int o1 = sign(Cross(a, b, c)), o2 = sign(Cross(a, b, d));
  const int o3 = sign(Cross(c, d, a)), o4 = sign(Cross(c, d, b));
  if (o1 != o2 && o3 != o4) return true;
  return OnSegment(a, b, c) || OnSegment(a, b, d) || OnSegment(c, d, a) ||
         OnSegment(c, d, b);
}

std::string Str(simdjson::simdjson_result<simdjson::dom::element> e) {
  std::string_view v;
  EXPECT_EQ(e.get(v), simdjson::SUCCESS);
  return std::string(v);
}

// --- Fixture: one 2,000-grid city written once
// ---------------------------------

constexpr int64_t kEvents = 20000;

class RoutingPackTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    CityOptions options;
    options.num_grids = 2000;
    options.seed = 7;
    absl::StatusOr<City> city = GenerateCity(options);
    ASSERT_TRUE(city.ok()) << city.status();
    city_ = new City(std::move(*city));
    routing_ = new RoutingData(GenerateRouting(*city_));
    dir_ = new std::string(UniqueTempDir("routing-gen"));
    std::filesystem::remove_all(*dir_);
    absl::StatusOr<PackStats> stats = WriteCityPack(
        *city_, {.out_dir = *dir_, .num_points = 10, .num_events = kEvents});
    ASSERT_TRUE(stats.ok()) << stats.status();
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete city_;
    delete routing_;
    delete dir_;
  }
  static std::string Path(const std::string& file) {
    return *dir_ + "/" + file;
  }

  static City* city_;
  static RoutingData* routing_;
  static std::string* dir_;
};
City* RoutingPackTest::city_ = nullptr;
RoutingData* RoutingPackTest::routing_ = nullptr;
std::string* RoutingPackTest::dir_ = nullptr;

// Codes of everything a routing file may reference.
struct Codes {
  std::set<std::string> departments, regions, grids, layers;
  std::map<std::string, std::string> urgencies;  // "event:0102" → allowed
  std::map<std::string, std::string> standard;
};

Codes LoadCodes(const std::string& dir, const City& c) {
  Codes codes;
  for (const auto& r :
       ReadCsv(dir + "/departments.csv", "code,name,kind,parent,channel")) {
    EXPECT_TRUE(codes.departments.insert(r[0]).second) << "duplicate " << r[0];
  }
  for (const auto& r :
       ReadCsv(dir + "/regions.csv", "code,name,level,parent")) {
    codes.regions.insert(r[0]);
  }
  for (size_t g = 0; g < c.grids.size(); ++g) codes.grids.insert(c.GridCode(g));
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.load(dir + "/layers.geojson");
  for (simdjson::dom::element f : doc["features"].get_array()) {
    codes.layers.insert(Str(f["properties"]["code"]));
  }
  for (const auto& r :
       ReadCsv(dir + "/categories.csv",
               "type,code,name,major,standard,urgencies,specialty")) {
    const std::string key = r[0] + ":" + r[1];
    EXPECT_TRUE(codes.urgencies.emplace(key, r[5]).second)
        << "duplicate " << key;
    codes.standard[key] = r[4];
  }
  return codes;
}

bool PatternMatches(const std::string& type_pattern, const std::string& pattern,
                    const std::string& key) {
  const std::string type = key.substr(0, key.find(':'));
  const std::string code = key.substr(key.find(':') + 1);
  if (type_pattern != "*" && type_pattern != type) return false;
  if (pattern == "*") return true;
  if (absl::EndsWith(pattern, "*")) {
    return absl::StartsWith(code, pattern.substr(0, pattern.size() - 1));
  }
  return pattern == code;
}

// --- Tests
// ----------------------------------------------------------------------

TEST_F(RoutingPackTest, ManifestListsTheRoutingFiles) {
  simdjson::dom::parser parser;
  simdjson::dom::element m = parser.load(Path("manifest.json"));
  const std::map<std::string, std::string> want = {
      {"regions", "regions.csv"},
      {"grids", "grids.geojson"},
      {"departments", "departments.csv"},
      {"categories", "categories.csv"},
      {"rules", "rules.csv"},
      {"teams", "teams.csv"},
      {"components", "components.csv"},
      {"layers", "layers.geojson"},
      {"calendar", "calendar.json"}};
  for (const auto& [key, file] : want) {
    std::string_view value;
    ASSERT_EQ(m["files"][key].get(value), simdjson::SUCCESS) << key;
    EXPECT_EQ(value, file);
    EXPECT_TRUE(std::filesystem::exists(Path(file))) << file;
  }
  EXPECT_EQ(std::string_view(m["rule_precedence"]), "scope_first");
  EXPECT_TRUE(std::filesystem::exists(Path("events.csv")));
}

TEST_F(RoutingPackTest, DepartmentsHaveParentsAndNoCycles) {
  const Rows rows =
      ReadCsv(Path("departments.csv"), "code,name,kind,parent,channel");
  std::map<std::string, std::string> parent;
  std::set<std::string> kinds;
  for (const auto& r : rows) {
    parent[r[0]] = r[3];
    kinds.insert(r[2]);
  }
  EXPECT_GE(rows.size(), 20u);
  for (const char* kind : {"主管", "权属", "养护", "执法", "处置"}) {
    EXPECT_TRUE(kinds.count(kind)) << kind;
  }
  for (const auto& [code, p] : parent) {
    std::string at = code;
    for (int steps = 0; !parent[at].empty(); ++steps) {
      ASSERT_TRUE(parent.count(parent[at])) << "unknown parent of " << at;
      ASSERT_LT(steps, 10) << "cycle through " << code;
      at = parent[at];
    }
  }
  // Each district has its three units.
  for (const Region& r : city_->regions) {
    if (r.level != RegionLevel::kDistrict) continue;
    for (const char* bureau : {"D02", "D03", "D06"}) {
      EXPECT_EQ(parent[bureau + r.code], bureau);
    }
  }
}

TEST_F(RoutingPackTest, RulesReferenceExistingCodesAndCoverUrgencies) {
  const Codes codes = LoadCodes(*dir_, *city_);
  const Rows rules =
      ReadCsv(Path("rules.csv"),
              "id,scope,category_type,category,lead,helpers,deadlines,window");
  ASSERT_EQ(rules.size(), routing_->rules.size());
  std::set<std::string> ids, scope_kinds;
  for (const auto& r : rules) {
    EXPECT_TRUE(ids.insert(r[0]).second) << "duplicate id " << r[0];
    const std::string& scope = r[1];
    const size_t colon = scope.find(':');
    const std::string kind = scope.substr(0, colon);
    const std::string code =
        colon == std::string::npos ? "" : scope.substr(colon + 1);
    scope_kinds.insert(kind);
    if (kind == "city") {
      EXPECT_EQ(scope, "city");
    } else if (kind == "region") {
      EXPECT_TRUE(codes.regions.count(code)) << r[0] << " " << scope;
    } else if (kind == "grid") {
      EXPECT_TRUE(codes.grids.count(code)) << r[0] << " " << scope;
    } else {
      ASSERT_EQ(kind, "layer") << r[0];
      EXPECT_TRUE(codes.layers.count(code)) << r[0] << " " << scope;
    }
    EXPECT_TRUE(codes.departments.count(r[4])) << r[0] << " lead " << r[4];
    for (absl::string_view h : absl::StrSplit(r[5], '|', absl::SkipEmpty())) {
      EXPECT_TRUE(codes.departments.count(std::string(h)))
          << r[0] << " helper " << h;
    }
    // Deadlines: urgency=<n>(wh|wd|h|min), covering every urgency of every
    // category the rule can match (which must be at least one).
    std::map<std::string, std::string> deadline;
    for (absl::string_view part : absl::StrSplit(r[6], ';')) {
      const std::vector<std::string> kv = absl::StrSplit(part, '=');
      ASSERT_EQ(kv.size(), 2u) << r[0] << " " << r[6];
      int n = 0;
      size_t digits = 0;
      while (digits < kv[1].size() &&
             std::isdigit(static_cast<unsigned char>(kv[1][digits])))
        ++digits;
      ASSERT_TRUE(absl::SimpleAtoi(kv[1].substr(0, digits), &n))
          << r[0] << " " << r[6];
      EXPECT_GT(n, 0);
      const std::string unit = kv[1].substr(digits);
      EXPECT_TRUE(unit == "wh" || unit == "wd" || unit == "h" || unit == "min")
          << r[6];
      deadline[kv[0]] = kv[1];
    }
    int matched = 0;
    for (const auto& [key, allowed] : codes.urgencies) {
      if (!PatternMatches(r[2], r[3], key)) continue;
      ++matched;
      for (absl::string_view u : absl::StrSplit(allowed, '|')) {
        EXPECT_TRUE(deadline.count(std::string(u)) || deadline.count("*"))
            << r[0] << " has no deadline for " << u << " of " << key;
      }
    }
    EXPECT_GT(matched, 0) << r[0] << " matches no category";
    if (!r[7].empty()) {
      int h1, m1, h2, m2;
      ASSERT_EQ(std::sscanf(r[7].c_str(), "%d:%d-%d:%d", &h1, &m1, &h2, &m2), 4)
          << r[7];
    }
  }
  EXPECT_EQ(scope_kinds,
            (std::set<std::string>{"city", "region", "grid", "layer"}));
}

// Same scope + same category_type + same pattern: windows pairwise disjoint,
// a rule without a window counting as the whole day. This is stricter than
// PACK.md (which lets a windowed rule sit beside an unwindowed one), so the
// pack loads under either reading of a tie.
TEST_F(RoutingPackTest, NoRuleTies) {
  const Rows rules =
      ReadCsv(Path("rules.csv"),
              "id,scope,category_type,category,lead,helpers,deadlines,window");
  std::map<std::string, std::vector<std::string>> windows;
  int windowed = 0;
  for (const auto& r : rules) {
    windows[r[1] + "|" + r[2] + "|" + r[3]].push_back(r[7]);
    windowed += !r[7].empty();
  }
  // Half-open [begin, end), wrapping past midnight when end <= begin.
  auto in = [](const std::string& w, int t) {
    if (w.empty()) return true;
    int h1, m1, h2, m2;
    EXPECT_EQ(std::sscanf(w.c_str(), "%d:%d-%d:%d", &h1, &m1, &h2, &m2), 4)
        << w;
    const int a = h1 * 60 + m1, b = h2 * 60 + m2;
    return a < b ? (a <= t && t < b) : (t >= a || t < b);
  };
  for (const auto& [key, list] : windows) {
    for (size_t i = 0; i < list.size(); ++i) {
      for (size_t j = i + 1; j < list.size(); ++j) {
        for (int t = 0; t < 1440; ++t) {  // brute force over the day
          ASSERT_FALSE(in(list[i], t) && in(list[j], t))
              << "tie: " << key << " windows '" << list[i] << "' and '"
              << list[j] << "'";
        }
      }
    }
  }
  EXPECT_GE(windowed, 1) << "the night-time rule is missing";
}

TEST_F(RoutingPackTest, ExactlyTheLocalCategoryIsUncovered) {
  const Codes codes = LoadCodes(*dir_, *city_);
  const Rows rules =
      ReadCsv(Path("rules.csv"),
              "id,scope,category_type,category,lead,helpers,deadlines,window");
  std::vector<std::string> uncovered;
  for (const auto& [key, allowed] : codes.urgencies) {
    bool covered = false;
    for (const auto& r : rules) covered |= PatternMatches(r[2], r[3], key);
    if (!covered) uncovered.push_back(key);
  }
  ASSERT_EQ(uncovered.size(), 1u);
  EXPECT_EQ(uncovered[0], "event:" + routing_->uncovered_category);
  EXPECT_EQ(codes.standard.at(uncovered[0]), "local");
  int events = 0, components = 0;
  for (const auto& [key, allowed] : codes.urgencies) {
    (absl::StartsWith(key, "event:") ? events : components)++;
    EXPECT_TRUE(allowed == "normal" || allowed == "normal|urgent" ||
                allowed == "normal|urgent|emergency" ||
                allowed == "urgent|emergency")
        << key;
  }
  EXPECT_GE(events, 25);
  EXPECT_GE(components, 15);
}

TEST_F(RoutingPackTest, TeamsFollowTheRoster) {
  const Codes codes = LoadCodes(*dir_, *city_);
  const Rows rows =
      ReadCsv(Path("teams.csv"), "scope,role,specialty,person,name,phone");
  std::map<std::string, std::set<std::string>> grids_of_member;
  std::map<std::string, int> members_in_grid, specialists_in_grid;
  std::map<std::string, std::set<std::string>> roster_of_community;
  for (const auto& r : rows) {
    const bool grid = absl::StartsWith(r[0], "grid:");
    const std::string code = r[0].substr(r[0].find(':') + 1);
    EXPECT_TRUE(grid ? codes.grids.count(code) : codes.regions.count(code))
        << r[0];
    EXPECT_TRUE(r[1] == "leader" || r[1] == "instructor" || r[1] == "member" ||
                r[1] == "specialist")
        << r[1];
    EXPECT_EQ(r[2].empty(), r[1] != "specialist");
    EXPECT_EQ(r[3].size(), 9u);
    EXPECT_EQ(r[5].size(), 11u);
    if (grid && r[1] == "member") {
      grids_of_member[r[3]].insert(code);
      ++members_in_grid[code];
    }
    if (grid && r[1] == "specialist") ++specialists_in_grid[code];
    if (!grid) roster_of_community[code].insert(r[1] + "/" + r[2]);
  }
  // Every grid has a member; every community a leader and the five specialists.
  for (size_t g = 0; g < city_->grids.size(); ++g) {
    EXPECT_GE(members_in_grid[city_->GridCode(g)], 1) << city_->GridCode(g);
  }
  for (const Region& r : city_->regions) {
    if (r.level != RegionLevel::kCommunity) continue;
    EXPECT_EQ(roster_of_community[r.code],
              (std::set<std::string>{
                  "leader/", "specialist/enforcement", "specialist/greening",
                  "specialist/lighting", "specialist/municipal",
                  "specialist/sanitation"}));
  }
  int multi_grid_people = 0, two_member_grids = 0;
  for (const auto& [person, grids] : grids_of_member)
    multi_grid_people += grids.size() > 1;
  for (const auto& [grid, n] : members_in_grid) two_member_grids += n > 1;
  EXPECT_GE(multi_grid_people, 10);
  EXPECT_GE(two_member_grids, 5);
  EXPECT_GE(specialists_in_grid.size(), 3u);
}

TEST_F(RoutingPackTest, ComponentsLieStrictlyInsideTheirGrid) {
  const Codes codes = LoadCodes(*dir_, *city_);
  const Rows rows =
      ReadCsv(Path("components.csv"),
              "code,category,lon,lat,owner,property,maintainer,state");
  ASSERT_EQ(rows.size(), routing_->components.size());
  EXPECT_NEAR(static_cast<double>(rows.size()) / city_->grids.size(), 2.0, 0.2);
  // Grid bounding boxes for the brute-force "no other grid" check.
  std::vector<std::pair<Pt, Pt>> box(city_->grids.size());
  for (size_t g = 0; g < city_->grids.size(); ++g) {
    Pt lo{INT64_MAX, INT64_MAX}, hi{INT64_MIN, INT64_MIN};
    const Grid& grid = city_->grids[g];
    for (uint32_t r = grid.first_ring; r < grid.first_ring + grid.num_rings;
         ++r) {
      for (uint32_t k = 0; k < city_->rings[r].size; ++k) {
        const Pt p = city_->RingVertex(city_->rings[r], k);
        lo = {std::min(lo.lon, p.lon), std::min(lo.lat, p.lat)};
        hi = {std::max(hi.lon, p.lon), std::max(hi.lat, p.lat)};
      }
    }
    box[g] = {lo, hi};
  }
  std::set<std::string> seen;
  std::set<std::string> categories;
  for (size_t k = 0; k < rows.size(); ++k) {
    const auto& r = rows[k];
    const Component& c = routing_->components[k];
    EXPECT_EQ(r[0], ComponentCode(c.code));
    ASSERT_EQ(r[0].size(), 16u) << r[0];
    EXPECT_TRUE(seen.insert(r[0]).second) << "duplicate component " << r[0];
    EXPECT_EQ(r[0].substr(6, 4), r[1]);
    categories.insert(r[1]);
    EXPECT_TRUE(codes.urgencies.count("component:" + r[1])) << r[1];
    const std::string grid_code = city_->GridCode(c.grid);
    EXPECT_EQ(r[0].substr(0, 6), grid_code.substr(0, 6)) << "district prefix";
    EXPECT_TRUE(codes.departments.count(r[4])) << r[4];
    for (int f : {5, 6})
      EXPECT_TRUE(r[f].empty() || codes.departments.count(r[f])) << r[f];
    EXPECT_TRUE(r[7] == "完好" || r[7] == "破损" || r[7] == "丢失" ||
                r[7] == "占用");
    Pt p;
    ASSERT_TRUE(ParseE7(r[2], &p.lon) && ParseE7(r[3], &p.lat))
        << r[2] << "," << r[3];
    EXPECT_EQ(p, c.position);
    ASSERT_EQ(GridSide(*city_, c.grid, p), 1)
        << r[0] << " not strictly inside " << grid_code;
    for (size_t g = 0; g < city_->grids.size(); ++g) {
      if (g == static_cast<size_t>(c.grid)) continue;
      if (p.lon < box[g].first.lon || p.lon > box[g].second.lon ||
          p.lat < box[g].first.lat || p.lat > box[g].second.lat) {
        continue;
      }
      EXPECT_EQ(GridSide(*city_, g, p), 0)
          << r[0] << " also in " << city_->GridCode(g);
    }
  }
  EXPECT_GE(categories.size(), 12u);
}

TEST_F(RoutingPackTest, LayersAreSimpleCounterClockwisePolygons) {
  const Codes codes = LoadCodes(*dir_, *city_);
  std::ifstream in(Path("layers.geojson"));
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  ASSERT_EQ(lines.size(), routing_->layers.size() + 2);
  EXPECT_EQ(lines.front(), "{\"type\":\"FeatureCollection\",\"features\":[");
  EXPECT_EQ(lines.back(), "]}");
  std::map<std::string, int> kinds;
  simdjson::dom::parser parser;
  for (size_t k = 1; k + 1 < lines.size(); ++k) {
    std::string text = lines[k];
    if (text.back() == ',') text.pop_back();
    simdjson::dom::element f;
    ASSERT_EQ(parser.parse(text).get(f), simdjson::SUCCESS) << "line " << k;
    const std::string kind = Str(f["properties"]["kind"]);
    const std::string owner = Str(f["properties"]["owner"]);
    const int64_t priority = int64_t(f["properties"]["priority"]);
    ++kinds[kind];
    if (kind == "frontage") {
      EXPECT_EQ(priority, 1);
      EXPECT_FALSE(owner.empty());
    } else {
      ASSERT_TRUE(kind == "construction" || kind == "park") << kind;
      EXPECT_EQ(priority, kind == "construction" ? 2 : 0);
      EXPECT_TRUE(codes.departments.count(owner)) << owner;
    }
    EXPECT_EQ(std::string_view(f["geometry"]["type"]), "Polygon");
    simdjson::dom::array rings = f["geometry"]["coordinates"];
    ASSERT_EQ(rings.size(), 1u);
    std::vector<Pt> ring;
    for (simdjson::dom::element pos : simdjson::dom::array(rings.at(0))) {
      ring.push_back({std::llround(double(pos.at(0)) * 1e7),
                      std::llround(double(pos.at(1)) * 1e7)});
    }
    ASSERT_GE(ring.size(), 5u);
    ASSERT_EQ(ring.front(), ring.back()) << "ring not closed, line " << k;
    ring.pop_back();
    const size_t n = ring.size();
    EXPECT_EQ(ring, routing_->layers[k - 1].ring);
    __int128 a2 = 0;
    for (size_t i = 0; i < n; ++i) {
      a2 += static_cast<__int128>(ring[i].lon) * ring[(i + 1) % n].lat -
            static_cast<__int128>(ring[(i + 1) % n].lon) * ring[i].lat;
    }
    EXPECT_GT(a2, 0) << "not counter-clockwise, line " << k;
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = i + 1; j < n; ++j) {
        ASSERT_FALSE(ring[i] == ring[j]) << "repeated vertex, line " << k;
        if (j == i + 1 || (i == 0 && j == n - 1)) continue;
        ASSERT_FALSE(ProperOrTouching(ring[i], ring[(i + 1) % n], ring[j],
                                      ring[(j + 1) % n]))
            << "self-intersection, line " << k;
      }
    }
  }
  EXPECT_GE(kinds["park"], 2);
  EXPECT_GE(kinds["construction"], 2);
  EXPECT_GE(kinds["frontage"], 50);
  // Text: 7 decimals everywhere.
  const std::string first = lines[1];
  const size_t at = first.find("[[[") + 3;
  const std::string lon = first.substr(at, first.find(',', at) - at);
  int64_t v;
  EXPECT_TRUE(ParseE7(lon, &v)) << lon;
}

TEST_F(RoutingPackTest, CalendarLoadsWithTheEnginesParser) {
  absl::StatusOr<WorkingCalendar> cal =
      ParseCalendarJson(ReadAll(Path("calendar.json")), "calendar.json");
  ASSERT_TRUE(cal.ok()) << cal.status();
  const absl::TimeZone tz = absl::FixedTimeZone(8 * 3600);
  auto at = [&](int m, int d, int h, int min) {
    return absl::FromCivil(absl::CivilMinute(2026, m, d, h, min), tz);
  };
  EXPECT_FALSE(cal->IsWorkingTime(at(10, 1, 10, 0)));  // National Day
  EXPECT_FALSE(cal->IsWorkingTime(at(2, 17, 10, 0)));  // Spring Festival
  EXPECT_FALSE(cal->IsWorkingTime(at(9, 27, 10, 0)));  // Mid-Autumn Sunday
  EXPECT_TRUE(cal->IsWorkingTime(at(9, 20, 10, 0)));   // make-up Sunday
  EXPECT_TRUE(cal->IsWorkingTime(at(10, 10, 10, 0)));  // make-up Saturday
  EXPECT_FALSE(cal->IsWorkingTime(at(3, 2, 12, 30)));  // lunch
  // CALENDAR.md's example: Wed 09-30 16:00 + 3 working hours.
  EXPECT_EQ(cal->AddWorkingHours(at(9, 30, 16, 0), absl::Hours(3)),
            at(10, 8, 10, 0));
}

// Classifies each row of events.csv; returns the defect, or "" if valid.
struct EventCheck {
  std::map<std::string, int> defects;
  int rows = 0, valid = 0, components = 0, with_code = 0, outside = 0;
  std::map<std::string, int> crs;
  std::set<int> hours, weekdays;
  int nights = 0;
};

EventCheck CheckEvents(const std::string& path, const Codes& codes,
                       const std::map<std::string, Pt>& component_at,
                       const City& c) {
  EventCheck check;
  const Rows rows =
      ReadCsv(path,
              "id,lon,lat,crs,category_type,category,urgency,reported_at,"
              "component_code");
  std::set<std::string> ids;
  for (const auto& r : rows) {
    ++check.rows;
    EXPECT_TRUE(ids.insert(r[0]).second) << r[0];
    std::vector<std::string> defects;
    const std::string key = r[4] + ":" + r[5];
    Pt p;
    const bool coords = ParseE7(r[1], &p.lon) && ParseE7(r[2], &p.lat);
    if (!coords)
      defects.push_back(r[1] == "NaN" || r[2] == "NaN" ? "nan" : "empty");
    if (r[3] != "wgs84" && r[3] != "gcj02" && r[3] != "bd09")
      defects.push_back("crs");
    if (!codes.urgencies.count(key)) {
      defects.push_back("category");
    } else {
      const std::vector<std::string> allowed =
          absl::StrSplit(codes.urgencies.at(key), '|');
      if (std::find(allowed.begin(), allowed.end(), r[6]) == allowed.end()) {
        defects.push_back("urgency");
      }
    }
    if (!r[8].empty() && !component_at.count(r[8]))
      defects.push_back("component");
    absl::CivilSecond when;
    const bool time_ok = r[7].size() == 25 && absl::EndsWith(r[7], "+08:00") &&
                         absl::ParseCivilTime(r[7].substr(0, 19), &when);
    if (!time_ok) defects.push_back("time");
    EXPECT_LE(defects.size(), 1u) << r[0] << " has several defects";
    if (!defects.empty()) {
      ++check.defects[defects[0]];
      continue;
    }
    ++check.valid;
    ++check.crs[r[3]];
    EXPECT_EQ(when.year(), 2026);
    // Before a fixed end in the past (12-01 +08:00): a server refuses report
    // times ahead of its clock.
    EXPECT_LT(when, absl::CivilSecond(2026, 12, 1, 0, 0, 0)) << r[0];
    check.hours.insert(when.hour());
    check.weekdays.insert(
        static_cast<int>(absl::GetWeekday(absl::CivilDay(when))));
    check.nights += when.hour() >= 22 || when.hour() < 6;
    LonLat w{p.lon / 1e7, p.lat / 1e7};
    if (r[3] == "gcj02") w = Gcj02ToWgs84(w);
    if (r[3] == "bd09") w = Bd09ToWgs84(w);
    const Pt wp{std::llround(w.lon * 1e7), std::llround(w.lat * 1e7)};
    if (wp.lon < c.bbox_min.lon || wp.lon > c.bbox_max.lon ||
        wp.lat < c.bbox_min.lat || wp.lat > c.bbox_max.lat) {
      ++check.outside;
    }
    if (r[4] == "component") {
      ++check.components;
      if (!r[8].empty()) {
        ++check.with_code;
        EXPECT_EQ(r[8].substr(6, 4), r[5]) << r[0];
        const Pt at = component_at.at(r[8]);
        // The converted point goes back to the component within 1 cm.
        EXPECT_LE(std::abs(wp.lon - at.lon), 10) << r[0];
        EXPECT_LE(std::abs(wp.lat - at.lat), 10) << r[0];
      }
    }
  }
  return check;
}

TEST_F(RoutingPackTest, EventsHaveTheDocumentedMix) {
  const Codes codes = LoadCodes(*dir_, *city_);
  std::map<std::string, Pt> component_at;
  for (const Component& c : routing_->components)
    component_at[ComponentCode(c.code)] = c.position;
  const EventCheck e =
      CheckEvents(Path("events.csv"), codes, component_at, *city_);
  ASSERT_EQ(e.rows, kEvents);
  int invalid = 0;
  for (const auto& [kind, n] : e.defects) invalid += n;
  EXPECT_NEAR(invalid, kEvents * 0.005, 5);
  EXPECT_NEAR(e.components, kEvents * 0.20, kEvents * 0.02);
  EXPECT_NEAR(e.with_code, e.components / 2.0, kEvents * 0.02);
  EXPECT_NEAR(e.outside, kEvents * 0.03, kEvents * 0.01);
  EXPECT_NEAR(e.crs.at("gcj02"), kEvents * 0.10, kEvents * 0.015);
  EXPECT_NEAR(e.crs.at("bd09"), kEvents * 0.05, kEvents * 0.01);
  EXPECT_EQ(e.hours.size(), 24u);
  EXPECT_EQ(e.weekdays.size(), 7u);
  EXPECT_GT(e.nights, kEvents / 20);
}

TEST_F(RoutingPackTest, EveryInvalidKindAppearsFromAThousandEvents) {
  const Codes codes = LoadCodes(*dir_, *city_);
  std::map<std::string, Pt> component_at;
  for (const Component& c : routing_->components)
    component_at[ComponentCode(c.code)] = c.position;
  RoutingFileStats stats;
  const std::string path = Path("events_1000.csv");
  ASSERT_TRUE(WriteEvents(*city_, *routing_, path, 1000, &stats).ok());
  EventCheck e = CheckEvents(path, codes, component_at, *city_);
  EXPECT_EQ(e.rows, 1000);
  for (const char* kind :
       {"category", "nan", "empty", "time", "urgency", "component", "crs"}) {
    EXPECT_GE(e.defects[kind], 1) << kind;
  }
  EXPECT_EQ(WriteEvents(*city_, *routing_, path, -1, &stats).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RoutingGeneratorTest, SameSeedSameBytes) {
  auto write = [](uint64_t seed, const std::string& name) {
    CityOptions options;
    options.num_grids = 3000;
    options.seed = seed;
    absl::StatusOr<City> city = GenerateCity(options);
    EXPECT_TRUE(city.ok()) << city.status();
    const std::string dir = UniqueTempDir("routing-" + name);
    std::filesystem::remove_all(dir);
    EXPECT_TRUE(
        WriteCityPack(*city,
                      {.out_dir = dir, .num_points = 10, .num_events = 5000})
            .ok());
    return dir;
  };
  const std::string a = write(5, "det_a"), b = write(5, "det_b"),
                    d = write(6, "det_d");
  for (const char* file : {"departments.csv", "categories.csv", "rules.csv",
                           "teams.csv", "components.csv", "layers.geojson",
                           "calendar.json", "events.csv", "manifest.json"}) {
    const std::string fa = ReadAll(a + "/" + file);
    EXPECT_FALSE(fa.empty()) << file;
    EXPECT_EQ(fa, ReadAll(b + "/" + file))
        << file << " differs for the same seed";
  }
  // Names, rules, rosters, components, layers and events depend on the seed.
  for (const char* file : {"departments.csv", "rules.csv", "teams.csv",
                           "components.csv", "layers.geojson", "events.csv"}) {
    EXPECT_NE(ReadAll(a + "/" + file), ReadAll(d + "/" + file)) << file;
  }
  for (const std::string& dir : {a, b, d}) std::filesystem::remove_all(dir);
}

// Tiny cities still write loadable, consistent routing files.
TEST(RoutingGeneratorTest, TinyCities) {
  for (int64_t n : {1, 9, 150}) {
    CityOptions options;
    options.num_grids = n;
    options.seed = 2;
    absl::StatusOr<City> city = GenerateCity(options);
    ASSERT_TRUE(city.ok()) << city.status();
    const RoutingData routing = GenerateRouting(*city);
    EXPECT_FALSE(routing.rules.empty());
    for (const Component& c : routing.components) {
      EXPECT_EQ(GridSide(*city, c.grid, c.position), 1) << n;
    }
    const std::string dir = UniqueTempDir("routing-tiny");
    std::filesystem::remove_all(dir);
    EXPECT_TRUE(WriteCityPack(
                    *city, {.out_dir = dir, .num_points = 0, .num_events = 50})
                    .ok());
    std::filesystem::remove_all(dir);
  }
}

}  // namespace
}  // namespace gridroute::gen

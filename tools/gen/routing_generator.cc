// Copyright 2026 gridroute authors.
//
// What is generated is described in GENERATOR.md ("Routing files"); the
// comments here say why. The files are written by routing_writer.cc and
// event_generator.cc.
#include "gen/routing_generator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "gen/internal/gen_util.h"
#include "gen/internal/grid_sampling.h"
#include "gen/internal/routing_tables.h"

namespace gridroute::gen {
namespace {

using internal::kPi;
using internal::LocalProjection;
using internal::MakeName;
using internal::Mix64;
using internal::Rng;

constexpr uint64_t kRuleStream = 0x72756c6573ULL;
constexpr uint64_t kLayerStream = 0x6c6179657273ULL;
constexpr uint64_t kComponentStream = 0x636f6d70ULL;

// Deadline amounts per urgency; empty = that urgency is not allowed.
std::string Deadlines(const Category& category, const internal::Limits& l) {
  std::string out;
  auto add = [&](absl::string_view urgency, absl::string_view amount) {
    if (!absl::StrContains(absl::StrCat("|", category.urgencies, "|"),
                           absl::StrCat("|", urgency, "|"))) {
      return;
    }
    absl::StrAppend(&out, out.empty() ? "" : ";", urgency, "=", amount);
  };
  add("normal", l.normal);
  add("urgent", l.urgent);
  add("emergency", l.emergency);
  return out;
}

class RoutingBuilder {
 public:
  explicit RoutingBuilder(const City& city)
      : city_(city),
        projection_(city.options.center_lon_deg, city.options.center_lat_deg) {}

  RoutingData Build() {
    BuildDistricts();
    BuildDepartments();
    BuildCategories();
    BuildLayers();
    BuildRules();
    BuildComponents();
    return std::move(data_);
  }

 private:
  // Department reference of the tables: "D03" (fixed) or "@03" (that
  // bureau's unit in the district with ordinal `district`). "" gives -1.
  int32_t Dept(absl::string_view ref, int32_t district) const {
    if (ref.empty()) return -1;
    if (ref[0] == '@') {
      return unit_[district][ref == "@02" ? 0 : ref == "@03" ? 1 : 2];
    }
    return dept_index_.at(std::string(ref));
  }
  const std::string& DeptCode(absl::string_view ref, int32_t district) const {
    return data_.departments[Dept(ref, district)].code;
  }
  std::string Helpers(absl::string_view refs, int32_t district) const {
    std::string out;
    for (absl::string_view ref : absl::StrSplit(refs, '|', absl::SkipEmpty())) {
      absl::StrAppend(&out, out.empty() ? "" : "|", DeptCode(ref, district));
    }
    return out;
  }
  const Category& EventOrComponent(absl::string_view type,
                                   absl::string_view code) const {
    return data_.categories[category_index_.at(absl::StrCat(type, ":", code))];
  }
  int32_t DistrictOfGrid(size_t g) const {
    const int32_t street = city_.regions[city_.grids[g].community].parent;
    return district_ordinal_[city_.regions[street].parent];
  }

  void BuildDistricts();
  void BuildDepartments();
  void BuildCategories();
  void BuildLayers();
  void BuildRules();
  void BuildComponents();
  // Adds a rule unless one with the same scope, type, pattern and window
  // exists (so the catalogue never has ties); returns whether it was added.
  bool AddRule(std::string scope, absl::string_view type,
               absl::string_view pattern, std::string lead, std::string helpers,
               std::string deadlines, absl::string_view window = "");
  void AddException(const std::string& scope, const internal::Exception& e,
                    int32_t district);
  std::vector<LonLatE7> Polygon(
      LonLatE7 centre,
      const std::vector<std::pair<double, double>>& xy_m) const {
    std::vector<LonLatE7> ring;
    for (const auto& [x, y] : xy_m) {
      ring.push_back({centre.lon + std::llround(x * projection_.e7_per_m_x()),
                      centre.lat + std::llround(y * projection_.e7_per_m_y())});
    }
    return ring;
  }

  const City& city_;
  const LocalProjection projection_;
  RoutingData data_;
  std::vector<int32_t> district_ordinal_;  // by region index; -1 if not one
  std::vector<int32_t> districts_;         // region index by ordinal
  std::vector<std::array<int32_t, 3>> unit_;  // 执法中队, 环卫所, 市政养护所
  std::map<std::string, int32_t> dept_index_;
  std::map<std::string, int32_t> category_index_;  // "event:0102"
  std::set<std::tuple<std::string, std::string, std::string, std::string>>
      rule_keys_;
};

void RoutingBuilder::BuildDistricts() {
  district_ordinal_.assign(city_.regions.size(), -1);
  for (size_t r = 0; r < city_.regions.size(); ++r) {
    if (city_.regions[r].level != RegionLevel::kDistrict) continue;
    district_ordinal_[r] = static_cast<int32_t>(districts_.size());
    districts_.push_back(static_cast<int32_t>(r));
  }
}

void RoutingBuilder::BuildDepartments() {
  auto add = [&](std::string code, std::string name, absl::string_view kind,
                 absl::string_view parent, bool external) {
    const int32_t index = static_cast<int32_t>(data_.departments.size());
    Department d;
    d.channel = external ? "" : absl::StrCat("dispatch.", code);
    d.code = std::move(code);
    d.name = std::move(name);
    d.kind = std::string(kind);
    d.parent = parent.empty() ? -1 : dept_index_.at(std::string(parent));
    dept_index_[d.code] = index;
    data_.departments.push_back(std::move(d));
    return index;
  };
  for (const internal::BureauRow& b : internal::kBureaus) {
    add(std::string(b.code), std::string(b.name), b.kind, b.parent, b.external);
  }
  for (int32_t r : districts_) {
    const Region& district = city_.regions[r];
    std::array<int32_t, 3> units;
    for (int k = 0; k < 3; ++k) {
      const internal::UnitRow& u = internal::kDistrictUnits[k];
      units[k] =
          add(absl::StrCat(u.parent, district.code),
              absl::StrCat(district.name, u.suffix), u.kind, u.parent, false);
    }
    unit_.push_back(units);
  }
}

void RoutingBuilder::BuildCategories() {
  for (const internal::CategoryRow& row : internal::kCategories) {
    Category c;
    c.type = std::string(row.type);
    c.code = std::string(row.code);
    c.name = std::string(row.name);
    c.major = c.code.substr(0, 2);
    c.standard = std::string(row.standard);
    c.urgencies = std::string(row.urgencies);
    c.specialty = std::string(row.specialty);
    c.weight = row.weight;
    if (c.standard == "local") data_.uncovered_category = c.code;
    category_index_[absl::StrCat(c.type, ":", c.code)] =
        static_cast<int32_t>(data_.categories.size());
    data_.categories.push_back(std::move(c));
  }
}

bool RoutingBuilder::AddRule(std::string scope, absl::string_view type,
                             absl::string_view pattern, std::string lead,
                             std::string helpers, std::string deadlines,
                             absl::string_view window) {
  if (!rule_keys_
           .emplace(scope, std::string(type), std::string(pattern),
                    std::string(window))
           .second) {
    return false;
  }
  Rule rule;
  rule.id =
      absl::StrCat("R", absl::Dec(data_.rules.size() + 1, absl::kZeroPad6));
  rule.scope = std::move(scope);
  rule.category_type = std::string(type);
  rule.category = std::string(pattern);
  rule.lead = std::move(lead);
  rule.helpers = std::move(helpers);
  rule.deadlines = std::move(deadlines);
  rule.window = std::string(window);
  data_.rules.push_back(std::move(rule));
  return true;
}

void RoutingBuilder::AddException(const std::string& scope,
                                  const internal::Exception& e,
                                  int32_t district) {
  const bool pattern = absl::EndsWith(e.code, "*");
  const std::string deadlines =
      pattern ? std::string(e.limits.normal)  // a "normal=..;*=.." literal
              : Deadlines(EventOrComponent(e.type, e.code), e.limits);
  AddRule(scope, e.type, e.code, DeptCode(e.lead, district),
          Helpers(e.helpers, district), deadlines);
}

void RoutingBuilder::BuildRules() {
  Rng rng(Mix64(city_.options.seed ^ kRuleStream));
  // City defaults: an exact rule per category, except where a major-class or
  // catch-all rule is meant to be the one that matches (GENERATOR.md).
  for (const internal::CityRuleRow& row : internal::kCityRules) {
    if (absl::EndsWith(row.code, "*")) {
      AddRule("city", row.type, row.code, DeptCode(row.lead, 0),
              Helpers(row.helpers, 0), std::string(row.limits.normal),
              row.window);
    } else {
      AddRule("city", row.type, row.code, DeptCode(row.lead, 0),
              Helpers(row.helpers, 0),
              Deadlines(EventOrComponent(row.type, row.code), row.limits),
              row.window);
    }
  }
  // Districts: 2-4 of the district exceptions each, led by its own units.
  const size_t num_exceptions = internal::kDistrictExceptions.size();
  std::vector<uint8_t> chosen(num_exceptions);
  for (size_t d = 0; d < districts_.size(); ++d) {
    const std::string scope =
        absl::StrCat("region:", city_.regions[districts_[d]].code);
    int count = 0;
    for (size_t e = 0; e < num_exceptions; ++e) {
      chosen[e] = count < 4 && rng.Int(0, 1) == 1;
      count += chosen[e];
    }
    for (size_t e = 0; e < num_exceptions && count < 2; ++e) {
      if (!chosen[e]) chosen[e] = 1, ++count;
    }
    for (size_t e = 0; e < num_exceptions; ++e) {
      if (chosen[e]) {
        AddException(scope, internal::kDistrictExceptions[e],
                     static_cast<int32_t>(d));
      }
    }
  }
  // A few streets, communities and grids with their own exceptions.
  auto pick_regions = [&](RegionLevel level, double fraction, int at_least,
                          const auto& table) {
    std::vector<int32_t> of_level;
    for (size_t r = 0; r < city_.regions.size(); ++r) {
      if (city_.regions[r].level == level)
        of_level.push_back(static_cast<int32_t>(r));
    }
    const int64_t want = std::min<int64_t>(
        of_level.size(),
        std::max<int64_t>(at_least, std::llround(fraction * of_level.size())));
    for (int64_t k = 0; k < want; ++k) {
      // Evenly spread, jittered inside each slot: deterministic, no repeats.
      const int64_t lo = k * of_level.size() / want;
      const int64_t hi = (k + 1) * of_level.size() / want - 1;
      const int32_t r = of_level[rng.Int(lo, std::max(lo, hi))];
      int32_t district = r;
      while (city_.regions[district].parent >= 0)
        district = city_.regions[district].parent;
      const int count = static_cast<int>(rng.Int(1, 2));
      for (int c = 0; c < count; ++c) {
        const auto& e = table[rng.Int(0, table.size() - 1)];
        AddException(absl::StrCat("region:", city_.regions[r].code), e,
                     district_ordinal_[district]);
      }
    }
  };
  pick_regions(RegionLevel::kStreet, 0.03, 2, internal::kStreetExceptions);
  pick_regions(RegionLevel::kCommunity, 0.01, 2,
               internal::kCommunityExceptions);
  {
    const int64_t n = static_cast<int64_t>(city_.grids.size());
    const int64_t want = std::min<int64_t>(n, std::max<int64_t>(3, n / 1000));
    for (int64_t k = 0; k < want; ++k) {
      const int64_t g = rng.Int(k * n / want, (k + 1) * n / want - 1);
      const auto& e = internal::kGridExceptions[rng.Int(
          0, internal::kGridExceptions.size() - 1)];
      AddException(absl::StrCat("grid:", city_.GridCode(g)), e,
                   DistrictOfGrid(g));
    }
  }
  // Layer rules: construction sites route dust and spillage to the site's
  // owner; parks route their grounds and greenery to the park office.
  for (const Layer& layer : data_.layers) {
    const int32_t district = DistrictOfGrid(layer.grid);
    const absl::Span<const internal::Exception> table =
        layer.kind == LayerKind::kConstruction
            ? absl::MakeConstSpan(internal::kSiteRules)
        : layer.kind == LayerKind::kPark
            ? absl::MakeConstSpan(internal::kParkRules)
            : absl::Span<const internal::Exception>();
    for (const internal::Exception& e : table) {
      const std::string lead =
          e.lead == "owner" ? layer.owner : DeptCode(e.lead, district);
      const std::string deadlines =
          absl::EndsWith(e.code, "*")
              ? std::string(e.limits.normal)
              : Deadlines(EventOrComponent(e.type, e.code), e.limits);
      AddRule(absl::StrCat("layer:", layer.code), e.type, e.code, lead,
              Helpers(e.helpers, district), deadlines);
    }
  }
}

void RoutingBuilder::BuildLayers() {
  Rng rng(Mix64(city_.options.seed ^ kLayerStream));
  const int64_t n = static_cast<int64_t>(city_.grids.size());
  auto phone = [&] {
    return absl::StrCat("1", internal::kPhonePrefixes[rng.Int(0, 5)],
                        absl::Dec(rng.Int(0, 99999999), absl::kZeroPad8));
  };
  // Parks: a few star-shaped 16-gons of radius 120-350 m (simple by
  // construction: angles increase, radii are positive).
  const int64_t parks = n < 10    ? 0
                        : n < 100 ? 1
                                  : std::clamp<int64_t>(2 + n / 50000, 2, 30);
  std::set<std::string> park_names, site_names;
  for (int64_t k = 0; k < parks; ++k) {
    const int32_t g =
        static_cast<int32_t>(rng.Int(k * n / parks, (k + 1) * n / parks - 1));
    const double radius = rng.Real(120.0, 350.0);
    std::vector<std::pair<double, double>> xy;
    for (int v = 0; v < 16; ++v) {
      const double angle = 2.0 * kPi * (v + rng.Real(-0.3, 0.3)) / 16.0;
      const double r = radius * rng.Real(0.8, 1.15);
      xy.emplace_back(r * std::cos(angle), r * std::sin(angle));
    }
    Layer layer;
    layer.code = absl::StrCat("PK", absl::Dec(k + 1, absl::kZeroPad6));
    layer.name = MakeName(rng, "公园", park_names);
    layer.kind = LayerKind::kPark;
    layer.owner = "D05";
    layer.owner_contact = phone();
    layer.priority = 0;
    layer.grid = g;
    layer.ring = Polygon(city_.grids[g].seed, xy);
    data_.layers.push_back(std::move(layer));
  }
  // Construction sites (~0.1 % of grids): rotated rectangles 50-120 m by
  // 40-90 m near a grid's seed, owned by one of the builders.
  const int64_t sites = n < 10 ? 0
                        : n < 1000
                            ? 1 + n / 500
                            : std::max<int64_t>(2, std::llround(n * 0.001));
  for (int64_t k = 0; k < sites; ++k) {
    const int32_t g =
        static_cast<int32_t>(rng.Int(k * n / sites, (k + 1) * n / sites - 1));
    const double w = rng.Real(50.0, 120.0) / 2, h = rng.Real(40.0, 90.0) / 2;
    const double angle = rng.Real(0.0, kPi / 2);
    const double c = std::cos(angle), s = std::sin(angle);
    const double dx = rng.Real(-20.0, 20.0), dy = rng.Real(-20.0, 20.0);
    std::vector<std::pair<double, double>> xy;
    for (const auto& [x, y] : {std::pair{-w, -h}, {w, -h}, {w, h}, {-w, h}}) {
      xy.emplace_back(dx + x * c - y * s, dy + x * s + y * c);
    }
    Layer layer;
    layer.code = absl::StrCat("CS", absl::Dec(k + 1, absl::kZeroPad6));
    layer.name = MakeName(
        rng,
        internal::kSiteSuffixes[rng.Int(0, internal::kSiteSuffixes.size() - 1)],
        site_names);
    layer.kind = LayerKind::kConstruction;
    layer.owner = std::string(
        internal::kBuilders[rng.Int(0, internal::kBuilders.size() - 1)]);
    layer.owner_contact = phone();
    layer.priority = 2;
    layer.grid = g;
    layer.ring = Polygon(city_.grids[g].seed, xy);
    data_.layers.push_back(std::move(layer));
  }
  // 门前三包 strips: ~8 % of grids get one along their longest edge, 80 % of
  // its length, 4-8 m deep, on the grid's side (the outer ring is CCW, so the
  // inside is to the left of each edge).
  int64_t strips = 0;
  std::set<std::string> no_uniqueness;
  for (int64_t g = 0; g < n; ++g) {
    if (rng.Int(0, 99) >= 8) continue;
    const Ring& ring = city_.rings[city_.grids[g].first_ring];
    double best = 0;
    LonLatE7 a, b;
    for (uint32_t k = 0; k < ring.size; ++k) {
      const LonLatE7 p = city_.RingVertex(ring, k);
      const LonLatE7 q = city_.RingVertex(ring, (k + 1) % ring.size);
      const double len = std::hypot((q.lon - p.lon) / projection_.e7_per_m_x(),
                                    (q.lat - p.lat) / projection_.e7_per_m_y());
      if (len > best) best = len, a = p, b = q;
    }
    if (best < 20.0) continue;
    const double ex = (b.lon - a.lon) / projection_.e7_per_m_x();
    const double ey = (b.lat - a.lat) / projection_.e7_per_m_y();
    const double nx = -ey / best, ny = ex / best;  // unit normal to the left
    const double depth = rng.Real(4.0, 8.0);
    std::vector<std::pair<double, double>> xy = {
        {0.1 * ex, 0.1 * ey},
        {0.9 * ex, 0.9 * ey},
        {0.9 * ex + depth * nx, 0.9 * ey + depth * ny},
        {0.1 * ex + depth * nx, 0.1 * ey + depth * ny}};
    Layer layer;
    layer.code = absl::StrCat("FR", absl::Dec(++strips, absl::kZeroPad6));
    no_uniqueness.clear();
    layer.owner = MakeName(
        rng,
        internal::kShopSuffixes[rng.Int(0, internal::kShopSuffixes.size() - 1)],
        no_uniqueness);
    layer.name = absl::StrCat(layer.owner, "门前三包责任区");
    layer.kind = LayerKind::kFrontage;
    layer.owner_contact = phone();
    layer.priority = 1;
    layer.grid = static_cast<int32_t>(g);
    layer.ring = Polygon(a, xy);
    data_.layers.push_back(std::move(layer));
  }
}

void RoutingBuilder::BuildComponents() {
  Rng rng(Mix64(city_.options.seed ^ kComponentStream));
  // Component categories and their cumulative weights.
  std::vector<int32_t> kinds;
  std::vector<int> cumulative;
  int total = 0;
  for (size_t c = 0; c < data_.categories.size(); ++c) {
    if (data_.categories[c].type != "component") continue;
    kinds.push_back(static_cast<int32_t>(c));
    cumulative.push_back(total += data_.categories[c].weight);
  }
  // Owners per component category, resolved per district on first use.
  std::map<std::string, const internal::OwnerRow*> owner_row;
  for (const internal::OwnerRow& row : internal::kComponentOwners) {
    owner_row[std::string(row.code)] = &row;
  }
  std::vector<uint32_t> sequence(districts_.size() * kinds.size(), 0);
  const size_t n = city_.grids.size();
  data_.components.reserve(2 * n + 16);
  for (size_t g = 0; g < n; ++g) {
    const int32_t district = DistrictOfGrid(g);
    const uint64_t district_code =
        std::stoull(city_.regions[districts_[district]].code);
    const int count = static_cast<int>(rng.Int(0, 4));  // mean 2 per grid
    for (int k = 0; k < count; ++k) {
      const int pick = static_cast<int>(rng.Int(1, total));
      const size_t kind =
          std::lower_bound(cumulative.begin(), cumulative.end(), pick) -
          cumulative.begin();
      const Category& category = data_.categories[kinds[kind]];
      Component component;
      if (!internal::SampleStrictlyInsideGrid(city_, g, rng,
                                              &component.position)) {
        continue;
      }
      const uint32_t seq = ++sequence[district * kinds.size() + kind];
      component.code =
          (district_code * 10000 + std::stoull(category.code)) * 1000000 + seq;
      component.grid = static_cast<int32_t>(g);
      component.category = static_cast<uint16_t>(kinds[kind]);
      const int64_t s = rng.Int(0, 99);
      component.state = s < 90 ? 0 : s < 96 ? 1 : s < 98 ? 2 : 3;
      const internal::OwnerRow& o = *owner_row.at(category.code);
      component.owner = Dept(o.owner, district);
      component.property = Dept(o.property, district);
      component.maintainer = Dept(o.maintainer, district);
      data_.components.push_back(component);
    }
  }
}

}  // namespace

std::string ComponentCode(uint64_t code) {
  return absl::StrCat(absl::Dec(code, absl::kZeroPad16));
}

RoutingData GenerateRouting(const City& city) {
  return RoutingBuilder(city).Build();
}

}  // namespace gridroute::gen

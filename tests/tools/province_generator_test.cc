// Copyright 2026 gridroute authors.
//
// Tests of the province generator (gen/province_generator.h): K cities side
// by side in one pack. The pack is checked through the engine's own loader
// and router, the codes and placement against the per-city ranges the
// generator reports, recomputed here from the regions and vertices.
#include "gen/province_generator.h"

#include <algorithm>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "route/router.h"
#include "snapshot/snapshot.h"

namespace gridroute::gen {
namespace {

std::string UniqueTempDir(const std::string& name) {
  std::string tmpl = ::testing::TempDir() + "/gridroute_" + name + "_XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) std::abort();
  return tmpl;
}

const Province& SmallProvince() {
  static const Province* p = [] {
    ProvinceOptions o;
    o.num_grids = 3000;
    o.num_cities = 3;
    o.seed = 7;
    absl::StatusOr<Province> made = GenerateProvince(o);
    if (!made.ok()) std::abort();
    return new Province(std::move(*made));
  }();
  return *p;
}

// The CC of a region code "32CC...".
int CityCodeOf(const std::string& code) {
  int cc = -1;
  EXPECT_TRUE(absl::SimpleAtoi(code.substr(2, 2), &cc)) << code;
  return cc;
}

// The city (index into Province::cities) whose grid range holds grid g.
size_t CityOfGrid(const Province& p, size_t g) {
  for (size_t c = 0; c < p.cities.size(); ++c) {
    if (g >= p.cities[c].first_grid && g < p.cities[c].end_grid) return c;
  }
  ADD_FAILURE() << "grid " << g << " in no city";
  return 0;
}

TEST(ProvinceGeneratorTest, SplitsTheGridsAndPlacesCitiesApart) {
  const Province& p = SmallProvince();
  ASSERT_EQ(p.cities.size(), 3u);
  EXPECT_EQ(p.city.num_cities, 3);
  EXPECT_EQ(p.city.grids.size(), 3000u);
  size_t next_grid = 0;
  for (size_t c = 0; c < 3; ++c) {
    const ProvinceCity& pc = p.cities[c];
    EXPECT_EQ(pc.num_grids, 1000);
    EXPECT_EQ(pc.first_grid, next_grid);
    EXPECT_EQ(pc.end_grid - pc.first_grid, 1000u);
    next_grid = pc.end_grid;
    if (c > 0) {
      // West to east, boxes at least the 2 km gap apart (~0.021 deg at 31N),
      // codes in later, disjoint ranges.
      EXPECT_GT(pc.bbox_min.lon - p.cities[c - 1].bbox_max.lon, 200'000);
      EXPECT_GT(pc.first_city_code, p.cities[c - 1].last_city_code);
    }
  }
  // Every vertex of every grid lies in its own city's box (recomputed here),
  // and the boxes are disjoint, so no two cities' grids can overlap.
  for (size_t g = 0; g < p.city.grids.size(); ++g) {
    const ProvinceCity& pc = p.cities[CityOfGrid(p, g)];
    const Grid& grid = p.city.grids[g];
    for (uint32_t r = grid.first_ring; r < grid.first_ring + grid.num_rings; ++r) {
      const Ring& ring = p.city.rings[r];
      for (uint32_t k = 0; k < ring.size; ++k) {
        const LonLatE7 v = p.city.RingVertex(ring, k);
        ASSERT_GE(v.lon, pc.bbox_min.lon) << "grid " << g;
        ASSERT_LE(v.lon, pc.bbox_max.lon) << "grid " << g;
        ASSERT_GE(v.lat, pc.bbox_min.lat) << "grid " << g;
        ASSERT_LE(v.lat, pc.bbox_max.lat) << "grid " << g;
      }
    }
  }
}

TEST(ProvinceGeneratorTest, CodesAreUniqueAndEachChainEndsInItsOwnCity) {
  const Province& p = SmallProvince();
  const City& city = p.city;
  std::set<std::string> codes;
  for (const Region& r : city.regions) {
    EXPECT_TRUE(codes.insert(r.code).second) << "duplicate region " << r.code;
  }
  for (size_t g = 0; g < city.grids.size(); ++g) {
    const std::string code = city.GridCode(g);
    ASSERT_EQ(code.size(), 15u) << code;
    ASSERT_TRUE(std::all_of(code.begin(), code.end(), absl::ascii_isdigit)) << code;
    ASSERT_TRUE(codes.insert(code).second) << "duplicate code " << code;
    // community -> street -> district, each a prefix of the grid code, the
    // district (no parent) in this grid's city's code range.
    const ProvinceCity& pc = p.cities[CityOfGrid(p, g)];
    int32_t r = city.grids[g].community;
    int steps = 0;
    while (city.regions[r].parent >= 0) {
      ASSERT_EQ(code.compare(0, city.regions[r].code.size(), city.regions[r].code), 0);
      ASSERT_GE(static_cast<size_t>(r), pc.first_region);
      ASSERT_LT(static_cast<size_t>(r), pc.end_region);
      r = city.regions[r].parent;
      ++steps;
    }
    ASSERT_EQ(steps, 2);
    ASSERT_EQ(city.regions[r].level, RegionLevel::kDistrict);
    ASSERT_GE(static_cast<size_t>(r), pc.first_region);
    ASSERT_LT(static_cast<size_t>(r), pc.end_region);
    const int cc = CityCodeOf(city.regions[r].code);
    ASSERT_GE(cc, pc.first_city_code) << city.regions[r].code;
    ASSERT_LE(cc, pc.last_city_code) << city.regions[r].code;
  }
}

TEST(ProvinceGeneratorTest, PackLoadsAndRoutesAPointInEveryCity) {
  const Province& p = SmallProvince();
  const std::string dir = UniqueTempDir("province");
  absl::StatusOr<PackStats> written =
      WriteCityPack(p.city, {.out_dir = dir, .num_points = 100, .num_events = 200});
  ASSERT_TRUE(written.ok()) << written.status();
  LoadOptions load;
  load.require_checksums = true;
  absl::StatusOr<std::shared_ptr<const Snapshot>> s = LoadPack(dir, load);
  ASSERT_TRUE(s.ok()) << s.status();
  // The one warning a generated city has too: the local category 0901 that
  // no rule covers (GENERATOR.md).
  ASSERT_EQ((*s)->warnings().size(), 1u);
  EXPECT_NE((*s)->warnings()[0].find("event:0901"), std::string::npos);
  ASSERT_EQ((*s)->num_grids(), 3000u);
  const Hierarchy& h = (*s)->hierarchy();
  const Router router(*s);
  for (size_t c = 0; c < p.cities.size(); ++c) {
    const ProvinceCity& pc = p.cities[c];
    // The seed of the city's first grid without a hole (a hole is centred on
    // its host's seed) is inside that grid.
    size_t g = pc.first_grid;
    while (p.city.grids[g].num_rings != 1) ++g;
    Event e;
    e.x = p.city.grids[g].seed.lon / 1e7;
    e.y = p.city.grids[g].seed.lat / 1e7;
    e.category = "0102";  // 暴露垃圾: every city rule table covers it
    e.urgency = "normal";
    e.reported_at = absl::FromUnixSeconds(1'780'000'000);  // 2026-05-28
    Decision d;
    const absl::Status st = router.Route(e, {}, &d);
    ASSERT_TRUE(st.ok()) << "city " << c << ": " << st;
    ASSERT_EQ(d.outcome, Outcome::kRouted) << "city " << c;
    EXPECT_EQ((*s)->grid_code(d.location.grid), p.city.GridCode(g)) << "city " << c;
    ASSERT_EQ(d.chain.size(), 3u);
    ASSERT_GE(d.chain[0], 0);
    const int cc = CityCodeOf(h.region(d.chain[0]).code);
    EXPECT_GE(cc, pc.first_city_code) << "city " << c;
    EXPECT_LE(cc, pc.last_city_code) << "city " << c;
    EXPECT_GE(d.lead, 0) << "city " << c;
  }
  // A point in the gap between cities 0 and 1 is outside coverage.
  Event gap;
  gap.x = (p.cities[0].bbox_max.lon + p.cities[1].bbox_min.lon) / 2 / 1e7;
  gap.y = (p.cities[0].bbox_min.lat + p.cities[0].bbox_max.lat) / 2 / 1e7;
  gap.category = "0102";
  gap.urgency = "normal";
  gap.reported_at = absl::FromUnixSeconds(1'780'000'000);
  Decision d;
  ASSERT_TRUE(router.Route(gap, {}, &d).ok());
  EXPECT_EQ(d.outcome, Outcome::kOutsideCoverage);
}

TEST(ProvinceGeneratorTest, OneCityIsTheCity) {
  ProvinceOptions o;
  o.num_grids = 500;
  o.num_cities = 1;
  o.seed = 3;
  absl::StatusOr<Province> p = GenerateProvince(o);
  ASSERT_TRUE(p.ok()) << p.status();
  absl::StatusOr<City> c = GenerateCity({.num_grids = 500, .seed = 3});
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(p->city.grids.size(), c->grids.size());
  EXPECT_EQ(p->city.num_cities, 1);
  for (size_t g = 0; g < c->grids.size(); ++g) {
    ASSERT_EQ(p->city.GridCode(g), c->GridCode(g));
  }
  EXPECT_EQ(p->city.vertices, c->vertices);
}

TEST(ProvinceGeneratorTest, RejectsBadOptions) {
  ProvinceOptions o;
  o.num_cities = 0;
  EXPECT_EQ(GenerateProvince(o).status().code(), absl::StatusCode::kInvalidArgument);
  o.num_cities = kMaxCities + 1;
  EXPECT_EQ(GenerateProvince(o).status().code(), absl::StatusCode::kInvalidArgument);
  o.num_cities = 3;
  o.num_grids = 2;  // fewer grids than cities
  EXPECT_EQ(GenerateProvince(o).status().code(), absl::StatusCode::kInvalidArgument);
  o.num_grids = kMaxProvinceGrids + 1;
  EXPECT_EQ(GenerateProvince(o).status().code(), absl::StatusCode::kInvalidArgument);
  o.num_cities = 2;
  o.num_grids = 2 * kMaxGrids + 1;  // more than kMaxGrids a city
  EXPECT_EQ(GenerateProvince(o).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gridroute::gen

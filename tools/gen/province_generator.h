// Copyright 2026 gridroute authors.
//
// Synthetic province: K cities side by side, written as one pack (see
// GENERATOR.md, "Provinces"). Each city is a GenerateCity() of its own seed
// and share of the grids; the cities are moved east in whole 1e-7 degree
// steps so that their bounding boxes are 2 km apart, and their district codes
// start at a fresh city code (32CC..), so every region and grid code is
// unique across the province and its first four digits name its city.
//
//   ProvinceOptions options;
//   options.num_grids = 10'000'000;
//   options.num_cities = 5;
//   ASSIGN_OR_RETURN(Province p, GenerateProvince(options));
//   RETURN_IF_ERROR(WriteCityPack(p.city, {.out_dir = "/tmp/province"}).status());
//
// The result is one City (num_cities = K), so WriteCityPack writes it and the
// routing files (one department tree, rule catalogue and calendar for the
// whole province; district units per district of every city) unchanged.
//
// Determinism: a pure function of the options, like GenerateCity. With
// num_cities = 1 the result is exactly GenerateCity's city.
// Cost: time O(N); the cities are generated one at a time (one Voronoi
// diagram alive), so memory is the merged geometry, O(N), plus one city's
// diagram. WriteCityPack then holds the routing data beside it, which is the
// peak of `gridroute-gen` (figures: GENERATOR.md, "Measured").
// Thread-safety: reentrant; a Province is immutable once returned.
#ifndef GRIDROUTE_TOOLS_GEN_PROVINCE_GENERATOR_H_
#define GRIDROUTE_TOOLS_GEN_PROVINCE_GENERATOR_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gen/city_generator.h"

namespace gridroute::gen {

// Largest province: 16 cities, 12,000,000 grids. District codes are 32CCDD
// with CC 05..99 and DD 01..50, each city starting at a fresh CC: 12M grids
// make ~3,100 districts, ~63 of the 95 city codes plus each city's partly
// used last one, which leaves room for the random chunk sizes.
inline constexpr int kMaxCities = 16;
inline constexpr int64_t kMaxProvinceGrids = 12'000'000;
// Districts per city code in a province (DD 01..50).
inline constexpr int kProvinceDistrictsPerCityCode = 50;
// Gap between neighbouring cities' bounding boxes, metres.
inline constexpr double kCityGapM = 2000.0;

struct ProvinceOptions {
  // Total grids, split evenly (the first num_grids % num_cities cities get
  // one more). 1..kMaxProvinceGrids, and at most kMaxGrids a city.
  int64_t num_grids = 2000;
  // 1..kMaxCities; each city gets at least one grid.
  int num_cities = 1;
  // City c is generated with seed + c * 0x9E3779B97F4A7C15 (city 0: seed).
  uint64_t seed = 1;
  // Centre of city 0; the others follow to the east.
  double center_lon_deg = 120.62;
  double center_lat_deg = 31.30;
  // As CityOptions::on_phase_done, prefixed with the city ("city2 voronoi").
  std::function<void(absl::string_view phase)> on_phase_done;
};

// Where city c ended up in the merged City.
struct ProvinceCity {
  int64_t num_grids = 0;
  uint64_t seed = 0;
  int first_city_code = 5;  // its district codes are 32CCDD, CC in
  int last_city_code = 5;   // [first_city_code, last_city_code]
  size_t first_region = 0, end_region = 0;  // City::regions range
  size_t first_grid = 0, end_grid = 0;      // City::grids range
  LonLatE7 bbox_min, bbox_max;              // of its vertices, after the move
};

struct Province {
  City city;  // all cities merged; city.num_cities = K
  std::vector<ProvinceCity> cities;
};

// InvalidArgument names the bad option (or the codes that ran out).
absl::StatusOr<Province> GenerateProvince(const ProvinceOptions& options);

}  // namespace gridroute::gen

#endif  // GRIDROUTE_TOOLS_GEN_PROVINCE_GENERATOR_H_

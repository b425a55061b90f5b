// Copyright 2026 gridroute authors.
#include "gen/province_generator.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace gridroute::gen {
namespace {

absl::Status CheckOptions(const ProvinceOptions& o) {
  if (o.num_cities < 1 || o.num_cities > kMaxCities) {
    return absl::InvalidArgumentError(
        absl::StrCat("num_cities must be in [1, ", kMaxCities, "], got ", o.num_cities));
  }
  const int64_t max_grids =
      o.num_cities == 1 ? kMaxGrids : std::min(kMaxProvinceGrids, o.num_cities * kMaxGrids);
  if (o.num_grids < o.num_cities || o.num_grids > max_grids) {
    return absl::InvalidArgumentError(absl::StrCat(
        "num_grids must be in [", o.num_cities, ", ", max_grids, "] for ", o.num_cities,
        " cities (at most ", kMaxGrids, " a city, ", kMaxProvinceGrids, " in all), got ",
        o.num_grids));
  }
  return absl::OkStatus();
}

// The CC of a district code "32CCDD".
int CityCode(const std::string& district_code) {
  int cc = 0;
  (void)absl::SimpleAtoi(district_code.substr(2, 2), &cc);
  return cc;
}

// 1e-7 degree steps of longitude per metre at latitude `lat_deg` (WGS-84
// prime-vertical radius, as the city's projection).
double E7PerMetreLon(double lat_deg) {
  const double phi = lat_deg * M_PI / 180.0;
  const double a = 6378137.0, f = 1.0 / 298.257223563, e2 = f * (2 - f);
  const double n = a / std::sqrt(1 - e2 * std::sin(phi) * std::sin(phi));
  return 1e7 * 180.0 / (M_PI * n * std::cos(phi));
}

// Appends `part` to `out`, every longitude moved by `shift` (1e-7 degree),
// and every index rebased. A translation in whole lattice steps keeps each
// ring exactly as valid as it was (the city's checks are exact integer
// tests), and the local projection's scale depends on latitude only.
void Append(City&& part, int64_t shift, City* out) {
  const auto region_base = static_cast<int32_t>(out->regions.size());
  const auto ring_base = static_cast<uint32_t>(out->rings.size());
  const auto ring_vertex_base = static_cast<uint32_t>(out->ring_vertices.size());
  const auto vertex_base = static_cast<uint32_t>(out->vertices.size());
  for (Region& r : part.regions) {
    if (r.parent >= 0) r.parent += region_base;
    out->regions.push_back(std::move(r));
  }
  for (Grid g : part.grids) {
    g.community += region_base;
    g.first_ring += ring_base;
    g.seed.lon += shift;
    out->grids.push_back(g);
  }
  for (Ring r : part.rings) {
    r.begin += ring_vertex_base;
    out->rings.push_back(r);
  }
  for (uint32_t v : part.ring_vertices) out->ring_vertices.push_back(v + vertex_base);
  for (LonLatE7 v : part.vertices) out->vertices.push_back({v.lon + shift, v.lat});
  GenerationStats& s = out->stats;
  const GenerationStats& p = part.stats;
  s.lattice_points += p.lattice_points;
  s.voronoi_sites += p.voronoi_sites;
  s.attempts = std::max(s.attempts, p.attempts);
  s.rejittered_seeds += p.rejittered_seeds;
  s.merged_vertices += p.merged_vertices;
  s.ponds += p.ponds;
  s.exclaves += p.exclaves;
}

}  // namespace

absl::StatusOr<Province> GenerateProvince(const ProvinceOptions& options) {
  RETURN_IF_ERROR(CheckOptions(options));
  const int k = options.num_cities;
  const int64_t gap_e7 = std::llround(kCityGapM * E7PerMetreLon(options.center_lat_deg));
  Province province;
  City& merged = province.city;
  int next_code = 5;
  int64_t next_west = 0;  // westmost longitude allowed for the next city
  for (int c = 0; c < k; ++c) {
    CityOptions co;
    co.num_grids = options.num_grids / k + (c < options.num_grids % k ? 1 : 0);
    co.seed = options.seed + static_cast<uint64_t>(c) * 0x9E3779B97F4A7C15ULL;
    co.center_lon_deg = options.center_lon_deg;
    co.center_lat_deg = options.center_lat_deg;
    if (k > 1) {
      co.first_city_code = next_code;
      co.districts_per_city_code = kProvinceDistrictsPerCityCode;
    }
    if (co.first_city_code > 99) {
      return absl::InvalidArgumentError(
          absl::StrCat("num_grids: city codes 05..99 ran out at city ", c));
    }
    if (options.on_phase_done) {
      co.on_phase_done = [&options, c, k](absl::string_view phase) {
        options.on_phase_done(k > 1 ? absl::StrCat("city", c, " ", phase) : std::string(phase));
      };
    }
    ASSIGN_OR_RETURN(City city, GenerateCity(co));
    if (k == 1) {
      province.cities.push_back({co.num_grids, co.seed, 5, 5, 0, city.regions.size(), 0,
                                 city.grids.size(), city.bbox_min, city.bbox_max});
      province.cities.back().last_city_code = CityCode(city.regions.back().code);
      province.city = std::move(city);
      return province;
    }
    const int64_t shift = c == 0 ? 0 : next_west - city.bbox_min.lon;
    if (city.bbox_max.lon + shift > 1'800'000'000) {
      return absl::InvalidArgumentError(
          absl::StrCat("center_lon: city ", c, " would reach past 180 degrees east"));
    }
    ProvinceCity pc;
    pc.num_grids = co.num_grids;
    pc.seed = co.seed;
    pc.first_city_code = co.first_city_code;
    pc.last_city_code = CityCode(city.regions.back().code);
    pc.first_region = merged.regions.size();
    pc.first_grid = merged.grids.size();
    pc.bbox_min = {city.bbox_min.lon + shift, city.bbox_min.lat};
    pc.bbox_max = {city.bbox_max.lon + shift, city.bbox_max.lat};
    if (c == 0) {
      merged.options = city.options;
      merged.options.num_grids = options.num_grids;
      merged.options.seed = options.seed;
    }
    Append(std::move(city), shift, &merged);
    pc.end_region = merged.regions.size();
    pc.end_grid = merged.grids.size();
    next_code = pc.last_city_code + 1;
    next_west = pc.bbox_max.lon + gap_e7;
    province.cities.push_back(pc);
  }
  merged.num_cities = k;
  merged.ComputeBbox();
  return province;
}

}  // namespace gridroute::gen

// Copyright 2026 gridroute authors.
//
// gridroute-gen: writes a synthetic city pack (see GENERATOR.md).
//
//   gridroute-gen --grids 200000 --seed 1 --out /tmp/city --events 100000
//   gridroute-gen --grids 10000000 --cities 5 --seed 1 --out /tmp/province
//   gridroute-gen --ring-vertices 1000000 --out /tmp/stress
//
// Flags follow tools/common/cli.h: --center-lon or --center_lon (the
// underscore spellings stay). Exit codes: 0 success, 2 bad flags, 1
// generation or write failure.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/cli.h"
#include "gen/city_generator.h"
#include "gen/province_generator.h"
#include "gen/stress_city.h"

ABSL_FLAG(int64_t, grids, 0,
          "number of unit grids to generate (required; 1..5000000 for one city, "
          "up to 12000000 for a province of --cities)");
ABSL_FLAG(int32_t, cities, 1,
          "a province of this many cities (1..16) side by side, --grids split "
          "evenly; 1: one city (see GENERATOR.md, \"Provinces\")");
ABSL_FLAG(uint64_t, seed, 1, "random seed; the same seed gives identical files");
ABSL_FLAG(std::string, out, "", "output directory (required; created if missing)");
ABSL_FLAG(int64_t, points, 100000, "rows of points.csv (query points over the bounding box)");
ABSL_FLAG(int64_t, events, 100000, "rows of events.csv (routing input beside the pack)");
ABSL_FLAG(double, center_lon, 120.62, "city centre longitude, WGS-84 degrees");
ABSL_FLAG(double, center_lat, 31.30, "city centre latitude, WGS-84 degrees");
ABSL_FLAG(int64_t, ring_vertices, 0,
          "stress pack instead of --grids: one grid whose outer ring is a star "
          "of this many vertices (4..8000000; see GENERATOR.md)");
ABSL_FLAG(double, ring_spike_depth, 0,
          "with --ring-vertices: depth of the star's teeth as a fraction of its "
          "radius, 0..0.5 (0: two vertex spacings, a finely toothed circle; "
          "0.1: long thin spikes)");
ABSL_FLAG(int64_t, holes, 0,
          "stress pack instead of --grids: one grid with this many square "
          "holes (0..2000000), inside a square or the --ring-vertices star");

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

int UsageError(const std::string& message) {
  return gridroute::cli::UsageError("gridroute-gen", message);
}

// What was written, on stdout.
void PrintSummary(const gridroute::gen::City& city, const gridroute::gen::PackStats& w,
                  uint64_t seed, const std::string& out, int64_t points, int64_t events) {
  int64_t counts[3] = {0, 0, 0};
  for (const auto& region : city.regions) ++counts[static_cast<int>(region.level)];
  int64_t multipolygons = 0;
  for (size_t g = 0; g < city.grids.size(); ++g) {
    multipolygons += city.NumPolygons(g) > 1 ? 1 : 0;
  }
  const auto& s = city.stats;
  std::printf("gridroute-gen: seed %llu, %lld grids -> %s\n",
              static_cast<unsigned long long>(seed),
              static_cast<long long>(city.grids.size()), out.c_str());
  std::printf("  hierarchy : %lld districts, %lld streets, %lld communities\n",
              static_cast<long long>(counts[0]), static_cast<long long>(counts[1]),
              static_cast<long long>(counts[2]));
  std::printf("  geometry  : %lld vertices, %lld rings, %lld ponds, %lld exclaves "
              "(%lld multipolygons)\n",
              static_cast<long long>(city.vertices.size()),
              static_cast<long long>(city.rings.size()),
              static_cast<long long>(s.ponds), static_cast<long long>(s.exclaves),
              static_cast<long long>(multipolygons));
  std::printf("  voronoi   : %lld sites, %lld attempt(s), %lld re-jittered seeds, "
              "%lld merged vertices\n",
              static_cast<long long>(s.voronoi_sites),
              static_cast<long long>(s.attempts),
              static_cast<long long>(s.rejittered_seeds),
              static_cast<long long>(s.merged_vertices));
  std::printf("  bbox      : %.7f,%.7f .. %.7f,%.7f\n", city.bbox_min.lon / 1e7,
              city.bbox_min.lat / 1e7, city.bbox_max.lon / 1e7,
              city.bbox_max.lat / 1e7);
  std::printf("  files     : manifest %lld B, regions %lld B, grids %lld B, "
              "points %lld B (%lld rows)\n",
              static_cast<long long>(w.manifest_bytes),
              static_cast<long long>(w.regions_bytes),
              static_cast<long long>(w.grids_bytes),
              static_cast<long long>(w.points_bytes),
              static_cast<long long>(points));
  std::printf("  routing   : %lld rules, %lld team rows, %lld components, "
              "%lld layers, %lld events\n",
              static_cast<long long>(w.num_rules),
              static_cast<long long>(w.num_team_rows),
              static_cast<long long>(w.num_components),
              static_cast<long long>(w.num_layers),
              static_cast<long long>(events));
  std::printf("  bytes     : departments %lld, categories %lld, rules %lld, "
              "teams %lld, components %lld, layers %lld, calendar %lld, "
              "events %lld\n",
              static_cast<long long>(w.departments_bytes),
              static_cast<long long>(w.categories_bytes),
              static_cast<long long>(w.rules_bytes),
              static_cast<long long>(w.teams_bytes),
              static_cast<long long>(w.components_bytes),
              static_cast<long long>(w.layers_bytes),
              static_cast<long long>(w.calendar_bytes),
              static_cast<long long>(w.events_bytes));
}

// One line per city of a province (nothing for a single city).
void PrintCities(const std::vector<gridroute::gen::ProvinceCity>& cities) {
  if (cities.size() < 2) return;
  for (size_t c = 0; c < cities.size(); ++c) {
    const gridroute::gen::ProvinceCity& pc = cities[c];
    std::printf("  city %-4zu : %lld grids, districts 32%02d..32%02d, bbox %.7f,%.7f .. "
                "%.7f,%.7f\n",
                c, static_cast<long long>(pc.num_grids), pc.first_city_code,
                pc.last_city_code, pc.bbox_min.lon / 1e7, pc.bbox_min.lat / 1e7,
                pc.bbox_max.lon / 1e7, pc.bbox_max.lat / 1e7);
  }
}

// The stress pack, the city or the province the flags ask for.
absl::StatusOr<gridroute::gen::City> Generate(
    const gridroute::gen::CityOptions& options, bool stress, int64_t ring_vertices,
    int64_t holes, int32_t cities, std::vector<gridroute::gen::ProvinceCity>* cities_info) {
  if (stress) {
    gridroute::gen::StressCityOptions so;
    so.ring_vertices = ring_vertices != 0 ? ring_vertices : 4;
    so.holes = holes;
    so.spike_depth = absl::GetFlag(FLAGS_ring_spike_depth);
    so.seed = options.seed;
    so.center_lon_deg = options.center_lon_deg;
    so.center_lat_deg = options.center_lat_deg;
    return gridroute::gen::GenerateStressCity(so);
  }
  gridroute::gen::ProvinceOptions po;
  po.num_grids = options.num_grids;
  po.num_cities = cities;
  po.seed = options.seed;
  po.center_lon_deg = options.center_lon_deg;
  po.center_lat_deg = options.center_lat_deg;
  po.on_phase_done = options.on_phase_done;
  absl::StatusOr<gridroute::gen::Province> province = gridroute::gen::GenerateProvince(po);
  if (!province.ok()) return province.status();
  *cities_info = std::move(province->cities);
  return std::move(province->city);
}

}  // namespace

int main(int argc, char** argv) {
  gridroute::cli::SetUsage(
      "Writes a synthetic city pack (manifest.json, regions.csv, "
      "grids.geojson, departments.csv, categories.csv, rules.csv, teams.csv, "
      "components.csv, layers.geojson, calendar.json) with points.csv and "
      "events.csv beside it.\n"
      "Usage: gridroute-gen --grids N --seed S --out DIR [--points K] "
      "[--events K] [--cities C]\n"
      "       gridroute-gen --ring-vertices N [--holes H] --out DIR ... "
      "(one-grid stress pack)");
  std::vector<char*> positional = gridroute::cli::ParseFlags(argc, argv);
  if (positional.size() > 1) {
    return UsageError(absl::StrCat("unexpected argument '", positional[1],
                                   "' (flags are --name=value)"));
  }
  const int64_t grids = absl::GetFlag(FLAGS_grids);
  const int64_t points = absl::GetFlag(FLAGS_points);
  const int64_t events = absl::GetFlag(FLAGS_events);
  const std::string out = absl::GetFlag(FLAGS_out);
  const int64_t ring_vertices = absl::GetFlag(FLAGS_ring_vertices);
  const int64_t holes = absl::GetFlag(FLAGS_holes);
  const bool stress = ring_vertices != 0 || holes != 0;
  if (stress && grids != 0) {
    return UsageError("--ring-vertices/--holes make a one-grid pack: drop --grids");
  }
  const int32_t cities = absl::GetFlag(FLAGS_cities);
  if (cities < 1 || cities > gridroute::gen::kMaxCities) {
    return UsageError(absl::StrCat("--cities must be in [1, ", gridroute::gen::kMaxCities,
                                   "], got ", cities));
  }
  if (stress && cities != 1) {
    return UsageError("--ring-vertices/--holes make a one-grid pack: drop --cities");
  }
  const int64_t max_grids =
      cities == 1 ? gridroute::gen::kMaxGrids
                  : std::min<int64_t>(gridroute::gen::kMaxProvinceGrids,
                                      cities * gridroute::gen::kMaxGrids);
  if (!stress && (grids < cities || grids > max_grids)) {
    return UsageError(absl::StrCat("--grids must be in [", cities, ", ", max_grids,
                                   "] with --cities ", cities, ", got ", grids));
  }
  if (out.empty()) return UsageError("--out DIR is required");
  if (points < 0) {
    return UsageError(absl::StrCat("--points must be >= 0, got ", points));
  }
  if (events < 0) {
    return UsageError(absl::StrCat("--events must be >= 0, got ", events));
  }

  gridroute::gen::CityOptions options;
  options.num_grids = grids;
  options.seed = absl::GetFlag(FLAGS_seed);
  options.center_lon_deg = absl::GetFlag(FLAGS_center_lon);
  options.center_lat_deg = absl::GetFlag(FLAGS_center_lat);
  std::vector<std::pair<std::string, double>> phases;
  const Clock::time_point start = Clock::now();
  Clock::time_point last = start;
  options.on_phase_done = [&](absl::string_view phase) {
    const Clock::time_point now = Clock::now();
    phases.emplace_back(std::string(phase), Seconds(last, now));
    last = now;
  };
  std::vector<gridroute::gen::ProvinceCity> cities_info;  // a province's cities
  absl::StatusOr<gridroute::gen::City> city =
      Generate(options, stress, ring_vertices, holes, cities, &cities_info);
  if (!city.ok()) {
    std::fprintf(stderr, "gridroute-gen: %s\n", city.status().ToString().c_str());
    return city.status().code() == absl::StatusCode::kInvalidArgument
               ? gridroute::cli::kExitUsage
               : gridroute::cli::kExitFailure;
  }
  const Clock::time_point generated = Clock::now();
  absl::StatusOr<gridroute::gen::PackStats> written =
      gridroute::gen::WriteCityPack(*city, {.out_dir = out, .num_points = points, .num_events = events});
  if (!written.ok()) {
    return gridroute::cli::Failure("gridroute-gen", written.status().ToString());
  }
  const Clock::time_point done = Clock::now();

  PrintSummary(*city, *written, options.seed, out, points, events);
  PrintCities(cities_info);
  for (const std::string& note : gridroute::gen::DefaultLimitNotes(*written)) {
    std::fprintf(stderr, "gridroute-gen: note: %s\n", note.c_str());
  }
  std::string timing;
  for (const auto& [phase, seconds] : phases) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), " %s %.2fs,", phase.c_str(), seconds);
    timing += buf;
  }
  std::printf("  timings   :%s generate %.2fs, write %.2fs, total %.2fs\n",
              timing.c_str(), Seconds(start, generated), Seconds(generated, done),
              Seconds(start, done));
  return 0;
}

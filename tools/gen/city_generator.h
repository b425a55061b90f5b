// Copyright 2026 gridroute authors.
//
// Synthetic city generator: N unit grids of ~10,000 m² that tile an irregular
// city outline without gaps or overlaps, grouped district → street →
// community, written as a "gridroute-pack" v1 (see GENERATOR.md).
//
//   CityOptions options;
//   options.num_grids = 2000;
//   options.seed = 1;
//   ASSIGN_OR_RETURN(City city, GenerateCity(options));
//   RETURN_IF_ERROR(WriteCityPack(city, {.out_dir = "/tmp/city"}).status());
//
// The output is a pure function of CityOptions (no threads, no
// std::random_device, no hash-map iteration, portable integer distributions):
// the same options give byte-identical files from the same binary.
//
// Cost: time and memory O(N), mostly Boost's Voronoi diagram (figures:
// GENERATOR.md, "Measured").
// Thread-safety: the functions are reentrant; a City is immutable after
// GenerateCity returns and may be read from many threads.
#ifndef GRIDROUTE_TOOLS_GEN_CITY_GENERATOR_H_
#define GRIDROUTE_TOOLS_GEN_CITY_GENERATOR_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gridroute::gen {

// Largest --grids accepted: district codes have two digits for the city
// (05..99) and two for the district (01..20), i.e. ~1,900 districts.
inline constexpr int64_t kMaxGrids = 5'000'000;

struct CityOptions {
  // Exactly this many grids come out. 1..kMaxGrids.
  int64_t num_grids = 2000;
  // Seeds every random choice (jitter, outline, hierarchy, names, holes,
  // points).
  uint64_t seed = 1;
  // Centre of the city in WGS-84 degrees (default: Suzhou). Metres are mapped
  // to degrees with a local equirectangular projection around this point.
  double center_lon_deg = 120.62;
  double center_lat_deg = 31.30;
  // Target mean grid area in m²; the lattice spacing is its square root.
  double grid_area_m2 = 10000.0;
  // Seed jitter as a fraction of the lattice spacing, in each axis. Larger
  // values give more irregular grids; must stay below 0.5 (no duplicate seeds).
  double jitter_fraction = 0.35;
  // Fraction of grids that get a hole (half ponds, half exclaves). For
  // N >= 1000 at least 4 holes are made (>= 2 exclaves, >= 2 ponds); for
  // 100 <= N < 1000, one of each.
  double hole_fraction = 0.001;
  // District codes are 32CCDD: CC runs from first_city_code (05..99), DD
  // 01..districts_per_city_code, then the next CC. The defaults give today's
  // single city; a province (province_generator.h) starts each city at a
  // fresh CC with 50 districts a code, so that codes are unique across its
  // cities. InvalidArgument if the districts do not fit below CC 99.
  int first_city_code = 5;
  int districts_per_city_code = 20;
  // Called after each phase with its name ("lattice", "voronoi", "rings",
  // "hierarchy", "holes"); the CLI uses it to print timings. May be empty.
  std::function<void(absl::string_view phase)> on_phase_done{};
};

// A WGS-84 position in units of 1e-7 degree (exactly what the files hold).
struct LonLatE7 {
  int64_t lon = 0;
  int64_t lat = 0;
  friend bool operator==(const LonLatE7& a, const LonLatE7& b) {
    return a.lon == b.lon && a.lat == b.lat;
  }
};

enum class RegionLevel : uint8_t { kDistrict = 0, kStreet = 1, kCommunity = 2 };

// "district", "street" or "community" (the manifest's level names).
absl::string_view RegionLevelName(RegionLevel level);

struct Region {
  std::string code;  // 6 (district), 9 (street) or 12 (community) digits
  std::string name;  // e.g. "金湖区", "东安街道", "新桥社区"
  RegionLevel level = RegionLevel::kDistrict;
  int32_t parent = -1;  // index into City::regions; -1 for districts
};

// A ring is `size` indices into City::ring_vertices starting at `begin`; it is
// open (the first vertex is not repeated). Outer rings are counter-clockwise,
// holes clockwise (RFC 7946).
struct Ring {
  uint32_t begin = 0;
  uint32_t size = 0;
  bool is_hole = false;
};

// A grid is City::rings[first_ring, first_ring + num_rings): each polygon is
// one outer ring followed by its holes. More than one outer ring means a
// MultiPolygon.
struct Grid {
  int32_t community = -1;  // index into City::regions
  int32_t sequence = 0;    // 1.. inside the community, west→east, north→south
  uint32_t first_ring = 0;
  uint32_t num_rings = 0;
  LonLatE7 seed;  // the Voronoi seed, a point inside the first polygon
};

struct GenerationStats {
  int64_t lattice_points = 0;   // jittered lattice points considered
  int64_t voronoi_sites = 0;    // sites given to Boost.Polygon (N + margin)
  int64_t attempts = 0;         // 1 unless degenerate cells were re-jittered
  int64_t rejittered_seeds = 0;
  int64_t merged_vertices = 0;  // Voronoi vertices merged into a neighbour
                                // closer than 2e-7 degree after rounding
  int64_t ponds = 0;            // holes left empty (outside coverage)
  int64_t exclaves = 0;         // holes filled by another grid's second part
};

struct City {
  CityOptions options;
  // Districts, streets, communities in ascending code order (a parent always
  // precedes its children).
  std::vector<Region> regions;
  // In ascending code order.
  std::vector<Grid> grids;
  std::vector<Ring> rings;
  std::vector<uint32_t> ring_vertices;  // indices into `vertices`
  // Every distinct vertex once: neighbouring grids share vertex indices, so
  // shared edges have identical coordinates.
  std::vector<LonLatE7> vertices;
  LonLatE7 bbox_min, bbox_max;  // of all vertices
  GenerationStats stats;
  // 1 for a city; K for a province of K cities (province_generator.h), which
  // the manifest's name and version then say.
  int num_cities = 1;

  // 15 digits: community code + 3-digit sequence.
  std::string GridCode(size_t grid) const;
  // Community name + "第NNN网格".
  std::string GridName(size_t grid) const;
  const std::string& GridParent(size_t grid) const {
    return regions[grids[grid].community].code;
  }
  // Number of outer rings (1 = Polygon, 2+ = MultiPolygon).
  int NumPolygons(size_t grid) const;
  // Sets bbox_min/bbox_max from `vertices`.
  void ComputeBbox();
  LonLatE7 RingVertex(const Ring& ring, uint32_t k) const {
    return vertices[ring_vertices[ring.begin + k]];
  }
};

// Builds the city. InvalidArgument names the bad option; Internal if the
// geometry could not be made valid (never observed; see GENERATOR.md).
absl::StatusOr<City> GenerateCity(const CityOptions& options);

struct PackOptions {
  // Created if missing; existing pack files in it are overwritten.
  std::string out_dir;
  // Rows of points.csv: uniform over the city's bounding box, so some fall
  // outside coverage. >= 0.
  int64_t num_points = 100000;
  // Rows of events.csv (routing input beside the pack; see GENERATOR.md).
  // >= 0.
  int64_t num_events = 100000;
};

struct PackStats {
  int64_t manifest_bytes = 0;
  int64_t regions_bytes = 0;
  int64_t grids_bytes = 0;
  int64_t points_bytes = 0;
  // Routing files (routing_generator.h) and events.csv.
  int64_t departments_bytes = 0;
  int64_t categories_bytes = 0;
  int64_t rules_bytes = 0;
  int64_t teams_bytes = 0;
  int64_t components_bytes = 0;
  int64_t layers_bytes = 0;
  int64_t calendar_bytes = 0;
  int64_t events_bytes = 0;
  int64_t num_rules = 0;
  int64_t num_team_rows = 0;
  int64_t num_components = 0;
  int64_t num_layers = 0;
};

// Writes manifest.json, regions.csv, grids.geojson and points.csv into
// options.out_dir, streaming (memory use does not grow with the file sizes),
// and the routing files of a pack that routes (departments.csv,
// categories.csv, rules.csv, teams.csv, components.csv, layers.geojson,
// calendar.json; see routing_generator.h) plus events.csv. The routing data
// (mostly ~2 components per grid, 48 B each) is held while writing.
absl::StatusOr<PackStats> WriteCityPack(const City& city,
                                        const PackOptions& options);

// One line per written file larger than the loader's default limit
// (PackLimits{}, PACK.md "Limits"), e.g. a 10M-grid province's grids.geojson
// (~3.4 GB > 3 GiB): such a pack loads only with raised LoadOptions::limits.
// Empty when a default LoadPack takes every file.
std::vector<std::string> DefaultLimitNotes(const PackStats& stats);

}  // namespace gridroute::gen

#endif  // GRIDROUTE_TOOLS_GEN_CITY_GENERATOR_H_

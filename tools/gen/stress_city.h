// Copyright 2026 gridroute authors.
//
// Stress cities: one grid whose polygon is as large as a hostile or careless
// pack makes it, to measure and guard the load-time geometry checks
// (snapshot/validate.h) and the index build (index/cell_locator.h).
//
//   StressCityOptions o;
//   o.ring_vertices = 1'000'000;  // the outer ring: a star of 1e6 vertices
//   o.holes = 100'000;            // and 1e5 square holes inside it
//   ASSIGN_OR_RETURN(City city, GenerateStressCity(o));
//   RETURN_IF_ERROR(WriteCityPack(city, {.out_dir = "/tmp/stress"}).status());
//
// Shapes (all valid, so the pack loads; outer ring CCW, holes CW):
// - the outer ring has `ring_vertices` vertices at strictly increasing angles
//   around the centre (R = 0.5°, ~50 km), radii alternating R and R - d:
//   simple because the angles increase; 4 gives a square. By default d is
//   two vertex spacings (a finely toothed circle, like a long digitised
//   boundary: short edges); `spike_depth` = 0.1 gives d = 0.1 R, a star of
//   long thin spikes, the worst case for box-filtered pair tests;
// - `holes` axis-aligned squares on an even k x k lattice (k² >= holes,
//   filled row by row) inside the square of half-diagonal 0.6 R, each half
//   its lattice spacing wide, so the centre (the grid's seed, and the only
//   point the fine star is star-shaped about) lies between holes.
// The generator gives every grid of a city a seed from which its outer ring
// is star-shaped (event and component sampling rely on it): the centre.
//
// Cost: O(ring_vertices + holes) time and memory (figures: GENERATOR.md,
// "Stress packs").
// Thread-safety: reentrant.
#ifndef GRIDROUTE_TOOLS_GEN_STRESS_CITY_H_
#define GRIDROUTE_TOOLS_GEN_STRESS_CITY_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "gen/city_generator.h"

namespace gridroute::gen {

// Largest ring_vertices / holes accepted: above the loader's per-ring
// vertex limit (PACK.md), so the limit's error can be produced too.
inline constexpr int64_t kMaxStressRingVertices = 8'000'000;
inline constexpr int64_t kMaxStressHoles = 2'000'000;

struct StressCityOptions {
  // Vertices of the outer ring, 4..kMaxStressRingVertices (4: a square).
  int64_t ring_vertices = 4;
  // Depth of the star's teeth as a fraction of R, in [0, 0.5]; 0: two
  // vertex spacings.
  double spike_depth = 0;
  // Square holes in the polygon, 0..kMaxStressHoles.
  int64_t holes = 0;
  // Used by the routing files WriteCityPack writes (CityOptions::seed).
  uint64_t seed = 1;
  double center_lon_deg = 120.62;
  double center_lat_deg = 31.30;
};

// One district, street and community and one grid with the shape above.
// InvalidArgument names an option out of range.
absl::StatusOr<City> GenerateStressCity(const StressCityOptions& options);

}  // namespace gridroute::gen

#endif  // GRIDROUTE_TOOLS_GEN_STRESS_CITY_H_

// Copyright 2026 gridroute authors.
#include "gen/stress_city.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace gridroute::gen {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int64_t kRadiusE7 = 5'000'000;  // R = 0.5 degree

void AddRing(City& city, const std::vector<LonLatE7>& pts, bool hole) {
  Ring ring{static_cast<uint32_t>(city.ring_vertices.size()),
            static_cast<uint32_t>(pts.size()), hole};
  for (const LonLatE7& p : pts) {
    city.ring_vertices.push_back(static_cast<uint32_t>(city.vertices.size()));
    city.vertices.push_back(p);
  }
  city.rings.push_back(ring);
}

// The depth d of the star's teeth in 1e-7 degree.
double Depth(int64_t n, double spike_depth) {
  return spike_depth > 0
             ? spike_depth * kRadiusE7
             : std::max(2.0, 4.0 * kPi * kRadiusE7 / static_cast<double>(n));
}

// The outer ring: a square for 4 vertices, else the alternating-radius star.
std::vector<LonLatE7> OuterRing(int64_t n, double spike_depth, LonLatE7 c) {
  std::vector<LonLatE7> pts;
  pts.reserve(n);
  if (n == 4) {
    for (const auto& [dx, dy] : {std::pair{-1, -1}, {1, -1}, {1, 1}, {-1, 1}}) {
      pts.push_back({c.lon + dx * kRadiusE7, c.lat + dy * kRadiusE7});
    }
    return pts;
  }
  const double depth = Depth(n, spike_depth);
  for (int64_t i = 0; i < n; ++i) {
    const double angle = 2.0 * kPi * static_cast<double>(i) / static_cast<double>(n);
    const double r = i % 2 == 0 ? kRadiusE7 : kRadiusE7 - depth;
    pts.push_back({c.lon + std::llround(r * std::cos(angle)),
                   c.lat + std::llround(r * std::sin(angle))});
  }
  return pts;
}

}  // namespace

absl::StatusOr<City> GenerateStressCity(const StressCityOptions& options) {
  if (options.ring_vertices < 4 ||
      options.ring_vertices > kMaxStressRingVertices) {
    return absl::InvalidArgumentError(
        absl::StrCat("ring_vertices must be in [4, ", kMaxStressRingVertices,
                     "], got ", options.ring_vertices));
  }
  if (!(options.spike_depth >= 0 && options.spike_depth <= 0.5)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "spike_depth must be in [0, 0.5], got ", options.spike_depth));
  }
  if (options.holes < 0 || options.holes > kMaxStressHoles) {
    return absl::InvalidArgumentError(absl::StrCat(
        "holes must be in [0, ", kMaxStressHoles, "], got ", options.holes));
  }
  if (!(options.center_lon_deg >= -170.0 && options.center_lon_deg <= 170.0) ||
      !(options.center_lat_deg >= -70.0 && options.center_lat_deg <= 70.0)) {
    return absl::InvalidArgumentError(
        "center must be within ±170° longitude, ±70° latitude");
  }
  City city;
  city.options.num_grids = 1;
  city.options.seed = options.seed;
  city.options.center_lon_deg = options.center_lon_deg;
  city.options.center_lat_deg = options.center_lat_deg;
  city.options.hole_fraction = 0;
  city.regions = {{"320501", "测试区", RegionLevel::kDistrict, -1},
                  {"320501001", "测试街道", RegionLevel::kStreet, 0},
                  {"320501001001", "测试社区", RegionLevel::kCommunity, 1}};
  const LonLatE7 c{std::llround(options.center_lon_deg * 1e7),
                   std::llround(options.center_lat_deg * 1e7)};
  Grid grid;
  grid.community = 2;
  grid.sequence = 1;
  grid.seed = c;
  city.vertices.reserve(options.ring_vertices + 4 * options.holes);
  city.ring_vertices.reserve(options.ring_vertices + 4 * options.holes);
  AddRing(city, OuterRing(options.ring_vertices, options.spike_depth, c),
          /*hole=*/false);
  // Holes on an even k x k lattice over [-h, h]^2: its corners are 0.6 of
  // the way to the nearest edge of the outer ring, at least
  // (R - d) cos(2 pi / n) from the centre.
  int64_t k = 2;
  while (k * k < options.holes) k += 2;
  const double inner = options.ring_vertices == 4
                           ? kRadiusE7
                           : (kRadiusE7 - Depth(options.ring_vertices, options.spike_depth)) *
                                 std::cos(2.0 * kPi / static_cast<double>(options.ring_vertices));
  const int64_t h = std::llround(0.6 * inner / std::sqrt(2.0));
  const int64_t step = 2 * h / k, half = step / 4;
  std::vector<LonLatE7> square(4);
  for (int64_t i = 0; i < options.holes; ++i) {
    const int64_t cx = c.lon - h + (i % k) * step + step / 2;
    const int64_t cy = c.lat - h + (i / k) * step + step / 2;
    // Clockwise.
    square[0] = {cx - half, cy - half};
    square[1] = {cx - half, cy + half};
    square[2] = {cx + half, cy + half};
    square[3] = {cx + half, cy - half};
    AddRing(city, square, /*hole=*/true);
  }
  grid.first_ring = 0;
  grid.num_rings = static_cast<uint32_t>(city.rings.size());
  city.grids.push_back(grid);
  city.ComputeBbox();
  return city;
}

}  // namespace gridroute::gen

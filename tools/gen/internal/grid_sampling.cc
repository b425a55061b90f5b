// Copyright 2026 gridroute authors.
#include "gen/internal/grid_sampling.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace gridroute::gen::internal {

bool StrictlyInsideGrid(const City& city, size_t g, LonLatE7 p) {
  const Grid& grid = city.grids[g];
  bool inside = false;
  for (uint32_t r = grid.first_ring; r < grid.first_ring + grid.num_rings;
       ++r) {
    const Ring& ring = city.rings[r];
    for (uint32_t i = 0, j = ring.size - 1; i < ring.size; j = i++) {
      const LonLatE7 a = city.RingVertex(ring, i);
      const LonLatE7 b = city.RingVertex(ring, j);
      const __int128 cross =
          static_cast<__int128>(b.lon - a.lon) * (p.lat - a.lat) -
          static_cast<__int128>(b.lat - a.lat) * (p.lon - a.lon);
      if (cross == 0 && std::min(a.lon, b.lon) <= p.lon &&
          p.lon <= std::max(a.lon, b.lon) && std::min(a.lat, b.lat) <= p.lat &&
          p.lat <= std::max(a.lat, b.lat)) {
        return false;  // on an edge
      }
      if ((a.lat > p.lat) != (b.lat > p.lat)) {
        // Crossing to the right of p: sign of cross relative to the edge's
        // direction in latitude.
        if ((b.lat > a.lat) ? cross > 0 : cross < 0) inside = !inside;
      }
    }
  }
  return inside;
}

LonLatE7 SampleInGrid(const City& city, size_t g, double max_fraction,
                      Rng& rng) {
  const Grid& grid = city.grids[g];
  const Ring& ring = city.rings[grid.first_ring];
  const uint32_t k = static_cast<uint32_t>(rng.Int(0, ring.size - 1));
  const LonLatE7 a = city.RingVertex(ring, k);
  const LonLatE7 b = city.RingVertex(ring, (k + 1) % ring.size);
  double u = rng.Unit(), v = rng.Unit();
  if (u + v > 1.0) u = 1.0 - u, v = 1.0 - v;
  u *= max_fraction;
  v *= max_fraction;
  const LonLatE7 s = grid.seed;
  return {s.lon + std::llround(u * static_cast<double>(a.lon - s.lon) +
                               v * static_cast<double>(b.lon - s.lon)),
          s.lat + std::llround(u * static_cast<double>(a.lat - s.lat) +
                               v * static_cast<double>(b.lat - s.lat))};
}

bool SampleStrictlyInsideGrid(const City& city, size_t g, Rng& rng,
                              LonLatE7* out) {
  for (int attempt = 0; attempt < 32; ++attempt) {
    const LonLatE7 p = SampleInGrid(city, g, 0.9, rng);
    if (StrictlyInsideGrid(city, g, p)) {
      *out = p;
      return true;
    }
  }
  return false;
}

}  // namespace gridroute::gen::internal

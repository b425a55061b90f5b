// Copyright 2026 gridroute authors.
#include "snapshot/validate.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "absl/strings/str_cat.h"
#include "geo/metric.h"
#include "index/box_index.h"

namespace gridroute {

std::string CleanRing(std::vector<IPoint>& ring) {
  if (ring.size() < 2 || !(ring.front() == ring.back())) {
    return "ring is not closed (first and last positions differ)";
  }
  ring.pop_back();
  size_t w = 0;
  for (size_t i = 0; i < ring.size(); ++i) {
    if (w > 0 && ring[w - 1] == ring[i]) continue;
    ring[w++] = ring[i];
  }
  while (w > 1 && ring[w - 1] == ring[0]) --w;
  ring.resize(w);
  if (ring.size() < 3) return "ring has fewer than 3 distinct vertices";
  const size_t n = ring.size();
  // Adjacent edges may only share their common vertex: a collinear reversal
  // (a spike) overlaps.
  for (size_t i = 0; i < n; ++i) {
    const IPoint a = ring[i], b = ring[(i + 1) % n], c = ring[(i + 2) % n];
    if (Orient(a, b, c) == 0) {
      const __int128 dot = static_cast<__int128>(b.x - a.x) * (c.x - b.x) +
                           static_cast<__int128>(b.y - a.y) * (c.y - b.y);
      if (dot < 0) {
        return absl::StrCat("ring self-intersects: edges ", i, " and ",
                            (i + 1) % n, " fold back on each other at vertex ",
                            (i + 1) % n);
      }
    }
  }
  if (n == 3) {
    return Orient(ring[0], ring[1], ring[2]) == 0
               ? "ring has zero area (all vertices collinear)"
               : "";
  }
  for (size_t i = 0; i < n; ++i) {
    const IPoint a = ring[i], b = ring[(i + 1) % n];
    for (size_t j = i + 2; j < n; ++j) {
      if (i == 0 && j == n - 1) continue;  // adjacent through the closing edge
      if (SegmentsIntersect(a, b, ring[j], ring[(j + 1) % n])) {
        return absl::StrCat("ring self-intersects: edges ", i, " and ", j,
                            " meet");
      }
    }
  }
  if (TwiceSignedArea(ring.data(), static_cast<uint32_t>(n)) == 0) {
    return "ring has zero area";
  }
  return "";
}

namespace {

// True unless an exact test proves the interiors of grids a and b disjoint.
bool MayOverlap(const GridGeometry& geo, uint32_t a, uint32_t b,
                std::vector<IPoint>& doubled, std::vector<uint32_t>& doubled_rb) {
  if (geo.box(a).min_x == geo.box(b).min_x && geo.box(a).max_x == geo.box(b).max_x &&
      geo.box(a).min_y == geo.box(b).min_y && geo.box(a).max_y == geo.box(b).max_y) {
    return true;
  }
  const uint32_t ar0 = geo.grid_ring_begin(a), ar1 = geo.grid_ring_begin(a + 1);
  const uint32_t br0 = geo.grid_ring_begin(b), br1 = geo.grid_ring_begin(b + 1);
  const IBox& bb = geo.box(b);
  // 1. Proper crossings (only edges of a that meet b's box can cross).
  for (uint32_t ra = ar0; ra < ar1; ++ra) {
    const IPoint* pa = geo.ring(ra);
    const uint32_t na = geo.ring_size(ra);
    for (uint32_t i = 0, j = na - 1; i < na; j = i++) {
      IBox eb;
      eb.Expand(pa[j]);
      eb.Expand(pa[i]);
      if (!eb.Intersects(bb)) continue;
      for (uint32_t rb = br0; rb < br1; ++rb) {
        const IPoint* pb = geo.ring(rb);
        const uint32_t nb = geo.ring_size(rb);
        for (uint32_t k = 0, l = nb - 1; k < nb; l = k++) {
          if (SegmentsCrossProperly(pa[j], pa[i], pb[l], pb[k])) return true;
        }
      }
    }
  }
  // 2. Vertices and edge midpoints strictly inside the other grid. Midpoints
  // are compared on the doubled lattice so they stay exact.
  auto strictly_inside = [&](uint32_t from, uint32_t into) {
    doubled.clear();
    doubled_rb.assign(1, 0);
    for (uint32_t r = geo.grid_ring_begin(into); r < geo.grid_ring_begin(into + 1); ++r) {
      const IPoint* p = geo.ring(r);
      for (uint32_t i = 0; i < geo.ring_size(r); ++i) {
        doubled.push_back({p[i].x * 2, p[i].y * 2});
      }
      doubled_rb.push_back(static_cast<uint32_t>(doubled.size()));
    }
    const uint32_t nr = static_cast<uint32_t>(doubled_rb.size() - 1);
    const IBox& ib = geo.box(into);
    for (uint32_t r = geo.grid_ring_begin(from); r < geo.grid_ring_begin(from + 1); ++r) {
      const IPoint* p = geo.ring(r);
      const uint32_t n = geo.ring_size(r);
      for (uint32_t i = 0, j = n - 1; i < n; j = i++) {
        if (ib.Contains(p[i]) &&
            ClassifyRings(doubled.data(), doubled_rb.data(), 0, nr,
                          {p[i].x * 2, p[i].y * 2}) == Side::kInside) {
          return true;
        }
        const IPoint mid2{p[i].x + p[j].x, p[i].y + p[j].y};
        if (ClassifyRings(doubled.data(), doubled_rb.data(), 0, nr, mid2) ==
            Side::kInside) {
          return true;
        }
      }
    }
    return false;
  };
  return strictly_inside(a, b) || strictly_inside(b, a);
}

}  // namespace

OverlapReport FindOverlaps(const GridGeometry& geometry, const Quantizer& q,
                           double tolerance_m2, int threads) {
  BoxIndex index(geometry.boxes());
  const uint32_t n = geometry.num_grids();
  threads = std::max(1, std::min<int>(threads, n / 1024 + 1));
  std::vector<OverlapReport> parts(threads);
  auto work = [&](int t) {
    OverlapReport& report = parts[t];
    std::vector<IPoint> doubled;
    std::vector<uint32_t> doubled_rb;
    // Interleaved blocks keep the threads' loads even.
    for (uint32_t block = t; block * 4096ull < n; block += threads) {
      const uint32_t end = std::min<uint32_t>(n, (block + 1) * 4096);
      for (uint32_t a = block * 4096; a < end; ++a) {
        index.VisitIntersecting(geometry.box(a), [&](uint32_t b) {
          if (b <= a) return;
          if (!MayOverlap(geometry, a, b, doubled, doubled_rb)) return;
          ++report.suspicious_pairs;
          const double area = IntersectionAreaM2(geometry, q, a, b);
          if (area > tolerance_m2) report.overlaps.push_back({a, b, area});
        });
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  OverlapReport all;
  for (auto& p : parts) {
    all.suspicious_pairs += p.suspicious_pairs;
    all.overlaps.insert(all.overlaps.end(), p.overlaps.begin(), p.overlaps.end());
  }
  std::sort(all.overlaps.begin(), all.overlaps.end(), [](const Overlap& x, const Overlap& y) {
    return x.a != y.a ? x.a < y.a : x.b < y.b;
  });
  return all;
}

double GridAreaM2(const GridGeometry& geometry, const Quantizer& q, uint32_t g) {
  const IBox& b = geometry.box(g);
  const MetricFrame frame(q, IPoint{b.min_x / 2 + b.max_x / 2, b.min_y / 2 + b.max_y / 2});
  double area = 0;
  for (uint32_t r = geometry.grid_ring_begin(g); r < geometry.grid_ring_begin(g + 1); ++r) {
    const IPoint* p = geometry.ring(r);
    const uint32_t n = geometry.ring_size(r);
    double s = 0;
    for (uint32_t i = 0, j = n - 1; i < n; j = i++) {
      s += frame.X(p[j]) * frame.Y(p[i]) - frame.X(p[i]) * frame.Y(p[j]);
    }
    area += (geometry.ring_is_hole(r) ? -1 : 1) * std::fabs(s) / 2;
  }
  return area;
}

}  // namespace gridroute

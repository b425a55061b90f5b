// Copyright 2026 gridroute authors.
#include "snapshot/validate.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "geo/metric.h"
#include "geo/ring_sweep.h"
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
  uint32_t i, j;
  if (FindMeetingEdges(ring.data(), n, &i, &j)) {
    return absl::StrCat("ring self-intersects: edges ", i, " and ", j, " meet");
  }
  if (TwiceSignedArea(ring.data(), static_cast<uint32_t>(n)) == 0) {
    return "ring has zero area";
  }
  return "";
}

namespace {

struct Edge {
  IPoint p, q;
  IBox box;
};

// Per-thread buffers of MayOverlap.
struct OverlapScratch {
  std::vector<Edge> edges;
  std::vector<IPoint> doubled;
  std::vector<uint32_t> doubled_rb;
};

IBox EdgeBox(IPoint p, IPoint q) {
  return IBox{std::min(p.x, q.x), std::min(p.y, q.y), std::max(p.x, q.x),
              std::max(p.y, q.y)};
}

// True unless an exact test proves the interiors of grids a and b disjoint.
//
// Everything that can make it true lies in the intersection `in` of the two
// boxes: a proper crossing point is on an edge of each grid, and a point
// strictly inside b is in the open interior of b's box (and, as a vertex or
// edge midpoint of a, in a's closed box). So edges and points outside `in` are
// skipped, and when `in` has no area (boxes that only touch) nothing can be
// true: a crossing would need two collinear edges on the shared line, which
// is no proper crossing, and no point of that line is strictly inside b.
bool MayOverlap(const GridGeometry& geo, uint32_t a, uint32_t b,
                OverlapScratch& s) {
  const IBox& ab = geo.box(a);
  const IBox& bb = geo.box(b);
  if (ab.min_x == bb.min_x && ab.max_x == bb.max_x && ab.min_y == bb.min_y &&
      ab.max_y == bb.max_y) {
    return true;
  }
  const IBox in{std::max(ab.min_x, bb.min_x), std::max(ab.min_y, bb.min_y),
                std::min(ab.max_x, bb.max_x), std::min(ab.max_y, bb.max_y)};
  if (in.min_x >= in.max_x || in.min_y >= in.max_y) return false;
  const uint32_t ar0 = geo.grid_ring_begin(a), ar1 = geo.grid_ring_begin(a + 1);
  const uint32_t br0 = geo.grid_ring_begin(b), br1 = geo.grid_ring_begin(b + 1);
  // 1. Proper crossings, between edges that meet `in` and each other's box.
  s.edges.clear();
  for (uint32_t rb = br0; rb < br1; ++rb) {
    const IPoint* pb = geo.ring(rb);
    const uint32_t nb = geo.ring_size(rb);
    for (uint32_t k = 0, l = nb - 1; k < nb; l = k++) {
      const IBox eb = EdgeBox(pb[l], pb[k]);
      if (eb.Intersects(in)) s.edges.push_back({pb[l], pb[k], eb});
    }
  }
  if (!s.edges.empty()) {
    for (uint32_t ra = ar0; ra < ar1; ++ra) {
      const IPoint* pa = geo.ring(ra);
      const uint32_t na = geo.ring_size(ra);
      for (uint32_t i = 0, j = na - 1; i < na; j = i++) {
        const IBox ea = EdgeBox(pa[j], pa[i]);
        if (!ea.Intersects(in)) continue;
        for (const Edge& e : s.edges) {
          if (e.box.Intersects(ea) &&
              SegmentsCrossProperly(pa[j], pa[i], e.p, e.q)) {
            return true;
          }
        }
      }
    }
  }
  // 2. Vertices and edge midpoints strictly inside the other grid. Midpoints
  // are compared on the doubled lattice so they stay exact (doubling changes
  // no predicate, so vertices are classified on the grid itself). A vertex
  // that is also a vertex of the other grid, and the midpoint of an edge that
  // is also its edge, are on its boundary: neighbours sharing edges skip
  // almost every point test.
  const IBox in2{in.min_x * 2, in.min_y * 2, in.max_x * 2, in.max_y * 2};
  auto strictly_inside = [&](uint32_t from, uint32_t into) {
    // Vertex i of `into`'s rings, flat, with its ring's flat range.
    const uint32_t ir0 = geo.grid_ring_begin(into),
                   ir1 = geo.grid_ring_begin(into + 1);
    const uint32_t v0 = geo.ring_begin(ir0), v1 = geo.ring_begin(ir1);
    const IPoint* iv = geo.ring(ir0);  // rings of a grid are contiguous
    auto find_vertex = [&](IPoint p) -> int64_t {
      if (!in.Contains(p)) return -1;
      for (uint32_t k = 0; k < v1 - v0; ++k) {
        if (iv[k] == p) return k;
      }
      return -1;
    };
    // Ring (of `into`) holding flat vertex k: rings are few, scan them.
    auto shares_edge = [&](int64_t k1, int64_t k2) {
      if (k1 < 0 || k2 < 0) return false;
      for (uint32_t r = ir0; r < ir1; ++r) {
        const int64_t b0 = geo.ring_begin(r) - v0,
                      b1 = geo.ring_begin(r + 1) - v0;
        if (k1 < b0 || k1 >= b1) continue;
        if (k2 < b0 || k2 >= b1) return false;
        const int64_t n = b1 - b0, d = (k1 - k2 + n) % n;
        return d == 1 || d == n - 1;
      }
      return false;
    };
    bool doubled = false;
    uint32_t nr = 0;
    for (uint32_t r = geo.grid_ring_begin(from); r < geo.grid_ring_begin(from + 1); ++r) {
      const IPoint* p = geo.ring(r);
      const uint32_t n = geo.ring_size(r);
      int64_t kj = find_vertex(p[n - 1]);
      for (uint32_t i = 0, j = n - 1; i < n; j = i++) {
        const int64_t ki = find_vertex(p[i]);
        if (in.Contains(p[i]) && ki < 0 &&
            geo.Classify(into, p[i]) == Side::kInside) {
          return true;
        }
        const IPoint mid2{p[i].x + p[j].x, p[i].y + p[j].y};
        const bool on_edge = shares_edge(ki, kj);
        kj = ki;
        if (on_edge || !in2.Contains(mid2)) continue;
        if (!doubled) {
          s.doubled.clear();
          s.doubled_rb.assign(1, 0);
          for (uint32_t q = ir0; q < ir1; ++q) {
            const IPoint* v = geo.ring(q);
            for (uint32_t k = 0; k < geo.ring_size(q); ++k) {
              s.doubled.push_back({v[k].x * 2, v[k].y * 2});
            }
            s.doubled_rb.push_back(static_cast<uint32_t>(s.doubled.size()));
          }
          nr = static_cast<uint32_t>(s.doubled_rb.size() - 1);
          doubled = true;
        }
        if (ClassifyRings(s.doubled.data(), s.doubled_rb.data(), 0, nr, mid2) ==
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
                           double tolerance_m2, int threads,
                           const BoxIndex* shared) {
  std::unique_ptr<BoxIndex> own;
  if (shared == nullptr) own = std::make_unique<BoxIndex>(geometry.boxes());
  const BoxIndex& index = shared != nullptr ? *shared : *own;
  const uint32_t n = geometry.num_grids();
  threads = std::max(1, std::min<int>(threads, n / 1024 + 1));
  std::vector<OverlapReport> parts(threads);
  auto work = [&](int t) {
    OverlapReport& report = parts[t];
    OverlapScratch scratch;
    // Interleaved blocks keep the threads' loads even.
    for (uint32_t block = t; block * 4096ull < n; block += threads) {
      const uint32_t end = std::min<uint32_t>(n, (block + 1) * 4096);
      for (uint32_t a = block * 4096; a < end; ++a) {
        index.VisitIntersecting(geometry.box(a), [&](uint32_t b) {
          if (b <= a) return;
          if (!MayOverlap(geometry, a, b, scratch)) return;
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

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
  // LargePairMayOverlap's.
  std::vector<Edge> a_edges;
  std::vector<IBox> boxes;
  std::vector<std::pair<IPoint, uint32_t>> vertices;
  std::vector<IPoint> queries, ring2, subset;
  std::vector<uint32_t> subset_index;
  std::vector<uint8_t> state;
  std::vector<Side> sides;
  size_t large_pair_work = 0;  // LargePairWork()
};

// Pairs whose edges meeting the boxes' intersection number more than this
// product take LargePairMayOverlap: 16k exact tests cost ~0.1 ms; the
// indexed path costs its BoxIndex and sorts. Generated cities never get
// there (~7 x 7 edges a pair).
constexpr size_t kLargePairWork = size_t{1} << 14;

size_t& LargePairWork() {
  static size_t work = kLargePairWork;
  return work;
}

IBox EdgeBox(IPoint p, IPoint q) {
  return IBox{std::min(p.x, q.x), std::min(p.y, q.y), std::max(p.x, q.x),
              std::max(p.y, q.y)};
}

// The edges of grid g whose boxes meet `in`.
void EdgesMeeting(const GridGeometry& geo, uint32_t g, const IBox& in,
                  std::vector<Edge>* out) {
  out->clear();
  for (uint32_t r = geo.grid_ring_begin(g); r < geo.grid_ring_begin(g + 1); ++r) {
    const IPoint* p = geo.ring(r);
    const uint32_t n = geo.ring_size(r);
    for (uint32_t k = 0, l = n - 1; k < n; l = k++) {
      const IBox e = EdgeBox(p[l], p[k]);
      if (e.Intersects(in)) out->push_back({p[l], p[k], e});
    }
  }
}

// The ring of grid g holding flat vertex k (relative to the grid's first
// vertex v0) and that ring's flat range, by bisection over the grid's rings.
void RingOf(const GridGeometry& geo, uint32_t g, int64_t k, int64_t* b0,
            int64_t* b1) {
  const uint32_t v0 = geo.ring_begin(geo.grid_ring_begin(g));
  uint32_t lo = geo.grid_ring_begin(g), hi = geo.grid_ring_begin(g + 1);
  while (hi - lo > 1) {  // last ring whose begin <= k
    const uint32_t mid = lo + (hi - lo) / 2;
    if (geo.ring_begin(mid) - v0 <= k) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  *b0 = geo.ring_begin(lo) - v0;
  *b1 = geo.ring_begin(lo + 1) - v0;
}

// True if some vertex of `from` in `in` that is no vertex of `into`, or some
// midpoint (doubled) in 2 in of an edge of `from` that is no edge of `into`,
// is strictly inside `into`: the point tests of MayOverlap, with vertex
// lookups by bisection and all points placed against each ring of `into` in
// one sweep (ClassifyPointsInRing, doubled lattice; even-odd over rings).
bool AnyPointStrictlyInside(const GridGeometry& geo, uint32_t from, uint32_t into,
                            const IBox& in, OverlapScratch& s) {
  const uint32_t ir0 = geo.grid_ring_begin(into), ir1 = geo.grid_ring_begin(into + 1);
  const uint32_t v0 = geo.ring_begin(ir0), v1 = geo.ring_begin(ir1);
  const IPoint* iv = geo.ring(ir0);
  s.vertices.clear();
  for (uint32_t k = 0; k < v1 - v0; ++k) {
    if (in.Contains(iv[k])) s.vertices.push_back({iv[k], k});
  }
  auto by_point = [](const std::pair<IPoint, uint32_t>& x,
                     const std::pair<IPoint, uint32_t>& y) {
    if (x.first.x != y.first.x) return x.first.x < y.first.x;
    if (x.first.y != y.first.y) return x.first.y < y.first.y;
    return x.second < y.second;
  };
  std::sort(s.vertices.begin(), s.vertices.end(), by_point);
  // The lowest k with iv[k] == p (as a scan from 0 finds it), or -1.
  auto find_vertex = [&](IPoint p) -> int64_t {
    if (!in.Contains(p)) return -1;
    const auto it = std::lower_bound(s.vertices.begin(), s.vertices.end(),
                                     std::pair<IPoint, uint32_t>{p, 0}, by_point);
    return it != s.vertices.end() && it->first == p ? it->second : -1;
  };
  auto shares_edge = [&](int64_t k1, int64_t k2) {
    if (k1 < 0 || k2 < 0) return false;
    int64_t b0, b1;
    RingOf(geo, into, k1, &b0, &b1);
    if (k2 < b0 || k2 >= b1) return false;
    const int64_t n = b1 - b0, d = (k1 - k2 + n) % n;
    return d == 1 || d == n - 1;
  };
  const IBox in2{in.min_x * 2, in.min_y * 2, in.max_x * 2, in.max_y * 2};
  s.queries.clear();
  for (uint32_t r = geo.grid_ring_begin(from); r < geo.grid_ring_begin(from + 1); ++r) {
    const IPoint* p = geo.ring(r);
    const uint32_t n = geo.ring_size(r);
    int64_t kj = find_vertex(p[n - 1]);
    for (uint32_t i = 0, j = n - 1; i < n; j = i++) {
      const int64_t ki = find_vertex(p[i]);
      if (in.Contains(p[i]) && ki < 0) s.queries.push_back({p[i].x * 2, p[i].y * 2});
      const IPoint mid2{p[i].x + p[j].x, p[i].y + p[j].y};
      const bool on_edge = shares_edge(ki, kj);
      kj = ki;
      if (!on_edge && in2.Contains(mid2)) s.queries.push_back(mid2);
    }
  }
  if (s.queries.empty()) return false;
  std::sort(s.queries.begin(), s.queries.end(), [](IPoint x, IPoint y) {
    return x.x != y.x ? x.x < y.x : x.y < y.y;
  });
  // state: bit 0 inside (parity over rings), bit 1 on some ring.
  s.state.assign(s.queries.size(), 0);
  for (uint32_t r = ir0; r < ir1; ++r) {
    const IPoint* p = geo.ring(r);
    const uint32_t n = geo.ring_size(r);
    s.ring2.resize(n);
    IBox box;
    for (uint32_t k = 0; k < n; ++k) {
      s.ring2[k] = {p[k].x * 2, p[k].y * 2};
      box.Expand(s.ring2[k]);
    }
    // The queries in the ring's box (outside it, a point is outside it).
    const auto first = std::lower_bound(
        s.queries.begin(), s.queries.end(), box.min_x,
        [](IPoint q, int64_t x) { return q.x < x; });
    s.subset.clear();
    std::vector<uint32_t>& index = s.subset_index;
    index.clear();
    for (auto it = first; it != s.queries.end() && it->x <= box.max_x; ++it) {
      if (box.Contains(*it)) {
        s.subset.push_back(*it);
        index.push_back(static_cast<uint32_t>(it - s.queries.begin()));
      }
    }
    if (s.subset.empty()) continue;
    s.sides.resize(s.subset.size());
    ClassifyPointsInRing(s.ring2.data(), n, s.subset.data(), s.subset.size(),
                         s.sides.data());
    for (size_t q = 0; q < index.size(); ++q) {
      if (s.sides[q] == Side::kBoundary) s.state[index[q]] |= 2;
      if (s.sides[q] == Side::kInside) s.state[index[q]] ^= 1;
    }
  }
  for (const uint8_t st : s.state) {
    if (st == 1) return true;
  }
  return false;
}

// MayOverlap for a pair with many edges in `in` (two large neighbours along
// a long border): the same tests, indexed. s.edges and s.a_edges hold b's
// and a's edges meeting `in`. O((edges + points) log) for real borders (two
// grids sharing a 1e5-vertex border took 17 s CPU pair by pair).
bool LargePairMayOverlap(const GridGeometry& geo, uint32_t a, uint32_t b,
                         const IBox& in, OverlapScratch& s) {
  s.boxes.clear();
  for (const Edge& e : s.edges) s.boxes.push_back(e.box);
  const BoxIndex index(s.boxes);
  bool crossing = false;
  for (const Edge& ea : s.a_edges) {
    index.VisitIntersecting(ea.box, [&](uint32_t k) {
      const Edge& eb = s.edges[k];
      crossing = crossing || (eb.box.Intersects(ea.box) &&
                              SegmentsCrossProperly(ea.p, ea.q, eb.p, eb.q));
    });
    if (crossing) return true;
  }
  return AnyPointStrictlyInside(geo, a, b, in, s) ||
         AnyPointStrictlyInside(geo, b, a, in, s);
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
  // 1. Proper crossings, between edges that meet `in` and each other's box.
  EdgesMeeting(geo, b, in, &s.edges);
  const size_t a_all = geo.ring_begin(ar1) - geo.ring_begin(ar0);
  if (a_all * s.edges.size() > s.large_pair_work) {
    EdgesMeeting(geo, a, in, &s.a_edges);
    if (s.a_edges.size() * s.edges.size() > s.large_pair_work) {
      return LargePairMayOverlap(geo, a, b, in, s);
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
  if (shared == nullptr) own = std::make_unique<BoxIndex>(geometry.ComputeBoxes());
  const BoxIndex& index = shared != nullptr ? *shared : *own;
  const uint32_t n = geometry.num_grids();
  threads = std::max(1, std::min<int>(threads, n / 1024 + 1));
  std::vector<OverlapReport> parts(threads);
  auto work = [&](int t) {
    OverlapReport& report = parts[t];
    OverlapScratch scratch;
    scratch.large_pair_work = LargePairWork();
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

namespace validate_internal {
void SetLargePairWorkForTesting(size_t work) { LargePairWork() = work; }
}  // namespace validate_internal

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

// Copyright 2026 gridroute authors.
#include "mapview/outline.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"

namespace gridroute {
namespace {

struct Edge {
  IPoint a, b;
  friend bool operator==(const Edge& x, const Edge& y) {
    return x.a == y.a && x.b == y.b;
  }
  template <typename H>
  friend H AbslHashValue(H h, const Edge& e) {
    return H::combine(std::move(h), e.a.x, e.a.y, e.b.x, e.b.y);
  }
};

struct PointKey {
  IPoint p;
  friend bool operator==(const PointKey& x, const PointKey& y) {
    return x.p == y.p;
  }
  template <typename H>
  friend H AbslHashValue(H h, const PointKey& k) {
    return H::combine(std::move(h), k.p.x, k.p.y);
  }
};

__int128 RingArea2(const std::vector<IPoint>& ring) {
  return TwiceSignedArea(ring.data(), static_cast<uint32_t>(ring.size()));
}

// Ring r of `geometry`, oriented CCW for an outer ring and CW for a hole.
std::vector<IPoint> OrientedRing(const GridGeometry& geometry, uint32_t r) {
  std::vector<IPoint> ring(geometry.ring(r), geometry.ring(r) + geometry.ring_size(r));
  const __int128 area = RingArea2(ring);
  const bool hole = geometry.ring_is_hole(r);
  if ((hole && area > 0) || (!hole && area < 0)) std::reverse(ring.begin(), ring.end());
  return ring;
}

// The directed edges left after cancelling every edge against its reverse.
// Multiplicity is kept (two members with the same edge in the same
// direction overlap; both copies stay).
std::vector<Edge> BoundaryEdges(const GridGeometry& geometry,
                                absl::Span<const uint32_t> grids) {
  absl::flat_hash_map<Edge, int32_t> count;
  for (uint32_t g : grids) {
    for (uint32_t r = geometry.grid_ring_begin(g); r < geometry.grid_ring_begin(g + 1); ++r) {
      std::vector<IPoint> ring = OrientedRing(geometry, r);
      for (size_t i = 0; i < ring.size(); ++i) {
        const Edge e{ring[i], ring[(i + 1) % ring.size()]};
        auto rev = count.find(Edge{e.b, e.a});
        if (rev != count.end()) {
          if (--rev->second == 0) count.erase(rev);
        } else {
          ++count[e];
        }
      }
    }
  }
  std::vector<Edge> edges;
  edges.reserve(count.size());
  for (const auto& [e, n] : count) {
    for (int32_t i = 0; i < n; ++i) edges.push_back(e);
  }
  // Deterministic output whatever the hash order.
  std::sort(edges.begin(), edges.end(), [](const Edge& x, const Edge& y) {
    return std::tie(x.a.x, x.a.y, x.b.x, x.b.y) < std::tie(y.a.x, y.a.y, y.b.x, y.b.y);
  });
  return edges;
}

// Chains the edges into closed rings; false if some chain does not close.
bool ChainRings(const std::vector<Edge>& edges, std::vector<std::vector<IPoint>>* rings) {
  absl::flat_hash_map<PointKey, std::vector<uint32_t>> out;
  for (uint32_t i = 0; i < edges.size(); ++i) out[PointKey{edges[i].a}].push_back(i);
  std::vector<bool> used(edges.size(), false);
  for (uint32_t first = 0; first < edges.size(); ++first) {
    if (used[first]) continue;
    used[first] = true;
    std::vector<IPoint> ring{edges[first].a};
    IPoint cur = edges[first].b;
    while (!(cur == edges[first].a)) {
      ring.push_back(cur);
      std::vector<uint32_t>& next = out[PointKey{cur}];
      while (!next.empty() && used[next.back()]) next.pop_back();
      if (next.empty()) return false;  // an open chain
      const uint32_t e = next.back();
      next.pop_back();
      used[e] = true;
      cur = edges[e].b;
    }
    if (ring.size() >= 3) rings->push_back(std::move(ring));
  }
  return true;
}

Side RingSide(const std::vector<IPoint>& ring, IPoint p) {
  const uint32_t begin[2] = {0, static_cast<uint32_t>(ring.size())};
  return ClassifyRings(ring.data(), begin, 0, 1, p);
}

// True if `hole` lies inside `outer` (judged by its first vertex not on
// outer's boundary; a hole touching its outer shares vertices with it).
bool HoleInside(const std::vector<IPoint>& hole, const std::vector<IPoint>& outer) {
  for (const IPoint& p : hole) {
    const Side s = RingSide(outer, p);
    if (s != Side::kBoundary) return s == Side::kInside;
  }
  return true;  // every vertex on the boundary: take it as inside
}

// Groups rings into polygons: CCW rings are outers, each CW ring goes to the
// smallest outer around it.
std::vector<OutlinePolygon> GroupRings(std::vector<std::vector<IPoint>> rings) {
  std::vector<OutlinePolygon> polygons;
  std::vector<__int128> outer_area;
  std::vector<std::vector<IPoint>> holes;
  for (auto& ring : rings) {
    const __int128 a = RingArea2(ring);
    if (a > 0) {
      polygons.push_back(OutlinePolygon{{std::move(ring)}});
      outer_area.push_back(a);
    } else if (a < 0) {
      holes.push_back(std::move(ring));
    }
  }
  for (auto& hole : holes) {
    int best = -1;
    for (size_t i = 0; i < polygons.size(); ++i) {
      if ((best < 0 || outer_area[i] < outer_area[best]) &&
          HoleInside(hole, polygons[i].rings[0])) {
        best = static_cast<int>(i);
      }
    }
    if (best >= 0) polygons[best].rings.push_back(std::move(hole));
  }
  return polygons;
}

// The fallback: each member's rings as they are, holes with the member's
// first outer ring.
std::vector<OutlinePolygon> Undissolved(const GridGeometry& geometry,
                                        absl::Span<const uint32_t> grids) {
  std::vector<OutlinePolygon> polygons;
  for (uint32_t g : grids) {
    const size_t first = polygons.size();
    std::vector<std::vector<IPoint>> holes;
    for (uint32_t r = geometry.grid_ring_begin(g); r < geometry.grid_ring_begin(g + 1); ++r) {
      if (geometry.ring_is_hole(r)) {
        holes.push_back(OrientedRing(geometry, r));
      } else {
        polygons.push_back(OutlinePolygon{{OrientedRing(geometry, r)}});
      }
    }
    if (polygons.size() > first) {
      for (auto& h : holes) polygons[first].rings.push_back(std::move(h));
    }
  }
  return polygons;
}

double SegmentDistance(IPoint p, IPoint a, IPoint b) {
  const double ax = static_cast<double>(a.x), ay = static_cast<double>(a.y);
  const double dx = static_cast<double>(b.x) - ax, dy = static_cast<double>(b.y) - ay;
  const double px = static_cast<double>(p.x) - ax, py = static_cast<double>(p.y) - ay;
  const double len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? (px * dx + py * dy) / len2 : 0;
  t = std::clamp(t, 0.0, 1.0);
  return std::hypot(px - t * dx, py - t * dy);
}

// Marks keep[i] for the vertices Douglas-Peucker keeps strictly between
// from and to (indices into ring, to may be ring.size() meaning vertex 0).
// Iterative: rings may have a million vertices.
void MarkKept(absl::Span<const IPoint> ring, size_t from, size_t to, double tol,
              std::vector<bool>* keep) {
  std::vector<std::pair<size_t, size_t>> stack{{from, to}};
  while (!stack.empty()) {
    auto [lo, hi] = stack.back();
    stack.pop_back();
    if (hi <= lo + 1) continue;
    const IPoint a = ring[lo], b = ring[hi % ring.size()];
    double worst = -1;
    size_t at = lo;
    for (size_t i = lo + 1; i < hi; ++i) {
      const double d = SegmentDistance(ring[i], a, b);
      if (d > worst) worst = d, at = i;
    }
    if (worst > tol) {
      (*keep)[at] = true;
      stack.push_back({lo, at});
      stack.push_back({at, hi});
    }
  }
}

}  // namespace

size_t Outline::num_vertices() const {
  size_t n = 0;
  for (const auto& p : polygons) {
    for (const auto& r : p.rings) n += r.size();
  }
  return n;
}

Outline DissolveGrids(const GridGeometry& geometry, absl::Span<const uint32_t> grids) {
  Outline out;
  for (uint32_t g : grids) out.box.Expand(geometry.box(g));
  std::vector<std::vector<IPoint>> rings;
  if (ChainRings(BoundaryEdges(geometry, grids), &rings)) {
    out.polygons = GroupRings(std::move(rings));
  } else {
    out.dissolved = false;
    out.polygons = Undissolved(geometry, grids);
  }
  return out;
}

std::vector<IPoint> SimplifyRing(absl::Span<const IPoint> ring, double tolerance) {
  if (tolerance <= 0 || ring.size() < 4) return std::vector<IPoint>(ring.begin(), ring.end());
  // Anchor at vertex 0 and the vertex farthest from it.
  size_t far = 0;
  double far_d = -1;
  for (size_t i = 1; i < ring.size(); ++i) {
    const double d = std::hypot(static_cast<double>(ring[i].x - ring[0].x),
                                static_cast<double>(ring[i].y - ring[0].y));
    if (d > far_d) far_d = d, far = i;
  }
  std::vector<bool> keep(ring.size(), false);
  keep[0] = keep[far] = true;
  MarkKept(ring, 0, far, tolerance, &keep);
  MarkKept(ring, far, ring.size(), tolerance, &keep);
  std::vector<IPoint> out;
  for (size_t i = 0; i < ring.size(); ++i) {
    if (keep[i]) out.push_back(ring[i]);
  }
  if (out.size() < 3) return {};  // the ring is thinner than the tolerance
  return out;
}

}  // namespace gridroute

// Copyright 2026 gridroute authors.
#include "import/gap_finder.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <numeric>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "import/geometry_checker.h"
#include "import/geos_util.h"

namespace gridroute::import {
namespace {

// Grids per block of the union: blocks are unioned independently (on the
// threads), then the blocks' outlines together.
constexpr size_t kBlockGrids = 1024;
// A coverage union is trusted when its area is the sum of its parts' to
// this relative precision (no overlap, nothing lost to bad noding).
constexpr double kAreaTolerance = 1e-9;
// Metres per degree of latitude, to turn the noise width into degrees.
constexpr double kMetresPerDegree = 111320;

struct Box {
  double min_x = std::numeric_limits<double>::infinity();
  double min_y = std::numeric_limits<double>::infinity();
  double max_x = -std::numeric_limits<double>::infinity();
  double max_y = -std::numeric_limits<double>::infinity();
  void Add(const XY& p) {
    min_x = std::min(min_x, p.x);
    min_y = std::min(min_y, p.y);
    max_x = std::max(max_x, p.x);
    max_y = std::max(max_y, p.y);
  }
};

Box BoxOf(const std::vector<Polygon>& polygons) {
  Box b;
  for (const Polygon& p : polygons) {
    if (!p.rings.empty()) {
      for (const XY& v : p.rings[0]) b.Add(v);
    }
  }
  return b;
}

using Shapes = std::vector<std::vector<Polygon>>;  // per grid

// A lattice point.
struct IPt {
  int64_t x = 0, y = 0;
  friend bool operator==(const IPt& a, const IPt& b) {
    return a.x == b.x && a.y == b.y;
  }
  friend bool operator<(const IPt& a, const IPt& b) {
    return std::tie(a.x, a.y) < std::tie(b.x, b.y);
  }
};
using IRing = std::vector<IPt>;  // closed

int64_t FloorDiv(int64_t v, int64_t d) {
  return v >= 0 ? v / d : -((-v + d - 1) / d);
}

// Moves each vertex to the first vertex seen within `tolerance` lattice
// units (a hash grid of tolerance-sized cells), so that neighbours whose
// shared vertices differ by float noise share them exactly.
class VertexSnapper {
 public:
  explicit VertexSnapper(int64_t tolerance)
      : tolerance_(std::max<int64_t>(1, tolerance)) {}

  IPt Snap(IPt v) {
    // Most vertices are shared by two or three grids: seen exactly before.
    auto [seen, fresh] = seen_.try_emplace(std::make_pair(v.x, v.y), v);
    if (!fresh) return seen->second;
    seen->second = Near(v);
    return seen->second;
  }

 private:
  // The first representative within the tolerance, or v as a new one.
  IPt Near(IPt v) {
    const int64_t cx = FloorDiv(v.x, tolerance_);
    const int64_t cy = FloorDiv(v.y, tolerance_);
    const double limit =
        static_cast<double>(tolerance_) * static_cast<double>(tolerance_);
    for (int64_t i = cx - 1; i <= cx + 1; ++i) {
      for (int64_t j = cy - 1; j <= cy + 1; ++j) {
        auto it = cells_.find(std::make_pair(i, j));
        if (it == cells_.end()) continue;
        for (uint32_t k = it->second; k != kNone; k = next_[k]) {
          const double dx = static_cast<double>(reps_[k].x - v.x);
          const double dy = static_cast<double>(reps_[k].y - v.y);
          if (dx * dx + dy * dy <= limit) return reps_[k];
        }
      }
    }
    auto [it, inserted] = cells_.try_emplace(std::make_pair(cx, cy), kNone);
    reps_.push_back(v);
    next_.push_back(it->second);
    it->second = static_cast<uint32_t>(reps_.size() - 1);
    return v;
  }

  static constexpr uint32_t kNone = ~uint32_t{0};
  const int64_t tolerance_;
  absl::flat_hash_map<std::pair<int64_t, int64_t>, IPt> seen_;
  absl::flat_hash_map<std::pair<int64_t, int64_t>, uint32_t> cells_;
  std::vector<IPt> reps_;
  std::vector<uint32_t> next_;  // the next representative in the same cell
};

// Inserts into every edge the vertices (of any ring) within `tolerance`
// lattice units of it, strictly between its ends: a T-junction (a grid's
// corner on the middle of its neighbour's edge) becomes a vertex of both,
// so that the coverage union can match the edges. Edges are found through
// a uniform grid of cells about one mean edge long.
void NodeTJunctions(std::vector<IRing*>& rings, int64_t tolerance) {
  int64_t edges = 0;
  double length = 0;
  for (const IRing* r : rings) {
    for (size_t k = 0; k + 1 < r->size(); ++k) {
      length +=
          static_cast<double>(std::max(std::abs((*r)[k + 1].x - (*r)[k].x),
                                       std::abs((*r)[k + 1].y - (*r)[k].y)));
      ++edges;
    }
  }
  if (edges == 0) return;
  const int64_t cell = std::max<int64_t>(
      4 * tolerance, static_cast<int64_t>(length / static_cast<double>(edges)));
  struct Entry {
    int64_t cx, cy;
    uint32_t ring, k;
  };
  std::vector<Entry> entries;
  std::vector<std::pair<uint32_t, uint32_t>> long_edges;  // > 64 cells
  for (uint32_t ri = 0; ri < rings.size(); ++ri) {
    const IRing& r = *rings[ri];
    for (uint32_t k = 0; k + 1 < r.size(); ++k) {
      const int64_t x0 =
          FloorDiv(std::min(r[k].x, r[k + 1].x) - tolerance, cell);
      const int64_t x1 =
          FloorDiv(std::max(r[k].x, r[k + 1].x) + tolerance, cell);
      const int64_t y0 =
          FloorDiv(std::min(r[k].y, r[k + 1].y) - tolerance, cell);
      const int64_t y1 =
          FloorDiv(std::max(r[k].y, r[k + 1].y) + tolerance, cell);
      if ((x1 - x0 + 1) * (y1 - y0 + 1) > 64) {
        long_edges.emplace_back(ri, k);
        continue;
      }
      for (int64_t i = x0; i <= x1; ++i) {
        for (int64_t j = y0; j <= y1; ++j) entries.push_back({i, j, ri, k});
      }
    }
  }
  auto by_cell = [](const Entry& a, const Entry& b) {
    return std::tie(a.cx, a.cy) < std::tie(b.cx, b.cy);
  };
  std::sort(entries.begin(), entries.end(), by_cell);
  std::vector<IPt> vertices;
  for (const IRing* r : rings)
    vertices.insert(vertices.end(), r->begin(), r->end());
  std::sort(vertices.begin(), vertices.end());
  vertices.erase(std::unique(vertices.begin(), vertices.end()), vertices.end());
  struct Insert {
    uint32_t ring, k;
    double t;
    IPt v;
  };
  std::vector<Insert> inserts;
  const double limit =
      static_cast<double>(tolerance) * static_cast<double>(tolerance);
  auto consider = [&](uint32_t ri, uint32_t k, IPt v) {
    const IPt a = (*rings[ri])[k], b = (*rings[ri])[k + 1];
    if (v == a || v == b) return;
    const double ex = static_cast<double>(b.x - a.x),
                 ey = static_cast<double>(b.y - a.y);
    const double vx = static_cast<double>(v.x - a.x),
                 vy = static_cast<double>(v.y - a.y);
    const double len2 = ex * ex + ey * ey;
    if (len2 == 0) return;
    const double t = (vx * ex + vy * ey) / len2;
    if (t <= 0 || t >= 1) return;
    const double dx = vx - t * ex, dy = vy - t * ey;
    if (dx * dx + dy * dy <= limit) inserts.push_back({ri, k, t, v});
  };
  for (const IPt& v : vertices) {
    const Entry probe{FloorDiv(v.x, cell), FloorDiv(v.y, cell), 0, 0};
    auto [first, last] =
        std::equal_range(entries.begin(), entries.end(), probe, by_cell);
    for (auto it = first; it != last; ++it) consider(it->ring, it->k, v);
    for (const auto& [ri, k] : long_edges) consider(ri, k, v);
  }
  if (inserts.empty()) return;
  std::sort(inserts.begin(), inserts.end(),
            [](const Insert& a, const Insert& b) {
              return std::tie(a.ring, a.k, a.t) < std::tie(b.ring, b.k, b.t);
            });
  for (size_t i = 0; i < inserts.size();) {
    const uint32_t ri = inserts[i].ring;
    const IRing& old = *rings[ri];
    IRing r;
    r.reserve(old.size() + 4);
    for (uint32_t k = 0; k + 1 < old.size(); ++k) {
      r.push_back(old[k]);
      for (; i < inserts.size() && inserts[i].ring == ri && inserts[i].k == k;
           ++i) {
        if (!(r.back() == inserts[i].v)) r.push_back(inserts[i].v);
      }
    }
    r.push_back(old.back());
    *rings[ri] = std::move(r);
  }
}

// The grids on the lattice: per grid, its polygons' rings.
struct Lattice {
  int64_t tolerance = 1;  // the noise width in lattice units
  std::vector<std::vector<std::vector<IRing>>> grids;
};

// Every grid on the lattice with its vertices snapped (VertexSnapper),
// repeated vertices dropped; a ring that collapses is dropped, and with its
// shell a polygon. Moves are below the noise width: what they close was
// noise.
Lattice OnLattice(const std::vector<const SourceGrid*>& grids,
                  const GapOptions& o) {
  const double tolerance_crs =
      kGapNoiseWidthM / (o.geographic ? kMetresPerDegree : 1.0);
  Lattice out;
  out.tolerance =
      std::max<int64_t>(1, static_cast<int64_t>(tolerance_crs / o.grid_size));
  VertexSnapper snapper(out.tolerance);
  std::vector<std::vector<std::vector<IRing>>>& on_lattice = out.grids;
  on_lattice.resize(grids.size());
  for (size_t g = 0; g < grids.size(); ++g) {
    for (const Polygon& p : grids[g]->polygons) {
      std::vector<IRing> q;
      for (const Ring& ring : p.rings) {
        IRing r;
        r.reserve(ring.size());
        for (const XY& v : ring) {
          const IPt w = snapper.Snap({std::llround(v.x / o.grid_size),
                                      std::llround(v.y / o.grid_size)});
          if (r.empty() || !(r.back() == w)) r.push_back(w);
        }
        if (r.size() >= 4) {
          q.push_back(std::move(r));
        } else if (q.empty()) {
          break;  // the shell collapsed
        }
      }
      if (!q.empty()) on_lattice[g].push_back(std::move(q));
    }
  }
  return out;
}

// NodeTJunctions over every ring of `lattice`.
void Node(Lattice& lattice) {
  std::vector<IRing*> rings;
  for (auto& polygons : lattice.grids) {
    for (auto& polygon : polygons) {
      for (IRing& r : polygon) rings.push_back(&r);
    }
  }
  NodeTJunctions(rings, lattice.tolerance);
}

Shapes ToShapes(const Lattice& lattice, const GapOptions& o) {
  Shapes out(lattice.grids.size());
  for (size_t g = 0; g < lattice.grids.size(); ++g) {
    for (const std::vector<IRing>& polygon : lattice.grids[g]) {
      Polygon p;
      for (const IRing& r : polygon) {
        Ring ring;
        ring.reserve(r.size());
        for (const IPt& v : r) {
          ring.push_back({static_cast<double>(v.x) * o.grid_size,
                          static_cast<double>(v.y) * o.grid_size});
        }
        p.rings.push_back(std::move(ring));
      }
      out[g].push_back(std::move(p));
    }
  }
  return out;
}

// Appends the polygons of `g` (taken) to `parts`, one Polygon each: the
// coverage union takes a flat collection of polygons.
void AddPolygons(GeosContext& geos, GEOSGeometry* g,
                 std::vector<GEOSGeometry*>* parts) {
  if (g == nullptr) return;
  if (GEOSGeomTypeId_r(geos.handle(), g) == GEOS_POLYGON) {
    parts->push_back(g);
    return;
  }
  const int n = GEOSGetNumGeometries_r(geos.handle(), g);
  for (int i = 0; i < n; ++i) {
    const GEOSGeometry* part = GEOSGetGeometryN_r(geos.handle(), g, i);
    if (GEOSGeomTypeId_r(geos.handle(), part) == GEOS_POLYGON) {
      parts->push_back(GEOSGeom_clone_r(geos.handle(), part));
    }
  }
  GEOSGeom_destroy_r(geos.handle(), g);
}

// Takes `parts` (ownership) and returns their union, or null with the reason
// in *error. First GEOS's coverage union, which only removes the edges two
// parts share (linear time), checked: valid, and its area the sum of the
// parts'. A coverage with gaps passes (the gaps become holes); overlaps,
// crossing edges, T-junctions fail it, and then, if `robust`, the
// snap-rounded cascaded union on the lattice (~20x slower) decides; if not,
// the result is null with *error empty.
GEOSGeometry* UnionOf(GeosContext& geos, std::vector<GEOSGeometry*> parts,
                      const GapOptions& o, bool robust, int64_t* robust_unions,
                      std::string* error) {
  double sum = 0;
  for (GEOSGeometry* g : parts) {
    double a = 0;
    if (GEOSArea_r(geos.handle(), g, &a)) sum += a;
  }
  GeosPtr all = geos.Wrap(GEOSGeom_createCollection_r(
      geos.handle(), GEOS_GEOMETRYCOLLECTION, parts.data(),
      static_cast<unsigned>(parts.size())));
  if (all == nullptr) {
    *error = geos.last_error();
    return nullptr;
  }
  if (o.coverage_union) {
    GeosPtr u = geos.Wrap(GEOSCoverageUnion_r(geos.handle(), all.get()));
    double area = 0;
    if (u != nullptr && GEOSisValid_r(geos.handle(), u.get()) == 1 &&
        GEOSArea_r(geos.handle(), u.get(), &area) &&
        std::fabs(area - sum) <= kAreaTolerance * sum) {
      return u.release();
    }
  }
  if (!robust) return nullptr;
  ++*robust_unions;
  GEOSGeometry* u = GEOSUnaryUnionPrec_r(geos.handle(), all.get(), o.grid_size);
  if (u == nullptr) *error = geos.last_error();
  return u;
}

// Blocks of about kBlockGrids spatially close grids: columns by the boxes'
// centre x, each cut by centre y.
std::vector<std::vector<size_t>> Blocks(const std::vector<Box>& boxes) {
  const size_t n = boxes.size();
  auto cx = [&](size_t i) { return boxes[i].min_x + boxes[i].max_x; };
  auto cy = [&](size_t i) { return boxes[i].min_y + boxes[i].max_y; };
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::make_pair(cx(a), a) < std::make_pair(cx(b), b);
  });
  const size_t blocks = (n + kBlockGrids - 1) / kBlockGrids;
  const size_t columns =
      static_cast<size_t>(std::ceil(std::sqrt(static_cast<double>(blocks))));
  std::vector<std::vector<size_t>> out;
  for (size_t c = 0; c < columns; ++c) {
    auto first = order.begin() + n * c / columns;
    auto last = order.begin() + n * (c + 1) / columns;
    std::sort(first, last, [&](size_t a, size_t b) {
      return std::make_pair(cy(a), a) < std::make_pair(cy(b), b);
    });
    for (auto it = first; it < last;) {
      auto end = last - it > static_cast<ptrdiff_t>(kBlockGrids)
                     ? it + kBlockGrids
                     : last;
      out.emplace_back(it, end);
      it = end;
    }
  }
  return out;
}

// The union of all shapes: each block on a thread's own context, then the
// blocks' unions together. Without `robust`, gives up (null, r->error
// empty) as soon as one union needs more than the coverage union.
GeosPtr UnionAll(GeosContext& geos, const Shapes& shapes,
                 const std::vector<Box>& boxes, const GapOptions& o,
                 bool robust, GapReport* r) {
  const std::vector<std::vector<size_t>> blocks = Blocks(boxes);
  std::vector<GEOSGeometry*> unions(blocks.size(), nullptr);
  std::vector<std::string> errors(blocks.size());
  std::atomic<size_t> next{0};
  std::atomic<int64_t> robust_unions{0};
  std::atomic<bool> failed{false};
  // Geometries outlive the context that made them: GEOS contexts share the
  // default geometry factory.
  auto work = [&] {
    GeosContext mine;
    int64_t slow = 0;
    for (size_t b; !failed && (b = next++) < blocks.size();) {
      std::vector<GEOSGeometry*> parts;
      for (size_t i : blocks[b]) {
        for (const Polygon& p : shapes[i]) {
          AddPolygons(mine, mine.Make({p}).release(), &parts);
        }
      }
      unions[b] = UnionOf(mine, std::move(parts), o, robust, &slow, &errors[b]);
      if (unions[b] == nullptr) failed = true;
    }
    robust_unions += slow;
  };
  const size_t threads =
      std::min<size_t>(std::max(1, o.threads), blocks.size());
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  r->robust_unions = robust_unions;
  if (failed) {
    for (size_t b = 0; b < blocks.size(); ++b) {
      if (unions[b] != nullptr) GEOSGeom_destroy_r(geos.handle(), unions[b]);
      if (r->error.empty()) r->error = errors[b];
    }
    if (robust && r->error.empty()) r->error = "GEOS failed";
    return geos.Wrap(nullptr);
  }
  if (unions.size() == 1) return geos.Wrap(unions[0]);
  std::vector<GEOSGeometry*> parts;
  for (GEOSGeometry* u : unions) AddPolygons(geos, u, &parts);
  int64_t slow = 0;
  GeosPtr u =
      geos.Wrap(UnionOf(geos, std::move(parts), o, robust, &slow, &r->error));
  r->robust_unions += slow;
  if (u == nullptr && robust && r->error.empty()) r->error = "GEOS failed";
  return u;
}

// Adds the items a GEOS STRtree query finds to a std::vector<size_t>.
void Collect(void* item, void* out) {
  static_cast<std::vector<size_t>*>(out)->push_back(
      reinterpret_cast<uintptr_t>(item));
}

// An STRtree of boxes; items are their indexes.
class BoxTree {
 public:
  BoxTree(GeosContext& geos, const std::vector<Box>& boxes)
      : geos_(geos), tree_(GEOSSTRtree_create_r(geos.handle(), 10)) {
    for (size_t i = 0; i < boxes.size(); ++i) {
      envelopes_.push_back(geos.Wrap(GEOSGeom_createRectangle_r(
          geos.handle(), boxes[i].min_x, boxes[i].min_y, boxes[i].max_x,
          boxes[i].max_y)));
      GEOSSTRtree_insert_r(geos.handle(), tree_, envelopes_.back().get(),
                           reinterpret_cast<void*>(uintptr_t{i}));
    }
  }
  ~BoxTree() { GEOSSTRtree_destroy_r(geos_.handle(), tree_); }
  BoxTree(const BoxTree&) = delete;
  BoxTree& operator=(const BoxTree&) = delete;

  // Indexes of the boxes meeting `b` grown by `d`, ascending.
  std::vector<size_t> Query(const Box& b, double d) {
    GeosPtr probe = geos_.Wrap(GEOSGeom_createRectangle_r(
        geos_.handle(), b.min_x - d, b.min_y - d, b.max_x + d, b.max_y + d));
    std::vector<size_t> out;
    GEOSSTRtree_query_r(geos_.handle(), tree_, probe.get(), &Collect, &out);
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  GeosContext& geos_;
  GEOSSTRtree* tree_;
  std::vector<GeosPtr> envelopes_;
};

// Fills gap.at and gap.neighbours: the grids whose boundary lies within
// `d` of the gap.
void Locate(GeosContext& geos, BoxTree& grid_boxes,
            const std::vector<const SourceGrid*>& grids, const Polygon& piece,
            double d, Gap* gap) {
  GeosPtr g = geos.Make({piece});
  if (g == nullptr) return;
  GeosPtr inside = geos.Wrap(GEOSPointOnSurface_r(geos.handle(), g.get()));
  if (inside) {
    GEOSGeomGetX_r(geos.handle(), inside.get(), &gap->at.x);
    GEOSGeomGetY_r(geos.handle(), inside.get(), &gap->at.y);
  }
  for (size_t c : grid_boxes.Query(BoxOf({piece}), d)) {
    GeosPtr grid = geos.Make(grids[c]->polygons);
    if (grid == nullptr ||
        GEOSDistanceWithin_r(geos.handle(), grid.get(), g.get(), d) != 1) {
      continue;
    }
    if (gap->neighbours.size() < kGapMaxNeighbours) {
      gap->neighbours.push_back(c);
    } else {
      ++gap->more_neighbours;
    }
  }
}

// The uncovered pieces of one hole of the union: the hole itself, less the
// shells of the union's polygons inside it (islands: an exclave in a lake,
// or a grid ringed by noise).
std::vector<Polygon> Pieces(GeosContext& geos, Polygon hole, size_t owner,
                            const std::vector<Polygon>& shells,
                            const std::vector<Box>& shell_boxes,
                            BoxTree& shell_tree, double grid_size) {
  GeosPtr h = geos.Make({hole});
  const Box hb = BoxOf({hole});
  std::vector<GEOSGeometry*> islands;
  for (size_t j : shell_tree.Query(hb, 0)) {
    // An island lies within the hole's box; the polygon the hole belongs
    // to, and any around it, do not.
    const Box& sb = shell_boxes[j];
    if (j == owner || sb.min_x < hb.min_x || sb.min_y < hb.min_y ||
        sb.max_x > hb.max_x || sb.max_y > hb.max_y) {
      continue;
    }
    GeosPtr s = geos.Make({shells[j]});
    GeosPtr in = s ? geos.Wrap(GEOSPointOnSurface_r(geos.handle(), s.get()))
                   : geos.Wrap(nullptr);
    if (h && in && GEOSContains_r(geos.handle(), h.get(), in.get()) == 1) {
      islands.push_back(s.release());
    }
  }
  if (islands.empty() || h == nullptr) return {std::move(hole)};
  GeosPtr all = geos.Wrap(GEOSGeom_createCollection_r(
      geos.handle(), GEOS_GEOMETRYCOLLECTION, islands.data(),
      static_cast<unsigned>(islands.size())));
  GeosPtr rest = all ? geos.Wrap(GEOSDifferencePrec_r(geos.handle(), h.get(),
                                                      all.get(), grid_size))
                     : geos.Wrap(nullptr);
  if (rest == nullptr) return {std::move(hole)};
  return geos.Polygons(rest.get());
}

// Sorts the union's holes into noise, gaps and uncovered areas.
void Classify(GeosContext& geos, const GEOSGeometry* coverage,
              const std::vector<const SourceGrid*>& grids,
              const std::vector<Box>& boxes, const GapOptions& o,
              GapReport* r) {
  std::vector<Polygon> polygons = geos.Polygons(coverage);
  std::vector<Polygon> shells;
  std::vector<Box> shell_boxes;
  for (const Polygon& p : polygons) {
    shells.push_back(Polygon{{p.rings[0]}});
    shell_boxes.push_back(BoxOf({shells.back()}));
  }
  BoxTree shell_tree(geos, shell_boxes);
  std::unique_ptr<BoxTree> grid_tree;  // built for the first gap
  const double snap = kGapNoiseWidthM / (o.geographic ? kMetresPerDegree : 1);
  for (size_t owner = 0; owner < polygons.size(); ++owner) {
    Polygon& p = polygons[owner];
    for (size_t i = 1; i < p.rings.size(); ++i) {
      for (Polygon& piece :
           Pieces(geos, Polygon{{std::move(p.rings[i])}}, owner, shells,
                  shell_boxes, shell_tree, o.grid_size)) {
        double area = 0, perimeter = 0;
        MeasurePolygon(piece, o.geographic, &area, &perimeter);
        const double width = perimeter > 0 ? 2 * area / perimeter : 0;
        if (area < kGapNoiseAreaM2 || width < kGapNoiseWidthM) {
          ++r->noise;
        } else if (area < o.max_area_m2 || width < o.max_width_m) {
          if (grid_tree == nullptr) {
            grid_tree = std::make_unique<BoxTree>(geos, boxes);
          }
          Gap gap;
          gap.area_m2 = area;
          gap.width_m = width;
          Locate(geos, *grid_tree, grids, piece, snap + 2 * o.grid_size, &gap);
          r->gaps.push_back(std::move(gap));
        } else {
          ++r->uncovered;
          r->uncovered_area_m2 += area;
          r->largest_uncovered_m2 = std::max(r->largest_uncovered_m2, area);
        }
      }
    }
  }
  std::sort(r->gaps.begin(), r->gaps.end(), [](const Gap& a, const Gap& b) {
    return std::tie(b.area_m2, a.at.x, a.at.y) <
           std::tie(a.area_m2, b.at.x, b.at.y);
  });
}

}  // namespace

GapReport FindGaps(const std::vector<const SourceGrid*>& grids,
                   const GapOptions& options) {
  GapReport r;
  if (grids.empty()) return r;
  std::vector<Box> boxes;
  boxes.reserve(grids.size());
  for (const SourceGrid* g : grids) boxes.push_back(BoxOf(g->polygons));
  GeosContext geos;
  // A clean coverage (shared vertices equal up to noise) needs only the
  // coverage union; T-junctions are noded only when it fails somewhere.
  Lattice lattice = OnLattice(grids, options);
  GeosPtr coverage;
  if (options.coverage_union) {
    coverage = UnionAll(geos, ToShapes(lattice, options), boxes, options,
                        /*robust=*/false, &r);
  }
  if (coverage == nullptr && r.error.empty()) {
    Node(lattice);
    coverage = UnionAll(geos, ToShapes(lattice, options), boxes, options,
                        /*robust=*/true, &r);
  }
  if (coverage == nullptr) {
    if (r.error.empty()) r.error = "GEOS failed to compute the union";
    return r;
  }
  Classify(geos, coverage.get(), grids, boxes, options, &r);
  return r;
}

}  // namespace gridroute::import

// Copyright 2026 gridroute authors.
//
// How the city is built is described in GENERATOR.md; the comments here say
// why each step is done the way it is.
#include "gen/city_generator.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <set>
#include <system_error>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "boost/polygon/voronoi.hpp"
#include "common/status_macros.h"
#include "gen/internal/gen_util.h"
#include "gen/routing_generator.h"
#include "snapshot/pack_checksums.h"

namespace gridroute::gen {
namespace {

using internal::kPi;
using internal::kWgs84A;
using internal::kWgs84F;
using internal::LocalProjection;
using internal::MakeName;
using internal::Mix64;
using internal::OutFile;
using internal::Rng;

// Voronoi vertices closer than this (Chebyshev, in 1e-7 degree) after
// rounding are merged, so that no ring keeps a ~1 cm zig-zag that rounding
// could fold into a spike.
constexpr int64_t kMergeUnits = 2;
// A hole is a square of this side (metres), centred on the seed rounded to
// whole metres, only in cells whose seed is at least kHoleClearanceM from
// every edge (half-diagonal 14.1 m, so >= 10 m of grid remains around it).
constexpr int kHoleSideM = 20;
constexpr double kHoleClearanceM = 25.0;
// Lattice margin, in spacings, kept around the city so that every kept cell
// is bounded by real neighbours (and so finite).
constexpr double kMarginSpacings = 6.0;
constexpr int kMaxAttempts = 8;

// Distinct streams of the one seed.
constexpr uint64_t kJitterStream = 0x6a6974746572ULL;
constexpr uint64_t kOutlineStream = 0x6f75746c696e65ULL;
constexpr uint64_t kHierarchyStream = 0x68696572ULL;
constexpr uint64_t kHoleStream = 0x686f6c65ULL;
constexpr uint64_t kPointStream = 0x706f696e7473ULL;

// A blob whose radius varies smoothly with angle: r(θ) = R·f(θ),
// f(θ) = 1 + Σ_{k=2..5} a_k cos(kθ + φ_k), a_k in [0.03, 0.10].
struct Outline {
  std::array<double, 4> amp, phase;
  double f_min = 1.0, f_max = 1.0, mean_f2 = 1.0;

  explicit Outline(uint64_t seed) {
    Rng rng(Mix64(seed ^ kOutlineStream));
    double sum = 0.0, sum2 = 0.0;
    for (int k = 0; k < 4; ++k) {
      amp[k] = rng.Real(0.03, 0.10);
      phase[k] = rng.Real(0.0, 2.0 * kPi);
      sum += amp[k];
      sum2 += amp[k] * amp[k];
    }
    f_min = 1.0 - sum;
    f_max = 1.0 + sum;
    mean_f2 = 1.0 + 0.5 * sum2;  // (1/2π)∫f² dθ
  }
  double F(double theta) const {
    double f = 1.0;
    for (int k = 0; k < 4; ++k) f += amp[k] * std::cos((k + 2) * theta + phase[k]);
    return f;
  }
};

uint64_t HilbertIndex(uint32_t n, uint32_t x, uint32_t y) {
  uint64_t d = 0;
  for (uint32_t s = n / 2; s > 0; s /= 2) {
    const uint32_t rx = (x & s) > 0 ? 1 : 0;
    const uint32_t ry = (y & s) > 0 ? 1 : 0;
    d += static_cast<uint64_t>(s) * s * ((3 * rx) ^ ry);
    if (ry == 0) {
      if (rx == 1) {
        x = n - 1 - x;
        y = n - 1 - y;
      }
      std::swap(x, y);
    }
  }
  return d;
}

// Sizes of consecutive chunks of `total` items, each in [lo, hi] (needs
// hi >= 2·lo - 1) unless total < lo. Near the end the draw is constrained so
// that the remainder never falls below lo.
// If `jump` is given (jump[p]: item p is far from item p-1), a chunk ends
// right before the first jump that leaves both it and the rest in range, so
// that chunks of a space-filling curve do not straddle its excursions.
std::vector<uint32_t> ChunkSizes(uint32_t total, uint32_t lo, uint32_t hi,
                                 Rng& rng,
                                 const std::vector<uint8_t>* jump = nullptr) {
  std::vector<uint32_t> sizes;
  uint32_t left = total;
  uint32_t pos = 0;
  while (left > 0) {
    uint32_t take = 0;
    if (jump != nullptr) {
      for (uint32_t t = lo; t < std::min(hi + 1, left); ++t) {
        if ((*jump)[pos + t] && left - t >= lo) {
          take = t;
          break;
        }
      }
    }
    if (take != 0) {
      // cut at the jump
    } else if (left <= hi) {
      take = left;
    } else if (left < hi + lo) {
      take = left - lo;
    } else {
      take = static_cast<uint32_t>(rng.Int(lo, hi));
    }
    sizes.push_back(take);
    left -= take;
    pos += take;
  }
  return sizes;
}

// ---------------------------------------------------------------------------
// Ring validity, in exact integer arithmetic on coordinates relative to the
// ring's first vertex (|Δ| < 2^31, so products fit in int64).

struct P {
  int64_t x, y;
};

int Orient(P a, P b, P c) {
  const int64_t v = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
  return (v > 0) - (v < 0);
}

bool OnSegment(P a, P b, P c) {  // c collinear with a-b: within the box?
  return std::min(a.x, b.x) <= c.x && c.x <= std::max(a.x, b.x) &&
         std::min(a.y, b.y) <= c.y && c.y <= std::max(a.y, b.y);
}

bool SegmentsTouch(P a, P b, P c, P d) {
  const int o1 = Orient(a, b, c), o2 = Orient(a, b, d);
  const int o3 = Orient(c, d, a), o4 = Orient(c, d, b);
  if (o1 != o2 && o3 != o4) return true;
  return (o1 == 0 && OnSegment(a, b, c)) || (o2 == 0 && OnSegment(a, b, d)) ||
         (o3 == 0 && OnSegment(c, d, a)) || (o4 == 0 && OnSegment(c, d, b));
}

// True if the ring (open, >= 3 vertices) is simple: distinct vertices, no two
// non-adjacent edges touching, no adjacent edges folding back, area != 0.
// Sets *twice_area to the signed doubled area (positive = CCW).
bool IsSimpleRing(const std::vector<LonLatE7>& ring, int64_t* twice_area) {
  const size_t n = ring.size();
  if (n < 3) return false;
  std::vector<P> p(n);
  for (size_t i = 0; i < n; ++i) {
    p[i] = {ring[i].lon - ring[0].lon, ring[i].lat - ring[0].lat};
  }
  int64_t a2 = 0;
  for (size_t i = 0; i < n; ++i) {
    const P& u = p[i];
    const P& v = p[(i + 1) % n];
    a2 += u.x * v.y - v.x * u.y;
  }
  *twice_area = a2;
  if (a2 == 0) return false;
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      if (p[i].x == p[j].x && p[i].y == p[j].y) return false;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    const P a = p[i], b = p[(i + 1) % n];
    // Adjacent edge (b→c): must not fold back onto a→b.
    const P c = p[(i + 2) % n];
    if (Orient(a, b, c) == 0 &&
        (b.x - a.x) * (c.x - b.x) + (b.y - a.y) * (c.y - b.y) < 0) {
      return false;
    }
    for (size_t j = i + 2; j < n; ++j) {
      if (i == 0 && j == n - 1) continue;  // adjacent through the wrap
      if (SegmentsTouch(a, b, p[j], p[(j + 1) % n])) return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------
// Geometry of the kept cells, in "kept order" (lattice order), produced by one
// successful attempt.

struct Cells {
  int32_t lattice_half = 0;  // lattice indices run over [-L, L]
  std::vector<int32_t> li, lj;            // lattice index of each kept cell
  std::vector<int32_t> seed_x, seed_y;    // cm
  std::vector<LonLatE7> seed_e7;
  std::vector<float> clearance_m;         // min distance seed → cell edge
  std::vector<uint32_t> ring_begin;       // size N + 1, into ring_ids
  std::vector<uint32_t> ring_ids;         // merged Voronoi vertex ids, CCW
  std::vector<LonLatE7> vertex_e7;        // by Voronoi vertex id (roots used)
};

class Builder {
 public:
  explicit Builder(const CityOptions& options)
      : options_(options),
        projection_(options.center_lon_deg, options.center_lat_deg),
        outline_(options.seed),
        spacing_cm_(std::llround(std::sqrt(options.grid_area_m2) * 100.0)),
        jitter_cm_(std::llround(options.jitter_fraction *
                                static_cast<double>(spacing_cm_))) {}

  absl::StatusOr<City> Build();

 private:
  void Phase(absl::string_view name) {
    if (options_.on_phase_done) options_.on_phase_done(name);
  }
  // Seed position (cm) of lattice point (i, j) given its re-jitter count.
  std::pair<int32_t, int32_t> SeedAt(int32_t i, int32_t j) const;
  // One attempt: fills cells_ or returns the lattice keys to re-jitter.
  absl::StatusOr<std::vector<uint64_t>> TryBuildCells();
  // TryBuildCells' steps (below it).
  struct Lattice;
  struct Sites;
  class SiteGraph;
  Lattice ChooseLattice() const;
  absl::Status CollectSites(const Lattice& lattice, Sites* sites) const;
  static void FindEnclosedSites(const Sites& sites, const SiteGraph& graph,
                                std::vector<uint64_t>* bad);
  absl::Status KeptCellRings(const Sites& sites, const SiteGraph& graph,
                             const boost::polygon::voronoi_diagram<double>& vd,
                             Cells* cells, std::vector<uint32_t>* kept_site) const;
  int64_t MergeCloseVertices(const std::vector<uint32_t>& kept_site,
                             const SiteGraph& graph, Cells* cells,
                             std::vector<uint64_t>* bad) const;
  absl::Status BuildHierarchy(City& city, std::vector<uint32_t>& grid_cell);
  void AddHolesAndAssemble(City& city, const std::vector<uint32_t>& grid_cell);

  uint64_t LatticeKey(int32_t i, int32_t j) const {
    return (static_cast<uint64_t>(static_cast<uint32_t>(i)) << 32) |
           static_cast<uint32_t>(j);
  }

  const CityOptions& options_;
  const LocalProjection projection_;
  const Outline outline_;
  const int64_t spacing_cm_;
  const int64_t jitter_cm_;
  std::map<uint64_t, uint32_t> rejitter_;  // lattice key → times re-jittered
  GenerationStats stats_;
  Cells cells_;
};

std::pair<int32_t, int32_t> Builder::SeedAt(int32_t i, int32_t j) const {
  uint64_t bump = 0;
  if (!rejitter_.empty()) {
    auto it = rejitter_.find(LatticeKey(i, j));
    if (it != rejitter_.end()) bump = it->second;
  }
  const uint64_t h = Mix64(Mix64(Mix64(options_.seed ^ kJitterStream) ^
                                 LatticeKey(i, j)) ^
                           bump);
  const uint64_t span = static_cast<uint64_t>(2 * jitter_cm_ + 1);
  const int64_t jx = static_cast<int64_t>(((h >> 32) * span) >> 32) - jitter_cm_;
  const int64_t jy =
      static_cast<int64_t>(((h & 0xffffffffULL) * span) >> 32) - jitter_cm_;
  return {static_cast<int32_t>(i * spacing_cm_ + jx),
          static_cast<int32_t>(j * spacing_cm_ + jy)};
}

// TryBuildCells' steps.

// The seed lattice [-half, half]², each point's ρ = |p| / f(θ), and which
// points become sites: ρ <= include_rho (the N smallest, by (ρ, index) up to
// `threshold`, are kept as cells; the others pad the city's margin).
struct Builder::Lattice {
  int32_t half = 0, side = 0;
  std::vector<double> rho;
  std::pair<double, uint32_t> threshold;
  double include_rho = 0.0;
};

// The Voronoi sites: lattice seeds in column-major order, with their lattice
// index and whether their cell is kept.
struct Builder::Sites {
  std::vector<boost::polygon::point_data<int32_t>> points;
  std::vector<uint32_t> lattice;
  std::vector<uint8_t> kept;
};

// The Voronoi diagram of the sites, walked by site.
class Builder::SiteGraph {
 public:
  using Diagram = boost::polygon::voronoi_diagram<double>;
  using Edge = Diagram::edge_type;

  SiteGraph(const Diagram& vd, const Sites& sites, const Lattice& lattice,
            const Builder& builder)
      : vd_(vd), sites_(sites), lattice_(lattice), builder_(builder),
        cell_of_site_(sites.points.size()) {
    for (size_t c = 0; c < vd.cells().size(); ++c) {
      cell_of_site_[vd.cells()[c].source_index()] = static_cast<uint32_t>(c);
    }
  }
  template <typename Fn>
  void ForEachEdge(uint32_t site, Fn&& fn) const {
    const Edge* start = vd_.cells()[cell_of_site_[site]].incident_edge();
    const Edge* e = start;
    do {
      fn(e);
      e = e->next();
    } while (e != start);
  }
  static uint32_t Neighbour(const Edge* e) {
    return static_cast<uint32_t>(e->twin()->cell()->source_index());
  }
  int32_t LatticeI(uint32_t s) const {
    return static_cast<int32_t>(sites_.lattice[s] % lattice_.side) - lattice_.half;
  }
  int32_t LatticeJ(uint32_t s) const {
    return static_cast<int32_t>(sites_.lattice[s] / lattice_.side) - lattice_.half;
  }
  uint64_t KeyOfSite(uint32_t s) const { return builder_.LatticeKey(LatticeI(s), LatticeJ(s)); }

 private:
  const Diagram& vd_;
  const Sites& sites_;
  const Lattice& lattice_;
  const Builder& builder_;
  std::vector<uint32_t> cell_of_site_;
};

Builder::Lattice Builder::ChooseLattice() const {
  const int64_t n = options_.num_grids;
  const double spacing = static_cast<double>(spacing_cm_);
  // Radius (cm) of the blob holding N cells: π R² mean(f²) = N s².
  const double r0 = std::sqrt(static_cast<double>(n) * spacing * spacing /
                              (kPi * outline_.mean_f2));
  Lattice l;
  l.half = static_cast<int32_t>(
      std::ceil((r0 * outline_.f_max * 1.2 + (kMarginSpacings + 4) * spacing) /
                spacing));
  // Small cities of lobed outlines can include seeds (ρ up to ρ_N +
  // margin / f_min, so radius up to that · f_max) beyond this first lattice:
  // then the lattice is enlarged and the selection redone. Cities whose first
  // lattice suffices are unchanged.
  for (;;) {
    l.side = 2 * l.half + 1;
    const size_t lattice_count = static_cast<size_t>(l.side) * l.side;
    // ρ = |p| / f(θ): the outline scaled by R is the level set ρ = R, so
    // taking the N smallest ρ hits N exactly while keeping the outline's
    // shape.
    l.rho.assign(lattice_count, 0.0);
    for (int32_t j = -l.half; j <= l.half; ++j) {
      for (int32_t i = -l.half; i <= l.half; ++i) {
        const auto [x, y] = SeedAt(i, j);
        const double r = std::hypot(static_cast<double>(x), static_cast<double>(y));
        const double f = outline_.F(std::atan2(static_cast<double>(y),
                                               static_cast<double>(x)));
        l.rho[static_cast<size_t>(j + l.half) * l.side + (i + l.half)] = r / f;
      }
    }
    {
      std::vector<std::pair<double, uint32_t>> keys(lattice_count);
      for (size_t k = 0; k < lattice_count; ++k) {
        keys[k] = {l.rho[k], static_cast<uint32_t>(k)};
      }
      std::nth_element(keys.begin(), keys.begin() + (n - 1), keys.end());
      l.threshold = keys[n - 1];
    }
    l.include_rho = l.threshold.first + kMarginSpacings * spacing / outline_.f_min;
    const int32_t needed = static_cast<int32_t>(
        std::ceil(l.include_rho * outline_.f_max / spacing)) + 3;
    if (needed <= l.half) break;
    l.half = needed;
  }
  return l;
}

absl::Status Builder::CollectSites(const Lattice& l, Sites* sites) const {
  // Column-major (x-major) site order: Boost's cells come out sorted by x, so
  // this keeps site → cell lookups cache-friendly (2M grids: 42 s → see
  // GENERATOR.md).
  for (size_t col = 0; col < static_cast<size_t>(l.side); ++col)
  for (size_t row = 0; row < static_cast<size_t>(l.side); ++row) {
    const size_t k = row * l.side + col;
    if (l.rho[k] > l.include_rho) continue;
    const int32_t i = static_cast<int32_t>(col) - l.half;
    const int32_t j = static_cast<int32_t>(row) - l.half;
    if (std::abs(i) >= l.half - 1 || std::abs(j) >= l.half - 1) {
      return absl::InternalError("lattice too small for the city margin");
    }
    const auto [x, y] = SeedAt(i, j);
    sites->points.emplace_back(x, y);
    sites->lattice.push_back(static_cast<uint32_t>(k));
    sites->kept.push_back(std::make_pair(l.rho[k], static_cast<uint32_t>(k)) <=
                          l.threshold);
  }
  return absl::OkStatus();
}

// The city must be one piece without enclosed gaps: flood the outside from
// the unbounded cells, and the city from its most central cell. Appends the
// lattice keys of the sites neither flood reaches to *bad.
void Builder::FindEnclosedSites(const Sites& sites, const SiteGraph& graph,
                                std::vector<uint64_t>* bad) {
  using Edge = SiteGraph::Edge;
  const size_t n = sites.points.size();
  std::vector<uint8_t> seen(n, 0);
  std::vector<uint32_t> queue;
  uint32_t centre = 0;
  double best = HUGE_VAL;
  for (uint32_t s = 0; s < n; ++s) {
    if (sites.kept[s]) {
      const double r = std::hypot(static_cast<double>(sites.points[s].x()),
                                  static_cast<double>(sites.points[s].y()));
      if (r < best) best = r, centre = s;
      continue;
    }
    bool infinite = false;
    graph.ForEachEdge(s, [&](const Edge* e) { infinite |= e->is_infinite(); });
    if (infinite) seen[s] = 1, queue.push_back(s);
  }
  seen[centre] = 1;
  queue.push_back(centre);
  for (size_t q = 0; q < queue.size(); ++q) {
    const uint32_t s = queue[q];
    graph.ForEachEdge(s, [&](const Edge* e) {
      const uint32_t t = SiteGraph::Neighbour(e);
      if (!seen[t] && sites.kept[t] == sites.kept[s]) {
        seen[t] = 1;
        queue.push_back(t);
      }
    });
  }
  for (uint32_t s = 0; s < n; ++s) {
    if (!seen[s]) bad->push_back(graph.KeyOfSite(s));
  }
}

// Rings of the kept cells as Voronoi vertex ids (Boost walks a cell's edges
// counter-clockwise), and each seed's clearance: half the distance to its
// nearest Voronoi neighbour, which bounds the distance to every edge.
// kept_site[c]: the site of cell c.
absl::Status Builder::KeptCellRings(const Sites& sites, const SiteGraph& graph,
                                    const SiteGraph::Diagram& vd, Cells* cells,
                                    std::vector<uint32_t>* kept_site) const {
  using Edge = SiteGraph::Edge;
  const int64_t n = options_.num_grids;
  const auto* vbase = vd.vertices().data();
  cells->ring_begin.reserve(n + 1);
  cells->ring_begin.push_back(0);
  cells->ring_ids.reserve(static_cast<size_t>(n) * 7);
  kept_site->reserve(n);
  const auto& pts = sites.points;
  for (uint32_t s = 0; s < pts.size(); ++s) {
    if (!sites.kept[s]) continue;
    double min_d2 = HUGE_VAL;
    bool finite = true;
    graph.ForEachEdge(s, [&](const Edge* e) {
      if (e->vertex0() == nullptr || e->vertex1() == nullptr) {
        finite = false;
        return;
      }
      cells->ring_ids.push_back(static_cast<uint32_t>(e->vertex0() - vbase));
      const auto& q = pts[SiteGraph::Neighbour(e)];
      const double dx = static_cast<double>(q.x()) - pts[s].x();
      const double dy = static_cast<double>(q.y()) - pts[s].y();
      min_d2 = std::min(min_d2, dx * dx + dy * dy);
    });
    if (!finite) return absl::InternalError("a kept Voronoi cell is unbounded");
    cells->ring_begin.push_back(static_cast<uint32_t>(cells->ring_ids.size()));
    kept_site->push_back(s);
    cells->li.push_back(graph.LatticeI(s));
    cells->lj.push_back(graph.LatticeJ(s));
    cells->seed_x.push_back(pts[s].x());
    cells->seed_y.push_back(pts[s].y());
    cells->seed_e7.push_back(
        projection_.ToE7(pts[s].x() / 100.0, pts[s].y() / 100.0));
    cells->clearance_m.push_back(
        static_cast<float>(std::sqrt(min_d2) / 2.0 / 100.0));
  }
  if (kept_site->size() != static_cast<size_t>(n)) {
    return absl::InternalError("kept cell count differs from --grids");
  }
  // Each Voronoi vertex is converted and rounded once, so neighbours share
  // exact coordinates.
  const auto& vverts = vd.vertices();
  cells->vertex_e7.resize(vverts.size());
  for (size_t v = 0; v < vverts.size(); ++v) {
    cells->vertex_e7[v] =
        projection_.ToE7(vverts[v].x() / 100.0, vverts[v].y() / 100.0);
  }
  return absl::OkStatus();
}

// Merges vertices joined by an edge shorter than kMergeUnits (union-find,
// the smaller id is the root, so the result does not depend on the order),
// then replaces ids by roots, drops consecutive duplicates and checks each
// ring (counter-clockwise after it). A ring that is not simple adds its
// site's lattice key to *bad. Returns the merged vertex count (each counted
// once per ring).
int64_t Builder::MergeCloseVertices(const std::vector<uint32_t>& kept_site,
                                    const SiteGraph& graph, Cells* cells,
                                    std::vector<uint64_t>* bad) const {
  const int64_t n = options_.num_grids;
  std::vector<uint32_t> parent(cells->vertex_e7.size());
  std::iota(parent.begin(), parent.end(), 0u);
  auto find = [&](uint32_t v) {
    while (parent[v] != v) v = parent[v] = parent[parent[v]];
    return v;
  };
  for (int64_t c = 0; c < n; ++c) {
    const uint32_t b = cells->ring_begin[c], e = cells->ring_begin[c + 1];
    for (uint32_t k = b; k < e; ++k) {
      const uint32_t u = cells->ring_ids[k];
      const uint32_t w = cells->ring_ids[k + 1 < e ? k + 1 : b];
      const LonLatE7 pu = cells->vertex_e7[u], pw = cells->vertex_e7[w];
      if (std::max(std::abs(pu.lon - pw.lon), std::abs(pu.lat - pw.lat)) <=
          kMergeUnits) {
        const uint32_t ru = find(u), rw = find(w);
        if (ru != rw) parent[std::max(ru, rw)] = std::min(ru, rw);
      }
    }
  }
  std::vector<uint32_t> out_ids;
  out_ids.reserve(cells->ring_ids.size());
  std::vector<uint32_t> new_begin(n + 1, 0);
  std::vector<uint32_t> ring;
  std::vector<LonLatE7> coords;
  int64_t merged = 0;
  for (int64_t c = 0; c < n; ++c) {
    ring.clear();
    for (uint32_t k = cells->ring_begin[c]; k < cells->ring_begin[c + 1]; ++k) {
      const uint32_t r = find(cells->ring_ids[k]);
      if (r != cells->ring_ids[k]) ++merged;
      if (ring.empty() || ring.back() != r) ring.push_back(r);
    }
    while (ring.size() > 1 && ring.back() == ring.front()) ring.pop_back();
    coords.clear();
    for (uint32_t r : ring) coords.push_back(cells->vertex_e7[r]);
    int64_t twice_area = 0;
    if (!IsSimpleRing(coords, &twice_area)) {
      bad->push_back(graph.KeyOfSite(kept_site[c]));
      continue;
    }
    if (twice_area < 0) std::reverse(ring.begin(), ring.end());
    out_ids.insert(out_ids.end(), ring.begin(), ring.end());
    new_begin[c + 1] = static_cast<uint32_t>(out_ids.size());
  }
  if (bad->empty()) {
    cells->ring_ids = std::move(out_ids);
    cells->ring_begin = std::move(new_begin);
  }
  return merged;
}

absl::StatusOr<std::vector<uint64_t>> Builder::TryBuildCells() {
  namespace bp = boost::polygon;
  Lattice lattice = ChooseLattice();
  stats_.lattice_points = static_cast<int64_t>(lattice.rho.size());
  Sites sites;
  RETURN_IF_ERROR(CollectSites(lattice, &sites));
  lattice.rho = {};
  stats_.voronoi_sites = static_cast<int64_t>(sites.points.size());
  Phase("lattice");

  bp::voronoi_diagram<double> vd;
  bp::construct_voronoi(sites.points.begin(), sites.points.end(), &vd);
  Phase("voronoi");
  if (vd.cells().size() != sites.points.size()) {
    return absl::InternalError("duplicate Voronoi sites");
  }
  const SiteGraph graph(vd, sites, lattice, *this);
  std::vector<uint64_t> bad;  // lattice keys to re-jitter
  FindEnclosedSites(sites, graph, &bad);
  if (!bad.empty()) return bad;

  Cells cells;
  cells.lattice_half = lattice.half;
  std::vector<uint32_t> kept_site;
  RETURN_IF_ERROR(KeptCellRings(sites, graph, vd, &cells, &kept_site));
  const int64_t merged = MergeCloseVertices(kept_site, graph, &cells, &bad);
  if (!bad.empty()) return bad;
  stats_.merged_vertices = merged / 2;  // each merged vertex is in ~2-3 rings
  cells_ = std::move(cells);
  return bad;
}

absl::Status Builder::BuildHierarchy(City& city,
                                     std::vector<uint32_t>& grid_cell) {
  const uint32_t n = static_cast<uint32_t>(options_.num_grids);
  const int32_t half = cells_.lattice_half;
  uint32_t order = 1;
  while (order < static_cast<uint32_t>(2 * half + 1)) order <<= 1;
  // Hilbert order of the lattice indices keeps consecutive chunks compact.
  std::vector<std::pair<uint64_t, uint32_t>> curve(n);
  for (uint32_t c = 0; c < n; ++c) {
    curve[c] = {HilbertIndex(order, cells_.li[c] + half, cells_.lj[c] + half),
                c};
  }
  std::sort(curve.begin(), curve.end());

  Rng rng(Mix64(options_.seed ^ kHierarchyStream));
  std::vector<uint8_t> jump(n, 0);
  for (uint32_t p = 1; p < n; ++p) {
    const uint32_t a = curve[p - 1].second, b = curve[p].second;
    jump[p] = std::max(std::abs(cells_.li[a] - cells_.li[b]),
                       std::abs(cells_.lj[a] - cells_.lj[b])) > 2;
  }
  const std::vector<uint32_t> community_sizes =
      ChunkSizes(n, 10, 25, rng, &jump);
  const std::vector<uint32_t> street_sizes =
      ChunkSizes(static_cast<uint32_t>(community_sizes.size()), 5, 20, rng);
  const std::vector<uint32_t> district_sizes =
      ChunkSizes(static_cast<uint32_t>(street_sizes.size()), 10, 25, rng);
  const size_t per_code = static_cast<size_t>(options_.districts_per_city_code);
  const size_t codes = static_cast<size_t>(100 - options_.first_city_code);
  if (district_sizes.size() > codes * per_code) {
    return absl::InvalidArgumentError(absl::StrCat(
        "num_grids: ", district_sizes.size(), " districts do not fit in city codes ",
        options_.first_city_code, "..99 with ", per_code, " districts each"));
  }

  city.grids.reserve(n);
  grid_cell.reserve(n);
  std::set<std::string> district_names;
  size_t street_pos = 0, community_pos = 0, curve_pos = 0;
  std::vector<uint32_t> members;
  for (size_t d = 0; d < district_sizes.size(); ++d) {
    const std::string district_code =
        absl::StrCat("32",
                     absl::Dec(options_.first_city_code + d / per_code, absl::kZeroPad2),
                     absl::Dec(1 + d % per_code, absl::kZeroPad2));
    const int32_t district = static_cast<int32_t>(city.regions.size());
    city.regions.push_back({district_code, MakeName(rng, "区", district_names),
                            RegionLevel::kDistrict, -1});
    std::set<std::string> street_names;
    for (uint32_t s = 0; s < district_sizes[d]; ++s, ++street_pos) {
      const int32_t street = static_cast<int32_t>(city.regions.size());
      const std::string street_code =
          absl::StrCat(district_code, absl::Dec(s + 1, absl::kZeroPad3));
      city.regions.push_back({street_code,
                              MakeName(rng, "街道", street_names),
                              RegionLevel::kStreet, district});
      std::set<std::string> community_names;
      for (uint32_t m = 0; m < street_sizes[street_pos];
           ++m, ++community_pos) {
        const int32_t community = static_cast<int32_t>(city.regions.size());
        city.regions.push_back(
            {absl::StrCat(street_code, absl::Dec(m + 1, absl::kZeroPad3)),
             MakeName(rng, "社区", community_names), RegionLevel::kCommunity,
             street});
        // Number west→east, north→south: latitude descending, then longitude.
        members.clear();
        for (uint32_t k = 0; k < community_sizes[community_pos]; ++k) {
          members.push_back(curve[curve_pos++].second);
        }
        std::sort(members.begin(), members.end(), [&](uint32_t a, uint32_t b) {
          const LonLatE7 pa = cells_.seed_e7[a], pb = cells_.seed_e7[b];
          if (pa.lat != pb.lat) return pa.lat > pb.lat;
          if (pa.lon != pb.lon) return pa.lon < pb.lon;
          return a < b;
        });
        for (size_t k = 0; k < members.size(); ++k) {
          Grid grid;
          grid.community = community;
          grid.sequence = static_cast<int32_t>(k + 1);
          grid.seed = cells_.seed_e7[members[k]];
          city.grids.push_back(grid);
          grid_cell.push_back(members[k]);
        }
      }
    }
  }
  return absl::OkStatus();
}

void Builder::AddHolesAndAssemble(City& city,
                                  const std::vector<uint32_t>& grid_cell) {
  const uint32_t n = static_cast<uint32_t>(city.grids.size());
  int64_t num_holes = 0;
  if (options_.hole_fraction > 0.0) {
    if (n >= 1000) {
      num_holes = std::max<int64_t>(
          4, std::llround(options_.hole_fraction * static_cast<double>(n)));
    } else if (n >= 100) {
      num_holes = 2;
    }
  }
  struct Hole {
    int64_t owner = -1;  // grid holding the exclave; -1 for a pond
    std::array<LonLatE7, 4> corners;  // counter-clockwise
    std::array<uint32_t, 4> ids = {UINT32_MAX, UINT32_MAX, UINT32_MAX,
                                   UINT32_MAX};
  };
  std::vector<Hole> holes;
  std::vector<int32_t> hole_of_host(n, -1), hole_of_owner(n, -1);
  std::vector<uint8_t> used(n, 0);
  auto ring_of = [&](uint32_t g) {
    const uint32_t c = grid_cell[g];
    return std::make_pair(cells_.ring_ids.begin() + cells_.ring_begin[c],
                          cells_.ring_ids.begin() + cells_.ring_begin[c + 1]);
  };
  auto adjacent = [&](uint32_t a, uint32_t b) {
    const auto [ab, ae] = ring_of(a);
    const auto [bb, be] = ring_of(b);
    for (auto it = ab; it != ae; ++it) {
      if (std::find(bb, be, *it) != be) return true;
    }
    return false;
  };
  if (num_holes > 0) {
    Rng rng(Mix64(options_.seed ^ kHoleStream));
    std::vector<uint32_t> perm(n);
    std::iota(perm.begin(), perm.end(), 0u);
    for (uint32_t i = n - 1; i > 0; --i) {
      std::swap(perm[i], perm[rng.Int(0, i)]);
    }
    for (uint32_t g : perm) {
      if (static_cast<int64_t>(holes.size()) == num_holes) break;
      if (used[g] || cells_.clearance_m[grid_cell[g]] < kHoleClearanceM) {
        continue;
      }
      Hole hole;
      if (holes.size() % 2 == 0) {  // an exclave: the farthest free,
        // non-adjacent grid of the same community owns it
        uint32_t lo = g, hi = g + 1;
        const int32_t community = city.grids[g].community;
        while (lo > 0 && city.grids[lo - 1].community == community) --lo;
        while (hi < n && city.grids[hi].community == community) ++hi;
        double best_d2 = -1.0;
        const uint32_t cg = grid_cell[g];
        for (uint32_t o = lo; o < hi; ++o) {
          if (o == g || used[o] || adjacent(g, o)) continue;
          const uint32_t co = grid_cell[o];
          const double dx = static_cast<double>(cells_.seed_x[co]) - cells_.seed_x[cg];
          const double dy = static_cast<double>(cells_.seed_y[co]) - cells_.seed_y[cg];
          if (dx * dx + dy * dy > best_d2) {
            best_d2 = dx * dx + dy * dy;
            hole.owner = o;
          }
        }
        if (hole.owner < 0) continue;
        used[hole.owner] = 1;
        hole_of_owner[hole.owner] = static_cast<int32_t>(holes.size());
      }
      used[g] = 1;
      hole_of_host[g] = static_cast<int32_t>(holes.size());
      // Lattice-aligned: centred on the seed rounded to whole metres.
      const uint32_t c = grid_cell[g];
      const double cx = std::round(cells_.seed_x[c] / 100.0);
      const double cy = std::round(cells_.seed_y[c] / 100.0);
      const double h = kHoleSideM / 2.0;
      hole.corners = {projection_.ToE7(cx - h, cy - h),
                      projection_.ToE7(cx + h, cy - h),
                      projection_.ToE7(cx + h, cy + h),
                      projection_.ToE7(cx - h, cy + h)};
      holes.push_back(hole);
    }
  }

  // Emit rings in code order, numbering vertices by first use.
  std::vector<uint32_t> new_id(cells_.vertex_e7.size(), UINT32_MAX);
  city.ring_vertices.reserve(cells_.ring_ids.size() + 8 * holes.size());
  city.vertices.reserve(cells_.ring_ids.size() / 2);
  auto emit_hole_ring = [&](Hole& hole, bool clockwise) {
    Ring ring{static_cast<uint32_t>(city.ring_vertices.size()), 4, clockwise};
    for (int k = 0; k < 4; ++k) {
      const int corner = clockwise ? (4 - k) % 4 : k;
      if (hole.ids[corner] == UINT32_MAX) {
        hole.ids[corner] = static_cast<uint32_t>(city.vertices.size());
        city.vertices.push_back(hole.corners[corner]);
      }
      city.ring_vertices.push_back(hole.ids[corner]);
    }
    city.rings.push_back(ring);
  };
  for (uint32_t g = 0; g < n; ++g) {
    Grid& grid = city.grids[g];
    grid.first_ring = static_cast<uint32_t>(city.rings.size());
    const auto [b, e] = ring_of(g);
    Ring outer{static_cast<uint32_t>(city.ring_vertices.size()),
               static_cast<uint32_t>(e - b), false};
    for (auto it = b; it != e; ++it) {
      if (new_id[*it] == UINT32_MAX) {
        new_id[*it] = static_cast<uint32_t>(city.vertices.size());
        city.vertices.push_back(cells_.vertex_e7[*it]);
      }
      city.ring_vertices.push_back(new_id[*it]);
    }
    city.rings.push_back(outer);
    if (hole_of_host[g] >= 0) emit_hole_ring(holes[hole_of_host[g]], true);
    if (hole_of_owner[g] >= 0) emit_hole_ring(holes[hole_of_owner[g]], false);
    grid.num_rings = static_cast<uint32_t>(city.rings.size()) - grid.first_ring;
  }
  city.ComputeBbox();
  for (const Hole& hole : holes) {
    ++(hole.owner >= 0 ? stats_.exclaves : stats_.ponds);
  }
}

absl::StatusOr<City> Builder::Build() {
  for (int attempt = 1;; ++attempt) {
    stats_.attempts = attempt;
    ASSIGN_OR_RETURN(std::vector<uint64_t> bad, TryBuildCells());
    if (bad.empty()) break;
    if (attempt == kMaxAttempts) {
      return absl::InternalError(absl::StrCat(
          "could not make valid cells after ", kMaxAttempts, " attempts"));
    }
    for (uint64_t key : bad) ++rejitter_[key];
    stats_.rejittered_seeds += static_cast<int64_t>(bad.size());
  }
  Phase("rings");
  City city;
  city.options = options_;
  city.options.on_phase_done = nullptr;
  std::vector<uint32_t> grid_cell;
  RETURN_IF_ERROR(BuildHierarchy(city, grid_cell));
  Phase("hierarchy");
  AddHolesAndAssemble(city, grid_cell);
  Phase("holes");
  city.stats = stats_;
  return city;
}


}  // namespace

absl::string_view RegionLevelName(RegionLevel level) {
  switch (level) {
    case RegionLevel::kDistrict:
      return "district";
    case RegionLevel::kStreet:
      return "street";
    case RegionLevel::kCommunity:
      return "community";
  }
  return "";
}

std::string City::GridCode(size_t grid) const {
  return absl::StrCat(GridParent(grid),
                      absl::Dec(grids[grid].sequence, absl::kZeroPad3));
}

std::string City::GridName(size_t grid) const {
  return absl::StrCat(regions[grids[grid].community].name, "第",
                      absl::Dec(grids[grid].sequence, absl::kZeroPad3), "网格");
}

void City::ComputeBbox() {
  bbox_min = {INT64_MAX, INT64_MAX};
  bbox_max = {INT64_MIN, INT64_MIN};
  for (const LonLatE7& v : vertices) {
    bbox_min = {std::min(bbox_min.lon, v.lon), std::min(bbox_min.lat, v.lat)};
    bbox_max = {std::max(bbox_max.lon, v.lon), std::max(bbox_max.lat, v.lat)};
  }
}

int City::NumPolygons(size_t grid) const {
  int count = 0;
  const Grid& g = grids[grid];
  for (uint32_t r = g.first_ring; r < g.first_ring + g.num_rings; ++r) {
    count += rings[r].is_hole ? 0 : 1;
  }
  return count;
}

absl::StatusOr<City> GenerateCity(const CityOptions& options) {
  if (options.num_grids < 1 || options.num_grids > kMaxGrids) {
    return absl::InvalidArgumentError(
        absl::StrCat("num_grids must be in [1, ", kMaxGrids, "], got ",
                     options.num_grids));
  }
  if (!(options.grid_area_m2 >= 100.0 && options.grid_area_m2 <= 1e6)) {
    return absl::InvalidArgumentError("grid_area_m2 must be in [100, 1e6]");
  }
  if (!(options.jitter_fraction >= 0.0 && options.jitter_fraction < 0.45)) {
    return absl::InvalidArgumentError("jitter_fraction must be in [0, 0.45)");
  }
  if (!(options.center_lon_deg >= -170.0 && options.center_lon_deg <= 170.0) ||
      !(options.center_lat_deg >= -70.0 && options.center_lat_deg <= 70.0)) {
    return absl::InvalidArgumentError(
        "center must be within ±170° longitude, ±70° latitude");
  }
  if (!(options.hole_fraction >= 0.0 && options.hole_fraction <= 0.05)) {
    return absl::InvalidArgumentError("hole_fraction must be in [0, 0.05]");
  }
  // DD stays <= 50 so that district 329999 never exists (events.csv uses it
  // as an impossible component code).
  if (options.first_city_code < 5 || options.first_city_code > 99 ||
      options.districts_per_city_code < 1 || options.districts_per_city_code > 50) {
    return absl::InvalidArgumentError(
        "first_city_code must be in [5, 99] and districts_per_city_code in [1, 50]");
  }
  Builder builder(options);
  return builder.Build();
}

namespace {

// WriteCityPack's files; each returns the bytes written.
absl::StatusOr<int64_t> WriteManifest(const City& city, const std::string& dir) {
  const int64_t n = static_cast<int64_t>(city.grids.size());
  const uint64_t seed = city.options.seed;
  // A province says so (and its version differs from a city's of the same
  // seed and size).
  const std::string kind =
      city.num_cities > 1 ? absl::StrCat("Province of ", city.num_cities, " cities") : "City";
  const std::string version_tail =
      city.num_cities > 1 ? absl::StrCat("-", city.num_cities, "c") : "";
  ASSIGN_OR_RETURN(std::unique_ptr<OutFile> f,
                   OutFile::Open(dir + "manifest.json"));
  f->Append(absl::StrCat(
      "{\"format\":\"gridroute-pack\",\"format_version\":1,"
      "\"name\":\"Synthetic ", kind, " (seed ",
      seed, ", ", n, " grids)\",\"version\":\"gen-", seed, "-", n, version_tail,
      "\",\"crs\":\"wgs84\",\n"
      " \"levels\":[\"district\",\"street\",\"community\"],\n"
      " \"files\":{\"regions\":\"regions.csv\",\"grids\":\"grids.geojson\","
      "\"departments\":\"departments.csv\",\"categories\":\"categories.csv\","
      "\"rules\":\"rules.csv\",\"teams\":\"teams.csv\","
      "\"components\":\"components.csv\",\"layers\":\"layers.geojson\","
      "\"calendar\":\"calendar.json\"},\n"
      " \"rule_precedence\":\"scope_first\","
      "\n"
      " \"grid_attributes\":{\"code\":\"code\",\"parent\":\"parent\","
      "\"name\":\"name\"},\n"
      " \"overlap_tolerance_m2\":1.0}\n"));
  return f->Close();
}

absl::StatusOr<int64_t> WriteRegionsCsv(const City& city, const std::string& dir) {
  ASSIGN_OR_RETURN(std::unique_ptr<OutFile> f,
                   OutFile::Open(dir + "regions.csv"));
  f->Append("code,name,level,parent\n");
  for (const Region& r : city.regions) {
    f->CsvField(r.code);
    f->Char(',');
    f->CsvField(r.name);
    f->Char(',');
    f->Append(RegionLevelName(r.level));
    f->Char(',');
    if (r.parent >= 0) f->CsvField(city.regions[r.parent].code);
    f->Char('\n');
  }
  return f->Close();
}

absl::StatusOr<int64_t> WriteGridsGeoJson(const City& city, const std::string& dir) {
  const int64_t n = static_cast<int64_t>(city.grids.size());
  ASSIGN_OR_RETURN(std::unique_ptr<OutFile> f,
                   OutFile::Open(dir + "grids.geojson"));
  f->Append("{\"type\":\"FeatureCollection\",\"features\":[\n");
  for (int64_t g = 0; g < n; ++g) {
    const Grid& grid = city.grids[g];
    const bool multi = city.NumPolygons(g) > 1;
    f->Append("{\"type\":\"Feature\",\"properties\":{\"code\":\"");
    f->Append(city.GridCode(g));
    f->Append("\",\"parent\":\"");
    f->JsonString(city.GridParent(g));
    f->Append("\",\"name\":\"");
    f->JsonString(city.GridName(g));
    f->Append(multi ? "\"},\"geometry\":{\"type\":\"MultiPolygon\","
                      "\"coordinates\":["
                    : "\"},\"geometry\":{\"type\":\"Polygon\","
                      "\"coordinates\":");
    for (uint32_t r = grid.first_ring; r < grid.first_ring + grid.num_rings;
         ++r) {
      const Ring& ring = city.rings[r];
      if (r == grid.first_ring) {
        f->Char('[');  // opens the first polygon's ring list
      } else {
        f->Append(ring.is_hole ? "," : "],[");  // next ring / next polygon
      }
      f->Char('[');
      for (uint32_t k = 0; k <= ring.size; ++k) {  // closed: repeat first
        const LonLatE7 p = city.RingVertex(ring, k % ring.size);
        if (k > 0) f->Char(',');
        f->Char('[');
        f->E7(p.lon);
        f->Char(',');
        f->E7(p.lat);
        f->Char(']');
      }
      f->Char(']');
    }
    f->Append(multi ? "]]}}" : "]}}");
    f->Append(g + 1 < n ? ",\n" : "\n");
  }
  f->Append("]}\n");
  return f->Close();
}

absl::StatusOr<int64_t> WritePointsCsv(const City& city, const std::string& dir,
                                       int64_t num_points) {
  ASSIGN_OR_RETURN(std::unique_ptr<OutFile> f,
                   OutFile::Open(dir + "points.csv"));
  f->Append("lon,lat\n");
  Rng rng(Mix64(city.options.seed ^ kPointStream));
  for (int64_t k = 0; k < num_points; ++k) {
    const int64_t lon = rng.Int(city.bbox_min.lon, city.bbox_max.lon);
    const int64_t lat = rng.Int(city.bbox_min.lat, city.bbox_max.lat);
    f->E7(lon);
    f->Char(',');
    f->E7(lat);
    f->Char('\n');
  }
  return f->Close();
}

// The routing files and events.csv (routing_generator.h), their sizes in
// *stats.
absl::Status WriteRouting(const City& city, const PackOptions& options, PackStats* stats_out) {
  const std::string dir = options.out_dir + "/";
  PackStats& stats = *stats_out;
  const RoutingData routing = GenerateRouting(city);
  RoutingFileStats r;
  RETURN_IF_ERROR(WriteRoutingFiles(city, routing, options.out_dir, &r));
  RETURN_IF_ERROR(
      WriteEvents(city, routing, dir + "events.csv", options.num_events, &r));
  stats.departments_bytes = r.departments_bytes;
  stats.categories_bytes = r.categories_bytes;
  stats.rules_bytes = r.rules_bytes;
  stats.teams_bytes = r.teams_bytes;
  stats.components_bytes = r.components_bytes;
  stats.layers_bytes = r.layers_bytes;
  stats.calendar_bytes = r.calendar_bytes;
  stats.events_bytes = r.events_bytes;
  stats.num_rules = static_cast<int64_t>(routing.rules.size());
  stats.num_team_rows = r.team_rows;
  stats.num_components = static_cast<int64_t>(routing.components.size());
  stats.num_layers = static_cast<int64_t>(routing.layers.size());
  return absl::OkStatus();
}

}  // namespace

std::vector<std::string> DefaultLimitNotes(const PackStats& stats) {
  const PackLimits limits;
  const std::pair<const char*, std::pair<int64_t, uint64_t>> files[] = {
      {"regions.csv", {stats.regions_bytes, limits.regions_bytes}},
      {"grids.geojson", {stats.grids_bytes, limits.grids_bytes}},
      {"rules.csv", {stats.rules_bytes, limits.rules_bytes}},
      {"teams.csv", {stats.teams_bytes, limits.teams_bytes}},
      {"components.csv", {stats.components_bytes, limits.components_bytes}},
      {"layers.geojson", {stats.layers_bytes, limits.layers_bytes}},
  };
  std::vector<std::string> notes;
  for (const auto& [file, sizes] : files) {
    if (static_cast<uint64_t>(sizes.first) <= sizes.second) continue;
    notes.push_back(absl::StrCat(file, " is ", sizes.first, " bytes, above the default load limit of ",
                                 sizes.second, " (PACK.md \"Limits\"; LoadOptions::limits)"));
  }
  return notes;
}

absl::StatusOr<PackStats> WriteCityPack(const City& city,
                                        const PackOptions& options) {
  if (options.out_dir.empty()) {
    return absl::InvalidArgumentError("out_dir must not be empty");
  }
  if (options.num_points < 0) {
    return absl::InvalidArgumentError("num_points must be >= 0");
  }
  if (options.num_events < 0) {
    return absl::InvalidArgumentError("num_events must be >= 0");
  }
  std::error_code ec;
  std::filesystem::create_directories(options.out_dir, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat(
        "cannot create directory ", options.out_dir, ": ", ec.message()));
  }
  const std::string dir = options.out_dir + "/";
  PackStats stats;
  ASSIGN_OR_RETURN(stats.manifest_bytes, WriteManifest(city, dir));
  ASSIGN_OR_RETURN(stats.regions_bytes, WriteRegionsCsv(city, dir));
  ASSIGN_OR_RETURN(stats.grids_bytes, WriteGridsGeoJson(city, dir));
  ASSIGN_OR_RETURN(stats.points_bytes, WritePointsCsv(city, dir, options.num_points));
  RETURN_IF_ERROR(WriteRouting(city, options, &stats));
  // Last, once every file is in place: their sizes and SHA-256 (PACK.md
  // "checksums"), which LoadPack checks.
  // The generator's own files are regular and finite: no size limit here.
  // A pack above the loader's default limits (a 10M-grid province's
  // grids.geojson) is still written; gridroute-gen says which files a
  // default LoadPack would refuse (DefaultLimitNotes).
  PackLimits unlimited;
  for (uint64_t* bytes :
       {&unlimited.manifest_bytes, &unlimited.calendar_bytes, &unlimited.regions_bytes,
        &unlimited.grids_bytes, &unlimited.layers_bytes, &unlimited.departments_bytes,
        &unlimited.categories_bytes, &unlimited.rules_bytes, &unlimited.teams_bytes,
        &unlimited.components_bytes, &unlimited.folding_bytes, &unlimited.other_bytes}) {
    *bytes = uint64_t{1} << 50;
  }
  RETURN_IF_ERROR(WritePackChecksums(options.out_dir, unlimited));
  std::error_code size_ec;
  stats.manifest_bytes =
      static_cast<int64_t>(std::filesystem::file_size(dir + "manifest.json", size_ec));
  return stats;
}

}  // namespace gridroute::gen

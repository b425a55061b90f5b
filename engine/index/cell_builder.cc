// Copyright 2026 gridroute authors.
//
// CellLocator::Build: the cell structure of cell_layout.h from a GridGeometry
// (see cell_locator.h and CELL_LOCATOR.md).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <utility>
#include <vector>

#include "index/box_index.h"
#include "index/cell_layout.h"
#include "index/cell_locator.h"

namespace gridroute {
namespace {

// Exact: does the closed segment a-b meet the closed box [x0,x1] x [y0,y1]?
// (Separating axes: the box's two axes, then the segment's normal.) The
// normal test runs in int64 when every coordinate relative to `a` is below
// 2^31 (each product < 2^62, so the difference fits), which is every case
// the build meets in practice; otherwise it falls back to the int128 Orient.
bool SegmentMeetsBox(IPoint a, IPoint b, int64_t x0, int64_t y0, int64_t x1,
                     int64_t y1) {
  if (std::max(a.x, b.x) < x0 || std::min(a.x, b.x) > x1 ||
      std::max(a.y, b.y) < y0 || std::min(a.y, b.y) > y1) {
    return false;
  }
  if (std::min(a.x, b.x) >= x0 && std::max(a.x, b.x) <= x1 &&
      std::min(a.y, b.y) >= y0 && std::max(a.y, b.y) <= y1) {
    return true;  // the segment lies in the box
  }
  const int64_t dx = b.x - a.x, dy = b.y - a.y;
  const int64_t rx0 = x0 - a.x, rx1 = x1 - a.x, ry0 = y0 - a.y, ry1 = y1 - a.y;
  auto small = [](int64_t v) {
    return static_cast<uint64_t>(v + (int64_t{1} << 31)) < (uint64_t{1} << 32);
  };
  if (small(dx) && small(dy) && small(rx0) && small(rx1) && small(ry0) &&
      small(ry1)) {
    const int64_t f1 = dx * ry0 - dy * rx0, f2 = dx * ry0 - dy * rx1;
    const int64_t f3 = dx * ry1 - dy * rx1, f4 = dx * ry1 - dy * rx0;
    return !((f1 > 0 && f2 > 0 && f3 > 0 && f4 > 0) ||
             (f1 < 0 && f2 < 0 && f3 < 0 && f4 < 0));
  }
  const int o1 = Orient(a, b, {x0, y0}), o2 = Orient(a, b, {x1, y0});
  const int o3 = Orient(a, b, {x1, y1}), o4 = Orient(a, b, {x0, y1});
  return !((o1 > 0 && o2 > 0 && o3 > 0 && o4 > 0) ||
           (o1 < 0 && o2 < 0 && o3 < 0 && o4 < 0));
}

// Membership at nudged points. The builder needs to know whether a grid
// contains a cell's corner (to see cells wholly inside it) and a leaf's
// reference point. It asks at the lattice point z nudged to z + (ε, ε²),
// ε → 0+ (a symbolic perturbation): that point is on no edge, so it is in or
// out of every grid, and it is where z is whenever z is on none of the grid's
// edges (every corner of a cell no edge of the grid meets, every reference
// point). A child's corners are then derived from its parent's corner by the
// parity of the edges crossed on the way, and only the edges that meet the
// parent can cross it: the cost is in the edges near a cell, never in the
// size of the grid (a grid with 1e5 holes used to cost a walk of all its
// edges per leaf: 2.1 s at 1e4 holes, ~3.5 min at 1e5).

// Sign of Orient(a, b, z + (ε, ε²)): Orient(a, b, z), else the sign of
// -(b.y - a.y), else of b.x - a.x. Never 0 for a != b.
int OrientNudged(IPoint a, IPoint b, IPoint z) {
  const int o = Orient(a, b, z);
  if (o != 0) return o;
  if (b.y != a.y) return b.y > a.y ? -1 : 1;
  return (b.x > a.x) - (b.x < a.x);
}

// Does edge a-b cross the nudged vertical segment from (x, y0) up to (x, y1)?
bool CrossesUp(IPoint a, IPoint b, int64_t x, int64_t y0, int64_t y1) {
  if ((a.x > x) == (b.x > x)) return false;  // not across the line x + ε
  if (a.x > b.x) std::swap(a, b);  // eastwards: above it is on its left
  return OrientNudged(a, b, {x, y0}) < 0 && OrientNudged(a, b, {x, y1}) > 0;
}

// Does edge a-b cross the nudged horizontal segment from (x0, y) right to
// (x1, y)?
bool CrossesRight(IPoint a, IPoint b, int64_t x0, int64_t x1, int64_t y) {
  if ((a.y > y) == (b.y > y)) return false;  // not across the line y + ε²
  if (a.y > b.y) std::swap(a, b);  // northwards: west of it is on its left
  return OrientNudged(a, b, {x0, y}) > 0 && OrientNudged(a, b, {x1, y}) < 0;
}

// Does edge a-b cross the nudged path from (x0, y0) up to (x0, t.y), then
// right to t? REQUIRES: t.x >= x0, t.y >= y0.
bool CrossesPath(IPoint a, IPoint b, int64_t x0, int64_t y0, IPoint t) {
  return CrossesUp(a, b, x0, y0, t.y) != CrossesRight(a, b, x0, t.x, t.y);
}

// Bit cy * 4 + cx: CrossesPath(a, b, x0, y0, {x0 + cx * side, y0 + cy *
// side}), for the 16 children's corners of a split at once.
uint32_t CornerToggles(IPoint a, IPoint b, int64_t x0, int64_t y0,
                       int64_t side) {
  uint32_t t = 0;
  if ((a.x > x0) != (b.x > x0)) {
    const IPoint p = a.x < b.x ? a : b, q = a.x < b.x ? b : a;  // eastwards
    if (OrientNudged(p, q, {x0, y0}) < 0) {
      for (int cy = 1; cy < 4; ++cy) {
        if (OrientNudged(p, q, {x0, y0 + cy * side}) > 0) {
          t ^= (0xFFFFu << (4 * cy)) & 0xFFFFu;  // rows cy.. are past it
          break;
        }
      }
    }
  }
  const int64_t lo = std::min(a.y, b.y), hi = std::max(a.y, b.y);
  const IPoint p = a.y < b.y ? a : b, q = a.y < b.y ? b : a;  // northwards
  for (int cy = 0; cy < 4; ++cy) {
    const int64_t y = y0 + cy * side;
    if (y < lo || y >= hi || OrientNudged(p, q, {x0, y}) < 0) continue;
    for (int cx = 1; cx < 4; ++cx) {
      if (OrientNudged(p, q, {x0 + cx * side, y}) < 0) {
        t ^= ((0xFu << cx) & 0xFu) << (4 * cy);  // columns cx.. are past it
        break;
      }
    }
  }
  return t;
}

struct Seg {
  IPoint a, b;  // normalised: a < b lexicographically
};
bool SegLess(const Seg& s, const Seg& t) {
  if (s.a.x != t.a.x) return s.a.x < t.a.x;
  if (s.a.y != t.a.y) return s.a.y < t.a.y;
  if (s.b.x != t.b.x) return s.b.x < t.b.x;
  return s.b.y < t.b.y;
}
bool SegEq(const Seg& s, const Seg& t) { return s.a == t.a && s.b == t.b; }
Seg MakeSeg(IPoint a, IPoint b) {
  if (b.x < a.x || (b.x == a.x && b.y < a.y)) std::swap(a, b);
  return {a, b};
}

// A grid whose closed region meets a cell: either it covers the whole cell
// (`full`), or its edges [begin, end) of the level's edge list cross it;
// `corner_in`: the grid contains the cell's min corner, nudged (see
// OrientNudged).
struct Cand {
  uint32_t g;
  bool full;
  uint32_t begin, end;
  bool corner_in = false;
};

// Phase 1's output: grid g (| kFullBit, | kCornerBit) meets top cell `cell`;
// `edges`: for a grid of at most 32 edges the mask of its edges that meet the
// cell; for a larger one kAllEdges (all of them: the grid lies in the cell)
// or the offset of its list in the edge lists (count, then the flat vertex
// indices of each edge's two ends).
struct TopPair {
  uint32_t cell, g, edges;
};
constexpr uint32_t kAllEdges = ~0u;
// Build lists only: the grid contains the cell's min corner, nudged.
constexpr uint32_t kCornerBit = 1u << 30;
constexpr uint32_t kGridMask = kCornerBit - 1;

// The masked form of a cell's lists (top cells with at most 32 candidates and
// everything below them): the candidates in id order, cut after the first
// full one, `top` = the candidate's position among the top cell's (its bit in
// the masks); each distinct edge meeting the cell once, with the mask (by
// `top`) of the listed candidates it bounds. The same content as the
// per-candidate lists (Cand) with shared edges merged.
struct MCand {
  uint32_t g;
  bool full;
  uint8_t top;
  bool corner_in;
};
struct MEdge {
  Seg s;
  uint32_t mask;
};

// Adds edge s with mask `bit` to `edges`, or ORs `bit` into an equal edge's
// mask (a linear search: for short lists). True if s was added.
inline bool AddOrMerge(std::vector<MEdge>& edges, const Seg& s, uint32_t bit) {
  for (MEdge& m : edges) {
    if (SegEq(m.s, s)) {
      m.mask |= bit;
      return false;
    }
  }
  edges.push_back({s, bit});
  return true;
}

// Sorts `edges` (SegLess): insertion sort, for short lists.
inline void InsertionSortEdges(std::vector<MEdge>& edges) {
  for (size_t i = 1; i < edges.size(); ++i) {
    const MEdge v = edges[i];
    size_t j = i;
    for (; j > 0 && SegLess(v.s, edges[j - 1].s); --j) edges[j] = edges[j - 1];
    edges[j] = v;
  }
}

inline void SortEdges(std::vector<MEdge>& edges) {
  std::sort(edges.begin(), edges.end(),
            [](const MEdge& a, const MEdge& b) { return SegLess(a.s, b.s); });
}

// Sorts `edges` and merges equal ones (OR of their masks).
inline void SortAndMergeEdges(std::vector<MEdge>& edges) {
  SortEdges(edges);
  size_t m = 0;
  for (size_t i = 0; i < edges.size(); ++i) {
    if (m > 0 && SegEq(edges[m - 1].s, edges[i].s)) {
      edges[m - 1].mask |= edges[i].mask;
    } else {
      edges[m++] = edges[i];
    }
  }
  edges.resize(m);
}

// The distinct edges of candidates [0, k) (their lists in `segs`), each with
// the mask of the candidates it bounds (bit i for candidate i < 32), into
// *out. `linear`: merged by a linear search, in order of first appearance,
// stopping (false) once there are more than `limit`; else sorted (SegLess)
// and merged.
inline bool MergeCandidateEdges(const std::vector<Cand>& cands, size_t k,
                                const std::vector<Seg>& segs, bool linear,
                                size_t limit, std::vector<MEdge>* out) {
  out->clear();
  for (size_t i = 0; i < k; ++i) {
    const uint32_t bit = i < 32 ? (1u << i) : 0u;
    for (uint32_t e = cands[i].begin; e < cands[i].end; ++e) {
      if (!linear) {
        out->push_back({segs[e], bit});
      } else if (AddOrMerge(*out, segs[e], bit) && out->size() > limit) {
        return false;
      }
    }
  }
  if (!linear) SortAndMergeEdges(*out);
  return true;
}

// Calls f(k) for each of the 4 x 4 children (side 2^cs) of the cell with min
// corner (x0, y0) that want(k) and whose closed box segment s meets. Only the
// children s's bounding box overlaps are tested (1-4 of the 16 for most
// edges).
template <typename Want, typename F>
inline void ForEachChildMeeting(const Seg& s, int64_t x0, int64_t y0, int cs,
                                const Want& want, const F& f) {
  const int64_t side = int64_t{1} << cs;
  auto child_of = [cs](int64_t v) {
    return static_cast<int>(std::clamp<int64_t>(v >> cs, 0, 3));
  };
  const int cx0 = child_of(s.a.x - x0);  // a.x <= b.x (normalised)
  const int cx1 = child_of(s.b.x - x0);
  const int cy0 = child_of(std::min(s.a.y, s.b.y) - y0);
  const int cy1 = child_of(std::max(s.a.y, s.b.y) - y0);
  for (int cy = cy0; cy <= cy1; ++cy) {
    for (int cx = cx0; cx <= cx1; ++cx) {
      const int k = cy * 4 + cx;
      if (!want(k)) continue;
      const int64_t bx0 = x0 + cx * side, by0 = y0 + cy * side;
      if (SegmentMeetsBox(s.a, s.b, bx0, by0, bx0 + side - 1, by0 + side - 1)) {
        f(k);
      }
    }
  }
}

// Builds the entries below top cells into its own node and leaf arrays.
// One per build thread; offsets are local and rebased when the threads' arrays
// are concatenated.
class CellBuilder {
 public:
  // `edge_lists`: phase 1's lists (TopPair).
  CellBuilder(const GridGeometry& geo, const CellLocatorOptions& options,
              const uint32_t* edge_lists)
      : geo_(geo), options_(options), edge_lists_(edge_lists) {
    const int levels = std::max(0, options.max_split_levels) + 1;
    cands_.resize(levels);
    segs_.resize(levels);
    child_cands_.resize(levels);
    child_segs_.resize(levels);
    for (int l = 0; l < levels; ++l) {
      child_cands_[l].resize(16);
      child_segs_[l].resize(16);
    }
    mcands_.resize(levels);
    medges_.resize(levels);
    mchild_cands_.resize(levels);
    mchild_edges_.resize(levels);
    for (int l = 0; l < levels; ++l) {
      mchild_cands_[l].resize(16);
      mchild_edges_[l].resize(16);
    }
  }

  // The entry of the top cell with min corner (x0, y0), side 2^shift, given
  // the grids (ascending, kFullBit and kCornerBit flags) that meet it and
  // which of each one's edges meet it (see TopPair).
  uint32_t BuildTop(int64_t x0, int64_t y0, int shift, const uint32_t* grids,
                    const uint32_t* edge_info, size_t n) {
    std::vector<Cand>& cands = cands_[0];
    std::vector<Seg>& segs = segs_[0];
    cands.clear();
    segs.clear();
    const int64_t x1 = x0 + (int64_t{1} << shift) - 1,
                  y1 = y0 + (int64_t{1} << shift) - 1;
    const IPoint* points = geo_.points().data();
    for (size_t i = 0; i < n; ++i) {
      const uint32_t g = grids[i] & kGridMask;
      if (grids[i] & kFullBit) {
        cands.push_back({g, true, 0, 0, true});
        break;  // nothing after a grid that covers the whole cell matters
      }
      const uint32_t begin = static_cast<uint32_t>(segs.size());
      const uint32_t edges = edge_info[i];
      const uint32_t r0 = geo_.grid_ring_begin(g), r1 = geo_.grid_ring_begin(g + 1);
      if (edges != kAllEdges && geo_.ring_begin(r1) - geo_.ring_begin(r0) > 32) {
        const uint32_t* list = edge_lists_ + edges;
        for (uint32_t k = 0; k < list[0]; ++k) {
          segs.push_back(MakeSeg(points[list[1 + 2 * k]], points[list[2 + 2 * k]]));
        }
      } else {
        uint32_t e = 0;
        ForEachEdge(g, [&](IPoint a, IPoint b) {
          const bool meets = edges == kAllEdges
                                 ? SegmentMeetsBox(a, b, x0, y0, x1, y1)
                                 : (edges >> e & 1) != 0;
          ++e;
          if (meets) segs.push_back(MakeSeg(a, b));
        });
      }
      cands.push_back({g, false, begin, static_cast<uint32_t>(segs.size()),
                       (grids[i] & kCornerBit) != 0});
    }
    if (cands.size() <= static_cast<size_t>(kMaxCandidates)) {
      return TopMasked(x0, y0, shift);
    }
    return BuildCell(x0, y0, shift, 0);
  }

  HugeArray<uint32_t> nodes;
  HugeArray<uint32_t> leaves;
  CellLocatorStats stats;

 private:
  template <typename F>
  void ForEachEdge(uint32_t g, F&& f) const {
    for (uint32_t r = geo_.grid_ring_begin(g); r < geo_.grid_ring_begin(g + 1);
         ++r) {
      const IPoint* pts = geo_.ring(r);
      const uint32_t n = geo_.ring_size(r);
      for (uint32_t i = 0, j = n - 1; i < n; j = i++) f(pts[j], pts[i]);
    }
  }

  uint32_t BuildCell(int64_t x0, int64_t y0, int shift, int level) {
    std::vector<Cand>& cands = cands_[level];
    const std::vector<Seg>& segs = segs_[level];
    // Cut after the first grid covering the whole cell; drop grids whose
    // edges miss the cell and that do not cover it.
    size_t k = 0;
    for (; k < cands.size(); ++k) {
      if (cands[k].full) {
        ++k;
        break;
      }
    }
    cands.resize(k);
    if (k == 0) {
      ++stats.empty_entries;
      return kEmpty;
    }
    if (cands[0].full) {
      ++stats.interior_entries;
      return MakeEntry(kTagInterior, cands[0].g);
    }
    // Distinct edges with the mask of the candidates they bound, ascending
    // (SegLess). A cell that may split stops as soon as it has more than
    // max_leaf_edges distinct edges: no sort for cells that split.
    const bool can_split = level < options_.max_split_levels && shift >= 4;
    if (can_split && k > static_cast<size_t>(kMaxCandidates)) {
      return Split(x0, y0, shift, level);
    }
    const size_t limit = can_split ? static_cast<size_t>(std::max(0, options_.max_leaf_edges))
                                   : SIZE_MAX;
    size_t n = 0;
    for (size_t i = 0; i < k; ++i) n += cands[i].end - cands[i].begin;
    // Few distinct edges: merge duplicates by a linear search (stopping as
    // soon as the cell must split), then sort the distinct ones (the same
    // list as sorting all and merging equal neighbours).
    const bool linear = n <= 64 || (can_split && options_.max_leaf_edges <= 32);
    if (!MergeCandidateEdges(cands, k, segs, linear, limit, &merged_) ||
        merged_.size() > limit) {
      return Split(x0, y0, shift, level);
    }
    if (linear) InsertionSortEdges(merged_);
    return Leaf(x0, y0, shift, level);
  }

  // The top cell's per-candidate lists (cands_[0], segs_[0]; at most 32
  // candidates) in the masked form, then its entry.
  uint32_t TopMasked(int64_t x0, int64_t y0, int shift) {
    const std::vector<Cand>& cands = cands_[0];
    const std::vector<Seg>& segs = segs_[0];
    std::vector<MCand>& mc = mcands_[0];
    std::vector<MEdge>& me = medges_[0];
    mc.clear();
    size_t n = 0;
    for (size_t i = 0; i < cands.size(); ++i) {
      const Cand& c = cands[i];
      mc.push_back({c.g, c.full, static_cast<uint8_t>(i), c.corner_in});
      n += c.end - c.begin;
    }
    MergeCandidateEdges(cands, cands.size(), segs, n <= 64, SIZE_MAX, &me);
    return MBuildCell(x0, y0, shift, 0);
  }

  // BuildCell for the masked form (mcands_/medges_ at `level`).
  uint32_t MBuildCell(int64_t x0, int64_t y0, int shift, int level) {
    const std::vector<MCand>& mc = mcands_[level];
    const std::vector<MEdge>& me = medges_[level];
    const size_t k = mc.size();
    if (k == 0) {
      ++stats.empty_entries;
      return kEmpty;
    }
    if (mc[0].full) {
      ++stats.interior_entries;
      return MakeEntry(kTagInterior, mc[0].g);
    }
    const bool can_split = level < options_.max_split_levels && shift >= 4;
    if (can_split && me.size() > static_cast<size_t>(options_.max_leaf_edges)) {
      return MSplit(x0, y0, shift, level);
    }
    // A leaf: candidate positions for the masks, edges sorted (SegLess).
    std::vector<Cand>& cands = cands_[level];
    cands.clear();
    uint32_t pos[kMaxCandidates];
    for (size_t i = 0; i < k; ++i) {
      cands.push_back({mc[i].g, mc[i].full, 0, 0, mc[i].corner_in});
      pos[mc[i].top] = static_cast<uint32_t>(i);
    }
    merged_.clear();
    for (const MEdge& m : me) {
      uint32_t mask = 0;
      for (uint32_t b = m.mask; b != 0; b &= b - 1) {
        mask |= 1u << pos[__builtin_ctz(b)];
      }
      merged_.push_back({m.s, mask});
    }
    if (merged_.size() <= 32) {
      InsertionSortEdges(merged_);
    } else {
      SortEdges(merged_);
    }
    return Leaf(x0, y0, shift, level);
  }

  // Split for the masked form: each distinct edge is tested once against
  // the children its box overlaps; a child keeps, in order, the parent's
  // candidates with an edge meeting it, cut at the first that covers it (the
  // parent's full one, or one whose edges miss the child and that contains
  // its corner), and the edges of the candidates it keeps.
  uint32_t MSplit(int64_t x0, int64_t y0, int shift, int level) {
    const uint32_t node = static_cast<uint32_t>(nodes.size() / 16);
    nodes.resize(nodes.size() + 16, kEmpty);
    ++stats.nodes;
    const int cs = shift - 2;
    const int64_t side = int64_t{1} << cs;
    std::vector<MCand>* cc = mchild_cands_[level].data();
    std::vector<MEdge>* ce = mchild_edges_[level].data();
    uint32_t emask[16];
    for (int k = 0; k < 16; ++k) {
      cc[k].clear();
      ce[k].clear();
      emask[k] = 0;
    }
    // corner[top]: bit k set iff candidate `top` contains child k's min
    // corner (nudged), from the parent's corner and the edges crossed.
    const std::vector<MCand>& parent = mcands_[level];
    uint32_t corner[kMaxCandidates];
    for (const MCand& c : parent) corner[c.top] = c.corner_in ? 0xFFFFu : 0u;
    for (const MEdge& m : medges_[level]) {
      const Seg& s = m.s;
      if (const uint32_t t = CornerToggles(s.a, s.b, x0, y0, side); t != 0) {
        for (uint32_t b = m.mask; b != 0; b &= b - 1) corner[__builtin_ctz(b)] ^= t;
      }
      ForEachChildMeeting(
          s, x0, y0, cs, [](int) { return true; },
          [&](int k) {
            ce[k].push_back(m);
            emask[k] |= m.mask;
          });
    }
    for (int k = 0; k < 16; ++k) {
      uint32_t kept = 0;
      for (const MCand& c : parent) {
        const uint32_t bit = 1u << c.top;
        if (c.full) {
          cc[k].push_back(c);
          kept |= bit;
          break;
        }
        const bool corner_in = (corner[c.top] >> k & 1) != 0;
        if (emask[k] & bit) {
          cc[k].push_back({c.g, false, c.top, corner_in});
          kept |= bit;
          continue;
        }
        // No edge of c meets the child: it is wholly inside or outside, as
        // its corner is.
        if (corner_in) {
          cc[k].push_back({c.g, true, c.top, true});
          kept |= bit;
          break;
        }
      }
      if (emask[k] & ~kept) {
        // Drop the edges of candidates cut off after a full one.
        size_t m = 0;
        for (const MEdge& e : ce[k]) {
          if (e.mask & kept) ce[k][m++] = {e.s, e.mask & kept};
        }
        ce[k].resize(m);
      }
    }
    for (int k = 0; k < 16; ++k) {
      mcands_[level + 1].swap(cc[k]);
      medges_[level + 1].swap(ce[k]);
      const uint32_t entry =
          MBuildCell(x0 + (k & 3) * side, y0 + (k >> 2) * side, cs, level + 1);
      nodes[node * 16 + k] = entry;
    }
    return MakeEntry(kTagNode, node);
  }

  // Splits the cell 4 x 4. Each parent edge is tested only against the
  // children its bounding box overlaps (1-4 of the 16 for most edges), and the
  // 16 children's lists are filled in one pass over the parent's, keeping the
  // parent's order (candidates ascending, then edges), so every child gets
  // exactly the lists a per-child scan would give it.
  uint32_t Split(int64_t x0, int64_t y0, int shift, int level) {
    const uint32_t node = static_cast<uint32_t>(nodes.size() / 16);
    nodes.resize(nodes.size() + 16, kEmpty);
    ++stats.nodes;
    const int cs = shift - 2;
    const int64_t side = int64_t{1} << cs;
    std::vector<Cand>* ccands = child_cands_[level].data();
    std::vector<Seg>* csegs = child_segs_[level].data();
    bool done[16];
    uint32_t begin[16];
    for (int k = 0; k < 16; ++k) {
      ccands[k].clear();
      csegs[k].clear();
      done[k] = false;
    }
    const std::vector<Cand>& parent = cands_[level];
    const std::vector<Seg>& psegs = segs_[level];
    for (const Cand& c : parent) {
      if (c.full) {
        for (int k = 0; k < 16; ++k) {
          if (!done[k]) ccands[k].push_back(c);
        }
        break;
      }
      for (int k = 0; k < 16; ++k)
        begin[k] = static_cast<uint32_t>(csegs[k].size());
      // Bit k: c contains child k's min corner (nudged).
      uint32_t corner = c.corner_in ? 0xFFFFu : 0u;
      for (uint32_t e = c.begin; e < c.end; ++e) {
        const Seg& s = psegs[e];
        corner ^= CornerToggles(s.a, s.b, x0, y0, side);
        ForEachChildMeeting(
            s, x0, y0, cs, [&](int k) { return !done[k]; },
            [&](int k) { csegs[k].push_back(s); });
      }
      for (int k = 0; k < 16; ++k) {
        if (done[k]) continue;
        const uint32_t end = static_cast<uint32_t>(csegs[k].size());
        const bool corner_in = (corner >> k & 1) != 0;
        if (end > begin[k]) {
          ccands[k].push_back({c.g, false, begin[k], end, corner_in});
          continue;
        }
        // No edge of g meets the child: it is wholly inside or outside, as
        // its corner is.
        if (corner_in) {
          ccands[k].push_back({c.g, true, 0, 0, true});
          done[k] = true;
        }
      }
    }
    for (int k = 0; k < 16; ++k) {
      cands_[level + 1].swap(ccands[k]);
      segs_[level + 1].swap(csegs[k]);
      const uint32_t entry =
          BuildCell(x0 + (k & 3) * side, y0 + (k >> 2) * side, cs, level + 1);
      nodes[node * 16 + k] = entry;
    }
    return MakeEntry(kTagNode, node);
  }

  // A lattice point of the cell on none of its edges, or false.
  bool FindReference(int64_t x0, int64_t y0, int shift, IPoint* c) const {
    const int64_t side = int64_t{1} << shift, mid = side / 2;
    auto free_point = [&](IPoint p) {
      for (const auto& [s, mask] : merged_) {
        if (Orient(s.a, s.b, p) == 0 && OnSegment(s.a, s.b, p)) return false;
      }
      return true;
    };
    for (int64_t r = 0; r < 4 && r <= mid; ++r) {
      for (int64_t dy = -r; dy <= r; ++dy) {
        for (int64_t dx = -r; dx <= r; ++dx) {
          if (std::max(std::abs(dx), std::abs(dy)) != r) continue;
          const int64_t x = mid + dx, y = mid + dy;
          if (x < 0 || y < 0 || x >= side || y >= side) continue;
          const IPoint p{x0 + x, y0 + y};
          if (free_point(p)) {
            *c = p;
            return true;
          }
        }
      }
    }
    return false;
  }

  uint32_t Leaf(int64_t x0, int64_t y0, int shift, int level) {
    const std::vector<Cand>& cands = cands_[level];
    const size_t k = cands.size();
    IPoint c;
    bool exact = k <= static_cast<size_t>(kMaxCandidates) &&
                 merged_.size() <= kMaxLeafEdges &&
                 FindReference(x0, y0, shift, &c);
    if (exact) {
      for (const auto& [s, mask] : merged_) {
        for (IPoint v : {s.a, s.b}) {
          if (std::abs(v.x - c.x) >= kOffsetLimit ||
              std::abs(v.y - c.y) >= kOffsetLimit) {
            exact = false;
          }
        }
      }
    }
    const uint32_t offset = static_cast<uint32_t>(leaves.size());
    ++stats.leaves;
    if (!exact) {
      ++stats.fallback_leaves;
      leaves.push_back(kFallbackBit | static_cast<uint32_t>(k));
      for (const Cand& cand : cands) leaves.push_back(cand.g);
      return MakeEntry(kTagLeaf, offset);
    }
    // c is on no edge that meets the cell, so on no candidate's boundary:
    // it is where it is nudged, which is where the cell's corner is, changed
    // by each edge crossed on the way (only edges meeting the cell can be).
    uint32_t toggle = 0;
    for (const auto& [s, mask] : merged_) {
      if (CrossesPath(s.a, s.b, x0, y0, c)) toggle ^= mask;
    }
    uint32_t ref_mask = 0;
    for (size_t i = 0; i < k; ++i) {
      if (cands[i].full || (cands[i].corner_in != ((toggle >> i & 1) != 0))) {
        ref_mask |= 1u << i;
      }
    }
    stats.leaf_edges += merged_.size();
    bool packed = k <= static_cast<size_t>(kMaxPackedCandidates);
    for (const auto& [s, mask] : merged_) {
      for (IPoint v : {s.a, s.b}) {
        if (std::abs(v.x - c.x) >= kPackedOffsetLimit ||
            std::abs(v.y - c.y) >= kPackedOffsetLimit) {
          packed = false;
        }
      }
    }
    const int64_t cx = c.x - x0 - CellMid(shift),
                  cy = c.y - y0 - CellMid(shift);
    leaves.push_back(static_cast<uint32_t>(
        merged_.size() << 15 | (packed ? kPackedBit : 0u) |
        static_cast<size_t>(cy + 3) << 11 | static_cast<size_t>(cx + 3) << 8 |
        k));
    leaves.push_back(ref_mask);
    for (const Cand& cand : cands) leaves.push_back(cand.g);
    if (packed) {
      for (const auto& [s, mask] : merged_) {
        const int64_t v[4] = {s.a.x - c.x, s.a.y - c.y, s.b.x - c.x,
                              s.b.y - c.y};
        for (int i = 0; i < 4; ++i) {
          leaves.push_back((static_cast<uint32_t>(v[i]) & 0x3FFFFFFFu) |
                           (mask >> (2 * i) & 3u) << 30);
        }
      }
      return MakeEntry(kTagLeaf, offset);
    }
    for (const auto& [s, mask] : merged_) {
      leaves.push_back(
          static_cast<uint32_t>(static_cast<int32_t>(s.a.x - c.x)));
      leaves.push_back(
          static_cast<uint32_t>(static_cast<int32_t>(s.a.y - c.y)));
      leaves.push_back(
          static_cast<uint32_t>(static_cast<int32_t>(s.b.x - c.x)));
      leaves.push_back(
          static_cast<uint32_t>(static_cast<int32_t>(s.b.y - c.y)));
      leaves.push_back(mask);
    }
    return MakeEntry(kTagLeaf, offset);
  }

 private:
  const GridGeometry& geo_;
  const CellLocatorOptions& options_;
  const uint32_t* edge_lists_;
  std::vector<std::vector<Cand>> cands_;
  std::vector<std::vector<Seg>> segs_;
  // Split's 16 children's lists at each level (swapped into the next level's
  // cands_/segs_ one child at a time).
  std::vector<std::vector<std::vector<Cand>>> child_cands_;
  std::vector<std::vector<std::vector<Seg>>> child_segs_;
  std::vector<MEdge> merged_;  // a leaf's distinct edges (BuildCell, MBuildCell)
  // The masked form's lists, per level, and Split's 16 children's.
  std::vector<std::vector<MCand>> mcands_;
  std::vector<std::vector<MEdge>> medges_;
  std::vector<std::vector<std::vector<MCand>>> mchild_cands_;
  std::vector<std::vector<std::vector<MEdge>>> mchild_edges_;
};

}  // namespace

namespace {

// Runs f(t) for t in [0, threads) on threads (t == 0 on the caller's).
template <typename F>
void RunThreads(int threads, F&& f) {
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back([&f, t] { f(t); });
  f(0);
  for (auto& th : pool) th.join();
}

// Adds the node/leaf bases to an entry built by a later thread.
uint32_t Rebase(uint32_t e, uint32_t node_base, uint32_t leaf_base) {
  if (e == kEmpty) return e;
  if (Tag(e) == kTagNode)
    return MakeEntry(kTagNode, (e & kPayloadMask) + node_base);
  if (Tag(e) == kTagLeaf)
    return MakeEntry(kTagLeaf, (e & kPayloadMask) + leaf_base);
  return e;
}

// Phase 1 of the build for one thread: the top cells each grid's closed
// region meets (TopPair), with the grid's membership at each one's min
// corner. Cost per grid: its edges times the cells each meets, plus the cells
// of its box; nothing is quadratic in the grid's edges (a grid with 1e5 holes,
// or one district-sized grid among 2M small ones, costs what its edges do).
class TopPairLister {
 public:
  TopPairLister(const GridGeometry& geo, IPoint origin, int shift, uint64_t nx)
      : geo_(geo), origin_(origin), shift_(shift), nx_(nx) {}

  // Appends grid g's pairs to *out (and, for grids of more than 32 edges
  // spanning several cells, each pair's edge list to *edge_lists).
  void List(uint32_t g, std::vector<TopPair>* out,
            std::vector<uint32_t>* edge_lists) {
    const IBox& b = geo_.box(g);
    cx0_ = static_cast<uint64_t>(b.min_x - origin_.x) >> shift_;
    cx1_ = static_cast<uint64_t>(b.max_x - origin_.x) >> shift_;
    cy0_ = static_cast<uint64_t>(b.min_y - origin_.y) >> shift_;
    cy1_ = static_cast<uint64_t>(b.max_y - origin_.y) >> shift_;
    const uint32_t r0 = geo_.grid_ring_begin(g), r1 = geo_.grid_ring_begin(g + 1);
    const uint32_t nedges = geo_.ring_begin(r1) - geo_.ring_begin(r0);
    const bool masked = nedges <= 32;
    if (cx0_ == cx1_ && cy0_ == cy1_) {
      // Every edge lies in the cell. Its corner is at or below-left of the
      // box, so the nudged corner is outside unless it is the box's corner.
      bool corner_in = false;
      if (CellX(cx0_) == b.min_x && CellY(cy0_) == b.min_y) {
        Parity(g);
        corner_in = parity_[0] != 0;
      }
      out->push_back({static_cast<uint32_t>(cy0_ * nx_ + cx0_),
                      g | (corner_in ? kCornerBit : 0u),
                      nedges < 32 ? (1u << nedges) - 1 : kAllEdges});
      return;
    }
    Mark(g);
    Parity(g);
    const uint64_t cols = cx1_ - cx0_ + 1;
    size_t next = 0;
    for (uint64_t cy = cy0_; cy <= cy1_; ++cy) {
      for (uint64_t cx = cx0_; cx <= cx1_; ++cx) {
        const uint64_t cell = cy * nx_ + cx;
        const bool corner_in = parity_[(cy - cy0_) * (cols + 1) + (cx - cx0_)] != 0;
        while (next < marked_.size() && (marked_[next] >> 32) < cell) ++next;
        if (next < marked_.size() && (marked_[next] >> 32) == cell) {
          uint32_t edges = 0;
          if (!masked) {
            edges = static_cast<uint32_t>(edge_lists->size());
            edge_lists->push_back(0);
          }
          for (; next < marked_.size() && (marked_[next] >> 32) == cell; ++next) {
            const uint32_t e = static_cast<uint32_t>(marked_[next]);
            if (masked) {
              edges |= 1u << e;
            } else {
              ++(*edge_lists)[edges];
              edge_lists->push_back(ends_[e].first);
              edge_lists->push_back(ends_[e].second);
            }
          }
          out->push_back({static_cast<uint32_t>(cell),
                          g | (corner_in ? kCornerBit : 0u), edges});
        } else if (corner_in) {
          // No edge meets the cell: it is as its corner is.
          out->push_back({static_cast<uint32_t>(cell), g | kFullBit, 0});
        }
      }
    }
  }

 private:
  int64_t CellX(uint64_t cx) const { return origin_.x + static_cast<int64_t>(cx << shift_); }
  int64_t CellY(uint64_t cy) const { return origin_.y + static_cast<int64_t>(cy << shift_); }

  // marked_: (cell << 32 | edge) for every edge of g and cell it meets,
  // ascending; ends_[edge]: the flat vertex indices of its ends.
  void Mark(uint32_t g) {
    const int64_t side = int64_t{1} << shift_;
    marked_.clear();
    ends_.clear();
    uint32_t e = 0;
    for (uint32_t r = geo_.grid_ring_begin(g); r < geo_.grid_ring_begin(g + 1); ++r) {
      const IPoint* pts = geo_.ring(r);
      const uint32_t base = geo_.ring_begin(r), n = geo_.ring_size(r);
      for (uint32_t i = 0, j = n - 1; i < n; j = i++, ++e) {
        ends_.push_back({base + j, base + i});
        const IPoint a = pts[j], c = pts[i];
        const uint64_t ex0 = static_cast<uint64_t>(std::min(a.x, c.x) - origin_.x) >> shift_;
        const uint64_t ex1 = static_cast<uint64_t>(std::max(a.x, c.x) - origin_.x) >> shift_;
        const uint64_t ey0 = static_cast<uint64_t>(std::min(a.y, c.y) - origin_.y) >> shift_;
        const uint64_t ey1 = static_cast<uint64_t>(std::max(a.y, c.y) - origin_.y) >> shift_;
        for (uint64_t cy = ey0; cy <= ey1; ++cy) {
          for (uint64_t cx = ex0; cx <= ex1; ++cx) {
            const bool meets =
                (ex0 == ex1 && ey0 == ey1) ||
                SegmentMeetsBox(a, c, CellX(cx), CellY(cy), CellX(cx) + side - 1,
                                CellY(cy) + side - 1);
            if (meets) marked_.push_back((cy * nx_ + cx) << 32 | e);
          }
        }
      }
    }
    std::sort(marked_.begin(), marked_.end());
  }

  // parity_[(cy - cy0) * (cols + 1) + (cx - cx0)]: g contains the nudged
  // min corner of cell (cx, cy) of its box. One sweep of the rows: the ray
  // from a nudged corner to +x crosses the edges that straddle the row's
  // line (half-open, as ClassifyRings) with the corner west of them, and the
  // corners west of an edge are a prefix of the row (found by bisection),
  // toggled in a difference array. Cost: O(edges + rows each edge straddles
  // x log(cols) + cells).
  void Parity(uint32_t g) {
    const uint64_t cols = cx1_ - cx0_ + 1, rows = cy1_ - cy0_ + 1;
    parity_.assign(rows * (cols + 1), 0);
    const int64_t side = int64_t{1} << shift_;
    for (uint32_t r = geo_.grid_ring_begin(g); r < geo_.grid_ring_begin(g + 1); ++r) {
      const IPoint* pts = geo_.ring(r);
      const uint32_t n = geo_.ring_size(r);
      for (uint32_t i = 0, j = n - 1; i < n; j = i++) {
        const IPoint p = pts[j].y < pts[i].y ? pts[j] : pts[i];  // northwards
        const IPoint q = pts[j].y < pts[i].y ? pts[i] : pts[j];
        if (p.y == q.y) continue;
        // Rows whose line y lies in [p.y, q.y).
        const uint64_t first = std::max<uint64_t>(
            cy0_, static_cast<uint64_t>(p.y - origin_.y + side - 1) >> shift_);
        const uint64_t last = std::min<uint64_t>(
            cy1_, static_cast<uint64_t>(q.y - 1 - origin_.y) >> shift_);
        for (uint64_t cy = first; cy <= last; ++cy) {
          const int64_t y = CellY(cy);
          uint64_t lo = cx0_, hi = cx1_ + 1;  // first corner east of the edge
          while (lo < hi) {
            const uint64_t mid = lo + (hi - lo) / 2;
            if (OrientNudged(p, q, {CellX(mid), y}) > 0) {
              lo = mid + 1;
            } else {
              hi = mid;
            }
          }
          uint8_t* row = &parity_[(cy - cy0_) * (cols + 1)];
          row[0] ^= 1;
          row[lo - cx0_] ^= 1;
        }
      }
    }
    for (uint64_t cy = 0; cy < rows; ++cy) {
      uint8_t* row = &parity_[cy * (cols + 1)];
      for (uint64_t c = 1; c < cols; ++c) row[c] ^= row[c - 1];
    }
  }

  const GridGeometry& geo_;
  const IPoint origin_;
  const int shift_;
  const uint64_t nx_;
  uint64_t cx0_ = 0, cx1_ = 0, cy0_ = 0, cy1_ = 0;  // g's box, in cells
  std::vector<uint64_t> marked_;
  std::vector<std::pair<uint32_t, uint32_t>> ends_;
  std::vector<uint8_t> parity_;
};

// Build's steps, in order.

// The top grid over the grids' box: origin, cell side 2^top_shift (about
// options.grids_per_top_cell grids a cell, the array kept below 2^25
// entries), nx x ny cells.
void ChooseTopGrid(const GridGeometry& geo, const CellLocatorOptions& options,
                   CellLocator::Impl* m) {
  const uint32_t num_grids = geo.num_grids();
  IBox box;
  for (uint32_t g = 0; g < num_grids; ++g) box.Expand(geo.box(g));
  if (num_grids == 0) box = IBox{0, 0, 0, 0};
  m->origin = {box.min_x, box.min_y};
  const double span_x = static_cast<double>(box.max_x - box.min_x) + 1;
  const double span_y = static_cast<double>(box.max_y - box.min_y) + 1;
  const double cell_area = span_x * span_y / std::max<uint32_t>(1, num_grids) *
                           options.grids_per_top_cell;
  int shift =
      static_cast<int>(std::lround(std::log2(std::max(16.0, cell_area)) / 2));
  shift = std::clamp(shift, 2, kMaxTopShift);
  // Keep the top array below 2^25 entries (128 MB) whatever the box's shape.
  while (shift < kMaxTopShift &&
         ((static_cast<uint64_t>(span_x) >> shift) + 1) *
                 ((static_cast<uint64_t>(span_y) >> shift) + 1) >
             (uint64_t{1} << 25)) {
    ++shift;
  }
  m->top_shift = shift;
  m->nx = (static_cast<uint64_t>(box.max_x - box.min_x) >> shift) + 1;
  m->ny = (static_cast<uint64_t>(box.max_y - box.min_y) >> shift) + 1;
  m->width = m->nx << shift;
  m->height = m->ny << shift;
}

// Phase 1 of one thread: the pairs of its grids, their edge lists, and
// counts[cell] (its pairs in the cell; BucketByCell makes it the thread's
// first slot in the cell).
struct ThreadPairs {
  std::vector<TopPair> pairs;
  std::vector<uint32_t> lists;
  std::vector<uint32_t> counts;
};

// Phase 1: every grid lists the top cells its closed region meets, as
// (cell, grid | kFullBit if the grid covers the whole cell | kCornerBit if
// it contains the cell's nudged corner, the edges of the grid that meet
// the cell). Edges are numbered in ring order over the grid's rings (as
// CellBuilder::ForEachEdge visits them); see TopPair. Thread t lists a
// contiguous range of grids.
std::vector<ThreadPairs> ListTopPairs(const GridGeometry& geo, const CellLocator::Impl& m,
                                      int threads) {
  const uint32_t num_grids = geo.num_grids();
  const uint64_t ncells = m.nx * m.ny;
  std::vector<ThreadPairs> per_thread(threads);
  RunThreads(threads, [&](int t) {
    const uint32_t g0 =
        static_cast<uint32_t>(uint64_t{num_grids} * t / threads);
    const uint32_t g1 =
        static_cast<uint32_t>(uint64_t{num_grids} * (t + 1) / threads);
    auto& out = per_thread[t].pairs;
    out.reserve(static_cast<size_t>(g1 - g0) * 6);
    TopPairLister lister(geo, m.origin, m.top_shift, m.nx);
    for (uint32_t g = g0; g < g1; ++g) lister.List(g, &out, &per_thread[t].lists);
    per_thread[t].counts.assign(ncells, 0);
    for (const TopPair& p : out) ++per_thread[t].counts[p.cell];
  });
  return per_thread;
}

// Phase 1's output bucketed by top cell: cell c's grids (ascending, with
// their flags) are grids[start[c] .. start[c + 1]), and edges[i] tells which
// of grid i's edges meet the cell (TopPair::edges, list offsets into
// edge_lists).
struct TopBuckets {
  std::vector<uint32_t> start;
  HugeArray<uint32_t> grids, edges;
  std::vector<uint32_t> edge_lists;
};

// One array of edge lists (freeing the threads'); returns where each
// thread's lists begin in it (and, last, its size).
std::vector<size_t> ConcatenateEdgeLists(std::vector<ThreadPairs>& per_thread,
                                         std::vector<uint32_t>* edge_lists) {
  const int threads = static_cast<int>(per_thread.size());
  std::vector<size_t> list_base(threads + 1, 0);
  for (int t = 0; t < threads; ++t) {
    list_base[t + 1] = list_base[t] + per_thread[t].lists.size();
  }
  edge_lists->resize(list_base[threads]);
  for (int t = 0; t < threads; ++t) {
    std::copy(per_thread[t].lists.begin(), per_thread[t].lists.end(),
              edge_lists->begin() + list_base[t]);
    std::vector<uint32_t>().swap(per_thread[t].lists);
  }
  return list_base;
}

// Buckets the pairs by cell (stable: grids stay ascending within a cell, as
// thread t's grids all precede thread t + 1's), freeing the threads' pairs.
TopBuckets BucketByCell(const GridGeometry& geo, uint64_t ncells,
                        std::vector<ThreadPairs>& per_thread) {
  const int threads = static_cast<int>(per_thread.size());
  TopBuckets b;
  const std::vector<size_t> list_base = ConcatenateEdgeLists(per_thread, &b.edge_lists);
  // Offsets are 32-bit: lists of 2^32 words or more (16 GB) would not fit,
  // and big grids then get kAllEdges (every edge tested in BuildTop: slower,
  // the same answers).
  const bool lists_fit = list_base[threads] < kAllEdges;
  auto has_list = [&geo](const TopPair& p) {
    const uint32_t g = p.g & kGridMask;
    return (p.g & kFullBit) == 0 && p.edges != kAllEdges &&
           geo.ring_begin(geo.grid_ring_begin(g + 1)) -
                   geo.ring_begin(geo.grid_ring_begin(g)) >
               32;
  };
  // counts[cell] becomes thread t's first slot in the cell, then each thread
  // scatters its own pairs.
  b.start.resize(ncells + 1);
  uint32_t sum = 0;
  for (uint64_t cell = 0; cell < ncells; ++cell) {
    b.start[cell] = sum;
    for (int t = 0; t < threads; ++t) {
      const uint32_t c = per_thread[t].counts[cell];
      per_thread[t].counts[cell] = sum;
      sum += c;
    }
  }
  b.start[ncells] = sum;
  b.grids.resize_uninitialized(sum);
  b.edges.resize_uninitialized(sum);
  RunThreads(threads, [&](int t) {
    std::vector<uint32_t>& fill = per_thread[t].counts;
    for (const TopPair& p : per_thread[t].pairs) {
      const uint32_t i = fill[p.cell]++;
      b.grids[i] = p.g;
      b.edges[i] = !has_list(p) ? p.edges
                   : lists_fit  ? static_cast<uint32_t>(p.edges + list_base[t])
                                : kAllEdges;
    }
    std::vector<TopPair>().swap(per_thread[t].pairs);
    std::vector<uint32_t>().swap(fill);
  });
  return b;
}

// Phase 2: builds the top cells into m->top, each thread a contiguous range
// of them [cut[t], cut[t + 1]) with about the same number of (cell, grid)
// pairs, into its own CellBuilder.
std::vector<std::unique_ptr<CellBuilder>> BuildTopCells(
    const GridGeometry& geo, const CellLocatorOptions& options, const TopBuckets& b,
    int threads, CellLocator::Impl* m, std::vector<uint64_t>* cut) {
  const uint64_t ncells = m->nx * m->ny;
  const std::vector<uint32_t>& start = b.start;
  const int shift = m->top_shift;
  const int64_t side = int64_t{1} << shift;
  HugeArray<uint32_t>& top = m->top;
  top.resize(ncells, kEmpty);
  std::vector<std::unique_ptr<CellBuilder>> builders(threads);
  cut->assign(threads + 1, ncells);
  (*cut)[0] = 0;
  for (int t = 1; t < threads; ++t) {
    const uint64_t want = uint64_t{start[ncells]} * t / threads;
    (*cut)[t] =
        std::upper_bound(start.begin(), start.end() - 1, want) - start.begin();
    (*cut)[t] = std::max((*cut)[t], (*cut)[t - 1]);
  }
  RunThreads(threads, [&](int t) {
    builders[t] = std::make_unique<CellBuilder>(geo, options, b.edge_lists.data());
    CellBuilder& cb = *builders[t];
    // Growth by doubling would copy (and page-fault) the arrays repeatedly:
    // reserve from the (cell, grid) pairs (12.5 leaf words and 1.4 node
    // words each measured at 200k grids). Only the pages written are
    // ever touched, so the first thread reserves room for every thread's
    // words: the others' are appended to its arrays without a reallocation.
    const size_t my_pairs =
        t == 0 ? start[ncells] : start[(*cut)[t + 1]] - start[(*cut)[t]];
    cb.leaves.reserve(my_pairs * 16 + 1024);
    cb.nodes.reserve(my_pairs * 2 + 1024);
    for (uint64_t cell = (*cut)[t]; cell < (*cut)[t + 1]; ++cell) {
      const uint64_t cy = cell / m->nx, cx = cell % m->nx;
      top[cell] = cb.BuildTop(
          m->origin.x + static_cast<int64_t>(cx) * side,
          m->origin.y + static_cast<int64_t>(cy) * side, shift,
          b.grids.data() + start[cell], b.edges.data() + start[cell],
          start[cell + 1] - start[cell]);
    }
  });
  return builders;
}

// The first thread's arrays become the final ones (offsets already final);
// each later thread copies its own arrays behind them in parallel (it
// first-touches those pages), rebasing its offsets. Frees the builders'
// arrays; adds their stats to m->stats.
void ConcatenateBuilders(std::vector<std::unique_ptr<CellBuilder>>& builders,
                         const std::vector<uint64_t>& cut, CellLocator::Impl* m) {
  const int threads = static_cast<int>(builders.size());
  std::vector<size_t> node_base(threads + 1, 0), leaf_base(threads + 1, 0);
  for (int t = 0; t < threads; ++t) {
    node_base[t + 1] = node_base[t] + builders[t]->nodes.size();
    leaf_base[t + 1] = leaf_base[t] + builders[t]->leaves.size();
  }
  m->nodes = std::move(builders[0]->nodes);
  m->leaves = std::move(builders[0]->leaves);
  m->nodes.resize_uninitialized(node_base[threads]);
  m->leaves.resize_uninitialized(leaf_base[threads]);
  HugeArray<uint32_t>& top = m->top;
  RunThreads(threads, [&](int t) {
    if (t == 0) return;
    CellBuilder& b = *builders[t];
    const uint32_t nb = static_cast<uint32_t>(node_base[t] / 16);
    const uint32_t lb = static_cast<uint32_t>(leaf_base[t]);
    uint32_t* nodes = m->nodes.mutable_data() + node_base[t];
    for (size_t i = 0; i < b.nodes.size(); ++i) {
      nodes[i] = Rebase(b.nodes.data()[i], nb, lb);
    }
    for (uint64_t cell = cut[t]; cell < cut[t + 1]; ++cell) {
      top[cell] = Rebase(top[cell], nb, lb);
    }
    if (!b.leaves.empty()) {
      std::memcpy(m->leaves.mutable_data() + leaf_base[t], b.leaves.data(),
                  b.leaves.bytes());
    }
    b.nodes = HugeArray<uint32_t>();
    b.leaves = HugeArray<uint32_t>();
  });
  CellLocatorStats& st = m->stats;
  for (int t = 0; t < threads; ++t) {
    const CellBuilder& b = *builders[t];
    st.nodes += b.stats.nodes;
    st.interior_entries += b.stats.interior_entries;
    st.empty_entries += b.stats.empty_entries;
    st.leaves += b.stats.leaves;
    st.fallback_leaves += b.stats.fallback_leaves;
    st.leaf_edges += b.stats.leaf_edges;
  }
}

}  // namespace

std::unique_ptr<CellLocator> CellLocator::Build(
    const GridGeometry* geometry, const Quantizer& quantizer,
    const CellLocatorOptions& options,
    std::shared_ptr<const BoxIndex> snap_index) {
  const auto t0 = std::chrono::steady_clock::now();
  auto m = std::make_unique<Impl>();
  m->geometry = geometry;
  m->quantizer = quantizer;
  const GridGeometry& geo = *geometry;
  const int threads = std::max(1, options.threads);

  // The snap index is independent of the cells: the caller's, or one built
  // alongside.
  std::thread snap_thread;
  if (snap_index != nullptr) {
    m->snap_index = std::move(snap_index);
  } else {
    snap_thread = std::thread(
        [&] { m->snap_index = std::make_shared<const BoxIndex>(geo.ComputeBoxes()); });
  }
  ChooseTopGrid(geo, options, m.get());
  const uint64_t ncells = m->nx * m->ny;
  std::vector<ThreadPairs> per_thread = ListTopPairs(geo, *m, threads);
  const TopBuckets buckets = BucketByCell(geo, ncells, per_thread);
  std::vector<uint64_t> cut;
  std::vector<std::unique_ptr<CellBuilder>> builders =
      BuildTopCells(geo, options, buckets, threads, m.get(), &cut);
  ConcatenateBuilders(builders, cut, m.get());
  builders.clear();
  if (snap_thread.joinable()) snap_thread.join();
  CellLocatorStats& st = m->stats;
  st.top_shift = m->top_shift;
  st.top_cells = ncells;
  st.build_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  return std::unique_ptr<CellLocator>(new CellLocator(std::move(m)));
}
}  // namespace gridroute

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

// Exact membership of p in grid g when p is known to lie on none of g's
// edges (every caller's point is in a closed box that no edge of g meets, or
// is a reference point chosen off every such edge): the even-odd rule of
// ClassifyRings (geo/geometry.h), with the same crossing decision, without the
// boundary tests, a bounding-box reject first and the orientation in int64
// when g's box is below 2^31 units wide and high (then every coordinate
// difference is, so each product is below 2^62). The same answer as
// GridGeometry::Classify(g, p) == Side::kInside for such points.
bool InsideOffBoundary(const GridGeometry& geo, uint32_t g, IPoint p) {
  const IBox& box = geo.box(g);
  if (p.x < box.min_x || p.x > box.max_x || p.y < box.min_y ||
      p.y > box.max_y) {
    return false;
  }
  if (box.max_x - box.min_x >= (int64_t{1} << 31) ||
      box.max_y - box.min_y >= (int64_t{1} << 31)) {
    return geo.Classify(g, p) == Side::kInside;
  }
  bool inside = false;
  for (uint32_t r = geo.grid_ring_begin(g); r < geo.grid_ring_begin(g + 1);
       ++r) {
    const IPoint* pts = geo.ring(r);
    const uint32_t n = geo.ring_size(r);
    IPoint a = pts[n - 1];
    for (uint32_t i = 0; i < n; ++i) {
      const IPoint b = pts[i];
      if ((a.y > p.y) != (b.y > p.y)) {
        // Orient(a, b, p) > 0; never 0 here (p would be on the edge).
        const bool left =
            (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x) > 0;
        if ((b.y > a.y) == left) inside = !inside;
      }
      a = b;
    }
  }
  return inside;
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
// `local` indexes its copy in the builder's per-top-cell grid cache.
struct Cand {
  uint32_t g;
  bool full;
  uint32_t begin, end;
  uint32_t local = 0;
};

// Phase 1's output: grid g (| kFullBit) meets top cell `cell`; `edges`: the
// mask of its edges that meet the cell, or kAllEdges (unknown: test each).
struct TopPair {
  uint32_t cell, g, edges;
};
constexpr uint32_t kAllEdges = ~0u;

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
  uint32_t local;
};
struct MEdge {
  Seg s;
  uint32_t mask;
};

// An edge as stored in the grid's ring (not normalised).
struct RawEdge {
  IPoint a, b;
};

// Builds the entries below top cells into its own node and leaf arrays.
// One per build thread; offsets are local and rebased when the threads' arrays
// are concatenated.
class CellBuilder {
 public:
  CellBuilder(const GridGeometry& geo, const CellLocatorOptions& options)
      : geo_(geo), options_(options) {
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
  // the grids (ascending, full flag in bit 31) that meet it and the mask of
  // each one's edges that meet it (see TopPair).
  uint32_t BuildTop(int64_t x0, int64_t y0, int shift, const uint32_t* grids,
                    const uint32_t* edge_masks, size_t n) {
    std::vector<Cand>& cands = cands_[0];
    std::vector<Seg>& segs = segs_[0];
    cands.clear();
    segs.clear();
    local_.clear();
    local_edges_.clear();
    const int64_t x1 = x0 + (int64_t{1} << shift) - 1,
                  y1 = y0 + (int64_t{1} << shift) - 1;
    for (size_t i = 0; i < n; ++i) {
      const uint32_t g = grids[i] & ~kFullBit;
      if (grids[i] & kFullBit) {
        cands.push_back({g, true, 0, 0});
        break;  // nothing after a grid that covers the whole cell matters
      }
      const uint32_t begin = static_cast<uint32_t>(segs.size());
      const uint32_t local_begin = static_cast<uint32_t>(local_edges_.size());
      const uint32_t edges = edge_masks[i];
      uint32_t e = 0;
      ForEachEdge(g, [&](IPoint a, IPoint b) {
        local_edges_.push_back({a, b});
        const bool meets = edges == kAllEdges
                               ? SegmentMeetsBox(a, b, x0, y0, x1, y1)
                               : (edges >> e & 1) != 0;
        ++e;
        if (meets) segs.push_back(MakeSeg(a, b));
      });
      const IBox& box = geo_.box(g);
      local_.push_back({g, local_begin,
                        static_cast<uint32_t>(local_edges_.size()), box,
                        box.max_x - box.min_x < (int64_t{1} << 31) &&
                            box.max_y - box.min_y < (int64_t{1} << 31)});
      cands.push_back({g, false, begin, static_cast<uint32_t>(segs.size()),
                       static_cast<uint32_t>(local_.size() - 1)});
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
  // A candidate grid of the current top cell: its box and all its edges
  // (local_edges_[begin, end)); `small`: the box is below 2^31 units wide
  // and high, so the int64 membership tests below apply.
  struct LocalGrid {
    uint32_t g;
    uint32_t begin, end;
    IBox box;
    bool small;
  };

  // InsideOffBoundary(geo_, local_[local].g, p) from the top cell's copy of
  // the grid's edges (same edges, same crossing rule; the parity depends on
  // neither their order nor their direction).
  bool Inside(uint32_t local, IPoint p) const {
    const LocalGrid& lg = local_[local];
    const IBox& box = lg.box;
    if (p.x < box.min_x || p.x > box.max_x || p.y < box.min_y ||
        p.y > box.max_y) {
      return false;
    }
    if (!lg.small) return geo_.Classify(lg.g, p) == Side::kInside;
    // Branch-free: p is in the box, so every product is below 2^62.
    bool inside = false;
    for (uint32_t e = lg.begin; e < lg.end; ++e) {
      const IPoint a = local_edges_[e].a, b = local_edges_[e].b;
      const bool straddles = (a.y > p.y) != (b.y > p.y);
      const bool left =
          (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x) > 0;
      inside ^= straddles & ((b.y > a.y) == left);
    }
    return inside;
  }

  // Bit cy * 4 + cx set iff Inside(local, {x0 + cx * side, y0 + cy * side}),
  // for the 16 children's min corners at once (one pass over the grid's
  // edges, each tested only against the rows it straddles). Exact for the
  // corners on none of its edges (the only ones used).
  // REQUIRES: local_[local].small.
  uint32_t CornerMask(uint32_t local, int64_t x0, int64_t y0,
                      int64_t side) const {
    const LocalGrid& lg = local_[local];
    const IBox& box = lg.box;
    int64_t px[4], py[4];
    uint32_t xin = 0, yin = 0;  // corners inside the box (others: outside)
    for (int i = 0; i < 4; ++i) {
      px[i] = x0 + i * side;
      py[i] = y0 + i * side;
      if (px[i] >= box.min_x && px[i] <= box.max_x) xin |= 1u << i;
      if (py[i] >= box.min_y && py[i] <= box.max_y) yin |= 1u << i;
    }
    if (xin == 0 || yin == 0) return 0;
    uint32_t mask = 0;
    for (uint32_t e = lg.begin; e < lg.end; ++e) {
      const IPoint a = local_edges_[e].a, b = local_edges_[e].b;
      // (a.y > y) != (b.y > y)  <=>  lo <= y < hi.
      const int64_t lo = std::min(a.y, b.y), hi = std::max(a.y, b.y);
      if (hi <= py[0] || lo > py[3]) continue;
      const bool up = b.y > a.y;
      const int64_t dx = b.x - a.x, dy = b.y - a.y;
      for (int cy = 0; cy < 4; ++cy) {
        if (!(yin >> cy & 1) || py[cy] < lo || py[cy] >= hi) continue;
        const int64_t t = dx * (py[cy] - a.y);
        for (int cx = 0; cx < 4; ++cx) {
          if (!(xin >> cx & 1)) continue;
          const bool left = t - dy * (px[cx] - a.x) > 0;
          if (up == left) mask ^= 1u << (cy * 4 + cx);
        }
      }
    }
    uint32_t in_box = 0;
    for (int cy = 0; cy < 4; ++cy) {
      if (yin >> cy & 1) in_box |= xin << (cy * 4);
    }
    return mask & in_box;
  }

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
    const int limit = options_.max_leaf_edges;
    size_t n = 0;
    for (size_t i = 0; i < k; ++i) n += cands[i].end - cands[i].begin;
    merged_.clear();
    if (n <= 64 || (can_split && limit <= 32)) {
      // Few distinct edges: merge duplicates by a linear search, then sort
      // the distinct ones (the same list as sorting all and merging equal
      // neighbours).
      for (size_t i = 0; i < k; ++i) {
        const uint32_t bit = i < 32 ? (1u << i) : 0u;
        for (uint32_t e = cands[i].begin; e < cands[i].end; ++e) {
          const Seg& s = segs[e];
          bool found = false;
          for (auto& [t, mask] : merged_) {
            if (SegEq(t, s)) {
              mask |= bit;
              found = true;
              break;
            }
          }
          if (found) continue;
          merged_.push_back({s, bit});
          if (can_split && static_cast<int>(merged_.size()) > limit) {
            return Split(x0, y0, shift, level);
          }
        }
      }
      if (can_split && static_cast<int>(merged_.size()) > limit) {
        return Split(x0, y0, shift, level);
      }
      for (size_t i = 1; i < merged_.size(); ++i) {
        const std::pair<Seg, uint32_t> v = merged_[i];
        size_t j = i;
        for (; j > 0 && SegLess(v.first, merged_[j - 1].first); --j) {
          merged_[j] = merged_[j - 1];
        }
        merged_[j] = v;
      }
      return Leaf(x0, y0, shift, level);
    }
    for (size_t i = 0; i < k; ++i) {
      for (uint32_t e = cands[i].begin; e < cands[i].end; ++e) {
        merged_.push_back({segs[e], i < 32 ? (1u << i) : 0u});
      }
    }
    std::sort(merged_.begin(), merged_.end(), [](const auto& s, const auto& t) {
      return SegLess(s.first, t.first);
    });
    size_t m = 0;
    for (size_t i = 0; i < merged_.size(); ++i) {
      if (m > 0 && SegEq(merged_[m - 1].first, merged_[i].first)) {
        merged_[m - 1].second |= merged_[i].second;
      } else {
        merged_[m++] = merged_[i];
      }
    }
    merged_.resize(m);
    if (can_split && static_cast<int>(m) > limit) {
      return Split(x0, y0, shift, level);
    }
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
    me.clear();
    size_t n = 0;
    for (size_t i = 0; i < cands.size(); ++i) {
      const Cand& c = cands[i];
      mc.push_back({c.g, c.full, static_cast<uint8_t>(i), c.local});
      n += c.end - c.begin;
    }
    if (n <= 64) {
      for (size_t i = 0; i < cands.size(); ++i) {
        const uint32_t bit = 1u << i;
        for (uint32_t e = cands[i].begin; e < cands[i].end; ++e) {
          const Seg& s = segs[e];
          bool found = false;
          for (MEdge& m : me) {
            if (SegEq(m.s, s)) {
              m.mask |= bit;
              found = true;
              break;
            }
          }
          if (!found) me.push_back({s, bit});
        }
      }
    } else {
      for (size_t i = 0; i < cands.size(); ++i) {
        for (uint32_t e = cands[i].begin; e < cands[i].end; ++e) {
          me.push_back({segs[e], 1u << i});
        }
      }
      std::sort(me.begin(), me.end(), [](const MEdge& a, const MEdge& b) {
        return SegLess(a.s, b.s);
      });
      size_t m = 0;
      for (size_t i = 0; i < me.size(); ++i) {
        if (m > 0 && SegEq(me[m - 1].s, me[i].s)) {
          me[m - 1].mask |= me[i].mask;
        } else {
          me[m++] = me[i];
        }
      }
      me.resize(m);
    }
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
      cands.push_back({mc[i].g, mc[i].full, 0, 0, mc[i].local});
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
      for (size_t i = 1; i < merged_.size(); ++i) {
        const std::pair<Seg, uint32_t> v = merged_[i];
        size_t j = i;
        for (; j > 0 && SegLess(v.first, merged_[j - 1].first); --j) {
          merged_[j] = merged_[j - 1];
        }
        merged_[j] = v;
      }
    } else {
      std::sort(merged_.begin(), merged_.end(),
                [](const auto& s, const auto& t) {
                  return SegLess(s.first, t.first);
                });
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
    auto child_of = [cs](int64_t v) {
      return static_cast<int>(std::clamp<int64_t>(v >> cs, 0, 3));
    };
    for (const MEdge& m : medges_[level]) {
      const Seg& s = m.s;
      const int cx0 = child_of(s.a.x - x0);  // a.x <= b.x (normalised)
      const int cx1 = child_of(s.b.x - x0);
      const int cy0 = child_of(std::min(s.a.y, s.b.y) - y0);
      const int cy1 = child_of(std::max(s.a.y, s.b.y) - y0);
      for (int cy = cy0; cy <= cy1; ++cy) {
        for (int cx = cx0; cx <= cx1; ++cx) {
          const int k = cy * 4 + cx;
          const int64_t bx0 = x0 + cx * side, by0 = y0 + cy * side;
          if (SegmentMeetsBox(s.a, s.b, bx0, by0, bx0 + side - 1,
                              by0 + side - 1)) {
            ce[k].push_back(m);
            emask[k] |= m.mask;
          }
        }
      }
    }
    const std::vector<MCand>& parent = mcands_[level];
    uint32_t corner[kMaxCandidates];
    uint32_t have_corner = 0;
    for (int k = 0; k < 16; ++k) {
      uint32_t kept = 0;
      for (size_t i = 0; i < parent.size(); ++i) {
        const MCand& c = parent[i];
        const uint32_t bit = 1u << c.top;
        if (c.full) {
          cc[k].push_back(c);
          kept |= bit;
          break;
        }
        if (emask[k] & bit) {
          cc[k].push_back(c);
          kept |= bit;
          continue;
        }
        // No edge of c meets the child: it is wholly inside or outside.
        bool inside;
        if (local_[c.local].small) {
          if (!(have_corner >> i & 1)) {
            corner[i] = CornerMask(c.local, x0, y0, side);
            have_corner |= 1u << i;
          }
          inside = corner[i] >> k & 1;
        } else {
          inside = Inside(c.local, {x0 + (k & 3) * side, y0 + (k >> 2) * side});
        }
        if (inside) {
          cc[k].push_back({c.g, true, c.top, c.local});
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
    auto child_of = [cs](int64_t v) {
      return static_cast<int>(std::clamp<int64_t>(v >> cs, 0, 3));
    };
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
      for (uint32_t e = c.begin; e < c.end; ++e) {
        const Seg& s = psegs[e];
        const int cx0 = child_of(std::min(s.a.x, s.b.x) - x0);
        const int cx1 = child_of(std::max(s.a.x, s.b.x) - x0);
        const int cy0 = child_of(std::min(s.a.y, s.b.y) - y0);
        const int cy1 = child_of(std::max(s.a.y, s.b.y) - y0);
        for (int cy = cy0; cy <= cy1; ++cy) {
          for (int cx = cx0; cx <= cx1; ++cx) {
            const int k = cy * 4 + cx;
            if (done[k]) continue;
            const int64_t bx0 = x0 + cx * side, by0 = y0 + cy * side;
            if (SegmentMeetsBox(s.a, s.b, bx0, by0, bx0 + side - 1,
                                by0 + side - 1)) {
              csegs[k].push_back(s);
            }
          }
        }
      }
      const bool small = local_[c.local].small;
      bool have_mask = false;
      uint32_t inside_mask = 0;
      for (int k = 0; k < 16; ++k) {
        if (done[k]) continue;
        const uint32_t end = static_cast<uint32_t>(csegs[k].size());
        if (end > begin[k]) {
          ccands[k].push_back({c.g, false, begin[k], end, c.local});
          continue;
        }
        // No edge of g meets the child: it is wholly inside or outside.
        bool inside;
        if (small) {
          if (!have_mask) {
            inside_mask = CornerMask(c.local, x0, y0, side);
            have_mask = true;
          }
          inside = inside_mask >> k & 1;
        } else {
          inside = Inside(c.local, {x0 + (k & 3) * side, y0 + (k >> 2) * side});
        }
        if (inside) {
          ccands[k].push_back({c.g, true, 0, 0});
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
    uint32_t ref_mask = 0;
    for (size_t i = 0; i < k; ++i) {
      // c is on no edge that meets the cell, so on no candidate's boundary.
      if (cands[i].full || Inside(cands[i].local, c)) {
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
  std::vector<std::vector<Cand>> cands_;
  std::vector<std::vector<Seg>> segs_;
  // Split's 16 children's lists at each level (swapped into the next level's
  // cands_/segs_ one child at a time).
  std::vector<std::vector<std::vector<Cand>>> child_cands_;
  std::vector<std::vector<std::vector<Seg>>> child_segs_;
  std::vector<std::pair<Seg, uint32_t>> merged_;
  std::vector<LocalGrid> local_;
  std::vector<RawEdge> local_edges_;
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
  const uint32_t num_grids = geo.num_grids();
  const int threads = std::max(1, options.threads);

  // The snap index is independent of the cells: the caller's, or one built
  // alongside.
  std::thread snap_thread;
  if (snap_index != nullptr) {
    m->snap_index = std::move(snap_index);
  } else {
    snap_thread = std::thread(
        [&] { m->snap_index = std::make_shared<const BoxIndex>(geo.boxes()); });
  }

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
  const uint64_t ncells = m->nx * m->ny;
  const int64_t side = int64_t{1} << shift;
  const IPoint origin = m->origin;
  auto cell_x0 = [&](uint64_t cx) {
    return origin.x + static_cast<int64_t>(cx) * side;
  };
  auto cell_y0 = [&](uint64_t cy) {
    return origin.y + static_cast<int64_t>(cy) * side;
  };

  // Phase 1: every grid lists the top cells its closed region meets, as
  // (cell, grid | kFullBit if the grid covers the whole cell, the edges of
  // the grid that meet the cell). Edges are numbered in ring order over the
  // grid's rings (as CellBuilder::ForEachEdge visits them); `edges` has bit e
  // set iff edge e meets the cell, or is kAllEdges (test every edge: grids
  // with more than 32 edges).
  std::vector<std::vector<TopPair>> pairs(threads);
  // counts[t][cell]: thread t's pairs in the cell (for the bucketing).
  std::vector<std::vector<uint32_t>> counts(threads);
  RunThreads(threads, [&](int t) {
    const uint32_t g0 =
        static_cast<uint32_t>(uint64_t{num_grids} * t / threads);
    const uint32_t g1 =
        static_cast<uint32_t>(uint64_t{num_grids} * (t + 1) / threads);
    auto& out = pairs[t];
    out.reserve(static_cast<size_t>(g1 - g0) * 6);
    std::vector<uint64_t> marked;
    for (uint32_t g = g0; g < g1; ++g) {
      const IBox& b = geo.box(g);
      const uint64_t cx0 = static_cast<uint64_t>(b.min_x - origin.x) >> shift;
      const uint64_t cx1 = static_cast<uint64_t>(b.max_x - origin.x) >> shift;
      const uint64_t cy0 = static_cast<uint64_t>(b.min_y - origin.y) >> shift;
      const uint64_t cy1 = static_cast<uint64_t>(b.max_y - origin.y) >> shift;
      const uint32_t r0 = geo.grid_ring_begin(g),
                     r1 = geo.grid_ring_begin(g + 1);
      const uint32_t nedges = geo.ring_begin(r1) - geo.ring_begin(r0);
      const bool masked = nedges <= 32;
      if (cx0 == cx1 && cy0 == cy1) {
        // Every edge lies in the cell.
        out.push_back({static_cast<uint32_t>(cy0 * m->nx + cx0), g,
                       nedges < 32 ? (1u << nedges) - 1 : kAllEdges});
        continue;
      }
      // (cell << 5 | edge) for every edge meeting a cell (edge 0 when the
      // grid is not masked).
      marked.clear();
      uint32_t e = 0;
      for (uint32_t r = r0; r < r1; ++r) {
        const IPoint* pts = geo.ring(r);
        const uint32_t n = geo.ring_size(r);
        for (uint32_t i = 0, j = n - 1; i < n; j = i++, ++e) {
          const uint64_t edge = masked ? e : 0;
          const IPoint a = pts[j], c = pts[i];
          const uint64_t ex0 =
              static_cast<uint64_t>(std::min(a.x, c.x) - origin.x) >> shift;
          const uint64_t ex1 =
              static_cast<uint64_t>(std::max(a.x, c.x) - origin.x) >> shift;
          const uint64_t ey0 =
              static_cast<uint64_t>(std::min(a.y, c.y) - origin.y) >> shift;
          const uint64_t ey1 =
              static_cast<uint64_t>(std::max(a.y, c.y) - origin.y) >> shift;
          for (uint64_t cy = ey0; cy <= ey1; ++cy) {
            for (uint64_t cx = ex0; cx <= ex1; ++cx) {
              const bool meets = (ex0 == ex1 && ey0 == ey1) ||
                                 SegmentMeetsBox(a, c, cell_x0(cx), cell_y0(cy),
                                                 cell_x0(cx) + side - 1,
                                                 cell_y0(cy) + side - 1);
              if (meets) marked.push_back((cy * m->nx + cx) << 5 | edge);
            }
          }
        }
      }
      std::sort(marked.begin(), marked.end());
      size_t next = 0;
      for (uint64_t cy = cy0; cy <= cy1; ++cy) {
        for (uint64_t cx = cx0; cx <= cx1; ++cx) {
          const uint64_t cell = cy * m->nx + cx;
          while (next < marked.size() && (marked[next] >> 5) < cell) ++next;
          if (next < marked.size() && (marked[next] >> 5) == cell) {
            uint32_t edges = 0;
            for (; next < marked.size() && (marked[next] >> 5) == cell;
                 ++next) {
              edges |= 1u << (marked[next] & 31);
            }
            out.push_back(
                {static_cast<uint32_t>(cell), g, masked ? edges : kAllEdges});
          } else if (InsideOffBoundary(geo, g, {cell_x0(cx), cell_y0(cy)})) {
            out.push_back({static_cast<uint32_t>(cell), g | kFullBit, 0});
          }
        }
      }
    }
    counts[t].assign(ncells, 0);
    for (const TopPair& p : out) ++counts[t][p.cell];
  });

  // Bucket by cell (stable: grids stay ascending within a cell, as thread
  // t's grids all precede thread t + 1's). counts[t][cell] becomes thread t's
  // first slot in the cell, then each thread scatters its own pairs.
  std::vector<uint32_t> start(ncells + 1);
  {
    uint32_t sum = 0;
    for (uint64_t cell = 0; cell < ncells; ++cell) {
      start[cell] = sum;
      for (int t = 0; t < threads; ++t) {
        const uint32_t c = counts[t][cell];
        counts[t][cell] = sum;
        sum += c;
      }
    }
    start[ncells] = sum;
  }
  HugeArray<uint32_t> bucket, bucket_edges;
  bucket.resize_uninitialized(start[ncells]);
  bucket_edges.resize_uninitialized(start[ncells]);
  RunThreads(threads, [&](int t) {
    std::vector<uint32_t>& fill = counts[t];
    for (const TopPair& p : pairs[t]) {
      const uint32_t i = fill[p.cell]++;
      bucket[i] = p.g;
      bucket_edges[i] = p.edges;
    }
    std::vector<TopPair>().swap(pairs[t]);
    std::vector<uint32_t>().swap(fill);
  });

  // Phase 2: build the cells, each thread a contiguous range of top cells
  // with about the same number of (cell, grid) pairs.
  HugeArray<uint32_t>& top = m->top;
  top.resize(ncells, kEmpty);
  std::vector<std::unique_ptr<CellBuilder>> builders(threads);
  std::vector<uint64_t> cut(threads + 1, ncells);
  cut[0] = 0;
  for (int t = 1; t < threads; ++t) {
    const uint64_t want = uint64_t{start[ncells]} * t / threads;
    cut[t] =
        std::upper_bound(start.begin(), start.end() - 1, want) - start.begin();
    cut[t] = std::max(cut[t], cut[t - 1]);
  }
  RunThreads(threads, [&](int t) {
    builders[t] = std::make_unique<CellBuilder>(geo, options);
    CellBuilder& b = *builders[t];
    // Growth by doubling would copy (and page-fault) the arrays repeatedly:
    // reserve from the (cell, grid) pairs (12.5 leaf words and 1.4 node
    // words each measured at 200k grids). Only the pages written are
    // ever touched, so the first thread reserves room for every thread's
    // words: the others' are appended to its arrays without a reallocation.
    const size_t my_pairs =
        t == 0 ? start[ncells] : start[cut[t + 1]] - start[cut[t]];
    b.leaves.reserve(my_pairs * 16 + 1024);
    b.nodes.reserve(my_pairs * 2 + 1024);
    for (uint64_t cell = cut[t]; cell < cut[t + 1]; ++cell) {
      const uint64_t cy = cell / m->nx, cx = cell % m->nx;
      top[cell] = b.BuildTop(
          cell_x0(cx), cell_y0(cy), shift, bucket.data() + start[cell],
          bucket_edges.data() + start[cell], start[cell + 1] - start[cell]);
    }
  });

  // The first thread's arrays become the final ones (offsets already final);
  // each later thread copies its own arrays behind them in parallel (it
  // first-touches those pages), rebasing its offsets.
  CellLocatorStats& st = m->stats;
  std::vector<size_t> node_base(threads + 1, 0), leaf_base(threads + 1, 0);
  for (int t = 0; t < threads; ++t) {
    node_base[t + 1] = node_base[t] + builders[t]->nodes.size();
    leaf_base[t + 1] = leaf_base[t] + builders[t]->leaves.size();
  }
  m->nodes = std::move(builders[0]->nodes);
  m->leaves = std::move(builders[0]->leaves);
  m->nodes.resize_uninitialized(node_base[threads]);
  m->leaves.resize_uninitialized(leaf_base[threads]);
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
  for (int t = 0; t < threads; ++t) {
    const CellBuilder& b = *builders[t];
    st.nodes += b.stats.nodes;
    st.interior_entries += b.stats.interior_entries;
    st.empty_entries += b.stats.empty_entries;
    st.leaves += b.stats.leaves;
    st.fallback_leaves += b.stats.fallback_leaves;
    st.leaf_edges += b.stats.leaf_edges;
  }
  builders.clear();
  if (snap_thread.joinable()) snap_thread.join();
  st.top_shift = shift;
  st.top_cells = ncells;
  st.build_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  return std::unique_ptr<CellLocator>(new CellLocator(std::move(m)));
}
}  // namespace gridroute

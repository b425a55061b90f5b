// Copyright 2026 gridroute authors.
//
// CellLocator lookups: Locate, LocateBatch, Probe over the structure of
// cell_layout.h (built by cell_builder.cc; see CELL_LOCATOR.md).
#include "index/cell_locator.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <utility>

#include "index/cell_layout.h"
#include "index/snap.h"

namespace gridroute {
namespace {

// Exact answer of an exact leaf for the point (px, py) relative to the
// cell's min corner. Returns the candidate index | 0x100 if on edge, or -1.
template <bool kPacked>
inline int LeafCandidateT(const uint32_t* w, int64_t px, int64_t py,
                          int shift) {
  const uint32_t header = w[0];
  const uint32_t nedges = header >> 15;
  // p relative to the reference point c.
  const int64_t mid = CellMid(shift);
  const int64_t x = px - mid - (static_cast<int64_t>(header >> 8 & 7) - 3);
  const int64_t y = py - mid - (static_cast<int64_t>(header >> 11 & 7) - 3);
  const uint32_t k = header & 0xFF;
  const uint32_t* e = w + kHeaderWords + k;
  // 30-bit two's complement offset of a packed word.
  auto off = [](uint32_t v) -> int64_t {
    return kPacked ? static_cast<int32_t>(v << 2) >> 2
                   : static_cast<int32_t>(v);
  };
  uint32_t toggle = 0, on = 0;
  for (uint32_t i = 0; i < nedges;
       ++i, e += kPacked ? kPackedEdgeWords : kEdgeWords) {
    const int64_t ax = off(e[0]), ay = off(e[1]);
    const int64_t bx = off(e[2]), by = off(e[3]);
    const uint32_t mask = kPacked ? (e[0] >> 30 | (e[1] >> 30) << 2 |
                                     (e[2] >> 30) << 4 | (e[3] >> 30) << 6)
                                  : e[4];
    // Sides of a and b relative to the line c->p; a zero counts as left, which
    // is the line shifted by an infinitesimal: exact for c and p off the
    // boundary (c by construction; p is caught by `on` below).
    const bool sa = x * ay - y * ax >= 0;
    const bool sb = x * by - y * bx >= 0;
    // Sides of p and c relative to the line a->b.
    const int64_t op = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
    const int64_t oc = ax * by - ay * bx;
    const bool crosses = (sa != sb) & ((op > 0 && oc < 0) | (op < 0 && oc > 0));
    const bool on_edge = (op == 0) & (std::min(ax, bx) <= x) &
                         (x <= std::max(ax, bx)) & (std::min(ay, by) <= y) &
                         (y <= std::max(ay, by));
    toggle ^= crosses ? mask : 0u;
    on |= on_edge ? mask : 0u;
  }
  const uint32_t covered = on | (w[1] ^ toggle);
  if (covered == 0) return -1;
  const int i = __builtin_ctz(covered);
  return i | ((on >> i & 1) << 8);
}

inline int LeafCandidate(const uint32_t* w, int64_t px, int64_t py, int shift) {
  return (w[0] & kPackedBit) ? LeafCandidateT<true>(w, px, py, shift)
                             : LeafCandidateT<false>(w, px, py, shift);
}

}  // namespace

LocateResult CellLocator::Impl::FromLeaf(const uint32_t* w, uint64_t dx,
                                         uint64_t dy, int shift,
                                         IPoint p) const {
  const uint64_t low = (uint64_t{1} << shift) - 1;
  if (w[0] & kFallbackBit) {
    const uint32_t n = w[0] & ~kFallbackBit;
    for (uint32_t i = 0; i < n; ++i) {
      const Side s = geometry->Classify(w[1 + i], p);
      if (s != Side::kOutside) {
        return {w[1 + i], s == Side::kBoundary ? How::kOnEdge : How::kInside,
                0};
      }
    }
    return {};
  }
  const int c = LeafCandidate(w, static_cast<int64_t>(dx & low),
                              static_cast<int64_t>(dy & low), shift);
  if (c < 0) return {};
  return {w[kHeaderWords + (c & 0xFF)], (c >> 8) ? How::kOnEdge : How::kInside,
          0};
}

LocateResult CellLocator::Impl::Resolve(IPoint p) const {
  const uint64_t dx =
      static_cast<uint64_t>(p.x) - static_cast<uint64_t>(origin.x);
  const uint64_t dy =
      static_cast<uint64_t>(p.y) - static_cast<uint64_t>(origin.y);
  if (dx >= width || dy >= height) return {};
  int shift = top_shift;
  uint32_t e = top.data()[(dy >> shift) * nx + (dx >> shift)];
  while (Tag(e) == kTagNode) {
    shift -= 2;
    e = nodes.data()[(e & kPayloadMask) * 16 + ((dy >> shift) & 3) * 4 +
                     ((dx >> shift) & 3)];
  }
  if (e == kEmpty) return {};
  if (Tag(e) == kTagInterior) return {e, How::kInside, 0};
  return FromLeaf(leaves.data() + (e & kPayloadMask), dx, dy, shift, p);
}

CellLocator::CellLocator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CellLocator::~CellLocator() = default;

LocateResult CellLocator::Locate(IPoint p, const LocateOptions& options) const {
  return impl_->Finish(impl_->Resolve(p), p, options);
}

void CellLocator::LocateBatch(const IPoint* p, size_t n,
                              const LocateOptions& options,
                              LocateResult* out) const {
  const Impl& m = *impl_;
  // One pass per tree level over a chunk: every point of the chunk has its
  // next line in flight while the others are decoded (memory-level
  // parallelism instead of one dependent miss after another).
  constexpr size_t kChunk = 32;
  const uint32_t* addr[kChunk];
  uint64_t dx[kChunk], dy[kChunk];
  int8_t shift[kChunk];
  uint8_t active[kChunk];
  for (size_t base = 0; base < n; base += kChunk) {
    const size_t c = std::min(kChunk, n - base);
    size_t na = 0;
    for (size_t i = 0; i < c; ++i) {
      const IPoint q = p[base + i];
      out[base + i] = LocateResult{};
      dx[i] = static_cast<uint64_t>(q.x) - static_cast<uint64_t>(m.origin.x);
      dy[i] = static_cast<uint64_t>(q.y) - static_cast<uint64_t>(m.origin.y);
      if (dx[i] >= m.width || dy[i] >= m.height) continue;
      shift[i] = static_cast<int8_t>(m.top_shift);
      addr[i] =
          m.top.data() + (dy[i] >> m.top_shift) * m.nx + (dx[i] >> m.top_shift);
      __builtin_prefetch(addr[i]);
      active[na++] = static_cast<uint8_t>(i);
    }
    // Walk down: entries to interior/empty resolve, nodes prefetch the child
    // entry, leaves prefetch their first two lines.
    size_t nleaf = 0;
    uint8_t leaf[kChunk];
    while (na > 0) {
      size_t next = 0;
      for (size_t j = 0; j < na; ++j) {
        const size_t i = active[j];
        const uint32_t e = *addr[i];
        if (Tag(e) == kTagNode) {
          shift[i] = static_cast<int8_t>(shift[i] - 2);
          addr[i] = m.nodes.data() + (e & kPayloadMask) * 16 +
                    ((dy[i] >> shift[i]) & 3) * 4 + ((dx[i] >> shift[i]) & 3);
          __builtin_prefetch(addr[i]);
          active[next++] = static_cast<uint8_t>(i);
        } else if (e == kEmpty) {
          // stays kOutside
        } else if (Tag(e) == kTagInterior) {
          out[base + i] = {e, How::kInside, 0};
        } else {
          addr[i] = m.leaves.data() + (e & kPayloadMask);
          __builtin_prefetch(addr[i]);
          __builtin_prefetch(addr[i] + 16);
          leaf[nleaf++] = static_cast<uint8_t>(i);
        }
      }
      na = next;
    }
    for (size_t j = 0; j < nleaf; ++j) {
      const size_t i = leaf[j];
      out[base + i] = m.FromLeaf(addr[i], dx[i], dy[i], shift[i], p[base + i]);
    }
    if (options.snap_m > 0) {
      for (size_t i = 0; i < c; ++i) {
        out[base + i] = m.Finish(out[base + i], p[base + i], options);
      }
    }
  }
}

size_t CellLocator::MemoryBytes() const {
  return impl_->top.bytes() + impl_->nodes.bytes() + impl_->leaves.bytes() +
         impl_->snap_index->MemoryBytes();
}

const CellLocatorStats& CellLocator::stats() const { return impl_->stats; }

CellKind CellLocator::Probe(IPoint p) const {
  const Impl& m = *impl_;
  const uint64_t dx =
      static_cast<uint64_t>(p.x) - static_cast<uint64_t>(m.origin.x);
  const uint64_t dy =
      static_cast<uint64_t>(p.y) - static_cast<uint64_t>(m.origin.y);
  if (dx >= m.width || dy >= m.height) return CellKind::kOutsideBox;
  int shift = m.top_shift;
  uint32_t e = m.top.data()[(dy >> shift) * m.nx + (dx >> shift)];
  while (Tag(e) == kTagNode) {
    shift -= 2;
    e = m.nodes.data()[(e & kPayloadMask) * 16 + ((dy >> shift) & 3) * 4 +
                       ((dx >> shift) & 3)];
  }
  if (e == kEmpty) return CellKind::kEmpty;
  if (Tag(e) == kTagInterior) return CellKind::kInterior;
  return (m.leaves.data()[e & kPayloadMask] & kFallbackBit)
             ? CellKind::kFallbackLeaf
             : CellKind::kLeaf;
}

std::unique_ptr<Locator> BuildCellLocator(const GridGeometry* geometry,
                                          const Quantizer& quantizer,
                                          const CellLocatorOptions& options) {
  return CellLocator::Build(geometry, quantizer, options);
}

}  // namespace gridroute

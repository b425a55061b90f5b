// Copyright 2026 gridroute authors.
//
// CellLocator::Save / Load: the cell index as a section of a compiled
// snapshot, and the structural check that makes a loaded index as safe to
// query as a built one.
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "index/cell_layout.h"

namespace gridroute {

namespace {

template <typename T>
void PutHuge(SnapWriter& w, const HugeArray<T>& a) {
  w.PutArray(absl::Span<const T>(a.data(), a.size()));
}

// Views the array in place when the reader lends its bytes, else copies.
template <typename T>
bool GetHuge(SnapReader& r, HugeArray<T>* a) {
  absl::Span<const T> s;
  if (!r.GetSpan(&s)) return false;
  if (r.backing() != nullptr) {
    a->Borrow(s.data(), s.size(), r.backing());
    return true;
  }
  a->resize_uninitialized(s.size());
  if (!s.empty())
    std::memcpy(a->mutable_data(), s.data(), s.size() * sizeof(T));
  return true;
}

// Checks every entry reachable from the top array (see Load's contract).
class StructureCheck {
 public:
  StructureCheck(const CellLocator::Impl& m, uint32_t num_grids, SnapReader& r)
      : m_(m),
        num_grids_(num_grids),
        r_(r),
        node_seen_(m.nodes.size() / 16, 0) {}

  bool Run() {
    if (m_.nodes.size() % 16 != 0)
      return r_.Fail("cell index: node array not 16-aligned");
    for (size_t i = 0; i < m_.top.size(); ++i) {
      if (!Entry(m_.top.data()[i], m_.top_shift)) return false;
    }
    return true;
  }

 private:
  // An entry of a cell of side 2^shift.
  bool Entry(uint32_t e, int shift) {
    if (e == kEmpty) return true;
    switch (Tag(e)) {
      case kTagInterior:
        return e < num_grids_ ||
               r_.Fail("cell index: an interior entry names no grid");
      case kTagNode:
        return Node(e & kPayloadMask, shift);
      case kTagLeaf:
        return Leaf(e & kPayloadMask);
      default:
        return r_.Fail("cell index: an entry with an unknown tag");
    }
  }

  bool Node(uint32_t n, int shift) {
    if (n >= node_seen_.size())
      return r_.Fail("cell index: a node past the node array");
    if (node_seen_[n]) return r_.Fail("cell index: a node reached twice");
    if (shift < 2)
      return r_.Fail(
          "cell index: nodes nested deeper than the cell size allows");
    node_seen_[n] = 1;
    for (int i = 0; i < 16; ++i) {
      if (!Entry(m_.nodes.data()[size_t{n} * 16 + i], shift - 2)) return false;
    }
    return true;
  }

  bool Leaf(uint32_t at) {
    const size_t size = m_.leaves.size();
    const uint32_t* w = m_.leaves.data();
    if (at >= size) return r_.Fail("cell index: a leaf past the leaf array");
    const uint32_t header = w[at];
    uint64_t ids_at, nids, end;
    if (header & kFallbackBit) {
      ids_at = at + 1;
      nids = header & ~kFallbackBit;
      end = ids_at + nids;
    } else {
      nids = header & 0xFF;
      const uint64_t nedges = header >> 15;
      const bool packed = (header & kPackedBit) != 0;
      if (nids > kMaxCandidates || (packed && nids > kMaxPackedCandidates)) {
        return r_.Fail("cell index: a leaf with too many candidates");
      }
      ids_at = at + kHeaderWords;
      end = ids_at + nids + nedges * (packed ? kPackedEdgeWords : kEdgeWords);
      if (end <= size && !packed && !EdgeOffsets(ids_at + nids, nedges))
        return false;
    }
    if (end > size)
      return r_.Fail("cell index: a leaf runs past the leaf array");
    for (uint64_t i = 0; i < nids; ++i) {
      if (w[ids_at + i] >= num_grids_)
        return r_.Fail("cell index: a leaf names no grid");
    }
    return true;
  }

  // Unpacked edges: 4 signed offsets (and a mask) each; the predicates need
  // |offset| < 2^30 to stay inside int64.
  bool EdgeOffsets(uint64_t first, uint64_t nedges) {
    const uint32_t* w = m_.leaves.data() + first;
    for (uint64_t e = 0; e < nedges; ++e, w += kEdgeWords) {
      for (int k = 0; k < 4; ++k) {
        const int64_t v = static_cast<int32_t>(w[k]);
        if (v <= -kOffsetLimit || v >= kOffsetLimit) {
          return r_.Fail("cell index: an edge offset out of range");
        }
      }
    }
    return true;
  }

  const CellLocator::Impl& m_;
  const uint32_t num_grids_;
  SnapReader& r_;
  std::vector<uint8_t> node_seen_;
};

}  // namespace

void CellLocator::Save(SnapWriter& w) const {
  const Impl& m = *impl_;
  w.PutI64(m.origin.x);
  w.PutI64(m.origin.y);
  w.PutI32(m.top_shift);
  w.PutU64(m.nx);
  w.PutU64(m.ny);
  PutHuge(w, m.top);
  PutHuge(w, m.nodes);
  PutHuge(w, m.leaves);
  const CellLocatorStats& s = m.stats;
  for (uint64_t v : {s.top_cells, s.nodes, s.interior_entries, s.empty_entries,
                     s.leaves, s.fallback_leaves, s.leaf_edges}) {
    w.PutU64(v);
  }
}

absl::StatusOr<std::unique_ptr<CellLocator>> CellLocator::Load(
    SnapReader& r, const GridGeometry* geometry, const Quantizer& quantizer,
    std::shared_ptr<const BoxIndex> snap_index) {
  auto m = std::make_unique<Impl>();
  m->geometry = geometry;
  m->quantizer = quantizer;
  m->snap_index = std::move(snap_index);
  r.GetI64(&m->origin.x);
  r.GetI64(&m->origin.y);
  r.GetI32(&m->top_shift);
  r.GetU64(&m->nx);
  r.GetU64(&m->ny);
  GetHuge(r, &m->top);
  GetHuge(r, &m->nodes);
  GetHuge(r, &m->leaves);
  CellLocatorStats& s = m->stats;
  for (uint64_t* v :
       {&s.top_cells, &s.nodes, &s.interior_entries, &s.empty_entries,
        &s.leaves, &s.fallback_leaves, &s.leaf_edges}) {
    r.GetU64(v);
  }
  if (absl::Status st = r.Finish(); !st.ok()) return st;
  if (m->top_shift < 0 || m->top_shift > kMaxTopShift ||
      m->nx >= (uint64_t{1} << 32) || m->ny >= (uint64_t{1} << 32) ||
      m->nx * m->ny != m->top.size()) {
    r.Fail("cell index: top grid size does not match its array");
    return r.status();
  }
  m->width = m->nx << m->top_shift;
  m->height = m->ny << m->top_shift;
  s.top_shift = m->top_shift;
  if (geometry->num_grids() >= (uint32_t{1} << 30)) {
    r.Fail("cell index: too many grids");
    return r.status();
  }
  if (!StructureCheck(*m, geometry->num_grids(), r).Run()) return r.status();
  if (m->snap_index == nullptr)
    m->snap_index = std::make_shared<const BoxIndex>(geometry->ComputeBoxes());
  return std::unique_ptr<CellLocator>(new CellLocator(std::move(m)));
}

}  // namespace gridroute

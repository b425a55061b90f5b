// Copyright 2026 gridroute authors.
//
// Internal to engine/index: the cell locator's word layout, its flat huge-page
// arrays and CellLocator::Impl, shared by cell_builder.cc (writes the
// structure) and cell_locator.cc (reads it). Not for use outside this module.
#ifndef GRIDROUTE_INDEX_CELL_LAYOUT_H_
#define GRIDROUTE_INDEX_CELL_LAYOUT_H_

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <utility>

#include "geo/geometry.h"
#include "geo/grid_geometry.h"
#include "index/box_index.h"
#include "index/cell_locator.h"
#include "index/snap.h"

namespace gridroute {

// Entry encoding (32 bits): kEmpty, or a 2-bit tag and a 30-bit payload.
constexpr uint32_t kEmpty = 0xFFFFFFFFu;
constexpr uint32_t kTagInterior = 0;  // payload: grid id
constexpr uint32_t kTagNode = 1;      // payload: node index (16 entries each)
constexpr uint32_t kTagLeaf = 2;  // payload: word offset into the leaf array
constexpr uint32_t kPayloadMask = (1u << 30) - 1;
constexpr uint32_t Tag(uint32_t e) { return e >> 30; }
constexpr uint32_t MakeEntry(uint32_t tag, uint32_t payload) {
  return (tag << 30) | payload;
}

// Leaf layout, in 32-bit words (memory per layout: CELL_LOCATOR.md,
// "Leaf layout"):
// clang-format off
//   [0]  header, fallback leaf:  kFallbackBit | count
//        header, exact leaf:     nedges << 15 | packed << 14 | (cy + 3) << 11 | (cx + 3) << 8 | ncandidates
//                                (ncandidates <= 32, nedges < 2^16; the reference point
//                                c = cell centre + (cx, cy), |cx|, |cy| <= 3: FindReference
//                                searches only there)
//   exact leaf:
//     [1]              membership mask of the reference point c
//     [2 .. 2+k)       candidate grid ids, ascending
//     then per edge:   a - c (x, y), b - c (x, y), candidate mask        (kEdgeWords = 5)
//     packed (ncandidates <= 8 and every offset below 2^29): the mask's 8 bits ride in
//     the top 2 bits of the 4 offset words (offsets kept as 30-bit two's complement),
//     4 words an edge                                                    (kPackedEdgeWords)
//   fallback leaf:
//     [1 .. 1+count)   candidate grid ids, ascending
// clang-format on
constexpr uint32_t kFallbackBit = 1u << 31;
constexpr int kHeaderWords = 2;
constexpr uint32_t kMaxLeafEdges = (1u << 16) - 1;
constexpr uint32_t kPackedBit = 1u << 14;
constexpr int kPackedEdgeWords = 4;
constexpr int kMaxPackedCandidates = 8;
constexpr int64_t kPackedOffsetLimit = int64_t{1} << 29;
// The cell centre FindReference starts from, relative to the cell's corner.
constexpr int64_t CellMid(int shift) { return (int64_t{1} << shift) / 2; }
// Build lists only: grid id | kFullBit = the grid covers the whole cell.
constexpr uint32_t kFullBit = 1u << 31;
constexpr int kMaxCandidates = 32;
constexpr int kEdgeWords = 5;
// Every stored offset (edge ends and the query point, relative to c) stays
// below 2^30 in magnitude, so the predicates below fit in int64:
// |(b - a) x (p - a)| <= 2 * (2^31)^2 = 2^63 - ... (8 M^2 < 2^63 for M < 2^30).
constexpr int64_t kOffsetLimit = int64_t{1} << 30;
constexpr int kMaxTopShift = 29;  // cell side <= 2^29, offsets in a cell < 2^29

// Flat, growable, 2 MB-aligned array of trivially copyable T with
// transparent huge pages requested: the index is read at random, and 4 KB
// pages would add a TLB miss to most lookups. The builders write straight
// into these too, so a 2 MB page also amortises one first-touch fault over
// 512 small pages (the build profile that showed it: CELL_LOCATOR.md, "Leaf
// layout").
template <typename T>
class HugeArray {
 public:
  HugeArray() = default;
  explicit HugeArray(size_t n) { resize(n, T{}); }
  ~HugeArray() {
    if (keep_ == nullptr) std::free(data_);
  }
  // Views n elements at p (not copied, never written); `keep` keeps them
  // alive (a compiled snapshot's mapping). REQUIRES: empty.
  void Borrow(const T* p, size_t n, std::shared_ptr<const void> keep) {
    data_ = const_cast<T*>(p);
    size_ = capacity_ = n;
    keep_ = std::move(keep);
  }
  HugeArray(const HugeArray&) = delete;
  HugeArray& operator=(const HugeArray&) = delete;
  HugeArray(HugeArray&& o) noexcept { *this = std::move(o); }
  HugeArray& operator=(HugeArray&& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    std::swap(capacity_, o.capacity_);
    std::swap(keep_, o.keep_);
    return *this;
  }

  void reserve(size_t n) {
    if (n <= capacity_) return;
    constexpr size_t kHuge = size_t{2} << 20;
    const size_t bytes = std::max<size_t>(sizeof(T), n * sizeof(T));
    const size_t alloc = bytes >= kHuge ? (bytes + kHuge - 1) / kHuge * kHuge
                                        : (bytes + 63) / 64 * 64;
    T* d =
        static_cast<T*>(std::aligned_alloc(bytes >= kHuge ? kHuge : 64, alloc));
    if (bytes >= kHuge) madvise(d, alloc, MADV_HUGEPAGE);
    if (size_ > 0) std::memcpy(d, data_, size_ * sizeof(T));
    std::free(data_);
    data_ = d;
    capacity_ = alloc / sizeof(T);
  }
  void push_back(T v) {
    if (size_ == capacity_) reserve(std::max<size_t>(1024, capacity_ * 2));
    data_[size_++] = v;
  }
  // Grows geometrically like push_back, so n calls cost amortised O(n):
  // the builders resize by 16 entries a node, and an exact reserve here
  // copied the whole array each time once the up-front reservation ran out
  // (quadratic; CELL_LOCATOR.md, "Leaf layout").
  void resize(size_t n, T v) {
    if (n > capacity_) reserve(std::max(n, capacity_ * 2));
    for (size_t i = size_; i < n; ++i) data_[i] = v;
    size_ = n;
  }
  // Grows to n elements without writing the new ones (the caller fills
  // them, e.g. several threads each its part, so each first-touches its own
  // pages).
  void resize_uninitialized(size_t n) {
    reserve(n);
    size_ = n;
  }
  T& operator[](size_t i) { return data_[i]; }
  T* mutable_data() { return data_; }
  const T* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t bytes() const { return size_ * sizeof(T); }

 private:
  T* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
  std::shared_ptr<const void> keep_;  // set iff borrowed
};

struct CellLocator::Impl {
  // Constant after construction.
  const GridGeometry* geometry;
  Quantizer quantizer{true};
  IPoint origin;      // min corner of the top grid
  int top_shift = 0;  // top cell side 2^top_shift
  uint64_t nx = 0, ny = 0;
  uint64_t width = 0, height = 0;  // nx << top_shift, ny << top_shift
  HugeArray<uint32_t> top;
  HugeArray<uint32_t> nodes;
  HugeArray<uint32_t> leaves;
  std::shared_ptr<const BoxIndex> snap_index;  // maybe shared with the caller
  CellLocatorStats stats;

  // Covered answer for p, or kOutside (no snapping).
  LocateResult Resolve(IPoint p, const RecordPrefetch& prefetch = {}) const;
  LocateResult FromLeaf(const uint32_t* w, uint64_t dx, uint64_t dy, int shift,
                        IPoint p) const;
  LocateResult Finish(LocateResult r, IPoint p,
                      const LocateOptions& options) const {
    if (r.how == How::kOutside && options.snap_m > 0) {
      return SnapToNearest(*geometry, *snap_index, quantizer, p,
                           options.snap_m);
    }
    return r;
  }
};

namespace cell_locator_internal {
// Test hook (cell_locator.cc): false forces the scalar leaf test, true the
// automatic choice (AVX2 where the CPU has it). Returns whether the AVX2 leaf
// test is in use. Lookups in flight may finish with either (same answers).
bool UseAvx2LeafTestForTesting(bool avx2);
}  // namespace cell_locator_internal

}  // namespace gridroute

#endif  // GRIDROUTE_INDEX_CELL_LAYOUT_H_

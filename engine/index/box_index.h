// Copyright 2026 gridroute authors.
//
// A packed (bulk-loaded) R-tree over grid boxes: boxes sorted along a Hilbert
// curve of their centres, grouped 16 to a node, levels stored flat (no
// pointers). Coordinates are kept as 32-bit offsets from the boxes' minimum
// corner, shifted right by the few bits (usually none) needed for the span to
// fit; the mapping is monotone, so a query never misses a box it meets but may,
// when bits were shifted off, also report boxes up to 2^shift lattice units
// away. Callers test candidates exactly (every one does).
//
//   BoxIndex index(geometry.ComputeBoxes());
//   index.VisitContaining(p, [&](uint32_t grid) { ... });
//
// Memory: ~21 bytes a box (a Boost.Geometry packed R-tree over the int64 boxes
// took ~47). Empty boxes (min > max) are never reported.
// Thread-safety: immutable after construction; concurrent queries are safe.
// Cost: build O(n log n); query O(log n + k), no allocation.
#ifndef GRIDROUTE_INDEX_BOX_INDEX_H_
#define GRIDROUTE_INDEX_BOX_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "common/snap_io.h"
#include "geo/geometry.h"

namespace gridroute {

class BoxIndex {
 public:
  // Box i gets id i.
  explicit BoxIndex(const std::vector<IBox>& boxes);
  ~BoxIndex();
  BoxIndex(const BoxIndex&) = delete;
  BoxIndex& operator=(const BoxIndex&) = delete;

  // Calls f(id) for every box that contains p (closed), and possibly for
  // boxes within 2^shift() units of it (see above); each id at most once.
  void VisitContaining(IPoint p, absl::FunctionRef<void(uint32_t)> f) const;
  // Calls f(id) for every box that intersects b (closed), and possibly for
  // boxes within 2^shift() units of it; each id at most once.
  void VisitIntersecting(const IBox& b,
                         absl::FunctionRef<void(uint32_t)> f) const;
  // Bits dropped from the offsets (0 when the boxes span < 2^32 units a side,
  // i.e. ~4.3 degrees geographic or ~430 km projected): results are exact.
  int shift() const;
  // Heap bytes held.
  size_t MemoryBytes() const;

  // The index as a section of a compiled snapshot
  // (snapshot/SNAPSHOT_FORMAT.md): its corner, shift, blocks and ids.
  void Save(SnapWriter& w) const;
  // Reads what Save() wrote for `num_boxes` boxes. The level structure is
  // recomputed from the id count and every id is checked (< num_boxes), so
  // damaged contents give wrong candidates at worst (callers test them
  // exactly), never a read out of bounds.
  static absl::StatusOr<std::unique_ptr<BoxIndex>> Load(SnapReader& r, uint32_t num_boxes);

 private:
  BoxIndex();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridroute

#endif  // GRIDROUTE_INDEX_BOX_INDEX_H_

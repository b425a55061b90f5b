// Copyright 2026 gridroute authors.
//
// A packed (bulk-loaded, STR) Boost.Geometry R-tree over grid boxes. The only
// translation unit that includes the R-tree headers is box_index.cc (they
// cost ~9 s and ~600 MB to compile).
//
//   BoxIndex index(geometry.boxes());
//   index.VisitContaining(p, [&](uint32_t grid) { ... });
//
// Thread-safety: immutable after construction; concurrent queries are safe.
// Cost: O(log n + k) per query, no allocation.
#ifndef GRIDROUTE_INDEX_BOX_INDEX_H_
#define GRIDROUTE_INDEX_BOX_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/functional/function_ref.h"
#include "geo/geometry.h"

namespace gridroute {

class BoxIndex {
 public:
  // Box i gets id i.
  explicit BoxIndex(const std::vector<IBox>& boxes);
  ~BoxIndex();
  BoxIndex(const BoxIndex&) = delete;
  BoxIndex& operator=(const BoxIndex&) = delete;

  // Calls f(id) for every box that contains p (closed).
  void VisitContaining(IPoint p, absl::FunctionRef<void(uint32_t)> f) const;
  // Calls f(id) for every box that intersects b (closed).
  void VisitIntersecting(const IBox& b, absl::FunctionRef<void(uint32_t)> f) const;
  // Estimated heap bytes (nodes are not enumerable through the public API).
  size_t MemoryBytes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridroute

#endif  // GRIDROUTE_INDEX_BOX_INDEX_H_

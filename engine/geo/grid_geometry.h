// Copyright 2026 gridroute authors.
//
// The polygons of every grid of a city, in flat arrays.
//
// Grid g owns rings [grid_ring_begin(g), grid_ring_begin(g + 1)); ring r owns
// vertices [ring_begin(r), ring_begin(r + 1)) of points(). Rings are open (the
// closing vertex is not repeated). Membership uses the even-odd rule over all
// rings of a grid, so outer rings, holes and the parts of a multipolygon are
// stored alike; ring_is_hole() is kept only for areas and validation.
//
// Example (compiled in tests/docs/header_examples_test.cc):
// clang-format off
//   GridGeometryBuilder b;
//   const IPoint triangle[] = {{0, 0}, {10, 0}, {10, 10}};
//   b.AddRing(triangle, 3, /*hole=*/false);
//   b.EndGrid();
//   GridGeometry g = std::move(b).Build();
//   Side s = g.Classify(0, IPoint{2, 1});  // inside
// clang-format on
//
// Flat storage keeps a city at ~16 bytes a vertex plus 4 bytes a ring: where
// every grid is one ring (most cities) the grid -> ring offsets are the
// identity and are not stored, nor are the hole flags while there is no hole.
// Boxes are computed from the vertices when asked for (a grid has a handful):
// stored, they were 32 bytes a grid (305 MiB of 10M grids), read only while
// indexes are built.
// Thread-safety: immutable after Build(); safe to share.
#ifndef GRIDROUTE_GEO_GRID_GEOMETRY_H_
#define GRIDROUTE_GEO_GRID_GEOMETRY_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "common/pod_array.h"
#include "geo/geometry.h"

namespace gridroute {

class GridGeometry {
 public:
  uint32_t num_grids() const {
    return grid_ring_begin_.empty() ? num_rings()
                                    : static_cast<uint32_t>(grid_ring_begin_.size() - 1);
  }
  uint32_t num_rings() const { return static_cast<uint32_t>(ring_begin_.size() - 1); }
  // True when grid g is ring g for every g (no grid -> ring offsets stored).
  bool one_ring_per_grid() const { return grid_ring_begin_.empty(); }
  // Grid g's bounding box over all its rings (empty, min > max, for a grid
  // without rings). O(vertices of g).
  IBox box(uint32_t g) const;
  // Every grid's box in id order (to build a box index from): O(vertices).
  std::vector<IBox> ComputeBoxes() const;
  // Grid g's rings are [grid_ring_begin(g), grid_ring_begin(g + 1)).
  uint32_t grid_ring_begin(uint32_t g) const {
    return grid_ring_begin_.empty() ? g : grid_ring_begin_[g];
  }
  uint32_t ring_begin(uint32_t r) const { return ring_begin_[r]; }
  uint32_t ring_size(uint32_t r) const { return ring_begin_[r + 1] - ring_begin_[r]; }
  const IPoint* ring(uint32_t r) const { return points_.data() + ring_begin_[r]; }
  bool ring_is_hole(uint32_t r) const { return !ring_is_hole_.empty() && ring_is_hole_[r] != 0; }
  absl::Span<const IPoint> points() const { return points_.span(); }

  // Exact position of `p` relative to grid `g`'s closed region.
  Side Classify(uint32_t g, IPoint p) const {
    return ClassifyRings(points_.data(), ring_begin_.data(), grid_ring_begin(g),
                         grid_ring_begin(g + 1), p);
  }

  // Bytes held by the arrays.
  size_t MemoryBytes() const;

 private:
  friend struct SnapCodec;  // snapshot/snap_codec.h: the compiled snapshot file
  friend class GridGeometryBuilder;
  // Owned (built from a pack) or viewed in a compiled snapshot's mapping
  // (LoadOptions::view_in_place).
  PodArray<IPoint> points_;
  std::vector<uint32_t> ring_begin_{0};
  std::vector<uint8_t> ring_is_hole_;  // per ring; empty: no hole at all
  // Per grid + 1; empty: grid g is ring g (Build() drops the identity).
  std::vector<uint32_t> grid_ring_begin_{0};
};

// Appends grids one after another. Not thread-safe.
class GridGeometryBuilder {
 public:
  // Appends an open ring (no repeated closing vertex) to the current grid.
  void AddRing(const IPoint* pts, size_t n, bool hole);
  // Capacity hints; exceeding them only costs reallocation.
  void Reserve(size_t grids, size_t rings, size_t points);
  // What was added so far (for size estimates).
  size_t num_grids() const { return g_.num_grids(); }
  size_t num_rings() const { return g_.ring_is_hole_.size(); }
  size_t num_points() const { return g_.points_.size(); }
  // Closes the current grid; its id is the number of grids before it.
  void EndGrid();
  // Appends every grid `other` has closed, after this builder's grids.
  // REQUIRES: no grid open in either (EndGrid() after the last ring).
  void Append(const GridGeometryBuilder& other);
  // Reorders grids so that new id i is old id order[i].
  static GridGeometry Permute(const GridGeometry& g,
                              const std::vector<uint32_t>& order);
  // Trims the arrays to their size when Reserve() overestimated (one copy),
  // and drops the grid -> ring offsets when they are the identity and the
  // hole flags when none is set.
  GridGeometry Build() &&;
  // Build()'s last step.
  static void Compact(GridGeometry* g);

 private:
  GridGeometry g_;
};

}  // namespace gridroute

#endif  // GRIDROUTE_GEO_GRID_GEOMETRY_H_

// Copyright 2026 gridroute authors.
#include "geo/grid_geometry.h"

#include <algorithm>
#include <utility>

namespace gridroute {

size_t GridGeometry::MemoryBytes() const {
  return points_.MemoryBytes() +
         ring_begin_.capacity() * sizeof(uint32_t) + ring_is_hole_.capacity() +
         grid_ring_begin_.capacity() * sizeof(uint32_t);
}

IBox GridGeometry::box(uint32_t g) const {
  IBox b;
  const uint32_t first = ring_begin_[grid_ring_begin(g)];
  const uint32_t last = ring_begin_[grid_ring_begin(g + 1)];
  for (uint32_t i = first; i < last; ++i) b.Expand(points_[i]);
  return b;
}

std::vector<IBox> GridGeometry::ComputeBoxes() const {
  std::vector<IBox> out(num_grids());
  for (uint32_t g = 0; g < num_grids(); ++g) out[g] = box(g);
  return out;
}

void GridGeometryBuilder::AddRing(const IPoint* pts, size_t n, bool hole) {
  g_.points_.owned().insert(g_.points_.owned().end(), pts, pts + n);
  g_.ring_begin_.push_back(static_cast<uint32_t>(g_.points_.size()));
  g_.ring_is_hole_.push_back(hole ? 1 : 0);
}

void GridGeometryBuilder::EndGrid() {
  g_.grid_ring_begin_.push_back(static_cast<uint32_t>(g_.ring_is_hole_.size()));
}

void GridGeometryBuilder::Append(const GridGeometryBuilder& other) {
  const GridGeometry& o = other.g_;
  const auto point_base = static_cast<uint32_t>(g_.points_.size());
  const auto ring_base = static_cast<uint32_t>(g_.ring_is_hole_.size());
  g_.points_.owned().insert(g_.points_.owned().end(), o.points_.begin(), o.points_.end());
  for (size_t i = 1; i < o.ring_begin_.size(); ++i) {
    g_.ring_begin_.push_back(point_base + o.ring_begin_[i]);
  }
  g_.ring_is_hole_.insert(g_.ring_is_hole_.end(), o.ring_is_hole_.begin(),
                          o.ring_is_hole_.end());
  for (size_t i = 1; i < o.grid_ring_begin_.size(); ++i) {
    g_.grid_ring_begin_.push_back(ring_base + o.grid_ring_begin_[i]);
  }
}

void GridGeometryBuilder::Reserve(size_t grids, size_t rings, size_t points) {
  g_.points_.owned().reserve(points);
  g_.ring_begin_.reserve(rings + 1);
  g_.ring_is_hole_.reserve(rings);
  g_.grid_ring_begin_.reserve(grids + 1);
}

namespace {
// Readers reserve from a size estimate (geojson_reader.cc reserves ~2.5x the
// vertices of a 2M-grid city); give the slack back with one copy (~0.1 s for
// the 190 MB of vertices at 2M grids) so capacity is what is held.
template <typename T>
void ShrinkSlack(std::vector<T>& v) {
  if (v.capacity() - v.size() > v.size() / 32 + 64) v.shrink_to_fit();
}
}  // namespace

GridGeometry GridGeometryBuilder::Build() && {
  ShrinkSlack(g_.points_.owned());
  ShrinkSlack(g_.ring_begin_);
  ShrinkSlack(g_.ring_is_hole_);
  ShrinkSlack(g_.grid_ring_begin_);
  Compact(&g_);
  return std::move(g_);
}

void GridGeometryBuilder::Compact(GridGeometry* g) {
  const std::vector<uint32_t>& grb = g->grid_ring_begin_;
  bool identity = grb.size() > 1;  // a city without grids keeps {0}
  for (size_t i = 0; identity && i < grb.size(); ++i) identity = grb[i] == i;
  if (identity) std::vector<uint32_t>().swap(g->grid_ring_begin_);
  if (std::find(g->ring_is_hole_.begin(), g->ring_is_hole_.end(), 1) == g->ring_is_hole_.end())
    std::vector<uint8_t>().swap(g->ring_is_hole_);
}

GridGeometry GridGeometryBuilder::Permute(const GridGeometry& g,
                                          const std::vector<uint32_t>& order) {
  GridGeometryBuilder b;
  b.g_.points_.owned().reserve(g.points_.size());
  b.g_.ring_begin_.reserve(g.ring_begin_.size());
  b.g_.ring_is_hole_.reserve(g.ring_is_hole_.size());
  b.g_.grid_ring_begin_.reserve(g.num_grids() + 1);
  for (uint32_t old : order) {
    for (uint32_t r = g.grid_ring_begin(old); r < g.grid_ring_begin(old + 1); ++r) {
      b.AddRing(g.ring(r), g.ring_size(r), g.ring_is_hole(r));
    }
    b.EndGrid();
  }
  return std::move(b).Build();
}

}  // namespace gridroute

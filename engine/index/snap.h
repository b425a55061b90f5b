// Copyright 2026 gridroute authors.
//
// Snapping a point that lies in no grid to the nearest grid within a distance
// in metres. Shared by every Locator implementation.
#ifndef GRIDROUTE_INDEX_SNAP_H_
#define GRIDROUTE_INDEX_SNAP_H_

#include "geo/geometry.h"
#include "geo/grid_geometry.h"
#include "index/box_index.h"
#include "index/locator.h"

namespace gridroute {

// Distance in metres from `p` to the boundary of grid `g` (local plane around p,
// see geo/metric.h). O(vertices of g).
double DistanceToGridM(const GridGeometry& geometry, const Quantizer& q,
                       uint32_t g, IPoint p);

// REQUIRES: p is covered by no grid; snap_m > 0.
// The nearest grid within snap_m metres (ties: smallest id) as kSnapped, or
// kOutside. Cost: one box query of radius snap_m plus the distance to every
// edge of the grids whose boxes it meets.
LocateResult SnapToNearest(const GridGeometry& geometry, const BoxIndex& index,
                           const Quantizer& q, IPoint p, double snap_m);

}  // namespace gridroute

#endif  // GRIDROUTE_INDEX_SNAP_H_

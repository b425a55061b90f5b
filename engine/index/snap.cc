// Copyright 2026 gridroute authors.
#include "index/snap.h"

#include <algorithm>
#include <limits>

#include "geo/metric.h"

namespace gridroute {

namespace {
double DistanceInFrame(const GridGeometry& geometry, const MetricFrame& frame,
                       uint32_t g) {
  double best = std::numeric_limits<double>::infinity();
  for (uint32_t r = geometry.grid_ring_begin(g); r < geometry.grid_ring_begin(g + 1);
       ++r) {
    const IPoint* pts = geometry.ring(r);
    const uint32_t n = geometry.ring_size(r);
    for (uint32_t i = 0, j = n - 1; i < n; j = i++) {
      best = std::min(best, frame.DistanceToSegment(pts[j], pts[i]));
    }
  }
  return best;
}
}  // namespace

double DistanceToGridM(const GridGeometry& geometry, const Quantizer& q,
                       uint32_t g, IPoint p) {
  return DistanceInFrame(geometry, MetricFrame(q, p), g);
}

LocateResult SnapToNearest(const GridGeometry& geometry, const BoxIndex& index,
                           const Quantizer& q, IPoint p, double snap_m) {
  const MetricFrame frame(q, p);
  const int64_t ux = frame.UnitsX(snap_m), uy = frame.UnitsY(snap_m);
  IBox box;
  box.min_x = p.x - ux;
  box.max_x = p.x + ux;
  box.min_y = p.y - uy;
  box.max_y = p.y + uy;
  LocateResult best;
  double best_d = std::numeric_limits<double>::infinity();
  index.VisitIntersecting(box, [&](uint32_t g) {
    const double d = DistanceInFrame(geometry, frame, g);
    if (d < best_d || (d == best_d && g < best.grid)) {
      best_d = d;
      best.grid = g;
    }
  });
  if (best.grid == kNoGrid || best_d > snap_m) return {};
  best.how = How::kSnapped;
  best.distance_m = best_d;
  return best;
}

}  // namespace gridroute

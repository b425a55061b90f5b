// Copyright 2026 gridroute authors.
//
// Metres near a point. Snap distances and areas are given in metres while the
// geometry is in the pack's CRS; MetricFrame maps lattice offsets around a
// reference point to a local plane in metres.
//
// Geographic CRS: a local equirectangular plane on the WGS-84 ellipsoid
// (meridional radius M and prime-vertical radius N at the reference latitude).
// Over the few hundred metres a snap distance spans this agrees with the
// ellipsoidal distance to well under 1 cm (tests/geo/metric_test.cc checks it
// against Boost.Geometry's geographic strategy). Projected CRS: the lattice is
// already metric (1e-4 m per unit).
//
// Thread-safety: immutable value type. Cost: construction one sin/cos.
#ifndef GRIDROUTE_GEO_METRIC_H_
#define GRIDROUTE_GEO_METRIC_H_

#include <cmath>
#include <cstdint>

#include "geo/geometry.h"

namespace gridroute {

class MetricFrame {
 public:
  // `origin` is the lattice point the frame is centred on.
  MetricFrame(const Quantizer& q, IPoint origin) : origin_(origin) {
    if (!q.geographic()) {
      mx_ = my_ = 1.0 / q.scale();
      return;
    }
    constexpr double kA = 6378137.0;                 // WGS-84 semi-major axis
    constexpr double kE2 = 0.00669437999014132;      // first eccentricity²
    constexpr double kDeg = 3.14159265358979323846 / 180.0;
    const double phi = q.ToY(origin.y) * kDeg;
    const double s = std::sin(phi);
    const double w = 1.0 - kE2 * s * s;
    const double n = kA / std::sqrt(w);
    const double m = kA * (1.0 - kE2) / (w * std::sqrt(w));
    mx_ = n * std::cos(phi) * kDeg / q.scale();
    my_ = m * kDeg / q.scale();
  }

  // Metres per lattice unit along x and y at the origin.
  double mx() const { return mx_; }
  double my() const { return my_; }
  double X(IPoint p) const { return static_cast<double>(p.x - origin_.x) * mx_; }
  double Y(IPoint p) const { return static_cast<double>(p.y - origin_.y) * my_; }

  // Lattice units spanning `metres` along x / y (rounded up), at most
  // kMaxUnits: a box that wide already holds the whole lattice (geographic
  // spans 3.6e11 units, projected 2e12), and the clamp keeps a huge radius
  // (a request's snap_m of 1e300) from overflowing int64 (fuzz_convert).
  static constexpr int64_t kMaxUnits = int64_t{1} << 61;
  int64_t UnitsX(double metres) const { return Units(metres / mx_); }
  int64_t UnitsY(double metres) const { return Units(metres / my_); }

  // Distance in metres from the origin to the closed segment a-b.
  double DistanceToSegment(IPoint a, IPoint b) const {
    const double ax = X(a), ay = Y(a), bx = X(b), by = Y(b);
    const double dx = bx - ax, dy = by - ay;
    const double len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0.0;
    t = t < 0 ? 0 : (t > 1 ? 1 : t);
    const double px = ax + t * dx, py = ay + t * dy;
    return std::sqrt(px * px + py * py);
  }

 private:
  static int64_t Units(double u) {
    return u < static_cast<double>(kMaxUnits) ? static_cast<int64_t>(std::ceil(u)) + 1
                                              : kMaxUnits;
  }

  IPoint origin_;
  double mx_ = 1, my_ = 1;
};

}  // namespace gridroute

#endif  // GRIDROUTE_GEO_METRIC_H_

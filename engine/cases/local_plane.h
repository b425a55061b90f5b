// Copyright 2026 gridroute authors.
//
// LocalPlane: metres from pack coordinates for the fold index. A geographic
// pack (lon/lat degrees) is mapped by an equirectangular plane on the WGS-84
// ellipsoid at a fixed reference latitude (metres per degree of longitude
// and latitude there, as geo/metric.h's MetricFrame); a projected pack is
// already in metres.
//
//   LocalPlane plane = LocalPlane::Geographic(31.3);
//   double x, y;
//   plane.ToMetres(120.62, 31.31, &x, &y);
//
// Accuracy: east-west distances scale by cos(lat)/cos(lat0), i.e. an error
// of about (lat - lat0) * tan(lat0) (in radians): 0.5% half a degree (55 km)
// from lat0 at 31°N, so a 50 m fold radius is 50 +- 0.25 m across a city.
// Fold decisions only need to be deterministic and about right; use the
// city's centre latitude (fixed per deployment) as lat0.
//
// Thread-safety: immutable value type. Cost: two multiplications.
#ifndef GRIDROUTE_CASES_LOCAL_PLANE_H_
#define GRIDROUTE_CASES_LOCAL_PLANE_H_

#include <cmath>

namespace gridroute {

class LocalPlane {
 public:
  // Identity (a projected pack: coordinates are metres already).
  LocalPlane() = default;
  static LocalPlane Projected() { return LocalPlane(); }
  // REQUIRES: |lat0_deg| < 85.
  static LocalPlane Geographic(double lat0_deg) {
    constexpr double kA = 6378137.0;             // WGS-84 semi-major axis
    constexpr double kE2 = 0.00669437999014132;  // first eccentricity squared
    constexpr double kDeg = 3.14159265358979323846 / 180.0;
    const double phi = lat0_deg * kDeg;
    const double s = std::sin(phi);
    const double w = 1.0 - kE2 * s * s;
    LocalPlane p;
    p.geographic_ = true;
    p.lat0_ = lat0_deg;
    p.kx_ = kA / std::sqrt(w) * std::cos(phi) * kDeg;
    p.ky_ = kA * (1.0 - kE2) / (w * std::sqrt(w)) * kDeg;
    return p;
  }

  void ToMetres(double lon, double lat, double* x, double* y) const {
    *x = lon * kx_;
    *y = lat * ky_;
  }
  bool geographic() const { return geographic_; }
  double lat0() const { return lat0_; }

 private:
  bool geographic_ = false;
  double lat0_ = 0;
  double kx_ = 1, ky_ = 1;
};

}  // namespace gridroute

#endif  // GRIDROUTE_CASES_LOCAL_PLANE_H_

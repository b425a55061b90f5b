// Copyright 2026 gridroute authors.
#include "import/geometry_checker.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace gridroute::import {
namespace {

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string Rounded(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, v < 10 ? "%.3g" : "%.1f", v);
  return buf;
}

std::string RingName(size_t p, size_t r) {
  return absl::StrCat("polygon ", p, " ring ", r,
                      r == 0 ? " (outer)" : " (hole)");
}

}  // namespace

double SignedArea2(const Ring& ring) {
  if (ring.size() < 3) return 0;
  const XY o = ring[0];
  double a = 0;
  for (size_t i = 1; i + 1 < ring.size(); ++i) {
    a += (ring[i].x - o.x) * (ring[i + 1].y - o.y) -
         (ring[i + 1].x - o.x) * (ring[i].y - o.y);
  }
  return a;
}

void GeometryChecker::Measure(const Polygon& p, double* area_m2,
                              double* perimeter_m) const {
  *area_m2 = 0;
  *perimeter_m = 0;
  if (p.rings.empty() || p.rings[0].empty()) return;
  double mx = 1, my = 1;
  if (options_.geographic) {
    // Local plane on the WGS-84 ellipsoid at the first vertex (as
    // geo/metric.h): metres per degree east and north.
    constexpr double kA = 6378137.0, kE2 = 0.00669437999014132;
    constexpr double kDeg = 3.14159265358979323846 / 180.0;
    const double phi = p.rings[0][0].y * kDeg;
    const double s = std::sin(phi), w = 1.0 - kE2 * s * s;
    mx = kA / std::sqrt(w) * std::cos(phi) * kDeg;
    my = kA * (1.0 - kE2) / (w * std::sqrt(w)) * kDeg;
  }
  for (size_t r = 0; r < p.rings.size(); ++r) {
    const Ring& ring = p.rings[r];
    const double a = std::fabs(SignedArea2(ring)) / 2 * mx * my;
    *area_m2 += r == 0 ? a : -a;
    for (size_t i = 0; i + 1 < ring.size(); ++i) {
      *perimeter_m += std::hypot((ring[i + 1].x - ring[i].x) * mx,
                                 (ring[i + 1].y - ring[i].y) * my);
    }
  }
}

GeometryCheck GeometryChecker::Check(std::vector<Polygon>* polygons,
                                     bool outer_clockwise) {
  GeometryCheck out;
  if (polygons->empty()) {
    out.problems.push_back("empty geometry");
    return out;
  }
  // Coordinates in range (the first bad one only: one is enough to act on).
  for (const Polygon& poly : *polygons) {
    for (const Ring& ring : poly.rings) {
      for (const XY& p : ring) {
        absl::Status s = CheckCoordinate(options_.crs, p.x, p.y);
        if (!s.ok()) {
          out.problems.push_back(
              absl::StrCat("coordinate (", Num(p.x), ", ", Num(p.y),
                           ") outside the valid range of CRS ",
                           options_.crs.ToString(), ": ", s.message()));
          return out;
        }
      }
    }
  }
  // Ring structure, duplicates, orientation. Only structural problems keep
  // GEOS from looking at the geometry; the fixable ones are reported beside.
  bool structural_ok = true;
  // Orientation is only meaningful for a valid ring; kept apart until GEOS
  // has looked.
  std::vector<std::string> orientation_problems, orientation_fixes;
  for (size_t pi = 0; pi < polygons->size(); ++pi) {
    Polygon& poly = (*polygons)[pi];
    for (size_t ri = 0; ri < poly.rings.size(); ++ri) {
      Ring& ring = poly.rings[ri];
      const std::string where = RingName(pi, ri);
      if (ring.empty()) {
        out.problems.push_back(absl::StrCat(where, ": ring is empty"));
        structural_ok = false;
        continue;
      }
      if (!(ring.front() == ring.back()) || ring.size() < 2) {
        out.problems.push_back(absl::StrCat(where, ": ring is not closed"));
        structural_ok = false;
        continue;
      }
      size_t dups = 0;
      for (size_t i = 1; i < ring.size(); ++i) dups += ring[i] == ring[i - 1];
      if (dups > 0) {
        if (options_.fix) {
          ring.erase(std::unique(ring.begin(), ring.end()), ring.end());
          out.fixes.push_back(absl::StrCat(
              where, ": removed ", dups, " duplicate consecutive vertex(es)"));
        } else {
          out.problems.push_back(
              absl::StrCat(where, ": ", dups,
                           " duplicate consecutive vertex(es) "
                           "(--fix removes them)"));
        }
      }
      // Distinct vertices of the (de-duplicated) open ring.
      size_t distinct = 0;
      for (size_t i = 0; i + 1 < ring.size(); ++i)
        distinct += i == 0 || !(ring[i] == ring[i - 1]);
      if (distinct < 3) {
        out.problems.push_back(
            absl::StrCat(where, ": ring has fewer than 3 distinct vertices"));
        structural_ok = false;
        continue;
      }
      // A ring with zero net area (a symmetric bow-tie, a collinear ring)
      // has no orientation; GEOS says what is wrong with it below.
      const double a2 = SignedArea2(ring);
      if (a2 == 0) continue;
      const bool ccw = a2 > 0;
      const bool want_ccw = (ri == 0) != outer_clockwise;
      if (ccw != want_ccw) {
        const char* is = ccw ? "counter-clockwise" : "clockwise";
        const char* convention =
            outer_clockwise ? "the Esri convention winds outer rings "
                              "clockwise, holes counter-clockwise"
                            : "OGC/GeoPackage/RFC 7946 wind outer rings "
                              "counter-clockwise, holes clockwise";
        if (options_.fix) {
          orientation_fixes.push_back(
              absl::StrCat(where, ": reversed the ring (it was ", is, "; ",
                           convention, ")"));
        } else {
          orientation_problems.push_back(absl::StrCat(where, ": ring is ", is,
                                                      "; ", convention,
                                                      " (--fix reverses it)"));
        }
      }
      // RFC 7946 orientation on output.
      if (ccw != (ri == 0)) std::reverse(ring.begin(), ring.end());
    }
  }
  if (!structural_ok) {
    for (std::string& p : orientation_problems)
      out.problems.push_back(std::move(p));
    return out;
  }

  // Validity by GEOS: self-intersections, holes outside their shell, nested
  // or overlapping parts of a MultiPolygon, ...
  GeosPtr g = geos_.Make(*polygons);
  if (g == nullptr) {
    out.problems.push_back(
        absl::StrCat("invalid geometry: ", geos_.last_error()));
    return out;
  }
  char* reason = nullptr;
  GEOSGeometry* location = nullptr;
  const char valid =
      GEOSisValidDetail_r(geos_.handle(), g.get(), 0, &reason, &location);
  if (valid != 1) {
    std::string msg = absl::StrCat("invalid geometry: ",
                                   reason ? reason : geos_.last_error());
    if (location != nullptr) {
      double x = 0, y = 0;
      if (GEOSGeomGetX_r(geos_.handle(), location, &x) &&
          GEOSGeomGetY_r(geos_.handle(), location, &y)) {
        absl::StrAppend(&msg, " at (", Num(x), ", ", Num(y), ")");
      }
    }
    out.problems.push_back(std::move(msg));
  }
  if (reason != nullptr) GEOSFree_r(geos_.handle(), reason);
  if (location != nullptr) GEOSGeom_destroy_r(geos_.handle(), location);
  if (valid != 1) return out;
  for (std::string& p : orientation_problems)
    out.problems.push_back(std::move(p));
  for (std::string& f : orientation_fixes) out.fixes.push_back(std::move(f));

  // Slivers.
  for (size_t pi = 0; pi < polygons->size(); ++pi) {
    double area = 0, perimeter = 0;
    Measure((*polygons)[pi], &area, &perimeter);
    const double width = perimeter > 0 ? 2 * area / perimeter : 0;
    if ((options_.min_area_m2 > 0 && area < options_.min_area_m2) ||
        (options_.min_width_m > 0 && width < options_.min_width_m)) {
      out.problems.push_back(absl::StrCat(
          "polygon ", pi, " is a sliver: ", Rounded(area), " m², mean width ",
          Rounded(width), " m (limits --min-area-m2 ",
          Rounded(options_.min_area_m2), ", --min-width-m ",
          Rounded(options_.min_width_m), ")"));
    }
  }
  return out;
}

}  // namespace gridroute::import

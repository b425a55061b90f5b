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

std::string RingName(size_t p, size_t r) {
  return absl::StrCat("polygon ", p, " ring ", r,
                      r == 0 ? " (outer)" : " (hole)");
}

}  // namespace

std::string CoordText(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string RoundedText(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, v < 10 ? "%.3g" : "%.1f", v);
  return buf;
}

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

void MeasurePolygon(const Polygon& p, bool geographic, double* area_m2,
                    double* perimeter_m) {
  *area_m2 = 0;
  *perimeter_m = 0;
  if (p.rings.empty() || p.rings[0].empty()) return;
  double mx = 1, my = 1;
  if (geographic) {
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

void GeometryChecker::Measure(const Polygon& p, double* area_m2,
                              double* perimeter_m) const {
  MeasurePolygon(p, options_.geographic, area_m2, perimeter_m);
}

GeometryCheck GeometryChecker::Check(std::vector<Polygon>* polygons) {
  GeometryCheck out;
  if (polygons->empty()) {
    out.problems.push_back("empty geometry");
    return out;
  }
  if (!CheckCoordinates(*polygons, &out)) return out;
  // Only structural problems keep GEOS from looking at the geometry.
  if (!NormaliseRings(polygons, &out)) return out;
  if (!CheckValidity(*polygons, &out)) return out;
  CheckSlivers(*polygons, &out);
  return out;
}

// Coordinates in range (the first bad one only: one is enough to act on).
bool GeometryChecker::CheckCoordinates(const std::vector<Polygon>& polygons,
                                       GeometryCheck* out) const {
  for (const Polygon& poly : polygons) {
    for (const Ring& ring : poly.rings) {
      for (const XY& p : ring) {
        absl::Status s = CheckCoordinate(options_.crs, p.x, p.y);
        if (!s.ok()) {
          out->problems.push_back(
              absl::StrCat("coordinate (", CoordText(p.x), ", ", CoordText(p.y),
                           ") outside the valid range of CRS ",
                           options_.crs.ToString(), ": ", s.message()));
          return false;
        }
      }
    }
  }
  return true;
}

// Ring structure; drops duplicate consecutive vertices and winds every ring
// as RFC 7946 wants (outer counter-clockwise). Either source winding is
// accepted: Esri formats wind outer rings clockwise, and RFC 7946 §3.1.6 says
// parsers SHOULD NOT reject the other way; the engine's even-odd rule
// ignores orientation, and the hole/shell roles are the polygon's. False if
// a ring is unusable (not closed, < 3 distinct vertices).
bool GeometryChecker::NormaliseRings(std::vector<Polygon>* polygons,
                                     GeometryCheck* out) {
  bool structural_ok = true;
  for (size_t pi = 0; pi < polygons->size(); ++pi) {
    Polygon& poly = (*polygons)[pi];
    for (size_t ri = 0; ri < poly.rings.size(); ++ri) {
      Ring& ring = poly.rings[ri];
      const std::string where = RingName(pi, ri);
      if (ring.empty()) {
        out->problems.push_back(absl::StrCat(where, ": ring is empty"));
        structural_ok = false;
        continue;
      }
      if (!(ring.front() == ring.back()) || ring.size() < 2) {
        out->problems.push_back(absl::StrCat(where, ": ring is not closed"));
        structural_ok = false;
        continue;
      }
      const size_t before = ring.size();
      ring.erase(std::unique(ring.begin(), ring.end()), ring.end());
      out->removed_vertices += static_cast<int64_t>(before - ring.size());
      // Distinct vertices of the (de-duplicated) open ring.
      if (ring.size() < 4) {
        out->problems.push_back(
            absl::StrCat(where, ": ring has fewer than 3 distinct vertices"));
        structural_ok = false;
        continue;
      }
      // A ring with zero net area (a symmetric bow-tie, a collinear ring)
      // has no orientation; GEOS says what is wrong with it below.
      const double a2 = SignedArea2(ring);
      if (a2 != 0 && (a2 > 0) != (ri == 0)) {
        std::reverse(ring.begin(), ring.end());
        ++out->reversed_rings;
      }
    }
  }
  return structural_ok;
}

// Validity by GEOS: self-intersections, holes outside their shell, nested
// or overlapping parts of a MultiPolygon, ...
bool GeometryChecker::CheckValidity(const std::vector<Polygon>& polygons,
                                    GeometryCheck* out) {
  GeosPtr g = geos_.Make(polygons);
  if (g == nullptr) {
    out->problems.push_back(
        absl::StrCat("invalid geometry: ", geos_.last_error()));
    return false;
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
        absl::StrAppend(&msg, " at (", CoordText(x), ", ", CoordText(y), ")");
      }
    }
    out->problems.push_back(std::move(msg));
  }
  if (reason != nullptr) GEOSFree_r(geos_.handle(), reason);
  if (location != nullptr) GEOSGeom_destroy_r(geos_.handle(), location);
  return valid == 1;
}

// Slivers: warnings naming the part, its size and a point inside it.
void GeometryChecker::CheckSlivers(const std::vector<Polygon>& polygons,
                                   GeometryCheck* out) {
  for (size_t pi = 0; pi < polygons.size(); ++pi) {
    double area = 0, perimeter = 0;
    Measure(polygons[pi], &area, &perimeter);
    const double width = perimeter > 0 ? 2 * area / perimeter : 0;
    if (!(options_.min_area_m2 > 0 && area < options_.min_area_m2) &&
        !(options_.min_width_m > 0 && width < options_.min_width_m)) {
      continue;
    }
    ++out->slivers;
    std::string at;
    GeosPtr part = geos_.Make({polygons[pi]});
    GeosPtr inside =
        part ? geos_.Wrap(GEOSPointOnSurface_r(geos_.handle(), part.get()))
             : geos_.Wrap(nullptr);
    double x = 0, y = 0;
    if (inside && GEOSGeomGetX_r(geos_.handle(), inside.get(), &x) &&
        GEOSGeomGetY_r(geos_.handle(), inside.get(), &y)) {
      at = absl::StrCat(", at (", CoordText(x), ", ", CoordText(y), ")");
    }
    (options_.strict ? out->problems : out->warnings)
        .push_back(absl::StrCat(
            "polygon ", pi, " is a sliver: ", RoundedText(area),
            " m², mean width ", RoundedText(width), " m", at,
            " (limits --min-area-m2 ", RoundedText(options_.min_area_m2),
            ", --min-width-m ", RoundedText(options_.min_width_m), ")"));
  }
}

}  // namespace gridroute::import

// Copyright 2026 gridroute authors.
//
// Per-feature geometry checks of gridroute-import (IMPORT.md, "Validation"):
// coordinates in the CRS's range, closed rings with >= 3 distinct vertices,
// validity by GEOS (with its reason and location) and slivers. Two things
// that change no answer are normalised, counted and never refused: ring
// orientation (either winding is accepted, RFC 7946 §3.1.6; accepted
// geometry leaves with outer rings counter-clockwise, holes clockwise) and
// duplicate consecutive vertices (dropped).
//
//   GeometryChecker checker({.geographic = true});
//   GeometryCheck c = checker.Check(&grid.polygons);
//   for (auto& p : c.problems) ...   // "polygon 0 ring 1: ..."
//   for (auto& w : c.warnings) ...   // "polygon 1 is a sliver: ..."
//
// Thread-safety: not thread-safe (one GEOS context); use one per thread.
// Cost: O(vertices) plus GEOS's validity test per grid (IMPORT.md "Speed").
#ifndef GRIDROUTE_TOOLS_IMPORT_GEOMETRY_CHECKER_H_
#define GRIDROUTE_TOOLS_IMPORT_GEOMETRY_CHECKER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "geo/crs.h"
#include "import/geos_util.h"
#include "import/source_grid.h"

namespace gridroute::import {

struct CheckOptions {
  // Geometry in degrees (metres are then measured in a local plane at each
  // polygon); false: projected, CRS units taken as metres.
  bool geographic = true;
  Crs crs;  // for the coordinate range check (engine CheckCoordinate)
  // A polygon (one part of a grid) is a sliver if its area is below
  // min_area_m2 or its mean width (2 * area / perimeter) below min_width_m.
  // Real grids are ~10,000 m² and tens of metres wide; digitising slivers
  // are fractions of a square metre and millimetres to centimetres wide.
  // 0 disables each test.
  double min_area_m2 = 1.0;
  double min_width_m = 0.5;
  // Slivers are problems (--strict) instead of warnings. A sliver is valid
  // geometry the engine answers correctly, so by default it is only listed.
  bool strict = false;
};

struct GeometryCheck {
  std::vector<std::string> problems;  // empty: the geometry is accepted
  std::vector<std::string> warnings;  // slivers, unless CheckOptions::strict
  int64_t reversed_rings = 0;         // rings rewound to RFC 7946 orientation
  int64_t removed_vertices = 0;       // duplicate consecutive vertices dropped
  int64_t slivers = 0;                // polygons found to be slivers
};

class GeometryChecker {
 public:
  explicit GeometryChecker(const CheckOptions& options) : options_(options) {}

  // Checks `polygons` (one grid) and normalises them in place (orientation,
  // duplicate vertices). Messages name the part ("polygon 1 ring 0: ...")
  // but not the feature; the caller prefixes FeatureLabel().
  GeometryCheck Check(std::vector<Polygon>* polygons);

  // Area (holes subtracted) and perimeter in m² and m of one polygon.
  void Measure(const Polygon& p, double* area_m2, double* perimeter_m) const;

  GeosContext& geos() { return geos_; }

 private:
  bool CheckCoordinates(const std::vector<Polygon>& polygons,
                        GeometryCheck* out) const;
  bool NormaliseRings(std::vector<Polygon>* polygons, GeometryCheck* out);
  bool CheckValidity(const std::vector<Polygon>& polygons, GeometryCheck* out);
  void CheckSlivers(const std::vector<Polygon>& polygons, GeometryCheck* out);

  CheckOptions options_;
  GeosContext geos_;
};

// Twice the signed area of a closed ring in coordinate units² (> 0:
// counter-clockwise), computed relative to the first vertex for precision.
double SignedArea2(const Ring& ring);

// Area (holes subtracted) and perimeter in m² and m of one polygon; for
// `geographic` coordinates in a local plane on the WGS-84 ellipsoid at the
// polygon's first vertex (as geo/metric.h), else CRS units taken as metres.
void MeasurePolygon(const Polygon& p, bool geographic, double* area_m2,
                    double* perimeter_m);

// A coordinate as the messages print it ("%.10g": 1 cm in degrees).
std::string CoordText(double v);
// An area or width as the messages print it (3 significant digits below 10,
// else one decimal).
std::string RoundedText(double v);

}  // namespace gridroute::import

#endif  // GRIDROUTE_TOOLS_IMPORT_GEOMETRY_CHECKER_H_

// Copyright 2026 gridroute authors.
#include "import/overlap_snapper.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace gridroute::import {

void SnapOverlaps(std::vector<OverlapPair> pairs, double lattice_scale,
                  GeometryChecker& checker, std::vector<std::string>* fixes,
                  std::vector<std::string>* problems,
                  std::vector<std::string>* warnings) {
  std::stable_sort(pairs.begin(), pairs.end(),
                   [](const OverlapPair& a, const OverlapPair& b) {
                     return a.trim->code < b.trim->code;
                   });
  GeosContext& geos = checker.geos();
  const double grid_size = 1.0 / lattice_scale;
  for (const OverlapPair& p : pairs) {
    const std::string what = absl::StrCat(FeatureLabel(*p.trim), ": ");
    GeosPtr keep = geos.Make(p.keep->polygons);
    GeosPtr trim = geos.Make(p.trim->polygons);
    GeosPtr diff;
    if (keep && trim) {
      diff = geos.Wrap(GEOSDifferencePrec_r(geos.handle(), trim.get(),
                                            keep.get(), grid_size));
    }
    if (!diff) {
      problems->push_back(absl::StrCat(what, "cannot snap its overlap with ",
                                       FeatureLabel(*p.keep),
                                       ": GEOS: ", geos.last_error()));
      continue;
    }
    std::vector<Polygon> result = geos.Polygons(diff.get());
    if (result.empty()) {
      problems->push_back(absl::StrCat(what, "lies entirely inside ",
                                       FeatureLabel(*p.keep), "; cannot snap"));
      continue;
    }
    // GEOS winds shells clockwise; the pack wants RFC 7946 orientation. GEOS
    // leaves lattice points as k * grid_size, a bit off k / scale: re-round.
    for (Polygon& poly : result) {
      for (size_t r = 0; r < poly.rings.size(); ++r) {
        for (XY& v : poly.rings[r]) {
          v.x = std::nearbyint(v.x * lattice_scale) / lattice_scale;
          v.y = std::nearbyint(v.y * lattice_scale) / lattice_scale;
        }
        if ((SignedArea2(poly.rings[r]) > 0) != (r == 0)) {
          std::reverse(poly.rings[r].begin(), poly.rings[r].end());
        }
      }
    }
    GeometryCheck c = checker.Check(&result);
    if (!c.problems.empty()) {
      problems->push_back(absl::StrCat(
          what, "snapping its overlap with ", FeatureLabel(*p.keep),
          " leaves an unusable shape: ", c.problems[0]));
      continue;
    }
    for (const std::string& w : c.warnings) {
      warnings->push_back(absl::StrCat(what, "after snapping its overlap with ",
                                       FeatureLabel(*p.keep), ": ", w));
    }
    p.trim->polygons = std::move(result);
    char area[32];
    std::snprintf(area, sizeof area, "%.3g", p.area_m2);
    fixes->push_back(absl::StrCat(
        what, "gave the ", area, " m² it overlapped with ",
        FeatureLabel(*p.keep),
        " to that grid (snapped to its edge; the smaller code already "
        "answered there)"));
  }
}

}  // namespace gridroute::import

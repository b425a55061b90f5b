// Copyright 2026 gridroute authors.
//
// What gridroute-import holds of one input feature: its source id, the
// attributes the flags name (already UTF-8, trimmed) and its polygons with
// coordinates exactly as the file stores them (no reprojection).
//
//   LevelSpec community{"community", "SQDM", "SQMC"};
//   ASSIGN_OR_RETURN(std::vector<LevelSpec> levels,
//                    ParseLevels("community=SQDM:SQMC,street=JDDM,district=QDM"));
//
// Plain value types; no thread-safety concerns.
#ifndef GRIDROUTE_TOOLS_IMPORT_SOURCE_GRID_H_
#define GRIDROUTE_TOOLS_IMPORT_SOURCE_GRID_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gridroute::import {

struct XY {
  double x = 0;  // longitude or easting
  double y = 0;  // latitude or northing
  friend bool operator==(const XY& a, const XY& b) {
    return a.x == b.x && a.y == b.y;
  }
};

// A ring as read: closed (the last vertex repeats the first) when the source
// closed it.
using Ring = std::vector<XY>;

// rings[0] is the outer ring, the others its holes.
struct Polygon {
  std::vector<Ring> rings;
};

// One hierarchy level above the grids, as --levels names it.
struct LevelSpec {
  std::string level;      // the pack's level name, e.g. "community"
  std::string code_attr;  // attribute holding the region code, e.g. "SQDM"
  std::string name_attr;  // attribute holding its name; "" if none
};

// Parses --levels: comma-separated `level=CODE_ATTR[:NAME_ATTR]`, the
// nearest ancestor of the grids first (community, street, district).
// Errors: InvalidArgument naming the bad item (empty, no '=', empty level or
// attribute, a repeated level name).
absl::StatusOr<std::vector<LevelSpec>> ParseLevels(absl::string_view spec);

struct SourceGrid {
  int64_t fid = 0;    // the feature id the source reports (OGR FID)
  int64_t index = 0;  // 0-based position in read order
  std::string code;   // "" if missing
  std::string name;   // "" if no name attribute or empty
  // Per LevelSpec (nearest first): the region's code and name ("" if
  // missing).
  std::vector<std::string> level_codes, level_names;
  std::vector<Polygon> polygons;  // one for a Polygon, more for MultiPolygon
  bool geometry_ok = false;       // read and passed the geometry checks
  bool attributes_ok = false;     // code and every level code present
};

// "FID 12 code 320501001001005" or "FID 12 (no code)": how every message
// names a feature.
std::string FeatureLabel(const SourceGrid& g);

}  // namespace gridroute::import

#endif  // GRIDROUTE_TOOLS_IMPORT_SOURCE_GRID_H_

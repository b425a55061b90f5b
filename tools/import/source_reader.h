// Copyright 2026 gridroute authors.
//
// Reads a city's grid layer with GDAL/OGR (Shapefile, GeoPackage, GeoJSON,
// File GDB, anything OGR opens): the attributes the flags name, as UTF-8, and
// the polygons with their coordinates as stored. Also works out which engine
// CRS the layer's spatial reference is.
//
//   SourceOptions o;
//   o.path = "wgbm.shp";  o.code_attr = "WGBM";  o.encoding = "GBK";
//   ASSIGN_OR_RETURN(o.levels, ParseLevels("community=SQDM:SQMC,street=JDDM"));
//   ASSIGN_OR_RETURN(SourceData d, ReadSource(o));
//   // d.errors: per-feature problems ("FID 7 code X: ..."), d.grids: all
//   // features in read order.
//
// Thread-safety: ReadSource may run on several threads at once (each call
// opens its own dataset and installs a thread-local GDAL error handler).
// Cost: O(features) (figures: IMPORT.md "Speed").
#ifndef GRIDROUTE_TOOLS_IMPORT_SOURCE_READER_H_
#define GRIDROUTE_TOOLS_IMPORT_SOURCE_READER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "import/source_grid.h"

namespace gridroute::import {

struct SourceOptions {
  std::string path;   // anything GDALOpenEx opens as vector data
  std::string layer;  // "": the source's only layer
  // Encoding of the attribute strings when the file does not say. For a
  // Shapefile it becomes the driver's ENCODING open option (GDAL recodes the
  // DBF to UTF-8, field names included); otherwise the importer recodes each
  // string with CPLRecode. "": the driver's own rule (a Shapefile's .cpg or
  // DBF language id; UTF-8 for GeoPackage and GeoJSON).
  std::string encoding;
  std::string code_attr;  // required
  std::string name_attr;  // "": grids have no name
  std::vector<LevelSpec> levels;
  // Called about every 4,096 features and once at the end, with the number
  // read so far and the layer's feature count (-1 if the driver would have to
  // scan to know it). May be empty.
  std::function<void(int64_t done, int64_t total)> on_progress;
};

struct SourceInfo {
  std::string driver;  // GDAL short name: "ESRI Shapefile", "GPKG", "GeoJSON"
  std::string layer;
  // The layer's spatial reference for people: "EPSG:4547 (CGCS2000 / 3-degree
  // Gauss-Kruger CM 114E)", or "none".
  std::string srs;
  // The engine's name for it ("wgs84", "cgcs2000", "EPSG:4547"), or "" with
  // the reason in crs_error (no CRS, or no EPSG code found).
  std::string crs;
  std::string crs_error;
  std::string encoding;  // how strings were decoded, for the summary
  int64_t features = 0;
};

struct SourceData {
  SourceInfo info;
  std::vector<SourceGrid> grids;      // every feature, in read order
  std::vector<std::string> errors;    // per feature, each naming its FID
  std::vector<std::string> warnings;  // GDAL warnings, linearised curves
};

// Reads the whole layer. Returns an error only when reading cannot start or
// go on (file not found, no such layer, several layers and no --layer, an
// attribute the flags name is not in the layer: the message lists the
// layer's fields). Data problems of single features (no geometry, not a
// polygon, missing or non-UTF-8 attribute) go to SourceData::errors.
absl::StatusOr<SourceData> ReadSource(const SourceOptions& options);

// The engine CRS name for a spatial reference given as WKT (OGC or Esri
// .prj), PROJ string or "EPSG:n": geographic WGS 84 -> "wgs84", CGCS2000
// (EPSG:4490) -> "cgcs2000", anything else with an EPSG code (from the text
// or, failing that, GDAL's best match with >= 90% confidence) -> "EPSG:<n>".
// Errors: InvalidArgument naming the CRS when no EPSG code is found.
absl::StatusOr<std::string> EngineCrsFromSrsText(absl::string_view text);

}  // namespace gridroute::import

#endif  // GRIDROUTE_TOOLS_IMPORT_SOURCE_READER_H_

// Copyright 2026 gridroute authors.
//
// Reading GeoJSON polygon layers (grids, overlay layers) with simdjson's
// on-demand parser, streaming feature by feature: rings are checked
// (snapshot/validate.h CleanRing), quantized and appended to a
// GridGeometryBuilder; properties are read as text. Every problem is
// collected with the file, line, feature index and code.
#ifndef GRIDROUTE_SNAPSHOT_GEOJSON_READER_H_
#define GRIDROUTE_SNAPSHOT_GEOJSON_READER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "common/error_list.h"
#include "geo/grid_geometry.h"

namespace gridroute {

struct FeatureRecord {
  std::vector<std::string> props;  // GeoJsonReadOptions::properties, as text
  int64_t feature = 0;             // 0-based feature index
  int64_t line = 0;                // line where the feature starts
};

struct GeoJsonReadOptions {
  std::vector<std::string> properties;  // the first one names the feature in messages
  std::vector<bool> required;           // same size as properties
  bool geographic = true;
  std::string crs_name = "wgs84";       // for messages
};

// Appends one FeatureRecord and one polygon (builder.EndGrid()) per feature.
// Data problems go to `errors`; the status is an error only when reading
// cannot go on (missing file, malformed JSON).
absl::Status ReadGeoJsonPolygons(const std::string& file, const GeoJsonReadOptions& options,
                                 ErrorList& errors, std::vector<FeatureRecord>* out,
                                 GridGeometryBuilder* builder);

}  // namespace gridroute

#endif  // GRIDROUTE_SNAPSHOT_GEOJSON_READER_H_

// Copyright 2026 gridroute authors.
//
// Reading GeoJSON polygon layers (grids, overlay layers) with simdjson's
// on-demand parser, streaming feature by feature: rings are checked
// (snapshot/validate.h CleanRing), quantized and appended to a
// GridGeometryBuilder; properties are read as text. Every problem is
// collected with the file, line, feature index and code.
#ifndef GRIDROUTE_SNAPSHOT_GEOJSON_READER_H_
#define GRIDROUTE_SNAPSHOT_GEOJSON_READER_H_

#include <cstddef>
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

// Most vertices a ring may have (PACK.md, "Limits"): past it the reader
// stops keeping positions and reports the ring with its count. Real grids
// have tens to thousands of vertices, a district boundary layer up to ~1e6;
// a ring at the limit costs 16 bytes a vertex while read and
// O(n log n) to check (CleanRing; figures: PACK.md, "Ring size limit").
inline constexpr size_t kMaxRingVertices = 2'000'000;

struct GeoJsonReadOptions {
  std::vector<std::string> properties;  // the first one names the feature in messages
  std::vector<bool> required;           // same size as properties
  bool geographic = true;
  std::string crs_name = "wgs84";       // for messages
  // With threads > 1 the "features" array is cut into pieces of about
  // chunk_bytes at feature boundaries and the pieces are read (pread) and
  // parsed in parallel. Any doubt (a cut that is not a feature boundary, any
  // error, an unusual top level, a file that shrank meanwhile) falls back to
  // the sequential read, so results and messages are the same either way.
  int threads = 1;
  // Vertices a ring may have (the closing position not counted).
  size_t max_ring_vertices = kMaxRingVertices;
  size_t chunk_bytes = size_t{16} << 20;
  // If set, receives the number of pieces read in parallel (0: the file was
  // read sequentially).
  int* pieces_read = nullptr;
  // A larger file is refused before it is read; so is anything but a
  // regular file (common/file_util.h). Default: no limit but simdjson's
  // (4 GiB for the sequential read).
  uint64_t max_bytes = ~uint64_t{0};
};

// Appends one FeatureRecord and one polygon (builder.EndGrid()) per feature.
// Data problems go to `errors`; the status is an error only when reading
// cannot go on (missing file, malformed JSON).
// Memory: the sequential read holds a copy of the file and simdjson's index
// of all of it; in pieces each thread holds one piece of the file and its
// index, which lowers the peak (figures: PACK.md).
absl::Status ReadGeoJsonPolygons(const std::string& file, const GeoJsonReadOptions& options,
                                 ErrorList& errors, std::vector<FeatureRecord>* out,
                                 GridGeometryBuilder* builder);

}  // namespace gridroute

#endif  // GRIDROUTE_SNAPSHOT_GEOJSON_READER_H_

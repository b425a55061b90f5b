// Copyright 2026 gridroute authors.
//
// `gridroute locate`: re-locates every row of a CSV of points, streaming (one
// row in memory at a time), keeping the rows, their order and every input
// column, and appending grid, how, distance_m, one column per hierarchy level
// and error. Input and output rules (BOM, line endings, quotes, limits, --out
// never the input): cli/command_io.h.
#ifndef GRIDROUTE_TOOLS_CLI_LOCATE_COMMAND_H_
#define GRIDROUTE_TOOLS_CLI_LOCATE_COMMAND_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "snapshot/snapshot.h"

namespace gridroute {

struct LocateCommandOptions {
  std::string in = "-";
  std::string out = "-";
  std::string lon_col = "lon";
  std::string lat_col = "lat";
  std::string crs = "wgs84";  // CRS of the input points
  double snap_m = 0;
};

struct LocateCommandStats {
  int64_t rows = 0;
  int64_t bad_rows = 0;
  int64_t by_how[4] = {0, 0, 0, 0};  // indexed by How
};

// Bad rows are written with an empty grid, how "error" and the reason in the
// error column, and reported on stderr with their line number; they never
// stop the run. A row with more (non-empty) fields than the header is bad,
// and its extra fields are written after the error column. Errors (the
// output is not opened for the first three): a missing column, an empty or
// unreadable input, --out naming the input file; then malformed CSV (an
// unclosed quote, a field/record over the limits) naming the line, a write
// error.
absl::StatusOr<LocateCommandStats> RunLocate(const Snapshot& snapshot,
                                             const LocateCommandOptions& options);

}  // namespace gridroute

#endif  // GRIDROUTE_TOOLS_CLI_LOCATE_COMMAND_H_

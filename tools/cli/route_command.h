// Copyright 2026 gridroute authors.
//
// `gridroute route`: routes every row of a CSV of events, streaming (one row
// in memory at a time), keeping the rows and their order and appending the
// decision. Input columns (names configurable): lon, lat, category and
// reported_at (ISO-8601; without an offset the pack calendar's zone is
// used); optional category_type (default event), urgency, component_code and
// crs (else --crs). A bad row is written with outcome "invalid" and the
// reason, reported on stderr with its line number, and never stops the run.
// Every input column is kept; a row with more (non-empty) fields than the
// header is invalid and its extra fields follow the error column. Input and
// output rules (BOM, line endings, quotes, limits, --out never the input):
// cli/command_io.h.
#ifndef GRIDROUTE_TOOLS_CLI_ROUTE_COMMAND_H_
#define GRIDROUTE_TOOLS_CLI_ROUTE_COMMAND_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "route/router.h"

namespace gridroute {

struct RouteCommandOptions {
  std::string in = "-";
  std::string out = "-";
  std::string lon_col = "lon";
  std::string lat_col = "lat";
  std::string crs = "wgs84";  // for rows without a crs column value
  double snap_m = 0;
  double component_radius_m = 30;
  bool quiet = false;  // no per-row messages on stderr
  // A row whose reported_at is before 2000-01-01 or more than max_future
  // ahead of `now` (InfinitePast: this machine's clock at the start) is
  // invalid, as the server refuses it (common/report_checks.h).
  absl::Duration max_future = absl::Minutes(15);
  absl::Time now = absl::InfinitePast();
};

struct RouteCommandStats {
  int64_t rows = 0;
  std::map<std::string, int64_t> outcomes;  // routed/inside, outside_coverage, not_found, invalid…
};

absl::StatusOr<RouteCommandStats> RunRoute(const Router& router,
                                           const RouteCommandOptions& options);

// Parses an ISO-8601 / RFC 3339 time ("2026-03-04T10:00:00+08:00"; without
// an offset, in `zone`). False if it does not parse.
bool ParseReportTime(absl::string_view text, const absl::TimeZone& zone, absl::Time* out);

}  // namespace gridroute

#endif  // GRIDROUTE_TOOLS_CLI_ROUTE_COMMAND_H_

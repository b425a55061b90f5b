// Copyright 2026 gridroute authors.
#include "cli/locate_command.h"

#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/command_io.h"
#include "common/csv.h"
#include "common/echo.h"
#include "common/status_macros.h"
#include "geo/crs.h"
#include "route/router.h"

namespace gridroute {
namespace {

// The point of a data row into (x, y); the row's problem ("" if none).
std::string ParsePointRow(const std::vector<std::string>& row, size_t width, int lon_col,
                          int lat_col, const LocateCommandOptions& options, bool geographic,
                          double* x, double* y) {
  if (row.size() <= static_cast<size_t>(std::max(lon_col, lat_col))) {
    return absl::StrCat("row has ", row.size(), " fields, header has ", width);
  }
  if (HasExtraFields(row, width)) return ExtraFieldsError(row.size(), width);
  if (!absl::SimpleAtod(row[lon_col], x) || !std::isfinite(*x)) {
    return absl::StrCat(options.lon_col, " '", Echo(row[lon_col]), "' is not a finite number");
  }
  if (!absl::SimpleAtod(row[lat_col], y) || !std::isfinite(*y)) {
    return absl::StrCat(options.lat_col, " '", Echo(row[lat_col]), "' is not a finite number");
  }
  if (geographic && (*x < -180 || *x > 180)) {
    return absl::StrCat(options.lon_col, " ", Echo(row[lon_col]), " is outside [-180, 180]");
  }
  if (geographic && (*y < -90 || *y > 90)) {
    return absl::StrCat(options.lat_col, " ", Echo(row[lat_col]), " is outside [-90, 90]");
  }
  if (!geographic && (std::fabs(*x) > 1e8 || std::fabs(*y) > 1e8)) {
    return "coordinate outside the projected CRS's range (|x|,|y| <= 1e8 m)";
  }
  return "";
}

// grid, how, distance_m and the hierarchy columns of a located row.
void WriteLocation(const Snapshot& snapshot, const LocateResult& r, std::vector<int32_t>* chain,
                   CsvWriter* out) {
  const auto& levels = snapshot.hierarchy().levels();
  if (r.grid == kNoGrid) {
    out->Field("");
    out->Field(HowName(r.how));
    out->Field("");
    for (size_t i = 0; i < levels.size(); ++i) out->Field("");
    return;
  }
  out->Field(snapshot.grid_code(r.grid));
  out->Field(HowName(r.how));
  char dist[32];
  std::snprintf(dist, sizeof dist, "%.3f", r.distance_m);
  out->Field(dist);
  snapshot.hierarchy().Chain(snapshot.grid_parent(r.grid), *chain);
  for (int32_t c : *chain) {
    out->Field(c < 0 ? absl::string_view() : snapshot.hierarchy().region(c).code);
  }
}

}  // namespace

absl::StatusOr<LocateCommandStats> RunLocate(const Snapshot& snapshot,
                                             const LocateCommandOptions& options) {
  // Any input CRS the router takes (wgs84, cgcs2000, gcj02, bd09, EPSG:n):
  // points are converted to the pack's CRS exactly as the server does.
  absl::StatusOr<Crs> crs = ParseCrs(options.crs);
  if (!crs.ok()) return absl::InvalidArgumentError(absl::StrCat("--crs: ", crs.status().message()));
  if (!(options.snap_m >= 0) || !std::isfinite(options.snap_m)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--snap-m must be a finite number >= 0, got ", options.snap_m));
  }
  // The output is opened only once the input and its header are known good,
  // and never when it is the input (command_io.h).
  ASSIGN_OR_RETURN(CommandInput input, OpenCommandInput(options.in));
  CsvReader& in = input.reader;
  std::vector<std::string>& row = input.header;
  const int lon_col = FindColumn(row, options.lon_col);
  const int lat_col = FindColumn(row, options.lat_col);
  if (lon_col < 0 || lat_col < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        options.in, ":", in.line(), ": no column '", lon_col < 0 ? options.lon_col : options.lat_col,
        "' in the header (use --lon-col / --lat-col)"));
  }
  ASSIGN_OR_RETURN(CsvWriter out, OpenCommandOutput(options.in, options.out));
  const size_t width = row.size();
  const auto& levels = snapshot.hierarchy().levels();
  for (const auto& f : row) out.Field(f);
  out.Field("grid");
  out.Field("how");
  out.Field("distance_m");
  for (const auto& l : levels) out.Field(l);
  out.Field("error");
  out.EndRecord();

  // The router borrows the caller's snapshot (no ownership taken).
  const Router router(std::shared_ptr<const Snapshot>(std::shared_ptr<const Snapshot>(), &snapshot));
  const LocateOptions lopt{options.snap_m};
  const bool geographic = crs->geographic();
  std::vector<int32_t> chain(levels.size());
  LocateCommandStats stats;
  while (in.Next(row)) {
    ++stats.rows;
    double x = 0, y = 0;
    const bool extra = HasExtraFields(row, width);
    std::string error = ParsePointRow(row, width, lon_col, lat_col, options, geographic, &x, &y);
    LocateResult r;
    if (error.empty()) {
      if (absl::Status st = router.Locate(true, x, y, *crs, lopt, &r); !st.ok()) {
        error = std::string(st.message());
      }
    }
    for (size_t i = 0; i < width; ++i) out.Field(i < row.size() ? row[i] : "");
    if (!error.empty()) {
      ++stats.bad_rows;
      std::fprintf(stderr, "%s:%lld: %s\n", in.name().c_str(),
                   static_cast<long long>(in.line()), error.c_str());
      out.Field("");
      out.Field("error");
      out.Field("");
      for (size_t i = 0; i < levels.size(); ++i) out.Field("");
      out.Field(error);
      // Fields the header does not name follow the error column, so every
      // input field reaches the output and the named columns stay aligned.
      if (extra) {
        for (size_t i = width; i < row.size(); ++i) out.Field(row[i]);
      }
      out.EndRecord();
      continue;
    }
    ++stats.by_how[static_cast<int>(r.how)];
    WriteLocation(snapshot, r, &chain, &out);
    out.Field("");
    out.EndRecord();
  }
  RETURN_IF_ERROR(in.status());
  RETURN_IF_ERROR(out.Close());
  return stats;
}

}  // namespace gridroute

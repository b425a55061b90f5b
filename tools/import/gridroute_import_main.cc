// Copyright 2026 gridroute authors.
//
// gridroute-import: a city's own grid layer (Shapefile, GeoPackage, GeoJSON,
// anything GDAL/OGR reads) -> a validated city pack (IMPORT.md).
//
//   gridroute-import --grids wgbm.shp --code-attr WGBM --encoding GBK
//       --levels community=SQDM:SQMC,street=JDDM:JDMC,district=QDM
//       --name "Dongcheng" --out /srv/packs/dongcheng
//
// Exit codes: 0 success, 2 bad flags, 1 the data has problems (listed on
// stderr, nothing written) or reading/writing failed.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "import/importer.h"
#include "common/cli.h"

ABSL_FLAG(std::string, grids, "",
          "the grid layer: .shp, .gpkg, .geojson, or anything OGR opens");
ABSL_FLAG(std::string, layer, "",
          "layer name (required when the source has several)");
ABSL_FLAG(std::string, code_attr, "",
          "attribute holding the grid code (required)");
ABSL_FLAG(std::string, name_attr, "",
          "attribute holding the grid name (optional)");
ABSL_FLAG(
    std::string, levels, "",
    "ancestor levels, nearest first: level=CODE_ATTR[:NAME_ATTR],... e.g. "
    "community=SQDM:SQMC,street=JDDM:JDMC,district=QDM (required)");
ABSL_FLAG(std::string, crs, "",
          "CRS of the coordinates: wgs84|cgcs2000|gcj02|bd09|EPSG:n (default: "
          "the layer's "
          "own, e.g. from the .prj)");
ABSL_FLAG(std::string, encoding, "",
          "encoding of the attribute strings, e.g. GBK (default: the .cpg "
          "file, else the "
          "format's own)");
ABSL_FLAG(std::string, routing_encoding, "",
          "encoding of the routing CSV files given with --departments ... --components, e.g. "
          "GB18030 (default UTF-8); they are converted to UTF-8 in the pack. A --template's "
          "files are converted from its manifest's 'encoding'");
ABSL_FLAG(std::string, name, "", "the pack's name (required)");
ABSL_FLAG(std::string, pack_version, "",
          "the pack's version (default import-<UTC time>)");
ABSL_FLAG(std::string, out, "",
          "pack directory to write (required; an existing pack is replaced)");
ABSL_FLAG(std::string, template, "",
          "a pack whose routing files (departments, categories, rules, teams, "
          "components, "
          "layers, calendar) are copied into the new pack");
ABSL_FLAG(std::string, departments, "",
          "departments.csv (pack format) to include");
ABSL_FLAG(std::string, categories, "",
          "categories.csv (pack format) to include");
ABSL_FLAG(std::string, rules, "", "rules.csv (pack format) to include");
ABSL_FLAG(std::string, teams, "", "teams.csv (pack format) to include");
ABSL_FLAG(std::string, components, "",
          "components.csv (pack format, pack CRS) to include");
ABSL_FLAG(std::string, layers, "",
          "layers.geojson (pack format, pack CRS) to include");
ABSL_FLAG(std::string, calendar, "",
          "calendar.json (pack format) to include, or the name of a shipped "
          "national calendar: CN-2026");
ABSL_FLAG(bool, fix, false,
          "snap overlaps below the tolerance to the neighbour's edge, listing "
          "every change (ring orientation and repeated vertices are always "
          "normalised)");
ABSL_FLAG(bool, strict, false,
          "refuse what is otherwise a warning about the data: slivers, gaps "
          "between grids, overlaps below the tolerance (unless --fix snaps "
          "them)");
ABSL_FLAG(double, overlap_tolerance_m2, 1.0,
          "largest overlap accepted between two grids, m²");
ABSL_FLAG(double, min_area_m2, 1.0,
          "a polygon smaller than this is a sliver (0: no limit)");
ABSL_FLAG(double, min_width_m, 0.5,
          "a polygon whose mean width 2*area/perimeter is below this is a "
          "sliver (0: no limit)");
ABSL_FLAG(double, gap_area_m2, 100,
          "a hole in the coverage smaller than this is a gap between grids "
          "(warning); larger and wider ones are uncovered areas");
ABSL_FLAG(double, gap_width_m, 2,
          "a hole in the coverage whose mean width is below this is a gap "
          "between grids (warning); 0 for both gap limits: no gap check");
ABSL_FLAG(int32_t, threads, 2,
          "threads for the geometry checks and the validation");
ABSL_FLAG(bool, progress, false,
          "show progress on stderr even when it is not a terminal");
ABSL_FLAG(int32_t, max_messages, 200,
          "print at most this many problems, and this many warnings (all are "
          "counted)");

namespace {

using Clock = std::chrono::steady_clock;

int UsageError(const std::string& message) {
  return gridroute::cli::UsageError("gridroute-import", message);
}

// A one-line bar on stderr, redrawn at most 10 times a second.
class ProgressBar {
 public:
  void Update(absl::string_view phase, int64_t done, int64_t total) {
    const Clock::time_point now = Clock::now();
    if (phase != phase_) {
      if (!phase_.empty()) std::fputc('\n', stderr);
      phase_ = std::string(phase);
      start_ = now;
    } else if (now - last_ < std::chrono::milliseconds(100) && done != total) {
      return;
    }
    last_ = now;
    const double s = std::chrono::duration<double>(now - start_).count();
    const double rate = s > 0 ? done / s : 0;
    char bar[33] = {0};
    if (total > 0) {
      const int filled =
          static_cast<int>(30.0 * std::min<int64_t>(done, total) / total);
      for (int i = 0; i < 30; ++i) bar[i] = i < filled ? '#' : '.';
      std::fprintf(stderr, "\r%-8s [%s] %lld/%lld features, %.0f/s   ",
                   phase_.c_str(), bar, static_cast<long long>(done),
                   static_cast<long long>(total), rate);
    } else {
      std::fprintf(stderr, "\r%-8s %lld features, %.0f/s   ", phase_.c_str(),
                   static_cast<long long>(done), rate);
    }
    std::fflush(stderr);
  }
  void Finish() {
    if (!phase_.empty()) std::fputc('\n', stderr);
  }

 private:
  std::string phase_;
  Clock::time_point start_, last_;
};

namespace gi = gridroute::import;

// The flags as ImportOptions; "" or a usage error message.
std::string OptionsFromFlags(gi::ImportOptions* out) {
  gi::ImportOptions& o = *out;
  o.grids = absl::GetFlag(FLAGS_grids);
  o.layer = absl::GetFlag(FLAGS_layer);
  o.code_attr = absl::GetFlag(FLAGS_code_attr);
  o.name_attr = absl::GetFlag(FLAGS_name_attr);
  o.crs = absl::GetFlag(FLAGS_crs);
  o.encoding = absl::GetFlag(FLAGS_encoding);
  o.name = absl::GetFlag(FLAGS_name);
  o.version = absl::GetFlag(FLAGS_pack_version);
  o.out = absl::GetFlag(FLAGS_out);
  o.template_dir = absl::GetFlag(FLAGS_template);
  o.fix = absl::GetFlag(FLAGS_fix);
  o.strict = absl::GetFlag(FLAGS_strict);
  o.overlap_tolerance_m2 = absl::GetFlag(FLAGS_overlap_tolerance_m2);
  o.min_area_m2 = absl::GetFlag(FLAGS_min_area_m2);
  o.min_width_m = absl::GetFlag(FLAGS_min_width_m);
  o.gap_area_m2 = absl::GetFlag(FLAGS_gap_area_m2);
  o.gap_width_m = absl::GetFlag(FLAGS_gap_width_m);
  o.threads = absl::GetFlag(FLAGS_threads);
  const std::pair<const char*, std::string> routing[] = {
      {"departments", absl::GetFlag(FLAGS_departments)},
      {"categories", absl::GetFlag(FLAGS_categories)},
      {"rules", absl::GetFlag(FLAGS_rules)},
      {"teams", absl::GetFlag(FLAGS_teams)},
      {"components", absl::GetFlag(FLAGS_components)},
      {"layers", absl::GetFlag(FLAGS_layers)},
      {"calendar", absl::GetFlag(FLAGS_calendar)}};
  for (const auto& [key, path] : routing) {
    if (!path.empty()) o.routing_files.push_back({key, path, ""});
  }
  o.routing_encoding = absl::GetFlag(FLAGS_routing_encoding);
  if (o.grids.empty()) return "--grids FILE is required";
  if (o.code_attr.empty()) return "--code-attr ATTR is required";
  if (o.name.empty()) return "--name NAME is required";
  if (o.out.empty()) return "--out DIR is required";
  if (absl::GetFlag(FLAGS_levels).empty()) {
    return "--levels is required, e.g. "
           "community=SQDM:SQMC,street=JDDM:JDMC,district=QDM";
  }
  absl::StatusOr<std::vector<gi::LevelSpec>> levels =
      gi::ParseLevels(absl::GetFlag(FLAGS_levels));
  if (!levels.ok()) return std::string(levels.status().message());
  o.levels = *levels;
  if (o.threads < 1) return "--threads must be >= 1";
  if (!(o.overlap_tolerance_m2 >= 0) || !(o.min_area_m2 >= 0) ||
      !(o.min_width_m >= 0) || !(o.gap_area_m2 >= 0) || !(o.gap_width_m >= 0)) {
    return "--overlap-tolerance-m2, --min-area-m2, --min-width-m, "
           "--gap-area-m2 and --gap-width-m must be >= 0";
  }
  return "";
}

// Prints `lines` with `prefix`, at most --max-messages of them.
void PrintCapped(const std::vector<std::string>& lines, const char* prefix,
                 const char* what) {
  const size_t limit =
      static_cast<size_t>(std::max(0, absl::GetFlag(FLAGS_max_messages)));
  for (size_t i = 0; i < lines.size() && i < limit; ++i) {
    std::fprintf(stderr, "%s%s\n", prefix, lines[i].c_str());
  }
  if (lines.size() > limit) {
    std::fprintf(stderr, "%s... and %zu more %s\n", prefix,
                 lines.size() - limit, what);
  }
}

// The "holes" line: what the gap check found.
std::string HolesLine(const gi::ImportOptions& o, const gi::ImportReport& r) {
  if (!r.gaps_checked) {
    return o.gap_area_m2 <= 0 && o.gap_width_m <= 0
               ? "not checked (--gap-area-m2 0 --gap-width-m 0)"
               : "not checked (see the warning above)";
  }
  std::string line = absl::StrCat(r.gaps, " gap(s) between grids",
                                  r.gaps > 0 ? " (warnings above)" : "");
  char area[96];
  std::snprintf(area, sizeof area, " (%.0f m² in total, largest %.0f m²)",
                r.uncovered_area_m2, r.largest_uncovered_m2);
  absl::StrAppend(&line, "; ", r.uncovered_areas,
                  " uncovered area(s) inside the coverage",
                  r.uncovered_areas > 0 ? area : "", "; ", r.gap_noise,
                  " below 0.01 m² or 1 mm wide (float noise, not listed)");
  return line;
}

void PrintSummary(const gi::ImportOptions& o, const gi::ImportReport& r) {
  std::string levels_line;
  for (size_t i = 0; i < r.levels.size(); ++i) {
    absl::StrAppend(&levels_line, i ? ", " : "", r.levels[i], " ",
                    r.level_counts[i]);
  }
  std::printf("gridroute-import: %lld grids -> %s\n",
              static_cast<long long>(r.grids), o.out.c_str());
  std::printf("  source   : %s, %lld features, strings %s\n", r.source.c_str(),
              static_cast<long long>(r.features), r.encoding.c_str());
  std::printf("  levels   : %s\n", levels_line.c_str());
  std::printf("  area     : %.3f km² in total, mean grid %.0f m²\n",
              r.total_area_m2 / 1e6, r.mean_area_m2);
  std::printf("  crs      : in %s -> out %s (%s)\n", r.crs_in.c_str(),
              r.crs_out.c_str(), r.crs_how.c_str());
  std::printf(
      "  rings    : %lld reversed to RFC 7946 orientation (outer rings "
      "counter-clockwise), %lld repeated vertex(es) dropped\n",
      static_cast<long long>(r.reversed_rings),
      static_cast<long long>(r.removed_vertices));
  std::printf("  slivers  : %lld%s\n", static_cast<long long>(r.slivers),
              r.slivers > 0 ? " (warnings above; --strict refuses them)" : "");
  std::printf("  holes    : %s\n", HolesLine(o, r).c_str());
  std::printf(
      "  fixes    : %zu change(s)%s; %lld overlap(s) below the tolerance\n",
      r.fixes.size(), r.fixes.empty() ? "" : " (listed above)",
      static_cast<long long>(r.tiny_overlaps));
  std::printf("  warnings : %zu\n", r.warnings.size());
  std::printf(
      "  timings  : read %.2fs, check %.2fs, write %.2fs, validate %.2fs, "
      "gaps %.2fs, total %.2fs\n",
      r.read_seconds, r.check_seconds, r.write_seconds, r.validate_seconds,
      r.gaps_seconds, r.total_seconds);
}

}  // namespace

int main(int argc, char** argv) {
  gridroute::cli::SetUsage(
      "Imports a city's grid layer (Shapefile, GeoPackage, GeoJSON, ...) into "
      "a city pack.\n"
      "Usage: gridroute-import --grids FILE [--layer NAME] --code-attr ATTR "
      "\\\n"
      "    --levels "
      "community=ATTR[:NAME_ATTR],street=ATTR[:NAME_ATTR],district=ATTR \\\n"
      "    [--crs wgs84|cgcs2000|gcj02|bd09|EPSG:n] [--encoding GBK] --name "
      "NAME --out DIR\n"
      "    [--template PACK] [--teams F ...] [--routing-encoding GB18030] [--fix] [--strict]   (see "
      "tools/import/IMPORT.md)");
  std::vector<char*> positional = gridroute::cli::ParseFlags(argc, argv);
  if (positional.size() > 1) {
    return UsageError(
        absl::StrCat("unexpected argument '", positional[1],
                     "' (flags are --name=value or --name value)"));
  }
  gi::ImportOptions o;
  if (std::string e = OptionsFromFlags(&o); !e.empty()) return UsageError(e);

  ProgressBar bar;
  const bool show = absl::GetFlag(FLAGS_progress) || isatty(STDERR_FILENO);
  if (show) {
    o.on_progress = [&bar](absl::string_view phase, int64_t done,
                           int64_t total) { bar.Update(phase, done, total); };
  }
  absl::StatusOr<gi::ImportReport> report = gi::RunImport(o);
  if (show) bar.Finish();
  if (!report.ok()) {
    std::fprintf(stderr, "gridroute-import: %s\n",
                 std::string(report.status().message()).c_str());
    // InvalidArgument: the options (a flag's value) are wrong.
    return report.status().code() == absl::StatusCode::kInvalidArgument
               ? gridroute::cli::kExitUsage
               : gridroute::cli::kExitFailure;
  }
  const gi::ImportReport& r = *report;
  for (const std::string& f : r.fixes) std::printf("fixed: %s\n", f.c_str());
  PrintCapped(r.warnings, "warning: ", "warning(s)");
  if (!r.written) {
    std::fprintf(
        stderr,
        "gridroute-import: %zu problem(s) importing %s; nothing written to "
        "%s%s\n",
        r.errors.size(), r.source.c_str(), o.out.c_str(),
        r.fixes.empty() ? "" : " (the fixes above were not saved)");
    PrintCapped(r.errors, "  ", "problem(s)");
    return gridroute::cli::kExitFailure;
  }
  PrintSummary(o, r);
  return gridroute::cli::kExitOk;
}

// Copyright 2026 gridroute authors.
//
// gridroute — the command-line tool.
//
//   gridroute locate --pack DIR --in points.csv --out result.csv
//       [--lon-col lon --lat-col lat] [--crs wgs84] [--snap-m M]
//   gridroute route --pack DIR --in events.csv --out decisions.csv
//       [--crs wgs84] [--snap-m M] [--component-radius-m 30] [--quiet]
//   gridroute grids --pack DIR --bbox minlon,minlat,maxlon,maxlat [--level grid]
//       [--simplify DEG] [--out FILE] [--repeat N]   (the console's GET /v1/grids, offline)
//   gridroute compile --pack DIR --out FILE.grsnap   (a compiled snapshot: SNAPSHOT_FORMAT.md)
//   gridroute journal check|repair --dir DIR [--truncate-after-damage]  (cli/journal_command.h)
//   gridroute info|locate|route|stream|reload|directory --server HOST:PORT ...  (cli/net_commands.h)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "cases/fold_rules.h"
#include "cli/journal_command.h"
#include "cli/locate_command.h"
#include "cli/net_commands.h"
#include "cli/route_command.h"
#include "common/cli.h"
#include "common/process_memory.h"
#include "mapview/map_view.h"
#include "snapshot/snapshot.h"

ABSL_FLAG(std::string, pack, "", "City pack directory, or a compiled snapshot file (.grsnap)");
ABSL_FLAG(std::string, verify, "full",
          "A .grsnap --pack: 'full' checks every section's CRC32C before loading any, "
          "'lazy' each as it is loaded");
ABSL_FLAG(bool, view_in_place, false,
          "A .grsnap --pack: keep its largest arrays (geometry, cell index, codes and names, "
          "components, grid records) in the file's mapping instead of copying them");
ABSL_FLAG(std::string, in, "-", "Input CSV with a header ('-' = stdin)");
ABSL_FLAG(std::string, out, "-", "Output CSV ('-' = stdout)");
ABSL_FLAG(std::string, lon_col, "lon", "Column holding longitude / x");
ABSL_FLAG(std::string, lat_col, "lat", "Column holding latitude / y");
ABSL_FLAG(std::string, crs, "wgs84", "CRS of the input points");
ABSL_FLAG(double, snap_m, 0, "Snap points outside every grid to the nearest grid within this many metres (0 = off)");
ABSL_FLAG(double, component_radius_m, 30,
          "route: a component report without a code takes the nearest component of its category within this radius");
ABSL_FLAG(bool, quiet, false, "route: do not print each bad row on stderr");
ABSL_FLAG(std::string, dir, "", "journal: the journal directory (gridroute-server --journal-dir)");
ABSL_FLAG(bool, truncate_after_damage, false,
          "journal repair: keep every record before the first damage, move the rest to "
          "DIR/damaged-<time>/");
ABSL_FLAG(std::string, bbox, "", "grids: minlon,minlat,maxlon,maxlat (WGS-84)");
ABSL_FLAG(std::string, level, "grid", "grids: grid or a hierarchy level (e.g. street, community)");
ABSL_FLAG(std::string, simplify, "", "grids: Douglas-Peucker tolerance in degrees (empty: none)");
ABSL_FLAG(int, repeat, 1, "grids: run the query this many times and report each time (cold, warm)");
ABSL_FLAG(int, list, 50, "journal: how many dropped records to list one per line");

namespace {

constexpr char kUsage[] =
    "gridroute <command> [flags]\n\n"
    "Commands:\n"
    "  locate --pack DIR --in points.csv --out result.csv [--lon-col lon] "
    "[--lat-col lat] [--crs wgs84] [--snap-m M]\n"
    "      Appends grid, how, distance_m, one column per hierarchy level and\n"
    "      error to every row; streams, so any number of rows fits in memory.\n"
    "  route --pack DIR --in events.csv --out decisions.csv [--crs wgs84] [--snap-m M]\n"
    "        [--component-radius-m 30] [--quiet]\n"
    "      Routes every event (columns lon,lat,category,reported_at and optional\n"
    "      category_type,urgency,component_code,crs) and appends grid, hierarchy,\n"
    "      rule, lead_dept, helper_depts, grid team, layer and component owners,\n"
    "      deadline, outcome and error.\n"
    "  Both keep every input column and row in order. A row with more fields than\n"
    "  the header is a bad row: its extra fields follow the error column. Input:\n"
    "  a UTF-8 BOM is dropped; \\n, \\r\\n or \\r end a line; a quote left open is\n"
    "  an error naming its line; a field may hold 1 MiB, a row 16 MiB and 10,000\n"
    "  fields. --out is opened only after the input's header is checked, and an\n"
    "  --out that is the --in file (any path, symlink or hard link) is refused.\n"
    "  The pack's load warnings go to stderr (\"gridroute: warning: ...\"), as\n"
    "  gridroute-server logs them. Exit 0; 1 with the reason on stderr (the pack\n"
    "  or the input is bad); 2 a usage error (no --pack).\n"
    "  Every --pack may be a pack directory or a compiled snapshot file (.grsnap);\n"
    "  --verify full|lazy: check a .grsnap's section checksums all before loading\n"
    "  (default full) or each as it is loaded (lazy); --view-in-place:\n"
    "  keep its largest arrays in the file's mapping (no copy).\n"
    "  compile --pack DIR --out FILE.grsnap\n"
    "      Loads and validates the pack as the server does, then writes the whole\n"
    "      loaded snapshot (geometry, indexes, routing model) to one file that\n"
    "      loads without parsing or indexing (engine/snapshot/SNAPSHOT_FORMAT.md).\n"
    "      Written to FILE.tmp, then renamed. Exit 0; 1 the pack is bad or FILE\n"
    "      cannot be written; 2 a usage error.\n"
    "  journal check --dir DIR\n"
    "      Reads a case journal (gridroute-server --journal-dir) without changing\n"
    "      it: segments, records, the last good offset and the first damage (file,\n"
    "      offset, kind: checksum mismatch, torn tail, bad length, bad tag, wrong seq,\n"
    "      missing records, damaged snapshot). Exit 0 clean; 1 damaged (the server\n"
    "      refuses to start); 3 only a torn tail (the server drops it itself);\n"
    "      2 the directory cannot be read.\n"
    "  journal repair --dir DIR --truncate-after-damage [--list 50]\n"
    "      With the server stopped: keeps every record before the first damage,\n"
    "      moves what follows (the damaged segment's tail, later segments) into\n"
    "      DIR/damaged-<UTC time>/ with a REPAIR.txt, and lists the records dropped\n"
    "      (seqs, offsets, and the case each one touched). Exit 0 repaired or\n"
    "      clean; 1 not repairable (a damaged snapshot); 2 error.\n";

int Usage(const std::string& msg) { return gridroute::cli::UsageError("gridroute", msg); }
int Fail(const std::string& msg) { return gridroute::cli::Failure("gridroute", msg); }

// The --pack of `command`, its load warnings printed on stderr as the server
// logs them.
absl::StatusOr<std::shared_ptr<const gridroute::Snapshot>> LoadCommandPack(
    const std::string& pack) {
  gridroute::LoadOptions options;
  if (!gridroute::ParseVerifyMode(absl::GetFlag(FLAGS_verify), &options.verify)) {
    return absl::InvalidArgumentError("--verify must be full or lazy");
  }
  options.view_in_place = absl::GetFlag(FLAGS_view_in_place);
  auto snapshot = gridroute::LoadPack(pack, options);
  if (snapshot.ok()) {
    for (const std::string& w : (*snapshot)->warnings()) {
      std::fprintf(stderr, "gridroute: warning: %s\n", w.c_str());
    }
  }
  return snapshot;
}

int Locate() {
  const std::string pack = absl::GetFlag(FLAGS_pack);
  if (pack.empty()) return Usage("locate: --pack is required");
  const auto t0 = std::chrono::steady_clock::now();
  auto snapshot = LoadCommandPack(pack);
  if (!snapshot.ok()) return Fail(std::string(snapshot.status().message()));
  const auto t1 = std::chrono::steady_clock::now();
  gridroute::LocateCommandOptions o;
  o.in = absl::GetFlag(FLAGS_in);
  o.out = absl::GetFlag(FLAGS_out);
  o.lon_col = absl::GetFlag(FLAGS_lon_col);
  o.lat_col = absl::GetFlag(FLAGS_lat_col);
  o.crs = absl::GetFlag(FLAGS_crs);
  o.snap_m = absl::GetFlag(FLAGS_snap_m);
  const double rss_after_load = gridroute::ResidentBytes() / 1048576.0;
  auto stats = gridroute::RunLocate(**snapshot, o);
  if (!stats.ok()) return Fail(std::string(stats.status().message()));
  const auto t2 = std::chrono::steady_clock::now();
  const double load_s = std::chrono::duration<double>(t1 - t0).count();
  const double run_s = std::chrono::duration<double>(t2 - t1).count();
  std::fprintf(stderr,
               "gridroute locate: pack %s (%u grids) loaded in %.2f s (parse %.2f, "
               "validate %.2f, index %.2f, routing %.2f; snapshot %.0f MiB, process RSS "
               "%.0f MiB); %lld rows "
               "in %.2f s (%.0f rows/s): inside %lld, on_edge %lld, snapped %lld, "
               "outside %lld, bad %lld\n",
               (*snapshot)->manifest().name.c_str(), (*snapshot)->num_grids(), load_s,
               (*snapshot)->load_stats().parse_seconds,
               (*snapshot)->load_stats().validate_seconds,
               (*snapshot)->load_stats().index_seconds,
               (*snapshot)->load_stats().routing_seconds,
               (*snapshot)->MemoryBytes() / 1048576.0, rss_after_load,
               static_cast<long long>(stats->rows), run_s,
               run_s > 0 ? stats->rows / run_s : 0.0,
               static_cast<long long>(stats->by_how[0]),
               static_cast<long long>(stats->by_how[1]),
               static_cast<long long>(stats->by_how[2]),
               static_cast<long long>(stats->by_how[3]),
               static_cast<long long>(stats->bad_rows));
  return 0;
}

int Grids() {
  const std::string pack = absl::GetFlag(FLAGS_pack);
  if (pack.empty()) return Usage("grids: --pack is required");
  auto snapshot = LoadCommandPack(pack);
  if (!snapshot.ok()) return Fail(std::string(snapshot.status().message()));
  const auto t0 = std::chrono::steady_clock::now();
  auto view = gridroute::MapView::Build(*snapshot);
  if (!view.ok()) return Fail(std::string(view.status().message()));
  const double build_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  auto query = gridroute::ParseMapQuery(absl::GetFlag(FLAGS_bbox), absl::GetFlag(FLAGS_level),
                                        absl::GetFlag(FLAGS_simplify), (*view)->levels());
  if (!query.ok()) return Usage(absl::StrCat("grids: ", query.status().message()));
  std::fprintf(stderr, "gridroute grids: %u grids; map view built in %.1f ms\n",
               (*snapshot)->num_grids(), build_ms);
  gridroute::MapAnswer answer;
  for (int i = 0; i < std::max(1, absl::GetFlag(FLAGS_repeat)); ++i) {
    const auto t1 = std::chrono::steady_clock::now();
    auto a = (*view)->Query(*query, gridroute::MapLimits{});
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count();
    if (!a.ok()) return Fail(absl::StrCat("grids: ", a.status().message()));
    std::fprintf(stderr,
                 "gridroute grids: run %d: %zu features of %zu matched, %zu vertices, %zu bytes%s "
                 "in %.1f ms\n",
                 i + 1, a->features, a->matched, a->vertices, a->geojson.size(),
                 a->truncated ? " (truncated)" : "", ms);
    answer = std::move(*a);
  }
  const std::string out = absl::GetFlag(FLAGS_out);
  FILE* f = out == "-" ? stdout : std::fopen(out.c_str(), "wb");
  if (f == nullptr) return Fail(absl::StrCat("grids: cannot write ", out));
  std::fwrite(answer.geojson.data(), 1, answer.geojson.size(), f);
  if (f != stdout) std::fclose(f);
  return 0;
}

int Route() {
  const std::string pack = absl::GetFlag(FLAGS_pack);
  if (pack.empty()) return Usage("route: --pack is required");
  const auto t0 = std::chrono::steady_clock::now();
  auto snapshot = LoadCommandPack(pack);
  if (!snapshot.ok()) return Fail(std::string(snapshot.status().message()));
  const auto t1 = std::chrono::steady_clock::now();
  gridroute::Router router(*snapshot);
  gridroute::RouteCommandOptions o;
  o.in = absl::GetFlag(FLAGS_in);
  o.out = absl::GetFlag(FLAGS_out);
  o.lon_col = absl::GetFlag(FLAGS_lon_col);
  o.lat_col = absl::GetFlag(FLAGS_lat_col);
  o.crs = absl::GetFlag(FLAGS_crs);
  o.snap_m = absl::GetFlag(FLAGS_snap_m);
  o.component_radius_m = absl::GetFlag(FLAGS_component_radius_m);
  o.quiet = absl::GetFlag(FLAGS_quiet);
  auto stats = gridroute::RunRoute(router, o);
  if (!stats.ok()) return Fail(std::string(stats.status().message()));
  const auto t2 = std::chrono::steady_clock::now();
  const double load_s = std::chrono::duration<double>(t1 - t0).count();
  const double run_s = std::chrono::duration<double>(t2 - t1).count();
  std::fprintf(stderr,
               "gridroute route: pack %s (%u grids) loaded in %.2f s; %lld events in %.2f s "
               "(%.0f events/s)\n",
               (*snapshot)->manifest().name.c_str(), (*snapshot)->num_grids(), load_s,
               static_cast<long long>(stats->rows), run_s, run_s > 0 ? stats->rows / run_s : 0.0);
  for (const auto& [outcome, n] : stats->outcomes) {
    std::fprintf(stderr, "  %-20s %10lld  %5.1f%%\n", outcome.c_str(), static_cast<long long>(n),
                 stats->rows ? 100.0 * n / stats->rows : 0.0);
  }
  return 0;
}

int Compile() {
  const std::string pack = absl::GetFlag(FLAGS_pack);
  const std::string out = absl::GetFlag(FLAGS_out);
  if (pack.empty()) return Usage("compile: --pack is required");
  if (out.empty() || out == "-") return Usage("compile: --out FILE.grsnap is required");
  const auto t0 = std::chrono::steady_clock::now();
  auto snapshot = LoadCommandPack(pack);
  if (!snapshot.ok()) return Fail(std::string(snapshot.status().message()));
  // The fold rules travel in the file (a server with cases reads them from
  // it): refuse ones the case desk would refuse, as the other files are.
  {
    const gridroute::PackLimits limits;
    absl::StatusOr<gridroute::FoldRules> rules = gridroute::LoadFoldRules(
        pack, (*snapshot)->categories(),
        gridroute::PackCsvOptions((*snapshot)->manifest(), limits.folding_bytes, limits));
    if (!rules.ok()) return Fail(absl::StrCat("compile: ", rules.status().message()));
  }
  const auto t1 = std::chrono::steady_clock::now();
  if (absl::Status st = gridroute::CompileSnapshot(**snapshot, pack, out); !st.ok()) {
    return Fail(absl::StrCat("compile: ", st.message()));
  }
  const auto t2 = std::chrono::steady_clock::now();
  std::fprintf(stderr,
               "gridroute compile: pack %s (%u grids) loaded in %.2f s, %s written in %.2f s\n",
               (*snapshot)->manifest().name.c_str(), (*snapshot)->num_grids(),
               std::chrono::duration<double>(t1 - t0).count(), out.c_str(),
               std::chrono::duration<double>(t2 - t1).count());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  gridroute::cli::SetUsage(absl::StrCat(kUsage, gridroute::kNetUsage));
  if (argc >= 2 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
    std::fputs(kUsage, stdout);
    std::fputs(gridroute::kNetUsage, stdout);
    std::fputs(gridroute::cli::kExitCodesHelp, stdout);
    std::fputs("\n", stdout);
    return gridroute::cli::kExitOk;
  }
  if (argc < 2 || argv[1][0] == '-') {
    std::fputs(kUsage, stderr);
    std::fputs(gridroute::kNetUsage, stderr);
    return gridroute::cli::kExitUsage;
  }
  const std::string command = argv[1];
  // `journal` takes a subcommand word before its flags.
  std::string sub;
  int first_flag = 2;
  if (command == "journal" && argc > 2 && argv[2][0] != '-') {
    sub = argv[2];
    first_flag = 3;
  }
  // Dashed flags (--snap-m), "--out -" (common/cli.h).
  gridroute::cli::ParseFlags(argc, argv, first_flag);
  if (gridroute::IsNetCommand(command)) return gridroute::RunNetCommand(command);  // --server
  if (command == "journal") {
    gridroute::JournalCommandOptions o;
    o.dir = absl::GetFlag(FLAGS_dir);
    o.truncate_after_damage = absl::GetFlag(FLAGS_truncate_after_damage);
    o.list = absl::GetFlag(FLAGS_list);
    return gridroute::RunJournalCommand(sub, o, stdout, stderr);
  }
  if (command == "locate") return Locate();
  if (command == "route") return Route();
  if (command == "grids") return Grids();
  if (command == "compile") return Compile();
  return Usage(absl::StrCat("unknown command '", command, "'\n", kUsage));
}

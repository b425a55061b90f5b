// Copyright 2026 gridroute authors.
//
// gridroute-import's engine: reads a city's grid layer with OGR, checks every
// feature, derives the hierarchy from the attributes, writes a city pack to a
// temporary directory beside --out, validates it with the engine's own
// LoadPack, and only then moves it into place (IMPORT.md). The pack's
// manifest lists every file's size and SHA-256 (WritePackChecksums).
//
//   ImportOptions o;
//   o.grids = "wgbm.shp";
//   o.code_attr = "WGBM";
//   o.encoding = "GBK";
//   ASSIGN_OR_RETURN(o.levels, ParseLevels("community=SQDM:SQMC,street=JDDM"));
//   o.name = "Dongcheng";
//   o.out = "/srv/packs/dongcheng";
//   ASSIGN_OR_RETURN(ImportReport r, RunImport(o));
//   if (!r.written) {
//     for (const std::string& e : r.errors) puts(e.c_str());  // "FID 7 ..."
//   }
//
// Thread-safety: RunImport may run concurrently for different outputs.
// Cost: O(grids) plus a GEOS union for the gap check (time and memory:
// IMPORT.md "Speed").
#ifndef GRIDROUTE_TOOLS_IMPORT_IMPORTER_H_
#define GRIDROUTE_TOOLS_IMPORT_IMPORTER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "import/pack_writer.h"
#include "import/source_grid.h"

namespace gridroute::import {

struct ImportOptions {
  std::string grids;              // --grids: any OGR vector source
  std::string layer;              // --layer: "" for a single-layer source
  std::string code_attr;          // --code-attr (required)
  std::string name_attr;          // --name-attr: grid names; "" for none
  std::vector<LevelSpec> levels;  // --levels, nearest ancestor first (>= 1)
  // --crs: wgs84|cgcs2000|gcj02|bd09|EPSG:n; "" takes the layer's own CRS.
  std::string crs;
  std::string encoding;  // --encoding (see SourceOptions::encoding)
  std::string name;      // --name: the pack's name (required)
  std::string version;   // --pack-version; "" gives "import-<UTC time>"
  std::string out;       // --out: the pack directory (replaced if it is a pack)
  // --template: a pack whose routing files (departments, categories, rules,
  // teams, components, layers, calendar) and rule_precedence are copied.
  std::string template_dir;
  // --departments FILE etc.: routing files in pack format; override the
  // template's file of the same key.
  std::vector<RoutingFile> routing_files;
  // --routing-encoding: encoding of the CSV files among routing_files (""
  // for UTF-8); they are converted to UTF-8 into the pack. A template's
  // CSV files are converted from its manifest's `encoding`.
  std::string routing_encoding;
  bool fix = false;  // --fix
  // --strict: what is otherwise a warning about the data is an error
  // (slivers, gaps between grids, overlaps below the tolerance that --fix
  // did not snap). Orientation and duplicate vertices are never errors.
  bool strict = false;
  double overlap_tolerance_m2 = 1.0;  // --overlap-tolerance-m2 (manifest)
  double min_area_m2 = 1.0;           // --min-area-m2 (slivers)
  double min_width_m = 0.5;           // --min-width-m (slivers)
  // --gap-area-m2, --gap-width-m: a hole in the coverage below either is a
  // gap between grids (GapOptions); both 0 turn the gap check off.
  double gap_area_m2 = 100;
  double gap_width_m = 2;
  int threads = 2;  // geometry checks and the engine's load
  // Progress: phase ("read", "check", "validate"), done, total (-1 unknown).
  std::function<void(absl::string_view phase, int64_t done, int64_t total)>
      on_progress;
};

struct ImportReport {
  bool written = false;  // the pack is in place at ImportOptions::out
  // Every problem that stopped the import, each naming the feature
  // ("FID 7 code 3205...: ...") or the file and line.
  std::vector<std::string> errors;
  std::vector<std::string> fixes;  // every change --fix made
  // Did not stop the import: slivers, gaps between grids, overlaps below the
  // tolerance (all errors with --strict), GDAL's and the loader's warnings.
  std::vector<std::string> warnings;

  // Summary.
  std::string source;    // "grids.shp (ESRI Shapefile, layer grids)"
  std::string encoding;  // how attribute strings were decoded
  std::string crs_in;    // the layer's spatial reference, as GDAL names it
  std::string crs_out;   // the pack's `crs`
  std::string crs_how;   // "from the layer" or "--crs (overrides ...)"
  int64_t features = 0;  // read from the layer
  int64_t grids = 0;     // written to the pack
  std::vector<std::string> levels;    // top first
  std::vector<int64_t> level_counts;  // regions per level, top first
  double total_area_m2 = 0;           // sum of grid areas (engine's GridAreaM2)
  double mean_area_m2 = 0;
  int64_t tiny_overlaps = 0;  // pairs overlapping by less than the tolerance
  // Normalised without a flag (RFC 7946 orientation, no repeated vertex).
  int64_t reversed_rings = 0;
  int64_t removed_vertices = 0;
  int64_t slivers = 0;  // polygons below --min-area-m2 / --min-width-m
  // Holes in the union of the grids (gap_finder.h): gaps between grids
  // (listed), float noise and uncovered areas (counted). gaps_checked is
  // false when the check did not run: turned off, other problems stopped
  // the import, or GEOS failed (a warning says so).
  bool gaps_checked = false;
  int64_t gaps = 0, gap_noise = 0, uncovered_areas = 0;
  double uncovered_area_m2 = 0, largest_uncovered_m2 = 0;
  double read_seconds = 0, check_seconds = 0, write_seconds = 0,
         validate_seconds = 0, gaps_seconds = 0, total_seconds = 0;
};

// Runs the import. Returns an error status only for unusable flags or
// environment (missing required option, a source OGR cannot open, an
// attribute not in the layer, an unknown CRS, an --out that is a non-pack
// directory, a write failure). Problems in the data are collected in
// ImportReport::errors; then nothing is written at --out.
absl::StatusOr<ImportReport> RunImport(const ImportOptions& options);

}  // namespace gridroute::import

#endif  // GRIDROUTE_TOOLS_IMPORT_IMPORTER_H_

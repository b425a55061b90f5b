// Copyright 2026 gridroute authors.
//
// Writes the files of a city pack v1 (engine/snapshot/PACK.md) from imported
// data: manifest.json, regions.csv, grids.geojson (one feature per line, in
// code order, so the loader skips its permutation and every message points at
// the feature's own line), plus routing files copied from a template pack or
// given one by one.
//
//   ASSIGN_OR_RETURN(TemplateFiles t, ReadTemplate("/packs/city"));
//   RETURN_IF_ERROR(WriteGrids(dir + "/grids.geojson", sorted_grids));
//
// Thread-safety: pure functions of their arguments and the files they name.
#ifndef GRIDROUTE_TOOLS_IMPORT_PACK_WRITER_H_
#define GRIDROUTE_TOOLS_IMPORT_PACK_WRITER_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "import/hierarchy_deriver.h"
#include "import/source_grid.h"

namespace gridroute::import {

// The routing files a pack may name in manifest `files`, in PACK.md order.
inline constexpr const char* kRoutingKeys[] = {
    "departments", "categories", "rules",   "teams",
    "components",  "layers",     "calendar"};

struct ManifestFields {
  std::string name, version, crs;
  std::vector<std::string> levels;  // top first
  double overlap_tolerance_m2 = 1.0;
  // Routing files inside the pack: (key, file name), e.g. ("rules",
  // "rules.csv").
  std::vector<std::pair<std::string, std::string>> routing_files;
  std::string rule_precedence;  // "" leaves the engine default
};

// A routing file taken from elsewhere: (key, source path), and the
// encoding of a CSV file ("" for UTF-8; else an iconv name: the file is
// converted to UTF-8 as it is copied into the pack).
struct RoutingFile {
  std::string key, path;
  std::string encoding;
};

// What a template pack contributes: its routing files (with its manifest's
// `encoding`), its rule precedence and its CRS (components and layers carry
// coordinates in it).
struct TemplateFiles {
  std::string crs = "wgs84";
  std::string rule_precedence;
  std::vector<RoutingFile> files;
};

// Copies routing file `f` to `dest`: as it is, or, for a CSV file in
// another encoding, converted to UTF-8 (an imported pack is all UTF-8: its
// regions.csv is written in it). InvalidArgument naming the source file,
// line and column of a sequence invalid in the encoding.
absl::Status CopyRoutingFile(const RoutingFile& f, const std::string& dest);

// Reads DIR/manifest.json of a template pack. Errors: NotFound (no
// manifest), InvalidArgument (not JSON, a routing file it names is missing).
absl::StatusOr<TemplateFiles> ReadTemplate(const std::string& dir);

absl::Status WriteManifest(const std::string& path, const ManifestFields& m);
absl::Status WriteRegions(const std::string& path, const DerivedHierarchy& h);
// `grids` in ascending code order; each feature's `parent` is its nearest
// level code (level_codes[0]); coordinates as shortest round-trip decimals.
absl::Status WriteGrids(const std::string& path,
                        const std::vector<const SourceGrid*>& grids);

}  // namespace gridroute::import

#endif  // GRIDROUTE_TOOLS_IMPORT_PACK_WRITER_H_

// Copyright 2026 gridroute authors.
//
// manifest.json of a city pack (format: engine/snapshot/PACK.md): what it
// says (PackManifest), and the limits every file of a pack is read within
// (PackLimits, PACK.md "Limits").
//
//   ASSIGN_OR_RETURN(PackManifest m, ReadPackManifest("city", PackLimits{}));
//   for (const PackFile& f : PackFiles(m, limits)) Open(f.file, f.max_bytes);
//
// Writing a pack's checksums and checking them: snapshot/pack_checksums.h.
//
// Thread-safety: pure functions.
#ifndef GRIDROUTE_SNAPSHOT_MANIFEST_H_
#define GRIDROUTE_SNAPSHOT_MANIFEST_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/csv.h"
#include "model/rules.h"

namespace gridroute {

// The largest file of each kind LoadPack reads, in bytes, compared with the
// file's size (fstat) before any byte is read; a larger file is a load error
// naming it. The defaults leave 4-6x room over a generated 2M-grid pack;
// PACK.md "Limits" lists them with that pack's file sizes.
struct PackLimits {
  uint64_t manifest_bytes = uint64_t{1} << 20;        // 1 MiB
  uint64_t calendar_bytes = uint64_t{16} << 20;       // 16 MiB
  uint64_t regions_bytes = uint64_t{256} << 20;       // 256 MiB
  uint64_t grids_bytes = uint64_t{15} << 28;          // 3.75 GiB (simdjson reads < 4 GiB)
  uint64_t layers_bytes = uint64_t{2} << 30;          // 2 GiB
  uint64_t departments_bytes = uint64_t{64} << 20;    // 64 MiB
  uint64_t categories_bytes = uint64_t{64} << 20;     // 64 MiB
  uint64_t rules_bytes = uint64_t{512} << 20;         // 512 MiB
  uint64_t teams_bytes = uint64_t{4} << 30;           // 4 GiB
  uint64_t components_bytes = uint64_t{4} << 30;      // 4 GiB
  uint64_t folding_bytes = uint64_t{16} << 20;        // 16 MiB (folding.csv)
  uint64_t other_bytes = uint64_t{1} << 30;           // a file only `checksums` names
  // Every CSV field (a code, a name, a list of helpers): 64 KiB.
  size_t csv_field_bytes = size_t{64} << 10;
  // Every CSV record: 256 fields.
  size_t csv_fields = 256;
};

// One entry of the manifest's `checksums`: what a file was when the pack was
// written.
struct FileChecksum {
  std::string file;  // as named in `files`, relative to the pack directory
  uint64_t bytes = 0;
  std::string sha256;  // 64 lowercase hex digits
};

// What manifest.json says (see engine/snapshot/PACK.md).
struct PackManifest {
  std::string name;
  std::string version;
  std::string crs = "wgs84";  // wgs84 | cgcs2000 | gcj02 | bd09 | EPSG:<n>
  bool geographic = true;
  std::vector<std::string> levels;  // top first; grids sit below the last
  std::string regions_file = "regions.csv";
  std::string grids_file = "grids.geojson";
  std::string attr_code = "code", attr_parent = "parent", attr_name = "name";
  double overlap_tolerance_m2 = 1.0;
  // Routing files (empty: absent). See PACK.md "Routing files".
  std::string departments_file, categories_file, rules_file, teams_file,
      components_file, layers_file, calendar_file;
  Precedence precedence = Precedence::kScopeFirst;
  // The CSV files' character encoding: "" for UTF-8, else an iconv name
  // (GB18030, GBK, BIG5, ...) they are converted from at load. JSON files
  // are always UTF-8.
  std::string encoding;
  // `checksums`: absent in packs written before they existed (then
  // has_checksums is false and LoadPack warns, or refuses with
  // LoadOptions::require_checksums).
  bool has_checksums = false;
  std::vector<FileChecksum> checksums;
};

// A file LoadPack reads: its key in `files` ("regions", "teams", ...), its
// name and its size limit.
struct PackFile {
  std::string key;
  std::string file;
  uint64_t max_bytes = 0;
};

// The files `m` names in `files`, in PACK.md order (absent optional ones
// left out).
std::vector<PackFile> PackFiles(const PackManifest& m, const PackLimits& limits);

// How LoadPack reads one of the pack's CSV files: `max_bytes`, the field
// limits of `limits`, and the manifest's encoding.
CsvFileOptions PackCsvOptions(const PackManifest& m, uint64_t max_bytes, const PackLimits& limits);

// Parses the text of a manifest.json; `file` names it in messages. Errors
// (InvalidArgument, naming the field): PACK.md "manifest.json".
absl::StatusOr<PackManifest> ParsePackManifest(absl::string_view json, const std::string& file);

// Reads and parses DIR/manifest.json (a regular file of at most
// limits.manifest_bytes).
absl::StatusOr<PackManifest> ReadPackManifest(const std::string& dir, const PackLimits& limits);

}  // namespace gridroute

#endif  // GRIDROUTE_SNAPSHOT_MANIFEST_H_

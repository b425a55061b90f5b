// Copyright 2026 gridroute authors.
#include "snapshot/manifest.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <utility>

#include <simdjson.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/echo.h"
#include "common/file_util.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "common/text_encoding.h"
#include "geo/crs.h"

namespace gridroute {
namespace {

// Debian's Abseil has its own string_view; simdjson returns std's.
absl::string_view SV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Most entries `checksums` may hold (a pack has about ten files).
constexpr size_t kMaxChecksums = 64;

absl::StatusOr<std::string> GetString(simdjson::dom::element obj,
                                      const char* key, absl::string_view file,
                                      bool required, std::string fallback = "") {
  simdjson::dom::element v;
  if (obj[key].get(v) != simdjson::SUCCESS) {
    if (!required) return fallback;
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": missing field '", key, "'"));
  }
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": field '", key, "' must be a string"));
  }
  return std::string(s);
}

// A manifest file path must name a file inside the pack directory: relative,
// with no ".." component (so neither "/etc/x" nor "../other/grids.geojson"
// can make a reload read outside the pack). Empty (optional, absent) is fine.
absl::Status CheckInsidePack(const std::string& value, absl::string_view field,
                             const std::string& file) {
  if (value.empty()) return absl::OkStatus();
  const std::string shown = Echo(value);
  if (value[0] == '/' || value[0] == '\\') {
    return absl::InvalidArgumentError(absl::StrCat(
        file, ": field '", field, "' must be a path inside the pack directory, got the "
        "absolute path '", shown, "'"));
  }
  for (absl::string_view part : absl::StrSplit(value, absl::ByAnyChar("/\\"))) {
    if (part == "..") {
      return absl::InvalidArgumentError(absl::StrCat(
          file, ": field '", field, "' must stay inside the pack directory ('..' is "
          "not allowed), got '", shown, "'"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckManifestFiles(const PackManifest& m, const std::string& file) {
  const std::pair<const std::string*, const char*> files[] = {
      {&m.regions_file, "regions"},         {&m.grids_file, "grids"},
      {&m.departments_file, "departments"}, {&m.categories_file, "categories"},
      {&m.rules_file, "rules"},             {&m.teams_file, "teams"},
      {&m.components_file, "components"},   {&m.layers_file, "layers"},
      {&m.calendar_file, "calendar"}};
  for (const auto& [value, field] : files) {
    RETURN_IF_ERROR(CheckInsidePack(*value, absl::StrCat("files.", field), file));
  }
  return absl::OkStatus();
}

// format, format_version, name, version, crs, levels.
absl::Status ParseHead(simdjson::dom::element root, const std::string& file, PackManifest& m) {
  ASSIGN_OR_RETURN(std::string format, GetString(root, "format", file, true));
  if (format != "gridroute-pack") {
    return absl::InvalidArgumentError(absl::StrCat(
        file, ": field 'format' is '", Echo(format), "', expected 'gridroute-pack'"));
  }
  int64_t fv = 0;
  if (root["format_version"].get_int64().get(fv) != simdjson::SUCCESS || fv != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": field 'format_version' must be 1"));
  }
  ASSIGN_OR_RETURN(m.name, GetString(root, "name", file, true));
  ASSIGN_OR_RETURN(m.version, GetString(root, "version", file, true));
  ASSIGN_OR_RETURN(m.crs, GetString(root, "crs", file, false, "wgs84"));
  {
    auto crs = ParseCrs(m.crs);
    if (!crs.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(file, ": field 'crs': ", crs.status().message()));
    }
    m.geographic = crs->geographic();
  }
  simdjson::dom::array levels;
  if (root["levels"].get_array().get(levels) != simdjson::SUCCESS ||
      levels.size() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        file, ": field 'levels' must be a non-empty array of level names, top first"));
  }
  for (simdjson::dom::element l : levels) {
    std::string_view s;
    if (l.get_string().get(s) != simdjson::SUCCESS || s.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": field 'levels' must hold non-empty strings"));
    }
    if (std::find(m.levels.begin(), m.levels.end(), s) != m.levels.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": field 'levels' repeats '", Echo(s), "'"));
    }
    m.levels.emplace_back(s);
  }
  return absl::OkStatus();
}

// files, grid_attributes, overlap_tolerance_m2, rule_precedence.
absl::Status ParseFiles(simdjson::dom::element root, const std::string& file, PackManifest& m) {
  simdjson::dom::element files;
  if (root["files"].get(files) != simdjson::SUCCESS || !files.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": missing object field 'files'"));
  }
  ASSIGN_OR_RETURN(m.regions_file, GetString(files, "regions", file + " files", true));
  ASSIGN_OR_RETURN(m.grids_file, GetString(files, "grids", file + " files", true));
  simdjson::dom::element attrs;
  if (root["grid_attributes"].get(attrs) == simdjson::SUCCESS) {
    ASSIGN_OR_RETURN(m.attr_code, GetString(attrs, "code", file + " grid_attributes", false, "code"));
    ASSIGN_OR_RETURN(m.attr_parent, GetString(attrs, "parent", file + " grid_attributes", false, "parent"));
    ASSIGN_OR_RETURN(m.attr_name, GetString(attrs, "name", file + " grid_attributes", false, "name"));
  }
  double tol = 1.0;
  simdjson::dom::element tol_el;
  if (root["overlap_tolerance_m2"].get(tol_el) == simdjson::SUCCESS) {
    if (tol_el.get_double().get(tol) != simdjson::SUCCESS || !(tol >= 0) ||
        !std::isfinite(tol)) {
      return absl::InvalidArgumentError(absl::StrCat(
          file, ": field 'overlap_tolerance_m2' must be a number >= 0"));
    }
  }
  m.overlap_tolerance_m2 = tol;
  const std::string fctx = file + " files";
  ASSIGN_OR_RETURN(m.departments_file, GetString(files, "departments", fctx, false));
  ASSIGN_OR_RETURN(m.categories_file, GetString(files, "categories", fctx, false));
  ASSIGN_OR_RETURN(m.rules_file, GetString(files, "rules", fctx, false));
  ASSIGN_OR_RETURN(m.teams_file, GetString(files, "teams", fctx, false));
  ASSIGN_OR_RETURN(m.components_file, GetString(files, "components", fctx, false));
  ASSIGN_OR_RETURN(m.layers_file, GetString(files, "layers", fctx, false));
  ASSIGN_OR_RETURN(m.calendar_file, GetString(files, "calendar", fctx, false));
  RETURN_IF_ERROR(CheckManifestFiles(m, file));
  ASSIGN_OR_RETURN(std::string precedence,
                   GetString(root, "rule_precedence", file, false, "scope_first"));
  if (precedence == "scope_first") {
    m.precedence = Precedence::kScopeFirst;
  } else if (precedence == "category_first") {
    m.precedence = Precedence::kCategoryFirst;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        file, ": field 'rule_precedence' is '", Echo(precedence),
        "', expected scope_first or category_first"));
  }
  return absl::OkStatus();
}

// encoding.
absl::Status ParseEncoding(simdjson::dom::element root, const std::string& file,
                           PackManifest& m) {
  ASSIGN_OR_RETURN(std::string encoding, GetString(root, "encoding", file, false, ""));
  if (absl::Status st = CheckEncoding(encoding); !st.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(file, ": field 'encoding': ", st.message()));
  }
  m.encoding = IsUtf8Encoding(encoding) ? "" : encoding;
  return absl::OkStatus();
}

// checksums: {"<file>": {"bytes": N, "sha256": "<64 hex>"}, ...}. Every
// file named in `files` must be listed.
absl::Status ParseChecksums(simdjson::dom::element root, const std::string& file,
                            PackManifest& m) {
  simdjson::dom::element el;
  if (root["checksums"].get(el) != simdjson::SUCCESS) return absl::OkStatus();
  simdjson::dom::object sums;
  if (el.get_object().get(sums) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(absl::StrCat(
        file, ": field 'checksums' must be an object {\"<file>\": {\"bytes\": N, \"sha256\": "
        "\"<64 hex digits>\"}, ...}"));
  }
  m.has_checksums = true;
  for (simdjson::dom::key_value_pair kv : sums) {
    FileChecksum c;
    c.file = std::string(kv.key);
    const std::string where = absl::StrCat(file, ": checksums['", Echo(c.file), "']");
    if (m.checksums.size() == kMaxChecksums) {
      return absl::InvalidArgumentError(absl::StrCat(
          file, ": field 'checksums' lists more than ", kMaxChecksums, " files"));
    }
    RETURN_IF_ERROR(CheckInsidePack(c.file, "checksums", file));
    if (c.file.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": empty file name"));
    }
    std::string_view sha;
    if (kv.value["bytes"].get_uint64().get(c.bytes) != simdjson::SUCCESS ||
        kv.value["sha256"].get_string().get(sha) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": expected {\"bytes\": <size>, \"sha256\": \"<64 hex digits>\"}"));
    }
    c.sha256 = absl::AsciiStrToLower(SV(sha));
    if (!IsSha256Hex(c.sha256)) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": sha256 must be 64 hex digits, got '", Echo(sha), "'"));
    }
    m.checksums.push_back(std::move(c));
  }
  for (const PackFile& f : PackFiles(m, PackLimits{})) {
    const bool listed = std::any_of(m.checksums.begin(), m.checksums.end(),
                                    [&](const FileChecksum& c) { return c.file == f.file; });
    if (!listed) {
      return absl::InvalidArgumentError(absl::StrCat(
          file, ": field 'checksums' has no entry for '", Echo(f.file), "' (files.", f.key,
          "): a pack with checksums lists every file it names"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<PackFile> PackFiles(const PackManifest& m, const PackLimits& limits) {
  const PackFile all[] = {
      {"regions", m.regions_file, limits.regions_bytes},
      {"grids", m.grids_file, limits.grids_bytes},
      {"departments", m.departments_file, limits.departments_bytes},
      {"categories", m.categories_file, limits.categories_bytes},
      {"rules", m.rules_file, limits.rules_bytes},
      {"teams", m.teams_file, limits.teams_bytes},
      {"components", m.components_file, limits.components_bytes},
      {"layers", m.layers_file, limits.layers_bytes},
      {"calendar", m.calendar_file, limits.calendar_bytes}};
  std::vector<PackFile> out;
  for (const PackFile& f : all) {
    if (!f.file.empty()) out.push_back(f);
  }
  return out;
}

CsvFileOptions PackCsvOptions(const PackManifest& m, uint64_t max_bytes,
                              const PackLimits& limits) {
  CsvFileOptions o;
  o.max_bytes = max_bytes;
  o.max_field_bytes = limits.csv_field_bytes;
  o.max_fields = limits.csv_fields;
  o.encoding = m.encoding;
  return o;
}

absl::StatusOr<PackManifest> ParsePackManifest(absl::string_view json, const std::string& file) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(json.data(), json.size()).get(root); err != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(absl::StrCat(
        file, ": invalid JSON: ", simdjson::error_message(err)));
  }
  if (!root.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(file, ": must be a JSON object"));
  }
  PackManifest m;
  RETURN_IF_ERROR(ParseHead(root, file, m));
  RETURN_IF_ERROR(ParseFiles(root, file, m));
  RETURN_IF_ERROR(ParseEncoding(root, file, m));
  RETURN_IF_ERROR(ParseChecksums(root, file, m));
  return m;
}

absl::StatusOr<PackManifest> ReadPackManifest(const std::string& dir, const PackLimits& limits) {
  const std::string file = dir + "/manifest.json";
  ASSIGN_OR_RETURN(std::string text, ReadFile(file, limits.manifest_bytes));
  return ParsePackManifest(text, file);
}

}  // namespace gridroute

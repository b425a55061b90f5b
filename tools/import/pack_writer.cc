// Copyright 2026 gridroute authors.
#include "import/pack_writer.h"

#include <simdjson.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/csv.h"
#include "common/file_util.h"
#include "common/status_macros.h"
#include "common/text_encoding.h"
#include "common/json_string.h"

namespace gridroute::import {
namespace {

struct FileCloser {
  void operator()(FILE* f) const {
    if (f) std::fclose(f);
  }
};

class OutFile {
 public:
  static absl::StatusOr<OutFile> Open(const std::string& path) {
    OutFile f;
    f.path_ = path;
    f.file_.reset(std::fopen(path.c_str(), "wb"));
    if (!f.file_) {
      return absl::PermissionDeniedError(
          absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
    }
    return f;
  }
  void Write(absl::string_view s) {
    std::fwrite(s.data(), 1, s.size(), file_.get());
  }
  absl::Status Close() {
    const bool bad = std::ferror(file_.get()) != 0;
    const bool close_failed = std::fclose(file_.release()) != 0;
    if (bad || close_failed) {
      return absl::DataLossError(
          absl::StrCat("writing ", path_, " failed (disk full?)"));
    }
    return absl::OkStatus();
  }

 private:
  std::string path_;
  std::unique_ptr<FILE, FileCloser> file_;
};

void AppendNumber(std::string& out, double v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void AppendRing(std::string& out, const Ring& ring) {
  out += '[';
  for (size_t i = 0; i < ring.size(); ++i) {
    if (i) out += ',';
    out += '[';
    AppendNumber(out, ring[i].x);
    out += ',';
    AppendNumber(out, ring[i].y);
    out += ']';
  }
  out += ']';
}

void AppendPolygon(std::string& out, const Polygon& p) {
  out += '[';
  for (size_t r = 0; r < p.rings.size(); ++r) {
    if (r) out += ',';
    AppendRing(out, p.rings[r]);
  }
  out += ']';
}

}  // namespace

absl::StatusOr<TemplateFiles> ReadTemplate(const std::string& dir) {
  const std::string file = dir + "/manifest.json";
  ASSIGN_OR_RETURN(std::string text, ReadFile(file));
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(text).get(root); err != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        absl::StrCat("--template: ", file,
                     ": invalid JSON: ", simdjson::error_message(err)));
  }
  TemplateFiles t;
  std::string_view s;
  if (root["crs"].get_string().get(s) == simdjson::SUCCESS)
    t.crs = std::string(s);
  std::string encoding;
  if (root["encoding"].get_string().get(s) == simdjson::SUCCESS) {
    encoding = std::string(s);
    if (absl::Status st = CheckEncoding(encoding); !st.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--template: ", file, ": field 'encoding': ", st.message()));
    }
  }
  if (root["rule_precedence"].get_string().get(s) == simdjson::SUCCESS) {
    t.rule_precedence = std::string(s);
  }
  simdjson::dom::element files;
  if (root["files"].get(files) != simdjson::SUCCESS || !files.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--template: ", file, ": missing object field 'files'"));
  }
  for (const char* key : kRoutingKeys) {
    if (files[key].get_string().get(s) != simdjson::SUCCESS) continue;
    RoutingFile f{key, absl::StrCat(dir, "/", std::string(s)), encoding};
    if (!std::filesystem::is_regular_file(f.path)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--template: ", file, " names ", key, " file '",
                       std::string(s), "', which is missing"));
    }
    t.files.push_back(std::move(f));
  }
  return t;
}

absl::Status CopyRoutingFile(const RoutingFile& f, const std::string& dest) {
  const bool csv = absl::EndsWithIgnoreCase(f.path, ".csv");
  if (!csv || IsUtf8Encoding(f.encoding)) {
    std::error_code ec;
    std::filesystem::copy_file(f.path, dest, std::filesystem::copy_options::overwrite_existing,
                               ec);
    if (ec) {
      return absl::PermissionDeniedError(
          absl::StrCat("cannot copy ", f.path, " into the pack: ", ec.message()));
    }
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(std::string raw, ReadFile(f.path, CsvFileOptions{}.max_bytes));
  ASSIGN_OR_RETURN(std::string utf8, TranscodeCsv(f.path, raw, f.encoding));
  ASSIGN_OR_RETURN(OutFile out, OutFile::Open(dest));
  out.Write(utf8);
  return out.Close();
}

absl::Status WriteManifest(const std::string& path, const ManifestFields& m) {
  std::string j = "{\"format\": \"gridroute-pack\", \"format_version\": 1,\n";
  absl::StrAppend(&j, " \"name\": ", JsonQuote(m.name),
                  ", \"version\": ", JsonQuote(m.version),
                  ",\n \"crs\": ", JsonQuote(m.crs), ",\n \"levels\": [");
  for (size_t i = 0; i < m.levels.size(); ++i) {
    absl::StrAppend(&j, i ? ", " : "", JsonQuote(m.levels[i]));
  }
  j += "],\n \"files\": {\"regions\": \"regions.csv\", \"grids\": "
       "\"grids.geojson\"";
  for (const auto& [key, name] : m.routing_files) {
    absl::StrAppend(&j, ", ", JsonQuote(key), ": ", JsonQuote(name));
  }
  j += "},\n \"grid_attributes\": {\"code\": \"code\", \"parent\": \"parent\", "
       "\"name\": \"name\"},\n";
  std::string tol;
  AppendNumber(tol, m.overlap_tolerance_m2);
  absl::StrAppend(&j, " \"overlap_tolerance_m2\": ", tol);
  if (!m.rule_precedence.empty()) {
    absl::StrAppend(&j,
                    ",\n \"rule_precedence\": ", JsonQuote(m.rule_precedence));
  }
  j += "}\n";
  ASSIGN_OR_RETURN(OutFile f, OutFile::Open(path));
  f.Write(j);
  return f.Close();
}

absl::Status WriteRegions(const std::string& path, const DerivedHierarchy& h) {
  ASSIGN_OR_RETURN(CsvWriter w, CsvWriter::Open(path));
  w.Write({"code", "name", "level", "parent"});
  for (const DerivedRegion& r : h.regions) {
    w.Write({r.code, r.name, h.levels[r.level], r.parent});
  }
  return w.Close();
}

absl::Status WriteGrids(const std::string& path,
                        const std::vector<const SourceGrid*>& grids) {
  ASSIGN_OR_RETURN(OutFile f, OutFile::Open(path));
  f.Write("{\"type\": \"FeatureCollection\", \"features\": [\n");
  std::string line;
  for (size_t i = 0; i < grids.size(); ++i) {
    const SourceGrid& g = *grids[i];
    line.clear();
    absl::StrAppend(&line, "{\"type\":\"Feature\",\"properties\":{\"code\":",
                    JsonQuote(g.code), ",\"parent\":",
                    JsonQuote(g.level_codes.empty() ? "" : g.level_codes[0]),
                    ",\"name\":", JsonQuote(g.name),
                    "},\"geometry\":{\"type\":\"",
                    g.polygons.size() == 1 ? "Polygon" : "MultiPolygon",
                    "\",\"coordinates\":");
    if (g.polygons.size() == 1) {
      AppendPolygon(line, g.polygons[0]);
    } else {
      line += '[';
      for (size_t p = 0; p < g.polygons.size(); ++p) {
        if (p) line += ',';
        AppendPolygon(line, g.polygons[p]);
      }
      line += ']';
    }
    line += i + 1 < grids.size() ? "}},\n" : "}}\n";
    f.Write(line);
  }
  f.Write("]}\n");
  return f.Close();
}

}  // namespace gridroute::import

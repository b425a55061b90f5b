// Copyright 2026 gridroute authors.
#include "snapshot/pack_checksums.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <utility>

#include <simdjson.h>

#include "absl/strings/str_cat.h"
#include "common/echo.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "common/json_string.h"

namespace gridroute {
namespace {

constexpr char kFolding[] = "folding.csv";

// The limit of a file `checksums` lists, by its key in `files`.
uint64_t LimitOf(const PackManifest& m, const PackLimits& limits, const std::string& file) {
  for (const PackFile& f : PackFiles(m, limits)) {
    if (f.file == file) return f.max_bytes;
  }
  return file == kFolding ? limits.folding_bytes : limits.other_bytes;
}

// The file names a manifest's `files` object holds, in order, and
// folding.csv if the pack has one.
absl::StatusOr<std::vector<std::string>> FilesToSum(const std::string& dir,
                                                   simdjson::dom::object root,
                                                   const std::string& manifest) {
  simdjson::dom::object files;
  if (root["files"].get_object().get(files) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(absl::StrCat(manifest, ": missing object field 'files'"));
  }
  std::vector<std::string> out;
  for (simdjson::dom::key_value_pair kv : files) {
    std::string_view name;
    if (kv.value.get_string().get(name) != simdjson::SUCCESS || name.empty()) continue;
    if (std::find(out.begin(), out.end(), name) == out.end()) out.emplace_back(name);
  }
  struct stat st;
  const std::string folding = dir + "/" + kFolding;
  if (::stat(folding.c_str(), &st) == 0 &&
      std::find(out.begin(), out.end(), kFolding) == out.end()) {
    out.emplace_back(kFolding);
  }
  return out;
}

absl::Status WriteAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot create ", tmp, ": ", std::strerror(errno)));
  }
  bool bad = std::fwrite(text.data(), 1, text.size(), f) != text.size();
  bad = std::fclose(f) != 0 || bad;
  if (bad || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return absl::DataLossError(absl::StrCat("cannot write ", path, " (disk full?)"));
  }
  return absl::OkStatus();
}

std::string Short(const std::string& sha) { return sha.substr(0, 16) + "\xE2\x80\xA6"; }

}  // namespace

absl::Status WritePackChecksums(const std::string& dir, const PackLimits& limits) {
  const std::string manifest = dir + "/manifest.json";
  ASSIGN_OR_RETURN(std::string text, ReadFile(manifest, limits.manifest_bytes));
  simdjson::dom::parser parser;
  simdjson::dom::object root;
  if (auto err = parser.parse(text).get_object().get(root); err != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        absl::StrCat(manifest, ": not a JSON object: ", simdjson::error_message(err)));
  }
  ASSIGN_OR_RETURN(std::vector<std::string> files, FilesToSum(dir, root, manifest));
  // The limits by kind need the parsed manifest; a manifest that does not
  // parse yet (being written) gets the largest one.
  absl::StatusOr<PackManifest> parsed = ParsePackManifest(text, manifest);
  std::string sums;
  for (const std::string& name : files) {
    const uint64_t limit =
        parsed.ok() ? LimitOf(*parsed, limits, name) : limits.grids_bytes;
    ASSIGN_OR_RETURN(RegularFile f, RegularFile::Open(dir + "/" + name, limit));
    ASSIGN_OR_RETURN(std::string sha, Sha256File(f));
    absl::StrAppend(&sums, sums.empty() ? "" : ",\n", "  ", JsonQuote(name), ":{\"bytes\":",
                    f.size(), ",\"sha256\":\"", sha, "\"}");
  }
  std::string out = "{";
  for (simdjson::dom::key_value_pair kv : root) {
    if (kv.key == "checksums") continue;
    absl::StrAppend(&out, out.size() > 1 ? ",\n " : "", JsonQuote(kv.key), ":",
                    simdjson::minify(kv.value));
  }
  absl::StrAppend(&out, out.size() > 1 ? ",\n " : "", "\"checksums\":{\n", sums, "}}\n");
  return WriteAtomically(manifest, out);
}

absl::StatusOr<std::unique_ptr<ChecksumCheck>> ChecksumCheck::Start(const std::string& dir,
                                                                    const PackManifest& m,
                                                                    const PackLimits& limits) {
  std::unique_ptr<ChecksumCheck> c(new ChecksumCheck());
  for (const FileChecksum& want : m.checksums) {
    const std::string path = dir + "/" + want.file;
    ASSIGN_OR_RETURN(RegularFile f, RegularFile::Open(path, LimitOf(m, limits, want.file)));
    if (f.size() != want.bytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": ", f.size(), " bytes, but manifest.json says ", want.bytes,
          f.size() < want.bytes ? ": the file was cut short after the pack was written"
                                : ": the file changed after the pack was written"));
    }
    c->files_.push_back(std::move(f));
    c->expected_.push_back(want);
  }
  c->results_.resize(c->files_.size());
  if (!c->files_.empty()) {
    ChecksumCheck* p = c.get();
    c->worker_ = std::thread([p] {
      for (size_t i = 0; i < p->files_.size(); ++i) {
        absl::StatusOr<std::string> sha = Sha256File(p->files_[i]);
        if (!sha.ok()) {
          p->results_[i] = sha.status();
        } else if (*sha != p->expected_[i].sha256) {
          p->results_[i] = absl::InvalidArgumentError(absl::StrCat(
              p->files_[i].path(), ": SHA-256 ", Short(*sha), ", but manifest.json says ",
              Short(p->expected_[i].sha256), ": the file changed after the pack was written"));
        }
      }
    });
  }
  return c;
}

ChecksumCheck::~ChecksumCheck() {
  if (worker_.joinable()) worker_.join();
}

absl::Status ChecksumCheck::Finish() {
  if (worker_.joinable()) worker_.join();
  for (const absl::Status& s : results_) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace gridroute

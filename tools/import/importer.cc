// Copyright 2026 gridroute authors.
//
// RunImport(): read -> check (normalise orientation and repeated vertices)
// -> derive hierarchy -> write to a temp dir -> LoadPack (the engine's full
// validation) -> tiny overlaps (warn, or snap with --fix) -> gaps between
// grids -> move into place. Each step is one method of Import below.
#include "import/importer.h"

#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "calendars/national_calendars.h"
#include "common/status_macros.h"
#include "common/text_encoding.h"
#include "geo/crs.h"
#include "import/gap_finder.h"
#include "import/geometry_checker.h"
#include "import/hierarchy_deriver.h"
#include "import/overlap_snapper.h"
#include "import/source_reader.h"
#include "snapshot/pack_checksums.h"
#include "snapshot/snapshot.h"
#include "snapshot/validate.h"

namespace gridroute::import {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// `--calendar CN-2026`: a calendar shipped with gridroute (tools/calendars/),
// when no file of that name exists.
std::optional<std::string_view> ShippedCalendar(const RoutingFile& f) {
  if (f.key != "calendar" || fs::exists(f.path)) return std::nullopt;
  return NationalCalendarJson(f.path);
}

absl::Status WriteShippedCalendar(std::string_view json, const fs::path& to) {
  std::FILE* out = std::fopen(to.c_str(), "wb");
  const bool ok = out != nullptr &&
                  std::fwrite(json.data(), 1, json.size(), out) == json.size();
  if ((out != nullptr && std::fclose(out) != 0) || !ok) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot write ", to.string(), ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

std::string DefaultVersion() {
  char buf[32];
  const std::time_t now = std::time(nullptr);
  std::tm tm;
  gmtime_r(&now, &tm);
  std::strftime(buf, sizeof buf, "import-%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

// A directory that is removed on destruction unless released.
class TempDir {
 public:
  static absl::StatusOr<TempDir> Create(const fs::path& out) {
    fs::path parent = out.parent_path();
    if (parent.empty()) parent = ".";
    std::error_code ec;
    fs::create_directories(parent, ec);
    std::string tmpl =
        (parent / absl::StrCat(".", out.filename().string(), ".import-XXXXXX"));
    if (mkdtemp(tmpl.data()) == nullptr) {
      return absl::PermissionDeniedError(
          absl::StrCat("cannot create a temporary directory beside ",
                       out.string(), " (", tmpl, "): ", std::strerror(errno)));
    }
    TempDir t;
    t.path_ = tmpl;
    return t;
  }
  TempDir() = default;
  TempDir(TempDir&& o) noexcept : path_(std::exchange(o.path_, "")) {}
  TempDir& operator=(TempDir&& o) noexcept {
    if (this != &o) {
      Remove();
      path_ = std::exchange(o.path_, "");
    }
    return *this;
  }
  ~TempDir() { Remove(); }
  const std::string& path() const { return path_; }
  void Release() { path_.clear(); }

 private:
  void Remove() {
    if (!path_.empty()) {
      std::error_code ec;
      fs::remove_all(path_, ec);
    }
  }
  std::string path_;
};

// --out may be missing, an empty directory or an existing pack.
absl::Status CheckOut(const fs::path& out) {
  std::error_code ec;
  if (!fs::exists(out, ec)) return absl::OkStatus();
  if (!fs::is_directory(out, ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--out ", out.string(), " exists and is not a directory"));
  }
  if (fs::is_empty(out, ec) || fs::exists(out / "manifest.json", ec))
    return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("--out ", out.string(),
                   " is a non-empty directory without manifest.json; refusing "
                   "to replace it"));
}

// Moves the validated pack into place; an existing pack is replaced.
absl::Status MoveIntoPlace(TempDir& tmp, const fs::path& out) {
  std::error_code ec;
  fs::path old;
  if (fs::exists(out, ec)) {
    old = tmp.path() + ".old";
    fs::rename(out, old, ec);
    if (ec) {
      return absl::PermissionDeniedError(absl::StrCat(
          "cannot move the old ", out.string(), " aside: ", ec.message()));
    }
  }
  fs::rename(tmp.path(), out, ec);
  if (ec) {
    if (!old.empty()) fs::rename(old, out, ec);
    return absl::PermissionDeniedError(absl::StrCat(
        "cannot move the new pack to ", out.string(), ": ", ec.message()));
  }
  tmp.Release();
  if (!old.empty()) fs::remove_all(old, ec);
  return absl::OkStatus();
}

// Strips "<prefix><digits><suffix>" occurrences from `line`.
std::string StripNumbered(const std::string& line, const std::string& prefix,
                          const std::string& suffix) {
  std::string out;
  size_t pos = 0;
  for (size_t at; (at = line.find(prefix, pos)) != std::string::npos;) {
    size_t end = at + prefix.size();
    while (end < line.size() && absl::ascii_isdigit(line[end])) ++end;
    if (end > at + prefix.size() &&
        line.compare(end, suffix.size(), suffix) == 0) {
      out.append(line, pos, at - pos);
      pos = end + suffix.size();
    } else {
      out.append(line, pos, end - pos);
      pos = end;
    }
  }
  out.append(line, pos, std::string::npos);
  return out;
}

// The loader's message (an error or a warning), one problem per line,
// rewritten for the user: the temporary pack is not theirs, so
// "grids.geojson:<line>:" and "(line n)" go, "feature #i" (the pack's
// feature index) becomes the source FID, and a routing file copied into the
// pack is named by its source path.
void TranslateLoadErrors(
    absl::string_view message, const std::string& tmp,
    const std::vector<const SourceGrid*>& written,
    const std::vector<std::pair<std::string, std::string>>& copied,
    std::vector<std::string>* errors) {
  std::vector<absl::string_view> lines = absl::StrSplit(message, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    // The first line is "pack <tmp>: N error(s)" when there is a list.
    if (i == 0 && lines.size() > 1 && absl::StartsWith(lines[0], "pack ")) {
      continue;
    }
    std::string line =
        absl::StrReplaceAll(lines[i], {{tmp + "/", ""}, {tmp, "the pack"}});
    if (absl::StartsWith(line, "grids.geojson:")) {
      line = StripNumbered(line, "grids.geojson:", ": ");
    }
    line = StripNumbered(line, " (line ", ")");
    for (const auto& [name, source] : copied) {
      if (absl::StartsWith(line, name + ":")) {
        line = absl::StrCat(source, line.substr(name.size()));
      }
    }
    std::string out;
    size_t pos = 0;
    for (size_t at; (at = line.find("feature #", pos)) != std::string::npos;) {
      size_t end = at + 9;
      while (end < line.size() && absl::ascii_isdigit(line[end])) ++end;
      size_t index = 0;
      out.append(line, pos, at - pos);
      if (absl::SimpleAtoi(absl::string_view(line).substr(at + 9, end - at - 9),
                           &index) &&
          index < written.size()) {
        absl::StrAppend(&out, "FID ", written[index]->fid);
      } else {
        out.append(line, at, end - at);
      }
      pos = end;
    }
    out.append(line, pos, std::string::npos);
    if (!out.empty()) errors->push_back(std::move(out));
  }
}

struct CheckOutcome {
  GeometryCheck check;
  bool ran = false;
};

// One run of the import, in named steps (LevelDB's DBImpl::Recover style):
// each step reads what the earlier ones left in the members and adds to the
// report. Problems in the data go to report_.errors; a returned error status
// means the flags or the environment are unusable.
class Import {
 public:
  explicit Import(const ImportOptions& o) : o_(o), t0_(Clock::now()) {}

  absl::StatusOr<ImportReport> Run() {
    RETURN_IF_ERROR(CheckFlags());
    RETURN_IF_ERROR(ReadGrids());
    RETURN_IF_ERROR(ResolveCrs());
    const Clock::time_point t1 = Clock::now();
    CheckGeometry();
    ExcludeDuplicateCodes();
    DeriveRegions();
    r_.check_seconds = Since(t1);
    const Clock::time_point t2 = Clock::now();
    RETURN_IF_ERROR(WritePack());
    r_.write_seconds = Since(t2);
    const Clock::time_point t3 = Clock::now();
    RETURN_IF_ERROR(Validate());
    RETURN_IF_ERROR(HandleTinyOverlaps());
    r_.validate_seconds = Since(t3);
    const Clock::time_point t4 = Clock::now();
    FindCoverageGaps();
    r_.gaps_seconds = Since(t4);
    if (!r_.errors.empty() || snapshot_ == nullptr) {
      r_.total_seconds = Since(t0_);
      return std::move(r_);  // `tmp_` is removed; nothing at --out changed
    }
    RETURN_IF_ERROR(Finish());
    return std::move(r_);
  }

 private:
  absl::Status CheckFlags();
  absl::Status ReadGrids();
  absl::Status ResolveCrs();
  void CheckGeometry();
  void ExcludeDuplicateCodes();
  void DeriveRegions();
  absl::Status WritePack();
  absl::Status CheckTemplateCrs() const;
  absl::Status CopyRoutingFiles(ManifestFields* mf);
  absl::Status Validate();
  absl::Status HandleTinyOverlaps();
  void FindCoverageGaps();
  absl::Status Finish();
  // Loads the temporary pack into snapshot_, or adds the loader's messages
  // to the errors.
  void LoadTemporaryPack();

  const ImportOptions& o_;
  const Clock::time_point t0_;
  ImportReport r_;
  fs::path out_;                      // --out, absolute
  TemplateFiles tmpl_;                // --template's files
  std::vector<RoutingFile> routing_;  // the template's, overridden by flags
  std::optional<Crs> forced_crs_;     // --crs
  SourceData data_;                   // what ReadSource read
  Crs crs_;                           // the pack's CRS
  CheckOptions check_options_;
  std::vector<bool> excluded_;  // kept out: duplicates, contradictions
  DerivedHierarchy hierarchy_;
  std::vector<const SourceGrid*> good_;  // written, in code order
  TempDir tmp_;
  std::vector<std::pair<std::string, std::string>> copied_;  // name, source
  LoadOptions load_options_;
  std::shared_ptr<const Snapshot> snapshot_;
};

absl::Status Import::CheckFlags() {
  if (o_.grids.empty())
    return absl::InvalidArgumentError("--grids FILE is required");
  if (o_.code_attr.empty())
    return absl::InvalidArgumentError("--code-attr ATTR is required");
  if (o_.levels.empty()) {
    return absl::InvalidArgumentError(
        "--levels is required, e.g. "
        "community=SQDM:SQMC,street=JDDM:JDMC,district=QDM");
  }
  if (o_.name.empty())
    return absl::InvalidArgumentError("--name NAME is required");
  if (o_.out.empty())
    return absl::InvalidArgumentError("--out DIR is required");
  if (!(o_.overlap_tolerance_m2 >= 0)) {
    return absl::InvalidArgumentError("--overlap-tolerance-m2 must be >= 0");
  }
  if (!(o_.gap_area_m2 >= 0) || !(o_.gap_width_m >= 0)) {
    return absl::InvalidArgumentError(
        "--gap-area-m2 and --gap-width-m must be >= 0");
  }
  out_ = fs::absolute(fs::path(o_.out)).lexically_normal();
  RETURN_IF_ERROR(CheckOut(out_));
  if (!o_.template_dir.empty()) {
    ASSIGN_OR_RETURN(tmpl_, ReadTemplate(o_.template_dir));
  }
  routing_ = tmpl_.files;
  if (absl::Status st = CheckEncoding(o_.routing_encoding); !st.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--routing-encoding: ", st.message()));
  }
  for (RoutingFile f : o_.routing_files) {
    f.encoding = o_.routing_encoding;
    if (!fs::is_regular_file(f.path) && !ShippedCalendar(f)) {
      return absl::NotFoundError(
          absl::StrCat("--", f.key, " ", f.path, ": no such file"));
    }
    auto it =
        std::find_if(routing_.begin(), routing_.end(),
                     [&](const RoutingFile& r) { return r.key == f.key; });
    if (it != routing_.end()) {
      *it = f;
    } else {
      routing_.push_back(f);
    }
  }
  if (!o_.crs.empty()) {
    absl::StatusOr<Crs> c = ParseCrs(o_.crs);
    if (!c.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--crs: ", c.status().message()));
    }
    forced_crs_ = *c;
  }
  return absl::OkStatus();
}

// 1. Read the layer: every feature, its attributes and polygons.
absl::Status Import::ReadGrids() {
  SourceOptions so;
  so.path = o_.grids;
  so.layer = o_.layer;
  so.encoding = o_.encoding;
  so.code_attr = o_.code_attr;
  so.name_attr = o_.name_attr;
  so.levels = o_.levels;
  if (o_.on_progress) {
    so.on_progress = [this](int64_t done, int64_t total) {
      o_.on_progress("read", done, total);
    };
  }
  ASSIGN_OR_RETURN(data_, ReadSource(so));
  r_.source = absl::StrCat(o_.grids, " (", data_.info.driver, ", layer ",
                           data_.info.layer, ")");
  r_.encoding = data_.info.encoding;
  r_.crs_in = data_.info.srs;
  r_.features = data_.info.features;
  r_.errors = std::move(data_.errors);
  r_.warnings = std::move(data_.warnings);
  r_.read_seconds = Since(t0_);
  return absl::OkStatus();
}

// 2. The pack's CRS: --crs, else the layer's own.
absl::Status Import::ResolveCrs() {
  const SourceInfo& info = data_.info;
  if (forced_crs_) {
    crs_ = *forced_crs_;
    r_.crs_how =
        info.crs.empty() || info.crs == forced_crs_->ToString()
            ? "--crs"
            : absl::StrCat("--crs (overrides the layer's ", info.crs, ")");
  } else if (!info.crs.empty()) {
    absl::StatusOr<Crs> c = ParseCrs(info.crs);
    if (!c.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the layer's CRS ", info.crs,
          " is not usable: ", c.status().message(), "; pass --crs"));
    }
    crs_ = *c;
    r_.crs_how = "from the layer";
  } else {
    return absl::InvalidArgumentError(info.crs_error);
  }
  r_.crs_out = crs_.ToString();
  return absl::OkStatus();
}

// 3. Geometry checks and normalisation, on `threads` threads.
void Import::CheckGeometry() {
  std::vector<SourceGrid>& grids = data_.grids;
  check_options_.geographic = crs_.geographic();
  check_options_.crs = crs_;
  check_options_.min_area_m2 = o_.min_area_m2;
  check_options_.min_width_m = o_.min_width_m;
  check_options_.strict = o_.strict;
  std::vector<CheckOutcome> outcomes(grids.size());
  const int threads = std::max(1, std::min<int>(o_.threads, 16));
  std::vector<std::thread> pool;
  std::atomic<int64_t> done{0};
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      GeometryChecker checker(check_options_);
      const size_t n = grids.size();
      for (size_t i = n * t / threads; i < n * (t + 1) / threads; ++i) {
        if (!grids[i].geometry_ok) continue;
        outcomes[i].check = checker.Check(&grids[i].polygons);
        outcomes[i].ran = true;
        const int64_t d = ++done;
        if (t == 0 && o_.on_progress && d % 4096 == 0) {
          o_.on_progress("check", d, static_cast<int64_t>(n));
        }
      }
    });
  }
  for (std::thread& th : pool) th.join();
  if (o_.on_progress) {
    o_.on_progress("check", static_cast<int64_t>(grids.size()), grids.size());
  }
  for (size_t i = 0; i < grids.size(); ++i) {
    if (!outcomes[i].ran) continue;
    const GeometryCheck& c = outcomes[i].check;
    const std::string label = FeatureLabel(grids[i]);
    for (const std::string& p : c.problems) {
      r_.errors.push_back(absl::StrCat(label, ": ", p));
    }
    for (const std::string& w : c.warnings) {
      r_.warnings.push_back(absl::StrCat(label, ": ", w));
    }
    r_.reversed_rings += c.reversed_rings;
    r_.removed_vertices += c.removed_vertices;
    r_.slivers += c.slivers;
    grids[i].geometry_ok = c.problems.empty();
  }
}

// 4. Duplicate codes: the first feature with a code keeps it.
void Import::ExcludeDuplicateCodes() {
  const std::vector<SourceGrid>& grids = data_.grids;
  excluded_.assign(grids.size(), false);
  absl::flat_hash_map<std::string, size_t> first;
  for (size_t i = 0; i < grids.size(); ++i) {
    if (grids[i].code.empty()) continue;
    auto [it, inserted] = first.emplace(grids[i].code, i);
    if (!inserted) {
      excluded_[i] = true;
      r_.errors.push_back(absl::StrCat(FeatureLabel(grids[i]),
                                       ": duplicate grid code (also FID ",
                                       grids[it->second].fid, ")"));
    }
  }
}

// 5. The region hierarchy from the grids' attributes.
void Import::DeriveRegions() {
  hierarchy_ = DeriveHierarchy(data_.grids, o_.levels);
  for (std::string& e : hierarchy_.errors) r_.errors.push_back(std::move(e));
  for (int64_t i : hierarchy_.contradicting) excluded_[i] = true;
  r_.levels = hierarchy_.levels;
  r_.level_counts = hierarchy_.counts;
}

// 6. Write what is usable to a temp dir beside --out for the engine to
// validate: even with errors above, its overlap check over the good grids is
// worth reporting in the same run. Routing files only without errors.
absl::Status Import::WritePack() {
  const std::vector<SourceGrid>& grids = data_.grids;
  for (size_t i = 0; i < grids.size(); ++i) {
    if (grids[i].attributes_ok && grids[i].geometry_ok && !excluded_[i])
      good_.push_back(&grids[i]);
  }
  std::sort(good_.begin(), good_.end(),
            [](const SourceGrid* a, const SourceGrid* b) {
              return a->code < b->code;
            });
  if (good_.empty() && r_.errors.empty())
    r_.errors.push_back("the layer has no features");
  ASSIGN_OR_RETURN(tmp_, TempDir::Create(out_));
  ManifestFields mf;
  mf.name = o_.name;
  mf.version = o_.version.empty() ? DefaultVersion() : o_.version;
  mf.crs = r_.crs_out;
  mf.levels = hierarchy_.levels;
  mf.overlap_tolerance_m2 = o_.overlap_tolerance_m2;
  if (r_.errors.empty()) {
    RETURN_IF_ERROR(CheckTemplateCrs());
    RETURN_IF_ERROR(CopyRoutingFiles(&mf));
    mf.rule_precedence = tmpl_.rule_precedence;
  }
  RETURN_IF_ERROR(WriteManifest(tmp_.path() + "/manifest.json", mf));
  RETURN_IF_ERROR(WriteRegions(tmp_.path() + "/regions.csv", hierarchy_));
  RETURN_IF_ERROR(WriteGrids(tmp_.path() + "/grids.geojson", good_));
  return WritePackChecksums(tmp_.path());
}

// Components and layers carry coordinates in the template's CRS.
absl::Status Import::CheckTemplateCrs() const {
  if (routing_.empty() || tmpl_.crs.empty()) return absl::OkStatus();
  absl::StatusOr<Crs> tc = ParseCrs(tmpl_.crs);
  auto wgs_like = [](const Crs& c) {
    return c.kind == CrsKind::kWgs84 || c.kind == CrsKind::kCgcs2000;
  };
  const bool same =
      tc.ok() && (*tc == crs_ || (wgs_like(*tc) && wgs_like(crs_)));
  if (same) return absl::OkStatus();
  for (const RoutingFile& f : tmpl_.files) {
    const bool from_template =
        std::any_of(routing_.begin(), routing_.end(),
                    [&](const RoutingFile& x) { return x.path == f.path; });
    if (from_template && (f.key == "components" || f.key == "layers")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--template ", o_.template_dir, ": its ", f.key, " are in CRS ",
          tmpl_.crs, ", the imported grids in ", r_.crs_out, "; give --", f.key,
          " in ", r_.crs_out, " or a template in that CRS"));
    }
  }
  return absl::OkStatus();
}

absl::Status Import::CopyRoutingFiles(ManifestFields* mf) {
  for (const RoutingFile& f : routing_) {
    const std::optional<std::string_view> shipped = ShippedCalendar(f);
    const std::string name =
        f.key + (shipped ? std::string(".json")
                         : fs::path(f.path).extension().string());
    if (shipped) {
      RETURN_IF_ERROR(
          WriteShippedCalendar(*shipped, fs::path(tmp_.path()) / name));
    } else if (absl::Status st =
                   CopyRoutingFile(f, (fs::path(tmp_.path()) / name).string());
               !st.ok()) {
      if (!absl::IsInvalidArgument(st)) return st;
      r_.errors.push_back(std::string(st.message()));  // bytes invalid in the encoding
      continue;
    }
    mf->routing_files.emplace_back(f.key, name);
    copied_.emplace_back(name, f.path);
  }
  return absl::OkStatus();
}

void Import::LoadTemporaryPack() {
  absl::StatusOr<std::shared_ptr<const Snapshot>> s =
      LoadPack(tmp_.path(), load_options_);
  if (!s.ok()) {
    TranslateLoadErrors(s.status().message(), tmp_.path(), good_, copied_,
                        &r_.errors);
  } else {
    snapshot_ = std::move(*s);
  }
}

// 7. The engine's own validation of the written pack.
absl::Status Import::Validate() {
  if (o_.on_progress) o_.on_progress("validate", 0, 1);
  load_options_.max_errors = 1000;
  load_options_.threads = std::max(1, o_.threads);
  // The packed R-tree builds in a fraction of the cell index's time and
  // validates nothing less: the loader's checks run before either index.
  load_options_.locator = LocatorKind::kRtree;
  if (!good_.empty()) LoadTemporaryPack();
  return absl::OkStatus();
}

// 8. Overlaps below the tolerance: the engine accepts them; a warning, an
// error with --strict, snapped to the neighbour's edge with --fix.
// Also runs when other problems stopped the import, so that --strict lists
// these in the same run; --fix snaps only an import that would succeed.
absl::Status Import::HandleTinyOverlaps() {
  if (snapshot_ == nullptr) return absl::OkStatus();
  OverlapReport tiny =
      FindOverlaps(snapshot_->geometry(), snapshot_->quantizer(), 0.0,
                   load_options_.threads);
  r_.tiny_overlaps = static_cast<int64_t>(tiny.overlaps.size());
  if (tiny.overlaps.empty() || (o_.fix && !r_.errors.empty())) {
    return absl::OkStatus();
  }
  if (!o_.fix) {
    double largest = 0;
    for (const Overlap& ov : tiny.overlaps) {
      largest = std::max(largest, ov.area_m2);
      // Grid ids are code ranks, and `good_` is in code order.
      if (o_.strict) {
        r_.errors.push_back(absl::StrCat(
            FeatureLabel(*good_[ov.a]), " overlaps ",
            FeatureLabel(*good_[ov.b]), " by ", RoundedText(ov.area_m2),
            " m², below the tolerance (", o_.overlap_tolerance_m2,
            " m²); refused by --strict, --fix snaps it to the neighbour's "
            "edge"));
      }
    }
    if (!o_.strict) {
      r_.warnings.push_back(absl::StrCat(
          tiny.overlaps.size(),
          " pair(s) of grids overlap by less than the tolerance (largest ",
          largest,
          " m²); the engine accepts them (the smaller code answers there); "
          "--fix snaps them to the neighbour's edge"));
    }
    return absl::OkStatus();
  }
  std::vector<OverlapPair> pairs;
  for (const Overlap& ov : tiny.overlaps) {
    pairs.push_back(
        {good_[ov.a], const_cast<SourceGrid*>(good_[ov.b]), ov.area_m2});
  }
  GeometryChecker checker(check_options_);
  SnapOverlaps(std::move(pairs), snapshot_->quantizer().scale(), checker,
               &r_.fixes, &r_.errors, &r_.warnings);
  if (!r_.errors.empty()) return absl::OkStatus();
  snapshot_.reset();
  RETURN_IF_ERROR(WriteGrids(tmp_.path() + "/grids.geojson", good_));
  RETURN_IF_ERROR(WritePackChecksums(tmp_.path()));
  LoadTemporaryPack();
  return absl::OkStatus();
}

// 9. Gaps between grids (holes of the coverage), once every feature is in:
// a refused feature would leave a hole that is no gap.
void Import::FindCoverageGaps() {
  if (snapshot_ == nullptr || !r_.errors.empty() ||
      (o_.gap_area_m2 <= 0 && o_.gap_width_m <= 0)) {
    return;
  }
  if (o_.on_progress) o_.on_progress("gaps", 0, 1);
  GapOptions go;
  go.geographic = crs_.geographic();
  go.grid_size = 1.0 / snapshot_->quantizer().scale();
  go.max_area_m2 = o_.gap_area_m2;
  go.max_width_m = o_.gap_width_m;
  go.threads = std::max(1, std::min(o_.threads, 16));
  GapReport gaps = FindGaps(good_, go);
  if (!gaps.error.empty()) {
    r_.warnings.push_back(
        absl::StrCat("the gap check could not run (GEOS: ", gaps.error, ")"));
    return;
  }
  r_.gaps_checked = true;
  r_.gaps = static_cast<int64_t>(gaps.gaps.size());
  r_.gap_noise = gaps.noise;
  r_.uncovered_areas = gaps.uncovered;
  r_.uncovered_area_m2 = gaps.uncovered_area_m2;
  r_.largest_uncovered_m2 = gaps.largest_uncovered_m2;
  for (const Gap& g : gaps.gaps) {
    std::string msg =
        absl::StrCat("gap between grids: ", RoundedText(g.area_m2),
                     " m², mean width ", RoundedText(g.width_m), " m, at (",
                     CoordText(g.at.x), ", ", CoordText(g.at.y), ")");
    for (size_t i = 0; i < g.neighbours.size(); ++i) {
      absl::StrAppend(&msg, i == 0 ? ", beside " : ", ",
                      FeatureLabel(*good_[g.neighbours[i]]));
    }
    if (g.more_neighbours > 0) {
      absl::StrAppend(&msg, " and ", g.more_neighbours, " more");
    }
    absl::StrAppend(&msg, " (limits --gap-area-m2 ", o_.gap_area_m2,
                    ", --gap-width-m ", o_.gap_width_m, ")");
    (o_.strict ? r_.errors : r_.warnings).push_back(std::move(msg));
  }
}

// 10. Summary, then the pack moves into place.
absl::Status Import::Finish() {
  for (const std::string& w : snapshot_->warnings()) {
    TranslateLoadErrors(w, tmp_.path(), good_, copied_, &r_.warnings);
  }
  r_.grids = snapshot_->num_grids();
  for (uint32_t g = 0; g < snapshot_->num_grids(); ++g) {
    r_.total_area_m2 +=
        GridAreaM2(snapshot_->geometry(), snapshot_->quantizer(), g);
  }
  r_.mean_area_m2 = r_.grids > 0 ? r_.total_area_m2 / r_.grids : 0;
  snapshot_.reset();
  RETURN_IF_ERROR(MoveIntoPlace(tmp_, out_));
  r_.written = true;
  r_.total_seconds = Since(t0_);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ImportReport> RunImport(const ImportOptions& options) {
  return Import(options).Run();
}

}  // namespace gridroute::import

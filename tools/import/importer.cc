// Copyright 2026 gridroute authors.
//
// RunImport(): read -> check (+fix) -> derive hierarchy -> write to a temp
// dir -> LoadPack (the engine's full validation) -> snap tiny overlaps
// (--fix) -> move into place.
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
  ~TempDir() {
    if (!path_.empty()) {
      std::error_code ec;
      fs::remove_all(path_, ec);
    }
  }
  const std::string& path() const { return path_; }
  void Release() { path_.clear(); }

 private:
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

// The loader's message, one problem per line, rewritten for the user: the
// temporary pack is not theirs, so "grids.geojson:<line>:" and "(line n)"
// go, "feature #i" (the pack's feature index) becomes the source FID, and a
// routing file copied into the pack is named by its source path.
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

}  // namespace

absl::StatusOr<ImportReport> RunImport(const ImportOptions& o) {
  const Clock::time_point t0 = Clock::now();
  if (o.grids.empty())
    return absl::InvalidArgumentError("--grids FILE is required");
  if (o.code_attr.empty())
    return absl::InvalidArgumentError("--code-attr ATTR is required");
  if (o.levels.empty()) {
    return absl::InvalidArgumentError(
        "--levels is required, e.g. "
        "community=SQDM:SQMC,street=JDDM:JDMC,district=QDM");
  }
  if (o.name.empty())
    return absl::InvalidArgumentError("--name NAME is required");
  if (o.out.empty()) return absl::InvalidArgumentError("--out DIR is required");
  if (!(o.overlap_tolerance_m2 >= 0)) {
    return absl::InvalidArgumentError("--overlap-tolerance-m2 must be >= 0");
  }
  const fs::path out = fs::absolute(fs::path(o.out)).lexically_normal();
  RETURN_IF_ERROR(CheckOut(out));
  TemplateFiles tmpl;
  if (!o.template_dir.empty()) {
    ASSIGN_OR_RETURN(tmpl, ReadTemplate(o.template_dir));
  }
  std::vector<RoutingFile> routing = tmpl.files;
  if (absl::Status st = CheckEncoding(o.routing_encoding); !st.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--routing-encoding: ", st.message()));
  }
  for (RoutingFile f : o.routing_files) {
    f.encoding = o.routing_encoding;
    if (!fs::is_regular_file(f.path) && !ShippedCalendar(f)) {
      return absl::NotFoundError(
          absl::StrCat("--", f.key, " ", f.path, ": no such file"));
    }
    auto it =
        std::find_if(routing.begin(), routing.end(),
                     [&](const RoutingFile& r) { return r.key == f.key; });
    if (it != routing.end()) {
      *it = f;
    } else {
      routing.push_back(f);
    }
  }
  std::optional<Crs> forced;
  if (!o.crs.empty()) {
    absl::StatusOr<Crs> c = ParseCrs(o.crs);
    if (!c.ok())
      return absl::InvalidArgumentError(
          absl::StrCat("--crs: ", c.status().message()));
    forced = *c;
  }

  // 1. Read.
  SourceOptions so;
  so.path = o.grids;
  so.layer = o.layer;
  so.encoding = o.encoding;
  so.code_attr = o.code_attr;
  so.name_attr = o.name_attr;
  so.levels = o.levels;
  if (o.on_progress) {
    so.on_progress = [&](int64_t done, int64_t total) {
      o.on_progress("read", done, total);
    };
  }
  ASSIGN_OR_RETURN(SourceData data, ReadSource(so));
  ImportReport r;
  r.source = absl::StrCat(o.grids, " (", data.info.driver, ", layer ",
                          data.info.layer, ")");
  r.encoding = data.info.encoding;
  r.crs_in = data.info.srs;
  r.features = data.info.features;
  r.errors = std::move(data.errors);
  r.warnings = std::move(data.warnings);
  r.read_seconds = Since(t0);

  // 2. The CRS.
  Crs crs;
  if (forced) {
    crs = *forced;
    r.crs_how =
        data.info.crs.empty() || data.info.crs == forced->ToString()
            ? "--crs"
            : absl::StrCat("--crs (overrides the layer's ", data.info.crs, ")");
  } else if (!data.info.crs.empty()) {
    absl::StatusOr<Crs> c = ParseCrs(data.info.crs);
    if (!c.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the layer's CRS ", data.info.crs,
          " is not usable: ", c.status().message(), "; pass --crs"));
    }
    crs = *c;
    r.crs_how = "from the layer";
  } else {
    return absl::InvalidArgumentError(data.info.crs_error);
  }
  r.crs_out = crs.ToString();

  // 3. Geometry checks (and --fix), on `threads` threads.
  const Clock::time_point t1 = Clock::now();
  std::vector<SourceGrid>& grids = data.grids;
  CheckOptions co;
  co.geographic = crs.geographic();
  co.crs = crs;
  co.fix = o.fix;
  co.min_area_m2 = o.min_area_m2;
  co.min_width_m = o.min_width_m;
  std::vector<CheckOutcome> outcomes(grids.size());
  {
    const int threads = std::max(1, std::min<int>(o.threads, 16));
    std::vector<std::thread> pool;
    std::atomic<int64_t> done{0};
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        GeometryChecker checker(co);
        const size_t n = grids.size();
        for (size_t i = n * t / threads; i < n * (t + 1) / threads; ++i) {
          if (!grids[i].geometry_ok) continue;
          outcomes[i].check =
              checker.Check(&grids[i].polygons, data.info.outer_clockwise);
          outcomes[i].ran = true;
          const int64_t d = ++done;
          if (t == 0 && o.on_progress && d % 4096 == 0) {
            o.on_progress("check", d, static_cast<int64_t>(n));
          }
        }
      });
    }
    for (std::thread& th : pool) th.join();
    if (o.on_progress)
      o.on_progress("check", static_cast<int64_t>(grids.size()), grids.size());
  }
  for (size_t i = 0; i < grids.size(); ++i) {
    if (!outcomes[i].ran) continue;
    const std::string label = FeatureLabel(grids[i]);
    for (const std::string& p : outcomes[i].check.problems) {
      r.errors.push_back(absl::StrCat(label, ": ", p));
    }
    for (const std::string& f : outcomes[i].check.fixes) {
      r.fixes.push_back(absl::StrCat(label, ": ", f));
    }
    grids[i].geometry_ok = outcomes[i].check.problems.empty();
  }
  outcomes.clear();

  // 4. Duplicate codes (the first feature with a code keeps it).
  // Features kept out of the validation pack: duplicates, contradictions.
  std::vector<bool> excluded(grids.size(), false);
  {
    absl::flat_hash_map<std::string, size_t> first;
    for (size_t i = 0; i < grids.size(); ++i) {
      if (grids[i].code.empty()) continue;
      auto [it, inserted] = first.emplace(grids[i].code, i);
      if (!inserted) {
        excluded[i] = true;
        r.errors.push_back(absl::StrCat(FeatureLabel(grids[i]),
                                        ": duplicate grid code (also FID ",
                                        grids[it->second].fid, ")"));
      }
    }
  }

  // 5. Hierarchy.
  DerivedHierarchy h = DeriveHierarchy(grids, o.levels);
  for (std::string& e : h.errors) r.errors.push_back(std::move(e));
  for (int64_t i : h.contradicting) excluded[i] = true;
  r.levels = h.levels;
  r.level_counts = h.counts;
  r.check_seconds = Since(t1);

  // 6. Write what is usable to a temp dir beside --out and let the engine
  // validate it: even with errors above, its overlap check over the good
  // grids is worth reporting in the same run.
  const Clock::time_point t2 = Clock::now();
  std::vector<const SourceGrid*> good;
  for (size_t i = 0; i < grids.size(); ++i) {
    if (grids[i].attributes_ok && grids[i].geometry_ok && !excluded[i])
      good.push_back(&grids[i]);
  }
  std::sort(good.begin(), good.end(),
            [](const SourceGrid* a, const SourceGrid* b) {
              return a->code < b->code;
            });
  if (good.empty() && r.errors.empty())
    r.errors.push_back("the layer has no features");
  ASSIGN_OR_RETURN(TempDir tmp, TempDir::Create(out));
  const bool with_routing = r.errors.empty();
  std::vector<std::pair<std::string, std::string>> copied;  // name, source
  ManifestFields mf;
  mf.name = o.name;
  mf.version = o.version.empty() ? DefaultVersion() : o.version;
  mf.crs = r.crs_out;
  mf.levels = h.levels;
  mf.overlap_tolerance_m2 = o.overlap_tolerance_m2;
  if (with_routing) {
    if (!routing.empty() && !tmpl.crs.empty()) {
      // Components and layers carry coordinates in the template's CRS.
      absl::StatusOr<Crs> tc = ParseCrs(tmpl.crs);
      auto wgs_like = [](const Crs& c) {
        return c.kind == CrsKind::kWgs84 || c.kind == CrsKind::kCgcs2000;
      };
      const bool same =
          tc.ok() && (*tc == crs || (wgs_like(*tc) && wgs_like(crs)));
      for (const RoutingFile& f : tmpl.files) {
        const bool from_template =
            std::any_of(routing.begin(), routing.end(),
                        [&](const RoutingFile& x) { return x.path == f.path; });
        if (!same && from_template &&
            (f.key == "components" || f.key == "layers")) {
          return absl::InvalidArgumentError(absl::StrCat(
              "--template ", o.template_dir, ": its ", f.key, " are in CRS ",
              tmpl.crs, ", the imported grids in ", r.crs_out, "; give --",
              f.key, " in ", r.crs_out, " or a template in that CRS"));
        }
      }
    }
    for (const RoutingFile& f : routing) {
      const std::optional<std::string_view> shipped = ShippedCalendar(f);
      const std::string name =
          f.key + (shipped ? std::string(".json")
                           : fs::path(f.path).extension().string());
      if (shipped) {
        RETURN_IF_ERROR(WriteShippedCalendar(*shipped, fs::path(tmp.path()) / name));
      } else if (absl::Status st =
                     CopyRoutingFile(f, (fs::path(tmp.path()) / name).string());
                 !st.ok()) {
        if (!absl::IsInvalidArgument(st)) return st;
        r.errors.push_back(std::string(st.message()));  // bytes invalid in the encoding
        continue;
      }
      mf.routing_files.emplace_back(f.key, name);
      copied.emplace_back(name, f.path);
    }
    mf.rule_precedence = tmpl.rule_precedence;
  }
  RETURN_IF_ERROR(WriteManifest(tmp.path() + "/manifest.json", mf));
  RETURN_IF_ERROR(WriteRegions(tmp.path() + "/regions.csv", h));
  RETURN_IF_ERROR(WriteGrids(tmp.path() + "/grids.geojson", good));
  RETURN_IF_ERROR(WritePackChecksums(tmp.path()));
  r.write_seconds = Since(t2);

  // 7. The engine's validation.
  const Clock::time_point t3 = Clock::now();
  if (o.on_progress) o.on_progress("validate", 0, 1);
  LoadOptions lo;
  lo.max_errors = 1000;
  lo.threads = std::max(1, o.threads);
  // The packed R-tree builds in a fraction of the cell index's time and
  // validates nothing less: the loader's checks run before either index.
  lo.locator = LocatorKind::kRtree;
  std::shared_ptr<const Snapshot> snapshot;
  if (!good.empty()) {
    absl::StatusOr<std::shared_ptr<const Snapshot>> s =
        LoadPack(tmp.path(), lo);
    if (!s.ok()) {
      TranslateLoadErrors(s.status().message(), tmp.path(), good, copied,
                          &r.errors);
    } else {
      snapshot = std::move(*s);
    }
  }

  // 8. Overlaps below the tolerance: reported, snapped with --fix.
  if (snapshot != nullptr && r.errors.empty()) {
    OverlapReport tiny = FindOverlaps(snapshot->geometry(),
                                      snapshot->quantizer(), 0.0, lo.threads);
    r.tiny_overlaps = static_cast<int64_t>(tiny.overlaps.size());
    if (!tiny.overlaps.empty() && !o.fix) {
      double largest = 0;
      for (const Overlap& ov : tiny.overlaps)
        largest = std::max(largest, ov.area_m2);
      r.warnings.push_back(absl::StrCat(
          tiny.overlaps.size(),
          " pair(s) of grids overlap by less than the tolerance (largest ",
          largest,
          " m²); the engine accepts them (the smaller code answers there); "
          "--fix snaps them to the neighbour's edge"));
    } else if (!tiny.overlaps.empty()) {
      // Grid ids are code ranks, and `good` is in code order.
      std::vector<OverlapPair> pairs;
      for (const Overlap& ov : tiny.overlaps) {
        pairs.push_back(
            {good[ov.a], const_cast<SourceGrid*>(good[ov.b]), ov.area_m2});
      }
      GeometryChecker checker(co);
      SnapOverlaps(std::move(pairs), snapshot->quantizer().scale(), checker,
                   &r.fixes, &r.errors);
      if (r.errors.empty()) {
        snapshot.reset();
        RETURN_IF_ERROR(WriteGrids(tmp.path() + "/grids.geojson", good));
        RETURN_IF_ERROR(WritePackChecksums(tmp.path()));
        absl::StatusOr<std::shared_ptr<const Snapshot>> s =
            LoadPack(tmp.path(), lo);
        if (!s.ok()) {
          TranslateLoadErrors(s.status().message(), tmp.path(), good, copied,
                              &r.errors);
        } else {
          snapshot = std::move(*s);
        }
      }
    }
  }
  r.validate_seconds = Since(t3);
  if (!r.errors.empty() || snapshot == nullptr) {
    r.total_seconds = Since(t0);
    return r;  // `tmp` is removed; nothing at --out changed
  }
  for (const std::string& w : snapshot->warnings()) r.warnings.push_back(w);

  // 9. Summary and move into place.
  r.grids = snapshot->num_grids();
  for (uint32_t g = 0; g < snapshot->num_grids(); ++g) {
    r.total_area_m2 +=
        GridAreaM2(snapshot->geometry(), snapshot->quantizer(), g);
  }
  r.mean_area_m2 = r.grids > 0 ? r.total_area_m2 / r.grids : 0;
  snapshot.reset();
  RETURN_IF_ERROR(MoveIntoPlace(tmp, out));
  r.written = true;
  r.total_seconds = Since(t0);
  return r;
}

}  // namespace gridroute::import

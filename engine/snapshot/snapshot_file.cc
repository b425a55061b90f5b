// Copyright 2026 gridroute authors.
//
// CompileSnapshot() and the .grsnap branch of LoadPack(): a loaded Snapshot
// to and from one file (SNAPSHOT_FORMAT.md).
#include <sys/stat.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "index/cell_locator.h"
#include "snapshot/snap_codec.h"

namespace gridroute {

namespace {

constexpr uint8_t kLocatorCell = 0, kLocatorRtree = 1;

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
      .count();
}

// Runs `load` over section `id`, then checks nothing is left over and drops
// the section's pages (its contents were copied out).
// `lend`: the section may be viewed in place (LoadOptions::view_in_place),
// so its pages stay.
template <typename F>
absl::Status ReadSection(const SnapFile& f, SnapSection id, F&& load,
                         bool lend = false) {
  ASSIGN_OR_RETURN(SnapReader r, f.Section(id, lend));
  load(r);
  RETURN_IF_ERROR(r.Finish());
  if (!lend) f.Release(id);
  return absl::OkStatus();
}

template <typename T>
std::string SectionOf(const T& part) {
  SnapWriter w;
  SnapCodec::Save(part, w);
  return std::move(w).Release();
}

}  // namespace

absl::Status SnapCodec::Compile(const Snapshot& s, const std::string& pack_dir,
                                const std::string& out) {
  SnapInfo info;
  info.pack_name = s.manifest_.name;
  info.pack_version = s.manifest_.version;
  ASSIGN_OR_RETURN(
      RegularFile manifest,
      RegularFile::Open(pack_dir + "/manifest.json", uint64_t{1} << 20));
  ASSIGN_OR_RETURN(info.manifest_sha256, Sha256File(manifest));
  info.build_info = absl::StrCat("gridroute compile, format ",
                                 kSnapFormatVersion, ", built ", __DATE__);
  std::vector<std::pair<SnapSection, std::string>> sections;
  {
    SnapWriter w;
    w.PutU32(s.num_grids());
    w.PutBool(s.quantizer_.geographic());
    w.PutU8(absl::string_view(s.locator_->name()) == "cell" ? kLocatorCell
                                                            : kLocatorRtree);
    w.PutBool(s.routes_);
    w.PutStrings(s.warnings_);
    sections.emplace_back(SnapSection::kMeta, std::move(w).Release());
  }
  sections.emplace_back(SnapSection::kManifest, SectionOf(s.manifest_));
  sections.emplace_back(SnapSection::kHierarchy, SectionOf(s.hierarchy_));
  sections.emplace_back(SnapSection::kGeometry, SectionOf(s.geometry_));
  sections.emplace_back(SnapSection::kCodes, SectionOf(s.codes_));
  sections.emplace_back(SnapSection::kNames, SectionOf(s.names_));
  {
    SnapWriter w;
    s.grid_boxes_->Save(w);
    sections.emplace_back(SnapSection::kGridBoxes, std::move(w).Release());
  }
  if (const auto* cell = dynamic_cast<const CellLocator*>(s.locator_.get())) {
    SnapWriter w;
    cell->Save(w);
    sections.emplace_back(SnapSection::kCellIndex, std::move(w).Release());
  }
  sections.emplace_back(SnapSection::kDepartments, SectionOf(s.departments_));
  sections.emplace_back(SnapSection::kCategories, SectionOf(s.categories_));
  sections.emplace_back(SnapSection::kRules, SectionOf(s.rules_));
  sections.emplace_back(SnapSection::kTeams, SectionOf(s.teams_));
  sections.emplace_back(SnapSection::kComponents, SectionOf(s.components_));
  sections.emplace_back(SnapSection::kLayers, SectionOf(s.layers_));
  sections.emplace_back(SnapSection::kCalendar, SectionOf(s.calendar_));
  sections.emplace_back(SnapSection::kGridRoutes, SectionOf(s.grid_routes_));
  // The case desk's fold rules: a compiled file has no directory to read
  // <pack>/folding.csv from, so its bytes travel in the file (as read; the
  // desk parses them with the pack's encoding, as it parses the file).
  const std::string folding = pack_dir + "/folding.csv";
  struct stat st;
  if (::stat(folding.c_str(), &st) == 0) {
    ASSIGN_OR_RETURN(RegularFile f, RegularFile::Open(folding, PackLimits().folding_bytes));
    std::string text;
    RETURN_IF_ERROR(f.ReadAll(&text));
    SnapWriter w;
    w.PutString(text);
    sections.emplace_back(SnapSection::kFolding, std::move(w).Release());
  }
  return WriteSnapFile(out, info, sections);
}

// The grids and their names, the hierarchy, the manifest.
absl::Status SnapCodec::LoadSections(const SnapFile& f,
                                     const LoadOptions& options, Snapshot& s) {
  uint32_t num_grids = 0;
  bool geographic = true;
  uint8_t locator = 0;
  RETURN_IF_ERROR(ReadSection(f, SnapSection::kMeta, [&](SnapReader& r) {
    r.GetU32(&num_grids);
    r.GetBool(&geographic);
    r.GetU8(&locator);
    r.GetBool(&s.routes_);
    r.GetStrings(&s.warnings_, 1 << 20);
    if (r.ok() && locator > kLocatorRtree) r.Fail("unknown locator kind");
  }));
  s.quantizer_ = Quantizer(geographic);
  RETURN_IF_ERROR(ReadSection(f, SnapSection::kManifest,
                              [&](SnapReader& r) { Load(r, &s.manifest_); }));
  RETURN_IF_ERROR(ReadSection(f, SnapSection::kHierarchy,
                              [&](SnapReader& r) { Load(r, &s.hierarchy_); }));
  RETURN_IF_ERROR(ReadSection(
      f, SnapSection::kGeometry,
      [&](SnapReader& r) {
        if (Load(r, &s.geometry_) && s.geometry_.num_grids() != num_grids) {
          r.Fail("grid count differs from the meta section's");
        }
      },
      options.view_in_place));
  // (Not a structured binding: clang 14, the fuzz build's, cannot capture
  // one in a lambda.)
  for (const auto& part : {std::pair{SnapSection::kCodes, &s.codes_},
                           std::pair{SnapSection::kNames, &s.names_}}) {
    StringTable* table = part.second;
    RETURN_IF_ERROR(ReadSection(
        f, part.first,
        [&](SnapReader& r) {
          if (Load(r, table) && table->size() != num_grids) r.Fail("one string per grid");
        },
        options.view_in_place));
  }
  return absl::OkStatus();
}

// In dependency order: rules read departments, categories, layers; grid
// routes read teams and layers.
absl::Status SnapCodec::LoadRouting(const SnapFile& f, const LoadOptions& options,
                                     Snapshot& s) {
  RETURN_IF_ERROR(ReadSection(f, SnapSection::kDepartments, [&](SnapReader& r) {
    Load(r, &s.departments_);
  }));
  RETURN_IF_ERROR(ReadSection(f, SnapSection::kCategories,
                              [&](SnapReader& r) { Load(r, &s.categories_); }));
  RETURN_IF_ERROR(ReadSection(f, SnapSection::kLayers,
                              [&](SnapReader& r) { Load(r, &s.layers_); }));
  RETURN_IF_ERROR(ReadSection(f, SnapSection::kRules,
                              [&](SnapReader& r) { Load(r, s, &s.rules_); }));
  RETURN_IF_ERROR(ReadSection(
      f, SnapSection::kTeams, [&](SnapReader& r) { Load(r, s, &s.teams_); },
      options.view_in_place));
  RETURN_IF_ERROR(ReadSection(
      f, SnapSection::kComponents, [&](SnapReader& r) { Load(r, s, &s.components_); },
      options.view_in_place));
  RETURN_IF_ERROR(ReadSection(f, SnapSection::kCalendar,
                              [&](SnapReader& r) { Load(r, &s.calendar_); }));
  if (f.Has(SnapSection::kFolding)) {
    RETURN_IF_ERROR(ReadSection(f, SnapSection::kFolding, [&](SnapReader& r) {
      s.has_folding_csv_ = r.GetString(&s.folding_csv_, PackLimits().folding_bytes);
    }));
  }
  return ReadSection(
      f, SnapSection::kGridRoutes, [&](SnapReader& r) { Load(r, s, &s.grid_routes_); },
      options.view_in_place);
}

// The box index, then the locator over it: the stored cell index, or (a
// file compiled with the R-tree, or LoadOptions asking for it) one built.
absl::Status SnapCodec::LoadIndex(const SnapFile& f, const LoadOptions& options,
                                  Snapshot& s) {
  std::shared_ptr<const BoxIndex> boxes;
  RETURN_IF_ERROR(ReadSection(f, SnapSection::kGridBoxes, [&](SnapReader& r) {
    absl::StatusOr<std::unique_ptr<BoxIndex>> b =
        BoxIndex::Load(r, s.num_grids());
    if (b.ok()) boxes = *std::move(b);
  }));
  s.grid_boxes_ = boxes;
  if (options.locator == LocatorKind::kRtree ||
      !f.Has(SnapSection::kCellIndex)) {
    if (options.locator == LocatorKind::kRtree) {
      s.locator_ = BuildRtreeLocator(&s.geometry_, s.quantizer_);
    } else {
      CellLocatorOptions cell;
      cell.threads = options.threads;
      s.locator_ = BuildCellLocator(&s.geometry_, s.quantizer_, cell, boxes);
    }
    return absl::OkStatus();
  }
  return ReadSection(
      f, SnapSection::kCellIndex,
      [&](SnapReader& r) {
        absl::StatusOr<std::unique_ptr<CellLocator>> c =
            CellLocator::Load(r, &s.geometry_, s.quantizer_, boxes);
        if (c.ok()) s.locator_ = *std::move(c);
      },
      options.view_in_place);
}

absl::StatusOr<std::shared_ptr<const Snapshot>> SnapCodec::LoadFile(
    const std::string& path, const LoadOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(std::shared_ptr<SnapFile> f,
                   SnapFile::Open(path, options.verify));
  std::shared_ptr<Snapshot> s(new Snapshot());
  RETURN_IF_ERROR(LoadSections(*f, options, *s));
  s->stats_.parse_seconds = Seconds(t0);
  // The index (reads the geometry, writes the locator and box index) beside
  // the routing model (reads the geometry and hierarchy, writes the rest).
  const auto t1 = std::chrono::steady_clock::now();
  absl::Status index;
  auto load_index = [&] {
    index = LoadIndex(*f, options, *s);
    s->stats_.index_seconds = Seconds(t1);
  };
  absl::Status routing;
  {
    std::jthread worker;
    if (options.threads > 1) {
      worker = std::jthread(load_index);
    }
    routing = LoadRouting(*f, options, *s);
    s->stats_.routing_seconds = Seconds(t1);
    if (options.threads <= 1) load_index();
  }  // joins the worker
  RETURN_IF_ERROR(routing);
  RETURN_IF_ERROR(index);
  // Everything was read: refuse it if the file was written meanwhile.
  RETURN_IF_ERROR(f->CheckUnchanged());
  s->stats_.total_seconds = Seconds(t0);
  return std::shared_ptr<const Snapshot>(std::move(s));
}

absl::Status CompileSnapshot(const Snapshot& snapshot,
                             const std::string& pack_dir,
                             const std::string& out) {
  return SnapCodec::Compile(snapshot, pack_dir, out);
}

}  // namespace gridroute

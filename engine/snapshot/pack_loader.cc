// Copyright 2026 gridroute authors.
//
// LoadPack(): manifest → regions → grids → validation → index.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <numeric>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <sys/stat.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/csv.h"
#include "common/echo.h"
#include "common/file_util.h"
#include "absl/strings/numbers.h"
#include "common/status_macros.h"
#include "geo/crs.h"
#include "snapshot/snapshot.h"
#include "index/cell_locator.h"
#include "snapshot/geojson_reader.h"
#include "snapshot/pack_checksums.h"
#include "snapshot/snap_codec.h"
#include "snapshot/validate.h"

namespace gridroute {

uint32_t Snapshot::FindGrid(absl::string_view code) const {
  uint32_t lo = 0, hi = num_grids();
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (codes_.Get(mid) < code) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < num_grids() && codes_.Get(lo) == code ? lo : kNoGrid;
}

size_t Snapshot::MemoryBytes() const {
  size_t regions = 0;
  for (int32_t i = 0; i < hierarchy_.num_regions(); ++i) {
    const Region& r = hierarchy_.region(i);
    regions += sizeof(Region) + r.code.capacity() + r.name.capacity() + 48;
  }
  return sizeof(*this) + geometry_.MemoryBytes() + codes_.MemoryBytes() +
         names_.MemoryBytes() + parents_.capacity() * sizeof(int32_t) + regions +
         rules_.MemoryBytes() + teams_.MemoryBytes() + components_.MemoryBytes() +
         layers_.MemoryBytes() + grid_routes_.MemoryBytes() +
         (locator_ ? locator_->MemoryBytes() : 0) +
         // The cell locator counts the box index it shares; the R-tree does not.
         (grid_boxes_ && locator_ && absl::string_view(locator_->name()) != "cell"
              ? grid_boxes_->MemoryBytes()
              : 0);
}

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
      .count();
}

absl::StatusOr<Hierarchy> LoadRegions(const std::string& dir, const PackManifest& m,
                                      const PackLimits& limits, int max_errors) {
  const std::string file = dir + "/" + m.regions_file;
  ASSIGN_OR_RETURN(CsvTable t,
                   CsvTable::Open(file, {"code", "name", "level", "parent"}, {},
                                  PackCsvOptions(m, limits.regions_bytes, limits)));
  std::vector<RegionRow> rows;
  while (t.Next()) {
    rows.push_back(RegionRow{std::string(t.Get(0)), std::string(t.Get(1)),
                             std::string(t.Get(2)), std::string(t.Get(3)), t.line()});
  }
  RETURN_IF_ERROR(t.status());
  return Hierarchy::Build(m.levels, std::move(rows), file, max_errors);
}

// One grid as read from the GeoJSON, before sorting.
}  // namespace

class PackLoader {
 public:
  // The routing files (departments, categories, rules, teams, components,
  // layers, calendar) load in two steps, so that all but the components' grid
  // assignment can run while the locator is built:
  //   std::unique_ptr<RoutingLoad> r = StartRouting(dir, options, s);
  //   ...  // may build s.locator_: the routing load neither reads nor writes it
  //   RETURN_IF_ERROR(FinishRouting(*r, options, s));
  // The background load only reads the manifest, hierarchy, quantizer, grid
  // codes and parents, and only writes the routing members. A RoutingLoad
  // destroyed without FinishRouting() (a failed load) joins its thread.
  struct RoutingLoad {
    std::chrono::steady_clock::time_point start;
    absl::Status status;
    std::jthread worker;  // declared last: joined before `status` dies
  };

  static std::unique_ptr<RoutingLoad> StartRouting(const std::string& dir,
                                                   const LoadOptions& options, Snapshot& s) {
    auto r = std::make_unique<RoutingLoad>();
    r->start = std::chrono::steady_clock::now();
    RoutingLoad* p = r.get();
    r->worker = std::jthread(
        [p, dir, options, &s] { p->status = LoadRoutingModels(dir, options, s); });
    return r;
  }

  static absl::Status FinishRouting(RoutingLoad& r, const LoadOptions& options, Snapshot& s) {
    r.worker.join();
    RETURN_IF_ERROR(r.status);
    s.stats_.routing_seconds = Seconds(r.start);
    return absl::OkStatus();
  }

  // Everything but the components' grids. Layers then rules, teams, and
  // components (the slow files, independent of each other) load at once; the
  // error returned is the one a sequential load in that order stops at.
  static absl::Status LoadRoutingModels(const std::string& dir, const LoadOptions& options,
                                        Snapshot& s) {
    const PackManifest& m = s.manifest_;
    auto path = [&](const std::string& f) { return dir + "/" + f; };
    const PackLimits& lim = options.limits;
    auto csv = [&](uint64_t max_bytes) { return PackCsvOptions(m, max_bytes, lim); };
    if (!m.calendar_file.empty()) {
      ASSIGN_OR_RETURN(std::string text, ReadFile(path(m.calendar_file), lim.calendar_bytes));
      ASSIGN_OR_RETURN(s.calendar_, ParseCalendarJson(text, path(m.calendar_file)));
    }
    if (!m.departments_file.empty()) {
      ASSIGN_OR_RETURN(s.departments_, Departments::Load(path(m.departments_file),
                                                         csv(lim.departments_bytes)));
    }
    if (!m.categories_file.empty()) {
      ASSIGN_OR_RETURN(s.categories_,
                       Categories::Load(path(m.categories_file), csv(lim.categories_bytes)));
    }
    absl::Status layers_rules, teams, components;  // outlive the threads
    {
      std::jthread layers_thread;
      if (!m.layers_file.empty() || !m.rules_file.empty()) {
        layers_thread = std::jthread([&] { layers_rules = LoadLayersAndRules(dir, options, s); });
      }
      std::jthread teams_thread;
      if (!m.teams_file.empty()) {
        teams_thread = std::jthread([&] {
          // Team rows usually follow grid code order: each reader thread
          // tries the grid after the last one it found before a binary
          // search (2M grids: 287 ns a lookup in code order, mostly cache
          // misses, 0.57 s). The hint is checked, so a stale one is harmless.
          auto find_grid = [&s](absl::string_view code) {
            thread_local uint32_t next = 0;
            const uint32_t g = next < s.num_grids() && s.grid_code(next) == code
                                   ? next
                                   : s.FindGrid(code);
            if (g < s.num_grids()) next = g + 1;
            return g;
          };
          absl::StatusOr<Teams> t =
              Teams::Load(path(m.teams_file), s.hierarchy_, s.num_grids(), find_grid,
                          options.threads, csv(lim.teams_bytes), options.max_errors);
          if (t.ok()) {
            s.teams_ = *std::move(t);
          } else {
            teams = t.status();
          }
        });
      }
      if (!m.components_file.empty()) {
        if (m.departments_file.empty() || m.categories_file.empty()) {
          components = absl::InvalidArgumentError(absl::StrCat(
              dir, "/manifest.json: 'components' needs 'departments' and 'categories' in 'files'"));
        } else {
          absl::StatusOr<Components> c =
              Components::Load(path(m.components_file), s.categories_, s.departments_,
                               s.quantizer_, options.threads, csv(lim.components_bytes),
                               options.max_errors);
          if (c.ok()) {
            s.components_ = *std::move(c);
          } else {
            components = c.status();
          }
        }
      }
    }  // joins the threads
    RETURN_IF_ERROR(layers_rules);
    RETURN_IF_ERROR(teams);
    return components;
  }

  static absl::Status LoadLayersAndRules(const std::string& dir, const LoadOptions& options,
                                         Snapshot& s) {
    const PackManifest& m = s.manifest_;
    auto path = [&](const std::string& f) { return dir + "/" + f; };
    auto find_grid = [&s](absl::string_view code) { return s.FindGrid(code); };
    if (!m.layers_file.empty()) {
      ErrorList errors(options.max_errors);
      std::vector<FeatureRecord> raw;
      GridGeometryBuilder builder;
      GeoJsonReadOptions ro;
      ro.properties = {"code", "name", "kind", "owner", "owner_contact", "priority"};
      ro.required = {true, false, false, true, false, false};
      ro.geographic = m.geographic;
      ro.crs_name = m.crs;
      ro.threads = options.threads;
      ro.max_bytes = options.limits.layers_bytes;
      const std::string file = path(m.layers_file);
      RETURN_IF_ERROR(ReadGeoJsonPolygons(file, ro, errors, &raw, &builder));
      std::vector<Layer> attrs;
      absl::flat_hash_map<std::string, int64_t> seen;
      for (FeatureRecord& f : raw) {
        Layer l{f.props[0], f.props[1], f.props[2], f.props[3], f.props[4], 0};
        if (!f.props[5].empty() && !absl::SimpleAtoi(f.props[5], &l.priority)) {
          errors.Add(absl::StrCat(file, ":", f.line, ": feature #", f.feature, " code ", l.code,
                                  ": priority '", f.props[5], "' is not an integer"));
        }
        if (auto [it, ok] = seen.emplace(l.code, f.line); !ok && !l.code.empty()) {
          errors.Add(absl::StrCat(file, ":", f.line, ": feature #", f.feature, " code ", l.code,
                                  ": duplicate layer code (first at line ", it->second, ")"));
        }
        attrs.push_back(std::move(l));
      }
      if (!errors.empty()) return errors.ToStatus(absl::StrCat("pack ", dir));
      s.layers_ = Layers(std::move(attrs), std::move(builder).Build());
    }
    if (!m.rules_file.empty()) {
      if (m.departments_file.empty() || m.categories_file.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            dir, "/manifest.json: 'rules' needs 'departments' and 'categories' in 'files'"));
      }
      RuleContext ctx;
      ctx.categories = &s.categories_;
      ctx.departments = &s.departments_;
      ctx.hierarchy = &s.hierarchy_;
      ctx.num_grids = s.num_grids();
      ctx.find_grid = find_grid;
      ctx.grid_parent = [&s](uint32_t g) { return s.grid_parent(g); };
      ctx.find_layer = [&s](absl::string_view code) { return s.layers_.Find(code); };
      ctx.layer_priority = [&s](int32_t l) { return s.layers_.at(l).priority; };
      ctx.precedence = m.precedence;
      ctx.file = PackCsvOptions(m, options.limits.rules_bytes, options.limits);
      ctx.max_errors = options.max_errors;
      ASSIGN_OR_RETURN(s.rules_, RuleTable::Build(path(m.rules_file), ctx, &s.warnings_));
      s.routes_ = true;
    }
    return absl::OkStatus();
  }

  // The manifest, then the checksums (sizes at once, SHA-256 on a thread)
  // beside the load itself. A checksum mismatch outranks the load's own
  // error: the file is not what the pack was written with, which is what
  // made it fail.
  static absl::StatusOr<std::shared_ptr<const Snapshot>> Load(
      const std::string& dir, const LoadOptions& options) {
    const auto t0 = std::chrono::steady_clock::now();
    ASSIGN_OR_RETURN(PackManifest m, ReadPackManifest(dir, options.limits));
    std::string warning;
    if (!m.has_checksums) {
      if (options.require_checksums) {
        return absl::FailedPreconditionError(absl::StrCat(
            dir, "/manifest.json has no 'checksums' and checksums are required: write the "
            "pack with gridroute-gen or gridroute-import (PACK.md \"checksums\")"));
      }
      warning = absl::StrCat(
          dir, "/manifest.json has no 'checksums': the pack's files are not checked against "
          "the sizes and SHA-256 they were written with (a truncated file would load with "
          "rows missing); write the pack with gridroute-gen or gridroute-import to add them");
    }
    ASSIGN_OR_RETURN(std::unique_ptr<ChecksumCheck> check,
                     ChecksumCheck::Start(dir, m, options.limits));
    absl::StatusOr<std::shared_ptr<Snapshot>> s = Build(dir, std::move(m), options, t0);
    RETURN_IF_ERROR(check->Finish());
    if (!s.ok()) return s.status();
    if (!warning.empty()) (*s)->warnings_.push_back(warning);
    (*s)->stats_.total_seconds = Seconds(t0);
    return std::shared_ptr<const Snapshot>(*std::move(s));
  }

  // Grid ids are code ranks: the features' indices in code order (stable,
  // so duplicates report in file order).
  static std::vector<uint32_t> CodeOrder(const std::vector<FeatureRecord>& raw) {
    std::vector<uint32_t> order(raw.size());
    std::iota(order.begin(), order.end(), 0);
    // Packs written in code order (as the generator does) are checked in one
    // pass instead of sorted (0.6 s at 2M grids).
    auto by_code = [&](uint32_t a, uint32_t b) {
      return raw[a].props[0] < raw[b].props[0];
    };
    if (!std::is_sorted(order.begin(), order.end(), by_code)) {
      std::stable_sort(order.begin(), order.end(), by_code);
    }
    return order;
  }

  // Duplicate grid codes, and parents that do not exist or are not at the
  // lowest level.
  static void CheckCodesAndParents(const std::string& grids_file,
                                   const std::vector<FeatureRecord>& raw,
                                   const std::vector<uint32_t>& order, const Snapshot& s,
                                   ErrorList* errors) {
    const PackManifest& m = s.manifest_;
    const int32_t lowest = static_cast<int32_t>(m.levels.size()) - 1;
    for (size_t i = 0; i < order.size(); ++i) {
      const FeatureRecord& g = raw[order[i]];
      const std::string& code = g.props[0];
      const std::string& parent = g.props[1];
      if (i > 0 && !code.empty() && raw[order[i - 1]].props[0] == code) {
        const FeatureRecord& first = raw[order[i - 1]];
        errors->Add(absl::StrCat(grids_file, ":", g.line, ": feature #", g.feature,
                                 " code ", code, ": duplicate grid code (also feature #",
                                 first.feature, " at line ", first.line, ")"));
      }
      if (parent.empty()) continue;
      const int32_t p = s.hierarchy_.Find(parent);
      if (p < 0) {
        errors->Add(absl::StrCat(grids_file, ":", g.line, ": feature #", g.feature,
                                 " code ", code, ": parent '", Echo(parent),
                                 "' does not exist in ", m.regions_file));
      } else if (s.hierarchy_.region(p).level != lowest) {
        errors->Add(absl::StrCat(grids_file, ":", g.line, ": feature #", g.feature,
                                 " code ", code, ": parent '", Echo(parent),
                                 "' is at level '",
                                 m.levels[s.hierarchy_.region(p).level],
                                 "', grids belong to the lowest level '",
                                 m.levels[lowest], "'"));
      }
    }
  }

  // Every grid read cleanly: the geometry permuted into code order (packs
  // written in code order, as the generator does, skip the copy), the codes,
  // names and parents; per grid its feature index and line, for messages.
  // Frees `raw`.
  static void StoreGrids(const std::vector<uint32_t>& order, GridGeometry unsorted,
                         std::vector<FeatureRecord>* raw_records, Snapshot& s,
                         std::vector<int64_t>* feature_of, std::vector<int64_t>* line_of) {
    std::vector<FeatureRecord>& raw = *raw_records;
    bool in_order = true;
    for (size_t i = 0; i < order.size() && in_order; ++i) in_order = order[i] == i;
    s.geometry_ = in_order ? std::move(unsorted)
                           : GridGeometryBuilder::Permute(unsorted, order);
    unsorted = GridGeometry();
    size_t code_chars = 0, name_chars = 0;
    for (const FeatureRecord& g : raw) {
      code_chars += g.props[0].size();
      name_chars += g.props[2].size();
    }
    s.codes_.Reserve(raw.size(), code_chars);
    s.names_.Reserve(raw.size(), name_chars);
    s.parents_.reserve(raw.size());
    for (uint32_t idx : order) {
      s.codes_.Add(raw[idx].props[0]);
      s.names_.Add(raw[idx].props[2]);
      s.parents_.push_back(s.hierarchy_.Find(raw[idx].props[1]));
    }
    feature_of->resize(order.size());
    line_of->resize(order.size());
    for (size_t i = 0; i < order.size(); ++i) {
      (*feature_of)[i] = raw[order[i]].feature;
      (*line_of)[i] = raw[order[i]].line;
    }
    raw.clear();
    raw.shrink_to_fit();
  }

  static absl::StatusOr<std::shared_ptr<Snapshot>> Build(
      const std::string& dir, PackManifest manifest, const LoadOptions& options,
      std::chrono::steady_clock::time_point t0) {
    std::shared_ptr<Snapshot> s(new Snapshot());
    s->manifest_ = std::move(manifest);
    const PackManifest& m = s->manifest_;
    s->quantizer_ = Quantizer(m.geographic);
    ASSIGN_OR_RETURN(s->hierarchy_, LoadRegions(dir, m, options.limits, options.max_errors));

    ErrorList errors(options.max_errors);
    const std::string grids_file = dir + "/" + m.grids_file;
    std::vector<FeatureRecord> raw;
    GridGeometryBuilder builder;
    {
      GeoJsonReadOptions ro;
      ro.properties = {m.attr_code, m.attr_parent, m.attr_name};
      ro.required = {true, true, false};
      ro.geographic = m.geographic;
      ro.crs_name = m.crs;
      ro.threads = options.threads;
      ro.max_bytes = options.limits.grids_bytes;
      RETURN_IF_ERROR(ReadGeoJsonPolygons(grids_file, ro, errors, &raw, &builder));
    }
    GridGeometry unsorted = std::move(builder).Build();
    s->stats_.parse_seconds = Seconds(t0);
    const auto t1 = std::chrono::steady_clock::now();

    const std::vector<uint32_t> order = CodeOrder(raw);
    CheckCodesAndParents(grids_file, raw, order, *s, &errors);
    if (!errors.empty()) return errors.ToStatus(absl::StrCat("pack ", dir));
    std::vector<int64_t> feature_of, line_of;
    StoreGrids(order, std::move(unsorted), &raw, *s, &feature_of, &line_of);

    // Overlaps between neighbours, over the box index the cell locator then
    // snaps with (built once).
    auto boxes = std::make_shared<const BoxIndex>(s->geometry_.ComputeBoxes());
    OverlapReport overlaps =
        FindOverlaps(s->geometry_, s->quantizer_, m.overlap_tolerance_m2,
                     options.threads, boxes.get());
    s->stats_.suspicious_pairs = overlaps.suspicious_pairs;
    s->grid_boxes_ = boxes;  // kept for box queries (Snapshot::grid_boxes)
    for (const Overlap& o : overlaps.overlaps) {
      errors.Add(absl::StrCat(
          grids_file, ":", line_of[o.a], ": feature #", feature_of[o.a], " code ",
          s->codes_.Get(o.a), " overlaps feature #", feature_of[o.b], " (line ",
          line_of[o.b], ") code ", s->codes_.Get(o.b), " by ", o.area_m2,
          " m² (tolerance ", m.overlap_tolerance_m2, " m²)"));
    }
    if (!errors.empty()) return errors.ToStatus(absl::StrCat("pack ", dir));
    s->stats_.validate_seconds = Seconds(t1);

    // The routing files load while the index is built (the index cannot fail,
    // so a routing error is still the first error).
    std::unique_ptr<RoutingLoad> routing = StartRouting(dir, options, *s);
    const auto t2 = std::chrono::steady_clock::now();
    if (options.locator == LocatorKind::kRtree) {
      s->locator_ = BuildRtreeLocator(&s->geometry_, s->quantizer_);
    } else {
      CellLocatorOptions cell;
      cell.threads = options.threads;
      s->locator_ = BuildCellLocator(&s->geometry_, s->quantizer_, cell,
                                     std::move(boxes));
    }
    s->stats_.index_seconds = Seconds(t2);
    RETURN_IF_ERROR(FinishRouting(*routing, options, *s));
    const auto t3 = std::chrono::steady_clock::now();
    s->grid_routes_ =
        GridRoutes::Build(s->parents_, s->teams_, s->rules_, s->layers_, s->geometry_,
                          [&](uint32_t g) { return s->grid_code(g); });
    std::vector<int32_t>().swap(s->parents_);  // the records hold the parents now
    s->stats_.grid_routes_seconds = Seconds(t3);
    return s;
  }
};

namespace {
// A regular file (or a symlink to one) is a compiled snapshot; anything
// else is read as a pack directory (whose errors say what is missing).
bool IsSnapshotFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}
}  // namespace

#ifdef __GLIBC__
namespace {

// glibc serves a request below its mmap threshold from an arena, and raises
// that threshold (up to 32 MiB) each time a bigger mmapped block is freed.
// The load frees GeoJSON buffers of hundreds of MB early, so the snapshot's
// multi-MB arrays (codes, names, components, teams, rules), built by
// doubling beside short-lived parse buffers on three threads, would land in
// arenas and leave holes that malloc_trim cannot return: 2M grids kept
// 1,117 MiB resident for a 941 MiB snapshot. A fixed 4 MiB threshold maps
// every large block on its own, returned whole when freed (959 MiB resident;
// the load takes as long). Fixing it also stops the dynamic raise. Once per
// process; a threshold set with GLIBC_TUNABLES is left alone.
void MapLargeBlocksOnTheirOwn() {
  static const bool once = [] {
    const char* tunables = std::getenv("GLIBC_TUNABLES");
    if (tunables == nullptr ||
        std::strstr(tunables, "glibc.malloc.mmap_threshold") == nullptr) {
      mallopt(M_MMAP_THRESHOLD, kLargeBlockBytes);
    }
    return true;
  }();
  (void)once;
}

}  // namespace
#endif

absl::StatusOr<std::shared_ptr<const Snapshot>> LoadPack(const std::string& dir,
                                                         const LoadOptions& options) {
#ifdef __GLIBC__
  MapLargeBlocksOnTheirOwn();
#endif
  absl::StatusOr<std::shared_ptr<const Snapshot>> s =
      IsSnapshotFile(dir) ? SnapCodec::LoadFile(dir, options) : PackLoader::Load(dir, options);
  // The load frees ~1 GB of transient buffers (JSON text, parser, records) at
  // 2M grids; glibc keeps ~120 MB of it resident unless asked.
  ReleaseFreedMemory();
  return s;
}

void ReleaseFreedMemory() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

}  // namespace gridroute

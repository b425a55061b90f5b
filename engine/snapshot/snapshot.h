// Copyright 2026 gridroute authors.
//
// Snapshot: everything a query reads, immutable, built and validated off the
// request path by LoadPack() and published whole (docs/ARCHITECTURE.md,
// section 3).
//
//   ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> s, LoadPack("city/", {}));
//   LocateResult r = s->locator().Locate(s->quantizer().Quantize(lon, lat));
//   absl::string_view code = s->grid_code(r.grid);
//
// Thread-safety: immutable; share it through std::shared_ptr<const Snapshot>.
// A request pins the snapshot it started on for its whole duration.
#ifndef GRIDROUTE_SNAPSHOT_SNAPSHOT_H_
#define GRIDROUTE_SNAPSHOT_SNAPSHOT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/string_table.h"
#include "geo/geometry.h"
#include "geo/grid_geometry.h"
#include "index/box_index.h"
#include "index/locator.h"
#include "model/calendar.h"
#include "model/categories.h"
#include "model/components.h"
#include "model/departments.h"
#include "model/grid_routes.h"
#include "model/hierarchy.h"
#include "model/layers.h"
#include "model/rules.h"
#include "model/teams.h"
#include "snapshot/manifest.h"
#include "snapshot/snap_file.h"

namespace gridroute {

// Figures from the load, for logs and the admin Info call.
struct LoadStats {
  double parse_seconds = 0;
  double validate_seconds = 0;
  double index_seconds = 0;
  // Routing files, from their start (they load while the index is built)
  // to the components' grid assignment; overlaps index_seconds.
  double routing_seconds = 0;
  double total_seconds = 0;
  // Compiling the per-grid routing records (model/grid_routes.h).
  double grid_routes_seconds = 0;
  int64_t suspicious_pairs = 0;  // neighbour pairs that needed an area check
};

class Snapshot {
 public:
  const PackManifest& manifest() const { return manifest_; }
  const Hierarchy& hierarchy() const { return hierarchy_; }
  const Quantizer& quantizer() const { return quantizer_; }
  const GridGeometry& geometry() const { return geometry_; }
  const Locator& locator() const { return *locator_; }
  // A packed index over the grids' boxes (geometry().box(g)), built once
  // at load for the overlap check and shared with the cell locator; for box
  // queries (mapview/map_view.h).
  const BoxIndex& grid_boxes() const { return *grid_boxes_; }
  const LoadStats& load_stats() const { return stats_; }
  // Non-fatal findings of the load (e.g. categories no rule covers).
  const std::vector<std::string>& warnings() const { return warnings_; }
  // The pack's folding.csv as compiled into a .grsnap (the case desk's fold
  // rules: a compiled file has no directory to read it from). Null when
  // loaded from a directory (the desk reads <pack>/folding.csv) or when the
  // compiled pack had none (the default rules).
  const std::string* folding_csv() const {
    return has_folding_csv_ ? &folding_csv_ : nullptr;
  }

  // Routing model; empty unless the pack has the files.
  bool routes() const { return routes_; }
  const Departments& departments() const { return departments_; }
  const Categories& categories() const { return categories_; }
  const RuleTable& rules() const { return rules_; }
  const Teams& teams() const { return teams_; }
  const Components& components() const { return components_; }
  const Layers& layers() const { return layers_; }
  const WorkingCalendar& calendar() const { return calendar_; }
  // One record per grid: what routing reads of the grid (region, own-rule
  // bit, team, candidate layers), compiled at load.
  const GridRoutes& grid_routes() const { return grid_routes_; }

  uint32_t num_grids() const { return geometry_.num_grids(); }
  // Grid ids are the ranks of the codes in byte-wise order.
  absl::string_view grid_code(uint32_t g) const { return codes_.Get(g); }
  // The same, from the grid's routing record when it holds the code (an
  // all-digit code: no read of the code table), else grid_code(g).
  // `buf`: at least GridRecord::kMaxCodeDigits bytes, holds the digits.
  absl::string_view grid_code_fast(uint32_t g, char* buf) const {
    if (g < grid_routes_.size()) {
      const GridRecord& r = grid_routes_.record(g);
      if (r.code_len > 0) return r.CodeDigits(buf);
    }
    return codes_.Get(g);
  }
  void PrefetchGridCode(uint32_t g) const { codes_.Prefetch(g); }
  absl::string_view grid_name(uint32_t g) const { return names_.Get(g); }
  // Region index of the grid's parent (a region of the lowest level).
  // (Read from the grid's routing record once the load has compiled it; the
  // loader's own array is freed then.)
  int32_t grid_parent(uint32_t g) const {
    return parents_.empty() ? grid_routes_.record(g).region : parents_[g];
  }
  // Grid id for `code`, or kNoGrid. O(log n).
  uint32_t FindGrid(absl::string_view code) const;

  // Approximate heap bytes of the whole snapshot.
  size_t MemoryBytes() const;

 private:
  friend struct SnapCodec;  // snapshot/snap_codec.h: the compiled snapshot file
  friend class PackLoader;
  Snapshot() : quantizer_(true), calendar_(WorkingCalendar::Default()) {}

  PackManifest manifest_;
  Hierarchy hierarchy_;
  Quantizer quantizer_;
  GridGeometry geometry_;
  StringTable codes_;
  StringTable names_;
  std::vector<int32_t> parents_;
  std::unique_ptr<Locator> locator_;
  std::shared_ptr<const BoxIndex> grid_boxes_;
  LoadStats stats_;
  std::vector<std::string> warnings_;
  bool has_folding_csv_ = false;  // folding_csv()
  std::string folding_csv_;
  bool routes_ = false;
  Departments departments_;
  Categories categories_;
  RuleTable rules_;
  Teams teams_;
  Components components_;
  Layers layers_;
  WorkingCalendar calendar_;
  GridRoutes grid_routes_;
};

// Which Locator a snapshot serves with.
enum class LocatorKind : uint8_t {
  kCell,   // the fast adaptive cell index (index/cell_locator.h); default
  kRtree,  // the packed R-tree baseline (index/locator.h)
};

// Build-time options.
struct LoadOptions {
  // kCell answers faster than kRtree but takes longer to build (both
  // O(n log n)-ish in the grids' edges; figures: CELL_LOCATOR.md).
  LocatorKind locator = LocatorKind::kCell;
  // Stop collecting after this many errors (the message says how many more).
  int max_errors = 50;
  // Threads for validation and index building (results do not depend on it).
  // Default: 2, the cores of the machines we size for.
  int threads = 2;
  // The largest file of each kind, checked before it is read (PACK.md
  // "Limits").
  PackLimits limits;
  // A manifest without `checksums` (a pack written before they existed) is
  // loaded with a warning in Snapshot::warnings(); true refuses it.
  bool require_checksums = false;
  // A compiled snapshot file (.grsnap): kFull (default) checks every
  // section's CRC32C at open (one pass over the file, ~0.1 s a GB); kLazy
  // checks each section as the loader reaches it (snap_file.h); kNone (no
  // flag; fuzzing and tests) checks none, leaving the structural checks
  // (a damaged section is refused or loads with other contents, never read
  // out of bounds). Ignored for a pack directory. gridroute-server /
  // gridroute --verify.
  VerifyMode verify = VerifyMode::kFull;
  // A compiled snapshot file: keep its largest arrays (geometry points, the
  // cell index, grid codes and names, the components' columns and code
  // index, the team roster, the per-grid routing records: ~80% of it) in
  // the file's read-only mapping instead of copying them (faster load,
  // pages shared with other processes mapping the file). The file must then stay as it is while served: replace it by
  // renaming a new one over it, never by writing into it (a file truncated
  // under a mapping faults the process, SIGBUS). Default false (copy).
  // gridroute-server / gridroute --view-in-place.
  bool view_in_place = false;
};

// Reads, validates and indexes the pack in `dir`. On any error returns
// InvalidArgument (bad data; the message lists every problem found, one per
// line, each naming the file, line or feature index and the offending code)
// or NotFound (a missing file). A failed load has no side effects.
//
// Only regular files are read, each within its limit (options.limits),
// checked before its first byte is read; every string must be UTF-8 (or the
// CSV files are converted from the manifest's `encoding`); each file's size
// and SHA-256 must match the manifest's `checksums` (hashed on a background
// thread while the pack is parsed). PACK.md documents all of it.
//
// Memory (glibc): the first call fixes malloc's mmap threshold at
// kLargeBlockBytes for the process (unless GLIBC_TUNABLES sets one), so the
// snapshot's large arrays are mapped on their own instead of fragmenting the
// arenas, and every load ends with malloc_trim(). A snapshot is most of the
// process's memory; this keeps resident close to MemoryBytes().
inline constexpr size_t kLargeBlockBytes = size_t{4} << 20;
//
// `dir` may also be a compiled snapshot file (a regular file written by
// CompileSnapshot / `gridroute compile`): it is mapped and its sections
// copied into the snapshot, with no parsing, validation or index build
// (SNAPSHOT_FORMAT.md). Refusals: FAILED_PRECONDITION (not a snapshot
// file, an unsupported format version), INVALID_ARGUMENT (damaged:
// truncated, a checksum mismatch naming the section, contents out of
// range), each with the path.
absl::StatusOr<std::shared_ptr<const Snapshot>> LoadPack(
    const std::string& dir, const LoadOptions& options = {});

// Writes `snapshot`, loaded from the pack directory `pack_dir` (whose
// manifest.json's SHA-256 goes in the file's header), to the compiled
// snapshot file `out` (written to out.tmp, then renamed). LoadPack(out)
// then gives a snapshot answering every query as `snapshot` does.
absl::Status CompileSnapshot(const Snapshot& snapshot, const std::string& pack_dir,
                             const std::string& out);

// Returns the free pages malloc still holds to the OS (glibc: malloc_trim;
// elsewhere nothing). For after a snapshot is dropped: its large arrays go
// back at once, but its small blocks stay resident until trimmed. Walks
// the whole heap (tens of ms at millions of grids; PACK.md): call it off the
// request path.
void ReleaseFreedMemory();

}  // namespace gridroute

#endif  // GRIDROUTE_SNAPSHOT_SNAPSHOT_H_

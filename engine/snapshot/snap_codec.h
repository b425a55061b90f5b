// Copyright 2026 gridroute authors.
//
// SnapCodec: each part of a Snapshot as a section of a compiled snapshot
// file (snap_file.h, SNAPSHOT_FORMAT.md). One Save/Load pair per class; the
// classes name SnapCodec a friend, so their members are written as they are
// (arrays copied in one memcpy each, hash maps rebuilt from the arrays they
// index).
//
// Every Load checks what it reads against the sizes it indexes (an id or
// offset stored in one array and used to index another), so a structure
// loaded from a damaged file, even one whose checksums were not verified
// (VerifyMode::kNone), is refused or is as safe to query as one built from
// a pack: a wrong answer at worst, never a read out of bounds or a loop
// without end. Failures go to the reader (SnapReader::Fail: the section and
// the reason); Load returns false then.
//
// Internal to engine/snapshot (snapshot_file.cc uses it). Thread-safety:
// stateless.
#ifndef GRIDROUTE_SNAPSHOT_SNAP_CODEC_H_
#define GRIDROUTE_SNAPSHOT_SNAP_CODEC_H_

#include <memory>
#include <string>
#include <type_traits>

#include "absl/status/statusor.h"
#include "common/snap_io.h"
#include "snapshot/snap_file.h"
#include "snapshot/snapshot.h"

namespace gridroute {

struct SnapCodec {
  // Geometry and names (snap_codec_geo.cc).
  static void Save(const StringTable& t, SnapWriter& w);
  static bool Load(SnapReader& r, StringTable* t);
  static void Save(const GridGeometry& g, SnapWriter& w);
  static bool Load(SnapReader& r, GridGeometry* g);
  static void Save(const PackManifest& m, SnapWriter& w);
  static bool Load(SnapReader& r, PackManifest* m);
  static void Save(const Hierarchy& h, SnapWriter& w);
  static bool Load(SnapReader& r, Hierarchy* h);
  static void Save(const WorkingCalendar& c, SnapWriter& w);
  static bool Load(SnapReader& r, WorkingCalendar* c);

  // Routing model (snap_codec_model.cc, snap_codec_routes.cc). `s` holds
  // the parts loaded before (sections load in SnapSection order).
  static void Save(const Departments& d, SnapWriter& w);
  static bool Load(SnapReader& r, Departments* d);
  static void Save(const Categories& c, SnapWriter& w);
  static bool Load(SnapReader& r, Categories* c);
  static void Save(const RuleTable& t, SnapWriter& w);
  static bool Load(SnapReader& r, const Snapshot& s, RuleTable* t);
  static void Save(const Teams& t, SnapWriter& w);
  static bool Load(SnapReader& r, const Snapshot& s, Teams* t);
  static void Save(const Components& c, SnapWriter& w);
  static bool Load(SnapReader& r, const Snapshot& s, Components* c);
  static void Save(const Layers& l, SnapWriter& w);
  static bool Load(SnapReader& r, Layers* l);
  static void Save(const GridRoutes& g, SnapWriter& w);
  static bool Load(SnapReader& r, const Snapshot& s, GridRoutes* g);

  // The whole snapshot (snapshot_file.cc).
  static absl::Status Compile(const Snapshot& s, const std::string& pack_dir,
                              const std::string& out);
  static absl::StatusOr<std::shared_ptr<const Snapshot>> LoadFile(
      const std::string& path, const LoadOptions& options);

 private:
  static bool LoadRule(SnapReader& r, const Snapshot& s, Rule* rule);
  static bool CheckRuleLists(SnapReader& r, const Snapshot& s,
                             const RuleTable& t);
  static absl::Status LoadSections(const SnapFile& f,
                                   const LoadOptions& options, Snapshot& s);
  static absl::Status LoadRouting(const SnapFile& f, const LoadOptions& options,
                                  Snapshot& s);
  static absl::Status LoadIndex(const SnapFile& f, const LoadOptions& options,
                                Snapshot& s);
};

// Checks every value of `v` is in [lo, hi); else fails `r` with `what`.
template <typename C>  // a std::vector or a PodArray
bool AllInRange(SnapReader& r, const C& v, int64_t lo, int64_t hi,
                const char* what) {
  using T = std::decay_t<decltype(*v.data())>;
  for (const T& x : v) {
    if (static_cast<int64_t>(x) < lo || static_cast<int64_t>(x) >= hi)
      return r.Fail(what);
  }
  return true;
}

// The largest |coordinate| in lattice units a pack can produce: 1e8 m
// projected (CheckCoordinate) at 1e4 units a metre; geographic packs stay
// below 180 degrees at 1e9 units a degree.
inline constexpr int64_t kMaxLatticeUnits = 1'000'000'000'000;
bool InLattice(int64_t v);

// Checks `begin` is a CSR offset array over `size` elements: non-empty,
// starting at 0, non-decreasing, ending at `size`.
bool IsCsr(SnapReader& r, absl::Span<const uint32_t> begin, uint64_t size,
           const char* what);

}  // namespace gridroute

#endif  // GRIDROUTE_SNAPSHOT_SNAP_CODEC_H_

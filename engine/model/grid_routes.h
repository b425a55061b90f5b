// Copyright 2026 gridroute authors.
//
// GridRoutes: what routing needs of one grid, compiled at load into one
// 32-byte record per grid, so that Router::Route costs one cache line more
// than Locate instead of one miss per model (parent region, own-rule bit,
// team rows, inherited team rows, layer index).
//
// Example (compiled in tests/docs/header_examples_test.cc):
// clang-format off
//   GridRoutes routes = GridRoutes::Build(parents, teams, rules, layers, geometry);
//   const GridRecord& r = routes.record(grid);
//   routes.Team(grid, r, specialty, teams, &team);  // == teams.Resolve(grid, r.region, specialty, &team)
//   routes.LayerHits(grid, r, p, layers, &hits);    // == layers.Hits(p, &hits) for p in the grid
// clang-format on
//
// The team: a grid's own roster rows sit in its record when there is one
// (the common case: one full-time member), and the rows it inherits from
// its regions are resolved at load into a list shared by every grid of the
// same region with the same own roles and specialties (so ~one list per
// community). Resolving is then a filter on the category's specialty.
// Layers: the layers whose box meets the grid's box, best first; a point
// in the grid is tested against those only (none for most grids).
//
// Exactness: Team() and LayerHits() answer exactly what Teams::Resolve()
// and Layers::Hits() answer (tests/model/grid_routes_test.cc compares them
// on every grid); LayerHits() is only for points inside or on the boundary
// of the grid (a snapped point is outside it: use Layers::Hits()).
//
// Memory: 32 bytes a grid (64 MB at 2M grids) plus the shared lists and
// the candidate layers of the few grids that have any.
// Thread-safety: immutable after Build(); safe to share.
#ifndef GRIDROUTE_MODEL_GRID_ROUTES_H_
#define GRIDROUTE_MODEL_GRID_ROUTES_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/pod_array.h"
#include "geo/geometry.h"
#include "geo/grid_geometry.h"
#include "model/layers.h"
#include "model/rules.h"
#include "model/teams.h"

namespace gridroute {

struct alignas(32) GridRecord {
  int32_t region = -1;     // the grid's lowest-level region, -1 if none
  uint32_t team_list = 0;  // inherited team list (GridRoutes), 0 = empty
  // Own roster rows: own_count == 1: the row itself (person, and role |
  // (specialty + 1) << 2 as Teams::Entry, when that fits a byte);
  // own_count == 2: several rows (or a specialty >= 63), read
  // Teams::grid_entries().
  uint32_t own_person = 0;
  uint8_t own_role_specialty = 0;
  uint8_t own_count = 0;
  uint8_t flags = 0;  // kGridHasRules, kLayers (candidate layers listed), kManyLayers
  // The grid's code when it is 1..18 ASCII digits (CJ/T 213 codes are):
  // code_digits printed with code_len digits, leading zeros kept; 0: the
  // code is elsewhere (Snapshot::grid_code). Read by CodeDigits().
  uint8_t code_len = 0;
  uint32_t layer_list = 0;  // with kLayers: [count, layer...] at this layer pool offset
  uint32_t unused = 0;
  uint64_t code_digits = 0;
  static constexpr uint8_t kGridHasRules = 1;
  static constexpr uint8_t kLayers = 2;
  static constexpr uint8_t kManyLayers = 4;  // too many to list: use Layers::Hits()
  static constexpr int kMaxCodeDigits = 18;

  // The grid's code into buf (>= kMaxCodeDigits bytes) when the record
  // holds it; an empty view otherwise.
  absl::string_view CodeDigits(char* buf) const {
    uint64_t v = code_digits;
    for (int i = code_len - 1; i >= 0; --i) {
      buf[i] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
    return absl::string_view(buf, code_len);
  }
};
// Half a cache line: the record never straddles two.
static_assert(sizeof(GridRecord) == 32);

class GridRoutes {
 public:
  GridRoutes() = default;
  // parents[g]: grid g's lowest-level region. teams/rules/layers may be
  // empty (a pack without those files).
  // codes(g): grid g's code, kept in the record when it is all digits (may
  // be empty: no codes kept).
  static GridRoutes Build(const std::vector<int32_t>& parents, const Teams& teams,
                          const RuleTable& rules, const Layers& layers,
                          const GridGeometry& geometry,
                          const std::function<absl::string_view(uint32_t)>& codes = {});

  const GridRecord& record(uint32_t g) const { return records_[g]; }
  uint32_t size() const { return static_cast<uint32_t>(records_.size()); }

  // Appends grid `grid`'s team for `specialty` (-1: none), exactly as
  // Teams::Resolve(grid, r.region, specialty, out).
  void Team(uint32_t grid, const GridRecord& r, int32_t specialty, const Teams& teams,
            std::vector<TeamAssignment>* out) const;
  // Appends every layer covering p, in Layers::Hits() order.
  // REQUIRES: p is inside or on the boundary of grid `grid` (record r).
  void LayerHits(uint32_t grid, const GridRecord& r, IPoint p, const Layers& layers,
                 std::vector<int32_t>* out) const;

  // Starts fetching what Team() and LayerHits() will read for `r`.
  void Prefetch(uint32_t grid, const GridRecord& r) const {
    __builtin_prefetch(team_pool_.data() + team_begin_[r.team_list]);
    if (r.flags & GridRecord::kLayers) __builtin_prefetch(layer_pool_.data() + r.layer_list);
  }

  size_t MemoryBytes() const;

 private:
  friend struct SnapCodec;  // snapshot/snap_codec.h: the compiled snapshot file
  // Owned when built; viewed in a compiled snapshot's mapping when it is
  // loaded in place (LoadOptions::view_in_place).
  PodArray<GridRecord> records_;
  std::vector<TeamAssignment> team_pool_;
  std::vector<uint32_t> team_begin_{0, 0};  // list i: team_pool_[begin[i], begin[i+1])
  PodArray<int32_t> layer_pool_;  // per listed grid: [count, layer...]
};

}  // namespace gridroute

#endif  // GRIDROUTE_MODEL_GRID_ROUTES_H_

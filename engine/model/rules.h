// Copyright 2026 gridroute authors.
//
// The dispatch catalogue compiled for the hot path: which rule decides a
// category at a place (engine/snapshot/PACK.md "rules.csv" and "Precedence").
//
//   ASSIGN_OR_RETURN(RuleTable t, RuleTable::Build(path, ctx, &warnings));
//   for (uint32_t r : t.AreaCandidates(grid, community, category)) {
//     if (t.rule(r).InWindow(minute_of_day)) { winner = r; break; }
//   }
//
// Compilation: for every region and category the inherited candidate list
// (own rules merged with the parent's, best first) is computed once; a region
// without own rules for a category shares its parent's list. A query is then
// one array read (plus one hash probe for the few grids that have grid-level
// rules): no string compares, no map walk up the hierarchy.
// Memory: 4 bytes per (region, category) pair (~20 MB at 2M grids).
//
// Thread-safety: immutable after Build(); safe to share.
#ifndef GRIDROUTE_MODEL_RULES_H_
#define GRIDROUTE_MODEL_RULES_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "model/categories.h"
#include "model/departments.h"
#include "model/hierarchy.h"

namespace gridroute {

class ErrorList;

enum class DeadlineUnit : uint8_t {
  kNone = 0, kWorkingHours, kWorkingDays, kCalendarHours, kCalendarMinutes
};

struct DeadlineSpec {
  DeadlineUnit unit = DeadlineUnit::kNone;
  double amount = 0;
};

enum class ScopeKind : uint8_t { kCity, kRegion, kGrid, kLayer };
enum class Precedence : uint8_t { kScopeFirst, kCategoryFirst };

struct Rule {
  std::string id;
  ScopeKind scope_kind = ScopeKind::kCity;
  int32_t scope = -1;   // region, grid or layer index
  int8_t type = -1;     // -1 any, else CategoryType
  enum Pattern : uint8_t { kAny = 0, kMajor = 1, kExact = 2 } pattern = kAny;
  std::string value;    // code (kExact) or major (kMajor)
  int32_t lead = -1;    // department
  std::vector<int32_t> helpers;
  DeadlineSpec deadlines[kMaxUrgencies];
  bool has_window = false;
  int16_t window_begin = 0, window_end = 0;  // minutes of the local day
  uint32_t key = 0;     // precedence: larger wins
  int64_t line = 0;

  bool Matches(const Category& c) const;
  // REQUIRES: has_window implies 0 <= minute < 1440.
  bool InWindow(int minute) const {
    if (!has_window) return true;
    return window_begin <= window_end
               ? minute >= window_begin && minute < window_end
               : minute >= window_begin || minute < window_end;
  }
};

// What rules may refer to, and how scopes rank.
struct RuleContext {
  const Categories* categories = nullptr;
  const Departments* departments = nullptr;
  const Hierarchy* hierarchy = nullptr;
  uint32_t num_grids = 0;
  std::function<uint32_t(absl::string_view)> find_grid;   // >= num_grids if absent
  std::function<int32_t(uint32_t)> grid_parent;           // lowest-level region
  std::function<int32_t(absl::string_view)> find_layer;   // -1 if absent (may be empty)
  std::function<int32_t(int32_t)> layer_priority;         // priority of a layer
  Precedence precedence = Precedence::kScopeFirst;
  CsvFileOptions file;  // rules.csv's limits and encoding
  // Build lists at most this many errors, then "... and N more" (the
  // snapshot's LoadOptions::max_errors).
  int max_errors = 50;
};

class RuleTable {
 public:
  RuleTable() = default;
  // Errors (all, with file:line and rule id): unknown scope, category,
  // department or urgency; bad deadline or window; two rules that tie;
  // a rule lacking a deadline for an urgency its categories allow.
  // `warnings` receives one line listing the uncovered categories, if any.
  static absl::StatusOr<RuleTable> Build(const std::string& path, const RuleContext& ctx,
                                         std::vector<std::string>* warnings);

  const Rule& rule(uint32_t i) const { return rules_[i]; }
  uint32_t num_rules() const { return static_cast<uint32_t>(rules_.size()); }

  // Area rules (city, regions, grid) for category `c` at grid `grid` whose
  // lowest-level region is `region`, best first. O(1).
  absl::Span<const uint32_t> AreaCandidates(uint32_t grid, int32_t region,
                                            int32_t c) const {
    uint32_t list = region >= 0 ? RegionList(region, c)
                                : city_lists_[c];
    if (grid < grid_has_rules_.size() && grid_has_rules_[grid]) {
      auto it = grid_lists_.find((static_cast<uint64_t>(grid) << 32) | static_cast<uint32_t>(c));
      if (it != grid_lists_.end()) list = it->second;
    }
    return List(list);
  }
  // The same when the caller already knows whether grid `grid` has rules of
  // its own (model/grid_routes.h keeps that bit in the grid's record).
  absl::Span<const uint32_t> AreaCandidates(uint32_t grid, int32_t region, int32_t c,
                                            bool grid_has_rules) const {
    return List(AreaListId(grid, region, c, grid_has_rules));
  }
  // Which candidate list that is: lists are shared, so a table compiled per
  // list (route/compiled_rules.h) answers for every (place, category)
  // using it. ListById(AreaListId(...)) == AreaCandidates(...).
  uint32_t AreaListId(uint32_t grid, int32_t region, int32_t c, bool grid_has_rules) const {
    uint32_t list = region >= 0 ? RegionList(region, c)
                                : city_lists_[c];
    if (grid_has_rules) {
      auto it = grid_lists_.find((static_cast<uint64_t>(grid) << 32) | static_cast<uint32_t>(c));
      if (it != grid_lists_.end()) list = it->second;
    }
    return list;
  }
  uint32_t num_lists() const { return static_cast<uint32_t>(lists_.size()); }
  // Distinct rows of the (region, category) table (ShareRegionRows).
  uint32_t num_region_rows() const {
    return num_categories_ == 0 ? 0 : static_cast<uint32_t>(region_lists_.size() / num_categories_);
  }
  absl::Span<const uint32_t> ListById(uint32_t id) const { return List(id); }
  bool grid_has_rules(uint32_t grid) const {
    return grid < grid_has_rules_.size() && grid_has_rules_[grid] != 0;
  }
  // Starts fetching what AreaCandidates(_, region, c, false) will read.
  void PrefetchArea(int32_t region, int32_t c) const {
    if (region >= 0) {
      __builtin_prefetch(&RegionList(region, c));
    }
  }
  bool has_layer_rules() const { return !layer_lists_.empty(); }
  // Rules of layer `layer` for category `c`, best first.
  absl::Span<const uint32_t> LayerCandidates(int32_t layer, int32_t c) const {
    if (static_cast<size_t>(layer) >= layer_has_rules_.size() || !layer_has_rules_[layer]) {
      return {};
    }
    auto it = layer_lists_.find((static_cast<uint64_t>(layer) << 32) | static_cast<uint32_t>(c));
    return it == layer_lists_.end() ? absl::Span<const uint32_t>() : List(it->second);
  }
  bool uncovered(int32_t c) const { return uncovered_[c] != 0; }
  size_t MemoryBytes() const;

 private:
  friend struct SnapCodec;  // snapshot/snap_codec.h: the compiled snapshot file
  // Region `region`'s list for category c. Regions whose lists are equal
  // for every category share one row (most inherit all their rules), so the
  // table is rows x categories, not regions x categories, small enough to
  // stay cached (figures: docs/SERVED_PATH.md).
  const uint32_t& RegionList(int32_t region, int32_t c) const {
    return region_lists_[static_cast<size_t>(region_row_[region]) * num_categories_ + c];
  }
  absl::Span<const uint32_t> List(uint32_t id) const {
    return absl::Span<const uint32_t>(pool_.data() + lists_[id].first, lists_[id].second);
  }
  uint32_t AddList(std::vector<uint32_t>& ids);
  // Build's steps after the rows are read (rules_ set, keys assigned).
  // Sets uncovered_; an error for each rule lacking a deadline for an
  // urgency one of its categories allows.
  void CheckDeadlinesAndCoverage(const std::string& path, const Categories& cats,
                                 ErrorList* errors);
  // One line in `warnings` (may be null) naming the uncovered categories.
  void WarnUncovered(const std::string& path, const Categories& cats,
                     std::vector<std::string>* warnings) const;
  // The candidate lists: city, regions (inheriting), grids, layers.
  void Compile(const RuleContext& ctx);
  // Compile's step: region_lists_ (one row per region) to shared rows.
  void ShareRegionRows();
  // The list of `own`'s rules matching `category` followed by the list
  // `parent_list`; `parent_list` itself if none matches. `ids`: scratch.
  uint32_t MergedList(uint32_t parent_list, const std::vector<uint32_t>& own,
                      const Category& category, std::vector<uint32_t>* ids);

  std::vector<Rule> rules_;
  int32_t num_categories_ = 0;
  std::vector<uint32_t> pool_;
  std::vector<std::pair<uint32_t, uint32_t>> lists_{{0, 0}};  // list 0 is empty
  std::vector<uint32_t> city_lists_;    // per category
  std::vector<uint32_t> region_row_;    // per region: its row of region_lists_
  std::vector<uint32_t> region_lists_;  // per distinct row x category
  std::vector<uint8_t> grid_has_rules_;
  absl::flat_hash_map<uint64_t, uint32_t> grid_lists_;
  std::vector<uint8_t> layer_has_rules_;
  absl::flat_hash_map<uint64_t, uint32_t> layer_lists_;
  std::vector<uint8_t> uncovered_;
};

// Parses "normal=1wd;urgent=2wh;emergency=30min;*=4h" into per-urgency specs.
absl::Status ParseDeadlines(absl::string_view text, const Categories& categories,
                            DeadlineSpec (&out)[kMaxUrgencies]);

}  // namespace gridroute

#endif  // GRIDROUTE_MODEL_RULES_H_

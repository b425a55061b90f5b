// Copyright 2026 gridroute authors.
//
// The region hierarchy above the unit grids (e.g. district → street →
// community, or Yanji's first/second/third-level grids). Levels are data: the
// pack's manifest names them, top first.
//
// Example (compiled in tests/docs/header_examples_test.cc):
// clang-format off
//   ASSIGN_OR_RETURN(Hierarchy h, Hierarchy::Build(levels, rows, "regions.csv"));
//   int32_t community = h.Find("320501001001");
//   for (int32_t r = community; r >= 0; r = h.region(r).parent) visit(r);
// clang-format on
//
// Thread-safety: immutable after Build(); safe to share.
#ifndef GRIDROUTE_MODEL_HIERARCHY_H_
#define GRIDROUTE_MODEL_HIERARCHY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gridroute {

class ErrorList;

struct Region {
  std::string code;
  std::string name;
  int32_t level = 0;    // index into Hierarchy::levels(), 0 = top
  int32_t parent = -1;  // region index, -1 for a top-level region
};

// One row of the pack's regions file, before validation.
struct RegionRow {
  std::string code, name, level, parent;
  int64_t line = 0;  // 1-based line in `file`, for messages
};

class Hierarchy {
 public:
  Hierarchy() = default;

  // Validates and indexes the rows. Errors (the first `max_errors`, then
  // "... and N more"; one per line of the message, each naming the file, line
  // and code): empty or duplicate code, unknown level, parent that does not
  // exist, a cycle, a parent that is not at a higher level, a non-top region
  // without a parent.
  static absl::StatusOr<Hierarchy> Build(std::vector<std::string> levels,
                                         std::vector<RegionRow> rows,
                                         absl::string_view file, int max_errors = 50);

  const std::vector<std::string>& levels() const { return levels_; }
  int32_t num_regions() const { return static_cast<int32_t>(regions_.size()); }
  const Region& region(int32_t i) const { return regions_[i]; }
  // Region index for `code`, or -1.
  int32_t Find(absl::string_view code) const;
  // Fills chain[level] with the region index of that level on the path from
  // `region` to the top (-1 where the path skips a level).
  // REQUIRES: chain.size() == levels().size().
  void Chain(int32_t region, std::vector<int32_t>& chain) const;
  // Where Chain(region) reads (for prefetching a batch).
  const int32_t* chain_data(int32_t region) const {
    return chains_.data() + static_cast<size_t>(region) * levels_.size();
  }

 private:
  friend struct SnapCodec;  // snapshot/snap_codec.h: the compiled snapshot file
  // Build's steps (hierarchy.cc). line_of[i]: region i's line.
  void AddRegions(const std::vector<RegionRow>& rows, absl::string_view file,
                  std::vector<int64_t>* line_of, ErrorList* errors);
  void ResolveParents(const std::vector<RegionRow>& rows, absl::string_view file,
                      const std::vector<int64_t>& line_of, ErrorList* errors);
  void ReportCycles(absl::string_view file, const std::vector<int64_t>& line_of,
                    ErrorList* errors) const;
  void CheckParentLevels(absl::string_view file, const std::vector<int64_t>& line_of,
                         ErrorList* errors) const;

  std::vector<std::string> levels_;
  std::vector<Region> regions_;
  std::vector<int32_t> chains_;  // levels().size() per region, -1 for a skipped level
  absl::flat_hash_map<std::string, int32_t> by_code_;
};

}  // namespace gridroute

#endif  // GRIDROUTE_MODEL_HIERARCHY_H_

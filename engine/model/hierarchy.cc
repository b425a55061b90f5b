// Copyright 2026 gridroute authors.
#include "model/hierarchy.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/echo.h"
#include "common/error_list.h"

namespace gridroute {

namespace {
std::string Where(absl::string_view file, const RegionRow& row) {
  return absl::StrCat(file, ":", row.line, ": region '", Echo(row.code), "'");
}
}  // namespace

void Hierarchy::AddRegions(const std::vector<RegionRow>& rows, absl::string_view file,
                           std::vector<int64_t>* line_of, ErrorList* errors) {
  regions_.reserve(rows.size());
  for (const RegionRow& row : rows) {
    if (row.code.empty()) {
      errors->Add(absl::StrCat(file, ":", row.line, ": empty region code"));
      continue;
    }
    auto level_it = std::find(levels_.begin(), levels_.end(), row.level);
    if (level_it == levels_.end()) {
      errors->Add(absl::StrCat(Where(file, row), ": unknown level '", Echo(row.level),
                               "' (manifest levels: ", absl::StrJoin(levels_, ", "), ")"));
      continue;
    }
    auto [it, inserted] = by_code_.emplace(row.code, regions_.size());
    if (!inserted) {
      errors->Add(absl::StrCat(Where(file, row), ": duplicate region code (first at line ",
                               (*line_of)[it->second], ")"));
      continue;
    }
    Region r;
    r.code = row.code;
    r.name = row.name;
    r.level = static_cast<int32_t>(level_it - levels_.begin());
    regions_.push_back(std::move(r));
    line_of->push_back(row.line);
  }
}

void Hierarchy::ResolveParents(const std::vector<RegionRow>& rows, absl::string_view file,
                               const std::vector<int64_t>& line_of, ErrorList* errors) {
  for (const RegionRow& row : rows) {
    auto it = by_code_.find(row.code);
    if (it == by_code_.end() || line_of[it->second] != row.line) continue;
    Region& r = regions_[it->second];
    if (row.parent.empty()) {
      if (r.level != 0) {
        errors->Add(absl::StrCat(Where(file, row), ": level '", Echo(row.level),
                                 "' is not the top level but has no parent"));
      }
      continue;
    }
    auto p = by_code_.find(row.parent);
    if (p == by_code_.end()) {
      errors->Add(absl::StrCat(Where(file, row), ": parent '", Echo(row.parent),
                               "' does not exist"));
      continue;
    }
    r.parent = p->second;
  }
}

void Hierarchy::ReportCycles(absl::string_view file, const std::vector<int64_t>& line_of,
                             ErrorList* errors) const {
  std::vector<uint8_t> state(regions_.size(), 0);  // 0 new, 1 on path, 2 done
  for (int32_t start = 0; start < num_regions(); ++start) {
    std::vector<int32_t> path;
    int32_t r = start;
    while (r >= 0 && state[r] == 0) {
      state[r] = 1;
      path.push_back(r);
      r = regions_[r].parent;
    }
    if (r >= 0 && state[r] == 1) {
      std::vector<std::string> codes;
      auto at = std::find(path.begin(), path.end(), r);
      for (; at != path.end(); ++at) codes.push_back(regions_[*at].code);
      codes.push_back(regions_[r].code);
      errors->Add(absl::StrCat(file, ":", line_of[r], ": region '", regions_[r].code,
                               "': cycle in hierarchy: ", absl::StrJoin(codes, " -> ")));
    }
    for (int32_t q : path) state[q] = 2;
  }
}

void Hierarchy::CheckParentLevels(absl::string_view file, const std::vector<int64_t>& line_of,
                                  ErrorList* errors) const {
  for (int32_t i = 0; i < num_regions(); ++i) {
    const Region& r = regions_[i];
    if (r.parent >= 0 && regions_[r.parent].level >= r.level) {
      errors->Add(absl::StrCat(file, ":", line_of[i], ": region '", Echo(r.code), "' at level '",
                               levels_[r.level], "' has parent '", Echo(regions_[r.parent].code),
                               "' at level '", levels_[regions_[r.parent].level],
                               "', which is not higher"));
    }
  }
}

absl::StatusOr<Hierarchy> Hierarchy::Build(std::vector<std::string> levels,
                                           std::vector<RegionRow> rows,
                                           absl::string_view file, int max_errors) {
  Hierarchy h;
  h.levels_ = std::move(levels);
  ErrorList errors(max_errors);
  std::vector<int64_t> line_of;  // per region
  h.AddRegions(rows, file, &line_of, &errors);
  // Parents, once every region is known (rows may come in any order).
  h.ResolveParents(rows, file, line_of, &errors);
  // Cycles: walk up from every region with a step bound.
  if (errors.empty()) h.ReportCycles(file, line_of, &errors);
  if (errors.empty()) h.CheckParentLevels(file, line_of, &errors);
  if (!errors.empty()) return absl::InvalidArgumentError(errors.Lines());
  // Every region's chain, flat: Chain() is then one contiguous read.
  const size_t num_levels = h.levels_.size();
  h.chains_.assign(h.regions_.size() * num_levels, -1);
  for (int32_t i = 0; i < h.num_regions(); ++i) {
    for (int32_t r = i; r >= 0; r = h.regions_[r].parent) {
      h.chains_[static_cast<size_t>(i) * num_levels + h.regions_[r].level] = r;
    }
  }
  return h;
}

int32_t Hierarchy::Find(absl::string_view code) const {
  auto it = by_code_.find(code);
  return it == by_code_.end() ? -1 : it->second;
}

void Hierarchy::Chain(int32_t region, std::vector<int32_t>& chain) const {
  if (region < 0) {
    std::fill(chain.begin(), chain.end(), -1);
    return;
  }
  const int32_t* c = chains_.data() + static_cast<size_t>(region) * levels_.size();
  std::copy(c, c + levels_.size(), chain.begin());
}

}  // namespace gridroute

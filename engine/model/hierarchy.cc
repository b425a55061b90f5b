// Copyright 2026 gridroute authors.
#include "model/hierarchy.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/echo.h"

namespace gridroute {

absl::StatusOr<Hierarchy> Hierarchy::Build(std::vector<std::string> levels,
                                           std::vector<RegionRow> rows,
                                           absl::string_view file) {
  Hierarchy h;
  h.levels_ = std::move(levels);
  std::vector<std::string> errors;
  auto where = [&](const RegionRow& row) {
    return absl::StrCat(file, ":", row.line, ": region '", Echo(row.code), "'");
  };
  h.regions_.reserve(rows.size());
  std::vector<int64_t> line_of;
  for (const RegionRow& row : rows) {
    if (row.code.empty()) {
      errors.push_back(absl::StrCat(file, ":", row.line, ": empty region code"));
      continue;
    }
    auto level_it = std::find(h.levels_.begin(), h.levels_.end(), row.level);
    if (level_it == h.levels_.end()) {
      errors.push_back(absl::StrCat(where(row), ": unknown level '", Echo(row.level),
                                    "' (manifest levels: ",
                                    absl::StrJoin(h.levels_, ", "), ")"));
      continue;
    }
    auto [it, inserted] = h.by_code_.emplace(row.code, h.regions_.size());
    if (!inserted) {
      errors.push_back(absl::StrCat(where(row), ": duplicate region code (first at line ",
                                    line_of[it->second], ")"));
      continue;
    }
    Region r;
    r.code = row.code;
    r.name = row.name;
    r.level = static_cast<int32_t>(level_it - h.levels_.begin());
    h.regions_.push_back(std::move(r));
    line_of.push_back(row.line);
  }
  // Resolve parents (rows may come in any order).
  for (const RegionRow& row : rows) {
    auto it = h.by_code_.find(row.code);
    if (it == h.by_code_.end() || line_of[it->second] != row.line) continue;
    Region& r = h.regions_[it->second];
    if (row.parent.empty()) {
      if (r.level != 0) {
        errors.push_back(absl::StrCat(where(row), ": level '", Echo(row.level),
                                      "' is not the top level but has no parent"));
      }
      continue;
    }
    auto p = h.by_code_.find(row.parent);
    if (p == h.by_code_.end()) {
      errors.push_back(absl::StrCat(where(row), ": parent '", Echo(row.parent),
                                    "' does not exist"));
      continue;
    }
    r.parent = p->second;
  }
  // Cycles: walk up from every region with a step bound.
  if (errors.empty()) {
    std::vector<uint8_t> state(h.regions_.size(), 0);  // 0 new, 1 on path, 2 done
    for (int32_t start = 0; start < h.num_regions(); ++start) {
      std::vector<int32_t> path;
      int32_t r = start;
      while (r >= 0 && state[r] == 0) {
        state[r] = 1;
        path.push_back(r);
        r = h.regions_[r].parent;
      }
      if (r >= 0 && state[r] == 1) {
        std::vector<std::string> codes;
        auto at = std::find(path.begin(), path.end(), r);
        for (; at != path.end(); ++at) codes.push_back(h.regions_[*at].code);
        codes.push_back(h.regions_[r].code);
        errors.push_back(absl::StrCat(file, ":", line_of[r], ": region '",
                                      h.regions_[r].code, "': cycle in hierarchy: ",
                                      absl::StrJoin(codes, " -> ")));
      }
      for (int32_t q : path) state[q] = 2;
    }
  }
  if (errors.empty()) {
    for (int32_t i = 0; i < h.num_regions(); ++i) {
      const Region& r = h.regions_[i];
      if (r.parent >= 0 && h.regions_[r.parent].level >= r.level) {
        errors.push_back(absl::StrCat(
            file, ":", line_of[i], ": region '", Echo(r.code), "' at level '",
            h.levels_[r.level], "' has parent '", Echo(h.regions_[r.parent].code),
            "' at level '", h.levels_[h.regions_[r.parent].level],
            "', which is not higher"));
      }
    }
  }
  if (!errors.empty()) {
    return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
  }
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

// Copyright 2026 gridroute authors.
#include "model/teams.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/csv.h"
#include "common/status_macros.h"

namespace gridroute {

const char* TeamRoleName(TeamRole r) {
  switch (r) {
    case TeamRole::kLeader: return "leader";
    case TeamRole::kInstructor: return "instructor";
    case TeamRole::kMember: return "member";
    case TeamRole::kSpecialist: return "specialist";
  }
  return "member";
}

int32_t Teams::FindSpecialty(absl::string_view name) const {
  auto it = std::find(specialties_.begin(), specialties_.end(), name);
  return it == specialties_.end() ? -1 : static_cast<int32_t>(it - specialties_.begin());
}

size_t Teams::MemoryBytes() const {
  size_t people = 0;
  for (const Person& p : people_) people += sizeof(Person) + p.id.capacity() + p.name.capacity() + p.phone.capacity();
  return people + (grid_begin_.capacity() + region_begin_.capacity()) * 4 +
         (grid_entries_.capacity() + region_entries_.capacity()) * sizeof(Entry);
}

absl::StatusOr<Teams> Teams::Load(const std::string& path, const Hierarchy& hierarchy,
                                  uint32_t num_grids,
                                  const std::function<uint32_t(absl::string_view)>& find_grid) {
  ASSIGN_OR_RETURN(CsvTable t, CsvTable::Open(path, {"scope", "role", "specialty", "person",
                                                     "name", "phone"}));
  Teams teams;
  teams.hierarchy_ = &hierarchy;
  std::vector<std::string> errors;
  absl::flat_hash_map<std::string, int32_t> by_person;
  // (is_region, scope, entry)
  std::vector<std::tuple<bool, int32_t, Entry>> rows;
  while (t.Next()) {
    const std::string where = absl::StrCat(path, ":", t.line(), ": ");
    const absl::string_view scope = t.Get(0);
    bool is_region;
    int32_t idx;
    if (absl::StartsWith(scope, "grid:")) {
      is_region = false;
      const uint32_t g = find_grid(scope.substr(5));
      if (g >= num_grids) { errors.push_back(absl::StrCat(where, "scope '", scope, "': no such grid")); continue; }
      idx = static_cast<int32_t>(g);
    } else if (absl::StartsWith(scope, "region:")) {
      is_region = true;
      idx = hierarchy.Find(scope.substr(7));
      if (idx < 0) { errors.push_back(absl::StrCat(where, "scope '", scope, "': no such region")); continue; }
    } else {
      errors.push_back(absl::StrCat(where, "scope '", scope, "' is not grid:<code> or region:<code>"));
      continue;
    }
    Entry e;
    const absl::string_view role = t.Get(1);
    if (role == "leader") e.role = TeamRole::kLeader;
    else if (role == "instructor") e.role = TeamRole::kInstructor;
    else if (role == "member") e.role = TeamRole::kMember;
    else if (role == "specialist") e.role = TeamRole::kSpecialist;
    else {
      errors.push_back(absl::StrCat(where, "role '", role, "' is not leader, instructor, member or specialist"));
      continue;
    }
    e.specialty = -1;
    if (e.role == TeamRole::kSpecialist) {
      if (t.Get(2).empty()) {
        errors.push_back(absl::StrCat(where, "specialist '", t.Get(3), "' has no specialty"));
        continue;
      }
      e.specialty = teams.FindSpecialty(t.Get(2));
      if (e.specialty < 0) {
        e.specialty = static_cast<int32_t>(teams.specialties_.size());
        teams.specialties_.emplace_back(t.Get(2));
      }
    }
    const std::string pid(t.Get(3));
    if (pid.empty()) { errors.push_back(absl::StrCat(where, "empty person id")); continue; }
    auto [it, inserted] = by_person.emplace(pid, static_cast<int32_t>(teams.people_.size()));
    if (inserted) {
      teams.people_.push_back(Person{pid, std::string(t.Get(4)), std::string(t.Get(5))});
    } else if (teams.people_[it->second].name != t.Get(4)) {
      errors.push_back(absl::StrCat(where, "person '", pid, "' is named '", t.Get(4),
                                    "' here but '", teams.people_[it->second].name, "' before"));
      continue;
    }
    e.person = it->second;
    rows.emplace_back(is_region, idx, e);
  }
  RETURN_IF_ERROR(t.status());
  if (!errors.empty()) {
    if (errors.size() > 50) errors.resize(50);
    return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
  }
  // CSR per scope kind.
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return std::make_pair(std::get<0>(a), std::get<1>(a)) < std::make_pair(std::get<0>(b), std::get<1>(b));
  });
  auto build = [&](bool region, uint32_t n, std::vector<uint32_t>& begin, std::vector<Entry>& entries) {
    begin.assign(n + 1, 0);
    for (const auto& [r, idx, e] : rows) {
      if (r == region) ++begin[idx + 1];
    }
    for (uint32_t i = 0; i < n; ++i) begin[i + 1] += begin[i];
    entries.reserve(begin[n]);
    for (const auto& [r, idx, e] : rows) {
      if (r == region) entries.push_back(e);
    }
  };
  build(false, num_grids, teams.grid_begin_, teams.grid_entries_);
  build(true, static_cast<uint32_t>(hierarchy.num_regions()), teams.region_begin_, teams.region_entries_);
  return teams;
}

void Teams::Resolve(uint32_t grid, int32_t region, int32_t specialty,
                    std::vector<TeamAssignment>* out) const {
  // found[role]; the specialist slot only counts the wanted specialty.
  bool found[4] = {false, false, false, specialty < 0};
  auto scan = [&](const std::vector<Entry>& entries, uint32_t b, uint32_t e, bool from_grid,
                  int32_t scope) {
    bool here[4] = {false, false, false, false};
    for (uint32_t i = b; i < e; ++i) {
      const Entry& en = entries[i];
      const int r = static_cast<int>(en.role);
      if (found[r]) continue;
      if (en.role == TeamRole::kSpecialist && en.specialty != specialty) continue;
      out->push_back(TeamAssignment{en.role, en.specialty, en.person, from_grid, scope});
      here[r] = true;
    }
    for (int r = 0; r < 4; ++r) found[r] = found[r] || here[r];
  };
  if (grid + 1 < grid_begin_.size()) {
    scan(grid_entries_, grid_begin_[grid], grid_begin_[grid + 1], true, static_cast<int32_t>(grid));
  }
  // A pack without teams.csv has no roster (and no hierarchy pointer): no
  // team, not a crash.
  if (hierarchy_ == nullptr || region_begin_.empty()) return;
  for (int32_t r = region; r >= 0 && !(found[0] && found[1] && found[2] && found[3]);
       r = hierarchy_->region(r).parent) {
    scan(region_entries_, region_begin_[r], region_begin_[r + 1], false, r);
  }
}

}  // namespace gridroute

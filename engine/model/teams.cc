// Copyright 2026 gridroute authors.
#include "model/teams.h"

#include <algorithm>
#include <tuple>

#include "absl/hash/hash.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/csv.h"
#include "common/echo.h"
#include "common/error_list.h"
#include "common/status_macros.h"
#include "model/csv_chunks.h"

namespace gridroute {

const char* TeamRoleName(TeamRole r) {
  switch (r) {
    case TeamRole::kLeader:
      return "leader";
    case TeamRole::kInstructor:
      return "instructor";
    case TeamRole::kMember:
      return "member";
    case TeamRole::kSpecialist:
      return "specialist";
  }
  return "member";
}

int32_t Teams::FindSpecialty(absl::string_view name) const {
  auto it = std::find(specialties_.begin(), specialties_.end(), name);
  return it == specialties_.end()
             ? -1
             : static_cast<int32_t>(it - specialties_.begin());
}

size_t Teams::MemoryBytes() const {
  return ids_.MemoryBytes() + phones_.MemoryBytes() + names_.MemoryBytes() +
         name_of_.MemoryBytes() + grid_begin_.MemoryBytes() + region_begin_.MemoryBytes() +
         grid_entries_.MemoryBytes() + region_entries_.MemoryBytes();
}

namespace {

const std::vector<std::string> kColumns = {"scope",  "role", "specialty",
                                           "person", "name", "phone"};

bool ParseRole(absl::string_view role, TeamRole* out) {
  if (role == "leader")
    *out = TeamRole::kLeader;
  else if (role == "instructor")
    *out = TeamRole::kInstructor;
  else if (role == "member")
    *out = TeamRole::kMember;
  else if (role == "specialist")
    *out = TeamRole::kSpecialist;
  else
    return false;
  return true;
}

// The original sequential reader (CsvTable, one row at a time), kept to word
// the errors: Load() runs it only once its parallel pass has failed.
absl::Status ReportErrors(
    const std::string& path, const Hierarchy& hierarchy, uint32_t num_grids,
    const std::function<uint32_t(absl::string_view)>& find_grid, const CsvFileOptions& csv,
    int max_errors) {
  ASSIGN_OR_RETURN(CsvTable t, CsvTable::Open(path, kColumns, {}, csv));
  ErrorList errors(max_errors);
  absl::flat_hash_map<std::string, std::string>
      name_of;  // person id -> first name
  while (t.Next()) {
    const std::string where = absl::StrCat(path, ":", t.line(), ": ");
    const absl::string_view scope = t.Get(0);
    if (absl::StartsWith(scope, "grid:")) {
      if (find_grid(scope.substr(5)) >= num_grids) {
        errors.Add(absl::StrCat(where, "scope '", Echo(scope), "': no such grid"));
        continue;
      }
    } else if (absl::StartsWith(scope, "region:")) {
      if (hierarchy.Find(scope.substr(7)) < 0) {
        errors.Add(absl::StrCat(where, "scope '", Echo(scope), "': no such region"));
        continue;
      }
    } else {
      errors.Add(absl::StrCat(where, "scope '", Echo(scope),
                              "' is not grid:<code> or region:<code>"));
      continue;
    }
    TeamRole role;
    if (!ParseRole(t.Get(1), &role)) {
      errors.Add(
          absl::StrCat(where, "role '", Echo(t.Get(1)),
                       "' is not leader, instructor, member or specialist"));
      continue;
    }
    if (role == TeamRole::kSpecialist && t.Get(2).empty()) {
      errors.Add(
          absl::StrCat(where, "specialist '", Echo(t.Get(3)), "' has no specialty"));
      continue;
    }
    const std::string pid(t.Get(3));
    if (pid.empty()) {
      errors.Add(absl::StrCat(where, "empty person id"));
      continue;
    }
    auto [it, inserted] = name_of.emplace(pid, std::string(t.Get(4)));
    if (!inserted && it->second != t.Get(4)) {
      errors.Add(absl::StrCat(where, "person '", Echo(pid), "' is named '", Echo(t.Get(4)),
                              "' here but '", it->second, "' before"));
      continue;
    }
  }
  return SequentialReadErrors(t.status(), errors, path, "Teams::Load");
}

}  // namespace

namespace {
// Person ids of one chunk: open addressing with linear probing over 8-byte
// slots (hash tag << 32 | person + 1), sized once for the chunk's lines, so
// a new id costs one cache miss (a flat_hash_map<string_view> costs two or
// three: it was most of the read).
class PidTable {
 public:
  explicit PidTable(size_t max_ids = 0) {
    size_t n = 16;
    while (n < 2 * max_ids) n *= 2;
    slots_.assign(n, 0);
  }
  static uint64_t Hash(absl::string_view pid) {
    return absl::Hash<absl::string_view>{}(pid);
  }
  // The person of `h` for which same(person) holds, or -1 after inserting
  // `next` (REQUIRES: fewer than max_ids insertions).
  template <typename Same>
  int64_t FindOrInsert(uint64_t h, uint32_t next, const Same& same) {
    const uint64_t tag = h >> 32;
    for (size_t p = h & (slots_.size() - 1);;
         p = (p + 1) & (slots_.size() - 1)) {
      const uint64_t s = slots_[p];
      if (s == 0) {
        slots_[p] = tag << 32 | (uint64_t{next} + 1);
        return -1;
      }
      if ((s >> 32) == tag && same(static_cast<uint32_t>(s) - 1))
        return static_cast<uint32_t>(s) - 1;
    }
  }
  template <typename Same>
  int64_t Find(uint64_t h, const Same& same) const {
    const uint64_t tag = h >> 32;
    for (size_t p = h & (slots_.size() - 1);;
         p = (p + 1) & (slots_.size() - 1)) {
      const uint64_t s = slots_[p];
      if (s == 0) return -1;
      if ((s >> 32) == tag && same(static_cast<uint32_t>(s) - 1))
        return static_cast<uint32_t>(s) - 1;
    }
  }

 private:
  std::vector<uint64_t> slots_;
};
}  // namespace

// What one chunk of the file produced: its rows, and its people and
// specialties in order of first appearance (views into the file's mapping).
struct Teams::Part {
  struct Row {
    int32_t scope;
    uint32_t person;    // into pids
    int32_t specialty;  // into specialties, -1
    bool region;
    TeamRole role;
  };
  std::vector<Row> rows;
  std::vector<absl::string_view> pids, phones;
  std::vector<uint32_t> name_of;  // into names
  std::vector<absl::string_view> names;
  std::vector<std::string> specialties;
  PidTable person_of;
  absl::flat_hash_map<absl::string_view, uint32_t> name_ids;
  bool failed = false;
  // The last row's scope, resolved (rows of one scope come together).
  std::string last_scope;
  int32_t last_idx = -1;
  bool last_region = false;

  // Adds the row; false if it is bad (a sequential read words the error).
  bool Read(const Hierarchy& hierarchy, uint32_t num_grids,
            const std::function<uint32_t(absl::string_view)>& find_grid,
            CsvChunks::Row& row) {
    Row r;
    if (!ResolveScope(hierarchy, num_grids, find_grid, row.Get(0), &r)) return false;
    if (!ParseRole(row.Get(1), &r.role)) return false;
    r.specialty = -1;
    if (r.role == TeamRole::kSpecialist) {
      const absl::string_view s = row.Get(2);
      if (s.empty()) return false;
      auto it = std::find(specialties.begin(), specialties.end(), s);
      r.specialty = static_cast<int32_t>(it - specialties.begin());
      if (it == specialties.end()) specialties.emplace_back(s);
    }
    if (row.Get(3).empty()) return false;
    const absl::string_view pid = row.Keep(3);
    const int64_t found =
        person_of.FindOrInsert(PidTable::Hash(pid), static_cast<uint32_t>(pids.size()),
                               [&](uint32_t j) { return pids[j] == pid; });
    if (found < 0) {
      const absl::string_view name = row.Keep(4);
      auto [n, fresh] = name_ids.emplace(name, static_cast<uint32_t>(names.size()));
      if (fresh) names.push_back(name);
      pids.push_back(pid);
      name_of.push_back(n->second);
      phones.push_back(row.Keep(5));
    } else if (names[name_of[found]] != row.Get(4)) {
      return false;
    }
    r.person = found < 0 ? static_cast<uint32_t>(pids.size() - 1) : static_cast<uint32_t>(found);
    rows.push_back(r);
    return true;
  }

 private:
  bool ResolveScope(const Hierarchy& hierarchy, uint32_t num_grids,
                    const std::function<uint32_t(absl::string_view)>& find_grid,
                    absl::string_view scope, Row* r) {
    if (last_idx >= 0 && scope == last_scope) {
      r->region = last_region;
      r->scope = last_idx;
      return true;
    }
    if (absl::StartsWith(scope, "grid:")) {
      const uint32_t g = find_grid(scope.substr(5));
      r->region = false;
      r->scope = g < num_grids ? static_cast<int32_t>(g) : -1;
    } else if (absl::StartsWith(scope, "region:")) {
      r->region = true;
      r->scope = hierarchy.Find(scope.substr(7));
    } else {
      r->scope = -1;
    }
    if (r->scope < 0) return false;
    last_scope.assign(scope.data(), scope.size());
    last_idx = r->scope;
    last_region = r->region;
    return true;
  }
};

bool Teams::MergePeople(std::vector<Part>& parts,
                        std::vector<std::vector<uint32_t>>* person_map,
                        std::vector<std::vector<uint32_t>>* spec_map) {
  absl::flat_hash_map<absl::string_view, uint32_t> name_ids;
  person_map->assign(parts.size(), {});
  spec_map->assign(parts.size(), {});
  size_t people = 0, id_chars = 0, phone_chars = 0;
  for (const Part& p : parts) {
    people += p.pids.size();
    for (absl::string_view s : p.pids) id_chars += s.size();
    for (absl::string_view s : p.phones) phone_chars += s.size();
  }
  ids_.Reserve(people, id_chars);
  phones_.Reserve(people, phone_chars);
  std::vector<uint32_t>& name_of = name_of_.owned();
  name_of.reserve(people);
  for (size_t k = 0; k < parts.size(); ++k) {
    const Part& p = parts[k];
    for (const std::string& s : p.specialties) {
      int32_t g = FindSpecialty(s);
      if (g < 0) {
        g = static_cast<int32_t>(specialties_.size());
        specialties_.push_back(s);
      }
      (*spec_map)[k].push_back(static_cast<uint32_t>(g));
    }
    std::vector<uint32_t> name_map(p.names.size());
    for (size_t j = 0; j < p.names.size(); ++j) {
      auto [it, fresh] = name_ids.emplace(p.names[j], names_.size());
      if (fresh) names_.Add(p.names[j]);
      name_map[j] = it->second;
    }
    (*person_map)[k].resize(p.pids.size());
    for (size_t j = 0; j < p.pids.size(); ++j) {
      uint32_t g = ~0u;
      const uint64_t h = k > 0 ? PidTable::Hash(p.pids[j]) : 0;
      for (size_t e = 0; e < k && g == ~0u; ++e) {
        const int64_t f = parts[e].person_of.Find(
            h, [&](uint32_t i) { return parts[e].pids[i] == p.pids[j]; });
        if (f >= 0) g = (*person_map)[e][f];
      }
      if (g != ~0u) {
        // Seen in an earlier chunk: the same name, or a sequential read words
        // the error.
        if (names_.Get(name_of[g]) != p.names[p.name_of[j]]) return false;
      } else {
        g = ids_.Add(p.pids[j]);
        phones_.Add(p.phones[j]);
        name_of.push_back(name_map[p.name_of[j]]);
      }
      (*person_map)[k][j] = g;
    }
  }
  for (Part& p : parts) {
    p.pids = std::vector<absl::string_view>();
    p.phones = std::vector<absl::string_view>();
    p.names = std::vector<absl::string_view>();
    p.person_of = PidTable();
    p.name_ids = absl::flat_hash_map<absl::string_view, uint32_t>();
  }
  return true;
}

void Teams::BuildEntries(const std::vector<Part>& parts, uint32_t num_grids,
                         const std::vector<std::vector<uint32_t>>& person_map,
                         const std::vector<std::vector<uint32_t>>& spec_map) {
  const uint32_t num_regions = static_cast<uint32_t>(hierarchy_->num_regions());
  std::vector<uint32_t>& grid_begin = grid_begin_.owned();
  std::vector<uint32_t>& region_begin = region_begin_.owned();
  std::vector<Entry>& grid_entries = grid_entries_.owned();
  std::vector<Entry>& region_entries = region_entries_.owned();
  grid_begin.assign(num_grids + 1, 0);
  region_begin.assign(num_regions + 1, 0);
  for (const Part& p : parts) {
    for (const Part::Row& r : p.rows) {
      ++(r.region ? region_begin : grid_begin)[r.scope + 1];
    }
  }
  for (uint32_t i = 0; i < num_grids; ++i) grid_begin[i + 1] += grid_begin[i];
  for (uint32_t i = 0; i < num_regions; ++i) region_begin[i + 1] += region_begin[i];
  grid_entries.resize(grid_begin[num_grids]);
  region_entries.resize(region_begin[num_regions]);
  std::vector<uint32_t> grid_fill(grid_begin.begin(), grid_begin.end() - 1);
  std::vector<uint32_t> region_fill(region_begin.begin(), region_begin.end() - 1);
  for (size_t k = 0; k < parts.size(); ++k) {
    for (const Part::Row& r : parts[k].rows) {
      const int32_t spec = r.specialty < 0 ? -1 : static_cast<int32_t>(spec_map[k][r.specialty]);
      const Entry e{person_map[k][r.person],
                    static_cast<uint32_t>(r.role) | static_cast<uint32_t>(spec + 1) << 2};
      if (r.region) {
        region_entries[region_fill[r.scope]++] = e;
      } else {
        grid_entries[grid_fill[r.scope]++] = e;
      }
    }
  }
}

absl::StatusOr<Teams> Teams::Load(
    const std::string& path, const Hierarchy& hierarchy, uint32_t num_grids,
    const std::function<uint32_t(absl::string_view)>& find_grid, int threads,
    const CsvFileOptions& csv, int max_errors) {
  ASSIGN_OR_RETURN(CsvChunks file, CsvChunks::Open(path, kColumns, threads, {}, csv));
  std::vector<Part> parts(file.num_chunks());
  const absl::Status read = file.ParallelForEach([&](int chunk, CsvChunks::Row& row) {
    Part& p = parts[chunk];
    if (p.rows.capacity() == 0) {
      const size_t lines = file.CountLines(chunk);
      p.rows.reserve(lines);
      p.person_of = PidTable(lines);
    }
    if (!p.Read(hierarchy, num_grids, find_grid, row)) {
      p.failed = true;
      return false;
    }
    return true;
  });
  bool failed = !read.ok();
  for (const Part& p : parts) failed = failed || p.failed;
  if (failed) return ReportErrors(path, hierarchy, num_grids, find_grid, csv, max_errors);

  Teams teams;
  teams.hierarchy_ = &hierarchy;
  // People, names and specialties: chunk 0's, then each later chunk's new ones.
  std::vector<std::vector<uint32_t>> person_map, spec_map;
  if (!teams.MergePeople(parts, &person_map, &spec_map)) {
    return ReportErrors(path, hierarchy, num_grids, find_grid, csv, max_errors);
  }
  file.Close();
  // CSR per scope kind, rows in file order within a scope.
  teams.BuildEntries(parts, num_grids, person_map, spec_map);
  return teams;
}

void Teams::Resolve(uint32_t grid, int32_t region, int32_t specialty,
                    std::vector<TeamAssignment>* out) const {
  // found[role]; the specialist slot only counts the wanted specialty.
  bool found[4] = {false, false, false, specialty < 0};
  auto scan = [&](const PodArray<Entry>& entries, uint32_t b, uint32_t e,
                  bool from_grid, int32_t scope) {
    bool here[4] = {false, false, false, false};
    for (uint32_t i = b; i < e; ++i) {
      const Entry& en = entries[i];
      const TeamRole role = en.role();
      const int r = static_cast<int>(role);
      if (found[r]) continue;
      if (role == TeamRole::kSpecialist && en.specialty() != specialty)
        continue;
      out->push_back(TeamAssignment{role, en.specialty(),
                                    static_cast<int32_t>(en.person), from_grid,
                                    scope});
      here[r] = true;
    }
    for (int r = 0; r < 4; ++r) found[r] = found[r] || here[r];
  };
  if (grid + 1 < grid_begin_.size()) {
    scan(grid_entries_, grid_begin_[grid], grid_begin_[grid + 1], true,
         static_cast<int32_t>(grid));
  }
  // A pack without teams.csv has no roster (and no hierarchy pointer): no
  // team, not a crash.
  if (hierarchy_ == nullptr || region_begin_.empty()) return;
  for (int32_t r = region;
       r >= 0 && !(found[0] && found[1] && found[2] && found[3]);
       r = hierarchy_->region(r).parent) {
    scan(region_entries_, region_begin_[r], region_begin_[r + 1], false, r);
  }
}

}  // namespace gridroute

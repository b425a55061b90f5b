// Copyright 2026 gridroute authors.
//
// Grid teams: who goes. Each grid has a leader (网格长), maybe an instructor
// (指导员), full-time members (专职网格员) and specialty members (sanitation,
// greening, municipal, enforcement, lighting, …). Rosters are given per grid
// or per region and inherited down: a grid with nobody in a role takes the
// nearest ancestor's people in that role. One person may cover many grids
// (一人多格) and a grid may have several people in one role (一格多人).
//
//   // out: the leader, the members and the category's specialist
//   teams.Resolve(grid, community, specialty, &out);
//
// Thread-safety: immutable after Load(); safe to share. Resolve() costs one
// pass over the rosters on the path grid → top (a few entries each).
// Memory: O(roster rows + people), strings interned (figures at 2.75M rows:
// PACK.md, "Memory of the routing files").
#ifndef GRIDROUTE_MODEL_TEAMS_H_
#define GRIDROUTE_MODEL_TEAMS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/csv.h"
#include "common/pod_array.h"
#include "common/string_table.h"
#include "model/hierarchy.h"

namespace gridroute {

enum class TeamRole : uint8_t {
  kLeader = 0,
  kInstructor = 1,
  kMember = 2,
  kSpecialist = 3
};
const char* TeamRoleName(
    TeamRole r);  // "leader", "instructor", "member", "specialist"

struct Person {
  std::string id, name, phone;
};

struct TeamAssignment {
  TeamRole role = TeamRole::kLeader;
  int32_t specialty = -1;  // Teams::specialties() index, specialists only
  int32_t person = -1;
  bool from_grid = false;  // false: inherited from a region
  int32_t scope = -1;      // grid id or region index it came from
};

class Teams {
 public:
  Teams() = default;
  // Errors: unknown scope, unknown role, specialist without specialty, one
  // person id with two different names; the first `max_errors` are listed,
  // then "... and N more". The file is parsed on `threads` threads; the
  // messages (and their order) are those of a sequential read.
  static absl::StatusOr<Teams> Load(
      const std::string& path, const Hierarchy& hierarchy, uint32_t num_grids,
      const std::function<uint32_t(absl::string_view)>& find_grid,
      int threads = 2, const CsvFileOptions& file = {}, int max_errors = 50);

  // Appends to `out` the nearest leader(s), instructor(s), member(s) and the
  // specialist(s) of `specialty` (-1: none) for grid `grid` whose
  // lowest-level region is `region`.
  void Resolve(uint32_t grid, int32_t region, int32_t specialty,
               std::vector<TeamAssignment>* out) const;

  // By value: people are stored packed (ids, phones, interned names).
  Person person(int32_t i) const {
    return Person{std::string(ids_.Get(i)),
                  std::string(names_.Get(name_of_[i])),
                  std::string(phones_.Get(i))};
  }
  // The same fields without copies (views into the packed tables; valid
  // while the Teams live). For the service's CODES view and Directory.
  absl::string_view person_id(int32_t i) const { return ids_.Get(i); }
  void PrefetchPersonId(int32_t i) const { ids_.Prefetch(static_cast<uint32_t>(i)); }
  absl::string_view person_name(int32_t i) const { return names_.Get(name_of_[i]); }
  absl::string_view person_phone(int32_t i) const { return phones_.Get(i); }
  int32_t num_people() const { return static_cast<int32_t>(ids_.size()); }
  const std::vector<std::string>& specialties() const { return specialties_; }
  int32_t FindSpecialty(absl::string_view name) const;
  size_t MemoryBytes() const;

  // 8 bytes: the person, and role | (specialty + 1) << 2.
  struct Entry {
    uint32_t person;
    uint32_t role_specialty;
    TeamRole role() const { return static_cast<TeamRole>(role_specialty & 3); }
    int32_t specialty() const {
      return static_cast<int32_t>(role_specialty >> 2) - 1;
    }
  };
  // The roster rows given for grid `grid` / region `region`, in file order
  // (model/grid_routes.h compiles them per grid).
  absl::Span<const Entry> grid_entries(uint32_t grid) const {
    if (grid + 1 >= grid_begin_.size()) return {};
    return absl::MakeConstSpan(grid_entries_.data() + grid_begin_[grid],
                               grid_begin_[grid + 1] - grid_begin_[grid]);
  }
  absl::Span<const Entry> region_entries(int32_t region) const {
    if (region < 0 || static_cast<size_t>(region) + 1 >= region_begin_.size()) return {};
    return absl::MakeConstSpan(region_entries_.data() + region_begin_[region],
                               region_begin_[region + 1] - region_begin_[region]);
  }
  const Hierarchy* hierarchy() const { return hierarchy_; }

 private:
  friend struct SnapCodec;  // snapshot/snap_codec.h: the compiled snapshot file
  struct Part;
  // Load's steps after the parallel read (teams.cc): the chunks' people,
  // names and specialties into the tables (person_map/spec_map: chunk-local
  // to final ids; false if a person has two names across chunks), then the
  // entries by scope.
  bool MergePeople(std::vector<Part>& parts, std::vector<std::vector<uint32_t>>* person_map,
                   std::vector<std::vector<uint32_t>>* spec_map);
  void BuildEntries(const std::vector<Part>& parts, uint32_t num_grids,
                    const std::vector<std::vector<uint32_t>>& person_map,
                    const std::vector<std::vector<uint32_t>>& spec_map);

  // Person i: ids_.Get(i), names_.Get(name_of_[i]), phones_.Get(i).
  StringTable ids_, phones_, names_;
  // The per-person and roster arrays: owned when built from a pack, viewed
  // in a compiled snapshot's mapping when loaded in place
  // (LoadOptions::view_in_place).
  PodArray<uint32_t> name_of_;
  std::vector<std::string> specialties_;
  const Hierarchy* hierarchy_ = nullptr;
  PodArray<uint32_t> grid_begin_, region_begin_;  // CSR into entries
  PodArray<Entry> grid_entries_, region_entries_;
};

}  // namespace gridroute

#endif  // GRIDROUTE_MODEL_TEAMS_H_

// Copyright 2026 gridroute authors.
//
// Grid teams: who goes. Each grid has a leader (网格长), maybe an instructor
// (指导员), full-time members (专职网格员) and specialty members (sanitation,
// greening, municipal, enforcement, lighting, …). Rosters are given per grid
// or per region and inherited down: a grid with nobody in a role takes the
// nearest ancestor's people in that role. One person may cover many grids
// (一人多格) and a grid may have several people in one role (一格多人).
//
//   teams.Resolve(grid, community, specialty, &out);  // leader, member, specialist…
//
// Thread-safety: immutable after Load(); safe to share. Resolve() costs one
// pass over the rosters on the path grid → top (a few entries each).
#ifndef GRIDROUTE_MODEL_TEAMS_H_
#define GRIDROUTE_MODEL_TEAMS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "model/hierarchy.h"

namespace gridroute {

enum class TeamRole : uint8_t { kLeader = 0, kInstructor = 1, kMember = 2, kSpecialist = 3 };
const char* TeamRoleName(TeamRole r);  // "leader", "instructor", "member", "specialist"

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
  // person id with two different names.
  static absl::StatusOr<Teams> Load(const std::string& path, const Hierarchy& hierarchy,
                                    uint32_t num_grids,
                                    const std::function<uint32_t(absl::string_view)>& find_grid);

  // Appends to `out` the nearest leader(s), instructor(s), member(s) and the
  // specialist(s) of `specialty` (-1: none) for grid `grid` whose
  // lowest-level region is `region`.
  void Resolve(uint32_t grid, int32_t region, int32_t specialty,
               std::vector<TeamAssignment>* out) const;

  const Person& person(int32_t i) const { return people_[i]; }
  const std::vector<std::string>& specialties() const { return specialties_; }
  int32_t FindSpecialty(absl::string_view name) const;
  size_t MemoryBytes() const;

 private:
  struct Entry {
    TeamRole role;
    int32_t specialty;
    int32_t person;
  };
  std::vector<Person> people_;
  std::vector<std::string> specialties_;
  const Hierarchy* hierarchy_ = nullptr;
  std::vector<uint32_t> grid_begin_, region_begin_;  // CSR into entries
  std::vector<Entry> grid_entries_, region_entries_;
};

}  // namespace gridroute

#endif  // GRIDROUTE_MODEL_TEAMS_H_

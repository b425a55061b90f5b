// Copyright 2026 gridroute authors.
#include "model/grid_routes.h"

#include <algorithm>
#include <string>

#include "absl/container/flat_hash_map.h"

namespace gridroute {
namespace {

// A grid whose box meets more layers than this tests them all (Hits()).
constexpr size_t kMaxListedLayers = 64;

// What a grid's own rows already give: the non-specialist roles found (bit
// per TeamRole) and the specialties found (sorted).
struct Found {
  uint8_t roles = 0;
  std::vector<int32_t> specialties;

  bool HasSpecialty(int32_t s) const {
    return std::binary_search(specialties.begin(), specialties.end(), s);
  }
};

Found OwnFound(absl::Span<const Teams::Entry> own) {
  Found f;
  for (const Teams::Entry& en : own) {
    if (en.role() == TeamRole::kSpecialist) {
      f.specialties.push_back(en.specialty());
    } else {
      f.roles |= static_cast<uint8_t>(1u << static_cast<int>(en.role()));
    }
  }
  std::sort(f.specialties.begin(), f.specialties.end());
  f.specialties.erase(std::unique(f.specialties.begin(), f.specialties.end()),
                      f.specialties.end());
  return f;
}

// The rows a grid below `region` whose own rows give `found` inherits, for
// every specialty: Teams::Resolve's walk up the regions (a role, or a
// specialty, is taken from the nearest level that has it, all of that
// level's rows for it), with the specialty filter left to query time.
void Inherit(const Teams& teams, int32_t region, Found found, std::vector<TeamAssignment>* out) {
  const Hierarchy* h = teams.hierarchy();
  if (h == nullptr) return;
  for (int32_t r = region; r >= 0; r = h->region(r).parent) {
    uint8_t here_roles = 0;
    std::vector<int32_t> here_specialties;
    for (const Teams::Entry& en : teams.region_entries(r)) {
      if (en.role() == TeamRole::kSpecialist) {
        if (found.HasSpecialty(en.specialty())) continue;
        here_specialties.push_back(en.specialty());
      } else {
        const uint8_t bit = static_cast<uint8_t>(1u << static_cast<int>(en.role()));
        if (found.roles & bit) continue;
        here_roles |= bit;
      }
      out->push_back(TeamAssignment{en.role(), en.specialty(), static_cast<int32_t>(en.person),
                                    false, r});
    }
    found.roles |= here_roles;
    found.specialties.insert(found.specialties.end(), here_specialties.begin(),
                             here_specialties.end());
    std::sort(found.specialties.begin(), found.specialties.end());
    found.specialties.erase(std::unique(found.specialties.begin(), found.specialties.end()),
                            found.specialties.end());
  }
}

// Shared inherited lists, keyed by (region, own roles, own specialties).
class TeamLists {
 public:
  TeamLists(std::vector<TeamAssignment>* pool, std::vector<uint32_t>* begin)
      : pool_(pool), begin_(begin) {}

  uint32_t For(const Teams& teams, int32_t region, const Found& found) {
    std::string key(reinterpret_cast<const char*>(&region), sizeof(region));
    key.push_back(static_cast<char>(found.roles));
    key.append(reinterpret_cast<const char*>(found.specialties.data()),
               found.specialties.size() * sizeof(int32_t));
    auto [it, inserted] = ids_.try_emplace(std::move(key), 0);
    if (!inserted) return it->second;
    const size_t before = pool_->size();
    Inherit(teams, region, found, pool_);
    if (pool_->size() == before) {
      it->second = 0;  // list 0 is the empty one
    } else {
      it->second = static_cast<uint32_t>(begin_->size() - 1);
      begin_->push_back(static_cast<uint32_t>(pool_->size()));
    }
    return it->second;
  }

 private:
  std::vector<TeamAssignment>* pool_;
  std::vector<uint32_t>* begin_;
  absl::flat_hash_map<std::string, uint32_t> ids_;
};

void SetOwnRows(absl::Span<const Teams::Entry> own, GridRecord* rec) {
  if (own.size() == 1 && own[0].role_specialty <= 0xff) {
    rec->own_count = 1;
    rec->own_person = own[0].person;
    rec->own_role_specialty = static_cast<uint8_t>(own[0].role_specialty);
  } else {
    rec->own_count = own.empty() ? 0 : 2;
  }
}

void AddTeam(TeamRole role, int32_t row_specialty, uint32_t person, int32_t specialty,
             uint32_t grid, std::vector<TeamAssignment>* out) {
  if (role == TeamRole::kSpecialist && (specialty < 0 || row_specialty != specialty)) return;
  out->push_back(TeamAssignment{role, row_specialty, static_cast<int32_t>(person), true,
                                static_cast<int32_t>(grid)});
}

// Keeps `code` in the record when it is 1..18 ASCII digits.
void SetCodeDigits(absl::string_view code, GridRecord* rec) {
  if (code.empty() || code.size() > GridRecord::kMaxCodeDigits) return;
  uint64_t v = 0;
  for (char c : code) {
    if (c < '0' || c > '9') return;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  rec->code_digits = v;
  rec->code_len = static_cast<uint8_t>(code.size());
}

}  // namespace

GridRoutes GridRoutes::Build(const std::vector<int32_t>& parents, const Teams& teams,
                             const RuleTable& rules, const Layers& layers,
                             const GridGeometry& geometry,
                             const std::function<absl::string_view(uint32_t)>& codes) {
  GridRoutes out;
  const uint32_t n = static_cast<uint32_t>(parents.size());
  std::vector<GridRecord>& records = out.records_.owned();
  std::vector<int32_t>& layer_pool = out.layer_pool_.owned();
  records.resize(n);
  TeamLists lists(&out.team_pool_, &out.team_begin_);
  std::vector<int32_t> hits;
  for (uint32_t g = 0; g < n; ++g) {
    GridRecord& rec = records[g];
    rec.region = parents[g];
    if (rules.grid_has_rules(g)) rec.flags |= GridRecord::kGridHasRules;
    const absl::Span<const Teams::Entry> own = teams.grid_entries(g);
    SetOwnRows(own, &rec);
    rec.team_list = lists.For(teams, rec.region, OwnFound(own));
    if (codes) SetCodeDigits(codes(g), &rec);

    hits.clear();
    if (g < geometry.num_grids()) {
      layers.VisitBoxesIntersecting(geometry.box(g), [&](int32_t l) { hits.push_back(l); });
    }
    if (hits.empty()) continue;
    if (hits.size() > kMaxListedLayers) {
      rec.flags |= GridRecord::kManyLayers;
      continue;
    }
    std::sort(hits.begin(), hits.end(),
              [&](int32_t a, int32_t b) { return layers.rank(a) < layers.rank(b); });
    rec.flags |= GridRecord::kLayers;
    rec.layer_list = static_cast<uint32_t>(layer_pool.size());
    layer_pool.push_back(static_cast<int32_t>(hits.size()));
    layer_pool.insert(layer_pool.end(), hits.begin(), hits.end());
  }
  records.shrink_to_fit();
  out.team_pool_.shrink_to_fit();
  layer_pool.shrink_to_fit();
  return out;
}

void GridRoutes::Team(uint32_t grid, const GridRecord& r, int32_t specialty, const Teams& teams,
                      std::vector<TeamAssignment>* out) const {
  if (r.own_count == 1) {
    const Teams::Entry en{r.own_person, r.own_role_specialty};
    AddTeam(en.role(), en.specialty(), en.person, specialty, grid, out);
  } else if (r.own_count > 1) {
    for (const Teams::Entry& en : teams.grid_entries(grid)) {
      AddTeam(en.role(), en.specialty(), en.person, specialty, grid, out);
    }
  }
  const TeamAssignment* it = team_pool_.data() + team_begin_[r.team_list];
  const TeamAssignment* end = team_pool_.data() + team_begin_[r.team_list + 1];
  for (; it != end; ++it) {
    if (it->role == TeamRole::kSpecialist && (specialty < 0 || it->specialty != specialty)) {
      continue;
    }
    out->push_back(*it);
  }
}

void GridRoutes::LayerHits(uint32_t grid, const GridRecord& r, IPoint p, const Layers& layers,
                           std::vector<int32_t>* out) const {
  if (r.flags & GridRecord::kManyLayers) {
    layers.Hits(p, out);
    return;
  }
  if (!(r.flags & GridRecord::kLayers)) return;
  const int32_t* it = layer_pool_.data() + r.layer_list;
  const int32_t count = *it++;
  for (const int32_t* end = it + count; it != end; ++it) {
    if (layers.Covers(*it, p)) out->push_back(*it);
  }
}

size_t GridRoutes::MemoryBytes() const {
  return records_.MemoryBytes() + team_pool_.capacity() * sizeof(TeamAssignment) +
         team_begin_.capacity() * sizeof(uint32_t) + layer_pool_.MemoryBytes();
}

}  // namespace gridroute

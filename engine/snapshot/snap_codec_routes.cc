// Copyright 2026 gridroute authors.
//
// SnapCodec for the rule table, the components and the per-grid routing
// records.
#include <cmath>
#include <utility>

#include "snapshot/snap_codec.h"

namespace gridroute {

namespace {

void PutMap(SnapWriter& w, const absl::flat_hash_map<uint64_t, uint32_t>& m) {
  std::vector<uint64_t> keys;
  std::vector<uint32_t> values;
  keys.reserve(m.size());
  values.reserve(m.size());
  for (const auto& [k, v] : m) {
    keys.push_back(k);
    values.push_back(v);
  }
  w.PutArray(keys);
  w.PutArray(values);
}

// Keys (index << 32 | category) below `num_index` and the category count;
// values below `num_lists`.
bool GetMap(SnapReader& r, absl::flat_hash_map<uint64_t, uint32_t>* m,
            uint64_t num_index, uint64_t num_categories, uint64_t num_lists) {
  std::vector<uint64_t> keys;
  std::vector<uint32_t> values;
  r.GetArray(&keys);
  r.GetArray(&values);
  if (!r.ok()) return false;
  if (keys.size() != values.size())
    return r.Fail("rules: a map's keys and values disagree");
  m->reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if ((keys[i] >> 32) >= num_index ||
        (keys[i] & 0xFFFFFFFFu) >= num_categories || values[i] >= num_lists) {
      return r.Fail("rules: a map entry out of range");
    }
    m->emplace(keys[i], values[i]);
  }
  return true;
}

}  // namespace

void SnapCodec::Save(const RuleTable& t, SnapWriter& w) {
  w.PutU64(t.rules_.size());
  for (const Rule& x : t.rules_) {
    w.PutString(x.id);
    w.PutU8(static_cast<uint8_t>(x.scope_kind));
    w.PutI32(x.scope);
    w.PutI32(x.type);
    w.PutU8(x.pattern);
    w.PutString(x.value);
    w.PutI32(x.lead);
    w.PutArray(x.helpers);
    for (const DeadlineSpec& d : x.deadlines) {
      w.PutU8(static_cast<uint8_t>(d.unit));
      w.PutF64(d.amount);
    }
    w.PutBool(x.has_window);
    w.PutI32(x.window_begin);
    w.PutI32(x.window_end);
    w.PutU32(x.key);
    w.PutI64(x.line);
  }
  w.PutI32(t.num_categories_);
  w.PutArray(t.pool_);
  std::vector<uint32_t> lists;
  for (const auto& [first, count] : t.lists_) {
    lists.push_back(first);
    lists.push_back(count);
  }
  w.PutArray(lists);
  w.PutArray(t.city_lists_);
  w.PutArray(t.region_row_);
  w.PutArray(t.region_lists_);
  w.PutArray(t.grid_has_rules_);
  PutMap(w, t.grid_lists_);
  w.PutArray(t.layer_has_rules_);
  PutMap(w, t.layer_lists_);
  w.PutArray(t.uncovered_);
}

bool SnapCodec::LoadRule(SnapReader& r, const Snapshot& s, Rule* x) {
  uint8_t kind = 0, pattern = 0;
  int32_t type = 0, begin = 0, end = 0;
  r.GetString(&x->id);
  r.GetU8(&kind);
  r.GetI32(&x->scope);
  r.GetI32(&type);
  r.GetU8(&pattern);
  r.GetString(&x->value);
  r.GetI32(&x->lead);
  r.GetArray(&x->helpers);
  for (DeadlineSpec& d : x->deadlines) {
    uint8_t unit = 0;
    r.GetU8(&unit);
    r.GetF64(&d.amount);
    // What ParseDeadlines accepts (the router converts the amount to int
    // seconds or days): finite, in [0, 1e6), whole working days.
    if (unit > static_cast<uint8_t>(DeadlineUnit::kCalendarMinutes) || !(d.amount >= 0) ||
        !(d.amount < 1e6) ||
        (unit == static_cast<uint8_t>(DeadlineUnit::kWorkingDays) &&
         d.amount != std::floor(d.amount))) {
      return r.Fail("rules: a deadline's unit or amount out of range");
    }
    d.unit = static_cast<DeadlineUnit>(unit);
  }
  r.GetBool(&x->has_window);
  r.GetI32(&begin);
  r.GetI32(&end);
  r.GetU32(&x->key);
  r.GetI64(&x->line);
  if (!r.ok()) return false;
  const int64_t scopes[] = {1, s.hierarchy().num_regions(), s.num_grids(),
                            s.layers().size()};
  if (kind > static_cast<uint8_t>(ScopeKind::kLayer) || type < -1 || type > 1 ||
      pattern > Rule::kExact || begin < 0 || begin >= 1440 || end < 0 ||
      end >= 1440 ||
      (kind != 0 && (x->scope < 0 || x->scope >= scopes[kind])) ||
      x->lead < 0 || x->lead >= s.departments().size() ||
      !AllInRange(r, x->helpers, 0, s.departments().size(),
                  "rules: a helper")) {
    return r.Fail(
        "rules: a rule's scope, category, window or department out of range");
  }
  x->scope_kind = static_cast<ScopeKind>(kind);
  x->type = static_cast<int8_t>(type);
  x->pattern = static_cast<Rule::Pattern>(pattern);
  x->window_begin = static_cast<int16_t>(begin);
  x->window_end = static_cast<int16_t>(end);
  return true;
}

bool SnapCodec::Load(SnapReader& r, const Snapshot& s, RuleTable* t) {
  uint64_t n = 0;
  if (!r.GetU64(&n)) return false;
  if (n > r.remaining() / 64) return r.Fail("rules: truncated");
  t->rules_.resize(n);
  for (Rule& x : t->rules_) {
    if (!LoadRule(r, s, &x)) return false;
  }
  std::vector<uint32_t> lists;
  r.GetI32(&t->num_categories_);
  r.GetArray(&t->pool_);
  r.GetArray(&lists);
  r.GetArray(&t->city_lists_);
  r.GetArray(&t->region_row_);
  r.GetArray(&t->region_lists_);
  r.GetArray(&t->grid_has_rules_);
  if (!r.ok()) return false;
  if (lists.empty() || lists.size() % 2 != 0)
    return r.Fail("rules: list table");
  t->lists_.clear();
  for (size_t i = 0; i < lists.size(); i += 2) {
    if (lists[i] > t->pool_.size() ||
        lists[i + 1] > t->pool_.size() - lists[i]) {
      return r.Fail("rules: a list past the pool");
    }
    t->lists_.emplace_back(lists[i], lists[i + 1]);
  }
  const uint64_t cats = static_cast<uint64_t>(std::max(0, t->num_categories_));
  if (!GetMap(r, &t->grid_lists_, s.num_grids(), cats, t->lists_.size()))
    return false;
  r.GetArray(&t->layer_has_rules_);
  if (!GetMap(r, &t->layer_lists_, t->layer_has_rules_.size(), cats,
              t->lists_.size())) {
    return false;
  }
  r.GetArray(&t->uncovered_);
  return r.ok() && CheckRuleLists(r, s, *t);
}

// What AreaCandidates / LayerCandidates / uncovered index with a grid's
// region and a category: sized for the snapshot's regions and categories.
bool SnapCodec::CheckRuleLists(SnapReader& r, const Snapshot& s,
                               const RuleTable& t) {
  if (!AllInRange(r, t.pool_, 0, t.rules_.size(),
                  "rules: a list names no rule"))
    return false;
  const size_t lists = t.lists_.size();
  // A pack without rules.csv has an empty table (and routes() false: the
  // router refuses). One that routes indexes it with every category.
  if (!s.routes() && t.num_categories_ == 0 && t.rules_.empty() && t.city_lists_.empty()) {
    return true;
  }
  if (t.num_categories_ != s.categories().size())
    return r.Fail("rules: category count");
  const size_t cats = static_cast<size_t>(t.num_categories_);
  if (t.city_lists_.size() != cats || t.uncovered_.size() != cats ||
      t.region_row_.size() !=
          static_cast<size_t>(s.hierarchy().num_regions()) ||
      (cats > 0 && t.region_lists_.size() % cats != 0) ||
      t.grid_has_rules_.size() > s.num_grids()) {
    return r.Fail("rules: table sizes do not match the pack");
  }
  const uint64_t rows = cats == 0 ? 0 : t.region_lists_.size() / cats;
  return AllInRange(r, t.city_lists_, 0, lists, "rules: a city list") &&
         AllInRange(r, t.region_lists_, 0, lists, "rules: a region list") &&
         AllInRange(r, t.region_row_, 0, rows, "rules: a region row");
}

void SnapCodec::Save(const Components& c, SnapWriter& w) {
  w.PutArray(c.xy_);
  w.PutArray(c.wide_);
  w.PutI64(c.base_x_);
  w.PutI64(c.base_y_);
  w.PutArray(c.attr16_);
  w.PutArray(c.attr32_);
  Save(c.codes_, w);
  w.PutArray(c.slots_);
  w.PutArray(c.attrs_);
  Save(c.states_, w);
  w.PutBool(c.quantizer_.geographic());
  w.PutI64(c.cell_);
  w.PutI64(c.nx_);
  w.PutI64(c.ny_);
  w.PutArray(c.cell_begin_);
}

bool SnapCodec::Load(SnapReader& r, const Snapshot& s, Components* c) {
  bool geographic = true;
  r.GetArray(&c->xy_);
  r.GetArray(&c->wide_);
  r.GetI64(&c->base_x_);
  r.GetI64(&c->base_y_);
  r.GetArray(&c->attr16_);
  r.GetArray(&c->attr32_);
  if (!Load(r, &c->codes_)) return false;
  r.GetArray(&c->slots_);
  r.GetArray(&c->attrs_);
  if (!Load(r, &c->states_)) return false;
  r.GetBool(&geographic);
  r.GetI64(&c->cell_);
  r.GetI64(&c->nx_);
  r.GetI64(&c->ny_);
  r.GetArray(&c->cell_begin_);
  if (!r.ok()) return false;
  c->quantizer_ = Quantizer(geographic);
  if (!InLattice(c->base_x_) || !InLattice(c->base_y_))
    return r.Fail("components: a base point outside the lattice");
  for (const IPoint& p : c->wide_) {
    if (!InLattice(p.x) || !InLattice(p.y))
      return r.Fail("components: a point outside the lattice");
  }
  const uint64_t n = c->codes_.size();
  if (n >= (uint64_t{1} << 31)) return r.Fail("components: more than 2^31");
  const bool narrow = c->wide_.empty();
  if ((narrow ? c->xy_.size() != 2 * n
              : c->wide_.size() != n || !c->xy_.empty()) ||
      (c->attr16_.empty() ? c->attr32_.size() != n : c->attr16_.size() != n) ||
      c->codes_.size() != n) {
    return r.Fail("components: columns of different lengths");
  }
  const int64_t ncats = s.categories().size(), ndeps = s.departments().size();
  // As Components::Load accepts them: a category and an owner always (the
  // router indexes both), property and maintainer optional (-1).
  for (const Components::Attr& a : c->attrs_) {
    if (a.category < 0 || a.category >= ncats || a.owner < 0 ||
        a.owner >= ndeps || a.property < -1 || a.property >= ndeps ||
        a.maintainer < -1 || a.maintainer >= ndeps ||
        a.state >= c->states_.size()) {
      return r.Fail("components: an attribute out of range");
    }
  }
  const int64_t nattrs = static_cast<int64_t>(c->attrs_.size());
  if (!AllInRange(r, c->attr16_, 0, nattrs, "components: an attribute index") ||
      !AllInRange(r, c->attr32_, 0, nattrs, "components: an attribute index")) {
    return false;
  }
  // FindCode probes until it finds the code or an empty slot: every slot
  // names a component or is empty, and one is empty. (The index hashes
  // with a fixed function, components.cc CodeHash.)
  bool has_empty = c->slots_.empty();
  for (uint32_t v : c->slots_) {
    if (v > n) return r.Fail("components: a code slot out of range");
    has_empty = has_empty || v == 0;
  }
  if (!has_empty)
    return r.Fail("components: a code index without an empty slot");
  if (c->cell_begin_.empty()) return n == 0 || r.Fail("components: cell lattice");
  if (c->cell_ <= 0 || c->nx_ <= 0 || c->ny_ <= 0 ||
      c->nx_ > (int64_t{1} << 31) || c->ny_ > (int64_t{1} << 31) ||
      static_cast<uint64_t>(c->nx_ * c->ny_) + 1 != c->cell_begin_.size()) {
    return r.Fail("components: cell lattice size");
  }
  // Components are numbered in cell order: the offsets cover them all.
  return IsCsr(r, c->cell_begin_, n, "components: cell offsets");
}

void SnapCodec::Save(const GridRoutes& g, SnapWriter& w) {
  w.PutArray(g.records_);
  std::vector<uint32_t> pool;  // field by field: TeamAssignment has padding
  for (const TeamAssignment& a : g.team_pool_) {
    pool.push_back(static_cast<uint32_t>(a.role) | (a.from_grid ? 4u : 0u));
    pool.push_back(static_cast<uint32_t>(a.specialty));
    pool.push_back(static_cast<uint32_t>(a.person));
    pool.push_back(static_cast<uint32_t>(a.scope));
  }
  w.PutArray(pool);
  w.PutArray(g.team_begin_);
  w.PutArray(g.layer_pool_);
}

bool SnapCodec::Load(SnapReader& r, const Snapshot& s, GridRoutes* g) {
  std::vector<uint32_t> pool;
  r.GetArray(&g->records_, s.num_grids());
  r.GetArray(&pool);
  r.GetArray(&g->team_begin_);
  r.GetArray(&g->layer_pool_);
  if (!r.ok()) return false;
  if (pool.size() % 4 != 0 || g->team_begin_.size() < 2)
    return r.Fail("grid routes: team pool");
  const int64_t people = s.teams().num_people(),
                regions = s.hierarchy().num_regions();
  const int64_t specialties =
      static_cast<int64_t>(s.teams().specialties().size());
  g->team_pool_.resize(pool.size() / 4);
  for (size_t i = 0; i < g->team_pool_.size(); ++i) {
    TeamAssignment& a = g->team_pool_[i];
    const uint32_t* p = &pool[4 * i];
    a.role = static_cast<TeamRole>(p[0] & 3);
    a.from_grid = (p[0] & 4) != 0;
    a.specialty = static_cast<int32_t>(p[1]);
    a.person = static_cast<int32_t>(p[2]);
    a.scope = static_cast<int32_t>(p[3]);
    if (p[0] > 7 || a.specialty < -1 || a.specialty >= specialties ||
        a.person < 0 || a.person >= people || a.scope < 0 ||
        a.scope >=
            (a.from_grid ? static_cast<int64_t>(s.num_grids()) : regions)) {
      return r.Fail("grid routes: a team entry out of range");
    }
  }
  if (!IsCsr(r, g->team_begin_, g->team_pool_.size(),
             "grid routes: team offsets"))
    return false;
  if (g->records_.size() != s.num_grids())
    return r.Fail("grid routes: one record per grid");
  const uint64_t lists = g->team_begin_.size() - 1, lp = g->layer_pool_.size();
  const int32_t layers = s.layers().size();
  for (const GridRecord& x : g->records_) {
    if (x.region < -1 || x.region >= regions || x.team_list >= lists ||
        x.own_count > 2 ||
        (x.own_count == 1 && (x.own_person >= people ||
                              (x.own_role_specialty >> 2) > specialties)) ||
        x.code_len > GridRecord::kMaxCodeDigits) {
      return r.Fail("grid routes: a record out of range");
    }
    if ((x.flags & GridRecord::kManyLayers) && layers == 0) {
      return r.Fail(
          "grid routes: a record lists layers of a pack without layers");
    }
    if (x.flags & GridRecord::kLayers) {
      const int32_t* list = g->layer_pool_.data() + x.layer_list;
      if (x.layer_list >= lp || list[0] < 0 ||
          static_cast<uint64_t>(list[0]) >= lp - x.layer_list) {
        return r.Fail("grid routes: a layer list past the pool");
      }
      for (int32_t i = 1; i <= list[0]; ++i) {
        if (list[i] < 0 || list[i] >= layers)
          return r.Fail("grid routes: a layer out of range");
      }
    }
  }
  return true;
}

}  // namespace gridroute

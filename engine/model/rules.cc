// Copyright 2026 gridroute authors.
#include "model/rules.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/csv.h"
#include "common/echo.h"
#include "common/error_list.h"
#include "common/status_macros.h"

namespace gridroute {

bool Rule::Matches(const Category& c) const {
  if (type >= 0 && type != static_cast<int8_t>(c.type)) return false;
  switch (pattern) {
    case kAny: return true;
    case kMajor: return value == c.major;
    case kExact: return value == c.code;
  }
  return false;
}

absl::Status ParseDeadlines(absl::string_view text, const Categories& categories,
                            DeadlineSpec (&out)[kMaxUrgencies]) {
  DeadlineSpec fallback;
  bool have_fallback = false;
  for (DeadlineSpec& d : out) d = DeadlineSpec();
  for (absl::string_view part : absl::StrSplit(text, ';', absl::SkipWhitespace())) {
    std::vector<absl::string_view> kv = absl::StrSplit(part, absl::MaxSplits('=', 1));
    if (kv.size() != 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          "deadline '", Echo(part), "' is not urgency=amount (e.g. normal=1wd)"));
    }
    const absl::string_view urgency = absl::StripAsciiWhitespace(kv[0]);
    const absl::string_view amount = absl::StripAsciiWhitespace(kv[1]);
    DeadlineSpec spec;
    struct Unit { const char* suffix; DeadlineUnit unit; };
    static constexpr Unit kUnits[] = {{"min", DeadlineUnit::kCalendarMinutes},
                                      {"wh", DeadlineUnit::kWorkingHours},
                                      {"wd", DeadlineUnit::kWorkingDays},
                                      {"h", DeadlineUnit::kCalendarHours}};
    for (const Unit& u : kUnits) {
      if (absl::EndsWith(amount, u.suffix)) {
        double v;
        absl::string_view num = amount.substr(0, amount.size() - strlen(u.suffix));
        if (absl::SimpleAtod(num, &v) && std::isfinite(v) && v >= 0 && v < 1e6) {
          spec.unit = u.unit;
          spec.amount = v;
        }
        break;
      }
    }
    if (spec.unit == DeadlineUnit::kNone) {
      return absl::InvalidArgumentError(absl::StrCat(
          "deadline amount '", Echo(amount), "' for '", Echo(urgency),
          "' must be <n>wh, <n>wd, <n>h or <n>min"));
    }
    if (spec.unit == DeadlineUnit::kWorkingDays && spec.amount != std::floor(spec.amount)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "deadline '", Echo(amount), "': working days must be whole"));
    }
    if (urgency == "*") {
      fallback = spec;
      have_fallback = true;
      continue;
    }
    const int32_t u = categories.FindUrgency(urgency);
    if (u < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "deadline names urgency '", Echo(urgency), "', which no category allows (known: ",
          absl::StrJoin(categories.urgencies(), ", "), ")"));
    }
    out[u] = spec;
  }
  if (have_fallback) {
    for (DeadlineSpec& d : out) {
      if (d.unit == DeadlineUnit::kNone) d = fallback;
    }
  }
  return absl::OkStatus();
}

namespace {

bool ParseClock(absl::string_view s, int16_t* minutes) {
  std::vector<absl::string_view> hm = absl::StrSplit(s, ':');
  int h, m;
  if (hm.size() != 2 || hm[0].size() != 2 || hm[1].size() != 2 ||
      !absl::SimpleAtoi(hm[0], &h) || !absl::SimpleAtoi(hm[1], &m) || h < 0 || h > 24 ||
      m < 0 || m > 59 || (h == 24 && m != 0)) {
    return false;
  }
  *minutes = static_cast<int16_t>(h * 60 + m);
  return true;
}

// Rules of one scope and pattern tie when both lack a window or both have
// overlapping windows; a windowed rule beside an unwindowed one is the
// intended "at night, someone else" exception, not a tie.
bool WindowsOverlap(const Rule& a, const Rule& b) {
  if (a.has_window != b.has_window) return false;
  if (!a.has_window) return true;
  for (int m = 0; m < 1440; ++m) {
    if (a.InWindow(m) && b.InWindow(m)) return true;
  }
  return false;
}

}  // namespace

uint32_t RuleTable::AddList(std::vector<uint32_t>& ids) {
  if (ids.empty()) return 0;
  std::stable_sort(ids.begin(), ids.end(), [&](uint32_t a, uint32_t b) {
    return rules_[a].key > rules_[b].key;
  });
  lists_.emplace_back(static_cast<uint32_t>(pool_.size()), static_cast<uint32_t>(ids.size()));
  pool_.insert(pool_.end(), ids.begin(), ids.end());
  return static_cast<uint32_t>(lists_.size() - 1);
}

void RuleTable::ShareRegionRows() {
  const size_t C = static_cast<size_t>(num_categories_);
  const size_t regions = region_row_.size();
  if (C == 0) {
    region_row_.assign(regions, 0);
    region_lists_.clear();
    return;
  }
  // A row's bytes -> its shared row id.
  absl::flat_hash_map<std::string, uint32_t> seen;
  std::vector<uint32_t> rows;
  std::string key;
  for (size_t r = 0; r < regions; ++r) {
    const uint32_t* row = region_lists_.data() + r * C;
    key.assign(reinterpret_cast<const char*>(row), C * sizeof(uint32_t));
    auto [it, added] = seen.try_emplace(key, static_cast<uint32_t>(rows.size() / C));
    if (added) rows.insert(rows.end(), row, row + C);
    region_row_[r] = it->second;
  }
  rows.shrink_to_fit();
  region_lists_ = std::move(rows);
}

size_t RuleTable::MemoryBytes() const {
  size_t rules = 0;
  for (const Rule& r : rules_) rules += sizeof(Rule) + r.id.capacity() + r.value.capacity();
  return rules + pool_.capacity() * 4 + lists_.capacity() * 8 + city_lists_.capacity() * 4 +
         region_row_.capacity() * 4 + region_lists_.capacity() * 4 + grid_has_rules_.capacity() +
         grid_lists_.capacity() * 16 + layer_lists_.capacity() * 16 + uncovered_.capacity();
}

namespace {

// The priorities of the layers that rules.csv's layer scopes name, for the
// precedence keys: [min, max], both including 0.
struct PriorityRange {
  int32_t min = 0, max = 0;
};

// Scope column: city, region:<code>, grid:<code> or layer:<code>.
absl::Status ParseScope(absl::string_view scope, const RuleContext& ctx, Rule* r,
                        PriorityRange* priorities) {
  if (scope == "city") {
    r->scope_kind = ScopeKind::kCity;
    return absl::OkStatus();
  }
  if (absl::StartsWith(scope, "region:")) {
    r->scope_kind = ScopeKind::kRegion;
    r->scope = ctx.hierarchy->Find(scope.substr(7));
    if (r->scope < 0) {
      return absl::InvalidArgumentError(absl::StrCat("scope '", Echo(scope), "': no such region"));
    }
    return absl::OkStatus();
  }
  if (absl::StartsWith(scope, "grid:")) {
    r->scope_kind = ScopeKind::kGrid;
    const uint32_t g = ctx.find_grid(scope.substr(5));
    if (g >= ctx.num_grids) {
      return absl::InvalidArgumentError(absl::StrCat("scope '", Echo(scope), "': no such grid"));
    }
    r->scope = static_cast<int32_t>(g);
    return absl::OkStatus();
  }
  if (absl::StartsWith(scope, "layer:")) {
    r->scope_kind = ScopeKind::kLayer;
    r->scope = ctx.find_layer ? ctx.find_layer(scope.substr(6)) : -1;
    if (r->scope < 0) {
      return absl::InvalidArgumentError(absl::StrCat("scope '", Echo(scope), "': no such layer"));
    }
    const int32_t p = ctx.layer_priority(r->scope);
    priorities->max = std::max(priorities->max, p);
    priorities->min = std::min(priorities->min, p);
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "scope '", Echo(scope), "' is not city, region:<code>, grid:<code> or layer:<code>"));
}

// category_type and category columns: the pattern, which must match some
// category of the pack.
absl::Status ParseCategoryPattern(absl::string_view type, absl::string_view cat,
                                  const Categories& cats, Rule* r) {
  CategoryType ct;
  if (type == "*") {
    r->type = -1;
  } else if (ParseCategoryType(type, &ct)) {
    r->type = static_cast<int8_t>(ct);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("category_type '", Echo(type), "' is not event, component or *"));
  }
  if (cat == "*") {
    r->pattern = Rule::kAny;
  } else if (absl::EndsWith(cat, "*") && cat.size() > 1) {
    r->pattern = Rule::kMajor;
    r->value = std::string(cat.substr(0, cat.size() - 1));
  } else if (!cat.empty()) {
    r->pattern = Rule::kExact;
    r->value = std::string(cat);
  } else {
    return absl::InvalidArgumentError("empty category (use * for any)");
  }
  bool matches_any = false;
  for (int32_t c = 0; c < cats.size() && !matches_any; ++c) matches_any = r->Matches(cats.at(c));
  if (!matches_any) {
    return absl::InvalidArgumentError(
        absl::StrCat("category '", Echo(type), ":", cat, "' matches no category in the pack"));
  }
  return absl::OkStatus();
}

// lead and helpers columns. Reports every unknown department through
// `fail`; false if there was one.
template <typename Fail>
bool ParseDepartments(absl::string_view lead, absl::string_view helpers,
                      const Departments& departments, Rule* r, const Fail& fail) {
  r->lead = departments.Find(lead);
  if (r->lead < 0) {
    fail(absl::StrCat("lead department '", Echo(lead), "' does not exist"));
    return false;
  }
  bool ok = true;
  for (absl::string_view hd : absl::StrSplit(helpers, '|', absl::SkipWhitespace())) {
    const int32_t d = departments.Find(hd);
    if (d < 0) {
      fail(absl::StrCat("helper department '", Echo(hd), "' does not exist"));
      ok = false;
    }
    r->helpers.push_back(d);
  }
  return ok;
}

// window column: empty (always) or HH:MM-HH:MM.
absl::Status ParseWindow(absl::string_view window, Rule* r) {
  if (window.empty()) return absl::OkStatus();
  std::vector<absl::string_view> be = absl::StrSplit(window, '-');
  if (be.size() != 2 || !ParseClock(be[0], &r->window_begin) ||
      !ParseClock(be[1], &r->window_end) || r->window_begin == r->window_end) {
    return absl::InvalidArgumentError(
        absl::StrCat("window '", Echo(window), "' is not HH:MM-HH:MM"));
  }
  r->window_begin %= 1440;
  r->window_end %= 1440;
  r->has_window = true;
  return absl::OkStatus();
}

// Reads rules.csv's rows; a bad row adds its first problem (every unknown
// helper) to `errors` and is skipped.
class RuleRowParser {
 public:
  RuleRowParser(const std::string& path, const RuleContext& ctx, ErrorList* errors)
      : path_(path), ctx_(ctx), errors_(errors) {}

  // The rule of the current row of `t`, or false.
  bool Parse(const CsvTable& t, Rule* r) {
    r->id = std::string(t.Get(0));
    r->line = t.line();
    const std::string where = absl::StrCat(path_, ":", r->line, ": rule '", Echo(r->id), "'");
    auto fail = [&](absl::string_view what) { errors_->Add(absl::StrCat(where, ": ", what)); };
    if (r->id.empty()) {
      errors_->Add(absl::StrCat(path_, ":", r->line, ": empty rule id"));
      return false;
    }
    if (auto [it, ok] = line_of_id_.emplace(r->id, r->line); !ok) {
      fail(absl::StrCat("duplicate rule id (first at line ", it->second, ")"));
      return false;
    }
    absl::Status s = ParseScope(t.Get(1), ctx_, r, &priorities_);
    if (s.ok()) s = ParseCategoryPattern(t.Get(2), t.Get(3), *ctx_.categories, r);
    if (!s.ok()) {
      fail(s.message());
      return false;
    }
    if (!ParseDepartments(t.Get(4), t.Get(5), *ctx_.departments, r, fail)) return false;
    s = ParseDeadlines(t.Get(6), *ctx_.categories, r->deadlines);
    if (s.ok()) s = ParseWindow(t.Get(7), r);
    if (!s.ok()) {
      fail(s.message());
      return false;
    }
    return true;
  }

  const PriorityRange& priorities() const { return priorities_; }

 private:
  const std::string& path_;
  const RuleContext& ctx_;
  ErrorList* errors_;
  absl::flat_hash_map<std::string, int64_t> line_of_id_;
  PriorityRange priorities_;
};

// Sets each rule's precedence key (PACK.md "Precedence"): larger wins.
void AssignPrecedenceKeys(const RuleContext& ctx, const PriorityRange& priorities,
                          std::vector<Rule>* rules) {
  const Hierarchy& h = *ctx.hierarchy;
  const int32_t levels = static_cast<int32_t>(h.levels().size());
  const uint32_t layer_ranks = static_cast<uint32_t>(priorities.max - priorities.min + 1);
  const uint32_t scope_ranks = 2 + levels + layer_ranks;
  for (Rule& r : *rules) {
    uint32_t scope_rank = 0;
    switch (r.scope_kind) {
      case ScopeKind::kCity: scope_rank = 0; break;
      case ScopeKind::kRegion: scope_rank = 1 + h.region(r.scope).level; break;
      case ScopeKind::kGrid: scope_rank = 1 + levels; break;
      case ScopeKind::kLayer:
        scope_rank =
            2 + levels + static_cast<uint32_t>(ctx.layer_priority(r.scope) - priorities.min);
        break;
    }
    const uint32_t cat_rank = static_cast<uint32_t>(r.pattern) * 2 + (r.type >= 0 ? 1 : 0);  // 0..5
    r.key = ctx.precedence == Precedence::kScopeFirst
                ? ((scope_rank * 6 + cat_rank) * 2 + (r.has_window ? 1 : 0))
                : ((cat_rank * scope_ranks + scope_rank) * 2 + (r.has_window ? 1 : 0));
  }
}

// Ties: same scope, same pattern, overlapping windows; one error each, in
// order of the rules' positions.
void ReportTies(const std::string& path, const std::vector<Rule>& rules, ErrorList* errors) {
  absl::flat_hash_map<std::string, std::vector<uint32_t>> groups;
  for (uint32_t i = 0; i < rules.size(); ++i) {
    const Rule& r = rules[i];
    groups[absl::StrCat(static_cast<int>(r.scope_kind), "/", r.scope, "/", r.type, "/",
                        static_cast<int>(r.pattern), "/", r.value)]
        .push_back(i);
  }
  std::vector<std::pair<uint32_t, uint32_t>> ties;
  for (const auto& [key, members] : groups) {
    for (size_t a = 0; a < members.size(); ++a) {
      for (size_t b = a + 1; b < members.size(); ++b) {
        if (WindowsOverlap(rules[members[a]], rules[members[b]])) {
          ties.emplace_back(std::min(members[a], members[b]), std::max(members[a], members[b]));
        }
      }
    }
  }
  std::sort(ties.begin(), ties.end());
  for (auto [a, b] : ties) {
    const Rule& ra = rules[a];
    const Rule& rb = rules[b];
    errors->Add(absl::StrCat(path, ":", rb.line, ": rules '", Echo(ra.id), "' (line ", ra.line,
                             ") and '", Echo(rb.id),
                             "' tie: same scope and category with overlapping windows"));
  }
}

}  // namespace

void RuleTable::CheckDeadlinesAndCoverage(const std::string& path, const Categories& cats,
                                          ErrorList* errors) {
  num_categories_ = cats.size();
  uncovered_.assign(cats.size(), 1);
  for (const Rule& r : rules_) {
    for (int32_t c = 0; c < cats.size(); ++c) {
      const Category& cat = cats.at(c);
      if (!r.Matches(cat)) continue;
      uncovered_[c] = 0;
      for (int32_t u = 0; u < kMaxUrgencies; ++u) {
        if (cat.AllowsUrgency(u) && r.deadlines[u].unit == DeadlineUnit::kNone) {
          errors->Add(absl::StrCat(path, ":", r.line, ": rule '", Echo(r.id),
                                   "' has no deadline for urgency '", cats.urgencies()[u], "' of ",
                                   CategoryTypeName(cat.type), " category ", cat.code));
          break;
        }
      }
    }
  }
}

void RuleTable::WarnUncovered(const std::string& path, const Categories& cats,
                              std::vector<std::string>* warnings) const {
  std::vector<std::string> uncovered;
  for (int32_t c = 0; c < cats.size(); ++c) {
    if (uncovered_[c]) {
      uncovered.push_back(absl::StrCat(CategoryTypeName(cats.at(c).type), ":", cats.at(c).code));
    }
  }
  if (!uncovered.empty() && warnings != nullptr) {
    warnings->push_back(absl::StrCat(path, ": ", uncovered.size(),
                                     " categories are covered by no rule (queries for them "
                                     "answer NOT_FOUND): ", absl::StrJoin(uncovered, ", ")));
  }
}

uint32_t RuleTable::MergedList(uint32_t parent_list, const std::vector<uint32_t>& own,
                               const Category& category, std::vector<uint32_t>* ids) {
  ids->clear();
  for (uint32_t i : own) {
    if (rules_[i].Matches(category)) ids->push_back(i);
  }
  if (ids->empty()) return parent_list;
  const auto& pl = lists_[parent_list];
  ids->insert(ids->end(), pool_.begin() + pl.first, pool_.begin() + pl.first + pl.second);
  return AddList(*ids);
}

void RuleTable::Compile(const RuleContext& ctx) {
  const Categories& cats = *ctx.categories;
  const Hierarchy& h = *ctx.hierarchy;
  const int32_t C = cats.size();
  std::vector<std::vector<uint32_t>> by_region(h.num_regions());
  absl::flat_hash_map<int32_t, std::vector<uint32_t>> by_grid, by_layer;
  std::vector<uint32_t> city;
  for (uint32_t i = 0; i < rules_.size(); ++i) {
    const Rule& r = rules_[i];
    switch (r.scope_kind) {
      case ScopeKind::kCity: city.push_back(i); break;
      case ScopeKind::kRegion: by_region[r.scope].push_back(i); break;
      case ScopeKind::kGrid: by_grid[r.scope].push_back(i); break;
      case ScopeKind::kLayer: by_layer[r.scope].push_back(i); break;
    }
  }
  std::vector<uint32_t> ids;
  // City lists, then region lists top-down (a region's parent first).
  city_lists_.resize(C);
  for (int32_t c = 0; c < C; ++c) city_lists_[c] = MergedList(0, city, cats.at(c), &ids);
  // Built full (region x category), then rows shared below.
  region_row_.resize(h.num_regions());
  for (int32_t r = 0; r < h.num_regions(); ++r) region_row_[r] = static_cast<uint32_t>(r);
  region_lists_.assign(static_cast<size_t>(h.num_regions()) * C, 0);
  std::vector<int32_t> order(h.num_regions());
  for (int32_t i = 0; i < h.num_regions(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    return h.region(a).level < h.region(b).level;
  });
  for (int32_t r : order) {
    const int32_t p = h.region(r).parent;
    for (int32_t c = 0; c < C; ++c) {
      const uint32_t parent_list =
          p >= 0 ? region_lists_[static_cast<size_t>(p) * C + c] : city_lists_[c];
      region_lists_[static_cast<size_t>(r) * C + c] =
          MergedList(parent_list, by_region[r], cats.at(c), &ids);
    }
  }
  ShareRegionRows();
  // Grids: only where a grid's own rules change its region's list.
  grid_has_rules_.assign(ctx.num_grids, 0);
  for (const auto& [g, own] : by_grid) {
    const int32_t region = ctx.grid_parent(static_cast<uint32_t>(g));
    for (int32_t c = 0; c < C; ++c) {
      const uint32_t parent_list =
          region >= 0 ? RegionList(region, c) : city_lists_[c];
      const uint32_t list = MergedList(parent_list, own, cats.at(c), &ids);
      if (list != parent_list) {
        grid_lists_[(static_cast<uint64_t>(g) << 32) | static_cast<uint32_t>(c)] = list;
        grid_has_rules_[g] = 1;
      }
    }
  }
  // Layers: their own rules only.
  int32_t max_layer = -1;
  for (const auto& [l, own] : by_layer) max_layer = std::max(max_layer, l);
  layer_has_rules_.assign(max_layer + 1, 0);
  for (const auto& [l, own] : by_layer) {
    for (int32_t c = 0; c < C; ++c) {
      const uint32_t list = MergedList(0, own, cats.at(c), &ids);
      if (list != 0) {
        layer_lists_[(static_cast<uint64_t>(l) << 32) | static_cast<uint32_t>(c)] = list;
        layer_has_rules_[l] = 1;
      }
    }
  }
}

absl::StatusOr<RuleTable> RuleTable::Build(const std::string& path, const RuleContext& ctx,
                                           std::vector<std::string>* warnings) {
  ASSIGN_OR_RETURN(CsvTable t, CsvTable::Open(path, {"id", "scope", "category_type", "category",
                                                     "lead", "helpers", "deadlines"},
                                              {"window"}, ctx.file));
  RuleTable table;
  ErrorList errors(ctx.max_errors);
  RuleRowParser parser(path, ctx, &errors);
  while (t.Next()) {
    Rule r;
    if (parser.Parse(t, &r)) table.rules_.push_back(std::move(r));
  }
  RETURN_IF_ERROR(t.status());
  AssignPrecedenceKeys(ctx, parser.priorities(), &table.rules_);
  ReportTies(path, table.rules_, &errors);
  table.CheckDeadlinesAndCoverage(path, *ctx.categories, &errors);
  if (!errors.empty()) return absl::InvalidArgumentError(errors.Lines());
  table.WarnUncovered(path, *ctx.categories, warnings);
  table.Compile(ctx);
  return table;
}

}  // namespace gridroute

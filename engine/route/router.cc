// Copyright 2026 gridroute authors.
#include "route/router.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/echo.h"
#include "common/status_macros.h"

namespace gridroute {

const char* OutcomeName(Outcome o) {
  return o == Outcome::kRouted ? "routed" : "outside_coverage";
}

Router::Router(std::shared_ptr<const Snapshot> snapshot) : snapshot_(std::move(snapshot)) {
  auto parsed = ParseCrs(snapshot_->manifest().crs);
  pack_crs_ = parsed.ok() ? *parsed : Crs();
  const CrsKind kinds[4] = {CrsKind::kWgs84, CrsKind::kCgcs2000, CrsKind::kGcj02, CrsKind::kBd09};
  for (int i = 0; i < 4; ++i) {
    Crs from;
    from.kind = kinds[i];
    auto t = CrsTransform::Create(from, pack_crs_);
    if (t.ok()) to_pack_[i] = std::move(*t);
  }
  const Categories& cats = snapshot_->categories();
  categories_ = CategoryLookup::Compile(cats, snapshot_->teams());
  compiled_ = CompiledRules::Compile(snapshot_->rules(),
                                     static_cast<int>(cats.urgencies().size()));
}

absl::Status Router::ToLattice(double x, double y, const Crs& crs, IPoint* p) const {
  LonLat ll;
  const int k = static_cast<int>(crs.kind);
  if (crs.kind != CrsKind::kEpsg && to_pack_[k] != nullptr && to_pack_[k]->is_identity() &&
      pack_crs_.geographic() && std::fabs(x) <= 180.0 && std::fabs(y) <= 90.0) {
    // The common case (a WGS-84 point, a WGS-84 pack): nothing to convert
    // and the range check inline.
    *p = snapshot_->quantizer().Quantize(x, y);
    return absl::OkStatus();
  }
  if (crs.kind != CrsKind::kEpsg && to_pack_[k] != nullptr) {
    ASSIGN_OR_RETURN(ll, to_pack_[k]->Apply(x, y));
  } else {
    ASSIGN_OR_RETURN(auto t, CrsTransform::Create(crs, pack_crs_));
    ASSIGN_OR_RETURN(ll, t->Apply(x, y));
  }
  // The conversion may leave the pack CRS's valid range (e.g. far outside a
  // projection zone): that is bad input, not a crash.
  if (absl::Status s = CheckCoordinate(pack_crs_, ll.lon, ll.lat); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "point (", x, ", ", y, ") in ", crs.ToString(), " lies outside the pack's CRS ",
        pack_crs_.ToString(), ": ", s.message()));
  }
  *p = snapshot_->quantizer().Quantize(ll.lon, ll.lat);
  return absl::OkStatus();
}

absl::Status Router::Locate(bool has_point, double x, double y, const Crs& crs,
                            const LocateOptions& options, LocateResult* out) const {
  if (!has_point) return absl::InvalidArgumentError("point: missing");
  if (!(options.snap_m >= 0) || !std::isfinite(options.snap_m)) {
    return absl::InvalidArgumentError(absl::StrCat("snap_m: must be a finite number >= 0, got ",
                                                   options.snap_m));
  }
  IPoint p;
  RETURN_IF_ERROR(ToLattice(x, y, crs, &p));
  *out = snapshot_->locator().Locate(p, options);
  return absl::OkStatus();
}

absl::Status Router::Route(const Event& e, const RouteOptions& o, Decision* d) const {
  RETURN_IF_ERROR(Prepare(e, o, d));
  const GridRoutes& routes = snapshot_->grid_routes();
  LocateOptions lo;
  lo.snap_m = o.snap_m;
  if (routes.size() > 0) lo.prefetch = {&routes.record(0), sizeof(GridRecord)};
  d->location = snapshot_->locator().Locate(d->point, lo);
  return Finish(e, o, d);
}

void Router::RouteBatch(absl::Span<const Event> events, const RouteOptions& o,
                        absl::Span<absl::Status> status, absl::Span<Decision> out,
                        BatchScratch* scratch) const {
  const Snapshot& s = *snapshot_;
  const size_t n = events.size();
  scratch->index.clear();
  scratch->points.clear();
  for (size_t i = 0; i < n; ++i) {
    if (!status[i].ok()) continue;
    status[i] = Prepare(events[i], o, &out[i]);
    if (status[i].ok()) {
      scratch->index.push_back(static_cast<uint32_t>(i));
      scratch->points.push_back(out[i].point);
    }
  }
  // The index overlaps the points' cache misses (CELL_LOCATOR.md); then
  // every grid's record is fetched before the first is read.
  const size_t m = scratch->points.size();
  scratch->located.resize(m);
  LocateOptions lo;
  lo.snap_m = o.snap_m;
  s.locator().LocateBatch(scratch->points.data(), m, lo,
                          scratch->located.data());
  const GridRoutes& routes = s.grid_routes();
  for (size_t k = 0; k < m; ++k) {
    const uint32_t g = scratch->located[k].grid;
    if (g != kNoGrid) __builtin_prefetch(&routes.record(g));
  }
  // The records are (mostly) here: start fetching what each one points at.
  for (size_t k = 0; k < m; ++k) {
    const uint32_t g = scratch->located[k].grid;
    if (g == kNoGrid) continue;
    const GridRecord& rec = routes.record(g);
    routes.Prefetch(g, rec);
    if (rec.region >= 0) {
      __builtin_prefetch(s.hierarchy().chain_data(rec.region));
      s.rules().PrefetchArea(rec.region, out[scratch->index[k]].category);
    }
  }
  for (size_t k = 0; k < m; ++k) {
    const uint32_t i = scratch->index[k];
    out[i].location = scratch->located[k];
    status[i] = Finish(events[i], o, &out[i]);
  }
}

absl::Status Router::Prepare(const Event& e, const RouteOptions& o, Decision* d) const {
  const Snapshot& s = *snapshot_;
  if (!s.routes()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "pack '", s.manifest().name, "' has no routing rules (manifest files.rules)"));
  }
  const Categories& cats = s.categories();
  d->snapshot = &s;
  d->helpers.clear();
  d->team.clear();
  d->layers.clear();
  d->component = -1;
  d->component_by_code = false;
  d->component_distance_m = 0;
  d->rule = ~0u;
  d->lead = -1;
  d->deadline = absl::InfiniteFuture();

  const CategoryLookup::Hot* hot = categories_.Find(e.category_type, e.category);
  if (hot == nullptr) {
    d->category = -1;
    return absl::InvalidArgumentError(absl::StrCat(
        "category: unknown ", CategoryTypeName(e.category_type), " category '", Echo(e.category), "'"));
  }
  d->category = hot->index;
  if (e.urgency.empty()) {
    d->urgency = hot->default_urgency;  // the lowest allowed
  } else {
    d->urgency = categories_.FindUrgency(e.urgency);
    if (!hot->AllowsUrgency(d->urgency)) {
      const Category& cat = cats.at(d->category);
      std::vector<std::string> allowed;
      for (int32_t u = 0; u < kMaxUrgencies; ++u) {
        if (cat.AllowsUrgency(u)) allowed.push_back(cats.urgencies()[u]);
      }
      return absl::InvalidArgumentError(absl::StrCat(
          "urgency: '", Echo(e.urgency), "' is not allowed for category ", cat.code, " (allowed: ",
          absl::StrJoin(allowed, ", "), ")"));
    }
  }
  if (e.reported_at == absl::InfinitePast() || e.reported_at == absl::InfiniteFuture()) {
    return absl::InvalidArgumentError("reported_at: missing or not a finite time");
  }
  if (!(o.snap_m >= 0) || !std::isfinite(o.snap_m)) {
    return absl::InvalidArgumentError(absl::StrCat("snap_m: must be a finite number >= 0, got ", o.snap_m));
  }
  if (!(o.component_radius_m >= 0) || !std::isfinite(o.component_radius_m)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "component_radius_m: must be a finite number >= 0, got ", o.component_radius_m));
  }

  // Where: a component named by code is where it is; otherwise the point.
  IPoint p;
  if (!e.component_code.empty()) {
    if (hot->type != CategoryType::kComponent) {
      return absl::InvalidArgumentError(absl::StrCat(
          "component_code: given for event category ", cats.at(d->category).code,
          "; component reports use a component category"));
    }
    d->component = s.components().FindCode(e.component_code);
    if (d->component < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "component_code: unknown component '", Echo(e.component_code), "'"));
    }
    const Component& comp = s.components().at(d->component);
    if (comp.category != d->category) {
      return absl::InvalidArgumentError(absl::StrCat(
          "component_code: component '", Echo(e.component_code), "' is of category ",
          cats.at(comp.category).code, ", not ", cats.at(d->category).code));
    }
    d->component_by_code = true;
    p = comp.point;
    if (e.has_point) {
      // Still validate what the caller sent.
      IPoint ignored;
      RETURN_IF_ERROR(ToLattice(e.x, e.y, e.crs, &ignored));
    }
  } else {
    if (!e.has_point) return absl::InvalidArgumentError("point: missing (and no component_code)");
    RETURN_IF_ERROR(ToLattice(e.x, e.y, e.crs, &p));
  }

  d->point = p;
  return absl::OkStatus();
}

absl::Status Router::Finish(const Event& e, const RouteOptions& o, Decision* d) const {
  const Snapshot& s = *snapshot_;
  const Categories& cats = s.categories();
  const CategoryLookup::Hot& hot = categories_.at(d->category);
  const IPoint p = d->point;
  d->chain.resize(s.hierarchy().levels().size());
  if (d->location.grid == kNoGrid) {
    std::fill(d->chain.begin(), d->chain.end(), -1);
    d->outcome = Outcome::kOutsideCoverage;
    return absl::OkStatus();
  }
  d->outcome = Outcome::kRouted;
  const uint32_t grid = d->location.grid;
  // One record holds what routing reads of the grid (model/grid_routes.h).
  const GridRoutes& routes = s.grid_routes();
  const GridRecord& rec = routes.record(grid);
  const int32_t region = rec.region;
  // What the record points at, fetched together rather than one miss after
  // another: the team list and the candidate layers (the region chain and
  // the rule rows are small tables that stay cached).
  routes.Prefetch(grid, rec);
  s.hierarchy().Chain(region, d->chain);
  if (d->location.how == How::kSnapped) {
    s.layers().Hits(p, &d->layers);  // p lies outside the grid
  } else {
    routes.LayerHits(grid, rec, p, s.layers(), &d->layers);
  }

  // The rule: area candidates (best first) against each hit layer's. A
  // list whose best rule has no window is won by it at any minute
  // (CompiledRules::winner); the others are scanned in the local minute.
  const RuleTable& rules = s.rules();
  const CompiledRules& compiled = compiled_;
  int64_t sec;
  uint32_t ticks;
  SplitTime(e.reported_at, &sec, &ticks);  // finite: Prepare checked
  int minute = -1;
  auto first_in_window = [&](absl::Span<const uint32_t> list) -> uint32_t {
    for (uint32_t r : list) {
      const CompiledRules::HotRule& h = compiled.rule(r);
      if (!h.has_window()) return r;
      if (minute < 0) minute = s.calendar().MinuteOfDay(sec);
      if (h.InWindow(minute)) return r;
    }
    return ~0u;
  };
  const uint32_t list = rules.AreaListId(grid, region, d->category,
                                         (rec.flags & GridRecord::kGridHasRules) != 0);
  uint32_t best = compiled.winner(list);
  if (best == CompiledRules::kScan) best = first_in_window(rules.ListById(list));
  for (int32_t l : d->layers) {
    const uint32_t r = first_in_window(rules.LayerCandidates(l, d->category));
    if (r != ~0u && (best == ~0u || compiled.rule(r).key > compiled.rule(best).key)) best = r;
  }
  if (best == ~0u) {
    const Category& cat = cats.at(d->category);
    return absl::NotFoundError(absl::StrCat(
        "category ", CategoryTypeName(cat.type), ":", cat.code, " (", cat.name, ") ",
        rules.uncovered(d->category) ? "is covered by no rule in pack "
                                     : "has no rule applying at grid ",
        rules.uncovered(d->category) ? s.manifest().version : std::string(s.grid_code(grid))));
  }
  d->rule = best;
  const CompiledRules::HotRule& rule = compiled.rule(best);

  // Component point-only reports: the nearest component of the category.
  if (d->component < 0 && hot.type == CategoryType::kComponent && o.component_radius_m > 0) {
    d->component = s.components().Nearest(p, d->category, o.component_radius_m,
                                          &d->component_distance_m);
  }
  if (d->component >= 0) {
    // Component faults go to the component's own departments.
    const Component& comp = s.components().at(d->component);
    d->lead = comp.maintainer >= 0 ? comp.maintainer : comp.owner;
    for (int32_t dep : {comp.owner, comp.property}) {
      if (dep >= 0 && dep != d->lead &&
          std::find(d->helpers.begin(), d->helpers.end(), dep) == d->helpers.end()) {
        d->helpers.push_back(dep);
      }
    }
  } else {
    d->lead = rule.lead;
    const absl::Span<const int32_t> helpers = compiled.helpers(rule);
    d->helpers.assign(helpers.begin(), helpers.end());
  }
  routes.Team(grid, rec, hot.team_specialty, s.teams(), &d->team);
  d->deadline = Deadline(e, sec, ticks, best, d->urgency);
  return absl::OkStatus();
}

absl::Time Router::Deadline(const Event& e, int64_t sec, uint32_t ticks, uint32_t r,
                            int32_t urgency) const {
  const WorkingCalendar& cal = snapshot_->calendar();
  const CompiledRules::Deadline dl = compiled_.deadline(r, urgency);
  int64_t out_sec;
  uint32_t out_ticks;
  // Integer seconds on the calendar's table; outside it (or for amounts
  // that are not whole seconds) the absl::Time forms below, which answer
  // the same wherever both apply (tests/route/compiled_rules_test.cc).
  switch (dl.kind) {
    case CompiledRules::DeadlineKind::kWorkingSeconds:
      if (cal.AddWorkingSeconds(sec, ticks, dl.amount, &out_sec, &out_ticks)) {
        return JoinTime(out_sec, out_ticks);
      }
      return cal.AddWorkingHours(e.reported_at, absl::Seconds(dl.amount));
    case CompiledRules::DeadlineKind::kWorkingDays:
      if (cal.AddWorkingDays(sec, ticks, static_cast<int>(dl.amount), &out_sec, &out_ticks)) {
        return JoinTime(out_sec, out_ticks);
      }
      return cal.AddWorkingDays(e.reported_at, static_cast<int>(dl.amount));
    case CompiledRules::DeadlineKind::kCalendarSeconds:
      // |amount| < 2^58: no overflow while |sec| < 2^62 (every finite
      // absl::Time a report carries; the rest saturates as absl does).
      if (sec < (int64_t{1} << 62) && sec > -(int64_t{1} << 62)) {
        return JoinTime(sec + dl.amount, ticks);
      }
      return e.reported_at + absl::Seconds(dl.amount);
    case CompiledRules::DeadlineKind::kNone:
      return absl::InfiniteFuture();  // the loader guarantees one per allowed urgency
    case CompiledRules::DeadlineKind::kGeneral:
      break;
  }
  const DeadlineSpec& spec = snapshot_->rules().rule(r).deadlines[urgency];
  switch (spec.unit) {
    case DeadlineUnit::kWorkingHours:
      return cal.AddWorkingHours(e.reported_at, absl::Seconds(spec.amount * 3600));
    case DeadlineUnit::kWorkingDays:
      return cal.AddWorkingDays(e.reported_at, static_cast<int>(spec.amount));
    case DeadlineUnit::kCalendarHours:
      return e.reported_at + absl::Seconds(spec.amount * 3600);
    case DeadlineUnit::kCalendarMinutes:
      return e.reported_at + absl::Seconds(spec.amount * 60);
    case DeadlineUnit::kNone:
      break;
  }
  return absl::InfiniteFuture();
}

}  // namespace gridroute

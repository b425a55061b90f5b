// Copyright 2026 gridroute authors.
#include "service/convert.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "service/field_limits.h"

namespace gridroute {
namespace {

// Copies a view into a (reused or arena) proto string.
void SetView(absl::string_view v, std::string* out) { out->assign(v.data(), v.size()); }

// Timestamp's valid range: 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z.
constexpr int64_t kMinSeconds = -62135596800;
constexpr int64_t kMaxSeconds = 253402300799;

void DepartmentToProto(const Snapshot& s, int32_t i, v1::Department* out) {
  const Department& d = s.departments().at(i);
  out->set_code(d.code);
  out->set_name(d.name);
  if (!d.channel.empty()) out->set_channel(d.channel);
}

v1::How HowToProto(How h) {
  switch (h) {
    case How::kInside: return v1::HOW_INSIDE;
    case How::kOnEdge: return v1::HOW_ON_EDGE;
    case How::kSnapped: return v1::HOW_SNAPPED;
    case How::kOutside: return v1::HOW_OUTSIDE;
  }
  return v1::HOW_UNSPECIFIED;
}

v1::TeamRole TeamRoleToProto(TeamRole r) {
  switch (r) {
    case TeamRole::kLeader: return v1::TEAM_ROLE_LEADER;
    case TeamRole::kInstructor: return v1::TEAM_ROLE_INSTRUCTOR;
    case TeamRole::kMember: return v1::TEAM_ROLE_MEMBER;
    case TeamRole::kSpecialist: return v1::TEAM_ROLE_SPECIALIST;
  }
  return v1::TEAM_ROLE_UNSPECIFIED;
}

void TeamCodesToProto(const Snapshot& s, const Decision& d, v1::DecisionCodes* out) {
  const Teams& teams = s.teams();
  const std::vector<std::string>& specialties = teams.specialties();
  for (const TeamAssignment& t : d.team) {
    v1::TeamRef* m = out->add_team();
    m->set_role(TeamRoleToProto(t.role));
    if (t.specialty >= 0 && static_cast<size_t>(t.specialty) < specialties.size()) {
      m->set_specialty(specialties[t.specialty]);
    }
    const absl::string_view id = teams.person_id(t.person);
    m->set_person_id(id.data(), id.size());
    m->set_inherited(!t.from_grid);
  }
}

absl::Status CategoryTypeFromProto(int t, CategoryType* out) {
  switch (t) {
    case v1::CATEGORY_TYPE_EVENT: *out = CategoryType::kEvent; return absl::OkStatus();
    case v1::CATEGORY_TYPE_COMPONENT: *out = CategoryType::kComponent; return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat("category_type: unknown value ", t));
}

// The string fields a report carries, bounded (field_limits.h) before
// anything else looks at them.
absl::Status CheckReportLengths(const v1::RouteRequest& r) {
  absl::Status s = CheckLength(r.category(), kMaxCodeBytes, "category");
  if (s.ok()) s = CheckLength(r.urgency(), kMaxCodeBytes, "urgency");
  if (s.ok()) s = CheckLength(r.component_code(), kMaxCodeBytes, "component_code");
  return s;
}

absl::Status CheckDetectionLengths(const v1::Detection& d) {
  absl::Status s = CheckLength(d.correlation_id(), kMaxIdBytes, "correlation_id");
  if (s.ok()) s = CheckLength(d.camera_id(), kMaxIdBytes, "camera_id");
  if (s.ok()) s = CheckLength(d.category(), kMaxCodeBytes, "category");
  if (s.ok()) s = CheckLength(d.urgency(), kMaxCodeBytes, "urgency");
  return s;
}

}  // namespace

absl::Status TimeFromProto(const google::protobuf::Timestamp& t, const char* field,
                           absl::Time* out) {
  if (t.nanos() < 0 || t.nanos() >= 1'000'000'000 || t.seconds() < kMinSeconds ||
      t.seconds() > kMaxSeconds) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": not a valid Timestamp (seconds ",
                                                   t.seconds(), ", nanos ", t.nanos(), ")"));
  }
  *out = absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
  return absl::OkStatus();
}

void TimeToProto(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t s = absl::ToUnixSeconds(t);  // floors
  out->set_seconds(s);
  out->set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(s)) / absl::Nanoseconds(1)));
}

absl::Status PointFromProto(const v1::Point& p, bool has_point, bool* out_has, double* x,
                            double* y, Crs* crs) {
  *out_has = has_point;
  if (!has_point) return absl::OkStatus();
  if (absl::Status s = CheckLength(p.crs(), kMaxCrsBytes, "point.crs"); !s.ok()) return s;
  if (p.crs().empty()) {
    *crs = Crs();  // wgs84
  } else {
    absl::StatusOr<Crs> c = ParseCrs(p.crs());
    if (!c.ok()) return absl::InvalidArgumentError(absl::StrCat("point.crs: ", c.status().message()));
    *crs = *c;
  }
  if (!std::isfinite(p.x()) || !std::isfinite(p.y())) {
    return absl::InvalidArgumentError(
        absl::StrCat("point: x and y must be finite numbers, got (", p.x(), ", ", p.y(), ")"));
  }
  if (absl::Status s = CheckCoordinate(*crs, p.x(), p.y()); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("point: ", s.message()));
  }
  *x = p.x();
  *y = p.y();
  return absl::OkStatus();
}

absl::Status EventFromProto(const v1::RouteRequest& r, Event* e, RouteOptions* o) {
  if (absl::Status s = CheckReportLengths(r); !s.ok()) return s;
  absl::Status s = PointFromProto(r.point(), r.has_point(), &e->has_point, &e->x, &e->y, &e->crs);
  if (!s.ok()) return s;
  if (s = CategoryTypeFromProto(r.category_type(), &e->category_type); !s.ok()) return s;
  if (r.category().empty()) return absl::InvalidArgumentError("category: required");
  e->category = r.category();
  e->urgency = r.urgency();
  e->component_code = r.component_code();
  if (!r.has_reported_at()) return absl::InvalidArgumentError("reported_at: required");
  if (s = TimeFromProto(r.reported_at(), "reported_at", &e->reported_at); !s.ok()) return s;
  o->snap_m = r.snap_m();
  o->component_radius_m = r.has_component_radius_m() ? r.component_radius_m() : RouteOptions().component_radius_m;
  return absl::OkStatus();
}

absl::Status EventFromProto(const v1::Detection& d, double snap_m, Event* e, RouteOptions* o) {
  if (absl::Status s = CheckDetectionLengths(d); !s.ok()) return s;
  if (!d.has_point()) return absl::InvalidArgumentError("point: required");
  absl::Status s = PointFromProto(d.point(), true, &e->has_point, &e->x, &e->y, &e->crs);
  if (!s.ok()) return s;
  if (s = CategoryTypeFromProto(d.category_type(), &e->category_type); !s.ok()) return s;
  if (d.category().empty()) return absl::InvalidArgumentError("category: required");
  e->category = d.category();
  e->urgency = d.urgency();
  e->component_code.clear();
  if (!d.has_frame_time()) return absl::InvalidArgumentError("frame_time: required");
  if (s = TimeFromProto(d.frame_time(), "frame_time", &e->reported_at); !s.ok()) return s;
  o->snap_m = snap_m;
  o->component_radius_m = RouteOptions().component_radius_m;
  return absl::OkStatus();
}

void LocationToProto(const Snapshot& s, const LocateResult& r, v1::Location* out) {
  out->set_how(HowToProto(r.how));
  if (r.grid == kNoGrid) return;
  out->set_grid_code(std::string(s.grid_code(r.grid)));
  if (!s.grid_name(r.grid).empty()) out->set_grid_name(std::string(s.grid_name(r.grid)));
  out->set_distance_m(r.distance_m);
  const Hierarchy& h = s.hierarchy();
  for (int32_t reg = s.grid_parent(r.grid); reg >= 0; reg = h.region(reg).parent) {
    // Walks up; the chain is written top first below.
    out->add_chain();
  }
  int i = out->chain_size();
  for (int32_t reg = s.grid_parent(r.grid); reg >= 0; reg = h.region(reg).parent) {
    const Region& region = h.region(reg);
    v1::RegionRef* ref = out->mutable_chain(--i);
    ref->set_level(h.levels()[region.level]);
    ref->set_code(region.code);
    ref->set_name(region.name);
  }
}

void DecisionToProto(const Snapshot& s, const Decision& d, v1::Decision* out, bool personal) {
  LocationToProto(s, d.location, out->mutable_location());
  if (d.category >= 0) {
    const Category& c = s.categories().at(d.category);
    out->set_category(c.code);
    out->set_category_name(c.name);
  }
  if (d.outcome != Outcome::kRouted) {
    out->set_outcome(v1::OUTCOME_OUTSIDE_COVERAGE);
    return;
  }
  out->set_outcome(v1::OUTCOME_ROUTED);
  out->set_rule_id(s.rules().rule(d.rule).id);
  if (d.lead >= 0) DepartmentToProto(s, d.lead, out->mutable_lead());
  for (int32_t h : d.helpers) DepartmentToProto(s, h, out->add_helpers());
  // Straight from the snapshot's string tables: no intermediate copies.
  const Layers& layers = s.layers();
  for (int32_t l : d.layers) {
    v1::LayerOwner* o = out->add_layers();
    SetView(layers.code(l), o->mutable_layer_code());
    SetView(layers.name(l), o->mutable_layer_name());
    SetView(layers.kind(l), o->mutable_kind());
    if (personal) {
      SetView(layers.owner(l), o->mutable_owner());
      SetView(layers.owner_contact(l), o->mutable_owner_contact());
    }
  }
  const Teams& teams = s.teams();
  const auto& specialties = teams.specialties();
  for (const TeamAssignment& t : d.team) {
    v1::TeamMember* m = out->add_team();
    m->set_role(TeamRoleName(t.role));
    if (t.specialty >= 0 && static_cast<size_t>(t.specialty) < specialties.size()) {
      m->set_specialty(specialties[t.specialty]);
    }
    SetView(teams.person_id(t.person), m->mutable_person_id());
    if (personal) {
      SetView(teams.person_name(t.person), m->mutable_name());
      SetView(teams.person_phone(t.person), m->mutable_phone());
    }
    m->set_inherited(!t.from_grid);
  }
  if (d.component >= 0) {
    const Component& c = s.components().at(d.component);
    v1::ComponentRef* ref = out->mutable_component();
    ref->set_code(std::string(s.components().code(d.component)));
    if (c.category >= 0) ref->set_category(s.categories().at(c.category).code);
    if (c.owner >= 0) DepartmentToProto(s, c.owner, ref->mutable_owner());
    if (c.property >= 0) DepartmentToProto(s, c.property, ref->mutable_property());
    if (c.maintainer >= 0) DepartmentToProto(s, c.maintainer, ref->mutable_maintainer());
    ref->set_state(std::string(s.components().state(d.component)));
    ref->set_by_code(d.component_by_code);
    ref->set_distance_m(d.component_distance_m);
  }
  if (d.urgency >= 0) out->set_urgency(s.categories().urgencies()[d.urgency]);
  if (d.deadline != absl::InfiniteFuture()) TimeToProto(d.deadline, out->mutable_deadline());
}

void DecisionCodesToProto(const Snapshot& s, const Decision& d, v1::DecisionCodes* out) {
  out->set_how(HowToProto(d.location.how));
  if (d.location.grid != kNoGrid) {
    const absl::string_view g = s.grid_code(d.location.grid);
    out->set_grid_code(g.data(), g.size());
    out->set_distance_m(d.location.distance_m);
    for (int32_t reg : d.chain) {
      if (reg >= 0) out->add_region_codes(s.hierarchy().region(reg).code);
    }
  }
  if (d.category >= 0) out->set_category(s.categories().at(d.category).code);
  if (d.outcome != Outcome::kRouted) {
    out->set_outcome(v1::OUTCOME_OUTSIDE_COVERAGE);
    return;
  }
  out->set_outcome(v1::OUTCOME_ROUTED);
  out->set_rule_id(s.rules().rule(d.rule).id);
  if (d.lead >= 0) out->set_lead(s.departments().at(d.lead).code);
  for (int32_t h : d.helpers) out->add_helpers(s.departments().at(h).code);
  TeamCodesToProto(s, d, out);
  for (int32_t l : d.layers) {
    const absl::string_view code = s.layers().code(l);
    out->add_layer_codes(code.data(), code.size());
  }
  if (d.component >= 0) {
    const absl::string_view code = s.components().code(d.component);
    out->set_component_code(code.data(), code.size());
    if (!d.component_by_code) out->set_component_distance_m(d.component_distance_m);
  }
  if (d.urgency >= 0) out->set_urgency(s.categories().urgencies()[d.urgency]);
  if (d.deadline != absl::InfiniteFuture()) TimeToProto(d.deadline, out->mutable_deadline());
}

absl::Status CheckView(int view, const char* field) {
  if (view == v1::DECISION_VIEW_FULL || view == v1::DECISION_VIEW_CODES) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      field, ": unknown value ", view, " (DECISION_VIEW_FULL = 0 or DECISION_VIEW_CODES = 1)"));
}

void SnapshotRefToProto(const ServedSnapshot& s, v1::SnapshotRef* out) {
  out->set_version(s.snapshot->manifest().version);
  out->set_generation(s.generation);
  out->set_time_zone(s.snapshot->calendar().time_zone().name());
}

}  // namespace gridroute

namespace gridroute {

v1::CaseState CaseStateToProto(CaseState s) {
  return static_cast<v1::CaseState>(static_cast<int>(s) + 1);
}

absl::Status CaseStateFromProto(v1::CaseState s, const char* field, CaseState* out) {
  const int v = static_cast<int>(s);
  if (v < 1 || v > kNumCaseStates) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": required (one of CASE_STATE_REPORTED .. CASE_STATE_REOPENED), got ", v));
  }
  *out = static_cast<CaseState>(v - 1);
  return absl::OkStatus();
}

void CaseToProto(const CaseView& c, absl::Time now, const WorkingCalendar& calendar,
                 v1::Case* out) {
  out->set_case_id(c.id);
  out->set_state(CaseStateToProto(c.state));
  out->set_category_type(c.category_type == CategoryType::kComponent ? v1::CATEGORY_TYPE_COMPONENT
                                                                      : v1::CATEGORY_TYPE_EVENT);
  out->set_category(c.category);
  out->set_component(c.component);
  out->set_grid(c.grid);
  for (const std::string& r : c.chain) out->add_chain(r);
  out->set_lead(c.lead);
  for (const std::string& h : c.helpers) out->add_helpers(h);
  if (c.has_point) {
    out->mutable_point()->set_x(c.lon);
    out->mutable_point()->set_y(c.lat);
  }
  TimeToProto(c.first_report, out->mutable_first_report());
  TimeToProto(c.last_report, out->mutable_last_report());
  out->set_report_count(c.report_count);
  if (c.due != absl::InfiniteFuture()) TimeToProto(c.due, out->mutable_due());
  const OverdueInfo od = Overdue(c, now, calendar);
  out->set_overdue(od.overdue);
  out->set_overdue_working_hours(absl::ToDoubleHours(od.working_late));
  if (c.state == CaseState::kClosed && c.closed_at != absl::InfiniteFuture()) {
    TimeToProto(c.closed_at, out->mutable_closed_at());
  }
  out->set_source(ReportSourceName(c.source));
  out->set_source_id(c.source_id);
  for (const HistoryEntry& h : c.history) {
    v1::CaseHistoryEntry* e = out->add_history();
    e->set_state(CaseStateToProto(h.state));
    e->set_actor(h.actor);
    TimeToProto(h.at, e->mutable_at());
    e->set_note(h.note);
    e->set_lead(h.lead);
  }
}

}  // namespace gridroute

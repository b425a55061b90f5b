// Copyright 2026 gridroute authors.
#include "service/codes_wire.h"

#include <vector>

namespace gridroute {
namespace {

// routing.proto numbers (DecisionCodes, TeamRef, CaseRef, enums).
enum CodesField {
  kOutcome = 1, kGridCode = 2, kHow = 3, kDistance = 4, kRegionCodes = 5, kRuleId = 6,
  kLead = 7, kHelpers = 8, kTeam = 9, kLayerCodes = 10, kComponentCode = 11,
  kComponentDistance = 12, kCategory = 13, kUrgency = 14, kDeadline = 15, kCaseRef = 16,
};
constexpr int kOutcomeRouted = 1, kOutcomeOutside = 2;

int HowNumber(How h) {
  switch (h) {
    case How::kInside: return 1;
    case How::kOnEdge: return 2;
    case How::kSnapped: return 3;
    case How::kOutside: return 4;
  }
  return 0;
}

int RoleNumber(TeamRole r) { return static_cast<int>(r) + 1; }  // TEAM_ROLE_LEADER = 1 ...

void AppendTeam(const Snapshot& s, const Decision& d, std::string* nested, WireWriter* w) {
  const Teams& teams = s.teams();
  const std::vector<std::string>& specialties = teams.specialties();
  for (const TeamAssignment& t : d.team) {
    nested->clear();
    WireWriter m(nested);
    m.Int(1, RoleNumber(t.role));
    if (t.specialty >= 0 && static_cast<size_t>(t.specialty) < specialties.size()) {
      m.String(2, specialties[t.specialty]);
    }
    m.String(3, teams.person_id(t.person));
    m.Bool(4, !t.from_grid);
    w->Bytes(kTeam, *nested);
  }
}

void AppendCaseRef(const CaseOutcome& c, std::string* nested, WireWriter* w) {
  nested->clear();
  WireWriter m(nested);
  m.String(1, c.case_id);
  m.Bool(2, c.folded);
  m.Int(3, c.report_count);
  m.Bool(4, c.duplicate);
  w->Bytes(kCaseRef, *nested);
}

// The routed part, in field order after kCategory's predecessors.
void AppendRouted(const Snapshot& s, const Decision& d, std::string* nested, WireWriter* w) {
  w->String(kRuleId, s.rules().rule(d.rule).id);
  if (d.lead >= 0) w->String(kLead, s.departments().at(d.lead).code);
  for (int32_t h : d.helpers) w->Bytes(kHelpers, s.departments().at(h).code);
  AppendTeam(s, d, nested, w);
  for (int32_t l : d.layers) w->Bytes(kLayerCodes, s.layers().code(l));
  if (d.component >= 0) {
    w->String(kComponentCode, s.components().code(d.component));
    if (!d.component_by_code) w->Double(kComponentDistance, d.component_distance_m);
  }
}

}  // namespace

void AppendTimestamp(absl::Time t, int field, std::string* scratch, WireWriter* w) {
  const int64_t secs = absl::ToUnixSeconds(t);  // floors
  const int64_t nanos = (t - absl::FromUnixSeconds(secs)) / absl::Nanoseconds(1);
  scratch->clear();
  WireWriter m(scratch);
  m.Int(1, secs);
  m.Int(2, static_cast<int32_t>(nanos));
  w->Bytes(field, *scratch);
}

void AppendDecisionCodes(const Snapshot& s, const Decision& d, const CaseOutcome* case_ref,
                         int field, WireScratch* scratch, WireWriter* w) {
  std::string& codes = scratch->codes;
  codes.clear();
  WireWriter m(&codes);
  const bool routed = d.outcome == Outcome::kRouted;
  m.Int(kOutcome, routed ? kOutcomeRouted : kOutcomeOutside);
  if (d.location.grid != kNoGrid) m.String(kGridCode, s.grid_code(d.location.grid));
  m.Int(kHow, HowNumber(d.location.how));
  if (d.location.grid != kNoGrid) {
    m.Double(kDistance, d.location.distance_m);
    for (int32_t r : d.chain) {
      if (r >= 0) m.Bytes(kRegionCodes, s.hierarchy().region(r).code);
    }
  }
  if (routed) AppendRouted(s, d, &scratch->nested, &m);
  if (d.category >= 0) m.String(kCategory, s.categories().at(d.category).code);
  if (routed) {
    if (d.urgency >= 0) m.String(kUrgency, s.categories().urgencies()[d.urgency]);
    if (d.deadline != absl::InfiniteFuture()) {
      AppendTimestamp(d.deadline, kDeadline, &scratch->nested, &m);
    }
    if (case_ref != nullptr) AppendCaseRef(*case_ref, &scratch->nested, &m);
  }
  w->Bytes(field, codes);
}

}  // namespace gridroute

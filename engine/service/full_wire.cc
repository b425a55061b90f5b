// Copyright 2026 gridroute authors.
#include "service/full_wire.h"

#include <cstring>

#include "model/teams.h"

namespace gridroute {
namespace {

// routing.proto numbers: Decision, Location, RegionRef, Department,
// TeamMember, LayerOwner, ComponentRef, CaseRef.
enum DecisionField {
  kOutcome = 1, kLocation = 2, kRuleId = 3, kLead = 4, kHelpers = 5, kLayers = 6, kTeam = 7,
  kComponent = 8, kUrgency = 9, kDeadline = 10, kCategory = 11, kCategoryName = 12,
  kCaseRef = 13,
};
enum LocationField { kGridCode = 1, kGridName = 2, kHow = 3, kDistance = 4, kChain = 5 };
constexpr int kOutcomeRouted = 1, kOutcomeOutside = 2;

// Appends ready bytes (a fragment of FullTables).
void Raw(absl::string_view bytes, WireWriter* w) { w->out()->append(bytes.data(), bytes.size()); }

// A sub-message whose length is known only once written: its body goes
// after room for the length prefix size the caller expects, and moves only
// when the real length needs another size.
class Nested {
 public:
  // `slot`: the length prefix's expected size in bytes (1: bodies under
  // 128 bytes, 2: under 16 KiB). A body of that size is closed without
  // moving it; another size moves the body once, either way.
  Nested(int field, WireWriter* w, int slot) : out_(w->out()), slot_(slot) {
    w->Tag(field, 2);
    at_ = out_->size();
    out_->append(static_cast<size_t>(slot), '\0');
  }
  ~Nested() {
    const size_t len = out_->size() - at_ - slot_;
    char buf[10];  // a length below 2^35 (a string's size) takes at most 5
    int n = 0;
    uint64_t v = len;
    while (v >= 0x80) {
      buf[n++] = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    buf[n++] = static_cast<char>(v);
    if (n == slot_) [[likely]] {
      std::memcpy(out_->data() + at_, buf, n);
    } else {
      out_->replace(at_, slot_, buf, n);
    }
  }
  Nested(const Nested&) = delete;
  Nested& operator=(const Nested&) = delete;

 private:
  std::string* out_;
  size_t at_;
  int slot_;
};

void AppendLocation(const FullTables& t, const Snapshot& s, const LocateResult& r,
                    WireWriter* w) {
  Nested loc(kLocation, w, 2);
  if (r.grid != kNoGrid) {
    char code[GridRecord::kMaxCodeDigits];
    w->String(kGridCode, s.grid_code_fast(r.grid, code));
    w->String(kGridName, s.grid_name(r.grid));
  }
  w->Int(kHow, HowNumber(r.how));
  if (r.grid == kNoGrid) return;
  w->Double(kDistance, r.distance_m);
  // The chain top first: the regions on the path from the grid's region to
  // the top, by level (Hierarchy::chain_data; -1 where the path skips one),
  // which is the parent walk LocationToProto writes.
  const int32_t region = s.grid_parent(r.grid);
  if (region < 0) return;
  const int32_t* chain = s.hierarchy().chain_data(region);
  for (size_t l = 0; l < t.levels(); ++l) {
    if (chain[l] >= 0) Raw(t.region_ref(chain[l]), w);
  }
}

void AppendDepartment(const FullTables& t, int field, int32_t d, WireWriter* w) {
  w->Bytes(field, t.department(d));
}

void AppendTeam(const FullTables& t, const Snapshot& s, const Decision& d, bool personal,
                WireWriter* w) {
  const Teams& teams = s.teams();
  for (const TeamAssignment& a : d.team) {
    Nested m(kTeam, w, 1);
    w->String(1, TeamRoleName(a.role));
    if (a.specialty >= 0 && static_cast<uint32_t>(a.specialty) < t.num_specialties()) {
      Raw(t.specialty(a.specialty), w);
    }
    w->String(3, teams.person_id(a.person));
    if (personal) {
      w->String(4, teams.person_name(a.person));
      w->String(5, teams.person_phone(a.person));
    }
    w->Bool(6, !a.from_grid);
  }
}

void AppendComponent(const FullTables& t, const Snapshot& s, const Decision& d, WireWriter* w) {
  const Component c = s.components().at(d.component);
  Nested ref(kComponent, w, 2);
  w->String(1, s.components().code(d.component));
  if (c.category >= 0) w->String(2, s.categories().at(c.category).code);
  if (c.owner >= 0) AppendDepartment(t, 3, c.owner, w);
  if (c.property >= 0) AppendDepartment(t, 4, c.property, w);
  if (c.maintainer >= 0) AppendDepartment(t, 5, c.maintainer, w);
  w->String(6, s.components().state(d.component));
  w->Bool(7, d.component_by_code);
  w->Double(8, d.component_distance_m);
}

void AppendCaseRef(const CaseOutcome& c, WireWriter* w) {
  Nested ref(kCaseRef, w, 1);
  w->String(1, c.case_id);
  w->Bool(2, c.folded);
  w->Int(3, c.report_count);
  w->Bool(4, c.duplicate);
}

void AppendDeadline(absl::Time t, WireWriter* w) {
  const int64_t secs = absl::ToUnixSeconds(t);  // floors, as TimeToProto
  const int64_t nanos = (t - absl::FromUnixSeconds(secs)) / absl::Nanoseconds(1);
  Nested ts(kDeadline, w, 1);
  w->Int(1, secs);
  w->Int(2, static_cast<int32_t>(nanos));
}

// Fields 3..8 of a routed decision.
void AppendRouted(const FullTables& t, const Snapshot& s, const Decision& d, bool personal,
                  WireWriter* w) {
  Raw(t.rule_id(d.rule), w);
  if (d.lead >= 0) AppendDepartment(t, kLead, d.lead, w);
  for (int32_t h : d.helpers) AppendDepartment(t, kHelpers, h, w);
  for (int32_t l : d.layers) {
    Nested o(kLayers, w, 2);
    Raw(t.layer_public(l), w);
    if (personal) Raw(t.layer_personal(l), w);
  }
  AppendTeam(t, s, d, personal, w);
  if (d.component >= 0) AppendComponent(t, s, d, w);
}

}  // namespace

void AppendDecisionFull(const FullTables& t, const Snapshot& s, const Decision& d,
                        bool personal, const CaseOutcome* case_ref, int field, WireWriter* w) {
  Nested decision(field, w, 2);
  const bool routed = d.outcome == Outcome::kRouted;
  w->Int(kOutcome, routed ? kOutcomeRouted : kOutcomeOutside);
  AppendLocation(t, s, d.location, w);
  if (routed) {
    AppendRouted(t, s, d, personal, w);
    if (d.urgency >= 0) Raw(t.urgency(d.urgency), w);
    if (d.deadline != absl::InfiniteFuture()) AppendDeadline(d.deadline, w);
  }
  if (d.category >= 0) Raw(t.category(d.category), w);
  if (routed && case_ref != nullptr) AppendCaseRef(*case_ref, w);
}

void PrefetchDecisionFull(const Snapshot& s, const Decision& d, const absl::Status& status) {
  if (!status.ok() || d.location.grid == kNoGrid) return;
  if (s.grid_routes().record(d.location.grid).code_len == 0) s.PrefetchGridCode(d.location.grid);
  if (d.outcome != Outcome::kRouted) return;
  for (const TeamAssignment& a : d.team) s.teams().PrefetchPersonId(a.person);
  if (d.component >= 0) s.components().PrefetchCode(d.component);
}

}  // namespace gridroute

// Copyright 2026 gridroute authors.
#include "service/codes_wire.h"

#include <cstring>
#include <vector>

#include "model/calendar.h"

namespace gridroute {
namespace {

// routing.proto numbers (DecisionCodes, TeamRef, CaseRef, enums).
enum CodesField {
  kOutcome = 1, kGridCode = 2, kHow = 3, kDistance = 4, kRegionCodes = 5, kRuleId = 6,
  kLead = 7, kHelpers = 8, kTeam = 9, kLayerCodes = 10, kComponentCode = 11,
  kComponentDistance = 12, kCategory = 13, kUrgency = 14, kDeadline = 15, kCaseRef = 16,
};
constexpr int kOutcomeRouted = 1, kOutcomeOutside = 2;

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

int HowNumber(How h) {
  switch (h) {
    case How::kInside: return 1;
    case How::kOnEdge: return 2;
    case How::kSnapped: return 3;
    case How::kOutside: return 4;
  }
  return 0;
}

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

namespace {

int VarintSize(uint64_t v) {
  int n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Size of a length-delimited field of `len` bytes (tag < 16: one byte).
size_t FieldSize(size_t len) { return 1 + VarintSize(len) + len; }

// WireWriter's encodings into memory sized beforehand.
class RawWriter {
 public:
  explicit RawWriter(char* p) : p_(p) {}
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      *p_++ = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    *p_++ = static_cast<char>(v);
  }
  void Tag(int field, int wire_type) {
    Varint((static_cast<uint64_t>(field) << 3) | static_cast<uint64_t>(wire_type));
  }
  void Int(int field, int64_t v) {
    if (v == 0) return;
    Tag(field, 0);
    Varint(static_cast<uint64_t>(v));
  }
  void Bool(int field, bool v) { Int(field, v ? 1 : 0); }
  void Double(int field, double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof(bits));
    if (bits == 0) return;
    Tag(field, 1);
    for (int i = 0; i < 8; ++i) *p_++ = static_cast<char>(bits >> (8 * i));
  }
  void Bytes(int field, absl::string_view s) {
    Tag(field, 2);
    Varint(s.size());
    Copy(s);
  }
  void String(int field, absl::string_view s) {
    if (!s.empty()) Bytes(field, s);
  }
  void Copy(absl::string_view s) {
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  char* p() const { return p_; }

 private:
  char* p_;
};

// The grid's own region: the lowest one of the chain (Hierarchy::Chain of
// the grid's region fills the levels from it up).
int32_t LowestRegion(const Decision& d) {
  for (size_t i = d.chain.size(); i-- > 0;) {
    if (d.chain[i] >= 0) return d.chain[i];
  }
  return -1;
}

bool ValidSpecialty(const CodesTables& t, int32_t sp) {
  return sp >= 0 && static_cast<uint32_t>(sp) < t.num_specialties();
}

size_t TeamRefSize(const CodesTables& t, const Teams& teams, const TeamAssignment& a) {
  size_t n = 2;  // role: TEAM_ROLE_* >= 1, one byte
  if (ValidSpecialty(t, a.specialty)) n += t.specialty(a.specialty).size();
  const size_t id = teams.person_id(a.person).size();
  if (id > 0) n += FieldSize(id);
  if (!a.from_grid) n += 2;
  return n;
}

size_t CaseRefSize(const CaseOutcome& c) {
  size_t n = 0;
  if (!c.case_id.empty()) n += FieldSize(c.case_id.size());
  if (c.folded) n += 2;
  if (c.report_count != 0) n += 1 + VarintSize(static_cast<uint64_t>(c.report_count));
  if (c.duplicate) n += 2;
  return n;
}

// An upper bound of the DecisionCodes body's size.
size_t BodyBound(const CodesTables& t, const Snapshot& s, const Decision& d, int32_t region,
                 const CaseOutcome* case_ref) {
  size_t n = 2 + 2 + 9;  // outcome, how, distance
  char code[GridRecord::kMaxCodeDigits];
  if (d.location.grid != kNoGrid) n += 6 + s.grid_code_fast(d.location.grid, code).size();
  if (region >= 0) n += t.region_chain(region).size();
  if (d.category >= 0) n += t.category(d.category).size();
  if (d.outcome != Outcome::kRouted) return n;
  if (d.component < 0) {
    n += t.rule_routing(d.rule).size();
  } else {
    n += t.rule_id(d.rule).size();
    if (d.lead >= 0) n += t.department_lead(d.lead).size();
    for (int32_t h : d.helpers) n += t.department_helper(h).size();
    n += 6 + s.components().code(d.component).size() + 9;
  }
  for (const TeamAssignment& a : d.team) n += 6 + TeamRefSize(t, s.teams(), a);
  for (int32_t l : d.layers) n += 6 + s.layers().code(l).size();
  if (d.urgency >= 0) n += t.urgency(d.urgency).size();
  n += 2 + 11 + 6;  // deadline: Timestamp {seconds, nanos}
  if (case_ref != nullptr) n += 6 + CaseRefSize(*case_ref);
  return n;
}

void WriteTeam(const CodesTables& t, const Teams& teams, const Decision& d, RawWriter* m) {
  for (const TeamAssignment& a : d.team) {
    m->Tag(kTeam, 2);
    m->Varint(TeamRefSize(t, teams, a));
    m->Int(1, RoleNumber(a.role));
    if (ValidSpecialty(t, a.specialty)) m->Copy(t.specialty(a.specialty));
    m->String(3, teams.person_id(a.person));
    m->Bool(4, !a.from_grid);
  }
}

void WriteDeadline(absl::Time deadline, RawWriter* m) {
  int64_t secs;
  uint32_t ticks;
  SplitTime(deadline, &secs, &ticks);  // floor seconds, as AppendTimestamp
  const int64_t nanos = ticks / 4;     // absl ticks are quarter-nanoseconds
  size_t n = 0;
  if (secs != 0) n += 1 + VarintSize(static_cast<uint64_t>(secs));
  if (nanos != 0) n += 1 + VarintSize(static_cast<uint64_t>(nanos));
  m->Tag(kDeadline, 2);
  m->Varint(n);
  m->Int(1, secs);
  m->Int(2, nanos);
}

void WriteCaseRef(const CaseOutcome& c, RawWriter* m) {
  m->Tag(kCaseRef, 2);
  m->Varint(CaseRefSize(c));
  m->String(1, c.case_id);
  m->Bool(2, c.folded);
  m->Int(3, c.report_count);
  m->Bool(4, c.duplicate);
}

}  // namespace

void AppendDecisionCodes(const CodesTables& t, const Snapshot& s, const Decision& d,
                         const CaseOutcome* case_ref, int field, WireWriter* w) {
  const int32_t region = d.location.grid != kNoGrid ? LowestRegion(d) : -1;
  const size_t bound = BodyBound(t, s, d, region, case_ref);
  // The body goes after room for the tag and a 5-byte length, then moves
  // up to the length's real size (a ~190-byte memmove within the line).
  std::string* out = w->out();
  const size_t head = static_cast<size_t>(VarintSize(static_cast<uint64_t>(field) << 3 | 2)) + 5;
  const size_t old = out->size();
  out->resize(old + head + bound);
  char* const body = out->data() + old + head;
  RawWriter m(body);
  const bool routed = d.outcome == Outcome::kRouted;
  m.Int(kOutcome, routed ? kOutcomeRouted : kOutcomeOutside);
  char code[GridRecord::kMaxCodeDigits];
  if (d.location.grid != kNoGrid) m.String(kGridCode, s.grid_code_fast(d.location.grid, code));
  m.Int(kHow, HowNumber(d.location.how));
  if (d.location.grid != kNoGrid) {
    m.Double(kDistance, d.location.distance_m);
    if (region >= 0) m.Copy(t.region_chain(region));
  }
  if (routed) {
    if (d.component < 0) {
      m.Copy(t.rule_routing(d.rule));  // rule id, the rule's lead and helpers
    } else {
      m.Copy(t.rule_id(d.rule));
      if (d.lead >= 0) m.Copy(t.department_lead(d.lead));
      for (int32_t h : d.helpers) m.Copy(t.department_helper(h));
    }
    WriteTeam(t, s.teams(), d, &m);
    for (int32_t l : d.layers) m.Bytes(kLayerCodes, s.layers().code(l));
    if (d.component >= 0) {
      m.String(kComponentCode, s.components().code(d.component));
      if (!d.component_by_code) m.Double(kComponentDistance, d.component_distance_m);
    }
  }
  if (d.category >= 0) m.Copy(t.category(d.category));
  if (routed) {
    if (d.urgency >= 0) m.Copy(t.urgency(d.urgency));
    if (d.deadline != absl::InfiniteFuture()) WriteDeadline(d.deadline, &m);
    if (case_ref != nullptr) WriteCaseRef(*case_ref, &m);
  }
  const size_t len = static_cast<size_t>(m.p() - body);
  RawWriter h(out->data() + old);
  h.Tag(field, 2);
  h.Varint(len);
  if (h.p() != body) std::memmove(h.p(), body, len);
  out->resize(static_cast<size_t>(h.p() - out->data()) + len);
}

void PrefetchDecisionCodes(const CodesTables& t, const Snapshot& s, const Decision& d,
                           const absl::Status& status) {
  if (!status.ok() || d.location.grid == kNoGrid) return;
  if (s.grid_routes().record(d.location.grid).code_len == 0) s.PrefetchGridCode(d.location.grid);
  const int32_t region = LowestRegion(d);
  if (region >= 0) __builtin_prefetch(t.region_chain_data(region));
  if (d.outcome != Outcome::kRouted) return;
  __builtin_prefetch(t.rule_data(d.rule));
  for (const TeamAssignment& a : d.team) s.teams().PrefetchPersonId(a.person);
  if (d.component >= 0) s.components().PrefetchCode(d.component);
}

}  // namespace gridroute

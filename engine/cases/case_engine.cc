// Copyright 2026 gridroute authors.
#include "cases/case_engine.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cases/case_id.h"
#include "common/echo.h"
#include "common/field_error.h"
#include "cases/internal/time_ns.h"
#include "common/status_macros.h"

namespace gridroute {

using cases_internal::Dict;
using cases_internal::FromNs;
using cases_internal::InRange;
using cases_internal::kMaxNs;
using cases_internal::kMinNs;
using cases_internal::ToNs;

namespace {

constexpr size_t kMaxSourceIdBytes = kMaxKeySourceIdBytes;  // 256
constexpr size_t kMaxActorBytes = 256;
constexpr size_t kMaxNoteBytes = 4096;
constexpr size_t kMaxLeadBytes = 64;  // a department code
constexpr uint32_t kNone = ~0u;

std::atomic<uint64_t> next_engine_uid{1};

std::string TimeText(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*S%Ez", t, absl::UTCTimeZone());
}

absl::string_view DistrictOf(const Report& r) {
  if (!r.district.empty()) return r.district;
  return r.chain.empty() ? absl::string_view() : r.chain[0];
}

absl::Status CheckPoint(bool geographic, double lon, double lat) {
  if (!std::isfinite(lon) || !std::isfinite(lat)) {
    return absl::InvalidArgumentError(
        absl::StrCat("point: (", lon, ", ", lat, ") is not finite"));
  }
  const bool ok = geographic ? (std::fabs(lon) <= 180 && std::fabs(lat) <= 90)
                             : (std::fabs(lon) <= 1e8 && std::fabs(lat) <= 1e8);
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        "point: (", lon, ", ", lat, ") outside the valid range of a ",
        geographic ? "lon/lat" : "projected", " pack"));
  }
  return absl::OkStatus();
}

absl::Status CheckTime(absl::string_view field, absl::Time t) {
  if (InRange(t)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      field, ": ", absl::FormatTime(t), " is not a time in [1900, 2200)"));
}

absl::Status ValidateReport(const Report& r, bool geographic) {
  if (r.category.empty()) return absl::InvalidArgumentError("category: empty");
  RETURN_IF_ERROR(CheckTime("reported_at", r.reported_at));
  if (r.due != absl::InfiniteFuture()) RETURN_IF_ERROR(CheckTime("due", r.due));
  if (r.has_point) RETURN_IF_ERROR(CheckPoint(geographic, r.lon, r.lat));
  const absl::string_view district = DistrictOf(r);
  if (!IsValidDistrictCode(district)) {
    return absl::InvalidArgumentError(
        absl::StrCat("district: '", district,
                     "' cannot start a case id (1-32 of [0-9A-Za-z_]; empty "
                     "takes chain[0])"));
  }
  if (r.source_id.size() > kMaxSourceIdBytes) {
    // A field error: the service names the field its client sent (a
    // detection's camera_id) from the payload, not from the text.
    return FieldError(absl::StatusCode::kInvalidArgument, "source_id",
                      absl::StrCat(r.source_id.size(), " bytes (at most ", kMaxSourceIdBytes, ")"));
  }
  if (!r.key.empty()) {
    if (r.key.size() > kMaxReportKeyBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "key: ", r.key.size(), " bytes (at most ", kMaxReportKeyBytes, ")"));
    }
    if (r.key_scope.size() > kMaxKeyScopeBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "key_scope: ", r.key_scope.size(), " bytes (at most ", kMaxKeyScopeBytes, ")"));
    }
    RETURN_IF_ERROR(CheckTime("received_at", r.received_at));
  }
  return absl::OkStatus();
}

void AssignStrings(absl::Span<const absl::string_view> in,
                   std::vector<std::string>* out) {
  out->resize(in.size());
  for (size_t i = 0; i < in.size(); ++i)
    (*out)[i].assign(in[i].data(), in[i].size());
}

}  // namespace

// ------------------------------------------------------------- construction

absl::StatusOr<std::unique_ptr<CaseEngine>> CaseEngine::Create(
    CaseEngineOptions options) {
  if (!options.plane.has_value()) {
    return absl::InvalidArgumentError(
        "options.plane: required (LocalPlane::Geographic(city centre latitude) "
        "for a lon/lat "
        "pack, LocalPlane::Projected() for a projected one)");
  }
  if (options.plane->geographic() && !(std::fabs(options.plane->lat0()) < 85)) {
    return absl::InvalidArgumentError(
        absl::StrCat("options.plane: reference latitude ",
                     options.plane->lat0(), " outside (-85, 85)"));
  }
  if (!(options.watermark_step > absl::ZeroDuration()) ||
      options.watermark_step > absl::Hours(24 * 365)) {
    return absl::InvalidArgumentError(
        absl::StrCat("options.watermark_step: ", absl::FormatDuration(options.watermark_step),
                     " (must be in (0, 365 days])"));
  }
  if (!(options.key_window > absl::ZeroDuration()) ||
      options.key_window > absl::Hours(24 * 365)) {
    return absl::InvalidArgumentError(
        absl::StrCat("options.key_window: ", absl::FormatDuration(options.key_window),
                     " (must be in (0, 365 days])"));
  }
  return std::unique_ptr<CaseEngine>(new CaseEngine(std::move(options)));
}

CaseEngine::CaseEngine(CaseEngineOptions options)
    : uid_(next_engine_uid.fetch_add(1)),
      plane_(*options.plane),
      time_zone_(options.time_zone),
      key_window_ns_(absl::ToInt64Nanoseconds(options.key_window)),
      max_keys_(options.max_keys),
      rules_(std::move(options.fold_rules)),
      watermark_(absl::ToInt64Nanoseconds(options.watermark_step)),
      key_clock_ns_(kMinNs) {
  // Address space only (pages are touched as cases are filed): the first
  // million cases are filed without the vector moving every case it holds
  // (and faulting in a fresh copy) at each doubling.
  store_.cases_.reserve(kReservedCases);
}

absl::Time CaseEngine::watermark() const { return FromNs(watermark_ns()); }

const KeyIndex::Entry* CaseEngine::LiveKey(const ReportKeyFp& fp, int64_t received_ns) const {
  const KeyIndex::Entry* e = keys_.Find(fp);
  // Times are in [1900, 2200) and the window <= 365 days: no overflow.
  if (e == nullptr || e->received_ns < std::max(key_clock_ns_, received_ns) - key_window_ns_) {
    return nullptr;  // absent, or expired (the next Commit drops it)
  }
  return e;
}

void CaseEngine::ObserveTime(int64_t t, UndoEntry* u) {
  Watermark::Pending saved;
  if (watermark_.Observe(t, &saved)) {
    saved_pending_.push_back(saved);
    u->pending_saved = true;
  }
}

void CaseEngine::InsertKey(const ReportKeyFp& fp, uint32_t case_idx, bool folded,
                           int64_t count, int64_t received_ns, UndoEntry* u) {
  KeyIndex::Entry e;
  e.case_idx = case_idx;
  e.folded = folded;
  e.report_count = count;
  e.received_ns = received_ns;
  KeyIndex::Entry replaced;
  u->key_inserted = true;
  if (keys_.Insert(fp, e, &replaced)) {
    replaced_keys_.push_back(replaced);
    u->key_replaced = true;
  }
  key_clock_ns_ = std::max(key_clock_ns_, received_ns);
}

CaseEngine::CatRule CaseEngine::ResolveRule(CategoryType type,
                                            absl::string_view code) {
  const FoldRule& fr = rules_.Find(type, code);
  CatRule r;
  r.radius_m = fr.radius_m;
  r.window_ns = absl::ToInt64Nanoseconds(fr.window);
  r.same_grid = fr.same_grid;
  auto it =
      std::find(class_window_ns_.begin(), class_window_ns_.end(), r.window_ns);
  r.window_class = static_cast<int32_t>(it - class_window_ns_.begin());
  if (it == class_window_ns_.end()) class_window_ns_.push_back(r.window_ns);
  return r;
}

int32_t CaseEngine::InternCategory(CategoryType type, absl::string_view code) {
  const int t = static_cast<int>(type);
  const int32_t local = store_.category_dict_[t].Intern(code);
  if (static_cast<size_t>(local) == store_.cat_of_[t].size()) {
    store_.cat_of_[t].push_back(static_cast<int32_t>(store_.cat_type_.size()));
    store_.cat_type_.push_back(type);
    store_.cat_code_.push_back(local);
    cat_rules_.push_back(ResolveRule(type, code));
  }
  return store_.cat_of_[t][local];
}

void CaseEngine::IndexCase(uint32_t idx) {
  Case& c = store_.cases_[idx];
  const CatRule& rule = cat_rules_[c.category];
  c.fold_entry =
      c.component >= 0
          ? fold_.InsertComponent(idx, c.category, c.component, c.last_ns,
                                  rule.window_class)
          : fold_.InsertPoint(idx, c.category, rule.radius_m, c.x, c.y, c.grid,
                              c.last_ns, rule.window_class);
}

void CaseEngine::UnindexCase(uint32_t idx) {
  Case& c = store_.cases_[idx];
  fold_.Remove(c.fold_entry);
  c.fold_entry = kNone;
}

absl::Status CaseEngine::FindCase(absl::string_view id, uint32_t* idx) const {
  RETURN_IF_ERROR(store_.Lookup(id, idx));
  if (*idx == kNone)
    return absl::NotFoundError(absl::StrCat("case '", Echo(id), "' not found"));
  return absl::OkStatus();
}

// ------------------------------------------------------------------ decide

absl::Status CaseEngine::Decide(const Report& r, CaseRecord* out) const {
  return DecideWith(r, Probe(), out);
}

absl::Status CaseEngine::DecideWith(const Report& r, Probe probe,
                                    CaseRecord* out) const {
  RETURN_IF_ERROR(ValidateReport(r, plane_.geographic()));
  out->duplicate = false;
  out->has_key = !r.key.empty();
  if (out->has_key) {
    out->key = ReportKeyFingerprint(r.source, r.source_id, r.key, r.key_scope);
    out->received_at = r.received_at;
    if (const KeyIndex::Entry* e = LiveKey(out->key, ToNs(r.received_at))) {
      // Sent before: the first report's answer; nothing to apply.
      out->duplicate = true;
      out->kind = e->folded ? RecordKind::kFold : RecordKind::kNewCase;
      out->case_id.clear();
      store_.AppendId(store_.cases_[e->case_idx], &out->case_id);
      out->report_count = e->report_count;
      out->hint_case = kNone;
      return absl::OkStatus();
    }
  }
  if (!probe.valid) probe = ProbeOf(r);
  uint32_t hit = kNone;
  if (probe.valid) {
    const CatRule& rule = cat_rules_[probe.cat];
    // Times are in [1900, 2200) and windows <= 30 days: no overflow.
    const int64_t min_last =
        std::max(ToNs(r.reported_at), watermark_ns()) - rule.window_ns;
    if (probe.component) {
      hit = fold_.FindComponent(probe.cat, probe.comp, min_last);
    } else {
      int32_t grid = FoldIndex::kAnyGrid;
      if (rule.same_grid)
        grid = store_.grids_.Find(r.grid);  // -1: outside coverage
      if (grid != Dict::kMissing) {
        hit = fold_.FindNearest(probe.key, probe.cat, rule.radius_m, probe.x,
                                probe.y, grid, min_last);
      }
    }
  }
  out->hint_case = hit;
  out->hint_epoch = Hint();
  if (hit != kNone) {
    const Case& c = store_.cases_[hit];
    out->kind = RecordKind::kFold;
    out->case_id.clear();
    store_.AppendId(c, &out->case_id);
    out->reported_at = r.reported_at;
    out->source = r.source;
    out->source_id.assign(r.source_id.data(), r.source_id.size());
    out->report_count = c.count + 1;
    return absl::OkStatus();
  }

  // A new case: the next number of the district's day.
  const absl::string_view district = DistrictOf(r);
  const int32_t ymd = YmdOf(r.reported_at, time_zone_);
  uint32_t seq = 1;
  const int32_t d = store_.districts_.Find(district);
  if (d >= 0) {
    auto it = store_.counters_.find(CaseStore::CounterKey(d, ymd));
    if (it != store_.counters_.end()) seq = it->second + 1;
  }
  if (seq == 0) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "district ", district, ": no case numbers left for ", ymd));
  }
  out->kind = RecordKind::kNewCase;
  out->case_id.clear();
  AppendCaseId(district, ymd, seq, &out->case_id);
  CaseView& c = out->c;
  c.id = out->case_id;
  c.category_type = r.category_type;
  c.category.assign(r.category.data(), r.category.size());
  c.component.assign(r.component.data(), r.component.size());
  c.grid.assign(r.grid.data(), r.grid.size());
  c.district.assign(district.data(), district.size());
  AssignStrings(r.chain, &c.chain);
  c.lead.assign(r.lead.data(), r.lead.size());
  AssignStrings(r.helpers, &c.helpers);
  c.has_point = r.has_point;
  c.lon = r.has_point ? r.lon : 0;
  c.lat = r.has_point ? r.lat : 0;
  c.first_report = c.last_report = r.reported_at;
  c.due = r.due;
  c.closed_at = absl::InfiniteFuture();
  c.report_count = 1;
  c.state = CaseState::kReported;
  c.source = r.source;
  c.source_id.assign(r.source_id.data(), r.source_id.size());
  c.history.clear();
  return absl::OkStatus();
}

CaseEngine::Probe CaseEngine::ProbeOf(const Report& r) const {
  Probe p;
  const int ti = static_cast<int>(r.category_type);
  const int32_t local = store_.category_dict_[ti].Find(r.category);
  if (local < 0) return p;
  p.cat = store_.cat_of_[ti][local];
  if (!r.component.empty()) {
    p.comp = store_.components_.Find(r.component);
    if (p.comp < 0) return p;
    p.component = true;
    p.key = FoldIndex::ComponentQueryKey(p.cat, p.comp);
  } else if (r.has_point && std::isfinite(r.lon) && std::isfinite(r.lat)) {
    plane_.ToMetres(r.lon, r.lat, &p.x, &p.y);
    p.key = FoldIndex::PointKey(p.cat, cat_rules_[p.cat].radius_m, p.x, p.y);
  } else {
    return p;
  }
  p.valid = true;
  return p;
}

size_t CaseEngine::IntakeBatch(absl::Span<const Report> reports,
                               std::vector<CaseRecord>* out,
                               std::vector<absl::Status>* status) {
  // Three stages run ahead of the report being decided: its hash slot
  // (kSlotAhead reports ahead), then the first entry of that slot's list,
  // then that entry's case. Distances tuned with BM_FoldBatch/100000.
  constexpr size_t kSlotAhead = 10, kEntryAhead = 6, kCaseAhead = 3;
  const size_t n = reports.size();
  out->resize(n);
  status->assign(n, absl::OkStatus());
  probes_.resize(n);
  size_t applied = 0;
  for (size_t i = 0; i < n + kSlotAhead; ++i) {
    if (i < n) {
      probes_[i] = ProbeOf(reports[i]);
      if (probes_[i].valid)
        fold_.PrefetchSlot(probes_[i].component, probes_[i].key);
    }
    if (i >= kSlotAhead - kEntryAhead && i - (kSlotAhead - kEntryAhead) < n) {
      const Probe& p = probes_[i - (kSlotAhead - kEntryAhead)];
      if (p.valid) fold_.PrefetchFirst(p.component, p.key);
    }
    if (i >= kSlotAhead - kCaseAhead && i - (kSlotAhead - kCaseAhead) < n) {
      const Probe& p = probes_[i - (kSlotAhead - kCaseAhead)];
      if (p.valid) {
        const uint32_t c = fold_.FirstCase(p.component, p.key);
        if (c != kNone && c < store_.cases_.size())
          __builtin_prefetch(&store_.cases_[c]);
      }
    }
    if (i < kSlotAhead) continue;
    const size_t j = i - kSlotAhead;
    absl::Status& s = (*status)[j];
    s = DecideWith(reports[j], probes_[j], &(*out)[j]);
    if (!s.ok() || (*out)[j].duplicate) continue;  // a duplicate adds nothing
    s = Apply((*out)[j]);
    applied += s.ok();
  }
  return applied;
}

absl::Status CaseEngine::DecideTransition(const Transition& t,
                                          CaseRecord* out) const {
  uint32_t idx;
  RETURN_IF_ERROR(FindCase(t.case_id, &idx));
  const Case& c = store_.cases_[idx];
  if (t.actor.empty()) return absl::InvalidArgumentError("actor: empty");
  if (t.actor.size() > kMaxActorBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("actor: longer than ", kMaxActorBytes, " bytes"));
  }
  if (t.note.size() > kMaxNoteBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("note: longer than ", kMaxNoteBytes, " bytes"));
  }
  if (t.lead.size() > kMaxLeadBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("lead: longer than ", kMaxLeadBytes, " bytes"));
  }
  RETURN_IF_ERROR(CheckTime("at", t.at));
  if (!t.lead.empty() && t.to != CaseState::kDispatched) {
    return absl::InvalidArgumentError(
        "lead: only a dispatch (to dispatched) may name a new lead department");
  }
  if (!IsLegalTransition(c.state, t.to)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "case ", Echo(t.case_id), ": illegal transition from '",
        CaseStateName(c.state), "' to '", CaseStateName(t.to), "' (from ",
        CaseStateName(c.state), ": ", LegalTargets(c.state), ")"));
  }
  if (ToNs(t.at) < CaseStore::LastChangeNs(c)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "at: ", TimeText(t.at), " is before the case's last change at ",
        TimeText(FromNs(CaseStore::LastChangeNs(c)))));
  }
  out->kind = RecordKind::kTransition;
  out->duplicate = false;
  out->case_id.assign(t.case_id.data(), t.case_id.size());
  out->from = c.state;
  out->to = t.to;
  out->actor.assign(t.actor.data(), t.actor.size());
  out->note.assign(t.note.data(), t.note.size());
  out->lead.assign(t.lead.data(), t.lead.size());
  out->at = t.at;
  out->hint_case = idx;
  out->hint_epoch = Hint();
  return absl::OkStatus();
}

// ------------------------------------------------------------------- apply

absl::Status CaseEngine::Apply(const CaseRecord& rec) {
  if (rec.duplicate) {
    return absl::InvalidArgumentError(absl::StrCat(
        RecordKindName(rec.kind), " record: a duplicate report's answer, not a change"));
  }
  if (rec.has_key && (rec.kind == RecordKind::kNewCase || rec.kind == RecordKind::kFold)) {
    RETURN_IF_ERROR(CheckTime("received_at", rec.received_at));
  }
  switch (rec.kind) {
    case RecordKind::kNewCase:
      return ApplyCase(rec, /*whole=*/false);
    case RecordKind::kCaseState:
      return ApplyCase(rec, /*whole=*/true);
    case RecordKind::kFold:
      return ApplyFold(rec);
    case RecordKind::kTransition:
      return ApplyTransition(rec);
    case RecordKind::kWatermark: {
      // An old snapshot's watermark: one more report time for the
      // watermark to weigh, not a value to trust (it may be an outlier's).
      if (rec.watermark != absl::InfinitePast())
        RETURN_IF_ERROR(CheckTime("watermark", rec.watermark));
      UndoEntry u{};
      u.kind = rec.kind;
      u.case_idx = kNone;
      u.prev_watermark = watermark_ns();
      u.prev_key_clock = key_clock_ns_;
      if (rec.watermark != absl::InfinitePast()) ObserveTime(ToNs(rec.watermark), &u);
      undo_.push_back(u);
      ++epoch_;
      return absl::OkStatus();
    }
    case RecordKind::kClock:
      return ApplyClock(rec);
    case RecordKind::kKey:
      return ApplyKey(rec);
  }
  return absl::InvalidArgumentError("case record: unknown kind");
}

namespace {

// The fields of a new_case / case_state record that Apply checks before
// changing anything (the id's form, category, times, point).
absl::Status CheckCaseRecord(const CaseRecord& rec, bool whole, bool geographic,
                             CaseIdParts* parts) {
  const CaseView& v = rec.c;
  const char* kind = RecordKindName(rec.kind);
  if (!ParseCaseId(rec.case_id, parts)) {
    return absl::InvalidArgumentError(absl::StrCat(
        kind, " record: case_id '", rec.case_id, "' is not a case id"));
  }
  if (v.category.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kind, " record ", rec.case_id, ": empty category"));
  }
  RETURN_IF_ERROR(CheckTime("first_report", v.first_report));
  if (v.due != absl::InfiniteFuture()) RETURN_IF_ERROR(CheckTime("due", v.due));
  if (v.has_point) RETURN_IF_ERROR(CheckPoint(geographic, v.lon, v.lat));
  if (!whole) return absl::OkStatus();
  RETURN_IF_ERROR(CheckTime("last_report", v.last_report));
  if (v.last_report < v.first_report || v.report_count < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(kind, " record ", rec.case_id,
                     ": last_report before first_report or count < 1"));
  }
  if (v.state == CaseState::kClosed)
    RETURN_IF_ERROR(CheckTime("closed_at", v.closed_at));
  for (const HistoryEntry& h : v.history)
    RETURN_IF_ERROR(CheckTime("history.at", h.at));
  return absl::OkStatus();
}

}  // namespace

void CaseEngine::BuildCase(const CaseRecord& rec, bool whole,
                           const CaseIdParts& parts, Case* out) {
  const CaseView& v = rec.c;
  Case& c = *out;
  c.district = store_.districts_.Intern(parts.district);
  c.ymd = parts.ymd;
  c.seq = parts.seq;
  c.category = InternCategory(v.category_type, v.category);
  c.component = store_.components_.Intern(v.component);
  c.grid = store_.grids_.Intern(v.grid);
  std::vector<int32_t>& ids = ids_;  // scratch: no allocation per case
  ids.clear();
  for (const std::string& r : v.chain) ids.push_back(store_.regions_.Intern(r));
  c.chain = store_.lists_.Intern(ids);
  ids.clear();
  for (const std::string& h : v.helpers)
    ids.push_back(store_.departments_.Intern(h));
  c.helpers = store_.lists_.Intern(ids);
  c.lead = store_.departments_.Intern(v.lead);
  c.source_id = store_.names_.Intern(v.source_id);
  c.source = v.source;
  c.has_point = v.has_point;
  if (v.has_point) {
    c.lon = v.lon;
    c.lat = v.lat;
    plane_.ToMetres(v.lon, v.lat, &c.x, &c.y);
  }
  c.first_ns = ToNs(v.first_report);
  c.due_ns = ToNs(v.due);
  if (whole) {
    c.last_ns = ToNs(v.last_report);
    c.count = v.report_count;
    c.state = v.state;
    c.closed_ns = v.state == CaseState::kClosed ? ToNs(v.closed_at) : kMaxNs;
    c.history.reserve(v.history.size());
    for (const HistoryEntry& h : v.history) {
      c.history.push_back(CaseStore::History{
          h.state, store_.names_.Intern(h.actor),
          store_.departments_.Intern(h.lead), ToNs(h.at), h.note});
    }
  } else {
    c.last_ns = c.first_ns;
    c.count = 1;
    c.state = CaseState::kReported;
    c.closed_ns = kMaxNs;
  }
}

absl::Status CaseEngine::ApplyCase(const CaseRecord& rec, bool whole) {
  const char* kind = RecordKindName(rec.kind);
  CaseIdParts parts;
  RETURN_IF_ERROR(CheckCaseRecord(rec, whole, plane_.geographic(), &parts));
  const int32_t known_district = store_.districts_.Find(parts.district);
  if (known_district >= 0 && store_.by_id_.contains(CaseStore::IdKey{
                                 known_district, parts.ymd, parts.seq})) {
    return absl::AlreadyExistsError(
        absl::StrCat(kind, " record: case '", rec.case_id, "' exists already"));
  }

  // Valid: from here on nothing fails.
  Case c;
  BuildCase(rec, whole, parts, &c);

  UndoEntry u{};
  u.kind = rec.kind;
  u.case_idx = static_cast<uint32_t>(store_.cases_.size());
  u.prev_watermark = watermark_ns();
  u.prev_key_clock = key_clock_ns_;
  const uint64_t ckey = CaseStore::CounterKey(c.district, c.ymd);
  auto [it, inserted] = store_.counters_.try_emplace(ckey, c.seq);
  u.counter_existed = !inserted;
  u.prev_counter = inserted ? 0 : it->second;
  if (!inserted) it->second = std::max(it->second, c.seq);
  store_.by_id_.emplace(CaseStore::IdKey{c.district, c.ymd, c.seq}, u.case_idx);
  ++store_.by_state_[static_cast<int>(c.state)];
  if (!whole) ObserveTime(c.first_ns, &u);
  // A case whose window has already passed at filing (a late report) can
  // never be a fold target: the watermark never goes back while it exists.
  // It is not indexed (the next Commit would only age it out again).
  const int64_t wm = watermark_ns();
  const bool foldable =
      Foldable(c) && (wm == kMinNs || c.last_ns >= wm - cat_rules_[c.category].window_ns);
  store_.cases_.push_back(std::move(c));
  if (foldable) {
    IndexCase(u.case_idx);
    u.entry_inserted = true;
  }
  if (!whole && rec.has_key) {
    InsertKey(rec.key, u.case_idx, /*folded=*/false, 1, ToNs(rec.received_at), &u);
  }
  undo_.push_back(u);
  ++epoch_;
  return absl::OkStatus();
}

absl::Status CaseEngine::ApplyFold(const CaseRecord& rec) {
  uint32_t idx;
  if (rec.hint_epoch == Hint() && rec.hint_case < store_.cases_.size()) {
    idx = rec.hint_case;  // Decide ran on this very state
  } else {
    RETURN_IF_ERROR(FindCase(rec.case_id, &idx));
  }
  RETURN_IF_ERROR(CheckTime("reported_at", rec.reported_at));
  Case& c = store_.cases_[idx];
  if (c.state == CaseState::kClosed) {
    return absl::FailedPreconditionError(
        absl::StrCat("fold record: case ", rec.case_id, " is closed"));
  }
  if (rec.report_count != c.count + 1) {
    return absl::DataLossError(
        absl::StrCat("fold record: case ", rec.case_id, " has ", c.count,
                     " reports, the record says it makes ", rec.report_count));
  }
  UndoEntry u{};
  u.kind = rec.kind;
  u.case_idx = idx;
  u.prev_watermark = watermark_ns();
  u.prev_key_clock = key_clock_ns_;
  u.prev_last = c.last_ns;
  const int64_t t = ToNs(rec.reported_at);
  ++c.count;
  c.last_ns = std::max(c.last_ns, t);
  if (c.fold_entry != kNone) {
    fold_.SetLast(c.fold_entry, c.last_ns);
  } else if (Foldable(c)) {
    // Only from a journal written under other rules (a longer window).
    IndexCase(idx);
    u.entry_inserted = true;
  }
  ObserveTime(t, &u);
  if (rec.has_key) {
    InsertKey(rec.key, idx, /*folded=*/true, rec.report_count, ToNs(rec.received_at), &u);
  }
  undo_.push_back(u);
  ++epoch_;
  return absl::OkStatus();
}

absl::Status CaseEngine::ApplyClock(const CaseRecord& rec) {
  if (rec.watermark != absl::InfinitePast())
    RETURN_IF_ERROR(CheckTime("watermark", rec.watermark));
  for (absl::Time t : rec.pending) RETURN_IF_ERROR(CheckTime("pending", t));
  if (rec.key_clock != absl::InfinitePast())
    RETURN_IF_ERROR(CheckTime("key_clock", rec.key_clock));
  UndoEntry u{};
  u.kind = rec.kind;
  u.case_idx = kNone;
  u.prev_watermark = watermark_ns();
  u.prev_key_clock = key_clock_ns_;
  saved_pending_.push_back(watermark_.pending());
  u.pending_saved = true;
  int64_t pending[Watermark::kMaxPending];
  size_t n = 0;
  for (absl::Time t : rec.pending) {
    if (n < Watermark::kMaxPending) pending[n++] = ToNs(t);
  }
  watermark_.Set(std::max(watermark_ns(), ToNs(rec.watermark)), absl::MakeConstSpan(pending, n));
  key_clock_ns_ = std::max(key_clock_ns_, ToNs(rec.key_clock));
  undo_.push_back(u);
  ++epoch_;
  return absl::OkStatus();
}

absl::Status CaseEngine::ApplyKey(const CaseRecord& rec) {
  uint32_t idx;
  RETURN_IF_ERROR(FindCase(rec.case_id, &idx));
  RETURN_IF_ERROR(CheckTime("received_at", rec.received_at));
  UndoEntry u{};
  u.kind = rec.kind;
  u.case_idx = idx;
  u.prev_watermark = watermark_ns();
  u.prev_key_clock = key_clock_ns_;
  InsertKey(rec.key, idx, rec.folded, rec.report_count, ToNs(rec.received_at), &u);
  undo_.push_back(u);
  ++epoch_;
  return absl::OkStatus();
}

absl::Status CaseEngine::ApplyTransition(const CaseRecord& rec) {
  uint32_t idx;
  if (rec.hint_epoch == Hint() && rec.hint_case < store_.cases_.size()) {
    idx = rec.hint_case;
  } else {
    RETURN_IF_ERROR(FindCase(rec.case_id, &idx));
  }
  Case& c = store_.cases_[idx];
  if (c.state != rec.from) {
    return absl::FailedPreconditionError(
        absl::StrCat("transition record: case ", rec.case_id, " is '",
                     CaseStateName(c.state), "', the record moves it from '",
                     CaseStateName(rec.from), "'"));
  }
  if (!IsLegalTransition(rec.from, rec.to)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "transition record: case ", rec.case_id, ": illegal transition from '",
        CaseStateName(rec.from), "' to '", CaseStateName(rec.to), "'"));
  }
  RETURN_IF_ERROR(CheckTime("at", rec.at));
  UndoEntry u{};
  u.kind = rec.kind;
  u.case_idx = idx;
  u.prev_watermark = watermark_ns();
  u.prev_key_clock = key_clock_ns_;
  u.prev_state = c.state;
  u.prev_lead = c.lead;
  u.prev_closed = c.closed_ns;
  const int32_t lead = store_.departments_.Intern(rec.lead);
  c.history.push_back(CaseStore::History{
      rec.to, store_.names_.Intern(rec.actor), lead, ToNs(rec.at), rec.note});
  --store_.by_state_[static_cast<int>(c.state)];
  ++store_.by_state_[static_cast<int>(rec.to)];
  c.state = rec.to;
  if (lead >= 0) c.lead = lead;
  if (rec.to == CaseState::kClosed) {
    c.closed_ns = ToNs(rec.at);
    if (c.fold_entry != kNone) {
      UnindexCase(idx);
      u.entry_removed = true;
    }
  } else if (rec.from == CaseState::kClosed) {
    c.closed_ns = kMaxNs;
  }
  if (c.fold_entry == kNone && Foldable(c)) {
    IndexCase(idx);  // reopened
    u.entry_inserted = true;
  }
  undo_.push_back(u);
  ++epoch_;
  return absl::OkStatus();
}

// -------------------------------------------------------- commit and undo

void CaseEngine::Commit() { CommitPrefix(undo_.size()); }

void CaseEngine::CommitPrefix(size_t n) {
  n = std::min(n, undo_.size());
  // The watermark and key clock as of the commit point: records still
  // undoable can only have raised them, and ageing by them never drops a
  // case or key one of them needs.
  const int64_t committed_wm =
      n < undo_.size() ? undo_[n].prev_watermark : watermark_ns();
  const int64_t committed_keys =
      n < undo_.size() ? undo_[n].prev_key_clock : key_clock_ns_;
  size_t pending_saves = 0, replaced = 0, uncommitted_keys = 0;
  for (size_t i = 0; i < undo_.size(); ++i) {
    if (i < n) {
      pending_saves += undo_[i].pending_saved;
      replaced += undo_[i].key_replaced;
    } else {
      uncommitted_keys += undo_[i].key_inserted;
    }
  }
  undo_.erase(undo_.begin(), undo_.begin() + static_cast<ptrdiff_t>(n));
  saved_pending_.erase(saved_pending_.begin(),
                       saved_pending_.begin() + static_cast<ptrdiff_t>(pending_saves));
  replaced_keys_.erase(replaced_keys_.begin(),
                       replaced_keys_.begin() + static_cast<ptrdiff_t>(replaced));
  ++epoch_;
  if (committed_keys != kMinNs || keys_.size() > max_keys_) {
    keys_.Expire(committed_keys == kMinNs ? kMinNs : committed_keys - key_window_ns_, max_keys_,
                 uncommitted_keys);
  }
  if (committed_wm == kMinNs) return;
  horizon_.resize(class_window_ns_.size());
  for (size_t i = 0; i < class_window_ns_.size(); ++i) {
    horizon_[i] = committed_wm - class_window_ns_[i];
  }
  fold_.Expire(horizon_,
               [this](uint32_t idx) { store_.cases_[idx].fold_entry = kNone; });
}

void CaseEngine::UndoOne(const UndoEntry& u) {
  watermark_.Restore(u.prev_watermark, u.pending_saved ? &saved_pending_.back() : nullptr);
  if (u.pending_saved) saved_pending_.pop_back();
  if (u.key_inserted) {
    keys_.UndoInsert(u.key_replaced ? &replaced_keys_.back() : nullptr);
    if (u.key_replaced) replaced_keys_.pop_back();
  }
  key_clock_ns_ = u.prev_key_clock;
  ++epoch_;
  switch (u.kind) {
    case RecordKind::kWatermark:
    case RecordKind::kClock:
    case RecordKind::kKey:
      return;
    case RecordKind::kNewCase:
    case RecordKind::kCaseState: {
      Case& c = store_.cases_[u.case_idx];  // the last case
      if (c.fold_entry != kNone) UnindexCase(u.case_idx);
      store_.by_id_.erase(CaseStore::IdKey{c.district, c.ymd, c.seq});
      const uint64_t ckey = CaseStore::CounterKey(c.district, c.ymd);
      if (u.counter_existed) {
        store_.counters_[ckey] = u.prev_counter;
      } else {
        store_.counters_.erase(ckey);
      }
      --store_.by_state_[static_cast<int>(c.state)];
      store_.cases_.pop_back();
      return;
    }
    case RecordKind::kFold: {
      Case& c = store_.cases_[u.case_idx];
      --c.count;
      c.last_ns = u.prev_last;
      if (u.entry_inserted) {
        if (c.fold_entry != kNone) UnindexCase(u.case_idx);  // else aged out
      } else if (c.fold_entry != kNone) {
        fold_.SetLast(c.fold_entry, c.last_ns);
      }
      return;
    }
    case RecordKind::kTransition: {
      Case& c = store_.cases_[u.case_idx];
      c.history.pop_back();
      --store_.by_state_[static_cast<int>(c.state)];
      ++store_.by_state_[static_cast<int>(u.prev_state)];
      c.state = u.prev_state;
      c.lead = u.prev_lead;
      c.closed_ns = u.prev_closed;
      // A CommitPrefix may have aged the case out since (then there is
      // nothing to take out, and it stays out: its window has passed).
      if (u.entry_inserted && c.fold_entry != kNone) UnindexCase(u.case_idx);
      if (u.entry_removed && c.fold_entry == kNone) IndexCase(u.case_idx);
      return;
    }
  }
}

void CaseEngine::Rollback() { RollbackTo(0); }

void CaseEngine::RollbackTo(size_t n) {
  while (undo_.size() > n) {
    UndoOne(undo_.back());
    undo_.pop_back();
  }
}

absl::Status CaseEngine::Undo(absl::Span<const CaseRecord> records) {
  if (records.size() > undo_.size()) {
    return absl::FailedPreconditionError(
        absl::StrCat("undo: ", records.size(), " records given, only ",
                     undo_.size(), " applied since the last commit"));
  }
  const size_t base = undo_.size() - records.size();
  std::string id;
  for (size_t i = 0; i < records.size(); ++i) {
    const UndoEntry& u = undo_[base + i];
    bool same = u.kind == records[i].kind;
    if (same && u.kind != RecordKind::kWatermark && u.kind != RecordKind::kClock) {
      id.clear();
      store_.AppendId(store_.cases_[u.case_idx], &id);
      same = id == records[i].case_id;
    }
    if (!same) {
      return absl::FailedPreconditionError(absl::StrCat(
          "undo: record ", i, " (", RecordKindName(records[i].kind), " ",
          records[i].case_id,
          ") is not the one applied at that position; nothing undone"));
    }
  }
  for (size_t i = records.size(); i-- > 0;) {
    UndoOne(undo_.back());
    undo_.pop_back();
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------- snapshot

absl::Status CaseEngine::Snapshot(
    absl::FunctionRef<void(const CaseRecord&)> emit) const {
  if (!undo_.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "snapshot: ", undo_.size(),
        " records applied but not committed (Commit or Rollback)"));
  }
  CaseRecord rec;
  rec.kind = RecordKind::kClock;
  rec.watermark = FromNs(watermark_ns());
  rec.pending.clear();
  for (int64_t t : watermark_.pending().times()) rec.pending.push_back(FromNs(t));
  rec.key_clock = FromNs(key_clock_ns_);
  emit(rec);
  rec.kind = RecordKind::kCaseState;
  for (const Case& c : store_.cases_) {
    store_.ToView(c, &rec.c);
    rec.case_id = rec.c.id;
    emit(rec);
  }
  rec.kind = RecordKind::kKey;
  keys_.ForEach([&](const ReportKeyFp& fp, const KeyIndex::Entry& e) {
    rec.case_id.clear();
    store_.AppendId(store_.cases_[e.case_idx], &rec.case_id);
    rec.key = fp;
    rec.folded = e.folded;
    rec.report_count = e.report_count;
    rec.received_at = FromNs(e.received_ns);
    emit(rec);
  });
  return absl::OkStatus();
}

absl::Status CaseEngine::SetFoldRules(FoldRules rules) {
  if (!undo_.empty()) {
    return absl::FailedPreconditionError(
        "fold rules: records applied but not committed (Commit or Rollback "
        "first)");
  }
  rules_ = std::move(rules);
  class_window_ns_.clear();
  for (size_t cat = 0; cat < cat_rules_.size(); ++cat) {
    const CategoryType type = store_.cat_type_[cat];
    cat_rules_[cat] =
        ResolveRule(type, store_.category_dict_[static_cast<int>(type)].Get(
                              store_.cat_code_[cat]));
  }
  fold_.Clear();
  for (uint32_t i = 0; i < store_.cases_.size(); ++i) {
    store_.cases_[i].fold_entry = kNone;
    if (Foldable(store_.cases_[i])) IndexCase(i);
  }
  ++epoch_;
  Commit();
  return absl::OkStatus();
}

// ----------------------------------------------------------------- testing

std::string CaseEngine::DebugState() const {
  std::string out =
      absl::StrCat("watermark ", watermark_ns(), "\nopen ", store_.open(), "\n");
  for (int64_t t : watermark_.pending().times()) absl::StrAppend(&out, "pending ", t, "\n");
  absl::StrAppend(&out, "key_clock ", key_clock_ns_, "\n");
  keys_.ForEach([&](const ReportKeyFp& fp, const KeyIndex::Entry& e) {
    absl::StrAppend(&out, "key ", absl::Hex(fp.hi, absl::kZeroPad16),
                    absl::Hex(fp.lo, absl::kZeroPad16), " case #", e.case_idx,
                    " folded=", e.folded, " count=", e.report_count, " received=", e.received_ns,
                    "\n");
  });
  std::map<std::string, uint32_t> counters;
  for (const auto& [key, seq] : store_.counters_) {
    counters[absl::StrCat(
        store_.districts_.Get(static_cast<int32_t>(key >> 32)), "/",
        static_cast<uint32_t>(key))] = seq;
  }
  for (const auto& [key, seq] : counters)
    absl::StrAppend(&out, "counter ", key, "=", seq, "\n");
  CaseView v;
  for (const Case& c : store_.cases_) {
    store_.ToView(c, &v);
    const CatRule& rule = cat_rules_[c.category];
    const bool can_fold =
        Foldable(c) && (watermark_ns() == kMinNs ||
                        c.last_ns >= watermark_ns() - rule.window_ns);
    absl::StrAppend(&out, "case ", v.id, " ", CategoryTypeName(v.category_type),
                    ":", v.category, " comp=", v.component, " grid=", v.grid,
                    " chain=", absl::StrJoin(v.chain, "|"), " lead=", v.lead,
                    " helpers=", absl::StrJoin(v.helpers, "|"));
    if (v.has_point) {
      absl::StrAppend(&out, absl::StrFormat(" at=%.17g,%.17g", v.lon, v.lat));
    }
    absl::StrAppend(&out, " first=", c.first_ns, " last=", c.last_ns,
                    " due=", c.due_ns, " closed=", c.closed_ns,
                    " count=", c.count, " state=", CaseStateName(c.state),
                    " source=", ReportSourceName(c.source), ":", v.source_id,
                    " can_fold=", can_fold);
    for (const HistoryEntry& h : v.history) {
      absl::StrAppend(&out, " [", CaseStateName(h.state), " ", h.actor, " ",
                      TimeText(h.at), " ", h.note, " ", h.lead, "]");
    }
    out += "\n";
  }
  return out;
}

absl::Status CaseEngine::CheckInvariants() const {
  size_t indexed = 0;
  std::array<size_t, kNumCaseStates> by_state{};
  absl::flat_hash_map<uint64_t, uint32_t> max_seq;
  for (uint32_t i = 0; i < store_.cases_.size(); ++i) {
    const Case& c = store_.cases_[i];
    ++by_state[static_cast<int>(c.state)];
    uint32_t& m = max_seq[CaseStore::CounterKey(c.district, c.ymd)];
    m = std::max(m, c.seq);
    const CatRule& rule = cat_rules_[c.category];
    const bool can_fold =
        Foldable(c) && (watermark_ns() == kMinNs ||
                        c.last_ns >= watermark_ns() - rule.window_ns);
    if (c.fold_entry == kNone) {
      if (can_fold)
        return absl::InternalError(
            absl::StrCat("case #", i, " can fold but is not indexed"));
      continue;
    }
    ++indexed;
    if (!Foldable(c))
      return absl::InternalError(
          absl::StrCat("case #", i, " indexed but not foldable"));
    const FoldIndex::EntryView e = fold_.View(c.fold_entry);
    const bool ok =
        e.live && e.case_idx == i && e.cat == c.category &&
        e.last_ns == c.last_ns && e.component == (c.component >= 0) &&
        e.grid_or_component == (c.component >= 0 ? c.component : c.grid) &&
        (e.component || (e.x == c.x && e.y == c.y));
    if (!ok)
      return absl::InternalError(
          absl::StrCat("case #", i, ": fold entry disagrees"));
  }
  size_t keys = 0;
  absl::Status key_error;
  keys_.ForEach([&](const ReportKeyFp&, const KeyIndex::Entry& e) {
    ++keys;
    if (e.case_idx >= store_.cases_.size() || e.report_count < 1)
      key_error = absl::InternalError("a key names no case");
  });
  if (!key_error.ok()) return key_error;
  if (keys != keys_.size()) {
    return absl::InternalError(absl::StrCat("key index holds ", keys_.size(),
                                            " keys, its order lists ", keys));
  }
  if (indexed != fold_.size()) {
    return absl::InternalError(absl::StrCat("fold index holds ", fold_.size(),
                                            " entries, cases point at ",
                                            indexed));
  }
  for (int st = 0; st < kNumCaseStates; ++st) {
    if (by_state[st] != store_.by_state_[st]) {
      return absl::InternalError(absl::StrCat("cases in state ", st, ": counted ",
                                              store_.by_state_[st], ", held ", by_state[st]));
    }
  }
  if (max_seq.size() != store_.counters_.size()) {
    return absl::InternalError("counters disagree with the cases");
  }
  for (const auto& [key, seq] : max_seq) {
    auto it = store_.counters_.find(key);
    if (it == store_.counters_.end() || it->second != seq) {
      return absl::InternalError("counters disagree with the cases");
    }
  }
  return absl::OkStatus();
}

}  // namespace gridroute

// Copyright 2026 gridroute authors.
#include "intake/case_desk.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cases/fold_rules.h"
#include "cases/local_plane.h"
#include "common/status_macros.h"

namespace gridroute {
namespace {

// JSON string body (quotes excluded) of `s`.
void AppendJsonString(absl::string_view s, std::string* out) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20) {
          absl::StrAppendFormat(out, "\\u%04x", c);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

std::string TimeJson(absl::Time t) {
  if (t == absl::InfiniteFuture() || t == absl::InfinitePast()) return "null";
  return absl::StrCat("\"", absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone()), "\"");
}

// The dispatch message of a case in its current state: JSON, one object.
std::string DispatchPayload(const CaseView& c, absl::string_view event) {
  std::string out = "{\"event\":";
  AppendJsonString(event, &out);
  out += ",\"case_id\":";
  AppendJsonString(c.id, &out);
  out += ",\"state\":";
  AppendJsonString(CaseStateName(c.state), &out);
  out += ",\"category_type\":";
  AppendJsonString(c.category_type == CategoryType::kComponent ? "component" : "event", &out);
  out += ",\"category\":";
  AppendJsonString(c.category, &out);
  if (!c.component.empty()) {
    out += ",\"component\":";
    AppendJsonString(c.component, &out);
  }
  out += ",\"grid\":";
  AppendJsonString(c.grid, &out);
  out += ",\"chain\":[";
  for (size_t i = 0; i < c.chain.size(); ++i) {
    if (i > 0) out += ",";
    AppendJsonString(c.chain[i], &out);
  }
  out += "],\"lead\":";
  AppendJsonString(c.lead, &out);
  out += ",\"helpers\":[";
  for (size_t i = 0; i < c.helpers.size(); ++i) {
    if (i > 0) out += ",";
    AppendJsonString(c.helpers[i], &out);
  }
  out += "]";
  if (c.has_point) absl::StrAppendFormat(&out, ",\"point\":[%.9f,%.9f]", c.lon, c.lat);
  absl::StrAppend(&out, ",\"first_report\":", TimeJson(c.first_report),
                  ",\"due\":", TimeJson(c.due), ",\"report_count\":", c.report_count);
  if (!c.history.empty()) {
    const HistoryEntry& h = c.history.back();
    out += ",\"changed_by\":";
    AppendJsonString(h.actor, &out);
    absl::StrAppend(&out, ",\"changed_at\":", TimeJson(h.at));
    if (!h.note.empty()) {
      out += ",\"note\":";
      AppendJsonString(h.note, &out);
    }
  }
  out += "}";
  return out;
}

// Dedupe id of a case's state: "<case id>/<state>/<number of changes>".
std::string DispatchId(const CaseView& c) {
  return absl::StrCat(c.id, "/", CaseStateName(c.state), "/", c.history.size());
}

absl::StatusOr<CaseEngineOptions> EngineOptions(const Snapshot& s, const std::string& pack_dir) {
  CaseEngineOptions o;
  ASSIGN_OR_RETURN(o.fold_rules, LoadFoldRules(pack_dir, s.categories()));
  if (s.manifest().geographic) {
    // The city's latitude, to 0.01 degree (fixed for a deployment: fold
    // distances are measured on this plane).
    double lat0 = 0;
    if (s.num_grids() > 0) {
      const IBox& b = s.geometry().box(0);
      lat0 = std::round(s.quantizer().ToY((b.min_y + b.max_y) / 2) * 100) / 100;
    }
    o.plane = LocalPlane::Geographic(lat0);
  } else {
    o.plane = LocalPlane::Projected();
  }
  o.time_zone = s.calendar().time_zone();
  return o;
}

}  // namespace

void ReportFromDecision(const Snapshot& s, const Event& event, const Decision& d,
                        ReportSource source, absl::string_view source_id, ReportSlot* slot) {
  Report& r = slot->report;
  r = Report{};
  r.category_type = event.category_type;
  r.category = s.categories().at(d.category).code;
  r.component = d.component >= 0 ? s.components().code(d.component) : absl::string_view();
  r.grid = d.location.grid != kNoGrid ? s.grid_code(d.location.grid) : absl::string_view();
  slot->chain.clear();
  for (int32_t reg : d.chain) {
    slot->chain.push_back(reg >= 0 ? absl::string_view(s.hierarchy().region(reg).code)
                                   : absl::string_view());
  }
  r.chain = slot->chain;
  r.lead = d.lead >= 0 ? absl::string_view(s.departments().at(d.lead).code) : absl::string_view();
  slot->helpers.clear();
  for (int32_t h : d.helpers) slot->helpers.push_back(s.departments().at(h).code);
  r.helpers = slot->helpers;
  r.has_point = true;
  r.lon = s.quantizer().ToX(d.point.x);
  r.lat = s.quantizer().ToY(d.point.y);
  r.reported_at = event.reported_at;
  r.due = d.deadline;
  r.source = source;
  r.source_id = source_id;
}

absl::StatusOr<std::unique_ptr<CaseDesk>> CaseDesk::Open(const CaseDeskOptions& options,
                                                         const Snapshot& snapshot,
                                                         const std::string& pack_dir) {
  if (options.journal_dir.empty()) {
    return absl::InvalidArgumentError("journal_dir: required for cases");
  }
  std::unique_ptr<CaseDesk> desk(new CaseDesk());
  desk->options_ = options;
  if (!desk->options_.log) {
    desk->options_.log = [](absl::string_view m) {
      std::fprintf(stderr, "gridroute cases: %.*s\n", static_cast<int>(m.size()), m.data());
    };
  }
  ASSIGN_OR_RETURN(CaseEngineOptions eo, EngineOptions(snapshot, pack_dir));
  ASSIGN_OR_RETURN(desk->engine_, CaseEngine::Create(std::move(eo)));

  CaseEngine* engine = desk->engine_.get();
  CaseRecord rec;
  uint64_t replayed = 0;
  const auto t0 = std::chrono::steady_clock::now();
  auto replay = [&](uint64_t seq, std::string_view payload) -> absl::Status {
    absl::Status s = rec.Decode(absl::string_view(payload.data(), payload.size()));
    if (s.ok()) s = engine->Apply(rec);
    if (!s.ok()) {
      return absl::DataLossError(absl::StrCat("journal ", options.journal_dir, ": record seq ",
                                              seq, ": ", s.message()));
    }
    if (++replayed % 4096 == 0) engine->Commit();
    return absl::OkStatus();
  };
  absl::StatusOr<std::unique_ptr<Journal>> journal =
      Journal::Open(options.journal_dir, options.journal, replay);
  if (!journal.ok()) {
    return absl::Status(journal.status().code(),
                        absl::StrCat("journal_dir ", options.journal_dir, ": ",
                                     journal.status().message()));
  }
  desk->journal_ = *std::move(journal);
  engine->Commit();
  desk->replay_seconds_ =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  desk->options_.log(absl::StrFormat("journal %s: %s; %d cases (%d open) restored in %.3f s",
                                     options.journal_dir, desk->journal_->open_report(),
                                     engine->store().size(), engine->store().open(),
                                     desk->replay_seconds_));

  if (!options.nats_url.empty()) {
    NatsDispatcherOptions no;
    no.url = options.nats_url;
    no.stream = options.nats_stream;
    no.subject_prefix = options.nats_subject_prefix;
    no.log = desk->options_.log;
    ASSIGN_OR_RETURN(desk->dispatcher_, NatsDispatcher::Create(no));
    // Messages not acknowledged before a restart are only in the journal:
    // send the current state of the open cases changed within JetStream's
    // duplicate window (of the newest report) again; JetStream drops the
    // ones it already has (same msg id). Older changes were acknowledged or
    // would be stored twice; a full queue stops the re-send, not the start.
    const absl::Time since = engine->watermark() - no.duplicate_window;
    ListQuery q;
    q.page_size = kMaxPageSize;
    ListResult page;
    size_t resent = 0, skipped = 0;
    do {
      RETURN_IF_ERROR(engine->store().List(q, &page));
      for (const CaseView& c : page.cases) {
        const absl::Time changed = c.history.empty() ? c.first_report : c.history.back().at;
        if (c.state == CaseState::kClosed || c.lead.empty() || changed < since) continue;
        if (!desk->dispatcher_
                 ->Enqueue({c.lead, DispatchId(c), DispatchPayload(c, "resend")})
                 .ok()) {
          ++skipped;
          continue;
        }
        ++resent;
      }
      q.page_token = page.next_page_token;
    } while (!q.page_token.empty());
    desk->options_.log(absl::StrCat(
        "dispatch to ", options.nats_url, ": ", resent,
        " open case(s) changed within the duplicate window re-sent (JetStream drops what it has)",
        skipped > 0 ? absl::StrCat("; ", skipped, " not queued (queue full)") : ""));
  }
  return desk;
}

CaseDesk::~CaseDesk() = default;

void CaseDesk::DispatchLocked(const CaseRecord& rec) {
  if (dispatcher_ == nullptr) return;
  if (rec.kind != RecordKind::kNewCase && rec.kind != RecordKind::kTransition) return;
  CaseView c;
  if (!engine_->store().Get(rec.case_id, &c).ok()) {
    return;
  }
  if (c.lead.empty()) return;
  absl::Status s = dispatcher_->Enqueue(
      {c.lead, DispatchId(c), DispatchPayload(c, rec.kind == RecordKind::kNewCase ? "new" : "state")});
  if (!s.ok()) options_.log(absl::StrCat("dispatch of ", c.id, " dropped: ", s.message()));
}

void CaseDesk::MaybeCompactLocked() {
  if (bytes_since_compact_ < options_.compact_after_bytes) return;
  bytes_since_compact_ = 0;
  std::string buf;
  absl::Status s = journal_->Compact([&](const Journal::EmitFn& emit) {
    absl::Status snap = engine_->Snapshot([&](const CaseRecord& r) {
      buf.clear();
      r.Encode(&buf);
      emit(buf);
    });
    if (!snap.ok()) options_.log(absl::StrCat("snapshot for compaction: ", snap.message()));
  });
  if (!s.ok()) options_.log(absl::StrCat("journal compaction failed (will retry): ", s.message()));
}

absl::Status CaseDesk::Intake(absl::Span<const ReportSlot> slots, std::vector<CaseOutcome>* out) {
  out->clear();
  out->resize(slots.size());
  if (slots.empty()) return absl::OkStatus();
  std::lock_guard<std::mutex> lock(mu_);
  reports_.clear();
  for (const ReportSlot& s : slots) reports_.push_back(s.report);
  engine_->IntakeBatch(reports_, &records_, &statuses_);
  encoded_.resize(slots.size());
  views_.clear();
  uint64_t bytes = 0;
  for (size_t i = 0; i < slots.size(); ++i) {
    if (!statuses_[i].ok()) continue;
    encoded_[i].clear();
    records_[i].Encode(&encoded_[i]);
    views_.push_back(encoded_[i]);
    bytes += encoded_[i].size() + 16;
  }
  if (!views_.empty()) {
    absl::StatusOr<uint64_t> seq = journal_->Append(views_);
    if (!seq.ok()) {
      engine_->Rollback();
      return absl::UnavailableError(absl::StrCat(
          "journal: the batch could not be made durable, nothing was filed (", seq.status().message(),
          ")"));
    }
    engine_->Commit();
    bytes_since_compact_ += bytes;
  }
  for (size_t i = 0; i < slots.size(); ++i) {
    CaseOutcome& o = (*out)[i];
    o.status = statuses_[i];
    if (!o.status.ok()) continue;
    const CaseRecord& r = records_[i];
    if (r.kind == RecordKind::kNewCase) {
      o.case_id = r.case_id;
      o.folded = false;
      o.report_count = 1;
      DispatchLocked(r);
    } else {
      o.case_id = r.case_id;
      o.folded = true;
      o.report_count = r.report_count;
    }
  }
  MaybeCompactLocked();
  return absl::OkStatus();
}

absl::Status CaseDesk::Update(const Transition& t, CaseView* out) {
  std::lock_guard<std::mutex> lock(mu_);
  CaseRecord rec;
  RETURN_IF_ERROR(engine_->DecideTransition(t, &rec));
  RETURN_IF_ERROR(engine_->Apply(rec));
  std::string buf;
  rec.Encode(&buf);
  absl::StatusOr<uint64_t> seq = journal_->Append({std::string_view(buf)});
  if (!seq.ok()) {
    engine_->Rollback();
    return absl::UnavailableError(absl::StrCat(
        "journal: the change could not be made durable, the case is unchanged (",
        seq.status().message(), ")"));
  }
  engine_->Commit();
  bytes_since_compact_ += buf.size() + 16;
  DispatchLocked(rec);
  RETURN_IF_ERROR(engine_->store().Get(t.case_id, out));
  MaybeCompactLocked();
  return absl::OkStatus();
}

absl::Status CaseDesk::Get(absl::string_view id, CaseView* out) const {
  std::lock_guard<std::mutex> lock(mu_);
  return engine_->store().Get(id, out);
}

absl::Status CaseDesk::List(const ListQuery& query, ListResult* out) const {
  std::lock_guard<std::mutex> lock(mu_);
  return engine_->store().List(query, out);
}

absl::Status CaseDesk::Stats(const StatsQuery& query, const WorkingCalendar& calendar,
                             StatsResult* out) const {
  std::lock_guard<std::mutex> lock(mu_);
  return engine_->store().Stats(query, calendar, out);
}

absl::Status CaseDesk::Reload(const Snapshot& snapshot, const std::string& pack_dir) {
  ASSIGN_OR_RETURN(FoldRules rules, LoadFoldRules(pack_dir, snapshot.categories()));
  std::lock_guard<std::mutex> lock(mu_);
  return engine_->SetFoldRules(std::move(rules));
}

CaseDesk::Info CaseDesk::info() const {
  Info i;
  {
    std::lock_guard<std::mutex> lock(mu_);
    i.cases = engine_->store().size();
    i.open = engine_->store().open();
    i.fold_index = engine_->fold_index_size();
  }
  i.journal = journal_->stats();
  i.open_report = journal_->open_report();
  i.replay_seconds = replay_seconds_;
  if (dispatcher_ != nullptr) {
    i.dispatch = true;
    i.dispatched = dispatcher_->stats();
  }
  return i;
}

bool CaseDesk::FlushDispatch(absl::Duration timeout) {
  return dispatcher_ == nullptr || dispatcher_->Flush(timeout);
}

}  // namespace gridroute

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
#include "common/json_string.h"
#include "common/log.h"

namespace gridroute {
namespace {

// common/json_string.h's, for absl::string_view (not std's here).
void AppendJson(absl::string_view s, std::string* out) {
  AppendJsonString(std::string_view(s.data(), s.size()), out);
}

std::string TimeJson(absl::Time t) {
  if (t == absl::InfiniteFuture() || t == absl::InfinitePast()) return "null";
  return absl::StrCat("\"", absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone()), "\"");
}

// The dispatch message of a case in its current state: JSON, one object.
std::string DispatchPayload(const CaseView& c, absl::string_view event) {
  std::string out = "{\"event\":";
  AppendJson(event, &out);
  out += ",\"case_id\":";
  AppendJson(c.id, &out);
  out += ",\"state\":";
  AppendJson(CaseStateName(c.state), &out);
  out += ",\"category_type\":";
  AppendJson(c.category_type == CategoryType::kComponent ? "component" : "event", &out);
  out += ",\"category\":";
  AppendJson(c.category, &out);
  if (!c.component.empty()) {
    out += ",\"component\":";
    AppendJson(c.component, &out);
  }
  out += ",\"grid\":";
  AppendJson(c.grid, &out);
  out += ",\"chain\":[";
  for (size_t i = 0; i < c.chain.size(); ++i) {
    if (i > 0) out += ",";
    AppendJson(c.chain[i], &out);
  }
  out += "],\"lead\":";
  AppendJson(c.lead, &out);
  out += ",\"helpers\":[";
  for (size_t i = 0; i < c.helpers.size(); ++i) {
    if (i > 0) out += ",";
    AppendJson(c.helpers[i], &out);
  }
  out += "]";
  if (c.has_point) absl::StrAppendFormat(&out, ",\"point\":[%.9f,%.9f]", c.lon, c.lat);
  absl::StrAppend(&out, ",\"first_report\":", TimeJson(c.first_report),
                  ",\"due\":", TimeJson(c.due), ",\"report_count\":", c.report_count);
  if (!c.history.empty()) {
    const HistoryEntry& h = c.history.back();
    out += ",\"changed_by\":";
    AppendJson(h.actor, &out);
    absl::StrAppend(&out, ",\"changed_at\":", TimeJson(h.at));
    if (!h.note.empty()) {
      out += ",\"note\":";
      AppendJson(h.note, &out);
    }
  }
  out += "}";
  return out;
}

// Dedupe id of a case's state: "<case id>/<state>/<number of changes>".
std::string DispatchId(const CaseView& c) {
  return absl::StrCat(c.id, "/", CaseStateName(c.state), "/", c.history.size());
}

// folding.csv is read like the pack's CSV files: its limit, the encoding.
CsvFileOptions FoldingCsv(const Snapshot& s) {
  const PackLimits limits;
  return PackCsvOptions(s.manifest(), limits.folding_bytes, limits);
}

// The fold rules for `s` served from `pack_dir`: the folding.csv compiled
// into a .grsnap, else <pack_dir>/folding.csv (none: the defaults).
absl::StatusOr<FoldRules> FoldRulesFor(const Snapshot& s, const std::string& pack_dir) {
  if (const std::string* text = s.folding_csv(); text != nullptr) {
    return ParseFoldRules(*text, absl::StrCat(pack_dir, ":folding.csv"), s.categories(),
                          FoldingCsv(s));
  }
  return LoadFoldRules(pack_dir, s.categories(), FoldingCsv(s));
}

absl::Status DeadlineExceeded() {
  return absl::DeadlineExceededError(
      "deadline: the call's deadline passed before its reports were written to the journal; "
      "nothing of it was filed");
}

absl::StatusOr<CaseEngineOptions> EngineOptions(const Snapshot& s, const std::string& pack_dir,
                                                const CaseDeskOptions& desk) {
  CaseEngineOptions o;
  o.key_window = desk.idempotency_window;
  o.max_keys = desk.max_keys;
  ASSIGN_OR_RETURN(o.fold_rules, FoldRulesFor(s, pack_dir));
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
                        ReportSource source, absl::string_view source_id, ReportSlot* slot,
                        absl::string_view key, absl::string_view key_scope) {
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
  r.key = key;
  r.key_scope = key_scope;
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
    desk->options_.log = [](absl::string_view m) { gridroute::Log(LogLevel::kInfo, "cases", m); };
  }
  ASSIGN_OR_RETURN(CaseEngineOptions eo, EngineOptions(snapshot, pack_dir, options));
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
  desk->StartCommitThread();
  return desk;
}

CaseDesk::~CaseDesk() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  if (commit_thread_.joinable()) commit_thread_.join();  // drains the queue first
}

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

// ------------------------------------------------------------ group commit

// A caller waiting for its batch (Intake, Update).
struct CaseDesk::Waiter {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  absl::Status status;

  void Signal(const absl::Status& s) {
    std::lock_guard<std::mutex> l(mu);
    status = s;
    done = true;
    cv.notify_one();  // under the lock: `this` may go once it is released
  }
  absl::Status Wait() {
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [&] { return done; });
    return status;
  }
};

// One Intake / Update batch from apply to answer. Pooled: its vectors and
// strings keep their capacity, so a batch allocates nothing once warm.
struct CaseDesk::Pending {
  std::vector<Report> reports;
  std::vector<CaseRecord> records;    // one per report (Update: one)
  std::vector<absl::Status> statuses;  // per report: refused by the engine?
  std::string encoded;                // the journaled records, back to back
  std::vector<uint32_t> ends;         // end offset of each one in `encoded`
  std::vector<CaseOutcome> out;
  absl::Status status;  // of the journal append
  IntakeDone done;      // may be empty
  absl::Time deadline = absl::InfiniteFuture();
  const Transition* transition = nullptr;  // Update: the change (else `reports`)
  bool any_duplicate = false;  // some report's key was filed before
  bool expired = false;        // the deadline passed before the write: undone
  // A synchronous caller, signalled once this Pending is back in the pool
  // (so its next call reuses it instead of warming up another one).
  Waiter* waiter = nullptr;
};


void CaseDesk::StartCommitThread() {
  commit_thread_ = std::thread([this] { CommitLoop(); });
}

CaseDesk::Pending* CaseDesk::TakePendingLocked() {
  if (free_.empty()) {
    pool_.push_back(std::make_unique<Pending>());
    return pool_.back().get();
  }
  Pending* p = free_.back();
  free_.pop_back();
  return p;
}

void CaseDesk::WaitAdmitLocked(std::unique_lock<std::mutex>& lock) {
  state_cv_.wait(lock, [&] { return quiesce_waiters_ == 0 && !compact_hold_; });
}

void CaseDesk::QuiesceLocked(std::unique_lock<std::mutex>& lock) const {
  ++quiesce_waiters_;
  state_cv_.wait(lock, [&] {
    return queue_.empty() && !committing_ && engine_->uncommitted() == 0;
  });
  if (--quiesce_waiters_ == 0) state_cv_.notify_all();
}

void CaseDesk::ApplyIntakeLocked(absl::Span<const ReportSlot> slots, Pending* p) {
  const absl::Time now = Now();
  p->reports.clear();
  for (const ReportSlot& s : slots) {
    p->reports.push_back(s.report);
    p->reports.back().received_at = now;  // the keys' window runs on it
  }
  p->transition = nullptr;
  ApplyPendingLocked(p);
}

void CaseDesk::ApplyPendingLocked(Pending* p) {
  p->encoded.clear();
  p->ends.clear();
  p->any_duplicate = false;
  p->expired = false;
  if (p->transition != nullptr) {
    p->records.resize(1);
    p->statuses.assign(1, absl::OkStatus());
    p->out.clear();
    absl::Status s = engine_->DecideTransition(*p->transition, &p->records[0]);
    if (s.ok()) {
      p->records[0].Encode(&p->encoded);
      // The caller's input made it too big for one journal record: its
      // error, refused before anything changes (not the journal's
      // UNAVAILABLE, and not a failed append that would take the batches
      // grouped with it down).
      if (p->encoded.size() > Journal::kMaxRecordBytes) {
        s = absl::InvalidArgumentError(absl::StrCat(
            "case_id: the change is ", p->encoded.size(), " bytes as a journal record; at most ",
            Journal::kMaxRecordBytes, " (shorten note, actor or lead)"));
        p->encoded.clear();
      }
    }
    if (s.ok()) s = engine_->Apply(p->records[0]);  // a failed Apply changes nothing
    p->statuses[0] = s;
    if (s.ok()) p->ends.push_back(static_cast<uint32_t>(p->encoded.size()));
    return;
  }
  engine_->IntakeBatch(p->reports, &p->records, &p->statuses);
  p->out.resize(p->reports.size());
  for (size_t i = 0; i < p->reports.size(); ++i) {
    CaseOutcome& o = p->out[i];
    o.status = p->statuses[i];
    o.case_id.clear();
    o.folded = false;
    o.report_count = 0;
    o.duplicate = false;
    if (!o.status.ok()) continue;
    const CaseRecord& r = p->records[i];
    if (r.duplicate) {  // the first answer; nothing to journal
      o.duplicate = true;
      p->any_duplicate = true;
    } else {
      r.Encode(&p->encoded);
      p->ends.push_back(static_cast<uint32_t>(p->encoded.size()));
    }
    o.case_id.assign(r.case_id);
    o.folded = r.kind != RecordKind::kNewCase;
    o.report_count = o.folded || o.duplicate ? r.report_count : 1;
  }
}

void CaseDesk::DropExpiredLocked(std::vector<Pending*>& group) {
  bool any_deadline = false;
  for (const Pending* p : group) any_deadline |= p->deadline != absl::InfiniteFuture();
  if (!any_deadline) return;
  const absl::Time now = Now();
  size_t first = 0;
  while (first < group.size() && group[first]->deadline > now) ++first;
  if (first == group.size()) return;
  // The engine's uncommitted records are exactly the group's, in order:
  // keep those of the batches before the first expired one.
  size_t keep = 0;
  for (size_t i = 0; i < first; ++i) keep += group[i]->ends.size();
  engine_->RollbackTo(keep);
  for (size_t i = first; i < group.size(); ++i) {
    Pending* p = group[i];
    if (p->deadline <= now) {
      p->encoded.clear();
      p->ends.clear();
      p->any_duplicate = false;
      p->expired = true;
      p->status = DeadlineExceeded();
      continue;
    }
    // Decided again without the expired batches (it may have folded into
    // one of their cases, or continued their id counters).
    ApplyPendingLocked(p);
    if (p->transition != nullptr && !p->statuses[0].ok()) p->status = p->statuses[0];
  }
}

bool CaseDesk::EnqueueLocked(Pending* p) {
  p->status = absl::OkStatus();
  // Nothing to make durable (every report refused, or answered from its
  // key)? Done now, unless a duplicate may name a case whose record is
  // still on its way to disk: then it is answered after it, in order.
  if (p->ends.empty() && !(p->any_duplicate && engine_->uncommitted() > 0)) return true;
  queue_.push_back(p);
  work_cv_.notify_one();
  return false;
}

void CaseDesk::IntakeAsync(absl::Span<const ReportSlot> slots, IntakeDone done,
                           absl::Time deadline) {
  IntakeImpl(slots, std::move(done), nullptr, deadline);
}

void CaseDesk::IntakeImpl(absl::Span<const ReportSlot> slots, IntakeDone done, Waiter* waiter,
                          absl::Time deadline) {
  static const std::vector<CaseOutcome> kNone;
  if (slots.empty()) {
    done(absl::OkStatus(), kNone);
    if (waiter != nullptr) waiter->Signal(absl::OkStatus());
    return;
  }
  std::unique_lock<std::mutex> lock(mu_);
  WaitAdmitLocked(lock);
  if (deadline != absl::InfiniteFuture() && Now() >= deadline) {
    lock.unlock();
    const absl::Status late = DeadlineExceeded();
    done(late, kNone);
    if (waiter != nullptr) waiter->Signal(late);
    return;
  }
  Pending* p = TakePendingLocked();
  p->deadline = deadline;
  ApplyIntakeLocked(slots, p);
  if (!EnqueueLocked(p)) {
    p->done = std::move(done);
    p->waiter = waiter;
    return;
  }
  lock.unlock();
  done(p->status, p->out);
  lock.lock();
  free_.push_back(p);
  if (waiter != nullptr) waiter->Signal(absl::OkStatus());
}

absl::Status CaseDesk::Intake(absl::Span<const ReportSlot> slots, std::vector<CaseOutcome>* out,
                              absl::Time deadline) {
  Waiter w;
  IntakeImpl(
      slots,
      [out](const absl::Status& s, const std::vector<CaseOutcome>& o) {
        if (s.ok()) out->assign(o.begin(), o.end());
      },
      &w, deadline);
  absl::Status s = w.Wait();
  if (!s.ok()) {
    out->clear();
    out->resize(slots.size());
  } else if (slots.empty()) {
    out->clear();
  }
  return s;
}

absl::Status CaseDesk::CommitGroupLocked(std::unique_lock<std::mutex>& lock,
                                         std::vector<Pending*>& group) {
  // Every batch applied so far is in the group (apply and enqueue happen
  // under one lock), so the engine's uncommitted records are exactly its.
  // The last moment a deadline can still un-file a batch: before the write.
  DropExpiredLocked(group);
  const size_t applied = engine_->uncommitted();
  views_.clear();
  uint64_t bytes = 0;
  for (const Pending* p : group) {
    uint32_t begin = 0;
    for (uint32_t end : p->ends) {
      views_.emplace_back(p->encoded.data() + begin, end - begin);
      begin = end;
    }
    bytes += p->encoded.size() + 16 * p->ends.size();
  }
  absl::StatusOr<uint64_t> seq = uint64_t{0};
  if (!views_.empty()) {  // else only duplicates' answers (or expired batches)
    lock.unlock();
    seq = journal_->Append(views_);
    lock.lock();
  }
  if (seq.ok()) {
    engine_->CommitPrefix(applied);
    bytes_since_compact_ += bytes;
    if (!views_.empty()) ++commit_groups_;
    for (const Pending* p : group) {
      if (p->expired) continue;
      ++intake_batches_;
      for (size_t i = 0; i < p->statuses.size(); ++i) {
        if (p->statuses[i].ok() && !p->records[i].duplicate) DispatchLocked(p->records[i]);
      }
    }
    return absl::OkStatus();
  }
  // Batches applied after the group may build on it (fold into its cases,
  // continue its id counters): they are undone and refused with it.
  engine_->Rollback();
  const absl::Status failed = absl::UnavailableError(absl::StrCat(
      "journal: the batch could not be made durable, nothing of it was filed or changed (",
      seq.status().message(), ")"));
  for (Pending* p : group) {
    if (!p->expired) p->status = failed;
  }
  for (Pending* p : queue_) {
    p->status = absl::UnavailableError(absl::StrCat(
        "journal: an earlier batch this one was decided after could not be made durable, "
        "nothing of it was filed or changed (",
        seq.status().message(), ")"));
    group.push_back(p);
  }
  queue_.clear();
  return failed;
}

void CaseDesk::CommitLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  std::vector<Pending*> group;
  for (;;) {
    work_cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    group.swap(queue_);
    committing_ = true;
    CommitGroupLocked(lock, group).IgnoreError();  // each batch has its status
    committing_ = false;
    // Compaction needs every applied record durable: hold new batches off
    // until the queue has drained, then snapshot.
    compact_hold_ = bytes_since_compact_ >= options_.compact_after_bytes;
    if (compact_hold_ && queue_.empty()) {
      MaybeCompactLocked();
      compact_hold_ = false;
    }
    state_cv_.notify_all();
    lock.unlock();
    for (Pending* p : group) {
      if (p->done) p->done(p->status, p->out);
    }
    lock.lock();
    for (Pending* p : group) {
      p->done = nullptr;
      p->transition = nullptr;
      free_.push_back(p);
      if (p->waiter != nullptr) std::exchange(p->waiter, nullptr)->Signal(p->status);
    }
    group.clear();
  }
}

absl::Status CaseDesk::Update(const Transition& t, CaseView* out) {
  std::unique_lock<std::mutex> lock(mu_);
  WaitAdmitLocked(lock);
  Pending* p = TakePendingLocked();
  p->transition = &t;
  p->deadline = absl::InfiniteFuture();
  ApplyPendingLocked(p);
  if (!p->statuses[0].ok()) {
    const absl::Status s = p->statuses[0];
    p->transition = nullptr;
    free_.push_back(p);
    return s;
  }
  Waiter w;
  p->waiter = &w;
  EnqueueLocked(p);
  lock.unlock();
  absl::Status s = w.Wait();
  if (!s.ok()) return s;  // UNAVAILABLE: the case is unchanged
  lock.lock();
  QuiesceLocked(lock);
  return engine_->store().Get(t.case_id, out);
}

absl::Status CaseDesk::Get(absl::string_view id, CaseView* out) const {
  std::unique_lock<std::mutex> lock(mu_);
  QuiesceLocked(lock);
  return engine_->store().Get(id, out);
}

absl::Status CaseDesk::List(const ListQuery& query, ListResult* out) const {
  std::unique_lock<std::mutex> lock(mu_);
  QuiesceLocked(lock);
  return engine_->store().List(query, out);
}

absl::Status CaseDesk::Stats(const StatsQuery& query, const WorkingCalendar& calendar,
                             StatsResult* out) const {
  std::unique_lock<std::mutex> lock(mu_);
  QuiesceLocked(lock);
  return engine_->store().Stats(query, calendar, out);
}

absl::Status CaseDesk::Reload(const Snapshot& snapshot, const std::string& pack_dir) {
  ASSIGN_OR_RETURN(FoldRules rules, FoldRulesFor(snapshot, pack_dir));
  std::unique_lock<std::mutex> lock(mu_);
  QuiesceLocked(lock);  // new rules rebuild the fold index: nothing may be uncommitted
  return engine_->SetFoldRules(std::move(rules));
}

CaseDesk::Info CaseDesk::info() const {
  Info i;
  {
    std::lock_guard<std::mutex> lock(mu_);
    i.cases = engine_->store().size();
    i.open = engine_->store().open();
    for (int st = 0; st < kNumCaseStates; ++st) {
      i.by_state[st] = engine_->store().in_state(static_cast<CaseState>(st));
    }
    i.fold_index = engine_->fold_index_size();
    i.intake_batches = intake_batches_;
    i.commit_groups = commit_groups_;
    i.queued_batches = queue_.size();
  }
  i.journal = journal_->stats();
  i.journal_append = journal_->append_latency();
  i.journal_sync = journal_->sync_latency();
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

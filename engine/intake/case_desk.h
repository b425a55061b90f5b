// Copyright 2026 gridroute authors.
//
// CaseDesk: the durable front of the case model. It turns routed decisions
// into cases (new or folded, cases/case_engine.h), makes every change
// durable in the journal (journal/journal.h) before it is acknowledged,
// restores the state from the journal on start, compacts the journal, and
// hands new cases and state changes to the NATS dispatcher
// (dispatch/nats_dispatcher.h) when one is configured. Plain C++: the gRPC
// service calls it.
//
//   CaseDeskOptions o;
//   o.journal_dir = "/var/lib/gridroute/journal";
//   ASSIGN_OR_RETURN(std::unique_ptr<CaseDesk> desk, CaseDesk::Open(o, *snapshot, pack_dir));
//   std::vector<ReportSlot> slots(n);   // one per routed decision of a batch
//   ReportFromDecision(*snapshot, event, decision, ReportSource::kVideo, camera, &slots[i]);
//   std::vector<CaseOutcome> out;
//   RETURN_IF_ERROR(desk->Intake(slots, &out));  // durable when it returns OK
//
// Durability and group commit: Intake and Update decide and apply their
// records in memory under the desk's mutex, encode them, and queue the
// batch for the desk's commit thread. That thread takes every batch queued
// (all of them applied, in queue order), makes them durable with ONE
// journal append (one fdatasync for all of them), commits them in the
// engine (CaseEngine::CommitPrefix: batches applied meanwhile stay
// undoable), and only then answers each batch. So concurrent callers
// (several streams, RouteBatch calls) share one fdatasync, and the next
// batches are decided while the previous ones are being synced. If the
// append fails (disk full, I/O error) the group and every batch applied
// after it are rolled back (a later batch may fold into a case of the
// failed one) and each gets UNAVAILABLE: nothing of them was acknowledged.
// A crash after the append but before the answer leaves a durable case the
// client was not told about (it will see it in List); a crash before
// leaves nothing.
//
// Deadlines: a batch whose deadline has passed when it is admitted, or by
// the time the commit thread is about to write it, is not filed: it is
// undone (with every batch applied after it, which are decided again
// without it) and answered DEADLINE_EXCEEDED. Once its journal write has
// begun, a batch is filed whatever the deadline does; a client that gave
// up then learns its cases by sending the reports again with the same
// keys (idempotency: a report whose key was filed within the window gets
// the first answer and adds nothing).
//
// Queries (Get, List, Stats, info) and compaction first stop new batches
// from being applied and wait until everything applied is durable, so they
// never show a case that is not on disk.
//
// Thread-safety: every method is safe from any number of threads.
#ifndef GRIDROUTE_INTAKE_CASE_DESK_H_
#define GRIDROUTE_INTAKE_CASE_DESK_H_

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <condition_variable>
#include <thread>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "cases/case_engine.h"
#include "dispatch/nats_dispatcher.h"
#include "journal/journal.h"
#include "route/router.h"
#include "snapshot/snapshot.h"

namespace gridroute {

struct CaseDeskOptions {
  // Required. Created if missing; a directory that cannot be created or
  // written makes Open fail (the server refuses to start).
  std::string journal_dir;
  JournalOptions journal;
  // NATS server URL(s) for dispatch; empty: no dispatch.
  std::string nats_url;
  std::string nats_stream = "GRIDROUTE_DISPATCH";
  std::string nats_subject_prefix = "gridroute.dispatch";
  // Compact the journal (snapshot of all cases, old segments deleted) once
  // this many bytes were appended since the last compaction.
  uint64_t compact_after_bytes = uint64_t{256} << 20;
  // Where start-up and dispatch messages go (default: common/log.h's
  // Log(kInfo, "cases", line)).
  std::function<void(absl::string_view)> log;
  // The clock of deadlines and of reports' receive times (tests inject
  // one). Default: absl::Now.
  std::function<absl::Time()> now;
  // How long a report's idempotency key is remembered (on receive times),
  // and how many keys at most (~80 bytes each): CaseEngineOptions'
  // key_window and max_keys.
  absl::Duration idempotency_window = absl::Hours(24);
  size_t max_keys = 1'000'000;
};

// A routed report as the case engine takes it, with the storage its views
// point into (codes point into the snapshot, which must stay pinned until
// Intake returns).
struct ReportSlot {
  Report report;
  std::vector<absl::string_view> chain;
  std::vector<absl::string_view> helpers;
};

// Fills `slot` from a routed decision (outcome kRouted) of `event`; `key`:
// the report's idempotency key (empty: none; Report::key); `key_scope`: the
// authenticated principal that sent it (empty: auth off; Report::key_scope).
// Like the codes, `key` and `key_scope` are views: they must outlive the
// Intake (IntakeAsync: until its `done` has run).
void ReportFromDecision(const Snapshot& s, const Event& event, const Decision& d,
                        ReportSource source, absl::string_view source_id, ReportSlot* slot,
                        absl::string_view key = {}, absl::string_view key_scope = {});

// What a report did.
struct CaseOutcome {
  absl::Status status;  // per report: InvalidArgument if the engine refused it
  std::string case_id;
  bool folded = false;
  int64_t report_count = 0;
  // The report's key had been filed within the window: case_id, folded and
  // report_count are that first report's answer, and nothing was added.
  bool duplicate = false;
};

class CaseDesk {
 public:
  // Opens (or creates) the journal, replays it into a fresh engine with the
  // fold rules of `pack_dir` (folding.csv, else the defaults), and connects
  // to NATS if configured. Errors name the directory / URL.
  static absl::StatusOr<std::unique_ptr<CaseDesk>> Open(const CaseDeskOptions& options,
                                                        const Snapshot& snapshot,
                                                        const std::string& pack_dir);
  ~CaseDesk();

  // Files or folds every report of `slots` as one durable batch. out[i]
  // answers slots[i]. UNAVAILABLE if the journal could not make the batch
  // durable, DEADLINE_EXCEEDED if `deadline` passed before its journal
  // write began (then nothing changed). A report with a key (Report::key)
  // filed within the window is answered as it was first (duplicate).
  absl::Status Intake(absl::Span<const ReportSlot> slots, std::vector<CaseOutcome>* out,
                      absl::Time deadline = absl::InfiniteFuture());

  // Called once a batch is durable (status OK; `out` answers the slots) or
  // failed (UNAVAILABLE, `out` meaningless). `out` is valid only during the
  // call. Runs on the desk's commit thread (or inline in IntakeAsync when
  // nothing had to be journaled): keep it short, never call the desk from it.
  using IntakeDone = std::function<void(const absl::Status& status,
                                        const std::vector<CaseOutcome>& out)>;
  // Intake without waiting: decides and applies the batch now and calls
  // `done` when the batch is durable. The caller's thread never waits for a
  // sync. The slots and what they point to must stay valid until `done`
  // runs: when an earlier batch's deadline passes, the batch is decided
  // again on the commit thread.
  void IntakeAsync(absl::Span<const ReportSlot> slots, IntakeDone done,
                   absl::Time deadline = absl::InfiniteFuture());

  // A lifecycle change, durable when it returns OK; `out` is the case after.
  absl::Status Update(const Transition& t, CaseView* out);

  absl::Status Get(absl::string_view id, CaseView* out) const;
  absl::Status List(const ListQuery& query, ListResult* out) const;
  absl::Status Stats(const StatsQuery& query, const WorkingCalendar& calendar,
                     StatsResult* out) const;

  // New fold rules after a pack reload.
  absl::Status Reload(const Snapshot& snapshot, const std::string& pack_dir);

  struct Info {
    size_t cases = 0;
    size_t open = 0;
    size_t fold_index = 0;
    Journal::Stats journal;
    HistogramSnapshot journal_append;  // Journal::append_latency()
    HistogramSnapshot journal_sync;    // Journal::sync_latency()
    std::array<size_t, kNumCaseStates> by_state{};  // cases per CaseState
    bool dispatch = false;
    NatsDispatcher::Stats dispatched;
    std::string open_report;  // what the journal said at start
    uint64_t intake_batches = 0;  // Intake/Update batches acknowledged
    uint64_t commit_groups = 0;   // journal appends by the commit thread
    size_t queued_batches = 0;    // applied, waiting for the commit thread now
    double replay_seconds = 0;
  };
  Info info() const;

  // Blocks until every dispatch message so far is acknowledged by NATS (or
  // `timeout` passes). True when none is pending; true without NATS.
  bool FlushDispatch(absl::Duration timeout);

 private:
  struct Pending;  // one batch between apply and durable (case_desk.cc)
  struct Waiter;   // a synchronous caller (case_desk.cc)
  void IntakeImpl(absl::Span<const ReportSlot> slots, IntakeDone done, Waiter* waiter,
                  absl::Time deadline);
  absl::Time Now() const { return options_.now ? options_.now() : absl::Now(); }
  CaseDesk() = default;
  void StartCommitThread();
  void CommitLoop();
  // Journals the batches taken from queue_ (all applied, in order), then
  // commits or rolls back; mu_ held on entry and exit, released meanwhile.
  absl::Status CommitGroupLocked(std::unique_lock<std::mutex>& lock,
                                 std::vector<Pending*>& group);
  // Applies slots to the engine into p (p->done set by the caller).
  void ApplyIntakeLocked(absl::Span<const ReportSlot> slots, Pending* p);
  // Decides and applies p's reports (or transition) on the current state.
  void ApplyPendingLocked(Pending* p);
  // Takes the batches of `group` (every applied batch, in order) whose
  // deadline has passed out of the engine: undoes them and every batch
  // after them, decides the others again, marks the expired ones.
  void DropExpiredLocked(std::vector<Pending*>& group);
  // Queues p for the commit thread, or completes it now if it has nothing
  // to journal (then returns true: the caller runs p->done, mu_ released).
  bool EnqueueLocked(Pending* p);
  // Waits (mu_ held) until nothing applied is waiting for durability, while
  // holding off new batches. For queries and compaction.
  void QuiesceLocked(std::unique_lock<std::mutex>& lock) const;
  // Waits (mu_ held) while a query or compaction holds batches off.
  void WaitAdmitLocked(std::unique_lock<std::mutex>& lock);
  Pending* TakePendingLocked();
  void DispatchLocked(const CaseRecord& rec);
  void MaybeCompactLocked();

  CaseDeskOptions options_;
  mutable std::mutex mu_;
  std::unique_ptr<CaseEngine> engine_;  // guarded by mu_
  std::unique_ptr<Journal> journal_;
  std::unique_ptr<NatsDispatcher> dispatcher_;
  uint64_t bytes_since_compact_ = 0;  // guarded by mu_
  double replay_seconds_ = 0;
  // Group commit, guarded by mu_.
  std::vector<Pending*> queue_;         // applied, waiting for the commit thread
  std::vector<std::unique_ptr<Pending>> pool_;  // every Pending ever made
  std::vector<Pending*> free_;          // reusable ones
  bool committing_ = false;             // the commit thread holds a group
  bool compact_hold_ = false;           // compaction due: drain, then snapshot
  mutable int quiesce_waiters_ = 0;     // queries/compactions holding batches off
  bool stop_ = false;
  uint64_t intake_batches_ = 0, commit_groups_ = 0;
  mutable std::condition_variable work_cv_;   // commit thread: queue_ / stop_
  mutable std::condition_variable state_cv_;  // a group committed, admission
  std::vector<std::string_view> views_;  // commit thread's scratch
  std::thread commit_thread_;
};

}  // namespace gridroute

#endif  // GRIDROUTE_INTAKE_CASE_DESK_H_

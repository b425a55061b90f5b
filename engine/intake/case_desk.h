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
// Durability: Intake and Update hold one mutex over decide + apply (in
// memory), one journal append (one fdatasync for the whole batch when
// fsync is on) and commit. If the append fails (disk full, I/O error) the
// in-memory changes of the batch are rolled back and the call returns
// UNAVAILABLE: nothing of it was acknowledged. A crash after the append
// but before the answer leaves a durable case the client was not told
// about (it will see it in List); a crash before leaves nothing.
//
// Thread-safety: every method is safe from any number of threads.
#ifndef GRIDROUTE_INTAKE_CASE_DESK_H_
#define GRIDROUTE_INTAKE_CASE_DESK_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
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
  // Where start-up and dispatch messages go (default: stderr).
  std::function<void(absl::string_view)> log;
};

// A routed report as the case engine takes it, with the storage its views
// point into (codes point into the snapshot, which must stay pinned until
// Intake returns).
struct ReportSlot {
  Report report;
  std::vector<absl::string_view> chain;
  std::vector<absl::string_view> helpers;
};

// Fills `slot` from a routed decision (outcome kRouted) of `event`.
void ReportFromDecision(const Snapshot& s, const Event& event, const Decision& d,
                        ReportSource source, absl::string_view source_id, ReportSlot* slot);

// What a report did.
struct CaseOutcome {
  absl::Status status;  // per report: InvalidArgument if the engine refused it
  std::string case_id;
  bool folded = false;
  int64_t report_count = 0;
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
  // durable (then nothing changed).
  absl::Status Intake(absl::Span<const ReportSlot> slots, std::vector<CaseOutcome>* out);

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
    bool dispatch = false;
    NatsDispatcher::Stats dispatched;
    std::string open_report;  // what the journal said at start
    double replay_seconds = 0;
  };
  Info info() const;

  // Blocks until every dispatch message so far is acknowledged by NATS (or
  // `timeout` passes). True when none is pending; true without NATS.
  bool FlushDispatch(absl::Duration timeout);

 private:
  CaseDesk() = default;
  void DispatchLocked(const CaseRecord& rec);
  void MaybeCompactLocked();

  CaseDeskOptions options_;
  mutable std::mutex mu_;
  std::unique_ptr<CaseEngine> engine_;  // guarded by mu_
  std::unique_ptr<Journal> journal_;
  std::unique_ptr<NatsDispatcher> dispatcher_;
  uint64_t bytes_since_compact_ = 0;  // guarded by mu_
  double replay_seconds_ = 0;
  // Scratch, guarded by mu_.
  std::vector<CaseRecord> records_;
  std::vector<absl::Status> statuses_;
  std::vector<std::string> encoded_;
  std::vector<std::string_view> views_;
  std::vector<Report> reports_;
};

}  // namespace gridroute

#endif  // GRIDROUTE_INTAKE_CASE_DESK_H_

// Copyright 2026 gridroute authors.
//
// CaseEngine: turns routed reports into cases (new, or folded into an open
// one: 并单), changes their lifecycle state, and expresses every change as a
// CaseRecord so that a journal can make it durable before it is
// acknowledged, and replay it after a restart.
//
// Example (compiled and run by tests/docs/header_examples_test.cc): intake
// of a batch of routed reports, under the caller's lock, made durable in a
// Journal (journal/journal.h) before it is acknowledged.
// clang-format off
//   ASSIGN_OR_RETURN(std::unique_ptr<CaseEngine> engine, CaseEngine::Create(options));
//   std::vector<CaseRecord> records(batch.size());
//   std::vector<std::string> bytes(batch.size());
//   absl::Status s;
//   for (size_t i = 0; i < batch.size() && s.ok(); ++i) {
//     s = engine->Decide(batch[i], &records[i]);  // new case, or fold
//     if (s.ok()) s = engine->Apply(records[i]);  // later reports see it
//     if (s.ok()) records[i].Encode(&bytes[i]);
//   }
//   if (s.ok()) s = journal->Append({bytes.begin(), bytes.end()}).status();
//   if (s.ok()) {
//     engine->Commit();
//   } else {
//     engine->Rollback();  // exactly the state before the batch
//   }
// clang-format on
//
// Determinism: the state is a function of the records applied, in order.
// Decide reads only that state and the report (its report time, never the
// wall clock), and ids come from per-district daily counters in it, so a
// replay of the journal (Apply of every record, Commit now and then)
// restores exactly the same open cases, fold state and counters, and the
// same next decisions. Snapshot() writes the whole state as records (for
// journal compaction); applying them to an empty engine restores it.
//
// Folding (the rules and their defaults: fold_rules.h, CASES.md): a report
// joins the open (not closed) case of the same category whose location is
// nearest within the rule's radius — a component report: the case of that
// component — whose last report is within the rule's window of both the
// report and the latest report time seen (the watermark), and, with
// same_grid, in the same grid. Ties: nearest, then the earliest filed.
// A report with neither a point nor a component always files a new case.
// The watermark ignores a lone outlier (cases/watermark.h): a report
// stamped years ahead never stops folding, also when it comes from an old
// journal.
//
// Idempotency (cases/key_index.h): a report with a key (Report::key) that
// was filed within options.key_window of its receive time is a duplicate:
// Decide returns the first report's answer (CaseRecord::duplicate) and
// nothing is applied. Keys are part of the records, so a replay restores
// them.
//
// Rollback / Undo: every Apply since the last Commit can be undone, newest
// first, restoring the exact prior state (cases, counters, watermark, fold
// index). Ageing (dropping cases whose window has passed from the fold
// index; they stay in the store) runs only at Commit, so nothing an Undo
// needs is ever thrown away.
//
// Cost: Decide + Apply of a report is O(1): one fold-index probe plus the
// handful of cases in that cell; from ~1e5 open cases on, about three cache
// misses per report, which IntakeBatch overlaps by prefetching ahead
// (BM_Fold, BM_FoldBatch in bench/fold_bench.cc; figures in CASES.md,
// "Performance"). No allocation in the steady state when the caller reuses
// its CaseRecords; a new case interns its codes (one hash lookup each).
//
// Thread-safety: not thread-safe. Const methods (Decide, the queries,
// Snapshot) may run concurrently with each other but not with the mutating
// ones; the service holds one mutex (or a reader/writer lock) around it.
#ifndef GRIDROUTE_CASES_CASE_ENGINE_H_
#define GRIDROUTE_CASES_CASE_ENGINE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "cases/case_record.h"
#include "cases/case_store.h"
#include "cases/fold_index.h"
#include "cases/fold_rules.h"
#include "cases/key_index.h"
#include "cases/local_plane.h"
#include "cases/watermark.h"
#include "model/categories.h"

namespace gridroute {

struct CaseIdParts;  // cases/case_id.h

// One routed report, as plain codes (the service converts a route/ Decision:
// snapshot codes for its indices). Views only: nothing is kept after the
// call, so the caller may reuse its buffers.
struct Report {
  CategoryType category_type = CategoryType::kEvent;
  absl::string_view category;   // category code (required)
  absl::string_view component;  // component code; empty: not a component report
  absl::string_view grid;       // grid code; empty: outside coverage
  // Region code per hierarchy level, top first (empty where none).
  absl::Span<const absl::string_view> chain;
  // The id's district prefix ([0-9A-Za-z_]{1,32}); empty: chain[0].
  absl::string_view district;
  absl::string_view lead;  // lead department code (may be empty)
  absl::Span<const absl::string_view> helpers;
  // The point in the pack's CRS (lon/lat degrees, or metres if projected).
  // Optional only for a component report.
  bool has_point = true;
  double lon = 0, lat = 0;
  absl::Time reported_at = absl::InfinitePast();  // required, in [1900, 2200)
  absl::Time due = absl::InfiniteFuture();  // routing deadline; infinite: none
  ReportSource source = ReportSource::kOther;
  absl::string_view source_id;  // camera id, hotline ticket, ... (<= 256 bytes)
  // Idempotency key (<= 128 bytes), unique per (source, source_id): a
  // detection's correlation id (source_id: the camera), a hotline's report
  // id. Empty: none (every report counts).
  absl::string_view key;
  // Who sent the key: the authenticated principal (<= 256 bytes; empty with
  // auth off). Keys of different principals never match (key_index.h).
  absl::string_view key_scope;
  // When the server received the report; required with a key (the key's
  // window runs on it), in [1900, 2200).
  absl::Time received_at = absl::InfinitePast();
};

// A lifecycle change requested through CaseService.Update.
struct Transition {
  absl::string_view case_id;
  CaseState to = CaseState::kDispatched;
  absl::string_view actor;               // required
  absl::Time at = absl::InfinitePast();  // required; not before the last change
  absl::string_view note;                // optional, <= 4096 bytes
  absl::string_view
      lead;  // only with to == kDispatched: re-dispatch to this department
};

struct CaseEngineOptions {
  // Folding rules per category (LoadFoldRules(pack_dir, categories)).
  FoldRules fold_rules;
  // How report points become metres. Required: LocalPlane::Geographic(the
  // city's centre latitude, fixed per deployment) for a lon/lat pack,
  // LocalPlane::Projected() for a projected one.
  std::optional<LocalPlane> plane;
  // The zone of the ids' dates (the calendar's: calendar.time_zone()).
  // Default: fixed UTC+8 (China, no DST since 1991).
  absl::TimeZone time_zone = absl::FixedTimeZone(8 * 3600);
  // The watermark moves at most this far past itself on one report; a
  // report time further ahead needs a second report within this of it
  // (cases/watermark.h). Smaller: a lone wrong clock disturbs folding less
  // (it can shorten the windows by at most this, until real time catches
  // up); after a quiet gap longer than this the watermark waits for the
  // second report. Must be > 0. Default 15 min (the server refuses report
  // times more than 15 min ahead of its clock anyway).
  absl::Duration watermark_step = absl::Minutes(15);
  // How long an idempotency key is remembered, measured on receive times:
  // a report whose key was received less than this before it is a
  // duplicate. Must be > 0. Default 24 h.
  absl::Duration key_window = absl::Hours(24);
  // Most keys held: past it the oldest are dropped at Commit even inside
  // the window (~80 bytes each). Default 1,000,000.
  size_t max_keys = 1'000'000;
};

class CaseEngine {
 public:
  // InvalidArgument if options.plane is missing.
  static absl::StatusOr<std::unique_ptr<CaseEngine>> Create(
      CaseEngineOptions options);

  CaseEngine(const CaseEngine&) = delete;
  CaseEngine& operator=(const CaseEngine&) = delete;

  // ------------------------------------------------------------ intake

  // What `report` would do, without changing anything: `out` becomes a
  // kNewCase record (out->case_id is the new id) or a kFold record
  // (out->case_id, out->report_count = the case's count after it).
  // InvalidArgument naming the field for a bad report.
  absl::Status Decide(const Report& report, CaseRecord* out) const;

  // Decide + Apply of each report in order (a report folds into a case
  // filed earlier in the same batch), with the memory of the reports a few
  // places ahead prefetched, which hides most cache misses when the state is
  // large (BM_FoldBatch vs BM_Fold). `out` and `status` get one element per
  // report: the applied record, or the error (then nothing was applied for
  // that report). Returns the number of records applied; Rollback() or
  // Undo() of the applied ones (in order) reverts the batch.
  size_t IntakeBatch(absl::Span<const Report> reports,
                     std::vector<CaseRecord>* out,
                     std::vector<absl::Status>* status);

  // A lifecycle change as a kTransition record, without applying it.
  // InvalidArgument (malformed id, empty actor, bad time, lead without
  // dispatch), NotFound (unknown case), FailedPrecondition naming both
  // states for a transition the table forbids.
  absl::Status DecideTransition(const Transition& t, CaseRecord* out) const;

  // Applies one record (from Decide/DecideTransition, a journal replay or a
  // Snapshot). A record Decide made for the current state always applies.
  // From a journal: NotFound (unknown case), AlreadyExists (a case id
  // filed twice), FailedPrecondition (a transition from another state than
  // the case's, a fold into a closed case), DataLoss (a fold whose count
  // does not follow), InvalidArgument (malformed fields). A failed Apply
  // changes nothing.
  absl::Status Apply(const CaseRecord& record);

  // Makes the records applied since the last Commit permanent (no Undo past
  // this point) and ages out of the fold index the cases whose window has
  // passed. Call it after each durable journal append, and every few
  // thousand records during a replay.
  void Commit();
  // Makes the first `n` records applied since the last commit permanent;
  // the later ones stay undoable (Rollback undoes only those). For a
  // pipeline that applies the next batch while the previous one is being
  // made durable. Ages the fold index by the watermark as of that point.
  void CommitPrefix(size_t n);
  // Undoes every record applied since the last Commit, newest first.
  void Rollback();
  // Undoes the records applied since the last Commit, newest first, until
  // `n` remain. REQUIRES: n <= uncommitted().
  void RollbackTo(size_t n);
  // Undoes `records`, which must be the last records applied since the last
  // Commit, in the order they were applied (they are undone newest first).
  // FailedPrecondition (and nothing undone) if they are not.
  absl::Status Undo(absl::Span<const CaseRecord> records);
  // Records applied since the last Commit.
  size_t uncommitted() const { return undo_.size(); }

  // Emits records that recreate the whole state in an empty engine: a
  // kWatermark, then one kCaseState per case in filing order.
  // FailedPrecondition if records are uncommitted (a snapshot must match
  // the journal).
  absl::Status Snapshot(absl::FunctionRef<void(const CaseRecord&)> emit) const;

  // New folding rules (after a pack reload). Rebuilds the fold index.
  // FailedPrecondition if records are uncommitted.
  absl::Status SetFoldRules(FoldRules rules);

  // ----------------------------------------------------------- queries

  const CaseStore& store() const { return store_; }
  // The latest report time applied (InfinitePast before any).
  absl::Time watermark() const;
  // Cases in the fold index (including ones whose window has passed but
  // that the next Commit has not yet aged out).
  size_t fold_index_size() const { return fold_.size(); }
  // Idempotency keys held (including expired ones the next Commit drops).
  size_t key_count() const { return keys_.size(); }

  // For tests: a canonical text of the whole logical state (every case,
  // counters, watermark, which cases can still fold). Equal strings mean
  // equal engines.
  std::string DebugState() const;
  // For tests: the fold index agrees with the cases. Internal error if not.
  absl::Status CheckInvariants() const;

 private:
  using Case = CaseStore::Case;

  // The resolved rule of one engine category.
  struct CatRule {
    double radius_m = 0;
    int64_t window_ns = 0;
    bool same_grid = false;
    int32_t window_class = 0;
  };
  struct UndoEntry {
    RecordKind kind;
    uint32_t case_idx;
    int64_t prev_watermark;
    int64_t prev_last;      // kFold
    uint32_t prev_counter;  // kNewCase / kCaseState
    bool counter_existed;   // kNewCase / kCaseState
    CaseState prev_state;   // kTransition
    int32_t prev_lead;      // kTransition
    int64_t prev_closed;    // kTransition
    int64_t prev_key_clock;
    bool entry_inserted;    // the record put the case into the fold index
    bool entry_removed;     // the record took it out
    bool pending_saved;     // the watermark's pending times: saved_pending_.back()
    bool key_inserted;      // the record added a key
    bool key_replaced;      // ... replacing an expired one: replaced_keys_.back()
  };

  explicit CaseEngine(CaseEngineOptions options);
  static constexpr size_t kReservedCases = size_t{1} << 20;  // 192 MB of address space

  CatRule ResolveRule(CategoryType type, absl::string_view code);
  int32_t InternCategory(CategoryType type, absl::string_view code);
  bool Foldable(const CaseStore::Case& c) const {
    return c.state != CaseState::kClosed && (c.component >= 0 || c.has_point);
  }
  // The fold index query `r` will make, for IntakeBatch's prefetching.
  struct Probe {
    bool valid = false;  // the category (and component) are known
    bool component = false;
    int32_t cat = -1;
    int32_t comp = -1;
    double x = 0, y = 0;  // metres, point reports
    uint64_t key = 0;     // the fold index key queried
  };
  Probe ProbeOf(const Report& r) const;
  // Decide with `probe` = ProbeOf(r) computed earlier (dictionaries only
  // grow, so a valid probe stays valid; an invalid one is recomputed).
  absl::Status DecideWith(const Report& r, Probe probe, CaseRecord* out) const;
  void IndexCase(uint32_t idx);
  void UnindexCase(uint32_t idx);
  absl::Status ApplyCase(const CaseRecord& record, bool whole);
  // The stored form of a checked new_case / case_state record (interns its
  // codes).
  void BuildCase(const CaseRecord& record, bool whole, const CaseIdParts& parts,
                 Case* out);
  absl::Status ApplyFold(const CaseRecord& record);
  absl::Status ApplyTransition(const CaseRecord& record);
  absl::Status ApplyClock(const CaseRecord& record);
  absl::Status ApplyKey(const CaseRecord& record);
  // The watermark sees report time `t` (u: the record's undo entry).
  void ObserveTime(int64_t t, UndoEntry* u);
  // Adds a key of an applied record (u: its undo entry).
  void InsertKey(const ReportKeyFp& fp, uint32_t case_idx, bool folded, int64_t count,
                 int64_t received_ns, UndoEntry* u);
  // The first answer to a report with key `fp` received at `received_ns`,
  // if it is still within the window; null otherwise.
  const KeyIndex::Entry* LiveKey(const ReportKeyFp& fp, int64_t received_ns) const;
  int64_t watermark_ns() const { return watermark_.value(); }
  void UndoOne(const UndoEntry& u);
  absl::Status FindCase(absl::string_view id, uint32_t* idx) const;
  uint64_t Hint() const {
    return (uid_ << 40) | (epoch_ & ((uint64_t{1} << 40) - 1));
  }

  // --- Constant after construction.
  const uint64_t uid_;  // distinguishes engines in CaseRecord hints
  const LocalPlane plane_;
  const absl::TimeZone time_zone_;
  const int64_t key_window_ns_;
  const size_t max_keys_;

  FoldRules rules_;
  CaseStore store_;
  FoldIndex fold_;
  std::vector<CatRule> cat_rules_;        // by engine category id
  std::vector<int64_t> class_window_ns_;  // by window class
  std::vector<int64_t> horizon_;          // scratch for Commit
  std::vector<Probe> probes_;             // scratch for IntakeBatch
  std::vector<int32_t> ids_;              // scratch for ApplyCase
  Watermark watermark_;
  KeyIndex keys_;
  int64_t key_clock_ns_;  // latest receive time of a keyed report applied
  uint64_t epoch_ = 1;  // changes with every mutation
  std::vector<UndoEntry> undo_;
  // What the undo entries flagged pending_saved / key_replaced need, in
  // the same order (rarely any: a watermark jump, an expired key reused).
  std::vector<Watermark::Pending> saved_pending_;
  std::vector<KeyIndex::Entry> replaced_keys_;
};

}  // namespace gridroute

#endif  // GRIDROUTE_CASES_CASE_ENGINE_H_

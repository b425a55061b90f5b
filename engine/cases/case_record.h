// Copyright 2026 gridroute authors.
//
// The plain data of cases: lifecycle states and their transition table, the
// full view of one case, and CaseRecord, the small versioned binary record
// that expresses every mutation of a CaseEngine (engine/cases/case_engine.h)
// so that a journal can make it durable and replay it.
//
//   CaseRecord rec;
//   RETURN_IF_ERROR(engine.Decide(report, &rec));   // new case or fold
//   std::string bytes;
//   rec.Encode(&bytes);                             // -> journal
//   ...
//   CaseRecord back;
//   RETURN_IF_ERROR(back.Decode(bytes));            // <- journal replay
//   RETURN_IF_ERROR(engine.Apply(back));
//
// Lifecycle (CASES.md has the diagram): reported (立案, filed) -> dispatched
// (派遣) -> accepted -> handled (处置) -> verified (核查) -> closed (结案);
// dispatched -> reported is a return (退单) to the centre for re-dispatch;
// handled -> dispatched is a failed verification; verified/closed ->
// reopened -> dispatched reopens a case.
//
// Thread-safety: plain values. Encode/Decode allocate only when the output
// strings grow (reuse one CaseRecord per thread in the steady state).
#ifndef GRIDROUTE_CASES_CASE_RECORD_H_
#define GRIDROUTE_CASES_CASE_RECORD_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "model/categories.h"

namespace gridroute {

enum class CaseState : uint8_t {
  kReported = 0,    // filed (立案): the first report made the case
  kDispatched = 1,  // sent to the lead department (派遣)
  kAccepted = 2,    // the department took it
  kHandled = 3,     // the department says it is fixed (处置)
  kVerified = 4,    // a supervisor checked it on site (核查)
  kClosed = 5,      // closed (结案)
  kReopened = 6,    // the problem came back after verification/closure
};
inline constexpr int kNumCaseStates = 7;

// "reported", "dispatched", "accepted", "handled", "verified", "closed",
// "reopened".
const char* CaseStateName(CaseState s);
// The transition table (CASES.md):
//   reported   -> dispatched
//   dispatched -> accepted | reported (退单, returned to the centre)
//   accepted   -> handled
//   handled    -> verified | dispatched (verification failed)
//   verified   -> closed | reopened
//   closed     -> reopened
//   reopened   -> dispatched
bool IsLegalTransition(CaseState from, CaseState to);
// The states reachable from `from`, '|'-separated, for messages.
std::string LegalTargets(CaseState from);

// Where a report came from.
enum class ReportSource : uint8_t {
  kOther = 0,
  kHotline = 1,  // 12345 / 12319 call or web form
  kVideo = 2,    // camera analytics
  kPatrol = 3,   // a grid member on patrol
  kApp = 4,      // citizen app / mini-program
};
inline constexpr int kNumReportSources = 5;
const char* ReportSourceName(ReportSource s);  // "other", "hotline", ...

// One change of state after filing.
struct HistoryEntry {
  CaseState state = CaseState::kReported;  // the state entered
  std::string actor;                       // who made the change
  absl::Time at = absl::InfinitePast();
  std::string note;  // free text, may be empty
  std::string lead;  // re-dispatch to this department; empty: unchanged
};

// Everything known about one case, with codes (never pack indices: a pack
// reload renumbers grids and categories, the journal outlives it).
struct CaseView {
  std::string id;  // e.g. "110101-20261129-000042"
  CategoryType category_type = CategoryType::kEvent;
  std::string category;   // category code
  std::string component;  // component code; empty if not a component case
  std::string grid;       // grid code; empty: reported outside coverage
  std::string district;   // the id's district prefix
  std::vector<std::string> chain;  // region code per hierarchy level, top first
  std::string lead;                // current lead department code
  std::vector<std::string> helpers;
  bool has_point = false;
  double lon = 0, lat = 0;  // first report's point, pack CRS
  absl::Time first_report = absl::InfinitePast();  // filing time
  absl::Time last_report = absl::InfinitePast();
  absl::Time due = absl::InfiniteFuture();  // routing deadline; infinite: none
  absl::Time closed_at = absl::InfiniteFuture();  // when state == kClosed
  int64_t report_count = 0;
  CaseState state = CaseState::kReported;
  ReportSource source = ReportSource::kOther;  // of the first report
  std::string source_id;                       // of the first report
  std::vector<HistoryEntry> history;  // changes after filing, oldest first

  friend bool operator==(const CaseView& a, const CaseView& b);
};

bool operator==(const HistoryEntry& a, const HistoryEntry& b);

enum class RecordKind : uint8_t {
  kNewCase = 1,     // a report filed a new case: `c` (filing fields)
  kFold = 2,        // a report folded into case_id (并单)
  kTransition = 3,  // a lifecycle change of case_id
  kCaseState = 4,   // a whole case (Snapshot): `c` (every field)
  kWatermark = 5,   // the latest report time seen (old snapshots; read only)
  kClock = 6,       // the watermark's state and the key clock (Snapshot)
  kKey = 7,         // one idempotency key and its answer (Snapshot)
};
const char* RecordKindName(RecordKind k);

// The 128-bit fingerprint of a report's idempotency key (cases/key_index.h).
struct ReportKeyFp {
  uint64_t hi = 0, lo = 0;
  friend bool operator==(const ReportKeyFp& a, const ReportKeyFp& b) {
    return a.hi == b.hi && a.lo == b.lo;
  }
  friend bool operator!=(const ReportKeyFp& a, const ReportKeyFp& b) { return !(a == b); }
  template <typename H>
  friend H AbslHashValue(H h, const ReportKeyFp& k) {
    return H::combine(std::move(h), k.lo);  // already a good hash
  }
};

// One mutation. Only the fields of its kind are encoded; the others keep
// whatever they held (reuse one record per thread without clearing).
struct CaseRecord {
  RecordKind kind = RecordKind::kNewCase;
  std::string case_id;

  // kNewCase: the filing fields of `c` (all but state, closed_at, history,
  // last_report == first_report, report_count == 1). kCaseState: all of it.
  CaseView c;

  // kFold: the report that folded.
  absl::Time reported_at = absl::InfinitePast();
  ReportSource source = ReportSource::kOther;
  std::string source_id;
  int64_t report_count = 0;  // the case's count after this report (kKey: the answer's)

  // kNewCase / kFold: the report's idempotency key, if it had one (then
  // encoded in format version 2), and when the server received it.
  // kKey: the key, and its first report's answer (case_id, folded,
  // report_count, received_at).
  bool has_key = false;
  ReportKeyFp key;
  absl::Time received_at = absl::InfinitePast();
  bool folded = false;  // kKey

  // kTransition.
  CaseState from = CaseState::kReported;
  CaseState to = CaseState::kReported;
  std::string actor, note;
  std::string lead;  // kDispatched only: new lead department, empty: keep
  absl::Time at = absl::InfinitePast();

  // kWatermark, kClock: the watermark. kClock also: the report times
  // waiting to confirm a watermark jump (cases/watermark.h) and the latest
  // receive time of a keyed report (InfinitePast: none).
  absl::Time watermark = absl::InfinitePast();
  std::vector<absl::Time> pending;
  absl::Time key_clock = absl::InfinitePast();

  // Not encoded: set by CaseEngine::Decide when the report's key was
  // already filed within the window. The record then names the first
  // report's answer (kind kNewCase or kFold, case_id, report_count) and
  // must not be applied or journaled: the report adds nothing.
  bool duplicate = false;

  // Not encoded: set by CaseEngine::Decide so that an Apply right after it
  // skips the id lookup. Harmless when stale (checked against an epoch).
  uint32_t hint_case = ~0u;
  uint64_t hint_epoch = 0;

  // Appends the binary form (CASES.md) to `out`: format version 1, or 2
  // for a keyed kNewCase / kFold and for kClock / kKey.
  void Encode(std::string* out) const;
  // Replaces the kind's fields from `in`. DataLoss naming the field on a
  // truncated or malformed record, an unknown version or kind, or trailing
  // bytes. (A journal's std::string_view converts with
  // absl::string_view(p.data(), p.size()).)
  absl::Status Decode(absl::string_view in);
};

// The record format versions: Encode writes version 1 for every record
// version 1 can express (so unkeyed intake stays as it was) and version 2
// for the others; Decode reads both.
inline constexpr uint8_t kCaseRecordVersion = 1;
inline constexpr uint8_t kCaseRecordVersion2 = 2;

}  // namespace gridroute

#endif  // GRIDROUTE_CASES_CASE_RECORD_H_

// Copyright 2026 gridroute authors.
//
// Watermark: the latest report time a CaseEngine has applied, made robust
// to outliers. Folding ages cases by it (a case whose last report is more
// than its window before the watermark can no longer absorb reports), so
// one report stamped in 2199 (a camera with a wrong clock, a bug, a journal
// written before the server checked times) would otherwise stop folding
// for good, and a journal replay would restore the damage.
//
// The rule: the watermark is the latest report time t such that another
// report time lies in [t - step, t]. A time at most `step` past the
// watermark moves it at once (the watermark itself is the other report);
// a time further ahead waits, *pending*, until a second report within
// `step` of it arrives (then the later of the two becomes the watermark).
// So a single report, however far ahead, never moves the watermark by more
// than `step`; an ordinary stream of reports (seconds apart) moves it as
// if every report counted. After a quiet gap longer than `step` the
// watermark waits for the second report after the gap: until then it only
// lags, which makes folding decide by each report's own time (the window
// rule still holds) and ages cases out later; it never refuses a fold that
// a current watermark would allow.
//
//   Watermark w(absl::ToInt64Nanoseconds(absl::Minutes(15)));
//   Watermark::Pending saved;
//   w.Observe(t, &saved);    // true: pending times changed (saved: before)
//   int64_t wm = w.value();  // kNoWatermark until two reports confirm one
//
// As a function of the times applied (a multiset S): value() = max { t in S
// : some other u in S has t - step <= u <= t }; the pending times are the
// ones above value() + step, pairwise more than `step` apart. Incremental
// and equal to that definition while at most kMaxPending times are pending
// at once; past that the oldest pending time is forgotten (a time then
// needs a new second report). tests/cases/watermark_test.cc checks it
// against the definition, brute force.
//
// Cost: Observe is two compares when the time is at most `step` past the
// watermark and nothing is pending (the steady state); otherwise a scan of
// at most kMaxPending times. No allocation.
//
// Thread-safety: a plain value; not thread-safe.
#ifndef GRIDROUTE_CASES_WATERMARK_H_
#define GRIDROUTE_CASES_WATERMARK_H_

#include <cstdint>
#include <limits>

#include "absl/types/span.h"

namespace gridroute {

class Watermark {
 public:
  static constexpr int64_t kNoWatermark = std::numeric_limits<int64_t>::min();
  static constexpr int kMaxPending = 16;

  // Times waiting for a second report, oldest first.
  struct Pending {
    int64_t t[kMaxPending];
    int n = 0;
    absl::Span<const int64_t> times() const {
      return {t, static_cast<size_t>(n)};
    }
  };

  // REQUIRES: step_ns > 0; report times within +-2^62 ns (the engine's are
  // in [1900, 2200)).
  explicit Watermark(int64_t step_ns) : step_(step_ns) {}

  int64_t value() const { return value_; }
  int64_t step_ns() const { return step_; }
  const Pending& pending() const { return pending_; }

  // Applies one report time. Returns true when the pending times changed;
  // *saved then holds them as they were before (for Restore).
  bool Observe(int64_t t, Pending* saved);

  // Back to an earlier state: `value` and, if the pending times changed
  // since, `pending` (else null).
  void Restore(int64_t value, const Pending* pending) {
    value_ = value;
    if (pending != nullptr) pending_ = *pending;
  }

  // Sets the whole state (a snapshot), as Restore; pending times at or
  // below value + step are dropped, the first kMaxPending kept.
  void Set(int64_t value, absl::Span<const int64_t> pending);

 private:
  // Pending times within `step` of value_ become the watermark, in turn.
  void Absorb();
  void Erase(int i);

  int64_t step_;
  int64_t value_ = kNoWatermark;
  Pending pending_;
};

}  // namespace gridroute

#endif  // GRIDROUTE_CASES_WATERMARK_H_

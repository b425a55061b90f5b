// Copyright 2026 gridroute authors.
//
// CaseStore: every case (open or closed) with its lifecycle, and the
// queries the CaseService answers: Get, List (filtered, paginated, stable
// order) and Stats (closure and on-time rates per department or region or
// grid, on the working calendar). CaseEngine (case_engine.h) owns the store
// and is its only writer; callers read it through CaseEngine::store().
//
//   CaseView v;
//   RETURN_IF_ERROR(engine.store().Get("110101-20261129-000042", &v));
//   ListQuery q;
//   q.department = "D0107";
//   ListResult page;
//   RETURN_IF_ERROR(engine.store().List(q, &page));
//   // next page: q.page_token = page.next_page_token
//   StatsQuery sq;
//   sq.group_by = StatsGroup::kDepartment;
//   sq.as_of = absl::Now();
//   StatsResult st;
//   RETURN_IF_ERROR(engine.store().Stats(sq, snap.calendar(), &st));
//
// Cases are kept in filing order (the order of their records); that order is
// List's and never changes, so pages cover every case exactly once even while
// cases are added. Codes are interned: a case holds ints (192 bytes + its
// history), the store answers codes.
//
// Cost: Get is a parse and one hash lookup; List and Stats scan the cases,
// O(cases) with no allocation per case skipped (per-department indexes can
// come later).
//
// Thread-safety: const methods may run concurrently with each other, not
// with the engine's mutations (the caller's lock; see CaseEngine).
#ifndef GRIDROUTE_CASES_CASE_STORE_H_
#define GRIDROUTE_CASES_CASE_STORE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "cases/case_record.h"
#include "cases/internal/dict.h"
#include "cases/internal/huge_alloc.h"
#include "model/calendar.h"

namespace gridroute {

struct ListQuery {
  std::string department;  // current lead department code; empty: any
  std::string grid;        // grid code; empty: any
  std::string region;      // region code at any level of the chain; empty: any
  std::optional<CaseState> state;
  // Cases per page: <= 0 means 100; at most kMaxPageSize.
  int32_t page_size = 100;
  // Empty: the first page; else the previous page's next_page_token.
  std::string page_token;
};
inline constexpr int32_t kMaxPageSize = 1000;

struct ListResult {
  std::vector<CaseView> cases;  // filing order
  std::string next_page_token;  // empty: this was the last page
};

enum class StatsGroup : uint8_t {
  kAll = 0,         // one row, key ""
  kDepartment = 1,  // the case's current lead department
  kLevel = 2,       // the region at StatsQuery::level of the chain
  kGrid = 3,
};

struct StatsQuery {
  StatsGroup group_by = StatsGroup::kDepartment;
  // kLevel: the hierarchy level, 0 = top (district), 1 = street, 2 = community
  // in a three-level pack.
  int32_t level = 0;
  // Cases filed (first report) in [from, to).
  absl::Time from = absl::InfinitePast();
  absl::Time to = absl::InfiniteFuture();
  // The "now" of the figures (closed by, due by). Required (finite).
  absl::Time as_of = absl::InfinitePast();
};

// The assessment figures of one group (docs/DOMAIN.md, "Assessment
// figures"). For cases filed in the range:
struct StatsRow {
  std::string key;             // department / region / grid code ("" for none)
  int64_t reported = 0;        // reports (report_count summed)
  int64_t filed = 0;           // cases
  int64_t closed = 0;          // in state closed, closed_at <= as_of
  int64_t on_time_closed = 0;  // closed with closed_at <= due
  int64_t due = 0;             // 应结案: closed, or due <= as_of
  int64_t overdue_open = 0;    // not closed and due < as_of
  double closure_rate = 0;     // closed / filed (0 when filed == 0)
  double on_time_rate = 0;     // on_time_closed / due (0 when due == 0)
  // Median of WorkingTimeBetween(first_report, closed_at) over the closed
  // cases, in hours (mean of the two middle values for an even count);
  // -1 when none is closed.
  double median_handling_hours = -1;
};

struct StatsResult {
  std::vector<StatsRow> rows;  // sorted by key
  StatsRow total;              // every case in range, key ""
};

// How late a case is on the working calendar at `now`: overdue when it is
// not closed by its due time (closed cases: closed after it). working_late
// is the office time between the due time and now (or the closing).
struct OverdueInfo {
  bool overdue = false;
  absl::Duration working_late = absl::ZeroDuration();
};
OverdueInfo Overdue(const CaseView& c, absl::Time now,
                    const WorkingCalendar& calendar);

class CaseStore {
 public:
  CaseStore() = default;
  CaseStore(const CaseStore&) = delete;
  CaseStore& operator=(const CaseStore&) = delete;

  // The case with this id. InvalidArgument for a malformed id, NotFound for
  // an unknown one.
  absl::Status Get(absl::string_view id, CaseView* out) const;
  // One page of the cases matching the query. InvalidArgument for a bad
  // page token. Unknown codes in the filter match nothing.
  absl::Status List(const ListQuery& query, ListResult* out) const;
  // InvalidArgument for a bad level or as_of.
  absl::Status Stats(const StatsQuery& query, const WorkingCalendar& calendar,
                     StatsResult* out) const;

  // Cases (open and closed).
  size_t size() const { return cases_.size(); }
  // Cases not closed.
  size_t open() const { return cases_.size() - by_state_[static_cast<int>(CaseState::kClosed)]; }
  // Cases now in state `s`.
  size_t in_state(CaseState s) const { return by_state_[static_cast<int>(s)]; }

 private:
  friend class CaseEngine;
  static constexpr uint32_t kNone = ~0u;

  struct History {
    CaseState state;
    int32_t actor;
    int32_t lead;  // -1: unchanged
    int64_t at_ns;
    std::string note;
  };
  // The fields a fold reads and writes come first, in one aligned cache
  // line.
  struct alignas(64) Case {
    uint32_t seq = 0;
    int32_t ymd = 0;
    int32_t district = -1;
    int32_t category = -1;  // engine category id
    int64_t count = 0;
    int64_t last_ns = 0;
    uint32_t fold_entry = kNone;  // FoldIndex entry, kNone if not indexed
    CaseState state = CaseState::kReported;
    ReportSource source = ReportSource::kOther;
    bool has_point = false;
    int32_t component = -1;
    int32_t grid = -1;
    int32_t chain = 0;  // ListPool id (region ids)
    int32_t lead = -1;
    int32_t helpers = 0;  // ListPool id (department ids)
    int32_t source_id = -1;
    int64_t first_ns = 0, due_ns = 0, closed_ns = 0;
    double lon = 0, lat = 0, x = 0, y = 0;
    std::vector<History> history;
  };
  struct IdKey {
    int32_t district;
    int32_t ymd;
    uint32_t seq;
    friend bool operator==(const IdKey& a, const IdKey& b) {
      return a.district == b.district && a.ymd == b.ymd && a.seq == b.seq;
    }
    template <typename H>
    friend H AbslHashValue(H h, const IdKey& k) {
      return H::combine(std::move(h), k.district, k.ymd, k.seq);
    }
  };
  static uint64_t CounterKey(int32_t district, int32_t ymd) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(district)) << 32) |
           static_cast<uint32_t>(ymd);
  }

  // The case index of `id`: kNone if unknown; InvalidArgument if malformed.
  absl::Status Lookup(absl::string_view id, uint32_t* idx) const;
  void AppendId(const Case& c, std::string* out) const;
  void ToView(const Case& c, CaseView* out) const;
  // Time of the last change (filing or transition).
  static int64_t LastChangeNs(const Case& c) {
    return c.history.empty() ? c.first_ns : c.history.back().at_ns;
  }

  std::vector<Case, cases_internal::HugePageAllocator<Case>> cases_;
  // Cases per CaseState (kept by CaseEngine on filing, transition, undo).
  std::array<size_t, kNumCaseStates> by_state_{};
  absl::flat_hash_map<IdKey, uint32_t> by_id_;
  absl::flat_hash_map<uint64_t, uint32_t>
      counters_;  // (district, ymd) -> last seq
  // Interned codes. Categories are per type; cat_type_/cat_code_ map the
  // engine's category ids back.
  cases_internal::Dict category_dict_[2];
  std::vector<int32_t> cat_of_[2];  // per-type dict id -> engine category id
  std::vector<CategoryType> cat_type_;
  std::vector<int32_t> cat_code_;  // engine category id -> per-type dict id
  cases_internal::Dict grids_, components_, districts_, departments_, regions_,
      names_;
  cases_internal::ListPool lists_;
};

}  // namespace gridroute

#endif  // GRIDROUTE_CASES_CASE_STORE_H_

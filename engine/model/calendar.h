// Copyright gridroute authors.
//
// The working calendar that deadlines are counted on: office hours per
// weekday (with a lunch break), public holidays, and make-up working days
// (调休), in the city's time zone. The exact rules are in CALENDAR.md.
//
// Example:
//   ASSIGN_OR_RETURN(gridroute::WorkingCalendar cal,
//                    gridroute::ParseCalendarJson(text, "calendar.json"));
//   // 道路保洁: 2 working hours; 暴露垃圾: 1 working day.
//   absl::Time due_clean = cal.AddWorkingHours(now, absl::Hours(2));
//   absl::Time due_garbage = cal.AddWorkingDays(now, 1);
//
// Cost inside the table: O(1) per query, no time-zone conversion and no
// allocation (measured per-call times: CALENDAR.md, "Performance"):
// construction
// precomputes every office interval of [table_begin, table_end) as absolute
// Unix seconds with the cumulative office time before it, an index of one
// entry per 86400 s of clock time and one per 2^14 s of office time; a query
// is two O(1) index lookups, each followed by a scan of about one interval.
// Instants outside the table use a slow but exact path (civil-time
// conversion per day, may allocate, microseconds).
//
// Construction: O(days in the table), ~50 bytes per day (~2 MB for the
// default 1991..2100 table); build it at load, not per request.

#ifndef GRIDROUTE_ENGINE_MODEL_CALENDAR_H_
#define GRIDROUTE_ENGINE_MODEL_CALENDAR_H_

#include <array>
#include <climits>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace gridroute {

// One span of office time within a local day: [begin, end), in seconds since
// local midnight. 0 <= begin < end <= 86400 (end 86400 is "24:00").
struct OfficeInterval {
  int32_t begin = 0;
  int32_t end = 0;

  friend bool operator==(const OfficeInterval&,
                         const OfficeInterval&) = default;
};

// A make-up working day (调休): `date` works with the office hours of
// `works_as`, whatever its own weekday, e.g. Sunday 2026-09-27 works as a
// Monday.
struct MakeUpWorkday {
  absl::CivilDay date;
  absl::Weekday works_as = absl::Weekday::monday;
};

// Build-time options of a WorkingCalendar. Plain data; validated by
// WorkingCalendar::Create().
struct WorkingCalendarOptions {
  // IANA zone name. Default "Asia/Shanghai". Loaded with `load_time_zone`; if
  // that fails for "Asia/Shanghai" (no tzdata installed) a fixed UTC+8 is
  // used instead (China has had no DST since 1991); any other unloadable name
  // is an error.
  std::string time_zone = "Asia/Shanghai";

  // Office hours per weekday, indexed by static_cast<int>(absl::Weekday)
  // (Monday = 0 ... Sunday = 6). Each list sorted, non-overlapping
  // (touching is allowed), each interval non-empty. Default: none at all
  // (Create() rejects a week without office time; see Default()).
  std::array<std::vector<OfficeInterval>, 7> office_hours;

  // Public holidays: no office time on these local dates. Default: none.
  std::vector<absl::CivilDay> holidays;

  // Make-up working days. A date may not be both a holiday and a workday,
  // and may appear at most once in each list. Default: none.
  std::vector<MakeUpWorkday> workdays;

  // The fast table covers local days [table_begin, table_end). Default
  // 1991-01-01 .. 2100-01-01 (~40k days, ~57k intervals, ~2 MB). A wider
  // range costs ~50 bytes per day and O(1) construction time per day;
  // instants outside it are answered exactly by the slow path (a civil-time
  // conversion per day walked, may allocate).
  absl::CivilDay table_begin = absl::CivilDay(1991, 1, 1);
  absl::CivilDay table_end = absl::CivilDay(2100, 1, 1);

  // Injected time-zone loader (tests pass one that fails, to exercise the
  // UTC+8 fallback). Default absl::LoadTimeZone.
  bool (*load_time_zone)(absl::string_view name,
                         absl::TimeZone* tz) = &absl::LoadTimeZone;
};

// A city's working calendar. Answers "when is this due" and "how much office
// time lies between these instants" in O(1) without allocation.
//
//   WorkingCalendar cal = WorkingCalendar::Default();
//   cal.AddWorkingHours(friday_1630, absl::Hours(4));  // Monday 11:30
//
// Office time is the union of half-open intervals [open, close): an instant
// exactly at a closing time is not office time; one at an opening time is.
//
// Thread-safety: immutable after construction; all const methods are safe to
// call concurrently from any number of threads without synchronization.
// Copyable (copies the ~2 MB table) and cheaply movable.
class WorkingCalendar {
 public:
  // Validates `options` and builds the table. InvalidArgument naming the
  // field for bad hours, dates, duplicates, an unknown zone, an empty week,
  // or table_begin >= table_end.
  static absl::StatusOr<WorkingCalendar> Create(WorkingCalendarOptions options);

  // Mon-Fri 08:30-12:00 and 13:30-17:30, Sat/Sun closed, Asia/Shanghai (or
  // the fixed UTC+8 fallback), no holidays, no make-up days.
  static WorkingCalendar Default();
  static WorkingCalendarOptions DefaultOptions();

  // The deadline `d` of office time after `start`: if `start` is not office
  // time, counting begins at the next opening (the "effective start"); the
  // result is the earliest instant by which `d` of office time has elapsed,
  // so it may be a closing time (11:00 + 1h -> 12:00, not 13:30).
  // d == 0 returns the effective start; d < 0 is treated as 0;
  // d == InfiniteDuration() returns InfiniteFuture(); an infinite `start` is
  // returned unchanged. ENSURES: WorkingTimeBetween(start, result) == d.
  // Cost: O(1), no allocation, inside the table.
  absl::Time AddWorkingHours(absl::Time start, absl::Duration d) const;

  // The deadline `n` working days after `start`. A working day is a local
  // date with office time. Let s be the effective start (as above), D the
  // working day of s, and p the office time of D before s. The result is the
  // instant of the n-th working day after D at which p of that day's office
  // time has elapsed (the latest such instant, i.e. an opening rather than
  // the preceding closing); if that day has less than p office time, its
  // last closing. With equal daily schedules this is "the same clock time n
  // working days later": Tue 10:00 -> Wed 10:00, Fri 16:30 -> Mon 16:30,
  // Sat 09:00 -> Tue 08:30, Tue 12:30 (lunch) -> Wed 13:30.
  // n == 0 returns the effective start; n < 0 is treated as 0.
  // Cost: O(1), no allocation, inside the table.
  absl::Time AddWorkingDays(absl::Time start, int n) const;

  // start + d, ignoring the calendar (for urgent cases "on the clock").
  absl::Time AddCalendarTime(absl::Time start, absl::Duration d) const {
    return start + d;
  }

  // Office time in [a, b); ZeroDuration() if b <= a. InfiniteDuration() if
  // the span is unbounded. Cost: O(1), no allocation, inside the table.
  absl::Duration WorkingTimeBetween(absl::Time a, absl::Time b) const;

  // Whether `t` is office time. Cost: O(1), no allocation, inside the table.
  bool IsWorkingTime(absl::Time t) const;

  // --- Integer-second forms (the router's hot path). ---
  // An instant is `sec` whole Unix seconds (floor) plus `ticks` of absl's
  // quarter-nanoseconds, 0 <= ticks < 4e9 (SplitTime()/JoinTime() below).
  // No absl::Duration arithmetic and no time-zone conversion: table reads
  // and int64 adds only. Each returns false, leaving the outputs alone, when
  // the instant or the answer lies outside the table; the absl::Time forms
  // answer those (exactly; they take the slow path).
  //
  // AddWorkingHours(start, absl::Seconds(d)) for whole seconds d >= 0.
  bool AddWorkingSeconds(int64_t sec, uint32_t ticks, int64_t d, int64_t* out_sec,
                         uint32_t* out_ticks) const;
  // AddWorkingDays(start, n).
  bool AddWorkingDays(int64_t sec, uint32_t ticks, int n, int64_t* out_sec,
                      uint32_t* out_ticks) const;
  // The local minute of the day (0..1439) of Unix second `sec`, what
  // time_zone().At(t).cs gives as hour * 60 + minute: one read of the
  // per-day table inside it (local midnights precomputed; a day with a
  // zone transition in it converts), a civil-time conversion outside.
  int MinuteOfDay(int64_t sec) const;

  // The office hours of local date `day` after holidays and make-up days
  // (empty on a day off). Slow-ish (binary searches; no table); for display
  // and tests.
  const std::vector<OfficeInterval>& OfficeHoursOn(absl::CivilDay day) const;

  const absl::TimeZone& time_zone() const { return zone_; }
  // True if the zone could not be loaded and the fixed UTC+8 stand-in for
  // Asia/Shanghai is in use.
  bool uses_fixed_utc8_fallback() const { return utc8_fallback_; }

 private:
  friend struct SnapCodec;  // snapshot/snap_codec.h: the compiled snapshot file
  class DayStream;  // Walks working days with their absolute intervals.

  // One office interval of the table, in Unix seconds, with the office time
  // of the table before it.
  struct Span {
    int64_t begin;
    int64_t end;
    int64_t cum_before;
    int64_t cum_end() const { return cum_before + (end - begin); }
  };

  WorkingCalendar() = default;
  void BuildTable(absl::CivilDay table_begin, absl::CivilDay table_end);
  void BuildDayTable(absl::CivilDay table_begin, absl::CivilDay table_end);

  // Index of the first table span with end > s. REQUIRES t0_ <= s < t1_.
  size_t Locate(int64_t s) const {
    size_t i = bucket_first_[static_cast<uint64_t>(s - t0_) / 86400];
    while (i < spans_.size() && spans_[i].end <= s) ++i;
    return i;
  }

  // Exact paths for instants outside [t0_, t1_) (or deadlines past t1_).
  absl::Time SlowAddWorkingHours(absl::Time start, absl::Duration d) const;
  absl::Time SlowAddWorkingDays(absl::Time start, int n) const;
  absl::Duration SlowWorkingTimeBetween(absl::Time a, absl::Time b) const;
  bool SlowIsWorkingTime(absl::Time t) const;

  // --- Constant after construction. ---
  absl::TimeZone zone_;
  bool utc8_fallback_ = false;
  std::array<std::vector<OfficeInterval>, 7> hours_;
  std::vector<absl::CivilDay> holidays_;  // sorted
  std::vector<MakeUpWorkday> workdays_;   // sorted by date

  // The table: [t0_, t1_) in Unix seconds is local days
  // [table_begin, table_end).
  int64_t t0_ = 0;
  int64_t t1_ = 0;
  int64_t total_ = 0;                  // office seconds in the table
  std::vector<Span> spans_;            // sorted, disjoint
  std::vector<int32_t> span_wday_;     // working-day ordinal of each span
  std::vector<int32_t> wday_first_;    // first span of each working day, +end
  std::vector<int32_t> bucket_first_;  // first span with end > t0_+k*86400
  // First span with cum_end > k << kPosBucketShift. 2^14 s (4.6 h) of office
  // time per bucket keeps the scan to ~1 span for 3.5-4 h spans at ~4 bytes
  // per 4.6 office hours (~190 KB for 1991..2100); it replaced a galloping
  // search, whose branch misses cost twice as much per call (cal_bench;
  // CALENDAR.md, "Performance").
  static constexpr int kPosBucketShift = 14;
  std::vector<int32_t> pos_bucket_first_;
  // Local midnight of table day k is t0_ + k * 86400 + day_shift_[k]
  // (k = 0 .. days; the shift is the change of UTC offset since
  // table_begin); kDayConverts marks a day with a zone transition in it,
  // whose minutes MinuteOfDay() converts.
  static constexpr int32_t kDayConverts = INT32_MIN;
  std::vector<int32_t> day_shift_;
};

// absl::Time <-> (whole Unix seconds, quarter-nanosecond ticks), without
// absl's out-of-line Duration arithmetic (Debian's Abseil does not inline
// it). REQUIRES for SplitTime: t is finite.
inline void SplitTime(absl::Time t, int64_t* sec, uint32_t* ticks) {
  const absl::Duration d = absl::time_internal::ToUnixDuration(t);
  *sec = absl::time_internal::GetRepHi(d);
  *ticks = absl::time_internal::GetRepLo(d);
}
inline absl::Time JoinTime(int64_t sec, uint32_t ticks) {
  return absl::time_internal::FromUnixDuration(absl::time_internal::MakeDuration(sec, ticks));
}

// Parses a calendar.json (format in CALENDAR.md):
//   {"time_zone": "Asia/Shanghai",
//    "office_hours": {"mon": [["08:30","12:00"],["13:30","17:30"]], ...},
//    "holidays": ["2026-10-01"],
//    "workdays": [{"date": "2026-09-27", "as": "mon"}]}
// Every error is InvalidArgument whose message starts with `file_name` and
// names the field and the offending value.
absl::StatusOr<WorkingCalendar> ParseCalendarJson(absl::string_view json,
                                                  absl::string_view file_name);

// The same, stopping at the options (no table is built).
absl::StatusOr<WorkingCalendarOptions> ParseCalendarOptionsJson(
    absl::string_view json, absl::string_view file_name);

}  // namespace gridroute

#endif  // GRIDROUTE_ENGINE_MODEL_CALENDAR_H_

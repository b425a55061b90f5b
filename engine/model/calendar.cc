// Copyright gridroute authors.

#include "model/calendar.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/echo.h"
#include "common/status_macros.h"
#include "simdjson.h"

namespace gridroute {
namespace {

constexpr int kSecondsPerDay = 86400;
constexpr int64_t kMinInt64 = std::numeric_limits<int64_t>::min();

// The slow path walks at most this many local days (~1095 years) before it
// saturates to InfiniteFuture()/InfiniteDuration(), so no input can stall a
// request thread.
constexpr int64_t kMaxSlowDays = 400000;

constexpr const char* kWeekdayNames[7] = {"mon", "tue", "wed", "thu",
                                          "fri", "sat", "sun"};

int WeekdayIndex(absl::Weekday w) { return static_cast<int>(w); }

std::string TwoDigits(int v) {
  return std::string{static_cast<char>('0' + v / 10),
                     static_cast<char>('0' + v % 10)};
}

// 30600 -> "08:30"; with seconds only when needed.
std::string FormatSecondOfDay(int32_t s) {
  std::string out =
      absl::StrCat(TwoDigits(s / 3600), ":", TwoDigits(s / 60 % 60));
  if (s % 60 != 0) absl::StrAppend(&out, ":", TwoDigits(s % 60));
  return out;
}

std::string FormatDay(absl::CivilDay d) { return absl::FormatCivilTime(d); }

absl::Status FieldError(absl::string_view field, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", message));
}

// An IANA zone name ("Asia/Shanghai", "America/Argentina/Buenos_Aires",
// "Etc/GMT+8", "UTC"; absl's "Fixed/UTC+08:00" too): '/'-separated, non-empty
// components of ASCII letters, digits and "_-+:", at most kMaxZoneNameBytes.
// absl::LoadTimeZone opens the name as a path under the tzdata directory, or
// as is when it starts with '/': unchecked, "time_zone": "/a/fifo" hung the
// pack load and "../../x" read files outside tzdata (CALENDAR.md).
constexpr size_t kMaxZoneNameBytes = 64;
bool IsZoneName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxZoneNameBytes) return false;
  bool component_empty = true;
  for (char c : name) {
    if (c == '/') {
      if (component_empty) return false;
      component_empty = true;
    } else if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
               c == '+' || c == ':') {
      component_empty = false;
    } else {
      return false;  // '.' among them: no "..", no file names with dots
    }
  }
  return !component_empty;
}

// One weekday's office intervals: inside the day, non-empty, ascending and
// disjoint.
absl::Status ValidateOfficeHours(int w, const std::vector<OfficeInterval>& list) {
  for (size_t k = 0; k < list.size(); ++k) {
    const OfficeInterval& iv = list[k];
    const std::string field =
        absl::StrCat("office_hours.", kWeekdayNames[w], "[", k, "]");
    if (iv.begin < 0 || iv.begin >= kSecondsPerDay || iv.end <= 0 ||
        iv.end > kSecondsPerDay) {
      return FieldError(field,
                        absl::StrCat("interval [", iv.begin, ", ", iv.end,
                                     ") s is outside 00:00-24:00"));
    }
    if (iv.begin >= iv.end) {
      return FieldError(
          field,
          absl::StrCat("interval ", FormatSecondOfDay(iv.begin), "-",
                       FormatSecondOfDay(iv.end), " is empty or reversed"));
    }
    if (k > 0) {
      const OfficeInterval& prev = list[k - 1];
      if (iv.begin < prev.begin) {
        return FieldError(
            field, absl::StrCat("interval ", FormatSecondOfDay(iv.begin), "-",
                                FormatSecondOfDay(iv.end),
                                " is out of order (starts before ",
                                FormatSecondOfDay(prev.begin), ")"));
      }
      if (iv.begin < prev.end) {
        return FieldError(
            field, absl::StrCat("interval ", FormatSecondOfDay(iv.begin), "-",
                                FormatSecondOfDay(iv.end), " overlaps ",
                                FormatSecondOfDay(prev.begin), "-",
                                FormatSecondOfDay(prev.end)));
      }
    }
  }
  return absl::OkStatus();
}

// Checks everything Create() needs except loading the zone.
absl::Status ValidateOptions(const WorkingCalendarOptions& o) {
  if (!IsZoneName(o.time_zone)) {
    return FieldError("time_zone",
                      absl::StrCat("\"", Echo(o.time_zone),
                                   "\" is not a time zone name (want an IANA name such as "
                                   "\"Asia/Shanghai\": letters, digits, _ - + : and '/', at most ",
                                   kMaxZoneNameBytes, " bytes)"));
  }
  bool any_hours = false;
  for (int w = 0; w < 7; ++w) {
    any_hours |= !o.office_hours[w].empty();
    RETURN_IF_ERROR(ValidateOfficeHours(w, o.office_hours[w]));
  }
  if (!any_hours) {
    return FieldError("office_hours", "no weekday has office hours");
  }
  std::vector<std::pair<absl::CivilDay, size_t>> days;
  for (size_t k = 0; k < o.holidays.size(); ++k) {
    days.emplace_back(o.holidays[k], k);
  }
  std::sort(days.begin(), days.end());
  for (size_t k = 1; k < days.size(); ++k) {
    if (days[k].first == days[k - 1].first) {
      return FieldError(
          absl::StrCat("holidays[",
                       std::max(days[k].second, days[k - 1].second), "]"),
          absl::StrCat("duplicate date ", FormatDay(days[k].first)));
    }
  }
  std::vector<std::pair<absl::CivilDay, size_t>> work;
  for (size_t k = 0; k < o.workdays.size(); ++k) {
    const MakeUpWorkday& wd = o.workdays[k];
    const int as = WeekdayIndex(wd.works_as);
    if (as < 0 || as > 6) {
      return FieldError(absl::StrCat("workdays[", k, "].as"), "not a weekday");
    }
    if (o.office_hours[as].empty()) {
      return FieldError(
          absl::StrCat("workdays[", k, "].as"),
          absl::StrCat("\"", kWeekdayNames[as], "\" has no office hours"));
    }
    auto it = std::lower_bound(days.begin(), days.end(),
                               std::make_pair(wd.date, size_t{0}));
    if (it != days.end() && it->first == wd.date) {
      return FieldError(
          absl::StrCat("workdays[", k, "].date"),
          absl::StrCat(FormatDay(wd.date), " is also a holiday (holidays[",
                       it->second, "])"));
    }
    work.emplace_back(wd.date, k);
  }
  std::sort(work.begin(), work.end());
  for (size_t k = 1; k < work.size(); ++k) {
    if (work[k].first == work[k - 1].first) {
      return FieldError(
          absl::StrCat("workdays[",
                       std::max(work[k].second, work[k - 1].second), "].date"),
          absl::StrCat("duplicate date ", FormatDay(work[k].first)));
    }
  }
  if (!(o.table_begin < o.table_end)) {
    return FieldError("table_begin", absl::StrCat(FormatDay(o.table_begin),
                                                  " is not before table_end ",
                                                  FormatDay(o.table_end)));
  }
  return absl::OkStatus();
}

int64_t UnixSecondsAt(const absl::TimeZone& zone, absl::CivilSecond cs) {
  // `pre` maps a skipped (DST gap) local time forward and a repeated one to
  // its first occurrence; irrelevant for zones without DST.
  return absl::ToUnixSeconds(zone.At(cs).pre);
}

}  // namespace

// Walks the working days of [first, limit) in order, each with its office
// intervals as Unix seconds. Intervals are clipped so that they never go
// backwards (only possible around DST transitions), and a day whose
// intervals all vanish is not a working day. Both the table and the slow
// path are built from this one walk, so they agree.
class WorkingCalendar::DayStream {
 public:
  struct Abs {
    int64_t begin;
    int64_t end;
  };

  DayStream(const WorkingCalendar& cal, absl::CivilDay first,
            absl::CivilDay limit)
      : cal_(cal), next_(first), limit_(limit) {}

  // Advances to the next working day; false when [first, limit) is done.
  bool Next() {
    while (next_ < limit_) {
      day_ = next_++;
      const std::vector<OfficeInterval>& local = cal_.OfficeHoursOn(day_);
      if (local.empty()) continue;
      intervals_.clear();
      const absl::CivilSecond midnight(day_);
      for (const OfficeInterval& iv : local) {
        int64_t b = UnixSecondsAt(cal_.zone_, midnight + iv.begin);
        const int64_t e = UnixSecondsAt(cal_.zone_, midnight + iv.end);
        b = std::max(b, prev_end_);
        if (b >= e) continue;
        intervals_.push_back({b, e});
        prev_end_ = e;
      }
      if (!intervals_.empty()) return true;
    }
    return false;
  }

  absl::CivilDay day() const { return day_; }
  const std::vector<Abs>& intervals() const { return intervals_; }

 private:
  const WorkingCalendar& cal_;
  absl::CivilDay next_;
  const absl::CivilDay limit_;
  absl::CivilDay day_;
  int64_t prev_end_ = kMinInt64;
  std::vector<Abs> intervals_;
};

absl::StatusOr<WorkingCalendar> WorkingCalendar::Create(
    WorkingCalendarOptions options) {
  absl::Status status = ValidateOptions(options);
  if (!status.ok()) return status;
  WorkingCalendar cal;
  auto load = options.load_time_zone != nullptr ? options.load_time_zone
                                                : &absl::LoadTimeZone;
  if (!load(options.time_zone, &cal.zone_)) {
    if (options.time_zone != "Asia/Shanghai") {
      return FieldError("time_zone", absl::StrCat("cannot load time zone \"",
                                                  options.time_zone, "\""));
    }
    cal.zone_ = absl::FixedTimeZone(8 * 3600);
    cal.utc8_fallback_ = true;
  }
  cal.hours_ = std::move(options.office_hours);
  cal.holidays_ = std::move(options.holidays);
  std::sort(cal.holidays_.begin(), cal.holidays_.end());
  cal.workdays_ = std::move(options.workdays);
  std::sort(cal.workdays_.begin(), cal.workdays_.end(),
            [](const MakeUpWorkday& a, const MakeUpWorkday& b) {
              return a.date < b.date;
            });
  cal.BuildTable(options.table_begin, options.table_end);
  return cal;
}

WorkingCalendarOptions WorkingCalendar::DefaultOptions() {
  WorkingCalendarOptions o;
  for (int w = 0; w < 5; ++w) {
    o.office_hours[w] = {{8 * 3600 + 30 * 60, 12 * 3600},
                         {13 * 3600 + 30 * 60, 17 * 3600 + 30 * 60}};
  }
  return o;
}

WorkingCalendar WorkingCalendar::Default() {
  // Built once and copied (a copy is a few memcpys; a build walks 40k days):
  // every Snapshot starts with the default calendar.
  // Cannot fail: the options are valid and Asia/Shanghai falls back to UTC+8.
  static const WorkingCalendar* const kDefault = new WorkingCalendar(*Create(DefaultOptions()));
  return *kDefault;
}

const std::vector<OfficeInterval>& WorkingCalendar::OfficeHoursOn(
    absl::CivilDay day) const {
  static const std::vector<OfficeInterval>* const kNone =
      new std::vector<OfficeInterval>();
  if (std::binary_search(holidays_.begin(), holidays_.end(), day)) {
    return *kNone;
  }
  auto it = std::lower_bound(
      workdays_.begin(), workdays_.end(), day,
      [](const MakeUpWorkday& w, absl::CivilDay d) { return w.date < d; });
  if (it != workdays_.end() && it->date == day) {
    return hours_[WeekdayIndex(it->works_as)];
  }
  return hours_[WeekdayIndex(absl::GetWeekday(day))];
}

void WorkingCalendar::BuildTable(absl::CivilDay table_begin,
                                 absl::CivilDay table_end) {
  t0_ = UnixSecondsAt(zone_, absl::CivilSecond(table_begin));
  t1_ = UnixSecondsAt(zone_, absl::CivilSecond(table_end));
  const int64_t days = table_end - table_begin;
  spans_.reserve(static_cast<size_t>(days) * 3 / 2);
  span_wday_.reserve(spans_.capacity());
  wday_first_.reserve(static_cast<size_t>(days) + 1);
  DayStream stream(*this, table_begin, table_end);
  int64_t cum = 0;
  while (stream.Next()) {
    const size_t first = spans_.size();
    const int32_t wday = static_cast<int32_t>(wday_first_.size());
    for (const DayStream::Abs& iv : stream.intervals()) {
      const int64_t b = std::max(iv.begin, t0_);
      const int64_t e = std::min(iv.end, t1_);
      if (b >= e) continue;
      spans_.push_back({b, e, cum});
      span_wday_.push_back(wday);
      cum += e - b;
    }
    if (spans_.size() > first) {
      wday_first_.push_back(static_cast<int32_t>(first));
    }
  }
  wday_first_.push_back(static_cast<int32_t>(spans_.size()));
  total_ = cum;
  const int64_t pos_buckets = total_ >> kPosBucketShift;
  pos_bucket_first_.resize(static_cast<size_t>(pos_buckets) + 1);
  size_t j = 0;
  for (int64_t k = 0; k <= pos_buckets; ++k) {
    const int64_t at = k << kPosBucketShift;
    while (j < spans_.size() && spans_[j].cum_end() <= at) ++j;
    pos_bucket_first_[k] = static_cast<int32_t>(j);
  }
  const int64_t buckets = (t1_ - t0_ + kSecondsPerDay - 1) / kSecondsPerDay;
  bucket_first_.resize(static_cast<size_t>(buckets) + 1);
  size_t i = 0;
  for (int64_t k = 0; k <= buckets; ++k) {
    const int64_t at = t0_ + k * kSecondsPerDay;
    while (i < spans_.size() && spans_[i].end <= at) ++i;
    bucket_first_[k] = static_cast<int32_t>(i);
  }
  BuildDayTable(table_begin, table_end);
}

void WorkingCalendar::BuildDayTable(absl::CivilDay table_begin, absl::CivilDay table_end) {
  const int64_t days = table_end - table_begin;
  day_shift_.resize(static_cast<size_t>(days) + 1);
  std::vector<int64_t> starts(day_shift_.size());
  for (int64_t k = 0; k <= days; ++k) {
    starts[k] = UnixSecondsAt(zone_, absl::CivilSecond(table_begin + k));
    day_shift_[k] = static_cast<int32_t>(starts[k] - (t0_ + k * kSecondsPerDay));
  }
  // A day with a transition in it (China's DST up to 1991, any DST zone)
  // has no fixed midnight-to-clock offset: MinuteOfDay converts there.
  absl::Time t = absl::FromUnixSeconds(t0_ - 1);
  absl::TimeZone::CivilTransition trans;
  while (zone_.NextTransition(t, &trans)) {
    const absl::Time at = zone_.At(trans.to).trans;
    if (at <= t) break;  // no progress: stop rather than loop
    t = at;
    const int64_t s = absl::ToUnixSeconds(at);
    if (s > t1_) break;
    const size_t k = static_cast<size_t>(
        std::upper_bound(starts.begin(), starts.end(), s) - starts.begin());
    for (size_t j = k >= 2 ? k - 2 : 0; j < std::min(k + 1, day_shift_.size()); ++j) {
      day_shift_[j] = kDayConverts;  // the day of `s` and its neighbours
    }
  }
}

// ---------------------------------------------------------------------------
// Fast paths. Office boundaries are whole Unix seconds, so an instant is
// split into whole seconds s (floored) and a sub-second part f in [0, 1s):
// it is office time iff s is, and table arithmetic is in int64 seconds.

absl::Time WorkingCalendar::AddWorkingHours(absl::Time start,
                                            absl::Duration d) const {
  if (d < absl::ZeroDuration()) d = absl::ZeroDuration();
  const int64_t s0 = absl::ToUnixSeconds(start);  // saturates if infinite
  if (s0 < t0_ || s0 >= t1_ || d == absl::InfiniteDuration()) {
    return SlowAddWorkingHours(start, d);
  }
  const size_t i = Locate(s0);
  if (i == spans_.size()) {
    // No office time before t1_: the effective start lies after the table.
    return SlowAddWorkingHours(absl::FromUnixSeconds(t1_), d);
  }
  const Span& sp = spans_[i];
  int64_t s = s0;
  absl::Duration f = start - absl::FromUnixSeconds(s0);
  if (s0 < sp.begin) {
    s = sp.begin;
    f = absl::ZeroDuration();
  }
  if (d == absl::ZeroDuration()) return absl::FromUnixSeconds(s) + f;

  int64_t dsec = absl::ToInt64Seconds(d);  // d > 0: truncation is floor
  absl::Duration frac = f + (d - absl::Seconds(dsec));
  if (frac >= absl::Seconds(1)) {
    frac -= absl::Seconds(1);
    ++dsec;
  }
  const int64_t pos = sp.cum_before + (s - sp.begin);
  const int64_t left = total_ - pos;
  if (dsec > left || (dsec == left && frac > absl::ZeroDuration())) {
    // The deadline is past the table; no office time between the last span
    // and t1_, so continue from t1_ with what is left.
    return SlowAddWorkingHours(absl::FromUnixSeconds(t1_),
                               absl::Seconds(dsec - left) + frac);
  }
  const int64_t target = pos + dsec;
  // The span where office position target(+frac) is reached: the first
  // span with cum_end > key, key = target if frac > 0 else target - 1
  // (earliest, so an exact fit ends at a closing time, 11:00 + 1h -> 12:00).
  // target >= 1 when frac == 0 because d > 0. The position index makes this
  // O(1): a bucket holds at most a couple of span ends.
  const int64_t key = frac > absl::ZeroDuration() ? target : target - 1;
  size_t j = static_cast<size_t>(pos_bucket_first_[key >> kPosBucketShift]);
  while (spans_[j].cum_end() <= key) ++j;
  const Span& sj = spans_[j];
  return absl::FromUnixSeconds(sj.begin + (target - sj.cum_before)) + frac;
}

absl::Time WorkingCalendar::AddWorkingDays(absl::Time start, int n) const {
  if (n < 0) n = 0;
  const int64_t s0 = absl::ToUnixSeconds(start);
  if (s0 < t0_ || s0 >= t1_) return SlowAddWorkingDays(start, n);
  const size_t i = Locate(s0);
  if (i == spans_.size()) {
    return SlowAddWorkingDays(absl::FromUnixSeconds(t1_), n);
  }
  const Span& sp = spans_[i];
  int64_t s = s0;
  absl::Duration f = start - absl::FromUnixSeconds(s0);
  if (s0 < sp.begin) {
    s = sp.begin;
    f = absl::ZeroDuration();
  }
  if (n == 0) return absl::FromUnixSeconds(s) + f;
  const int64_t w2 = int64_t{span_wday_[i]} + n;
  if (w2 + 1 >= static_cast<int64_t>(wday_first_.size())) {
    return SlowAddWorkingDays(start, n);  // target day past the table
  }
  const int64_t p = sp.cum_before + (s - sp.begin) -
                    spans_[wday_first_[span_wday_[i]]].cum_before;
  const size_t first2 = static_cast<size_t>(wday_first_[w2]);
  const size_t end2 = static_cast<size_t>(wday_first_[w2 + 1]);
  const int64_t base = spans_[first2].cum_before;
  if (p >= spans_[end2 - 1].cum_end() - base) {
    return absl::FromUnixSeconds(spans_[end2 - 1].end);  // shorter day
  }
  const int64_t target = base + p;
  size_t j = first2;
  while (spans_[j].cum_end() <= target) ++j;  // latest: openings, not closings
  return absl::FromUnixSeconds(spans_[j].begin +
                               (target - spans_[j].cum_before)) +
         f;
}

bool WorkingCalendar::AddWorkingSeconds(int64_t sec, uint32_t ticks, int64_t d,
                                        int64_t* out_sec, uint32_t* out_ticks) const {
  // AddWorkingHours() above with a whole-second d: the same steps in int64.
  if (sec < t0_ || sec >= t1_ || d < 0) return false;
  const size_t i = Locate(sec);
  if (i == spans_.size()) return false;
  const Span& sp = spans_[i];
  int64_t s = sec;
  uint32_t f = ticks;
  if (sec < sp.begin) {
    s = sp.begin;
    f = 0;
  }
  if (d == 0) {
    *out_sec = s;
    *out_ticks = f;
    return true;
  }
  const int64_t pos = sp.cum_before + (s - sp.begin);
  const int64_t left = total_ - pos;
  if (d > left || (d == left && f > 0)) return false;  // past the table
  const int64_t target = pos + d;
  const int64_t key = f > 0 ? target : target - 1;
  size_t j = static_cast<size_t>(pos_bucket_first_[key >> kPosBucketShift]);
  while (spans_[j].cum_end() <= key) ++j;
  *out_sec = spans_[j].begin + (target - spans_[j].cum_before);
  *out_ticks = f;
  return true;
}

bool WorkingCalendar::AddWorkingDays(int64_t sec, uint32_t ticks, int n, int64_t* out_sec,
                                     uint32_t* out_ticks) const {
  // AddWorkingDays() above in int64.
  if (sec < t0_ || sec >= t1_) return false;
  if (n < 0) n = 0;
  const size_t i = Locate(sec);
  if (i == spans_.size()) return false;
  const Span& sp = spans_[i];
  int64_t s = sec;
  uint32_t f = ticks;
  if (sec < sp.begin) {
    s = sp.begin;
    f = 0;
  }
  if (n == 0) {
    *out_sec = s;
    *out_ticks = f;
    return true;
  }
  const int64_t w2 = int64_t{span_wday_[i]} + n;
  if (w2 + 1 >= static_cast<int64_t>(wday_first_.size())) return false;
  const int64_t p = sp.cum_before + (s - sp.begin) - spans_[wday_first_[span_wday_[i]]].cum_before;
  const size_t first2 = static_cast<size_t>(wday_first_[w2]);
  const size_t end2 = static_cast<size_t>(wday_first_[w2 + 1]);
  const int64_t base = spans_[first2].cum_before;
  if (p >= spans_[end2 - 1].cum_end() - base) {
    *out_sec = spans_[end2 - 1].end;  // shorter day: its last closing
    *out_ticks = 0;
    return true;
  }
  const int64_t target = base + p;
  size_t j = first2;
  while (spans_[j].cum_end() <= target) ++j;
  *out_sec = spans_[j].begin + (target - spans_[j].cum_before);
  *out_ticks = f;
  return true;
}

int WorkingCalendar::MinuteOfDay(int64_t sec) const {
  if (sec >= t0_ && sec < t1_) {
    size_t k = static_cast<size_t>((sec - t0_) / kSecondsPerDay);
    auto start = [this](size_t day) {
      return t0_ + static_cast<int64_t>(day) * kSecondsPerDay + day_shift_[day];
    };
    // The offset may have moved midnight across the 86400-s grid: one step.
    if (day_shift_[k] != kDayConverts && sec < start(k) && k > 0) --k;
    if (k + 1 < day_shift_.size() && day_shift_[k + 1] != kDayConverts && sec >= start(k + 1)) ++k;
    if (day_shift_[k] != kDayConverts && (k + 1 >= day_shift_.size() ||
                                          day_shift_[k + 1] != kDayConverts)) {
      const int64_t into = sec - start(k);
      if (into >= 0 && into < kSecondsPerDay) return static_cast<int>(into / 60);
    }
  }
  const absl::CivilSecond cs = zone_.At(absl::FromUnixSeconds(sec)).cs;
  return cs.hour() * 60 + cs.minute();
}

bool WorkingCalendar::IsWorkingTime(absl::Time t) const {
  const int64_t s = absl::ToUnixSeconds(t);
  if (s < t0_ || s >= t1_) return SlowIsWorkingTime(t);
  const size_t i = Locate(s);
  return i < spans_.size() && spans_[i].begin <= s;
}

absl::Duration WorkingCalendar::WorkingTimeBetween(absl::Time a,
                                                   absl::Time b) const {
  if (b <= a) return absl::ZeroDuration();
  const int64_t sa = absl::ToUnixSeconds(a);
  const int64_t sb = absl::ToUnixSeconds(b);
  // Office position of x in the table, x in [t0_, t1_].
  auto position = [this](absl::Time x, int64_t sx, absl::Duration* frac) {
    *frac = absl::ZeroDuration();
    if (sx >= t1_) return total_;
    const size_t i = Locate(sx);
    if (i == spans_.size()) return total_;
    const Span& sp = spans_[i];
    if (sx < sp.begin) return sp.cum_before;
    *frac = x - absl::FromUnixSeconds(sx);
    return sp.cum_before + (sx - sp.begin);
  };
  if (sa >= t0_ && sb < t1_) {
    absl::Duration fa, fb;
    const int64_t pa = position(a, sa, &fa);
    const int64_t pb = position(b, sb, &fb);
    return absl::Seconds(pb - pa) + (fb - fa);
  }
  // Split into before / inside / after the table.
  const absl::Time t0 = absl::FromUnixSeconds(t0_);
  const absl::Time t1 = absl::FromUnixSeconds(t1_);
  absl::Duration sum = absl::ZeroDuration();
  if (a < t0) sum += SlowWorkingTimeBetween(a, std::min(b, t0));
  if (b > t0 && a < t1) {
    const absl::Time ma = std::max(a, t0);
    const absl::Time mb = std::min(b, t1);
    absl::Duration fa, fb;
    const int64_t pa = position(ma, absl::ToUnixSeconds(ma), &fa);
    const int64_t pb = position(mb, absl::ToUnixSeconds(mb), &fb);
    sum += absl::Seconds(pb - pa) + (fb - fa);
  }
  if (b > t1) sum += SlowWorkingTimeBetween(std::max(a, t1), b);
  return sum;
}

// ---------------------------------------------------------------------------
// Slow paths: exact, walk local days with civil-time conversions.

absl::Time WorkingCalendar::SlowAddWorkingHours(absl::Time start,
                                                absl::Duration d) const {
  if (start == absl::InfiniteFuture() || start == absl::InfinitePast()) {
    return start;
  }
  if (d == absl::InfiniteDuration()) return absl::InfiniteFuture();
  if (d < absl::ZeroDuration()) d = absl::ZeroDuration();
  const absl::CivilDay first = absl::ToCivilDay(start, zone_) - 1;
  DayStream stream(*this, first, first + kMaxSlowDays);
  absl::Duration rem = d;
  while (stream.Next()) {
    for (const DayStream::Abs& iv : stream.intervals()) {
      const absl::Time e = absl::FromUnixSeconds(iv.end);
      if (e <= start) continue;
      const absl::Time cur = std::max(absl::FromUnixSeconds(iv.begin), start);
      const absl::Duration avail = e - cur;
      if (rem <= avail) return cur + rem;  // rem == 0: the effective start
      rem -= avail;
    }
  }
  return absl::InfiniteFuture();
}

absl::Time WorkingCalendar::SlowAddWorkingDays(absl::Time start, int n) const {
  if (start == absl::InfiniteFuture() || start == absl::InfinitePast()) {
    return start;
  }
  if (n < 0) n = 0;
  const absl::CivilDay first = absl::ToCivilDay(start, zone_) - 1;
  DayStream stream(*this, first, first + kMaxSlowDays);
  // Find the effective start and its position p in its day.
  absl::Duration p;
  bool found = false;
  while (!found && stream.Next()) {
    p = absl::ZeroDuration();
    for (const DayStream::Abs& iv : stream.intervals()) {
      const absl::Time b = absl::FromUnixSeconds(iv.begin);
      const absl::Time e = absl::FromUnixSeconds(iv.end);
      if (e <= start) {
        p += e - b;
        continue;
      }
      const absl::Time cur = std::max(b, start);
      if (n == 0) return cur;
      p += cur - b;
      found = true;
      break;
    }
  }
  if (!found) return absl::InfiniteFuture();
  for (int count = 0; stream.Next();) {
    if (++count < n) continue;
    for (const DayStream::Abs& iv : stream.intervals()) {
      const absl::Duration len = absl::Seconds(iv.end - iv.begin);
      if (p < len) return absl::FromUnixSeconds(iv.begin) + p;
      p -= len;
    }
    return absl::FromUnixSeconds(stream.intervals().back().end);
  }
  return absl::InfiniteFuture();
}

absl::Duration WorkingCalendar::SlowWorkingTimeBetween(absl::Time a,
                                                       absl::Time b) const {
  if (b <= a) return absl::ZeroDuration();
  // Every week has office time, so an unbounded span has unbounded time.
  if (a == absl::InfinitePast() || b == absl::InfiniteFuture()) {
    return absl::InfiniteDuration();
  }
  const absl::CivilDay first = absl::ToCivilDay(a, zone_) - 1;
  const absl::CivilDay last = absl::ToCivilDay(b, zone_) + 1;
  if (last - first > kMaxSlowDays) return absl::InfiniteDuration();
  DayStream stream(*this, first, last + 1);
  absl::Duration sum = absl::ZeroDuration();
  while (stream.Next()) {
    for (const DayStream::Abs& iv : stream.intervals()) {
      const absl::Time lo = std::max(absl::FromUnixSeconds(iv.begin), a);
      const absl::Time hi = std::min(absl::FromUnixSeconds(iv.end), b);
      if (lo < hi) sum += hi - lo;
    }
  }
  return sum;
}

bool WorkingCalendar::SlowIsWorkingTime(absl::Time t) const {
  if (t == absl::InfiniteFuture() || t == absl::InfinitePast()) return false;
  const absl::CivilDay day = absl::ToCivilDay(t, zone_);
  const int64_t s = absl::ToUnixSeconds(t);
  DayStream stream(*this, day - 1, day + 2);
  while (stream.Next()) {
    for (const DayStream::Abs& iv : stream.intervals()) {
      if (iv.begin <= s && s < iv.end) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------
// calendar.json

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

class JsonError {
 public:
  explicit JsonError(absl::string_view file) : file_(file) {}
  absl::Status operator()(absl::string_view field,
                          absl::string_view message) const {
    return absl::InvalidArgumentError(
        absl::StrCat(file_, ": ", field, ": ", message));
  }

 private:
  absl::string_view file_;
};

absl::string_view ToAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

std::string Show(element e) {
  std::string s = simdjson::minify(e);
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

bool ParseDigits(absl::string_view s, int* out) {
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return !s.empty();
}

// "HH:MM" or "HH:MM:SS", 00:00 .. 24:00.
bool ParseTimeOfDay(absl::string_view s, int32_t* out) {
  if (s.size() != 5 && s.size() != 8) return false;
  int h, m, sec = 0;
  if (s[2] != ':' || !ParseDigits(s.substr(0, 2), &h) ||
      !ParseDigits(s.substr(3, 2), &m)) {
    return false;
  }
  if (s.size() == 8 && (s[5] != ':' || !ParseDigits(s.substr(6, 2), &sec))) {
    return false;
  }
  if (m > 59 || sec > 59) return false;
  const int32_t v = h * 3600 + m * 60 + sec;
  if (v > kSecondsPerDay) return false;
  *out = v;
  return true;
}

// "YYYY-MM-DD", a real date.
bool ParseDate(absl::string_view s, absl::CivilDay* out) {
  int y, m, d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' ||
      !ParseDigits(s.substr(0, 4), &y) || !ParseDigits(s.substr(5, 2), &m) ||
      !ParseDigits(s.substr(8, 2), &d)) {
    return false;
  }
  const absl::CivilDay day(y, m, d);
  if (day.year() != y || day.month() != m || day.day() != d) return false;
  *out = day;
  return true;
}

int ParseWeekdayName(absl::string_view s) {
  for (int w = 0; w < 7; ++w) {
    if (s == kWeekdayNames[w]) return w;
  }
  return -1;
}

absl::Status ParseOfficeHours(element value, const JsonError& err,
                              WorkingCalendarOptions* o) {
  object obj;
  if (value.get(obj) != simdjson::SUCCESS) {
    return err("office_hours", absl::StrCat("want an object keyed by "
                                            "mon..sun, got ",
                                            Show(value)));
  }
  bool seen[7] = {};
  for (auto field : obj) {
    const absl::string_view key = ToAbsl(field.key);
    const int w = ParseWeekdayName(key);
    const std::string path = absl::StrCat("office_hours.", key);
    if (w < 0) {
      return err(path, absl::StrCat("bad weekday name \"", key,
                                    "\" (want mon, tue, wed, thu, fri, sat "
                                    "or sun)"));
    }
    if (seen[w]) return err(path, "duplicate weekday");
    seen[w] = true;
    array list;
    if (field.value.get(list) != simdjson::SUCCESS) {
      return err(path, absl::StrCat("want a list of [\"HH:MM\", \"HH:MM\"], "
                                    "got ",
                                    Show(field.value)));
    }
    size_t k = 0;
    for (element pair_el : list) {
      const std::string ipath = absl::StrCat(path, "[", k, "]");
      array pair;
      if (pair_el.get(pair) != simdjson::SUCCESS || pair.size() != 2) {
        return err(ipath, absl::StrCat("want [\"HH:MM\", \"HH:MM\"], got ",
                                       Show(pair_el)));
      }
      int32_t ends[2];
      for (size_t e = 0; e < 2; ++e) {
        element t = pair.at(e).value_unsafe();
        std::string_view text;
        if (t.get(text) != simdjson::SUCCESS ||
            !ParseTimeOfDay(ToAbsl(text), &ends[e])) {
          return err(absl::StrCat(ipath, "[", e, "]"),
                     absl::StrCat("bad time ", Show(t),
                                  " (want \"HH:MM\" from 00:00 to 24:00)"));
        }
      }
      o->office_hours[w].push_back({ends[0], ends[1]});
      ++k;
    }
  }
  return absl::OkStatus();
}

absl::Status ParseHolidays(element value, const JsonError& err,
                           WorkingCalendarOptions* o) {
  array list;
  if (value.get(list) != simdjson::SUCCESS) {
    return err("holidays", absl::StrCat("want a list of \"YYYY-MM-DD\", got ",
                                        Show(value)));
  }
  size_t k = 0;
  for (element e : list) {
    std::string_view text;
    absl::CivilDay day;
    if (e.get(text) != simdjson::SUCCESS || !ParseDate(ToAbsl(text), &day)) {
      return err(absl::StrCat("holidays[", k, "]"),
                 absl::StrCat("bad date ", Show(e), " (want \"YYYY-MM-DD\")"));
    }
    o->holidays.push_back(day);
    ++k;
  }
  return absl::OkStatus();
}

absl::Status ParseWorkdays(element value, const JsonError& err,
                           WorkingCalendarOptions* o) {
  array list;
  if (value.get(list) != simdjson::SUCCESS) {
    return err("workdays",
               absl::StrCat("want a list of {\"date\": \"YYYY-MM-DD\", "
                            "\"as\": \"mon\"}, got ",
                            Show(value)));
  }
  size_t k = 0;
  for (element e : list) {
    const std::string path = absl::StrCat("workdays[", k, "]");
    object obj;
    if (e.get(obj) != simdjson::SUCCESS) {
      return err(path, absl::StrCat("want {\"date\": \"YYYY-MM-DD\", \"as\": "
                                    "\"mon\"}, got ",
                                    Show(e)));
    }
    MakeUpWorkday wd;
    bool has_date = false;
    bool seen_as = false;
    for (auto field : obj) {
      const absl::string_view key = ToAbsl(field.key);
      std::string_view text;
      if (key == "date" && !has_date) {
        if (field.value.get(text) != simdjson::SUCCESS ||
            !ParseDate(ToAbsl(text), &wd.date)) {
          return err(absl::StrCat(path, ".date"),
                     absl::StrCat("bad date ", Show(field.value),
                                  " (want \"YYYY-MM-DD\")"));
        }
        has_date = true;
      } else if (key == "as" && !seen_as) {
        const int w = field.value.get(text) == simdjson::SUCCESS
                          ? ParseWeekdayName(ToAbsl(text))
                          : -1;
        if (w < 0) {
          return err(absl::StrCat(path, ".as"),
                     absl::StrCat("bad weekday name ", Show(field.value),
                                  " (want mon, tue, wed, thu, fri, sat or "
                                  "sun)"));
        }
        wd.works_as = static_cast<absl::Weekday>(w);
        seen_as = true;
      } else {
        return err(absl::StrCat(path, ".", key),
                   "unknown or duplicate field (want \"date\" and optional "
                   "\"as\")");
      }
    }
    if (!has_date) return err(absl::StrCat(path, ".date"), "missing");
    o->workdays.push_back(wd);
    ++k;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<WorkingCalendarOptions> ParseCalendarOptionsJson(
    absl::string_view json, absl::string_view file_name) {
  const JsonError err(file_name);
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(json.data(), json.size());
  element root;
  if (auto code = parser.parse(padded).get(root); code != simdjson::SUCCESS) {
    return err("(document)",
               absl::StrCat("bad JSON: ", simdjson::error_message(code)));
  }
  object top;
  if (root.get(top) != simdjson::SUCCESS) {
    return err("(document)", absl::StrCat("want an object, got ", Show(root)));
  }
  WorkingCalendarOptions o;
  bool seen_zone = false, seen_hours = false, seen_holidays = false,
       seen_workdays = false, seen_name = false, seen_source = false;
  for (auto field : top) {
    const absl::string_view key = ToAbsl(field.key);
    absl::Status status;
    auto once = [&](bool* seen) {
      if (*seen) return false;
      *seen = true;
      return true;
    };
    if (key == "time_zone" && once(&seen_zone)) {
      std::string_view text;
      if (field.value.get(text) != simdjson::SUCCESS || text.empty()) {
        return err("time_zone", absl::StrCat("want a zone name like "
                                             "\"Asia/Shanghai\", got ",
                                             Show(field.value)));
      }
      o.time_zone = std::string(text);
    } else if (key == "office_hours" && once(&seen_hours)) {
      status = ParseOfficeHours(field.value, err, &o);
    } else if (key == "holidays" && once(&seen_holidays)) {
      status = ParseHolidays(field.value, err, &o);
    } else if (key == "workdays" && once(&seen_workdays)) {
      status = ParseWorkdays(field.value, err, &o);
    } else if ((key == "name" && once(&seen_name)) ||
               (key == "source" && once(&seen_source))) {
      std::string_view text;  // informational: which calendar, whose notice
      if (field.value.get(text) != simdjson::SUCCESS) {
        return err(key, absl::StrCat("want a string, got ", Show(field.value)));
      }
    } else {
      return err(key,
                 "unknown or duplicate field (want time_zone, "
                 "office_hours, holidays, workdays, name, source)");
    }
    if (!status.ok()) return status;
  }
  if (!seen_hours) return err("office_hours", "missing");
  if (absl::Status s = ValidateOptions(o); !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(file_name, ": ", s.message()));
  }
  return o;
}

absl::StatusOr<WorkingCalendar> ParseCalendarJson(absl::string_view json,
                                                  absl::string_view file_name) {
  absl::StatusOr<WorkingCalendarOptions> options =
      ParseCalendarOptionsJson(json, file_name);
  if (!options.ok()) return options.status();
  absl::StatusOr<WorkingCalendar> cal =
      WorkingCalendar::Create(*std::move(options));
  if (!cal.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(file_name, ": ", cal.status().message()));
  }
  return cal;
}

}  // namespace gridroute

// Copyright gridroute authors.

#include "model/calendar.h"

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace gridroute {
namespace {

// Default office hours, as JSON.
constexpr char kWeekJson[] = R"(
  "office_hours": {
    "mon": [["08:30", "12:00"], ["13:30", "17:30"]],
    "tue": [["08:30", "12:00"], ["13:30", "17:30"]],
    "wed": [["08:30", "12:00"], ["13:30", "17:30"]],
    "thu": [["08:30", "12:00"], ["13:30", "17:30"]],
    "fri": [["08:30", "12:00"], ["13:30", "17:30"]],
    "sat": [],
    "sun": []
  })";

// Mid-Autumn and National Day 2026 as the State Council fixed them: holidays
// Sep 25-27 and Oct 1-7, make-up days Sun Sep 20 and Sat Oct 10.
std::string NationalDayJson() {
  return std::string(R"({"time_zone": "Asia/Shanghai",)") + kWeekJson + R"(,
  "holidays": ["2026-09-25", "2026-09-26", "2026-09-27",
               "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04",
               "2026-10-05", "2026-10-06", "2026-10-07"],
  "workdays": [{"date": "2026-09-20", "as": "mon"}, {"date": "2026-10-10"}]
})";
}

absl::TimeZone Shanghai() {
  absl::TimeZone tz;
  if (!absl::LoadTimeZone("Asia/Shanghai", &tz))
    tz = absl::FixedTimeZone(8 * 3600);
  return tz;
}

// "2026-09-30 16:00" or "2026-09-30 16:00:05" in Shanghai.
absl::Time T(std::string text) {
  for (char& c : text) c = c == ' ' ? 'T' : c;  // absl's ISO 8601 form
  absl::CivilSecond cs;
  if (!absl::ParseCivilTime(text, &cs)) {
    absl::CivilMinute cm;
    EXPECT_TRUE(absl::ParseCivilTime(text, &cm)) << text;
    cs = absl::CivilSecond(cm);
  }
  return absl::FromCivil(cs, Shanghai());
}

std::string Show(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%E*S %a", t, Shanghai());
}

const WorkingCalendar& DefaultCal() {
  static const WorkingCalendar* const cal =
      new WorkingCalendar(WorkingCalendar::Default());
  return *cal;
}

const WorkingCalendar& NationalDayCal() {
  static const WorkingCalendar* const cal = [] {
    absl::StatusOr<WorkingCalendar> c =
        ParseCalendarJson(NationalDayJson(), "calendar.json");
    EXPECT_TRUE(c.ok()) << c.status();
    return new WorkingCalendar(*std::move(c));
  }();
  return *cal;
}

struct HoursCase {
  const char* what;
  const char* start;
  absl::Duration d;
  const char* want;
};

// 2026-03-02 is a Monday; 03-06 Friday; 03-07 Saturday.
TEST(AddWorkingHoursTest, DefaultCalendar) {
  const HoursCase kCases[] = {
      {"across lunch", "2026-03-02 11:00", absl::Hours(2), "2026-03-02 14:30"},
      {"ends exactly at lunch", "2026-03-02 11:00", absl::Hours(1),
       "2026-03-02 12:00"},
      {"across evening", "2026-03-02 17:00", absl::Hours(1),
       "2026-03-03 09:00"},
      {"ends exactly at closing", "2026-03-02 17:00", absl::Minutes(30),
       "2026-03-02 17:30"},
      {"across weekend", "2026-03-06 16:30", absl::Hours(4),
       "2026-03-09 11:30"},
      {"start at opening", "2026-03-02 08:30", absl::Hours(1),
       "2026-03-02 09:30"},
      {"start at closing", "2026-03-02 17:30", absl::Hours(1),
       "2026-03-03 09:30"},
      {"start at lunch begin", "2026-03-02 12:00", absl::Hours(1),
       "2026-03-02 14:30"},
      {"start at lunch end", "2026-03-02 13:30", absl::Minutes(30),
       "2026-03-02 14:00"},
      {"start inside lunch", "2026-03-02 12:45", absl::Minutes(10),
       "2026-03-02 13:40"},
      {"start before opening", "2026-03-02 07:00", absl::Minutes(210),
       "2026-03-02 12:00"},
      {"start on Saturday", "2026-03-07 09:00", absl::Hours(1),
       "2026-03-09 09:30"},
      {"one full day", "2026-03-02 08:30", absl::Minutes(450),
       "2026-03-02 17:30"},
      {"one full week", "2026-03-02 08:30", absl::Minutes(5 * 450),
       "2026-03-06 17:30"},
      {"just over a week", "2026-03-02 08:30", absl::Minutes(5 * 450 + 1),
       "2026-03-09 08:31"},
      {"zero in office", "2026-03-02 10:00", absl::ZeroDuration(),
       "2026-03-02 10:00"},
      {"zero at lunch", "2026-03-02 12:00", absl::ZeroDuration(),
       "2026-03-02 13:30"},
      {"zero at closing", "2026-03-02 17:30", absl::ZeroDuration(),
       "2026-03-03 08:30"},
      {"zero on Saturday", "2026-03-07 10:00", absl::ZeroDuration(),
       "2026-03-09 08:30"},
      {"negative is zero", "2026-03-07 10:00", -absl::Hours(3),
       "2026-03-09 08:30"},
      {"seconds", "2026-03-02 11:59:59", absl::Seconds(2),
       "2026-03-02 13:30:01"},
  };
  for (const HoursCase& c : kCases) {
    EXPECT_EQ(Show(DefaultCal().AddWorkingHours(T(c.start), c.d)),
              Show(T(c.want)))
        << c.what;
  }
}

TEST(AddWorkingHoursTest, SubSecondPartsAreKept) {
  const absl::Time start = T("2026-03-02 11:59:59") + absl::Milliseconds(500);
  EXPECT_EQ(DefaultCal().AddWorkingHours(start, absl::Milliseconds(700)),
            T("2026-03-02 13:30:00") + absl::Milliseconds(200));
  EXPECT_EQ(DefaultCal().AddWorkingHours(start, absl::Milliseconds(500)),
            T("2026-03-02 12:00:00"));
  // Outside office time the sub-second part is dropped with the rest.
  EXPECT_EQ(
      DefaultCal().AddWorkingHours(
          T("2026-03-02 12:10") + absl::Milliseconds(3), absl::Seconds(1)),
      T("2026-03-02 13:30:01"));
}

TEST(AddWorkingHoursTest, NationalDayWeek) {
  const HoursCase kCases[] = {
      {"before the holiday lands after it", "2026-09-30 16:00", absl::Hours(3),
       "2026-10-08 10:00"},
      {"Saturday before counts the make-up Sunday", "2026-09-19 10:00",
       absl::Hours(1), "2026-09-20 09:30"},
      {"Friday evening rolls onto make-up Sunday", "2026-09-18 17:00",
       absl::Hours(1), "2026-09-20 09:00"},
      {"Mid-Autumn weekend skipped", "2026-09-24 17:00", absl::Hours(1),
       "2026-09-28 09:00"},
      {"inside the holiday starts on Oct 8", "2026-10-03 10:00", absl::Hours(1),
       "2026-10-08 09:30"},
      {"zero inside the holiday", "2026-10-05 10:00", absl::ZeroDuration(),
       "2026-10-08 08:30"},
      {"make-up Saturday counts", "2026-10-09 17:00", absl::Hours(1),
       "2026-10-10 09:00"},
      {"after make-up Saturday, Monday", "2026-10-10 17:00", absl::Hours(1),
       "2026-10-12 09:00"},
  };
  for (const HoursCase& c : kCases) {
    EXPECT_EQ(Show(NationalDayCal().AddWorkingHours(T(c.start), c.d)),
              Show(T(c.want)))
        << c.what;
  }
}

struct DaysCase {
  const char* what;
  const char* start;
  int n;
  const char* want;
};

TEST(AddWorkingDaysTest, DefaultCalendar) {
  const DaysCase kCases[] = {
      {"Tue to Wed", "2026-03-03 10:00", 1, "2026-03-04 10:00"},
      {"Fri to Mon", "2026-03-06 16:30", 1, "2026-03-09 16:30"},
      {"Sat starts Mon morning", "2026-03-07 09:00", 1, "2026-03-10 08:30"},
      {"lunch is the afternoon opening", "2026-03-03 12:30", 1,
       "2026-03-04 13:30"},
      {"closing is next morning", "2026-03-03 17:30", 1, "2026-03-05 08:30"},
      {"last minute", "2026-03-03 17:29", 1, "2026-03-04 17:29"},
      {"one week", "2026-03-02 10:00", 5, "2026-03-09 10:00"},
      {"fifteen days", "2026-03-02 10:00", 15, "2026-03-23 10:00"},
      {"zero on Saturday", "2026-03-07 09:00", 0, "2026-03-09 08:30"},
      {"zero in office", "2026-03-03 10:00", 0, "2026-03-03 10:00"},
      {"negative is zero", "2026-03-07 09:00", -2, "2026-03-09 08:30"},
  };
  for (const DaysCase& c : kCases) {
    EXPECT_EQ(Show(DefaultCal().AddWorkingDays(T(c.start), c.n)),
              Show(T(c.want)))
        << c.what;
  }
}

TEST(AddWorkingDaysTest, AcrossNationalDay) {
  const DaysCase kCases[] = {
      {"Wed before to Thu after", "2026-09-30 10:00", 1, "2026-10-08 10:00"},
      {"two days", "2026-09-30 10:00", 2, "2026-10-09 10:00"},
      {"make-up Saturday is a working day", "2026-09-30 10:00", 3,
       "2026-10-10 10:00"},
      {"Fri to make-up Sun", "2026-09-18 10:00", 1, "2026-09-20 10:00"},
      {"Thu to Mon over Mid-Autumn", "2026-09-24 10:00", 1, "2026-09-28 10:00"},
      {"inside the holiday", "2026-10-02 10:00", 1, "2026-10-09 08:30"},
  };
  for (const DaysCase& c : kCases) {
    EXPECT_EQ(Show(NationalDayCal().AddWorkingDays(T(c.start), c.n)),
              Show(T(c.want)))
        << c.what;
  }
}

TEST(AddWorkingDaysTest, ShorterTargetDayEndsAtItsClosing) {
  WorkingCalendarOptions o = WorkingCalendar::DefaultOptions();
  o.office_hours[static_cast<int>(absl::Weekday::saturday)] = {
      {8 * 3600 + 30 * 60, 12 * 3600}};
  absl::StatusOr<WorkingCalendar> cal = WorkingCalendar::Create(o);
  ASSERT_TRUE(cal.ok()) << cal.status();
  EXPECT_EQ(Show(cal->AddWorkingDays(T("2026-03-06 16:30"), 1)),
            Show(T("2026-03-07 12:00")));
  EXPECT_EQ(Show(cal->AddWorkingDays(T("2026-03-06 10:00"), 1)),
            Show(T("2026-03-07 10:00")));
  // Position 3.5 h (the afternoon opening) is all of Saturday: its closing.
  EXPECT_EQ(Show(cal->AddWorkingDays(T("2026-03-06 13:30"), 1)),
            Show(T("2026-03-07 12:00")));
  EXPECT_EQ(Show(cal->AddWorkingDays(T("2026-03-06 16:30"), 2)),
            Show(T("2026-03-09 16:30")));
}

TEST(WorkingTimeBetweenTest, Examples) {
  const WorkingCalendar& cal = DefaultCal();
  EXPECT_EQ(
      cal.WorkingTimeBetween(T("2026-03-02 11:00"), T("2026-03-02 14:30")),
      absl::Hours(2));
  EXPECT_EQ(
      cal.WorkingTimeBetween(T("2026-03-06 16:30"), T("2026-03-09 11:30")),
      absl::Hours(4));
  EXPECT_EQ(
      cal.WorkingTimeBetween(T("2026-03-07 00:00"), T("2026-03-09 00:00")),
      absl::ZeroDuration());
  EXPECT_EQ(
      cal.WorkingTimeBetween(T("2026-03-09 11:30"), T("2026-03-06 16:30")),
      absl::ZeroDuration());
  EXPECT_EQ(NationalDayCal().WorkingTimeBetween(T("2026-09-19 00:00"),
                                                T("2026-10-11 00:00")),
            absl::Minutes(450) * 11);  // Sep 20, 21-24, 28-30, Oct 8-10
}

TEST(IsWorkingTimeTest, Boundaries) {
  const WorkingCalendar& cal = DefaultCal();
  EXPECT_FALSE(cal.IsWorkingTime(T("2026-03-02 08:29:59")));
  EXPECT_TRUE(cal.IsWorkingTime(T("2026-03-02 08:30")));
  EXPECT_TRUE(
      cal.IsWorkingTime(T("2026-03-02 11:59:59") + absl::Milliseconds(999)));
  EXPECT_FALSE(cal.IsWorkingTime(T("2026-03-02 12:00")));
  EXPECT_TRUE(cal.IsWorkingTime(T("2026-03-02 13:30")));
  EXPECT_FALSE(cal.IsWorkingTime(T("2026-03-02 17:30")));
  EXPECT_FALSE(cal.IsWorkingTime(T("2026-03-07 10:00")));
  EXPECT_FALSE(NationalDayCal().IsWorkingTime(T("2026-10-01 10:00")));
  EXPECT_TRUE(NationalDayCal().IsWorkingTime(T("2026-09-20 10:00")));
  EXPECT_FALSE(NationalDayCal().IsWorkingTime(T("2026-09-27 10:00")));
}

TEST(AddCalendarTimeTest, IgnoresTheCalendar) {
  EXPECT_EQ(DefaultCal().AddCalendarTime(T("2026-03-07 10:00"), absl::Hours(2)),
            T("2026-03-07 12:00"));
}

// Random instants in 2025-2027 with sub-second parts.
absl::Time RandomInstant(std::mt19937_64& rng) {
  const int64_t lo = absl::ToUnixSeconds(T("2025-01-01 00:00"));
  const int64_t hi = absl::ToUnixSeconds(T("2028-01-01 00:00"));
  std::uniform_int_distribution<int64_t> sec(lo, hi);
  std::uniform_int_distribution<int64_t> ns(0, 999999999);
  absl::Time t = absl::FromUnixSeconds(sec(rng));
  if (rng() % 2) t += absl::Nanoseconds(ns(rng));
  return t;
}

TEST(WorkingTimeBetweenTest, InvertsAddWorkingHoursOnRandomInstants) {
  std::mt19937_64 rng(20260930);
  for (const WorkingCalendar* cal : {&DefaultCal(), &NationalDayCal()}) {
    for (int k = 0; k < 20000; ++k) {
      const absl::Time t = RandomInstant(rng);
      absl::Duration d = absl::Seconds(rng() % (80 * 3600));
      if (rng() % 2) d += absl::Nanoseconds(rng() % 1000000000);
      const absl::Time due = cal->AddWorkingHours(t, d);
      ASSERT_EQ(cal->WorkingTimeBetween(t, due), d)
          << Show(t) << " + " << d << " -> " << Show(due);
      ASSERT_GE(due, t);
      // Earliest: a moment before, less than d had elapsed.
      if (d > absl::ZeroDuration()) {
        ASSERT_LT(cal->WorkingTimeBetween(t, due - absl::Nanoseconds(1)), d);
      }
      // The effective start is office time.
      ASSERT_TRUE(
          cal->IsWorkingTime(cal->AddWorkingHours(t, absl::ZeroDuration())))
          << Show(t);
      // Additivity over a <= b <= c.
      absl::Time abc[3] = {t, due, RandomInstant(rng)};
      std::sort(abc, abc + 3);
      ASSERT_EQ(cal->WorkingTimeBetween(abc[0], abc[2]),
                cal->WorkingTimeBetween(abc[0], abc[1]) +
                    cal->WorkingTimeBetween(abc[1], abc[2]))
          << Show(abc[0]) << " " << Show(abc[1]) << " " << Show(abc[2]);
    }
  }
}

// Independent oracle: steps minute by minute in civil time, deciding each
// minute from the raw rules. Exact for minute-aligned office hours and
// minute-aligned inputs.
class MinuteOracle {
 public:
  MinuteOracle(const WorkingCalendarOptions& o, absl::TimeZone tz)
      : o_(o), tz_(tz) {
    holidays_.insert(o.holidays.begin(), o.holidays.end());
  }

  bool Works(absl::CivilMinute m) const {
    const absl::CivilDay day(m);
    if (holidays_.count(day)) return false;
    int w = static_cast<int>(absl::GetWeekday(day));
    for (const MakeUpWorkday& wd : o_.workdays) {
      if (wd.date == day) w = static_cast<int>(wd.works_as);
    }
    const int sod = static_cast<int>((m - absl::CivilMinute(day)) * 60);
    for (const OfficeInterval& iv : o_.office_hours[w]) {
      if (iv.begin <= sod && sod < iv.end) return true;
    }
    return false;
  }

  absl::Time AddMinutes(absl::Time start, int64_t minutes) const {
    absl::CivilMinute m = absl::ToCivilMinute(start, tz_);
    while (!Works(m)) ++m;
    for (int64_t left = minutes; left > 0; ++m) {
      if (Works(m)) --left;
      if (left == 0) return absl::FromCivil(m + 1, tz_);
    }
    return absl::FromCivil(m, tz_);
  }

  // Working days: same position in the day (latest), clamped at closing.
  absl::Time AddDays(absl::Time start, int n) const {
    absl::CivilMinute m = absl::ToCivilMinute(start, tz_);
    while (!Works(m)) ++m;
    absl::CivilDay day(m);
    int64_t p = 0;
    for (absl::CivilMinute x = absl::CivilMinute(day); x < m; ++x)
      p += Works(x);
    if (n == 0) return absl::FromCivil(m, tz_);
    for (int count = 0; count < n;) {
      ++day;
      bool any = false;
      for (int i = 0; i < 1440 && !any; ++i)
        any = Works(absl::CivilMinute(day) + i);
      count += any;
    }
    absl::CivilMinute last_end;
    for (int i = 0; i < 1440; ++i) {
      const absl::CivilMinute x = absl::CivilMinute(day) + i;
      if (!Works(x)) continue;
      if (p-- == 0) return absl::FromCivil(x, tz_);
      last_end = x + 1;
    }
    return absl::FromCivil(last_end, tz_);
  }

 private:
  WorkingCalendarOptions o_;
  absl::TimeZone tz_;
  std::set<absl::CivilDay> holidays_;
};

absl::Time RandomMinute(std::mt19937_64& rng) {
  const int64_t lo = absl::ToUnixSeconds(T("2025-01-01 00:00")) / 60;
  const int64_t hi = absl::ToUnixSeconds(T("2028-01-01 00:00")) / 60;
  return absl::FromUnixSeconds(
      60 * std::uniform_int_distribution<int64_t>(lo, hi)(rng));
}

TEST(OracleTest, TablePathMatchesMinuteSteppingOracle) {
  absl::StatusOr<WorkingCalendarOptions> options =
      ParseCalendarOptionsJson(NationalDayJson(), "calendar.json");
  ASSERT_TRUE(options.ok()) << options.status();
  // A lunch-less Saturday morning too, so days differ.
  options->office_hours[5] = {{9 * 3600, 11 * 3600 + 15 * 60}};
  absl::StatusOr<WorkingCalendar> cal = WorkingCalendar::Create(*options);
  ASSERT_TRUE(cal.ok()) << cal.status();
  const MinuteOracle oracle(*options, Shanghai());
  std::mt19937_64 rng(42);
  for (int k = 0; k < 3000; ++k) {
    const absl::Time t = RandomMinute(rng);
    const int64_t minutes = static_cast<int64_t>(rng() % (40 * 60));
    ASSERT_EQ(Show(cal->AddWorkingHours(t, absl::Minutes(minutes))),
              Show(oracle.AddMinutes(t, minutes)))
        << Show(t) << " + " << minutes << " min";
    const int n = static_cast<int>(rng() % 12);
    ASSERT_EQ(Show(cal->AddWorkingDays(t, n)), Show(oracle.AddDays(t, n)))
        << Show(t) << " + " << n << " working days";
  }
}

// Same calendar, one with its table far away: everything goes the slow way.
TEST(OracleTest, SlowPathMatchesTablePath) {
  absl::StatusOr<WorkingCalendarOptions> options =
      ParseCalendarOptionsJson(NationalDayJson(), "calendar.json");
  ASSERT_TRUE(options.ok()) << options.status();
  WorkingCalendarOptions slow_options = *options;
  slow_options.table_begin = absl::CivilDay(2040, 1, 1);
  slow_options.table_end = absl::CivilDay(2040, 2, 1);
  // And one whose table ends mid-holiday, so deadlines cross its end.
  WorkingCalendarOptions edge_options = *options;
  edge_options.table_begin = absl::CivilDay(2026, 9, 1);
  edge_options.table_end = absl::CivilDay(2026, 10, 5);
  absl::StatusOr<WorkingCalendar> fast = WorkingCalendar::Create(*options);
  absl::StatusOr<WorkingCalendar> slow = WorkingCalendar::Create(slow_options);
  absl::StatusOr<WorkingCalendar> edge = WorkingCalendar::Create(edge_options);
  ASSERT_TRUE(fast.ok() && slow.ok() && edge.ok());
  std::mt19937_64 rng(7);
  for (int k = 0; k < 3000; ++k) {
    absl::Time t = RandomInstant(rng);
    if (k % 2) {  // concentrate half around the edge table
      t = T("2026-08-25 00:00") +
          absl::Seconds(static_cast<int64_t>(rng() % (50 * 86400)));
    }
    const absl::Time u =
        t + absl::Seconds(static_cast<int64_t>(rng() % (20 * 86400)));
    const absl::Duration d =
        absl::Seconds(static_cast<int64_t>(rng() % (60 * 3600)));
    const int n = static_cast<int>(rng() % 20);
    for (const WorkingCalendar* other : {&*slow, &*edge}) {
      ASSERT_EQ(Show(fast->AddWorkingHours(t, d)),
                Show(other->AddWorkingHours(t, d)))
          << Show(t) << " + " << d;
      ASSERT_EQ(Show(fast->AddWorkingDays(t, n)),
                Show(other->AddWorkingDays(t, n)))
          << Show(t) << " + " << n;
      ASSERT_EQ(fast->WorkingTimeBetween(t, u), other->WorkingTimeBetween(t, u))
          << Show(t) << " .. " << Show(u);
      ASSERT_EQ(fast->IsWorkingTime(t), other->IsWorkingTime(t)) << Show(t);
    }
  }
}

// Every half hour (so every opening, closing and lunch boundary) around
// National Day, slow path against table path.
TEST(OracleTest, SlowPathMatchesTablePathAtBoundaries) {
  absl::StatusOr<WorkingCalendarOptions> options =
      ParseCalendarOptionsJson(NationalDayJson(), "calendar.json");
  ASSERT_TRUE(options.ok()) << options.status();
  WorkingCalendarOptions slow_options = *options;
  slow_options.table_begin = absl::CivilDay(2040, 1, 1);
  slow_options.table_end = absl::CivilDay(2040, 2, 1);
  absl::StatusOr<WorkingCalendar> fast = WorkingCalendar::Create(*options);
  absl::StatusOr<WorkingCalendar> slow = WorkingCalendar::Create(slow_options);
  ASSERT_TRUE(fast.ok() && slow.ok());
  const absl::Duration kDurations[] = {absl::ZeroDuration(), absl::Minutes(30),
                                       absl::Hours(1), absl::Minutes(210),
                                       absl::Minutes(450)};
  for (absl::Time t = T("2026-09-18 00:00"); t < T("2026-10-13 00:00");
       t += absl::Minutes(30)) {
    for (absl::Duration d : kDurations) {
      ASSERT_EQ(Show(fast->AddWorkingHours(t, d)),
                Show(slow->AddWorkingHours(t, d)))
          << Show(t) << " + " << d;
      ASSERT_EQ(fast->WorkingTimeBetween(t, t + d),
                slow->WorkingTimeBetween(t, t + d))
          << Show(t) << " + " << d;
    }
    for (int n = 0; n < 3; ++n) {
      ASSERT_EQ(Show(fast->AddWorkingDays(t, n)),
                Show(slow->AddWorkingDays(t, n)))
          << Show(t) << " + " << n;
    }
    ASSERT_EQ(fast->IsWorkingTime(t), slow->IsWorkingTime(t)) << Show(t);
  }
}

TEST(OutOfTableTest, FarFutureAndPastUseTheSlowPath) {
  const WorkingCalendar& cal = DefaultCal();
  // 2150-01-02 is a Friday; 1985-03-01 is a Friday.
  EXPECT_EQ(Show(cal.AddWorkingHours(T("2150-01-02 16:30"), absl::Hours(4))),
            Show(T("2150-01-05 11:30")));
  EXPECT_EQ(Show(cal.AddWorkingHours(T("1985-03-01 16:30"), absl::Hours(4))),
            Show(T("1985-03-04 11:30")));
  EXPECT_EQ(Show(cal.AddWorkingDays(T("2150-01-02 16:30"), 1)),
            Show(T("2150-01-05 16:30")));
  EXPECT_EQ(
      cal.WorkingTimeBetween(T("2099-12-31 16:30"), T("2100-01-01 09:30")),
      absl::Hours(2));
  // Crossing the table's end at 2100-01-01 (a Friday).
  EXPECT_EQ(Show(cal.AddWorkingHours(T("2099-12-31 17:00"), absl::Hours(1))),
            Show(T("2100-01-01 09:00")));
  EXPECT_TRUE(cal.IsWorkingTime(T("2150-01-02 09:00")));
}

TEST(OutOfTableTest, InfiniteInputs) {
  const WorkingCalendar& cal = DefaultCal();
  const absl::Time t = T("2026-03-02 10:00");
  EXPECT_EQ(cal.AddWorkingHours(t, absl::InfiniteDuration()),
            absl::InfiniteFuture());
  EXPECT_EQ(cal.AddWorkingHours(absl::InfiniteFuture(), absl::Hours(1)),
            absl::InfiniteFuture());
  EXPECT_EQ(cal.AddWorkingHours(absl::InfinitePast(), absl::Hours(1)),
            absl::InfinitePast());
  EXPECT_EQ(cal.AddWorkingDays(absl::InfiniteFuture(), 1),
            absl::InfiniteFuture());
  EXPECT_EQ(cal.WorkingTimeBetween(t, absl::InfiniteFuture()),
            absl::InfiniteDuration());
  EXPECT_EQ(cal.WorkingTimeBetween(absl::InfinitePast(), t),
            absl::InfiniteDuration());
  EXPECT_FALSE(cal.IsWorkingTime(absl::InfiniteFuture()));
}

bool FailingLoader(absl::string_view, absl::TimeZone*) { return false; }

TEST(TimeZoneTest, ShanghaiFallsBackToFixedUtc8WithoutTzdata) {
  WorkingCalendarOptions o = WorkingCalendar::DefaultOptions();
  o.load_time_zone = &FailingLoader;
  absl::StatusOr<WorkingCalendar> cal = WorkingCalendar::Create(o);
  ASSERT_TRUE(cal.ok()) << cal.status();
  EXPECT_TRUE(cal->uses_fixed_utc8_fallback());
  EXPECT_EQ(cal->AddWorkingHours(T("2026-03-06 16:30"), absl::Hours(4)),
            T("2026-03-09 11:30"));
  std::mt19937_64 rng(1);
  for (int k = 0; k < 1000; ++k) {
    const absl::Time t = RandomInstant(rng);
    const absl::Duration d =
        absl::Seconds(static_cast<int64_t>(rng() % 200000));
    ASSERT_EQ(cal->AddWorkingHours(t, d), DefaultCal().AddWorkingHours(t, d));
  }
}

TEST(TimeZoneTest, OtherUnloadableZoneIsAnError) {
  WorkingCalendarOptions o = WorkingCalendar::DefaultOptions();
  o.time_zone = "Asia/Urumqi";
  o.load_time_zone = &FailingLoader;
  absl::StatusOr<WorkingCalendar> cal = WorkingCalendar::Create(o);
  EXPECT_EQ(cal.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(cal.status().message(), "time_zone"))
      << cal.status();
}

// Regression: absl::LoadTimeZone opens a zone name as a path under tzdata,
// or as is when it starts with '/', so "time_zone": "/a/fifo" in a pack's
// calendar.json hung the load and "../../x" read files outside tzdata.
// Names that are not IANA names are refused before anything is opened.
int loads = 0;
bool CountingLoader(absl::string_view name, absl::TimeZone* tz) {
  ++loads;
  return absl::LoadTimeZone(name, tz);
}

TEST(TimeZoneTest, NamesThatArePathsAreRefusedBeforeAnythingIsOpened) {
  WorkingCalendarOptions o = WorkingCalendar::DefaultOptions();
  o.table_end = absl::CivilDay(1992, 1, 1);
  o.load_time_zone = &CountingLoader;
  for (const std::string& bad : std::vector<std::string>{"/dev/zero", "/usr/share/zoneinfo/UTC", "../../../../usr/share/zoneinfo/UTC",
        "Asia/../UTC", "Asia//Shanghai", "Asia/Shanghai/", "", "UTC\n", "UTC.bak",
        std::string(65, 'A')}) {
    o.time_zone = bad;
    loads = 0;
    absl::StatusOr<WorkingCalendar> cal = WorkingCalendar::Create(o);
    EXPECT_EQ(cal.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_TRUE(absl::StrContains(cal.status().message(), "time_zone: \""))
        << cal.status();
    EXPECT_TRUE(absl::StrContains(cal.status().message(), "is not a time zone name"))
        << cal.status();
    EXPECT_EQ(loads, 0) << bad;
  }
  for (const char* good : {"UTC", "Etc/GMT+8", "America/Argentina/Buenos_Aires",
                           "America/Port-au-Prince", "Fixed/UTC+08:00:00"}) {
    o.time_zone = good;
    absl::StatusOr<WorkingCalendar> cal = WorkingCalendar::Create(o);
    EXPECT_TRUE(cal.ok()) << good << ": " << cal.status();
  }
  // The same through calendar.json, with the real loader.
  absl::StatusOr<WorkingCalendar> cal = ParseCalendarJson(
      R"({"time_zone":"../../../../usr/share/zoneinfo/UTC","office_hours":{"mon":[["08:30","12:00"]]}})",
      "calendar.json");
  EXPECT_EQ(cal.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(cal.status().message(), "calendar.json: time_zone: "))
      << cal.status();
}

TEST(ParseCalendarJsonTest, ParsesTheExample) {
  absl::StatusOr<WorkingCalendarOptions> o =
      ParseCalendarOptionsJson(NationalDayJson(), "calendar.json");
  ASSERT_TRUE(o.ok()) << o.status();
  const WorkingCalendarOptions def = WorkingCalendar::DefaultOptions();
  EXPECT_EQ(o->time_zone, "Asia/Shanghai");
  EXPECT_EQ(o->office_hours, def.office_hours);
  ASSERT_EQ(o->holidays.size(), 10u);
  EXPECT_EQ(o->holidays[0], absl::CivilDay(2026, 9, 25));
  EXPECT_EQ(o->holidays[3], absl::CivilDay(2026, 10, 1));
  ASSERT_EQ(o->workdays.size(), 2u);
  EXPECT_EQ(o->workdays[0].date, absl::CivilDay(2026, 9, 20));
  EXPECT_EQ(o->workdays[1].date, absl::CivilDay(2026, 10, 10));
  EXPECT_EQ(o->workdays[1].works_as, absl::Weekday::monday);  // default
  EXPECT_EQ(NationalDayCal().OfficeHoursOn(absl::CivilDay(2026, 10, 10)),
            def.office_hours[0]);
  EXPECT_TRUE(
      NationalDayCal().OfficeHoursOn(absl::CivilDay(2026, 10, 1)).empty());
}

TEST(ParseCalendarJsonTest, NameAndSourceAreInformationalStrings) {
  const std::string hours = R"("office_hours": {"mon": [["08:30", "12:00"]]})";
  EXPECT_TRUE(ParseCalendarJson(
                  R"({"name": "CN-2026", "source": "通知", )" + hours + "}", "c.json")
                  .ok());
  absl::StatusOr<WorkingCalendar> bad =
      ParseCalendarJson(R"({"name": 2026, )" + hours + "}", "c.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(std::string(bad.status().message()).find("c.json: name: want a string"),
            std::string::npos)
      << bad.status();
  EXPECT_FALSE(ParseCalendarJson(
                   R"({"name": "a", "name": "b", )" + hours + "}", "c.json")
                   .ok());
}

TEST(ParseCalendarJsonTest, TimeZoneIsOptionalAndSecondsAreAccepted) {
  absl::StatusOr<WorkingCalendar> cal = ParseCalendarJson(
      R"({"office_hours": {"mon": [["08:30:00", "12:00"], ["13:30", "24:00"]]}})",
      "c.json");
  ASSERT_TRUE(cal.ok()) << cal.status();
  EXPECT_EQ(cal->AddWorkingHours(T("2026-03-02 23:00"), absl::Hours(2)),
            T("2026-03-09 09:30"));
}

TEST(ParseCalendarJsonTest, ErrorsNameTheFileAndField) {
  auto week = [](const std::string& mon) {
    return R"({"office_hours": {"mon": )" + mon + "}}";
  };
  const std::string ok_mon = R"([["08:30", "12:00"]])";
  auto with = [&](const std::string& rest) {
    return R"({"office_hours": {"mon": )" + ok_mon + "}, " + rest + "}";
  };
  struct Case {
    std::string json;
    std::vector<std::string> want;  // substrings of the message
  };
  const Case kCases[] = {
      {"{", {"bad JSON"}},
      {"[]", {"want an object"}},
      {week(R"([["08:30", "25:00"]])"), {"office_hours.mon[0][1]", "25:00"}},
      {week(R"([["8:30", "12:00"]])"), {"office_hours.mon[0][0]", "8:30"}},
      {week(R"([["08:60", "12:00"]])"), {"office_hours.mon[0][0]", "08:60"}},
      {week(R"([["08:30", 12]])"), {"office_hours.mon[0][1]", "12"}},
      {week(R"([["08:30"]])"), {"office_hours.mon[0]"}},
      {week(R"(["08:30", "12:00"])"), {"office_hours.mon[0]"}},
      {week(R"([["12:00", "08:30"]])"),
       {"office_hours.mon[0]", "12:00-08:30", "reversed"}},
      {week(R"([["08:30", "08:30"]])"), {"office_hours.mon[0]", "empty"}},
      {week(R"([["08:30", "12:00"], ["11:00", "17:30"]])"),
       {"office_hours.mon[1]", "11:00-17:30", "overlaps"}},
      {week(R"([["13:30", "17:30"], ["08:30", "12:00"]])"),
       {"office_hours.mon[1]", "08:30-12:00", "out of order"}},
      {week(R"([["24:00", "24:00"]])"), {"office_hours.mon[0]"}},
      {R"({"office_hours": {"monday": []}})",
       {"office_hours.monday", "bad weekday name"}},
      {R"({"office_hours": {"mon": [], "mon": []}})",
       {"office_hours.mon", "duplicate"}},
      {R"({"office_hours": {"mon": []}})", {"office_hours", "no weekday"}},
      {R"({"office_hours": []})", {"office_hours", "want an object"}},
      {R"({"holidays": []})", {"office_hours: missing"}},
      {with(R"("holidays": ["2026-02-30"])"), {"holidays[0]", "2026-02-30"}},
      {with(R"("holidays": ["2026-10-01", "2026/10/02"])"),
       {"holidays[1]", "2026/10/02"}},
      {with(R"("holidays": "2026-10-01")"), {"holidays", "want a list"}},
      {with(R"("holidays": ["2026-10-01", "2026-10-01"])"),
       {"holidays[1]", "duplicate", "2026-10-01"}},
      {with(
           R"("holidays": ["2026-10-01"], "workdays": [{"date": "2026-10-01"}])"),
       {"workdays[0].date", "2026-10-01", "also a holiday"}},
      {with(R"("workdays": [{"date": "2026-09-27", "as": "monday"}])"),
       {"workdays[0].as", "monday", "bad weekday name"}},
      {with(R"("workdays": [{"date": "2026-09-27", "as": "sun"}])"),
       {"workdays[0].as", "sun", "no office hours"}},
      {with(R"("workdays": [{"as": "mon"}])"), {"workdays[0].date", "missing"}},
      {with(R"("workdays": [{"date": "2026-09-27", "weekday": "mon"}])"),
       {"workdays[0].weekday", "unknown"}},
      {with(R"("workdays": [{"date": "2026-09-27"}, {"date": "2026-09-27"}])"),
       {"workdays[1].date", "duplicate"}},
      {with(R"("workdays": ["2026-09-27"])"), {"workdays[0]", "want {"}},
      {with(R"("time_zone": "Mars/Olympus_Mons")"),
       {"time_zone", "Mars/Olympus_Mons"}},
      {with(R"("time_zone": 8)"), {"time_zone", "8"}},
      {with(R"("holiday": [])"), {"holiday", "unknown"}},
  };
  for (const Case& c : kCases) {
    absl::StatusOr<WorkingCalendar> cal = ParseCalendarJson(c.json, "cal.json");
    ASSERT_FALSE(cal.ok()) << c.json;
    EXPECT_EQ(cal.status().code(), absl::StatusCode::kInvalidArgument)
        << c.json;
    const std::string message(cal.status().message());
    EXPECT_TRUE(absl::StartsWith(message, "cal.json: ")) << message;
    for (const std::string& w : c.want) {
      EXPECT_TRUE(absl::StrContains(message, w))
          << "want \"" << w << "\" in: " << message;
    }
  }
}

TEST(CreateTest, RejectsBadOptions) {
  WorkingCalendarOptions o = WorkingCalendar::DefaultOptions();
  o.table_end = o.table_begin;
  EXPECT_TRUE(absl::StrContains(WorkingCalendar::Create(o).status().message(),
                                "table_begin"));
  o = WorkingCalendar::DefaultOptions();
  o.office_hours[2].push_back({20 * 3600, 90000});
  EXPECT_TRUE(absl::StrContains(WorkingCalendar::Create(o).status().message(),
                                "office_hours.wed[2]"));
}

// The integer-second forms (the router's path) against the absl::Time forms,
// on random instants (sub-second parts included), on instants at every
// office boundary of a month, and next to the table's ends.
TEST(IntegerFormsTest, MatchTheAbslTimeForms) {
  std::mt19937_64 rng(20261001);
  int fast = 0, total = 0;
  auto check = [&](const WorkingCalendar& cal, absl::Time t, int64_t d, int n) {
    int64_t sec, out_sec;
    uint32_t ticks, out_ticks;
    SplitTime(t, &sec, &ticks);
    ASSERT_EQ(JoinTime(sec, ticks), t);
    ++total;
    if (cal.AddWorkingSeconds(sec, ticks, d, &out_sec, &out_ticks)) {
      ++fast;
      ASSERT_EQ(JoinTime(out_sec, out_ticks), cal.AddWorkingHours(t, absl::Seconds(d)))
          << Show(t) << " + " << d << " s";
    }
    if (cal.AddWorkingDays(sec, ticks, n, &out_sec, &out_ticks)) {
      ASSERT_EQ(JoinTime(out_sec, out_ticks), cal.AddWorkingDays(t, n))
          << Show(t) << " + " << n << " wd";
    }
  };
  for (const WorkingCalendar* cal : {&DefaultCal(), &NationalDayCal()}) {
    for (int k = 0; k < 50000; ++k) {
      check(*cal, RandomInstant(rng), static_cast<int64_t>(rng() % (80 * 3600)),
            static_cast<int>(rng() % 30));
    }
    // Every second around each opening and closing of Sep-Oct 2026, with
    // amounts that end exactly on boundaries (0, 1 s, 3.5 h, 4 h, 7.5 h).
    for (absl::Time day = T("2026-09-18 00:00"); day < T("2026-10-14 00:00"); day += absl::Hours(24)) {
      for (const char* hm : {"08:30", "12:00", "13:30", "17:30"}) {
        const absl::Time edge = day + (T(std::string("2026-01-01 ") + hm) - T("2026-01-01 00:00"));
        for (int off = -2; off <= 2; ++off) {
          for (int64_t d : {0, 1, 12600, 14400, 27000}) {
            check(*cal, edge + absl::Seconds(off), d, off + 2);
            check(*cal, edge + absl::Seconds(off) + absl::Nanoseconds(1), d, off + 2);
          }
        }
      }
    }
  }
  // Outside the table the integer forms decline (the absl forms answer).
  int64_t out_sec;
  uint32_t out_ticks;
  EXPECT_FALSE(DefaultCal().AddWorkingSeconds(absl::ToUnixSeconds(T("1980-01-01 10:00")), 0, 60,
                                              &out_sec, &out_ticks));
  EXPECT_FALSE(DefaultCal().AddWorkingDays(absl::ToUnixSeconds(T("2200-01-01 10:00")), 0, 1,
                                           &out_sec, &out_ticks));
  EXPECT_FALSE(DefaultCal().AddWorkingSeconds(absl::ToUnixSeconds(T("2099-12-31 10:00")), 0,
                                              int64_t{3600} * 24 * 365, &out_sec, &out_ticks));
  // Inside it they answer (nearly) always.
  EXPECT_GT(fast, total * 99 / 100);
}

TEST(IntegerFormsTest, MinuteOfDayMatchesTheZone) {
  std::mt19937_64 rng(1991);
  std::vector<const WorkingCalendar*> cals = {&DefaultCal()};
  // A zone with DST every year (if tzdata is installed): transition days
  // must convert, the rest read the table.
  WorkingCalendarOptions ny = WorkingCalendar::DefaultOptions();
  ny.time_zone = "America/New_York";
  absl::StatusOr<WorkingCalendar> ny_cal = WorkingCalendar::Create(ny);
  if (ny_cal.ok()) cals.push_back(&*ny_cal);
  for (const WorkingCalendar* cal : cals) {
    const int64_t lo = absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(1985, 1, 1), cal->time_zone()));
    const int64_t hi = absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(2105, 1, 1), cal->time_zone()));
    std::uniform_int_distribution<int64_t> sec(lo, hi);
    auto want = [&](int64_t s) {
      const absl::CivilSecond cs = cal->time_zone().At(absl::FromUnixSeconds(s)).cs;
      return cs.hour() * 60 + cs.minute();
    };
    for (int k = 0; k < 200000; ++k) {
      const int64_t s = sec(rng);
      ASSERT_EQ(cal->MinuteOfDay(s), want(s)) << s << " in " << cal->time_zone().name();
    }
    // Every minute edge of the first days of the table and of 1991's and
    // 2026's transition months (China's DST ended with 1991).
    for (absl::CivilDay day : {absl::CivilDay(1991, 1, 1), absl::CivilDay(1991, 4, 13),
                               absl::CivilDay(1991, 9, 14), absl::CivilDay(2026, 3, 7),
                               absl::CivilDay(2026, 10, 31), absl::CivilDay(2099, 12, 31)}) {
      const int64_t s0 = absl::ToUnixSeconds(absl::FromCivil(day, cal->time_zone()));
      for (int64_t s = s0 - 7200; s < s0 + 3 * 86400; s += 30) {
        ASSERT_EQ(cal->MinuteOfDay(s), want(s)) << s << " in " << cal->time_zone().name();
        ASSERT_EQ(cal->MinuteOfDay(s - 1), want(s - 1)) << s - 1;
      }
    }
  }
}

}  // namespace
}  // namespace gridroute

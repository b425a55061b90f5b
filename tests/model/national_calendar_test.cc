// Copyright 2026 gridroute authors.
//
// The national calendars shipped in tools/calendars/ against the State
// Council's notice, date by date, and deadlines across its 调休 weekends
// against answers worked out by hand.
#include <set>
#include <string>
#include <string_view>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "calendars/national_calendars.h"
#include "gtest/gtest.h"
#include "model/calendar.h"

namespace gridroute {
namespace {

absl::TimeZone Shanghai() {
  absl::TimeZone tz;
  if (!absl::LoadTimeZone("Asia/Shanghai", &tz)) tz = absl::FixedTimeZone(8 * 3600);
  return tz;
}

absl::Time T(int m, int d, int hh, int mm) {
  return absl::FromCivil(absl::CivilMinute(2026, m, d, hh, mm), Shanghai());
}

std::string Show(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M %a", t, Shanghai());
}

const WorkingCalendar& Cn2026() {
  static const WorkingCalendar* cal = [] {
    const std::optional<std::string_view> json = NationalCalendarJson("CN-2026");
    EXPECT_TRUE(json.has_value());
    absl::StatusOr<WorkingCalendar> c =
        ParseCalendarJson(absl::string_view(json->data(), json->size()), "CN-2026.json");
    EXPECT_TRUE(c.ok()) << c.status();
    return new WorkingCalendar(*std::move(c));
  }();
  return *cal;
}

// 10:00 is office time on every working day of CN-2026.
bool Works(absl::CivilDay day) {
  return Cn2026().IsWorkingTime(
      absl::FromCivil(absl::CivilMinute(day.year(), day.month(), day.day(), 10, 0),
                      Shanghai()));
}

TEST(NationalCalendarTest, ShippedNames) {
  ASSERT_EQ(NationalCalendarNames().size(), 1u);
  EXPECT_EQ(NationalCalendarNames()[0], "CN-2026");
  EXPECT_FALSE(NationalCalendarJson("CN-2025").has_value());
  EXPECT_FALSE(NationalCalendarJson("").has_value());
}

// 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04), every day of 2026:
// the listed holidays are off, the listed make-up days work, and every other
// day works exactly when it is Monday to Friday.
TEST(NationalCalendarTest, EveryDayOf2026MatchesTheNotice) {
  using D = absl::CivilDay;
  const std::set<D> off = {
      D(2026, 1, 1),  D(2026, 1, 2),  D(2026, 1, 3),                    // 元旦
      D(2026, 2, 15), D(2026, 2, 16), D(2026, 2, 17), D(2026, 2, 18),   // 春节
      D(2026, 2, 19), D(2026, 2, 20), D(2026, 2, 21), D(2026, 2, 22),
      D(2026, 2, 23),
      D(2026, 4, 4),  D(2026, 4, 5),  D(2026, 4, 6),                    // 清明
      D(2026, 5, 1),  D(2026, 5, 2),  D(2026, 5, 3),  D(2026, 5, 4),    // 劳动节
      D(2026, 5, 5),
      D(2026, 6, 19), D(2026, 6, 20), D(2026, 6, 21),                   // 端午
      D(2026, 9, 25), D(2026, 9, 26), D(2026, 9, 27),                   // 中秋
      D(2026, 10, 1), D(2026, 10, 2), D(2026, 10, 3), D(2026, 10, 4),   // 国庆
      D(2026, 10, 5), D(2026, 10, 6), D(2026, 10, 7)};
  const std::set<D> makeup = {D(2026, 1, 4),  D(2026, 2, 14), D(2026, 2, 28),
                              D(2026, 5, 9),  D(2026, 9, 20), D(2026, 10, 10)};
  for (const D day : makeup) {
    const absl::Weekday w = absl::GetWeekday(day);
    EXPECT_TRUE(w == absl::Weekday::saturday || w == absl::Weekday::sunday) << day;
  }
  int working_days = 0;
  for (D day(2026, 1, 1); day < D(2027, 1, 1); ++day) {
    const absl::Weekday w = absl::GetWeekday(day);
    const bool weekday = w != absl::Weekday::saturday && w != absl::Weekday::sunday;
    const bool want = makeup.count(day) ? true : off.count(day) ? false : weekday;
    EXPECT_EQ(Works(day), want) << day;
    working_days += want;
  }
  // 261 weekdays - 19 weekday holidays + 6 make-up days (a check on the sets).
  EXPECT_EQ(working_days, 248);
  // The two dates a generated calendar got wrong before.
  EXPECT_FALSE(Works(D(2026, 9, 27)));  // 中秋, a Sunday off
  EXPECT_TRUE(Works(D(2026, 9, 20)));   // Sunday, make-up day for 国庆
}

struct HoursCase {
  const char* what;
  absl::Time start;
  absl::Duration d;
  absl::Time want;
};

// Office hours 08:30-12:00 and 13:30-17:30 (7.5 h a day); worked out by hand.
TEST(NationalCalendarTest, WorkingHoursAcrossHolidaysAndMakeUpDays) {
  const HoursCase kCases[] = {
      {"Thu before 中秋 to the Monday after", T(9, 24, 17, 0), absl::Hours(1),
       T(9, 28, 9, 0)},
      {"Sat before the make-up Sunday", T(9, 19, 10, 0), absl::Hours(1),
       T(9, 20, 9, 30)},
      {"Fri evening rolls onto make-up Sunday", T(9, 18, 17, 0), absl::Hours(1),
       T(9, 20, 9, 0)},
      {"Wed before 国庆 to Thu after", T(9, 30, 16, 0), absl::Hours(3),
       T(10, 8, 10, 0)},
      {"Fri before the make-up Saturday", T(10, 9, 17, 0), absl::Hours(1),
       T(10, 10, 9, 0)},
      {"春节: Fri Feb 13 to the make-up Saturday", T(2, 13, 17, 0), absl::Hours(2),
       T(2, 14, 10, 0)},
      {"春节: make-up Saturday, then nine days off", T(2, 14, 16, 0),
       absl::Hours(4), T(2, 24, 11, 0)},
      {"元旦: from the holiday to the make-up Sunday",
       T(1, 1, 9, 0), absl::Hours(1), T(1, 4, 9, 30)},
  };
  for (const HoursCase& c : kCases) {
    EXPECT_EQ(Show(Cn2026().AddWorkingHours(c.start, c.d)), Show(c.want)) << c.what;
  }
}

TEST(NationalCalendarTest, WorkingDaysAcrossHolidaysAndMakeUpDays) {
  // Same office position n working days later.
  EXPECT_EQ(Show(Cn2026().AddWorkingDays(T(9, 24, 10, 0), 1)), Show(T(9, 28, 10, 0)));
  EXPECT_EQ(Show(Cn2026().AddWorkingDays(T(9, 18, 10, 0), 1)), Show(T(9, 20, 10, 0)));
  EXPECT_EQ(Show(Cn2026().AddWorkingDays(T(9, 30, 10, 0), 3)), Show(T(10, 10, 10, 0)));
  // Five working days from Tue Sep 22: Wed 23, Thu 24, Mon 28, Tue 29, Wed 30.
  EXPECT_EQ(Show(Cn2026().AddWorkingDays(T(9, 22, 15, 0), 5)), Show(T(9, 30, 15, 0)));
  // Working time over both holidays: Sep 28, 29, 30, Oct 8, 9, 10.
  EXPECT_EQ(Cn2026().WorkingTimeBetween(T(9, 25, 0, 0), T(10, 11, 0, 0)),
            absl::Minutes(450) * 6);
}

}  // namespace
}  // namespace gridroute

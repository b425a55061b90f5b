// Copyright 2026 gridroute authors.
//
// calendar.json (model/calendar.h). Input: the file. A calendar that parses
// is rebuilt with a short table (2025..2028, so each input costs
// microseconds, not the default table's ~15 ms) and queried inside and
// outside the table.
// Invariant checked (CALENDAR.md "Always"): WorkingTimeBetween(start,
// AddWorkingHours(start, d)) == d, unless the answer saturated to
// InfiniteFuture.
#include <cstddef>
#include <cstdint>

#include "absl/time/time.h"
#include "fuzz_util.h"
#include "model/calendar.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gridroute;
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<WorkingCalendarOptions> o = ParseCalendarOptionsJson(text, "calendar.json");
  fuzz::CheckNotInternal(o.status(), "ParseCalendarOptionsJson");
  if (!o.ok()) return 0;
  o->table_begin = absl::CivilDay(2025, 1, 1);
  o->table_end = absl::CivilDay(2028, 1, 1);
  absl::StatusOr<WorkingCalendar> cal = WorkingCalendar::Create(*o);
  fuzz::CheckNotInternal(cal.status(), "WorkingCalendar::Create");
  if (!cal.ok()) return 0;
  const absl::Time starts[] = {
      absl::FromUnixSeconds(1772589600),            // 2026-03-04 10:00 +08, in the table
      absl::FromUnixSeconds(1772589600) + absl::Nanoseconds(1),
      absl::FromUnixSeconds(1830286800),            // 2027-12-31 23:00 +08, near its end
      absl::FromUnixSeconds(946684800),             // 2000-01-01, before it
      absl::FromUnixSeconds(4102444800),            // 2100-01-01, after it
  };
  const absl::Duration ds[] = {absl::ZeroDuration(), absl::Seconds(1), absl::Hours(2),
                               absl::Hours(40), absl::Hours(24 * 400)};
  for (absl::Time start : starts) {
    (void)cal->IsWorkingTime(start);
    for (absl::Duration d : ds) {
      const absl::Time due = cal->AddWorkingHours(start, d);
      if (due != absl::InfiniteFuture()) {
        fuzz::Check(cal->WorkingTimeBetween(start, due) == d,
                    "WorkingTimeBetween(start, AddWorkingHours(start, d)) == d");
      }
    }
    for (int n : {0, 1, 15, 300}) (void)cal->AddWorkingDays(start, n);
  }
  return 0;
}

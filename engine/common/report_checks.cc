// Copyright 2026 gridroute authors.
#include "common/report_checks.h"

#include "absl/strings/str_cat.h"

namespace gridroute {
namespace {
constexpr char kUtc[] = "%Y-%m-%dT%H:%M:%SZ";  // with the UTC zone
}  // namespace

ReportTimeWindow ReportTimeWindowAt(absl::Time now, absl::Duration max_future) {
  return ReportTimeWindow{kEarliestReportTime, now + max_future, max_future};
}

absl::Status CheckReportTime(absl::Time t, absl::string_view field,
                             const ReportTimeWindow& w,
                             absl::string_view clock_name) {
  if (t >= w.earliest && t <= w.latest) return absl::OkStatus();
  const absl::TimeZone utc = absl::UTCTimeZone();
  if (t < w.earliest) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", absl::FormatTime(kUtc, t, utc), " is before ",
                     absl::FormatTime(kUtc, w.earliest, utc),
                     ", the earliest time accepted"));
  }
  return absl::InvalidArgumentError(absl::StrCat(
      field, ": ", absl::FormatTime(kUtc, t, utc), " is more than ",
      absl::FormatDuration(w.max_future), " ahead of ", clock_name, " clock (",
      absl::FormatTime(kUtc, w.latest - w.max_future, utc),
      "); check the sender's clock and time zone"));
}

absl::Status CheckReportId(absl::string_view id, absl::string_view field) {
  if (id.size() <= kMaxReportIdBytes) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": ", id.size(), " bytes; at most ",
                   kMaxReportIdBytes, " (an idempotency key)"));
}

}  // namespace gridroute

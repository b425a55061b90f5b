// Copyright 2026 gridroute authors.
//
// The checks every entry point applies to a report before routing or filing
// it: its time against the clock (a sender with a wrong clock or time zone
// is refused instead of filing cases in 2199 or -99999), and the length of
// its idempotency key.
//
//   const ReportTimeWindow w =
//       ReportTimeWindowAt(absl::Now(), absl::Minutes(15));
//   for (...) {
//     RETURN_IF_ERROR(CheckReportTime(e.reported_at, "reported_at", w));
//   }
//
// Cost: two compares per report when the time is inside (no allocation);
// read the clock once per call or batch, not per report.
#ifndef GRIDROUTE_COMMON_REPORT_CHECKS_H_
#define GRIDROUTE_COMMON_REPORT_CHECKS_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace gridroute {

// 2000-01-01T00:00:00Z: no earlier report or frame time is accepted.
inline const absl::Time kEarliestReportTime = absl::FromUnixSeconds(946684800);

// The report times accepted at one moment: [kEarliestReportTime, clock +
// max_future].
struct ReportTimeWindow {
  absl::Time earliest;
  absl::Time latest;  // the clock + max_future
  absl::Duration max_future;
};
ReportTimeWindow ReportTimeWindowAt(absl::Time now, absl::Duration max_future);

// InvalidArgument naming `field` for a time outside `w`, e.g.
// "reported_at: 2199-12-31T16:00:00Z is more than 15m ahead of the server's
// clock (2026-12-07T01:50:36Z); check the sender's clock and time zone".
// `clock_name`: whose clock ("the server's", "this machine's").
absl::Status CheckReportTime(absl::Time t, absl::string_view field,
                             const ReportTimeWindow& w,
                             absl::string_view clock_name = "the server's");

// Idempotency keys (RouteRequest.report_id, Detection.correlation_id) are at
// most kMaxReportIdBytes; InvalidArgument naming `field` otherwise.
inline constexpr size_t kMaxReportIdBytes = 128;
absl::Status CheckReportId(absl::string_view id, absl::string_view field);

}  // namespace gridroute

#endif  // GRIDROUTE_COMMON_REPORT_CHECKS_H_

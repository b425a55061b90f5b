// Copyright 2026 gridroute authors.
//
// A case desk report for the intake tests: event 0102 in grid g1 of the
// routing pack (testing::WriteRoutingPack), region 320501, lead D2, seen by
// camera cam-1 at (lon, lat) at `at`.
//
//   std::vector<ReportSlot> slots(1);
//   testing::EventReportSlot(120.0, 31.0, absl::FromUnixSeconds(t), &slots[0]);
//   RETURN_IF_ERROR(desk->Intake(slots, &out));
#ifndef GRIDROUTE_TESTS_TESTING_REPORT_SLOT_H_
#define GRIDROUTE_TESTS_TESTING_REPORT_SLOT_H_

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "intake/case_desk.h"

namespace gridroute::testing {

inline void EventReportSlot(double lon, double lat, absl::Time at, ReportSlot* slot) {
  static constexpr absl::string_view kChain[] = {"320501"};
  Report& r = slot->report;
  r = Report{};
  r.category_type = CategoryType::kEvent;
  r.category = "0102";
  r.grid = "g1";
  r.chain = kChain;
  r.lead = "D2";
  r.has_point = true;
  r.lon = lon;
  r.lat = lat;
  r.reported_at = at;
  r.source = ReportSource::kVideo;
  r.source_id = "cam-1";
}

}  // namespace gridroute::testing

#endif  // GRIDROUTE_TESTS_TESTING_REPORT_SLOT_H_

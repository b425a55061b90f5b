// Copyright 2026 gridroute authors.
//
// Shared helpers of tests/cases: an owning report builder, Shanghai times,
// and a small random workload.
#ifndef GRIDROUTE_TESTS_CASES_CASES_TEST_UTIL_H_
#define GRIDROUTE_TESTS_CASES_CASES_TEST_UTIL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "cases/case_engine.h"
#include "gtest/gtest.h"

namespace gridroute::testing_cases {

inline absl::TimeZone Shanghai() {
  absl::TimeZone tz;
  if (!absl::LoadTimeZone("Asia/Shanghai", &tz))
    tz = absl::FixedTimeZone(8 * 3600);
  return tz;
}

// "2026-11-27 16:30" (or with seconds) in Shanghai.
inline absl::Time T(std::string text) {
  for (char& c : text) c = c == ' ' ? 'T' : c;
  absl::CivilSecond cs;
  if (!absl::ParseCivilTime(text, &cs)) {
    absl::CivilMinute cm;
    EXPECT_TRUE(absl::ParseCivilTime(text, &cm)) << text;
    cs = absl::CivilSecond(cm);
  }
  return absl::FromCivil(cs, Shanghai());
}

// A report with owning storage; Get() returns views into it.
struct ReportSpec {
  CategoryType type = CategoryType::kEvent;
  std::string category = "0102";
  std::string component;
  std::string grid = "110101001001001";
  std::vector<std::string> chain = {"110101", "110101001", "110101001001"};
  std::string district;
  std::string lead = "D1";
  std::vector<std::string> helpers;
  bool has_point = true;
  double lon = 0, lat = 0;
  absl::Time at = absl::InfinitePast();
  absl::Time due = absl::InfiniteFuture();
  ReportSource source = ReportSource::kVideo;
  std::string source_id = "cam-1";
  std::string key;  // idempotency key; empty: none
  absl::Time received_at = absl::InfinitePast();

  const Report& Get() {
    chain_v.assign(chain.begin(), chain.end());
    helpers_v.assign(helpers.begin(), helpers.end());
    r.category_type = type;
    r.category = category;
    r.component = component;
    r.grid = grid;
    r.chain = chain_v;
    r.district = district;
    r.lead = lead;
    r.helpers = helpers_v;
    r.has_point = has_point;
    r.lon = lon;
    r.lat = lat;
    r.reported_at = at;
    r.due = due;
    r.source = source;
    r.source_id = source_id;
    r.key = key;
    r.received_at = received_at;
    return r;
  }

 private:
  std::vector<absl::string_view> chain_v, helpers_v;
  Report r;
};

inline std::unique_ptr<CaseEngine> NewEngine(
    FoldRules rules = FoldRules(), LocalPlane plane = LocalPlane::Projected()) {
  CaseEngineOptions o;
  o.fold_rules = std::move(rules);
  o.plane = plane;
  o.time_zone = Shanghai();
  absl::StatusOr<std::unique_ptr<CaseEngine>> e =
      CaseEngine::Create(std::move(o));
  EXPECT_TRUE(e.ok()) << e.status();
  return std::move(e).value();
}

// Decide + Apply; the record is returned.
inline CaseRecord Intake(CaseEngine& e, ReportSpec& spec) {
  CaseRecord rec;
  absl::Status s = e.Decide(spec.Get(), &rec);
  EXPECT_TRUE(s.ok()) << s;
  if (!s.ok()) return rec;
  s = e.Apply(rec);
  EXPECT_TRUE(s.ok()) << s;
  return rec;
}

inline absl::Status Move(CaseEngine& e, absl::string_view id, CaseState to,
                         absl::Time at, absl::string_view actor = "op",
                         CaseRecord* out = nullptr,
                         absl::string_view lead = "") {
  Transition t;
  t.case_id = id;
  t.to = to;
  t.actor = actor;
  t.at = at;
  t.lead = lead;
  CaseRecord rec;
  absl::Status s = e.DecideTransition(t, &rec);
  if (!s.ok()) return s;
  s = e.Apply(rec);
  if (s.ok() && out != nullptr) *out = rec;
  return s;
}

// reported -> ... -> closed, each step at `at`.
inline void CloseCase(CaseEngine& e, absl::string_view id, absl::Time at) {
  for (CaseState s :
       {CaseState::kDispatched, CaseState::kAccepted, CaseState::kHandled,
        CaseState::kVerified, CaseState::kClosed}) {
    absl::Status st = Move(e, id, s, at);
    ASSERT_TRUE(st.ok()) << st;
  }
}

}  // namespace gridroute::testing_cases

#endif  // GRIDROUTE_TESTS_CASES_CASES_TEST_UTIL_H_

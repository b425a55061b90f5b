// Copyright 2026 gridroute authors.
//
// Case ids, the lifecycle table, Get/List/Stats and overdue on the working
// calendar, with figures computed by hand.
#include "cases/case_engine.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cases/case_id.h"
#include "cases_test_util.h"
#include "common/field_error.h"
#include "gtest/gtest.h"
#include "model/calendar.h"

namespace gridroute {
namespace {

using testing_cases::CloseCase;
using testing_cases::Intake;
using testing_cases::Move;
using testing_cases::NewEngine;
using testing_cases::ReportSpec;
using testing_cases::T;

// ------------------------------------------------------------------- ids

TEST(CaseIdTest, FormatAndParse) {
  std::string id;
  AppendCaseId("110101", 20261129, 42, &id);
  EXPECT_EQ(id, "110101-20261129-000042");
  CaseIdParts p;
  ASSERT_TRUE(ParseCaseId(id, &p));
  EXPECT_EQ(p.district, "110101");
  EXPECT_EQ(p.ymd, 20261129);
  EXPECT_EQ(p.seq, 42u);
  id.clear();
  AppendCaseId("X_1", 20261129, 1234567, &id);
  EXPECT_EQ(id, "X_1-20261129-1234567");
  ASSERT_TRUE(ParseCaseId(id, &p));
  EXPECT_EQ(p.seq, 1234567u);
  for (const char* bad :
       {"", "110101", "110101-20261129", "110101-20261129-42",
        "110101-20261129-0000042", "110101-20261129-000000", "-20261129-000001",
        "110101-2026112-000001", "110101-20261329-000001",
        "11-01-20261129-000001", "110101-20261129-00004x"}) {
    EXPECT_FALSE(ParseCaseId(bad, &p)) << bad;
  }
}

TEST(CaseIdTest, DistrictDateAndDailySequence) {
  std::unique_ptr<CaseEngine> e = NewEngine();
  ReportSpec r;
  r.at = T("2026-11-29 23:59:59");
  EXPECT_EQ(Intake(*e, r).case_id, "110101-20261129-000001");
  r.lon = 1000;
  EXPECT_EQ(Intake(*e, r).case_id, "110101-20261129-000002");
  // Another district has its own counter; the district may be given.
  r.lon = 2000;
  r.chain = {"110102", "110102001", "110102001001"};
  EXPECT_EQ(Intake(*e, r).case_id, "110102-20261129-000001");
  r.lon = 3000;
  r.district = "320508";
  EXPECT_EQ(Intake(*e, r).case_id, "320508-20261129-000001");
  // Midnight in Shanghai (16:00 UTC) starts a new day and a new sequence.
  r.district.clear();
  r.chain = {"110101"};
  r.lon = 4000;
  r.at = T("2026-11-30 00:00:00");
  EXPECT_EQ(Intake(*e, r).case_id, "110101-20261130-000001");
  // A late report of the previous day continues that day's sequence.
  r.lon = 5000;
  r.at = T("2026-11-29 12:00");
  EXPECT_EQ(Intake(*e, r).case_id, "110101-20261129-000003");
  // Folds take no number.
  r.lon = 4001;
  r.at = T("2026-11-30 00:00:30");
  EXPECT_EQ(Intake(*e, r).kind, RecordKind::kFold);
  r.at = T("2026-11-29 12:00");
  r.lon = 6000;
  EXPECT_EQ(Intake(*e, r).case_id, "110101-20261129-000004");
}

// A report older than its window before the watermark files a case that
// can never be folded into: it is not put into the fold index at all (and
// an Undo / Rollback of it, or a CommitPrefix around it, keeps the index
// consistent).
TEST(CaseEngineTest, LateReportIsFiledButNotIndexed) {
  std::unique_ptr<CaseEngine> e = NewEngine();
  ReportSpec r;
  r.at = T("2026-11-29 12:00");
  Intake(*e, r);
  // A second report confirms 12:00 as the watermark (one report alone
  // never moves it: cases/watermark.h).
  r.lon = 5000;
  Intake(*e, r);
  e->Commit();
  EXPECT_EQ(e->watermark(), T("2026-11-29 12:00"));
  EXPECT_EQ(e->fold_index_size(), 2u);
  r.lon = 1000;
  r.at = T("2026-11-29 10:00");  // 2 h before the watermark, window 60 min
  const CaseRecord late = Intake(*e, r);
  EXPECT_EQ(late.kind, RecordKind::kNewCase);
  EXPECT_EQ(e->fold_index_size(), 2u);
  EXPECT_TRUE(e->CheckInvariants().ok()) << e->CheckInvariants();
  // Another late report at the same place files another case.
  EXPECT_EQ(Intake(*e, r).kind, RecordKind::kNewCase);
  e->CommitPrefix(1);  // the first late case permanent, the second undoable
  EXPECT_EQ(e->uncommitted(), 1u);
  e->Rollback();
  EXPECT_EQ(e->store().size(), 3u);
  EXPECT_TRUE(e->CheckInvariants().ok()) << e->CheckInvariants();
  // A report within the window still folds into the first case.
  r.lon = 0;
  r.at = T("2026-11-29 11:30");
  EXPECT_EQ(Intake(*e, r).kind, RecordKind::kFold);
  e->Commit();
  EXPECT_TRUE(e->CheckInvariants().ok()) << e->CheckInvariants();
}

TEST(CaseIdTest, SameInputsSameIds) {
  auto run = [] {
    std::unique_ptr<CaseEngine> e = NewEngine();
    std::vector<std::string> ids;
    ReportSpec r;
    for (int i = 0; i < 200; ++i) {
      r.lon = (i * 7919) % 600;
      r.lat = (i * 104729) % 600;
      r.category = i % 3 == 0 ? "0102" : "0501";
      r.chain = {i % 2 == 0 ? "110101" : "110102"};
      r.at = T("2026-11-29 20:00") + absl::Minutes(i);
      ids.push_back(Intake(*e, r).case_id);
    }
    return ids;
  };
  const std::vector<std::string> a = run(), b = run();
  EXPECT_EQ(a, b);
  EXPECT_GT(std::set<std::string>(a.begin(), a.end()).size(), 50u);
}

// ------------------------------------------------------------- lifecycle

class LifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    e_ = NewEngine();
    ReportSpec r;
    r.at = T("2026-11-27 09:00");
    r.helpers = {"D7"};
    r.source = ReportSource::kHotline;
    r.source_id = "12345-0001";
    id_ = Intake(*e_, r).case_id;
    e_->Commit();
  }
  CaseState State() {
    CaseView v;
    EXPECT_TRUE(e_->store().Get(id_, &v).ok());
    return v.state;
  }
  std::unique_ptr<CaseEngine> e_;
  std::string id_;
};

// The service names the request field that became source_id (a
// detection's camera_id) from the error's field payload, not its text.
TEST(CaseEngineTest, AnOverlongSourceIdIsAFieldErrorNamingSourceId) {
  std::unique_ptr<CaseEngine> e = NewEngine();
  ReportSpec r;
  r.at = T("2026-11-27 09:00");
  r.source_id = std::string(300, 'c');
  CaseRecord rec;
  const absl::Status s = e->Decide(r.Get(), &rec);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(s), "source_id");
  EXPECT_EQ(s.message(), "source_id: 300 bytes (at most 256)");
}

TEST_F(LifecycleTest, TheWholeLoop) {
  absl::Time t = T("2026-11-27 09:05");
  for (CaseState s :
       {CaseState::kDispatched, CaseState::kAccepted, CaseState::kHandled,
        CaseState::kVerified, CaseState::kClosed, CaseState::kReopened,
        CaseState::kDispatched, CaseState::kAccepted, CaseState::kHandled,
        CaseState::kDispatched /* verification failed */, CaseState::kAccepted,
        CaseState::kHandled, CaseState::kVerified, CaseState::kReopened,
        CaseState::kDispatched, CaseState::kReported /* returned */,
        CaseState::kDispatched}) {
    t += absl::Minutes(5);
    const absl::Status st = Move(*e_, id_, s, t, "alice");
    ASSERT_TRUE(st.ok()) << CaseStateName(s) << ": " << st;
    EXPECT_EQ(State(), s);
    // The per-state counts follow the one case (metrics read them).
    for (int k = 0; k < kNumCaseStates; ++k) {
      EXPECT_EQ(e_->store().in_state(static_cast<CaseState>(k)), k == static_cast<int>(s) ? 1u : 0u)
          << CaseStateName(static_cast<CaseState>(k)) << " after moving to " << CaseStateName(s);
    }
  }
  CaseView v;
  ASSERT_TRUE(e_->store().Get(id_, &v).ok());
  EXPECT_EQ(v.history.size(), 17u);
  EXPECT_EQ(v.history[4].state, CaseState::kClosed);
  EXPECT_EQ(v.history[4].actor, "alice");
  EXPECT_EQ(v.history[4].at, T("2026-11-27 09:30"));
  EXPECT_EQ(v.closed_at, absl::InfiniteFuture());  // reopened since
  EXPECT_EQ(v.source, ReportSource::kHotline);
  EXPECT_EQ(v.source_id, "12345-0001");
  EXPECT_EQ(v.helpers, std::vector<std::string>{"D7"});
  EXPECT_EQ(e_->store().open(), 1u);
}

TEST_F(LifecycleTest, IllegalTransitionsNameBothStates) {
  const absl::Time t = T("2026-11-27 10:00");
  absl::Status s = Move(*e_, id_, CaseState::kClosed, t);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(s.message(), "from 'reported' to 'closed'"))
      << s;
  EXPECT_TRUE(absl::StrContains(s.message(), id_)) << s;
  // Every pair not in the table is refused, every pair in it accepted.
  int legal = 0;
  for (int from = 0; from < kNumCaseStates; ++from) {
    for (int to = 0; to < kNumCaseStates; ++to) {
      legal += IsLegalTransition(static_cast<CaseState>(from),
                                 static_cast<CaseState>(to));
    }
  }
  EXPECT_EQ(legal, 10);
  CloseCase(*e_, id_, t);
  s = Move(*e_, id_, CaseState::kHandled, t);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(s.message(), "from 'closed' to 'handled'"))
      << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "(from closed: reopened)")) << s;
  EXPECT_EQ(State(), CaseState::kClosed);
}

TEST_F(LifecycleTest, UnknownAndMalformedIds) {
  const absl::Time t = T("2026-11-27 10:00");
  absl::Status s =
      Move(*e_, "110101-20261127-000999", CaseState::kDispatched, t);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(s.message(), "110101-20261127-000999"));
  EXPECT_EQ(
      Move(*e_, "999999-20261127-000001", CaseState::kDispatched, t).code(),
      absl::StatusCode::kNotFound);
  CaseView v;
  EXPECT_EQ(e_->store().Get("110101-20261127-000002", &v).code(),
            absl::StatusCode::kNotFound);
  s = e_->store().Get("not-an-id", &v);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(s.message(), "case_id")) << s;
}

TEST_F(LifecycleTest, BadUpdatesNameTheField) {
  auto code_and_field = [&](Transition t, absl::StatusCode code,
                            absl::string_view field) {
    CaseRecord rec;
    const absl::Status s = e_->DecideTransition(t, &rec);
    EXPECT_EQ(s.code(), code) << s;
    EXPECT_TRUE(absl::StartsWith(s.message(), field)) << s;
  };
  Transition t;
  t.case_id = id_;
  t.to = CaseState::kDispatched;
  t.actor = "op";
  t.at = T("2026-11-27 10:00");
  Transition bad = t;
  bad.actor = "";
  code_and_field(bad, absl::StatusCode::kInvalidArgument, "actor");
  bad = t;
  bad.at = absl::InfinitePast();
  code_and_field(bad, absl::StatusCode::kInvalidArgument, "at");
  bad = t;
  bad.at = T("2026-11-27 08:00");  // before the filing
  code_and_field(bad, absl::StatusCode::kInvalidArgument, "at");
  bad = t;
  bad.to = CaseState::kReported;
  bad.lead = "D2";
  code_and_field(bad, absl::StatusCode::kInvalidArgument, "lead");
  EXPECT_EQ(State(), CaseState::kReported);
}

TEST_F(LifecycleTest, ReturnAndRedispatchChangesTheLead) {
  ASSERT_TRUE(
      Move(*e_, id_, CaseState::kDispatched, T("2026-11-27 09:10")).ok());
  ASSERT_TRUE(
      Move(*e_, id_, CaseState::kReported, T("2026-11-27 09:20"), "D1-clerk")
          .ok());
  ASSERT_TRUE(Move(*e_, id_, CaseState::kDispatched, T("2026-11-27 09:30"),
                   "centre", nullptr, "D2")
                  .ok());
  CaseView v;
  ASSERT_TRUE(e_->store().Get(id_, &v).ok());
  EXPECT_EQ(v.lead, "D2");
  ASSERT_EQ(v.history.size(), 3u);
  EXPECT_EQ(v.history[1].actor, "D1-clerk");
  EXPECT_EQ(v.history[2].lead, "D2");
  EXPECT_EQ(v.history[0].lead, "");
}

// ------------------------------------------------------------------ List

TEST(ListTest, PagesCoverEveryCaseOnceInFilingOrder) {
  std::unique_ptr<CaseEngine> e = NewEngine();
  ReportSpec r;
  std::vector<std::string> all, d2;
  for (int i = 0; i < 250; ++i) {
    r.lon = i * 100;
    r.lead = i % 3 == 0 ? "D2" : "D1";
    r.grid = absl::StrCat("g", i % 5);
    r.at = T("2026-11-27 09:00") + absl::Seconds(i);
    all.push_back(Intake(*e, r).case_id);
    if (i % 3 == 0) d2.push_back(all.back());
  }
  e->Commit();
  for (int size : {1, 7, 100, 250, 1000}) {
    ListQuery q;
    q.page_size = size;
    std::vector<std::string> seen;
    int pages = 0;
    do {
      ListResult page;
      ASSERT_TRUE(e->store().List(q, &page).ok());
      EXPECT_LE(page.cases.size(), static_cast<size_t>(size));
      for (const CaseView& v : page.cases) seen.push_back(v.id);
      q.page_token = page.next_page_token;
      ++pages;
      // Cases filed between pages show up at the end, once.
      if (pages == 2 && size == 7) {
        r.lon = 1e6;
        r.lead = "D2";
        all.push_back(Intake(*e, r).case_id);
        d2.push_back(all.back());
      }
    } while (!q.page_token.empty());
    EXPECT_EQ(seen, all) << "page size " << size;
  }
  ListQuery q;
  q.department = "D2";
  q.page_size = 10;
  std::vector<std::string> seen;
  do {
    ListResult page;
    ASSERT_TRUE(e->store().List(q, &page).ok());
    for (const CaseView& v : page.cases) {
      EXPECT_EQ(v.lead, "D2");
      seen.push_back(v.id);
    }
    q.page_token = page.next_page_token;
  } while (!q.page_token.empty());
  EXPECT_EQ(seen, d2);
}

TEST(ListTest, FiltersAndBadTokens) {
  std::unique_ptr<CaseEngine> e = NewEngine();
  ReportSpec r;
  r.at = T("2026-11-27 09:00");
  const std::string a = Intake(*e, r).case_id;
  r.lon = 1000;
  r.grid = "g2";
  r.chain = {"110101", "110101002", "110101002001"};
  const std::string b = Intake(*e, r).case_id;
  CloseCase(*e, b, T("2026-11-27 10:00"));
  auto ids = [&](ListQuery q) {
    ListResult page;
    EXPECT_TRUE(e->store().List(q, &page).ok());
    std::vector<std::string> out;
    for (const CaseView& v : page.cases) out.push_back(v.id);
    return out;
  };
  ListQuery q;
  q.grid = "g2";
  EXPECT_EQ(ids(q), std::vector<std::string>{b});
  q = ListQuery();
  q.region = "110101002";
  EXPECT_EQ(ids(q), std::vector<std::string>{b});
  q.region = "110101";
  EXPECT_EQ(ids(q), (std::vector<std::string>{a, b}));
  q = ListQuery();
  q.state = CaseState::kClosed;
  EXPECT_EQ(ids(q), std::vector<std::string>{b});
  q.state = CaseState::kReported;
  EXPECT_EQ(ids(q), std::vector<std::string>{a});
  q = ListQuery();
  q.department = "nobody";
  EXPECT_TRUE(ids(q).empty());
  ListResult page;
  q = ListQuery();
  q.page_token = "garbage";
  const absl::Status s = e->store().List(q, &page);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(s.message(), "page_token"));
  q.page_token = "c1.99999";
  EXPECT_TRUE(e->store().List(q, &page).ok());
  EXPECT_TRUE(page.cases.empty());
}

// ----------------------------------------------------------------- Stats

// Default calendar: Mon-Fri 08:30-12:00, 13:30-17:30. 2026-11-27 is a
// Friday, 11-28/29 the weekend, 11-30 a Monday. Figures at Mon 12:00.
class StatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    e_ = NewEngine();
    cal_ = WorkingCalendar::Default();
    // 2 working hours from Fri 16:30: 16:30-17:30, Mon 08:30-09:30.
    ASSERT_EQ(cal_.AddWorkingHours(T("2026-11-27 16:30"), absl::Hours(2)),
              T("2026-11-30 09:30"));
    a_ = File("D1", "S1", T("2026-11-27 16:30"), T("2026-11-30 09:30"), 0);
    ReportSpec fold = spec_;
    fold.lon = 0;
    fold.at = T("2026-11-27 16:40");
    EXPECT_EQ(Intake(*e_, fold).case_id, a_);  // A has 3 reports
    EXPECT_EQ(Intake(*e_, fold).case_id, a_);
    b_ = File("D1", "S1", T("2026-11-27 16:30"), T("2026-11-30 09:30"), 1000);
    c_ = File("D2", "S2", T("2026-11-27 10:00"), T("2026-11-27 12:00"), 2000);
    d_ = File("D2", "S1", T("2026-11-28 10:00"), T("2026-11-30 11:00"), 3000);
    e2_ = File("D1", "S1", T("2026-11-30 11:00"), T("2026-12-01 11:00"), 4000);
    CloseCase(*e_, a_, T("2026-11-30 09:00"));  // on time; 1.5 working hours
    CloseCase(*e_, b_, T("2026-11-30 10:00"));  // late; 2.5 working hours
    CloseCase(*e_, d_,
              T("2026-11-28 11:00"));  // on time; 0 working hours (Saturday)
    e_->Commit();
  }
  std::string File(const char* dept, const char* street, absl::Time at,
                   absl::Time due, double x) {
    ReportSpec r = spec_;
    r.lead = dept;
    r.chain = {"110101", street, std::string(street) + "001"};
    r.grid = std::string(street) + "-g";
    r.at = at;
    r.due = due;
    r.lon = x;
    const CaseRecord rec = Intake(*e_, r);
    EXPECT_EQ(rec.kind, RecordKind::kNewCase);
    return rec.case_id;
  }
  StatsResult Run(StatsGroup group, int32_t level = 0,
                  absl::Time from = absl::InfinitePast()) {
    StatsQuery q;
    q.group_by = group;
    q.level = level;
    q.from = from;
    q.as_of = T("2026-11-30 12:00");
    StatsResult r;
    const absl::Status s = e_->store().Stats(q, cal_, &r);
    EXPECT_TRUE(s.ok()) << s;
    return r;
  }
  std::unique_ptr<CaseEngine> e_;
  WorkingCalendar cal_ = WorkingCalendar::Default();
  ReportSpec spec_;
  std::string a_, b_, c_, d_, e2_;
};

TEST_F(StatsTest, ByDepartment) {
  const StatsResult r = Run(StatsGroup::kDepartment);
  ASSERT_EQ(r.rows.size(), 2u);
  const StatsRow& d1 = r.rows[0];
  EXPECT_EQ(d1.key, "D1");
  EXPECT_EQ(d1.reported, 5);  // A 3 + B 1 + E 1
  EXPECT_EQ(d1.filed, 3);
  EXPECT_EQ(d1.closed, 2);
  EXPECT_EQ(d1.on_time_closed, 1);
  EXPECT_EQ(d1.due, 2);  // E is not due yet
  EXPECT_EQ(d1.overdue_open, 0);
  EXPECT_DOUBLE_EQ(d1.closure_rate, 2.0 / 3);
  EXPECT_DOUBLE_EQ(d1.on_time_rate, 0.5);
  EXPECT_DOUBLE_EQ(d1.median_handling_hours, 2.0);  // of 1.5 and 2.5
  const StatsRow& d2 = r.rows[1];
  EXPECT_EQ(d2.key, "D2");
  EXPECT_EQ(d2.reported, 2);
  EXPECT_EQ(d2.filed, 2);
  EXPECT_EQ(d2.closed, 1);
  EXPECT_EQ(d2.on_time_closed, 1);
  EXPECT_EQ(d2.due, 2);  // C overdue, D closed
  EXPECT_EQ(d2.overdue_open, 1);
  EXPECT_DOUBLE_EQ(d2.closure_rate, 0.5);
  EXPECT_DOUBLE_EQ(d2.on_time_rate, 0.5);
  EXPECT_DOUBLE_EQ(d2.median_handling_hours, 0);
  EXPECT_EQ(r.total.filed, 5);
  EXPECT_EQ(r.total.reported, 7);
  EXPECT_EQ(r.total.closed, 3);
  EXPECT_DOUBLE_EQ(r.total.closure_rate, 0.6);
  EXPECT_DOUBLE_EQ(r.total.on_time_rate, 0.5);           // 2 of 4 due
  EXPECT_DOUBLE_EQ(r.total.median_handling_hours, 1.5);  // of 0, 1.5, 2.5
}

TEST_F(StatsTest, ByStreetGridAndTimeRange) {
  StatsResult r = Run(StatsGroup::kLevel, 1);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0].key, "S1");
  EXPECT_EQ(r.rows[0].filed, 4);
  EXPECT_EQ(r.rows[0].closed, 3);
  EXPECT_EQ(r.rows[1].key, "S2");
  EXPECT_EQ(r.rows[1].filed, 1);
  EXPECT_EQ(r.rows[1].overdue_open, 1);
  r = Run(StatsGroup::kGrid);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0].key, "S1-g");
  // Filed from Saturday on: D and E.
  r = Run(StatsGroup::kAll, 0, T("2026-11-28 00:00"));
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].filed, 2);
  EXPECT_EQ(r.rows[0].closed, 1);
  EXPECT_EQ(r.rows[0].due, 1);
  // Before D was closed (Sat 10:30), D is neither closed nor due.
  StatsQuery early;
  early.group_by = StatsGroup::kAll;
  early.as_of = T("2026-11-28 10:30");
  StatsResult out;
  ASSERT_TRUE(e_->store().Stats(early, cal_, &out).ok());
  EXPECT_EQ(out.total.closed, 0);
  EXPECT_EQ(out.total.median_handling_hours, -1);
  EXPECT_EQ(e_->store().Stats(StatsQuery{}, cal_, &out).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(StatsTest, OverdueOnTheCalendar) {
  CaseView c, b;
  ASSERT_TRUE(e_->store().Get(c_, &c).ok());
  ASSERT_TRUE(e_->store().Get(b_, &b).ok());
  // C was due Fri 12:00; at Mon 12:00: Fri 13:30-17:30 + Mon 08:30-12:00.
  OverdueInfo o = Overdue(c, T("2026-11-30 12:00"), cal_);
  EXPECT_TRUE(o.overdue);
  EXPECT_EQ(o.working_late, absl::Minutes(450));
  // Late over the weekend only: no office time lost yet.
  o = Overdue(c, T("2026-11-28 12:00"), cal_);
  EXPECT_TRUE(o.overdue);
  EXPECT_EQ(o.working_late, absl::Hours(4));
  EXPECT_FALSE(Overdue(c, T("2026-11-27 11:00"), cal_).overdue);
  // B closed Mon 10:00, due 09:30: half an hour late, whenever asked.
  o = Overdue(b, T("2026-12-10 12:00"), cal_);
  EXPECT_TRUE(o.overdue);
  EXPECT_EQ(o.working_late, absl::Minutes(30));
}

}  // namespace
}  // namespace gridroute

// Copyright 2026 gridroute authors.
//
// Idempotency keys in the case engine (Report::key): a re-sent report gets
// the first answer and adds nothing, scoped by source id, within the
// window of receive times; keys go with Rollback, expire at Commit, are
// capped, and come back from a journal replay and from a snapshot.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "cases/case_engine.h"
#include "cases_test_util.h"
#include "gtest/gtest.h"

namespace gridroute {
namespace {

using testing_cases::Intake;
using testing_cases::ReportSpec;
using testing_cases::Shanghai;
using testing_cases::T;

std::unique_ptr<CaseEngine> Engine(size_t max_keys = 1'000'000) {
  CaseEngineOptions o;
  o.plane = LocalPlane::Projected();
  o.time_zone = Shanghai();
  o.max_keys = max_keys;
  absl::StatusOr<std::unique_ptr<CaseEngine>> e =
      CaseEngine::Create(std::move(o));
  EXPECT_TRUE(e.ok()) << e.status();
  return std::move(e).value();
}

// A detection of cam-7 with correlation id `key`, received `at` + 1 s.
ReportSpec Keyed(const std::string& key, absl::Time at, double lon = 0) {
  ReportSpec r;
  r.key = key;
  r.at = at;
  r.received_at = at + absl::Seconds(1);
  r.lon = lon;
  return r;
}

CaseRecord DecideOnly(CaseEngine& e, ReportSpec& r) {
  CaseRecord rec;
  const absl::Status s = e.Decide(r.Get(), &rec);
  EXPECT_TRUE(s.ok()) << s;
  return rec;
}

TEST(IdempotencyTest, AReSentReportGetsTheFirstAnswerAndAddsNothing) {
  std::unique_ptr<CaseEngine> e = Engine();
  ReportSpec r = Keyed("det-1", T("2026-11-27 09:00"));
  const CaseRecord first = Intake(*e, r);
  ASSERT_EQ(first.kind, RecordKind::kNewCase);
  EXPECT_TRUE(first.has_key);
  e->Commit();
  const std::string before = e->DebugState();

  CaseRecord again = DecideOnly(*e, r);
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.kind, RecordKind::kNewCase);  // the first answer: filed
  EXPECT_EQ(again.case_id, first.case_id);
  EXPECT_EQ(again.report_count, 1);
  EXPECT_EQ(e->Apply(again).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(e->DebugState(), before);

  // A second detection 10 m away folds; its re-send answers the fold as it
  // was (count 2), also once the case has more reports.
  ReportSpec r2 = Keyed("det-2", T("2026-11-27 09:01"), 10);
  const CaseRecord fold = Intake(*e, r2);
  ASSERT_EQ(fold.kind, RecordKind::kFold);
  ReportSpec r3 = Keyed("det-3", T("2026-11-27 09:02"), 20);
  EXPECT_EQ(Intake(*e, r3).report_count, 3);
  again = DecideOnly(*e, r2);
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.kind, RecordKind::kFold);
  EXPECT_EQ(again.case_id, first.case_id);
  EXPECT_EQ(again.report_count, 2);

  // The key is scoped by camera: cam-8's det-1 is another report.
  ReportSpec other = Keyed("det-1", T("2026-11-27 09:03"), 5);
  other.source_id = "cam-8";
  const CaseRecord o = DecideOnly(*e, other);
  EXPECT_FALSE(o.duplicate);
  EXPECT_EQ(o.kind, RecordKind::kFold);
  EXPECT_EQ(o.report_count, 4);

  // Within one batch, the second report with a key is the first's duplicate.
  std::vector<ReportSpec> specs = {Keyed("det-9", T("2026-11-27 09:04"), 3000),
                                   Keyed("det-9", T("2026-11-27 09:04"), 3000)};
  std::vector<Report> batch = {specs[0].Get(), specs[1].Get()};
  std::vector<CaseRecord> out;
  std::vector<absl::Status> status;
  EXPECT_EQ(e->IntakeBatch(batch, &out, &status), 1u);
  ASSERT_TRUE(status[0].ok() && status[1].ok());
  EXPECT_FALSE(out[0].duplicate);
  EXPECT_TRUE(out[1].duplicate);
  EXPECT_EQ(out[1].case_id, out[0].case_id);
  EXPECT_TRUE(e->CheckInvariants().ok()) << e->CheckInvariants();
}

TEST(IdempotencyTest, TheWindowRunsOnReceiveTimes) {
  std::unique_ptr<CaseEngine> e = Engine();
  ReportSpec early = Keyed("ticket-0", T("2026-11-27 08:00"), 5000);
  Intake(*e, early);
  ReportSpec r =
      Keyed("ticket-1", T("2026-11-20 09:00"));  // a backlog: old report time
  r.received_at = T("2026-11-27 09:00");
  Intake(*e, r);
  e->Commit();
  // Re-sent 23 h 59 min after it was received: a duplicate (the report
  // time, a week old, does not matter).
  r.received_at = T("2026-11-28 08:59");
  EXPECT_TRUE(DecideOnly(*e, r).duplicate);
  // A day and a second later: a new report (it replaces the key).
  r.received_at = T("2026-11-28 09:00:01");
  EXPECT_FALSE(Intake(*e, r).duplicate);
  EXPECT_EQ(e->key_count(), 2u);
  // Commit drops keys received more than a day before the latest one.
  e->Commit();
  EXPECT_EQ(e->key_count(), 1u);
  early.received_at = r.received_at;
  EXPECT_FALSE(DecideOnly(*e, early).duplicate);
  EXPECT_TRUE(DecideOnly(*e, r).duplicate);
  EXPECT_TRUE(e->CheckInvariants().ok()) << e->CheckInvariants();
}

TEST(IdempotencyTest, RollbackForgetsKeysAndTheCapDropsTheOldest) {
  std::unique_ptr<CaseEngine> e = Engine(/*max_keys=*/3);
  ReportSpec r = Keyed("a", T("2026-11-27 09:00"));
  Intake(*e, r);
  e->Rollback();  // the journal append failed: the key was never filed
  EXPECT_EQ(e->key_count(), 0u);
  EXPECT_FALSE(DecideOnly(*e, r).duplicate);
  for (int i = 0; i < 5; ++i) {
    ReportSpec k = Keyed(absl::StrCat("k", i),
                         T("2026-11-27 09:00") + absl::Minutes(i), i * 1000);
    Intake(*e, k);
  }
  EXPECT_EQ(e->key_count(), 5u);  // uncommitted: nothing dropped yet
  e->Commit();
  EXPECT_EQ(e->key_count(), 3u);
  ReportSpec k0 = Keyed("k0", T("2026-11-27 09:00"), 0);
  EXPECT_FALSE(DecideOnly(*e, k0).duplicate);
  ReportSpec k4 = Keyed("k4", T("2026-11-27 09:04"), 4000);
  EXPECT_TRUE(DecideOnly(*e, k4).duplicate);
  EXPECT_TRUE(e->CheckInvariants().ok()) << e->CheckInvariants();
}

TEST(IdempotencyTest, KeysComeBackFromTheJournalAndFromASnapshot) {
  std::unique_ptr<CaseEngine> e = Engine();
  std::vector<std::string> journal;
  for (int i = 0; i < 20; ++i) {
    ReportSpec r =
        Keyed(absl::StrCat("det-", i), T("2026-11-27 09:00") + absl::Minutes(i),
              (i % 4) * 500);
    Intake(*e, r).Encode(&journal.emplace_back());
  }
  e->Commit();
  std::vector<std::string> snap;
  ASSERT_TRUE(e->Snapshot([&](const CaseRecord& rec) {
                 rec.Encode(&snap.emplace_back());
               }).ok());
  for (const std::vector<std::string>* records : {&journal, &snap}) {
    std::unique_ptr<CaseEngine> back = Engine();
    CaseRecord rec;
    for (const std::string& b : *records) {
      ASSERT_TRUE(rec.Decode(b).ok());
      ASSERT_TRUE(back->Apply(rec).ok());
    }
    back->Commit();
    EXPECT_EQ(back->DebugState(), e->DebugState());
    ReportSpec r = Keyed("det-7", T("2026-11-27 09:07"), 1500);
    const CaseRecord again = DecideOnly(*back, r);
    EXPECT_TRUE(again.duplicate);
    CaseRecord first;
    ASSERT_TRUE(first.Decode(journal[7]).ok());
    EXPECT_EQ(again.case_id, first.case_id);
  }
}

TEST(IdempotencyTest, BadKeysNameTheField) {
  std::unique_ptr<CaseEngine> e = Engine();
  ReportSpec r = Keyed(std::string(129, 'k'), T("2026-11-27 09:00"));
  CaseRecord rec;
  absl::Status s = e->Decide(r.Get(), &rec);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(s.message(), "key: 129 bytes")) << s;
  r.key = std::string(128, 'k');
  EXPECT_TRUE(e->Decide(r.Get(), &rec).ok());
  r.received_at = absl::InfinitePast();
  s = e->Decide(r.Get(), &rec);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(s.message(), "received_at")) << s;
}

}  // namespace
}  // namespace gridroute

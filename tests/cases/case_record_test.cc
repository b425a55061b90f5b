// Copyright 2026 gridroute authors.
//
// Durability hooks: CaseRecord Encode/Decode, replay of every record ==
// the original state, Undo/Rollback restore the exact prior state,
// Snapshot records rebuild the same engine; and folding.csv.
#include "cases/case_record.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cases/case_engine.h"
#include "cases_test_util.h"
#include "gtest/gtest.h"
#include "model/categories.h"

namespace gridroute {
namespace {

using testing_cases::CloseCase;
using testing_cases::Intake;
using testing_cases::Move;
using testing_cases::NewEngine;
using testing_cases::ReportSpec;
using testing_cases::T;

// ------------------------------------------------------------ Encode/Decode

CaseRecord FullCase() {
  CaseRecord r;
  r.kind = RecordKind::kCaseState;
  r.case_id = "110101-20261129-000042";
  CaseView& c = r.c;
  c.id = r.case_id;
  c.district = "110101";
  c.category_type = CategoryType::kComponent;
  c.category = "0101";
  c.component = "3205080101000001";
  c.grid = "110101001001001";
  c.chain = {"110101", "110101001", "", "110101001001"};
  c.lead = "D0107";
  c.helpers = {"D0201", "D0305"};
  c.has_point = true;
  c.lon = 120.123456789012345;
  c.lat = -31.5;
  c.first_report = T("2026-11-29 09:00:00") + absl::Nanoseconds(123456789);
  c.last_report = T("2026-11-29 10:00");
  c.due = absl::InfiniteFuture();
  c.closed_at = T("2026-11-30 10:00");
  c.report_count = 123456789012;
  c.state = CaseState::kClosed;
  c.source = ReportSource::kApp;
  c.source_id = "小程序-42";
  c.history = {
      {CaseState::kDispatched, "centre", T("2026-11-29 09:10"), "", "D0108"},
      {CaseState::kClosed, "王五", T("2026-11-30 10:00"), "已处理 ok", ""}};
  return r;
}

void ExpectRoundTrip(const CaseRecord& in) {
  std::string bytes;
  in.Encode(&bytes);
  CaseRecord out;
  // Fill the output with junk first: Decode must set every field it owns.
  out = FullCase();
  out.c.history.push_back({});
  const absl::Status s = out.Decode(bytes);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(out.kind, in.kind);
  std::string again;
  out.Encode(&again);
  EXPECT_EQ(again, bytes);
  switch (in.kind) {
    case RecordKind::kNewCase:
    case RecordKind::kCaseState:
      EXPECT_EQ(out.case_id, in.case_id);
      EXPECT_TRUE(out.c == in.c);
      break;
    case RecordKind::kFold:
      EXPECT_EQ(out.case_id, in.case_id);
      EXPECT_EQ(out.reported_at, in.reported_at);
      EXPECT_EQ(out.source, in.source);
      EXPECT_EQ(out.source_id, in.source_id);
      EXPECT_EQ(out.report_count, in.report_count);
      break;
    case RecordKind::kTransition:
      EXPECT_EQ(out.case_id, in.case_id);
      EXPECT_EQ(out.from, in.from);
      EXPECT_EQ(out.to, in.to);
      EXPECT_EQ(out.actor, in.actor);
      EXPECT_EQ(out.note, in.note);
      EXPECT_EQ(out.lead, in.lead);
      EXPECT_EQ(out.at, in.at);
      break;
    case RecordKind::kWatermark:
      EXPECT_EQ(out.watermark, in.watermark);
      break;
    case RecordKind::kClock:
      EXPECT_EQ(out.watermark, in.watermark);
      EXPECT_EQ(out.pending, in.pending);
      EXPECT_EQ(out.key_clock, in.key_clock);
      break;
    case RecordKind::kKey:
      EXPECT_EQ(out.case_id, in.case_id);
      EXPECT_EQ(out.key, in.key);
      EXPECT_EQ(out.folded, in.folded);
      EXPECT_EQ(out.report_count, in.report_count);
      EXPECT_EQ(out.received_at, in.received_at);
      break;
  }
  if (in.kind == RecordKind::kNewCase || in.kind == RecordKind::kFold) {
    EXPECT_EQ(out.has_key, in.has_key);
    // Unkeyed intake records keep format 1 (byte for byte as before keys).
    EXPECT_EQ(bytes[0], in.has_key ? 2 : 1);
    if (in.has_key) {
      EXPECT_EQ(out.key, in.key);
      EXPECT_EQ(out.received_at, in.received_at);
    }
  }
  // Every strict prefix is refused (a torn record), never read as valid.
  for (size_t n = 0; n < bytes.size(); ++n) {
    CaseRecord t;
    EXPECT_EQ(t.Decode(absl::string_view(bytes).substr(0, n)).code(),
              absl::StatusCode::kDataLoss)
        << RecordKindName(in.kind) << " prefix " << n;
  }
  CaseRecord t;
  EXPECT_EQ(t.Decode(bytes + "x").code(), absl::StatusCode::kDataLoss);
}

TEST(CaseRecordTest, RoundTripEveryKind) {
  CaseRecord whole = FullCase();
  ExpectRoundTrip(whole);

  CaseRecord nc = FullCase();
  nc.kind = RecordKind::kNewCase;
  nc.c.has_point = false;
  nc.c.lon = nc.c.lat = 0;
  nc.c.due = T("2026-11-30 09:00");
  // What a new case implies.
  nc.c.last_report = nc.c.first_report;
  nc.c.closed_at = absl::InfiniteFuture();
  nc.c.report_count = 1;
  nc.c.state = CaseState::kReported;
  nc.c.history.clear();
  ExpectRoundTrip(nc);

  CaseRecord fold;
  fold.kind = RecordKind::kFold;
  fold.case_id = "320508-20260101-1000000";
  fold.reported_at =
      T("1970-01-01 07:59:59") + absl::Milliseconds(500);  // negative Unix time
  fold.source = ReportSource::kVideo;
  fold.source_id = "cam-0042";
  fold.report_count = 2;
  ExpectRoundTrip(fold);

  CaseRecord tr;
  tr.kind = RecordKind::kTransition;
  tr.case_id = "110101-20261129-000001";
  tr.from = CaseState::kReported;
  tr.to = CaseState::kDispatched;
  tr.actor = "centre";
  tr.note = std::string(300, 'n');
  tr.lead = "D2";
  tr.at = T("2026-11-29 09:00");
  ExpectRoundTrip(tr);

  CaseRecord wm;
  wm.kind = RecordKind::kWatermark;
  wm.watermark = absl::InfinitePast();
  ExpectRoundTrip(wm);
  wm.watermark = T("2199-12-31 23:59");
  ExpectRoundTrip(wm);

  // Format 2: keyed intake records, the clock and key snapshot records.
  nc.has_key = true;
  nc.key = ReportKeyFp{0x0123456789abcdefULL, 0xfedcba9876543210ULL};
  nc.received_at = T("2026-11-29 09:00:01") + absl::Nanoseconds(7);
  ExpectRoundTrip(nc);
  fold.has_key = true;
  fold.key = ReportKeyFp{1, 2};
  fold.received_at = T("2026-11-29 09:00");
  ExpectRoundTrip(fold);
  CaseRecord clock;
  clock.kind = RecordKind::kClock;
  clock.watermark = T("2026-11-29 09:00");
  clock.pending = {T("2199-01-01 00:00"), T("2150-06-01 00:00")};
  clock.key_clock = T("2026-11-29 09:00:05");
  ExpectRoundTrip(clock);
  clock.watermark = absl::InfinitePast();
  clock.pending.clear();
  clock.key_clock = absl::InfinitePast();
  ExpectRoundTrip(clock);
  CaseRecord key;
  key.kind = RecordKind::kKey;
  key.case_id = "110101-20261129-000001";
  key.key = ReportKeyFp{~0ULL, 0};
  key.folded = true;
  key.report_count = 3;
  key.received_at = T("2026-11-29 09:00");
  ExpectRoundTrip(key);
}

TEST(CaseRecordTest, RejectsOtherVersionsKindsAndGarbage) {
  std::string bytes;
  FullCase().Encode(&bytes);
  CaseRecord r;
  std::string v3 = bytes;
  v3[0] = 3;
  absl::Status s = r.Decode(v3);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(s.message(), "version 3")) << s;
  // Version 1 has no kinds 6 and 7 (version 2 added them).
  CaseRecord clock;
  clock.kind = RecordKind::kClock;
  std::string c1;
  clock.Encode(&c1);
  ASSERT_EQ(c1[0], 2);
  c1[0] = 1;
  EXPECT_EQ(r.Decode(c1).code(), absl::StatusCode::kDataLoss);
  std::string k9 = bytes;
  k9[1] = 9;
  EXPECT_EQ(r.Decode(k9).code(), absl::StatusCode::kDataLoss);
  // Random corruption never crashes and never over-allocates.
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string b = bytes;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f)
      b[rng() % b.size()] = static_cast<char>(rng());
    (void)r.Decode(b);
  }
}

// ------------------------------------------------------- workload helpers

// A random committed workload; returns every committed record, encoded.
// Some reports carry idempotency keys (a third; some of those are re-sent:
// duplicates, answered and not applied), a few come from a clock years
// ahead (pending watermark times).
std::vector<std::string> RunWorkload(CaseEngine& e, uint32_t seed, int steps) {
  std::mt19937_64 rng(seed);
  auto uniform = [&](double a, double b) {
    return std::uniform_real_distribution<>(a, b)(rng);
  };
  std::vector<std::string> journal;
  std::vector<CaseRecord> batch;
  std::vector<std::string> ids;
  std::vector<std::pair<std::string, std::string>> sent;  // (camera, key)
  absl::Time now = T("2026-11-27 08:00");
  for (int step = 0; step < steps; ++step) {
    now += absl::Seconds(static_cast<int>(uniform(0, 200)));
    if (uniform(0, 1) < 0.01) now += absl::Hours(2);
    CaseRecord rec;
    if (!ids.empty() && uniform(0, 1) < 0.15) {
      // A legal transition of a random case.
      const std::string& id = ids[static_cast<size_t>(uniform(0, ids.size()))];
      CaseView v;
      EXPECT_TRUE(e.store().Get(id, &v).ok());
      static const CaseState kNext[] = {
          CaseState::kDispatched, CaseState::kAccepted, CaseState::kHandled,
          CaseState::kVerified,   CaseState::kClosed,   CaseState::kReopened,
          CaseState::kDispatched};
      Transition t;
      t.case_id = id;
      t.to = kNext[static_cast<int>(v.state)];
      t.actor = "op";
      t.at = std::max(now,
                      v.history.empty() ? v.first_report : v.history.back().at);
      t.note = "n";
      if (t.to == CaseState::kDispatched && uniform(0, 1) < 0.3) t.lead = "D9";
      EXPECT_TRUE(e.DecideTransition(t, &rec).ok());
    } else {
      ReportSpec r;
      r.category = uniform(0, 1) < 0.5 ? "0102" : "0501";
      if (uniform(0, 1) < 0.1) {
        r.type = CategoryType::kComponent;
        r.category = "0101";
        r.component = absl::StrCat("C", static_cast<int>(uniform(0, 5)));
      }
      r.lon = std::round(uniform(0, 500));
      r.lat = std::round(uniform(0, 500));
      r.grid = absl::StrCat("g", static_cast<int>(r.lon / 100));
      r.chain = {uniform(0, 1) < 0.5 ? "110101" : "110102", "s1", "c1"};
      r.lead = uniform(0, 1) < 0.5 ? "D1" : "D2";
      r.helpers = {"D3"};
      r.at = now - absl::Seconds(static_cast<int>(uniform(0, 600)));
      r.due = r.at + absl::Hours(4);
      r.source_id = absl::StrCat("cam-", static_cast<int>(uniform(0, 9)));
      if (uniform(0, 1) < 0.33) {
        if (!sent.empty() && uniform(0, 1) < 0.3) {
          std::tie(r.source_id, r.key) = sent[static_cast<size_t>(uniform(0, sent.size()))];
        } else {
          r.key = absl::StrCat("k", step);
          sent.emplace_back(r.source_id, r.key);
        }
        r.received_at = now;
      }
      if (uniform(0, 1) < 0.005) {
        r.at = T("2199-06-01 00:00") + absl::Hours(static_cast<int>(uniform(0, 5000)));
        r.due = absl::InfiniteFuture();
      }
      EXPECT_TRUE(e.Decide(r.Get(), &rec).ok());
      if (rec.duplicate) {
        EXPECT_FALSE(e.Apply(rec).ok());  // nothing to apply
        continue;
      }
    }
    const absl::Status s = e.Apply(rec);
    EXPECT_TRUE(s.ok()) << s;
    if (rec.kind == RecordKind::kNewCase) ids.push_back(rec.case_id);
    batch.push_back(rec);
    if (uniform(0, 1) < 0.1) {
      if (uniform(0, 1) < 0.2) {
        // The journal append failed: nothing of the batch survives.
        e.Rollback();
        for (const CaseRecord& b : batch) {
          if (b.kind == RecordKind::kNewCase)
            ids.erase(std::find(ids.begin(), ids.end(), b.case_id));
        }
      } else {
        for (const CaseRecord& b : batch) b.Encode(&journal.emplace_back());
        e.Commit();
      }
      batch.clear();
    }
  }
  for (const CaseRecord& b : batch) b.Encode(&journal.emplace_back());
  e.Commit();
  return journal;
}

void Replay(CaseEngine& e, const std::vector<std::string>& journal,
            int commit_every) {
  CaseRecord rec;
  for (size_t i = 0; i < journal.size(); ++i) {
    ASSERT_TRUE(rec.Decode(journal[i]).ok());
    const absl::Status s = e.Apply(rec);
    ASSERT_TRUE(s.ok()) << "record " << i << ": " << s;
    if (static_cast<int>(i % commit_every) == commit_every - 1) e.Commit();
  }
  e.Commit();
}

// The same next reports give byte-identical records on both engines.
void ExpectSameFuture(CaseEngine& a, CaseEngine& b) {
  std::mt19937 rng(99);
  for (int i = 0; i < 300; ++i) {
    ReportSpec r;
    r.category = i % 2 ? "0102" : "0501";
    r.lon = rng() % 500;
    r.lat = rng() % 500;
    r.grid = absl::StrCat("g", static_cast<int>(r.lon / 100));
    r.at = a.watermark() - absl::Minutes(30) +
           absl::Seconds(static_cast<int>(i * 7));
    if (i % 3 == 0) {  // keyed, every other one a re-send
      r.key = absl::StrCat("f", i / 6);
      r.received_at = r.at;
    }
    CaseRecord ra, rb;
    ASSERT_TRUE(a.Decide(r.Get(), &ra).ok());
    ASSERT_TRUE(b.Decide(r.Get(), &rb).ok());
    std::string ea, eb;
    ra.Encode(&ea);
    rb.Encode(&eb);
    ASSERT_EQ(ea, eb) << "report " << i;
    ASSERT_EQ(ra.duplicate, rb.duplicate) << "report " << i;
    ASSERT_EQ(ra.duplicate, i % 6 == 3) << "report " << i;
    if (ra.duplicate) continue;
    ASSERT_TRUE(a.Apply(ra).ok());
    ASSERT_TRUE(b.Apply(rb).ok());
  }
  EXPECT_EQ(a.DebugState(), b.DebugState());
}

// ------------------------------------------------------------------ replay

TEST(ReplayTest, ReplayingTheJournalRestoresTheState) {
  std::unique_ptr<CaseEngine> a = NewEngine();
  const std::vector<std::string> journal = RunWorkload(*a, 5, 4000);
  ASSERT_GT(journal.size(), 1000u);
  ASSERT_TRUE(a->CheckInvariants().ok());
  for (int commit_every : {1, 97, 1 << 30}) {
    std::unique_ptr<CaseEngine> b = NewEngine();
    Replay(*b, journal, commit_every);
    EXPECT_EQ(b->DebugState(), a->DebugState())
        << "commit every " << commit_every;
    EXPECT_TRUE(b->CheckInvariants().ok()) << b->CheckInvariants();
    EXPECT_EQ(b->store().size(), a->store().size());
    EXPECT_EQ(b->store().open(), a->store().open());
  }
  std::unique_ptr<CaseEngine> b = NewEngine();
  Replay(*b, journal, 50);
  ExpectSameFuture(*a, *b);
}

TEST(ReplayTest, BadJournalRecordsAreRefusedAndChangeNothing) {
  std::unique_ptr<CaseEngine> e = NewEngine();
  ReportSpec r;
  r.at = T("2026-11-27 09:00");
  const CaseRecord first = Intake(*e, r);
  e->Commit();
  const std::string before = e->DebugState();
  CaseRecord rec = first;
  rec.hint_epoch = 0;
  EXPECT_EQ(e->Apply(rec).code(), absl::StatusCode::kAlreadyExists);
  rec.kind = RecordKind::kFold;
  rec.reported_at = r.at;
  rec.report_count = 5;  // a fold got lost
  EXPECT_EQ(e->Apply(rec).code(), absl::StatusCode::kDataLoss);
  rec.case_id = "110101-20261127-000077";
  rec.report_count = 2;
  EXPECT_EQ(e->Apply(rec).code(), absl::StatusCode::kNotFound);
  rec.kind = RecordKind::kTransition;
  rec.case_id = first.case_id;
  rec.from = CaseState::kDispatched;
  rec.to = CaseState::kAccepted;
  rec.at = r.at;
  rec.actor = "x";
  EXPECT_EQ(e->Apply(rec).code(), absl::StatusCode::kFailedPrecondition);
  rec.from = CaseState::kReported;
  rec.to = CaseState::kClosed;
  EXPECT_EQ(e->Apply(rec).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(e->uncommitted(), 0u);
  EXPECT_EQ(e->DebugState(), before);
}

// -------------------------------------------------------------------- undo

TEST(UndoTest, UndoRestoresTheExactPriorState) {
  std::unique_ptr<CaseEngine> a = NewEngine();
  std::unique_ptr<CaseEngine> twin = NewEngine();
  const std::vector<std::string> journal = RunWorkload(*a, 8, 1500);
  Replay(*twin, journal, 10);
  const std::string before = a->DebugState();
  ASSERT_EQ(before, twin->DebugState());

  // A batch of every kind: new cases, folds into old and new cases, a close
  // (leaves the fold index), a reopen (re-enters it), a re-dispatch, a
  // pending watermark time, a watermark jump that would age everything out.
  std::vector<CaseRecord> batch;
  auto apply = [&](CaseRecord rec) {
    const absl::Status s = a->Apply(rec);
    ASSERT_TRUE(s.ok()) << s;
    batch.push_back(rec);
  };
  ReportSpec r;
  r.at = a->watermark();
  r.lon = 9000;
  CaseRecord rec;
  ASSERT_TRUE(a->Decide(r.Get(), &rec).ok());
  ASSERT_EQ(rec.kind, RecordKind::kNewCase);
  const std::string fresh = rec.case_id;
  apply(rec);
  r.lon = 9010;
  ASSERT_TRUE(a->Decide(r.Get(), &rec).ok());
  ASSERT_EQ(rec.kind, RecordKind::kFold);
  apply(rec);
  // A fold into an older case (any case the workload left foldable).
  ListResult all;
  ListQuery reported;
  reported.state = CaseState::kReported;
  reported.page_size = 1000;
  ASSERT_TRUE(a->store().List(reported, &all).ok());
  std::string old_open;
  for (const CaseView& v : all.cases) {
    if (v.has_point && v.component.empty() &&
        v.last_report >= a->watermark() - absl::Minutes(50) &&
        v.last_report <= a->watermark()) {  // not a clock years ahead
      old_open = v.id;
      r.lon = v.lon;
      r.lat = v.lat;
      r.category = v.category;
      r.grid = v.grid;
      break;
    }
  }
  ASSERT_FALSE(old_open.empty());
  ASSERT_TRUE(a->Decide(r.Get(), &rec).ok());
  ASSERT_EQ(rec.kind, RecordKind::kFold);
  apply(rec);
  Transition t;
  t.actor = "op";
  t.at = a->watermark() + absl::Hours(1);
  for (CaseState s :
       {CaseState::kDispatched, CaseState::kAccepted, CaseState::kHandled,
        CaseState::kVerified, CaseState::kClosed, CaseState::kReopened}) {
    t.case_id = old_open;
    t.to = s;
    ASSERT_TRUE(a->DecideTransition(t, &rec).ok());
    apply(rec);
  }
  t.case_id = fresh;
  t.to = CaseState::kDispatched;
  t.lead = "D42";
  ASSERT_TRUE(a->DecideTransition(t, &rec).ok());
  apply(rec);
  t.lead = "";
  t.to = CaseState::kAccepted;
  ASSERT_TRUE(a->DecideTransition(t, &rec).ok());
  apply(rec);
  // An old snapshot's watermark record only makes a time pending; the
  // clock record of a new snapshot sets the watermark.
  rec = CaseRecord();
  rec.kind = RecordKind::kWatermark;
  rec.watermark = a->watermark() + absl::Hours(48);
  const absl::Time wm = a->watermark();
  apply(rec);
  ASSERT_EQ(a->watermark(), wm);
  rec = CaseRecord();
  rec.kind = RecordKind::kClock;
  rec.watermark = wm + absl::Hours(48);
  rec.pending = {wm + absl::Hours(100)};
  apply(rec);
  ASSERT_EQ(a->watermark(), wm + absl::Hours(48));
  r.at = a->watermark();
  r.lon = 12345;
  ASSERT_TRUE(a->Decide(r.Get(), &rec).ok());
  apply(rec);
  ASSERT_NE(a->DebugState(), before);
  ASSERT_TRUE(a->CheckInvariants().ok());

  // Undo must be given the tail, in order.
  std::vector<CaseRecord> wrong(batch.begin(), batch.end() - 1);
  EXPECT_EQ(a->Undo(wrong).code(), absl::StatusCode::kFailedPrecondition);
  std::vector<CaseRecord> too_many(batch.size() + 1, batch.back());
  EXPECT_EQ(a->Undo(too_many).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_EQ(a->uncommitted(), batch.size());

  // Undo the last three, then the rest.
  ASSERT_TRUE(
      a->Undo(absl::MakeConstSpan(batch).subspan(batch.size() - 3)).ok());
  ASSERT_TRUE(a->CheckInvariants().ok()) << a->CheckInvariants();
  ASSERT_TRUE(
      a->Undo(absl::MakeConstSpan(batch).subspan(0, batch.size() - 3)).ok());
  EXPECT_EQ(a->uncommitted(), 0u);
  EXPECT_EQ(a->DebugState(), before);
  EXPECT_TRUE(a->CheckInvariants().ok()) << a->CheckInvariants();
  a->Commit();
  EXPECT_EQ(a->DebugState(), before);
  // And it behaves as if the batch never happened: the same ids are handed
  // out again, the same folds are made.
  ExpectSameFuture(*a, *twin);
}

TEST(UndoTest, RollbackAfterCommitAgeingKeepsTheFoldState) {
  std::unique_ptr<CaseEngine> e = NewEngine();
  ReportSpec r;
  r.at = T("2026-11-27 09:00");
  const CaseRecord a = Intake(*e, r);
  e->Commit();
  const std::string before = e->DebugState();
  // Move the watermark far ahead, then roll back: case a must fold again.
  r.lon = 1e5;
  r.at = T("2026-11-27 15:00");
  Intake(*e, r);
  e->Rollback();
  EXPECT_EQ(e->DebugState(), before);
  e->Commit();
  r.lon = 5;
  r.at = T("2026-11-27 09:30");
  EXPECT_EQ(Intake(*e, r).case_id, a.case_id);
}

// ---------------------------------------------------------------- snapshot

TEST(SnapshotTest, SnapshotRecordsRebuildTheSameEngine) {
  std::unique_ptr<CaseEngine> a = NewEngine();
  RunWorkload(*a, 21, 3000);
  std::vector<std::string> snap;
  ASSERT_TRUE(a->Snapshot([&](const CaseRecord& rec) {
                 rec.Encode(&snap.emplace_back());
               }).ok());
  ASSERT_GT(a->key_count(), 100u);
  EXPECT_EQ(snap.size(), a->store().size() + 1 + a->key_count());
  std::unique_ptr<CaseEngine> b = NewEngine();
  Replay(*b, snap, 1000);
  EXPECT_EQ(b->DebugState(), a->DebugState());
  EXPECT_TRUE(b->CheckInvariants().ok()) << b->CheckInvariants();
  ExpectSameFuture(*a, *b);
  // A snapshot of uncommitted state is refused.
  ReportSpec r;
  r.at = a->watermark();
  Intake(*a, r);
  EXPECT_EQ(a->Snapshot([](const CaseRecord&) {}).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(SnapshotTest, SnapshotThenJournalTail) {
  // Compaction: snapshot at some point, then the records after it.
  std::unique_ptr<CaseEngine> a = NewEngine();
  RunWorkload(*a, 31, 1000);
  std::vector<std::string> log;
  ASSERT_TRUE(a->Snapshot([&](const CaseRecord& rec) {
                 rec.Encode(&log.emplace_back());
               }).ok());
  const std::vector<std::string> tail = RunWorkload(*a, 32, 1000);
  log.insert(log.end(), tail.begin(), tail.end());
  std::unique_ptr<CaseEngine> b = NewEngine();
  Replay(*b, log, 64);
  EXPECT_EQ(b->DebugState(), a->DebugState());
}

// ------------------------------------------------------------- fold rules

class FoldRulesFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cases_fold_rules_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    Write("categories.csv",
          "type,code,name,major,standard,urgencies,specialty\n"
          "event,0102,暴露垃圾,01,CJ/T 214-2007,normal,sanitation\n"
          "event,0103,积存垃圾渣土,01,CJ/T 214-2007,normal,sanitation\n"
          "event,0501,无照经营游商,05,CJ/T 214-2007,normal,enforcement\n"
          "component,0101,上水井盖,01,CJ/T 214-2007,normal,municipal\n");
    absl::StatusOr<Categories> c = Categories::Load(dir_ + "/categories.csv");
    ASSERT_TRUE(c.ok()) << c.status();
    categories_ = std::move(c).value();
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name) << text;
  }
  std::string dir_;
  Categories categories_;
};

TEST_F(FoldRulesFileTest, MissingFileGivesTheDefaults) {
  absl::StatusOr<FoldRules> r = LoadFoldRules(dir_, categories_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->Find(CategoryType::kEvent, "0102"),
            (FoldRule{50, absl::Minutes(60), false}));
  EXPECT_EQ(r->Find(CategoryType::kComponent, "0101"),
            (FoldRule{30, absl::Hours(24), false}));
}

TEST_F(FoldRulesFileTest, MostSpecificRowWins) {
  Write("folding.csv",
        "category_type,category,radius_m,window_min,same_grid\n"
        "*,*,40,30,\n"
        "event,*,45,45,false\n"
        "event,01*,80,120,yes\n"
        "*,0103,10,5,0\n"
        "component,0101,25,1440,true\n");
  absl::StatusOr<FoldRules> r = LoadFoldRules(dir_, categories_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->Find(CategoryType::kEvent, "0102"),
            (FoldRule{80, absl::Minutes(120), true}));
  EXPECT_EQ(r->Find(CategoryType::kEvent, "0103"),
            (FoldRule{10, absl::Minutes(5), false}));
  EXPECT_EQ(r->Find(CategoryType::kEvent, "0501"),
            (FoldRule{45, absl::Minutes(45), false}));
  EXPECT_EQ(r->Find(CategoryType::kEvent, "9999"),
            (FoldRule{45, absl::Minutes(45), false}));
  EXPECT_EQ(r->Find(CategoryType::kComponent, "0101"),
            (FoldRule{25, absl::Hours(24), true}));
  EXPECT_EQ(r->Find(CategoryType::kComponent, "0999"),
            (FoldRule{40, absl::Minutes(30), false}));
}

// The text form (a folding.csv compiled into a .grsnap) gives the rules
// the file gives, and its errors name the given name.
TEST_F(FoldRulesFileTest, ParsedTextGivesTheFileRules) {
  const std::string text =
      "category_type,category,radius_m,window_min,same_grid\n"
      "*,*,40,30,\n"
      "event,01*,80,120,yes\n"
      "*,0103,10,5,0\n";
  Write("folding.csv", text);
  absl::StatusOr<FoldRules> file = LoadFoldRules(dir_, categories_);
  absl::StatusOr<FoldRules> parsed = ParseFoldRules(text, "p.grsnap:folding.csv", categories_);
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  for (CategoryType t : {CategoryType::kEvent, CategoryType::kComponent}) {
    for (const char* code : {"0102", "0103", "0501", "0101", "9999"}) {
      EXPECT_EQ(parsed->Find(t, code), file->Find(t, code)) << code;
    }
  }
  EXPECT_EQ(parsed->Find(CategoryType::kEvent, "0102"), (FoldRule{80, absl::Minutes(120), true}));
  parsed = ParseFoldRules("category_type,category,radius_m,window_min\nevent,0102,-1,60\n",
                          "p.grsnap:folding.csv", categories_);
  EXPECT_TRUE(absl::StrContains(parsed.status().message(), "p.grsnap:folding.csv:2: radius_m '-1'"))
      << parsed.status();
}

TEST_F(FoldRulesFileTest, ErrorsNameFileLineAndValue) {
  Write("folding.csv",
        "category_type,category,radius_m,window_min\n"
        "event,0102,50,60\n"
        "vehicle,0102,50,60\n"
        "event,7777,50,60\n"
        "event,0103,-1,60\n"
        "event,0103,50,0\n"
        "event,0102,60,60\n"
        "event,0501,abc,60\n");
  absl::StatusOr<FoldRules> r = LoadFoldRules(dir_, categories_);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string m(r.status().message());
  EXPECT_TRUE(absl::StrContains(m, "folding.csv:3: category_type 'vehicle'"))
      << m;
  EXPECT_TRUE(absl::StrContains(m, "folding.csv:4: category '7777'")) << m;
  EXPECT_TRUE(absl::StrContains(m, "folding.csv:5: radius_m '-1'")) << m;
  EXPECT_TRUE(absl::StrContains(m, "folding.csv:6: window_min '0'")) << m;
  EXPECT_TRUE(absl::StrContains(
      m, "folding.csv:7: duplicate rule for (event, 0102), first at line 2"))
      << m;
  EXPECT_TRUE(absl::StrContains(m, "folding.csv:8: radius_m 'abc'")) << m;
  Write("folding.csv",
        "category_type,category,radius_m,window_min,same_grid\nevent,*,5,5,"
        "maybe\n");
  r = LoadFoldRules(dir_, categories_);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "same_grid 'maybe'"))
      << r.status();
  Write("folding.csv", "category_type,category,radius_m\nevent,*,5\n");
  r = LoadFoldRules(dir_, categories_);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "window_min"))
      << r.status();
}

TEST_F(FoldRulesFileTest, NewRulesRebuildTheIndex) {
  std::unique_ptr<CaseEngine> e = NewEngine();
  ReportSpec r;
  r.at = T("2026-11-27 09:00");
  const CaseRecord a = Intake(*e, r);
  r.lon = 80;
  EXPECT_EQ(Intake(*e, r).kind, RecordKind::kNewCase);  // 80 m > 50 m
  FoldRules wide;
  wide.SetDefault(CategoryType::kEvent,
                  FoldRule{100, absl::Minutes(60), false});
  EXPECT_EQ(e->SetFoldRules(wide).code(),
            absl::StatusCode::kFailedPrecondition);
  e->Commit();
  ASSERT_TRUE(e->SetFoldRules(wide).ok());
  EXPECT_TRUE(e->CheckInvariants().ok());
  r.lon = -90;  // 90 m from a, 170 m from the other
  EXPECT_EQ(Intake(*e, r).case_id, a.case_id);
}

}  // namespace
}  // namespace gridroute

// Copyright 2026 gridroute authors.
//
// Folding (并单) against a brute-force oracle that scans every case for the
// rule, plus the rule's edges one by one: window ageing, the watermark,
// component folding, same_grid, the tie break, the radius boundary.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <iterator>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cases/case_engine.h"
#include "cases_test_util.h"
#include "gtest/gtest.h"

namespace gridroute {
namespace {

using testing_cases::CloseCase;
using testing_cases::Intake;
using testing_cases::Move;
using testing_cases::NewEngine;
using testing_cases::ReportSpec;
using testing_cases::T;

int64_t Ns(absl::Time t) { return absl::ToUnixNanos(t); }

// ----------------------------------------------------------------- oracle

struct OracleCase {
  std::string id;
  CategoryType type;
  std::string category, component, grid;
  bool has_point;
  double lon, lat;
  double x, y;
  int64_t last;
  bool closed = false;
};

// The rule of fold_rules.h / case_engine.h, written as a scan.
struct Oracle {
  FoldRules rules;
  LocalPlane plane;
  std::vector<OracleCase> cases;
  // The watermark by its definition (cases/watermark.h): the latest report
  // time t with another report time in [t - step, t], over every report
  // applied (a sorted multiset here; the engine keeps only the pending
  // times).
  std::multiset<int64_t> times;
  int64_t step = absl::ToInt64Nanoseconds(CaseEngineOptions().watermark_step);
  int64_t watermark = std::numeric_limits<int64_t>::min();

  void See(int64_t t) {
    const auto it = times.insert(t);  // after any equal times
    if (it != times.begin() && t - *std::prev(it) <= step) watermark = std::max(watermark, t);
    const auto next = std::next(it);
    if (next != times.end() && *next - t <= step) watermark = std::max(watermark, *next);
  }

  // Index of the case `r` folds into, or -1.
  int Decide(const ReportSpec& r) const {
    const FoldRule& rule = rules.Find(r.type, r.category);
    const int64_t t = Ns(r.at);
    const int64_t min_last =
        std::max(t, watermark) - absl::ToInt64Nanoseconds(rule.window);
    double rx = 0, ry = 0;
    plane.ToMetres(r.lon, r.lat, &rx, &ry);
    int best = -1;
    double best_d2 = 0;
    for (size_t i = 0; i < cases.size(); ++i) {
      const OracleCase& c = cases[i];
      if (c.closed || c.type != r.type || c.category != r.category ||
          c.last < min_last)
        continue;
      if (!r.component.empty()) {
        if (c.component != r.component) continue;
        return static_cast<int>(i);  // the earliest filed
      }
      if (!r.has_point) return -1;
      if (!c.component.empty() || !c.has_point) continue;
      if (rule.same_grid && c.grid != r.grid) continue;
      const double ex = c.x - rx, ey = c.y - ry;
      const double d2 = ex * ex + ey * ey;
      if (d2 > rule.radius_m * rule.radius_m) continue;
      if (best < 0 || d2 < best_d2) best = static_cast<int>(i), best_d2 = d2;
    }
    return best;
  }

  void AddCase(const std::string& id, const ReportSpec& r) {
    OracleCase c{id,    r.type, r.category, r.component, r.grid,  r.has_point,
                 r.lon, r.lat,  0,          0,           Ns(r.at)};
    if (r.has_point) plane.ToMetres(r.lon, r.lat, &c.x, &c.y);
    cases.push_back(c);
    See(Ns(r.at));
  }
  void Fold(int i, const ReportSpec& r) {
    cases[i].last = std::max(cases[i].last, Ns(r.at));
    See(Ns(r.at));
  }
};

FoldRules TestRules() {
  FoldRules rules;
  rules.SetDefault(CategoryType::kEvent,
                   FoldRule{50, absl::Minutes(60), false});
  rules.Set(CategoryType::kEvent, "0501",
            FoldRule{30, absl::Minutes(20), true});
  rules.Set(CategoryType::kEvent, "0302", FoldRule{120, absl::Hours(3), false});
  rules.SetDefault(CategoryType::kComponent,
                   FoldRule{30, absl::Hours(2), false});
  return rules;
}

// Random reports over a 400 m square (projected) or the same around Suzhou
// (geographic), many of them exactly at an earlier case's point or exactly
// one radius away, with out-of-order times, gaps that age cases out,
// closures, reopenings, commits and rolled-back batches.
void RunOracle(uint32_t seed, LocalPlane plane, int steps) {
  SCOPED_TRACE(absl::StrCat("seed ", seed,
                            plane.geographic() ? " geographic" : " projected"));
  std::mt19937_64 rng(seed);
  std::unique_ptr<CaseEngine> engine = NewEngine(TestRules(), plane);
  Oracle oracle;
  oracle.rules = TestRules();
  oracle.plane = plane;
  auto uniform = [&](double a, double b) {
    return std::uniform_real_distribution<>(a, b)(rng);
  };
  auto chance = [&](double p) { return uniform(0, 1) < p; };
  const double lon0 = plane.geographic() ? 120.6 : 0,
               lat0 = plane.geographic() ? 31.3 : 0;
  const double unit = plane.geographic() ? 1e-5 : 1;  // ~1 m in degrees
  const std::vector<std::string> categories = {"0102", "0501", "0302"};
  absl::Time now = T("2026-11-27 08:00");

  // A batch applied but not committed, to roll back sometimes.
  Oracle saved = oracle;
  std::string saved_state = engine->DebugState();
  int folds = 0, news = 0, rollbacks = 0;

  for (int step = 0; step < steps; ++step) {
    if (chance(0.02)) {
      now += absl::Hours(3);  // everything ages out
    } else {
      now += absl::Seconds(static_cast<int>(uniform(0, 90)));
    }
    ReportSpec r;
    r.at = chance(0.1) ? now - absl::Seconds(static_cast<int>(uniform(0, 3600)))
                       : now;
    const int kind = static_cast<int>(uniform(0, 10));
    if (kind == 0) {
      r.type = CategoryType::kComponent;
      r.category = "0101";
      r.component = absl::StrCat("C", static_cast<int>(uniform(0, 12)));
      r.has_point = chance(0.5);
      r.lon = lon0 + uniform(0, 400) * unit;
      r.lat = lat0 + uniform(0, 400) * unit;
    } else {
      if (kind == 1) {
        r.type = CategoryType::kComponent;
        r.category = "0101";  // a point-only component report
      } else {
        r.category =
            categories[static_cast<size_t>(uniform(0, categories.size()))];
      }
      const double p = uniform(0, 1);
      if (p < 0.3 && !oracle.cases.empty()) {
        const OracleCase& c =
            oracle.cases[static_cast<size_t>(uniform(0, oracle.cases.size()))];
        // Exactly an earlier report's point (ties), or a 3-4-5 offset from
        // it: exactly 50 m in the projected plane.
        const bool same = chance(0.5);
        r.lon = c.lon + (same ? 0 : 30 * unit);
        r.lat = c.lat + (same ? 0 : 40 * unit);
      } else {
        r.lon = lon0 + std::round(uniform(0, 400)) * unit;
        r.lat = lat0 + std::round(uniform(0, 400)) * unit;
      }
    }
    // Grids of 100 x 100 m.
    double gx, gy;
    plane.ToMetres(r.lon - lon0, r.lat - lat0, &gx, &gy);
    r.grid = absl::StrCat("g", static_cast<int>(std::floor(gx / 100)), "_",
                          static_cast<int>(std::floor(gy / 100)));

    const int expect = oracle.Decide(r);
    CaseRecord rec;
    ASSERT_TRUE(engine->Decide(r.Get(), &rec).ok());
    if (expect >= 0) {
      ASSERT_EQ(rec.kind, RecordKind::kFold) << "step " << step;
      ASSERT_EQ(rec.case_id, oracle.cases[expect].id) << "step " << step;
      oracle.Fold(expect, r);
      ++folds;
    } else {
      ASSERT_EQ(rec.kind, RecordKind::kNewCase) << "step " << step;
      oracle.AddCase(rec.case_id, r);
      ++news;
    }
    ASSERT_TRUE(engine->Apply(rec).ok());

    // Lifecycle: close an open case, or reopen a closed one.
    if (chance(0.05)) {
      OracleCase& c =
          oracle.cases[static_cast<size_t>(uniform(0, oracle.cases.size()))];
      CaseView v;
      ASSERT_TRUE(engine->store().Get(c.id, &v).ok());
      const absl::Time at = std::max(
          now, v.history.empty() ? v.first_report : v.history.back().at);
      if (!c.closed) {
        CloseCase(*engine, c.id, at);
        c.closed = true;
      } else {
        ASSERT_TRUE(Move(*engine, c.id, CaseState::kReopened, at).ok());
        c.closed = false;
      }
    }
    if (chance(0.05)) {
      if (chance(0.3)) {
        engine->Rollback();
        oracle = saved;
        ASSERT_EQ(engine->DebugState(), saved_state);
        ++rollbacks;
      } else {
        engine->Commit();
        saved = oracle;
        saved_state = engine->DebugState();
      }
      ASSERT_TRUE(engine->CheckInvariants().ok()) << engine->CheckInvariants();
    }
  }
  EXPECT_GT(folds, steps / 10);
  EXPECT_GT(news, steps / 20);
  EXPECT_GT(rollbacks, 0);
  engine->Commit();
  EXPECT_TRUE(engine->CheckInvariants().ok()) << engine->CheckInvariants();
}

TEST(FoldOracleTest, ProjectedMatchesBruteForce) {
  for (uint32_t seed = 1; seed <= 6; ++seed)
    RunOracle(seed, LocalPlane::Projected(), 3000);
}

TEST(FoldOracleTest, GeographicMatchesBruteForce) {
  for (uint32_t seed = 11; seed <= 13; ++seed) {
    RunOracle(seed, LocalPlane::Geographic(31.3), 3000);
  }
}

// ------------------------------------------------------------ rule edges

TEST(FoldTest, WindowCountsFromTheLastReport) {
  std::unique_ptr<CaseEngine> e = NewEngine();
  ReportSpec r;
  r.at = T("2026-11-27 09:00");
  const CaseRecord first = Intake(*e, r);
  ASSERT_EQ(first.kind, RecordKind::kNewCase);
  r.lon = 10;
  r.at = T("2026-11-27 09:59");
  CaseRecord rec = Intake(*e, r);
  EXPECT_EQ(rec.kind, RecordKind::kFold);
  EXPECT_EQ(rec.case_id, first.case_id);
  EXPECT_EQ(rec.report_count, 2);
  // 60 minutes after the last report (09:59), not the first: still folds.
  r.at = T("2026-11-27 10:59");
  rec = Intake(*e, r);
  EXPECT_EQ(rec.kind, RecordKind::kFold);
  EXPECT_EQ(rec.report_count, 3);
  // 60 min + 1 s: a new case.
  r.at = T("2026-11-27 11:59:01");
  rec = Intake(*e, r);
  EXPECT_EQ(rec.kind, RecordKind::kNewCase);
  EXPECT_NE(rec.case_id, first.case_id);
}

TEST(FoldTest, CasesAgeOutOfTheIndexButStayInTheStore) {
  std::unique_ptr<CaseEngine> e = NewEngine();
  ReportSpec r;
  for (int i = 0; i < 10; ++i) {
    r.lon = i * 1000;
    r.at = T("2026-11-27 09:00") + absl::Minutes(i);
    Intake(*e, r);
  }
  e->Commit();
  EXPECT_EQ(e->fold_index_size(), 10u);
  // One report elsewhere two hours later does not move the watermark on
  // its own (it could be a wrong clock): nothing ages out...
  r.lon = 50000;
  r.at = T("2026-11-27 11:30");
  Intake(*e, r);
  e->Commit();
  EXPECT_EQ(e->fold_index_size(), 11u);
  EXPECT_EQ(e->watermark(), T("2026-11-27 09:09"));
  // ...a second one within 15 minutes of it confirms the jump, and the
  // watermark moves past every window.
  r.lon = 60000;
  r.at = T("2026-11-27 11:31");
  Intake(*e, r);
  EXPECT_EQ(e->watermark(), T("2026-11-27 11:31"));
  // Before Commit nothing is dropped (Undo may still need it)...
  EXPECT_EQ(e->fold_index_size(), 12u);
  e->Commit();
  // ...after it only the two new cases remain foldable.
  EXPECT_EQ(e->fold_index_size(), 2u);
  EXPECT_EQ(e->store().size(), 12u);
  EXPECT_EQ(e->store().open(), 12u);
  EXPECT_TRUE(e->CheckInvariants().ok());
  // A late report (report time 09:05) next to case 0 does not fold either:
  // the watermark (11:31) is more than the window past that case's last report.
  r.lon = 0;
  r.at = T("2026-11-27 09:05");
  CaseRecord rec;
  ASSERT_TRUE(e->Decide(r.Get(), &rec).ok());
  EXPECT_EQ(rec.kind, RecordKind::kNewCase);
}

// Issue 17: one report stamped in 2199 (a camera with a wrong clock) moved
// the watermark there, so no later report ever folded again, city-wide;
// and a restart kept it so, since the journal replays the watermark. Now
// a lone outlier time, as a report or as an old snapshot's watermark
// record, never moves the watermark: later ordinary reports fold, and do
// so again in an engine rebuilt from the records.
TEST(FoldTest, AnOutlierTimeNeverStopsFolding) {
  for (const bool outlier_first : {true, false}) {
    SCOPED_TRACE(outlier_first ? "the outlier is the first report" : "after ordinary ones");
    std::unique_ptr<CaseEngine> e = NewEngine();
    std::vector<std::string> journal;
    auto apply = [&](const CaseRecord& rec) {
      ASSERT_TRUE(e->Apply(rec).ok());
      rec.Encode(&journal.emplace_back());
      e->Commit();
    };
    auto intake = [&](ReportSpec& r) {
      CaseRecord rec;
      EXPECT_TRUE(e->Decide(r.Get(), &rec).ok());
      apply(rec);
      return rec;
    };
    ReportSpec r;
    if (!outlier_first) {
      r.lon = 3000;
      r.at = T("2026-11-27 08:00");
      intake(r);
      r.at = T("2026-11-27 08:01");
      intake(r);
    }
    r.lon = 9000;
    r.at = T("2199-12-31 23:00");
    ASSERT_EQ(intake(r).kind, RecordKind::kNewCase);
    CaseRecord old_snapshot_watermark;
    old_snapshot_watermark.kind = RecordKind::kWatermark;
    old_snapshot_watermark.watermark = T("2199-12-31 23:30");
    apply(old_snapshot_watermark);
    EXPECT_LT(e->watermark(), T("2027-01-01 00:00"));

    // Two ordinary reports of one problem, a minute apart: they fold.
    r.lon = 0;
    r.at = T("2026-11-27 09:00");
    const CaseRecord a = intake(r);
    ASSERT_EQ(a.kind, RecordKind::kNewCase);
    r.lon = 10;
    r.at = T("2026-11-27 09:01");
    const CaseRecord b = intake(r);
    EXPECT_EQ(b.kind, RecordKind::kFold);
    EXPECT_EQ(b.case_id, a.case_id);
    EXPECT_TRUE(e->CheckInvariants().ok()) << e->CheckInvariants();

    // The same records replayed into a fresh engine (a restart).
    std::unique_ptr<CaseEngine> back = NewEngine();
    CaseRecord rec;
    for (const std::string& bytes : journal) {
      ASSERT_TRUE(rec.Decode(bytes).ok());
      ASSERT_TRUE(back->Apply(rec).ok());
    }
    back->Commit();
    EXPECT_EQ(back->DebugState(), e->DebugState());
    r.lon = 5;
    r.at = T("2026-11-27 09:02");
    ASSERT_TRUE(back->Decide(r.Get(), &rec).ok());
    EXPECT_EQ(rec.kind, RecordKind::kFold);
    EXPECT_EQ(rec.case_id, a.case_id);
    EXPECT_EQ(rec.report_count, 3);
  }
}

TEST(FoldTest, LateReportFoldsWhileTheWatermarkAllows) {
  std::unique_ptr<CaseEngine> e = NewEngine();
  ReportSpec r;
  r.at = T("2026-11-27 09:30");
  const CaseRecord first = Intake(*e, r);
  // Reported at 09:00 (earlier than the case), arriving now: folds.
  r.at = T("2026-11-27 09:00");
  CaseRecord rec = Intake(*e, r);
  EXPECT_EQ(rec.kind, RecordKind::kFold);
  CaseView v;
  ASSERT_TRUE(e->store().Get(first.case_id, &v).ok());
  EXPECT_EQ(v.first_report, T("2026-11-27 09:30"));  // the filing time stays
  EXPECT_EQ(v.last_report, T("2026-11-27 09:30"));   // the latest report time
  EXPECT_EQ(v.report_count, 2);
}

TEST(FoldTest, RadiusIsInclusiveAndMeasuredFromTheFirstReport) {
  std::unique_ptr<CaseEngine> e = NewEngine();
  ReportSpec r;
  r.at = T("2026-11-27 09:00");
  const CaseRecord first = Intake(*e, r);
  r.lon = 30;
  r.lat = 40;  // exactly 50 m
  EXPECT_EQ(Intake(*e, r).kind, RecordKind::kFold);
  r.lon = 60;
  r.lat = 80;  // 50 m from the last report, 100 m from the case: new
  EXPECT_EQ(Intake(*e, r).kind, RecordKind::kNewCase);
  r.lon = 0;
  r.lat = 50.001;  // just outside the first case, 67 m from the second
  EXPECT_EQ(Intake(*e, r).kind, RecordKind::kNewCase);
  r.lon = 30;
  r.lat = 75;  // 80.8 m from the first case, 30.4 m from the second (60,80)
  CaseRecord rec;
  ASSERT_TRUE(e->Decide(r.Get(), &rec).ok());
  EXPECT_EQ(rec.kind, RecordKind::kFold);
  EXPECT_NE(rec.case_id, first.case_id);
}

TEST(FoldTest, TiesGoToTheNearestThenTheEarliestFiled) {
  std::unique_ptr<CaseEngine> e = NewEngine();
  ReportSpec r;
  r.at = T("2026-11-27 09:00");
  const CaseRecord a = Intake(*e, r);
  r.lon = 100;
  const CaseRecord b = Intake(*e, r);
  ASSERT_EQ(b.kind, RecordKind::kNewCase);
  r.lon = 50;  // 50 m from both
  EXPECT_EQ(Intake(*e, r).case_id, a.case_id);
  r.lon = 51;  // nearer b
  EXPECT_EQ(Intake(*e, r).case_id, b.case_id);
}

TEST(FoldTest, CategoriesAndTypesNeverMix) {
  std::unique_ptr<CaseEngine> e = NewEngine();
  ReportSpec r;
  r.at = T("2026-11-27 09:00");
  Intake(*e, r);
  r.category = "0103";
  EXPECT_EQ(Intake(*e, r).kind, RecordKind::kNewCase);
  r.type = CategoryType::kComponent;
  r.category = "0102";  // same code, component type: another category
  EXPECT_EQ(Intake(*e, r).kind, RecordKind::kNewCase);
}

TEST(FoldTest, ComponentReportsFoldOnTheComponent) {
  std::unique_ptr<CaseEngine> e = NewEngine();
  ReportSpec r;
  r.type = CategoryType::kComponent;
  r.category = "0101";
  r.component = "3205080101000001";
  r.at = T("2026-11-27 09:00");
  const CaseRecord first = Intake(*e, r);
  // Far away (a wrong GPS fix) but the same manhole cover: folds.
  r.lon = 5000;
  CaseRecord rec = Intake(*e, r);
  EXPECT_EQ(rec.kind, RecordKind::kFold);
  EXPECT_EQ(rec.case_id, first.case_id);
  // Without a point at all: folds.
  r.has_point = false;
  EXPECT_EQ(Intake(*e, r).case_id, first.case_id);
  // Another cover at the same spot: a new case.
  r.has_point = true;
  r.lon = 0;
  r.component = "3205080101000002";
  EXPECT_EQ(Intake(*e, r).kind, RecordKind::kNewCase);
  // A point-only report of the category at the spot does not fold into the
  // component cases (it does not say which cover).
  r.component.clear();
  EXPECT_EQ(Intake(*e, r).kind, RecordKind::kNewCase);
  // ...and a component report does not fold into that point case.
  r.component = "3205080101000003";
  EXPECT_EQ(Intake(*e, r).kind, RecordKind::kNewCase);
  // The component window (24 h by default) counts from the last report.
  r.component = "3205080101000001";
  r.at = T("2026-11-28 08:59");
  EXPECT_EQ(Intake(*e, r).case_id, first.case_id);
  r.at = T("2026-11-29 09:00");
  EXPECT_EQ(Intake(*e, r).kind, RecordKind::kNewCase);
}

TEST(FoldTest, SameGridKeepsNeighbouringGridsApart) {
  FoldRules rules;
  rules.Set(CategoryType::kEvent, "0501",
            FoldRule{50, absl::Minutes(60), true});
  std::unique_ptr<CaseEngine> e = NewEngine(rules);
  ReportSpec r;
  r.category = "0501";
  r.grid = "g1";
  r.at = T("2026-11-27 09:00");
  const CaseRecord first = Intake(*e, r);
  r.lon = 10;
  r.grid = "g2";  // 10 m away, across the boundary
  EXPECT_EQ(Intake(*e, r).kind, RecordKind::kNewCase);
  r.grid = "g1";
  EXPECT_EQ(Intake(*e, r).case_id, first.case_id);
  r.grid = "g9";  // a grid never seen
  EXPECT_EQ(Intake(*e, r).kind, RecordKind::kNewCase);
  // Outside coverage (no grid) folds only with outside-coverage cases.
  r.grid = "";
  r.lon = 1000;
  const CaseRecord outside = Intake(*e, r);
  EXPECT_EQ(outside.kind, RecordKind::kNewCase);
  r.lon = 1005;
  EXPECT_EQ(Intake(*e, r).case_id, outside.case_id);
  // Without same_grid (the default rule) the grid does not matter.
  r.category = "0102";
  r.grid = "g1";
  r.lon = 0;
  const CaseRecord c = Intake(*e, r);
  r.grid = "g2";
  EXPECT_EQ(Intake(*e, r).case_id, c.case_id);
}

TEST(FoldTest, ClosedCasesDoNotFoldReopenedOnesDo) {
  std::unique_ptr<CaseEngine> e = NewEngine();
  ReportSpec r;
  r.at = T("2026-11-27 09:00");
  const CaseRecord first = Intake(*e, r);
  CloseCase(*e, first.case_id, T("2026-11-27 09:10"));
  r.at = T("2026-11-27 09:20");
  const CaseRecord second = Intake(*e, r);
  EXPECT_EQ(second.kind, RecordKind::kNewCase);
  CloseCase(*e, second.case_id, T("2026-11-27 09:25"));
  ASSERT_TRUE(
      Move(*e, first.case_id, CaseState::kReopened, T("2026-11-27 09:30"))
          .ok());
  r.at = T("2026-11-27 09:40");
  EXPECT_EQ(Intake(*e, r).case_id, first.case_id);
  EXPECT_TRUE(e->CheckInvariants().ok());
}

TEST(FoldTest, ReportWithoutPointOrComponentFilesANewCase) {
  std::unique_ptr<CaseEngine> e = NewEngine();
  ReportSpec r;
  r.at = T("2026-11-27 09:00");
  r.has_point = false;
  EXPECT_EQ(Intake(*e, r).kind, RecordKind::kNewCase);
  EXPECT_EQ(Intake(*e, r).kind, RecordKind::kNewCase);
}

TEST(FoldTest, BadReportsNameTheField) {
  std::unique_ptr<CaseEngine> e =
      NewEngine(FoldRules(), LocalPlane::Geographic(31.3));
  CaseRecord rec;
  auto expect = [&](ReportSpec r, absl::string_view field) {
    const absl::Status s = e->Decide(r.Get(), &rec);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << field;
    EXPECT_TRUE(absl::StartsWith(s.message(), field)) << s;
  };
  ReportSpec ok;
  ok.lon = 120.6;
  ok.lat = 31.3;
  ok.at = T("2026-11-27 09:00");
  ASSERT_TRUE(e->Decide(ok.Get(), &rec).ok());
  ReportSpec r = ok;
  r.category = "";
  expect(r, "category");
  r = ok;
  r.at = absl::InfinitePast();
  expect(r, "reported_at");
  r = ok;
  r.at = absl::FromCivil(absl::CivilSecond(2300, 1, 1, 0, 0, 0),
                         absl::UTCTimeZone());
  expect(r, "reported_at");
  r = ok;
  r.due = absl::InfinitePast();
  expect(r, "due");
  r = ok;
  r.lon = 181;
  expect(r, "point");
  r = ok;
  r.lat = std::nan("");
  expect(r, "point");
  r = ok;
  r.chain.clear();
  expect(r, "district");
  r = ok;
  r.district = "11-01";
  expect(r, "district");
  r = ok;
  r.source_id = std::string(300, 'x');
  expect(r, "source_id");
}

TEST(FoldTest, IntakeBatchEqualsDecideApplyOneByOne) {
  std::unique_ptr<CaseEngine> batch = NewEngine(TestRules());
  std::unique_ptr<CaseEngine> single = NewEngine(TestRules());
  std::mt19937_64 rng(17);
  absl::Time now = T("2026-11-27 08:00");
  for (int round = 0; round < 40; ++round) {
    std::vector<ReportSpec> specs(1 + rng() % 300);
    for (ReportSpec& r : specs) {
      now += absl::Seconds(static_cast<int>(rng() % 30));
      r.at = now;
      r.category = rng() % 2 ? "0102" : "0302";
      r.lon = static_cast<double>(rng() % 600);
      r.lat = static_cast<double>(rng() % 600);
      if (rng() % 10 == 0) {
        r.type = CategoryType::kComponent;
        r.category = "0101";
        r.component = absl::StrCat("C", rng() % 7);
      }
      if (rng() % 50 == 0) r.category.clear();  // a bad report mid-batch
    }
    std::vector<Report> reports;
    for (ReportSpec& r : specs) reports.push_back(r.Get());
    std::vector<CaseRecord> out;
    std::vector<absl::Status> status;
    const size_t applied = batch->IntakeBatch(reports, &out, &status);
    size_t ok = 0;
    for (size_t i = 0; i < reports.size(); ++i) {
      CaseRecord rec;
      absl::Status s = single->Decide(reports[i], &rec);
      if (s.ok()) s = single->Apply(rec);
      ASSERT_EQ(s.code(), status[i].code()) << i;
      if (!s.ok()) continue;
      ++ok;
      std::string a, b;
      rec.Encode(&a);
      out[i].Encode(&b);
      ASSERT_EQ(a, b) << "round " << round << " report " << i;
    }
    EXPECT_EQ(applied, ok);
    if (round % 3 == 0) {
      batch->Rollback();
      single->Rollback();
    } else {
      batch->Commit();
      single->Commit();
    }
    ASSERT_EQ(batch->DebugState(), single->DebugState());
  }
  EXPECT_GT(batch->store().size(), 100u);
}

TEST(FoldTest, EngineNeedsAPlane) {
  CaseEngineOptions o;
  absl::StatusOr<std::unique_ptr<CaseEngine>> e = CaseEngine::Create(o);
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(e.status().message(), "options.plane"));
  o.plane = LocalPlane::Geographic(89);
  EXPECT_FALSE(CaseEngine::Create(o).ok());
}

}  // namespace
}  // namespace gridroute

// Copyright 2026 gridroute authors.
//
// BM_Fold/<open cases>: the intake cost of one routed report in the case
// engine (engine/cases/case_engine.h): Decide (fold into an open case or
// file a new one) + Apply, with a Commit every kBatch reports as the
// service does after each journal append (the journal itself is not
// timed). BM_FoldBatch/<open cases>: the same through IntakeBatch, 256
// reports per call (a RouteStream batch). BM_FoldDecide/<open cases>:
// Decide alone (a read-only what-if).
//
//   build/bin/gridroute_bench --benchmark_filter=BM_Fold
//
// The city: <open cases> open problems, one per cell of a 100 m lattice
// (one per ~10,000 m², the size of a unit grid), jittered so that any two
// are at least 52 m apart, around Suzhou in lon/lat; 8 event categories;
// fold radius 50 m, window 60 min. Detections: 98% see a random open
// problem again (a camera, up to 10 m off: a fold), 2% a new problem on
// the next free lattice cell (a new case). The city keeps <open cases>
// open: each new case closes the oldest open one (5 lifecycle transitions,
// inside the timing: ~0.1 transitions per report). Report times advance
// 1 us per detection, so nothing ages out.
// Counters: items_per_second = reports/s; new_case_pct; open_cases.
//
// Memory: ~0.6 KB per open case (1M cases: ~0.6 GB).
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "cases/case_engine.h"

namespace gridroute::bench {
namespace {

constexpr int kBatch = 256;  // reports per Commit
constexpr int kCategories = 8;
constexpr uint32_t kNewPer1024 = 20;  // ~2% new problems
constexpr double kLon0 = 120.3, kLat0 = 31.0;
constexpr double kMPerDegLon = 95'300, kMPerDegLat = 110'900;  // near 31.3 N
constexpr size_t kJitters = 4096;

struct Site {
  double lon, lat;
  int32_t cat;
  std::string id;  // its open case
};

struct City {
  std::unique_ptr<CaseEngine> engine;
  std::vector<std::string> category_codes;
  std::vector<Site> ring;  // the open problems; ring[head] is the oldest
  size_t head = 0;
  int64_t side = 0;                               // lattice cells per row
  int64_t next_cell = 0;                          // the next free lattice cell
  std::vector<std::pair<double, double>> jitter;  // degrees, within 10 m
  absl::Time now;
  uint64_t rng = 88172645463325252ull;
};

uint64_t Next(uint64_t& x) {  // xorshift64
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return x;
}

Site NewSite(City& city) {
  const int64_t i = city.next_cell++;
  uint64_t& x = city.rng;
  const double fx = (Next(x) >> 11) * 0x1.0p-53,
               fy = (Next(x) >> 11) * 0x1.0p-53;
  const double mx = static_cast<double>(i % city.side) * 100.0 + 26 + 48 * fx;
  const double my = static_cast<double>(i / city.side) * 100.0 + 26 + 48 * fy;
  return Site{kLon0 + mx / kMPerDegLon, kLat0 + my / kMPerDegLat,
              static_cast<int32_t>(Next(x) % kCategories), std::string()};
}

// The report template; reused, only the point, category and time change.
struct ReportTemplate {
  const absl::string_view chain[3] = {"320508", "320508001", "320508001001"};
  Report r;
  ReportTemplate() {
    r.chain = chain;
    r.grid = "320508001001001";
    r.lead = "D0107";
    r.source = ReportSource::kVideo;
    r.source_id = "cam-1";
  }
};

bool FileNew(City& city, Report& r, CaseRecord& rec, Site& site) {
  r.category = city.category_codes[site.cat];
  r.lon = site.lon;
  r.lat = site.lat;
  if (!city.engine->Decide(r, &rec).ok() || rec.kind != RecordKind::kNewCase ||
      !city.engine->Apply(rec).ok()) {
    return false;
  }
  site.id = rec.case_id;
  return true;
}

bool CloseOldest(City& city, CaseRecord& rec) {
  Transition t;
  t.case_id = city.ring[city.head].id;
  t.actor = "dept";
  t.at = city.now;
  for (CaseState s :
       {CaseState::kDispatched, CaseState::kAccepted, CaseState::kHandled,
        CaseState::kVerified, CaseState::kClosed}) {
    t.to = s;
    if (!city.engine->DecideTransition(t, &rec).ok() ||
        !city.engine->Apply(rec).ok()) {
      return false;
    }
  }
  return true;
}

// Built once per size and kept (1M cases take a few seconds to set up);
// every run leaves it with the same number of open cases.
City& GetCity(int64_t open_cases) {
  static auto* cities = new std::map<int64_t, std::unique_ptr<City>>();
  std::unique_ptr<City>& slot = (*cities)[open_cases];
  if (slot) return *slot;
  slot = std::make_unique<City>();
  City& city = *slot;
  CaseEngineOptions options;
  options.plane = LocalPlane::Geographic(31.3);
  city.engine = std::move(CaseEngine::Create(std::move(options))).value();
  for (int c = 0; c < kCategories; ++c)
    city.category_codes.push_back(absl::StrCat("01", c, "2"));
  city.side = static_cast<int64_t>(
      std::ceil(std::sqrt(static_cast<double>(open_cases))));
  city.now = absl::FromCivil(absl::CivilSecond(2026, 11, 30, 9, 0, 0),
                             absl::FixedTimeZone(8 * 3600));
  ReportTemplate t;
  t.r.reported_at = city.now;
  CaseRecord rec;
  city.ring.reserve(open_cases);
  for (int64_t i = 0; i < open_cases; ++i) {
    city.ring.push_back(NewSite(city));
    if (!FileNew(city, t.r, rec, city.ring.back())) {
      std::fprintf(stderr, "fold_bench: setup failed at case %lld\n",
                   static_cast<long long>(i));
      std::abort();
    }
    if (i % kBatch == 0) city.engine->Commit();
  }
  city.engine->Commit();
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u01(0, 1);
  for (size_t i = 0; i < kJitters; ++i) {
    const double a = u01(rng) * 2 * M_PI, m = 10 * std::sqrt(u01(rng));
    city.jitter.emplace_back(m * std::cos(a) / kMPerDegLon,
                             m * std::sin(a) / kMPerDegLat);
  }
  return city;
}

void BM_Fold(benchmark::State& state) {
  City& city = GetCity(state.range(0));
  CaseEngine& engine = *city.engine;
  const size_t n = city.ring.size();
  ReportTemplate t;
  Report& r = t.r;
  CaseRecord rec;
  int64_t news = 0;
  int in_batch = 0;
  uint64_t x = Next(city.rng);
  for (auto _ : state) {
    const uint64_t pick = x;
    x = Next(city.rng);
    __builtin_prefetch(&city.ring[(x >> 20) % n]);
    city.now += absl::Microseconds(1);
    r.reported_at = city.now;
    if ((pick & 1023) < kNewPer1024) {
      // A new problem: file it, and the city closes its oldest case.
      Site site = NewSite(city);
      if (!FileNew(city, r, rec, site) || !CloseOldest(city, rec)) {
        state.SkipWithError("new case failed");
        break;
      }
      city.ring[city.head] = std::move(site);
      if (++city.head == n) city.head = 0;
      ++news;
    } else {
      const Site& s = city.ring[(pick >> 20) % n];
      const auto& j = city.jitter[(pick >> 10) & (kJitters - 1)];
      r.category = city.category_codes[s.cat];
      r.lon = s.lon + j.first;
      r.lat = s.lat + j.second;
      if (!engine.Decide(r, &rec).ok() || !engine.Apply(rec).ok()) {
        state.SkipWithError("fold failed");
        break;
      }
    }
    if (++in_batch == kBatch) {
      engine.Commit();
      in_batch = 0;
    }
  }
  engine.Commit();
  state.SetItemsProcessed(state.iterations());
  state.counters["new_case_pct"] =
      state.iterations() > 0 ? 100.0 * news / state.iterations() : 0;
  state.counters["open_cases"] = static_cast<double>(engine.store().open());
}

void BM_FoldDecide(benchmark::State& state) {
  City& city = GetCity(state.range(0));
  const CaseEngine& engine = *city.engine;
  const size_t n = city.ring.size();
  ReportTemplate t;
  Report& r = t.r;
  r.reported_at = city.now;
  CaseRecord rec;
  int64_t folds = 0;
  uint64_t x = Next(city.rng);
  for (auto _ : state) {
    const uint64_t pick = x;
    x = Next(city.rng);
    __builtin_prefetch(&city.ring[(x >> 20) % n]);
    const Site& s = city.ring[(pick >> 20) % n];
    const auto& j = city.jitter[(pick >> 10) & (kJitters - 1)];
    r.category = city.category_codes[s.cat];
    r.lon = s.lon + j.first;
    r.lat = s.lat + j.second;
    if (!engine.Decide(r, &rec).ok()) {
      state.SkipWithError("decide failed");
      break;
    }
    folds += rec.kind == RecordKind::kFold;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["fold_pct"] =
      state.iterations() > 0 ? 100.0 * folds / state.iterations() : 0;
}

// The same stream through CaseEngine::IntakeBatch, kBatch reports per call
// (a RouteStream batch), which prefetches a few reports ahead.
void BM_FoldBatch(benchmark::State& state) {
  City& city = GetCity(state.range(0));
  CaseEngine& engine = *city.engine;
  const size_t n = city.ring.size();
  std::vector<ReportTemplate> batch(kBatch);
  std::vector<Site> fresh;  // new problems of this batch, by report index
  std::vector<int> fresh_of(kBatch);
  std::vector<CaseRecord> records;
  std::vector<absl::Status> status;
  CaseRecord rec;
  int64_t news = 0, reports = 0;
  for (auto _ : state) {
    fresh.clear();
    for (int i = 0; i < kBatch; ++i) {
      const uint64_t pick = Next(city.rng);
      Report& r = batch[i].r;
      city.now += absl::Microseconds(1);
      r.reported_at = city.now;
      fresh_of[i] = -1;
      if ((pick & 1023) < kNewPer1024) {
        fresh_of[i] = static_cast<int>(fresh.size());
        fresh.push_back(NewSite(city));
        const Site& s = fresh.back();
        r.category = city.category_codes[s.cat];
        r.lon = s.lon;
        r.lat = s.lat;
      } else {
        const Site& s = city.ring[(pick >> 20) % n];
        const auto& j = city.jitter[(pick >> 10) & (kJitters - 1)];
        r.category = city.category_codes[s.cat];
        r.lon = s.lon + j.first;
        r.lat = s.lat + j.second;
      }
    }
    std::vector<Report> reports_view;  // small: 256 x ~150 bytes
    reports_view.reserve(kBatch);
    for (const ReportTemplate& t : batch) reports_view.push_back(t.r);
    if (engine.IntakeBatch(reports_view, &records, &status) !=
        static_cast<size_t>(kBatch)) {
      state.SkipWithError("intake failed");
      break;
    }
    engine.Commit();
    for (int i = 0; i < kBatch; ++i) {
      if (fresh_of[i] < 0) continue;
      if (records[i].kind != RecordKind::kNewCase || !CloseOldest(city, rec)) {
        state.SkipWithError("new case failed");
        return;
      }
      Site& s = fresh[fresh_of[i]];
      s.id = records[i].case_id;
      city.ring[city.head] = std::move(s);
      if (++city.head == n) city.head = 0;
      ++news;
    }
    engine.Commit();
    reports += kBatch;
  }
  state.SetItemsProcessed(reports);
  state.counters["new_case_pct"] = reports > 0 ? 100.0 * news / reports : 0;
  state.counters["open_cases"] = static_cast<double>(engine.store().open());
}

BENCHMARK(BM_Fold)->Arg(1000)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(BM_FoldBatch)->Arg(1000)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(BM_FoldDecide)->Arg(1000)->Arg(100'000)->Arg(1'000'000);

}  // namespace
}  // namespace gridroute::bench

// Copyright 2026 gridroute authors.
//
// gridroute_bench: the engine's locator beside its peers, on the same points.
//
//   build/bin/gridroute_bench --bench_sizes=2000,200000
//       --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// Benchmarks, per grid count N (names are stable so runs compare):
//   BM_Build_<Impl>/N          index build time; counter bytes_per_grid
//                              (Gridroute: the whole LoadPack is timed;
//                              counters parse_s, validate_s, index_s and
//                              locator_build_s, the cell locator rebuilt
//                              alone from the loaded geometry)
//   BM_Locate_<Impl>/N         one point per call, 1 and 2 threads sharing the
//                              read-only index; items_per_second = points/s
//   BM_LocateBatch_Gridroute/N Locator::LocateBatch, kBatch points per call
//   BM_Route_Gridroute/N       Router::Route (locate + rule + team + deadline)
//                              on the same points as BM_Locate_Gridroute/N,
//                              one reused Decision per thread
//   BM_CrsConvert/<crs>        gcj02 -> wgs84 and bd09 -> wgs84 (geo/crs.h) on
//                              the city's points expressed in that CRS
//   BM_MemoryLatency/chains:C  ns per DRAM miss: a dependent pointer chase
//                              over 1 GiB (C = 1), 16 chases interleaved
//                              (C = 16); memory_latency.cc
// with Impl in Gridroute (the snapshot's own locator), BoostRtree, Geos, S2
// (bench/peer.h). Every timed call starts from the same lon/lat doubles:
// Gridroute quantizes them, S2 converts them to S2Points, GEOS wraps them in a
// Point, so each figure is the cost a caller holding coordinates pays.
//
// Correctness gate: when a dataset is first needed, before any of its
// benchmarks is timed, every implementation answers every timed point plus
// 10% extra points over the padded bounding box (some outside coverage). Any
// disagreement aborts the run (exit 3) — except S2 within 1 mm of a boundary
// (geodesic vs straight edges), which is verified with the engine's own
// distance (index/snap.h), counted and printed.
//
// Sizes: --bench_sizes=2000,200000 or $GRIDROUTE_BENCH_SIZES (default
// 2000,200000,2000000; up to 12,000,000, above 5M a province of 2M-grid
// cities, bench_data.h). --bench_prepare_only generates the packs and exits.
// --bench_load_only loads each pack once in a fresh process and prints the
// load time, Snapshot::MemoryBytes and the process's resident and peak
// memory, then exits. --bench_snapshot_file loads every dataset from its
// pack compiled to <pack>.grsnap (compiled on first use, which costs a
// directory load: run --bench_prepare_only --bench_snapshot_file before
// --bench_load_only to time the file's load alone); BM_Build_Gridroute still
// times the directory load. --bench_peers=BoostRtree,S2 limits the peers (gate and
// benchmarks) to those named (default all; "none" for none): at 10M grids
// GEOS and S2 would need tens of GB.
// Data: $GRIDROUTE_BENCH_DATA (default <build>/bench-data), see bench_data.h.
//
// Memory: one dataset and at most one peer are alive at a time (2M grids:
// ~1 GB snapshot + the largest peer, GEOS, a few GB).
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "bench_data.h"
#include "common/csv.h"
#include "common/process_memory.h"
#include "geo/crs.h"
#include "index/cell_locator.h"
#include "index/locator.h"
#include "index/snap.h"
#include "memory_latency.h"
#include "peer.h"
#include "route/router.h"
#include "snapshot/snapshot.h"

namespace gridroute::bench {
namespace {

// Points per LocateBatch call (the design target is stated for >= 64).
constexpr size_t kBatch = 256;
// S2's geodesic edges may put a point within this distance of a boundary on
// the other side (metres).
constexpr double kS2Tolerance_m = 0.001;
// Distinct event profiles (category, urgency, report time) drawn from the
// pack's events.csv for BM_Route_Gridroute; point i gets profile i % this.
constexpr size_t kRouteProfiles = 4096;
// Points converted by BM_CrsConvert (a prefix of the dataset's points).
constexpr size_t kCrsPoints = 100'000;

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "gridroute_bench: %s\n", message.c_str());
  std::fflush(stderr);
  std::exit(3);
}

enum class PeerKind { kBoostRtree, kGeos, kS2 };

struct PeerInfo {
  PeerKind kind;
  const char* name;
  std::unique_ptr<PeerIndex> (*build)(const GridGeometry&, const Quantizer&);
};

// --bench_peers: the peers to gate and time (empty: all).
std::string g_peer_filter;
// --bench_snapshot_file: datasets load from <pack>.grsnap (compiled once).
bool g_snapshot_file = false;

bool PeerEnabled(const PeerInfo& info) {
  if (g_peer_filter.empty()) return true;
  for (absl::string_view name : absl::StrSplit(g_peer_filter, ',')) {
    if (name == info.name) return true;
  }
  return false;
}

const std::vector<PeerInfo>& Peers() {
  static const std::vector<PeerInfo> peers = {
      {PeerKind::kBoostRtree, "BoostRtree", &BuildBoostRtreePeer},
      {PeerKind::kGeos, "Geos", &BuildGeosPeer},
      {PeerKind::kS2, "S2", &BuildS2Peer},
  };
  return peers;
}

// One loaded dataset: the pack, its snapshot, the timed points and the
// engine's answers for them.
struct Dataset {
  int64_t grids = 0;
  std::string dir;
  std::shared_ptr<const Snapshot> snapshot;
  std::vector<QueryPoint> points;
  // Event profiles for BM_Route_Gridroute (x, y are set per call).
  std::vector<Event> route_events;
};

// Event-type reports of the pack's events.csv (the generator's realistic mix
// of categories, urgencies and report times), the first kRouteProfiles of
// them. Their own points are not used: BM_Route_Gridroute routes the
// dataset's query points, the same ones BM_Locate_Gridroute locates.
std::vector<Event> LoadRouteEvents(const std::string& dir, const Categories& categories) {
  const std::string path = dir + "/events.csv";
  absl::StatusOr<CsvReader> in = CsvReader::Open(path);
  if (!in.ok()) Die(absl::StrCat(path, ": ", in.status().message()));
  std::vector<std::string> row;
  if (!in->Next(row)) Die(absl::StrCat(path, ": empty"));
  const int type_col = FindColumn(row, "category_type");
  const int cat_col = FindColumn(row, "category");
  const int urg_col = FindColumn(row, "urgency");
  const int time_col = FindColumn(row, "reported_at");
  if (type_col < 0 || cat_col < 0 || urg_col < 0 || time_col < 0) {
    Die(absl::StrCat(path, ": needs category_type, category, urgency, reported_at columns"));
  }
  std::vector<Event> out;
  while (out.size() < kRouteProfiles && in->Next(row)) {
    if (row[type_col] != "event") continue;  // component reports need a component
    Event e;
    e.category_type = CategoryType::kEvent;
    e.category = row[cat_col];
    e.urgency = row[urg_col];
    // The generator plants ~0.5% invalid rows (GENERATOR.md); they would time
    // an error path, so rows with a bad time, category or urgency are skipped.
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, row[time_col], &e.reported_at, &err)) continue;
    const int32_t c = categories.Find(CategoryType::kEvent, e.category);
    if (c < 0 || !categories.at(c).AllowsUrgency(categories.FindUrgency(e.urgency))) continue;
    out.push_back(std::move(e));
  }
  if (out.empty()) Die(absl::StrCat(path, ": no event-type reports"));
  return out;
}

// Lazily loaded state: one dataset and one peer alive at a time. Benchmarks
// run in registration order (all of one size, then the next), so each dataset
// is loaded and gated once.
class State {
 public:
  static State& Get() {
    static State* s = new State;
    return *s;
  }

  const Dataset& DatasetFor(int64_t grids) {
    std::lock_guard<std::mutex> lock(mu_);
    if (dataset_ && dataset_->grids == grids) return *dataset_;
    peer_.reset();
    dataset_.reset();
    malloc_trim(0);
    auto ds = std::make_unique<Dataset>();
    ds->grids = grids;
    absl::StatusOr<std::string> dir = EnsurePack(grids);
    if (!dir.ok()) Die(std::string(dir.status().message()));
    ds->dir = *dir;
    absl::StatusOr<std::string> from = ds->dir;
    if (g_snapshot_file) from = EnsureSnapshotFile(grids);
    if (!from.ok()) Die(std::string(from.status().message()));
    absl::StatusOr<std::shared_ptr<const Snapshot>> s = LoadPack(*from, BenchLoadOptions());
    if (!s.ok()) Die(absl::StrCat("LoadPack ", *from, ": ", s.status().message()));
    ds->snapshot = std::move(*s);
    if (ds->snapshot->num_grids() != static_cast<uint32_t>(grids)) {
      Die(absl::StrCat(ds->dir, " has ", ds->snapshot->num_grids(), " grids, expected ", grids));
    }
    ds->points = MakeQueryPoints(*ds->snapshot, DefaultPointCount(grids), kPointSeed);
    ds->route_events = LoadRouteEvents(ds->dir, ds->snapshot->categories());
    Gate(*ds);
    dataset_ = std::move(ds);
    return *dataset_;
  }

  // The cached peer of `kind` for the current dataset, built if needed.
  const PeerIndex& PeerFor(int64_t grids, const PeerInfo& info) {
    const Dataset& ds = DatasetFor(grids);
    std::lock_guard<std::mutex> lock(mu_);
    if (peer_ && peer_kind_ == info.kind) return *peer_;
    peer_.reset();
    malloc_trim(0);
    peer_ = info.build(ds.snapshot->geometry(), ds.snapshot->quantizer());
    peer_kind_ = info.kind;
    return *peer_;
  }

  // Frees the cached peer (a build benchmark needs the memory).
  void ReleasePeer() {
    std::lock_guard<std::mutex> lock(mu_);
    peer_.reset();
    malloc_trim(0);
  }

 private:
  // Every implementation must give the same grid for every point.
  static void Gate(const Dataset& ds) {
    const auto t0 = std::chrono::steady_clock::now();
    const Snapshot& s = *ds.snapshot;
    const Locator& loc = s.locator();
    std::vector<QueryPoint> pts = ds.points;
    std::vector<QueryPoint> extra =
        MakeBoxPoints(s, std::max<size_t>(1000, ds.points.size() / 10), kGatePointSeed);
    pts.insert(pts.end(), extra.begin(), extra.end());

    std::vector<uint32_t> want(pts.size());
    size_t outside = 0;
    for (size_t i = 0; i < pts.size(); ++i) {
      want[i] = loc.Locate(pts[i].pt).grid;
      outside += want[i] == kNoGrid;
    }
    // LocateBatch must agree with Locate.
    std::vector<IPoint> batch_in(kBatch);
    std::vector<LocateResult> batch_out(kBatch);
    for (size_t i = 0; i < pts.size(); i += kBatch) {
      const size_t n = std::min(kBatch, pts.size() - i);
      for (size_t k = 0; k < n; ++k) batch_in[k] = pts[i + k].pt;
      loc.LocateBatch(batch_in.data(), n, {}, batch_out.data());
      for (size_t k = 0; k < n; ++k) {
        if (batch_out[k].grid != want[i + k]) {
          Die(absl::StrCat("gate: ", ds.grids, " grids: LocateBatch gives grid ",
                           batch_out[k].grid, " for point ", i + k, ", Locate gives ",
                           want[i + k]));
        }
      }
    }

    std::string summary;
    for (const PeerInfo& info : Peers()) {
      if (!PeerEnabled(info)) continue;
      std::unique_ptr<PeerIndex> peer = info.build(s.geometry(), s.quantizer());
      std::unique_ptr<PeerIndex::Query> q = peer->NewQuery();
      size_t tolerated = 0;
      double max_d = 0;
      for (size_t i = 0; i < pts.size(); ++i) {
        const uint32_t got = q->Locate(pts[i].lon, pts[i].lat);
        if (got == want[i]) continue;
        // Only S2, and only if the point is within 1 mm of the boundary of
        // every grid involved.
        bool ok = info.kind == PeerKind::kS2;
        double d = 0;
        for (uint32_t g : {got, want[i]}) {
          if (!ok || g == kNoGrid) continue;
          const double dg = DistanceToGridM(s.geometry(), s.quantizer(), g, pts[i].pt);
          d = std::max(d, dg);
          ok = dg < kS2Tolerance_m;
        }
        if (!ok) {
          Die(absl::StrCat(
              "gate: ", ds.grids, " grids: ", info.name, " gives grid ",
              got == kNoGrid ? std::string("none") : std::string(s.grid_code(got)),
              " for point ", i, " (", absl::StrFormat("%.9f, %.9f", pts[i].lon, pts[i].lat),
              "), Gridroute gives ",
              want[i] == kNoGrid ? std::string("none") : std::string(s.grid_code(want[i])),
              "; aborting before any timing"));
        }
        ++tolerated;
        max_d = std::max(max_d, d);
      }
      absl::StrAppend(&summary, " ", info.name, "=ok");
      if (info.kind == PeerKind::kS2) {
        absl::StrAppend(&summary, absl::StrFormat(
                                      " (%zu differ within 1 mm of a boundary, max %.3f mm)",
                                      tolerated, max_d * 1000));
      }
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr,
                 "gate: %lld grids: %zu points (%zu timed + %zu box, %zu outside) agree:"
                 " Gridroute(Locate=LocateBatch)%s [%.1f s]\n",
                 static_cast<long long>(ds.grids), pts.size(), ds.points.size(),
                 extra.size(), outside, summary.c_str(), secs);
    std::fflush(stderr);
  }

  std::mutex mu_;
  std::unique_ptr<Dataset> dataset_;
  std::unique_ptr<PeerIndex> peer_;
  PeerKind peer_kind_ = PeerKind::kBoostRtree;
};

// Each thread starts at its own offset in the shared point array.
size_t StartOffset(const benchmark::State& state, size_t n) {
  return n * static_cast<size_t>(state.thread_index()) /
         static_cast<size_t>(state.threads());
}

// ---------------------------------------------------------------- Gridroute

void BM_Build_Gridroute(benchmark::State& state) {
  const int64_t grids = state.range(0);
  const Dataset& ds = State::Get().DatasetFor(grids);
  State::Get().ReleasePeer();
  double index_s = 0, parse_s = 0, validate_s = 0, locator_s = 0;
  size_t malloc_delta = 0, snapshot_bytes = 0, locator_bytes = 0;
  size_t resident_delta = 0, peak_delta = 0;
  for (auto _ : state) {
    // LoadPack is the only way the engine builds a snapshot's locator, so the
    // whole load is timed; index_s is its index part, the figure comparable
    // with the peers' builds (which start from already parsed arrays).
    const size_t before = MallocBytes();
    const size_t resident_before = ResidentBytes();
    ResetPeakResident();
    absl::StatusOr<std::shared_ptr<const Snapshot>> s = LoadPack(ds.dir, BenchLoadOptions());
    state.PauseTiming();
    if (!s.ok()) Die(std::string(s.status().message()));
    malloc_delta = MallocBytes() - before;
    // What the load left resident, and its peak above the start (the
    // benchmark's own dataset and points stay resident throughout).
    resident_delta = ResidentBytes() - resident_before;
    peak_delta = PeakResidentBytes() - resident_before;
    snapshot_bytes = (*s)->MemoryBytes();
    locator_bytes = (*s)->locator().MemoryBytes();
    index_s += (*s)->load_stats().index_seconds;
    parse_s += (*s)->load_stats().parse_seconds;
    validate_s += (*s)->load_stats().validate_seconds;
    // The locator alone (LoadPack overlaps other loading with its build):
    // the cell locator's build from the loaded geometry, default options
    // (2 threads, its own snap box index).
    const auto t0 = std::chrono::steady_clock::now();
    std::unique_ptr<Locator> rebuilt =
        BuildCellLocator(&(*s)->geometry(), (*s)->quantizer());
    locator_s +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rebuilt.reset();
    s->reset();
    state.ResumeTiming();
  }
  const double iters = static_cast<double>(state.iterations());
  state.counters["bytes_per_grid"] = static_cast<double>(snapshot_bytes) / grids;
  state.counters["index_bytes_per_grid"] = static_cast<double>(locator_bytes) / grids;
  state.counters["malloc_bytes_per_grid"] = static_cast<double>(malloc_delta) / grids;
  state.counters["resident_MiB"] = static_cast<double>(resident_delta) / (1 << 20);
  state.counters["load_peak_MiB"] = static_cast<double>(peak_delta) / (1 << 20);
  state.counters["index_s"] = index_s / iters;
  state.counters["locator_build_s"] = locator_s / iters;
  state.counters["parse_s"] = parse_s / iters;
  state.counters["validate_s"] = validate_s / iters;
  state.SetItemsProcessed(state.iterations() * grids);
}

void BM_Locate_Gridroute(benchmark::State& state) {
  const Dataset& ds = State::Get().DatasetFor(state.range(0));
  const Snapshot& s = *ds.snapshot;
  const Locator& loc = s.locator();
  const Quantizer q = s.quantizer();
  const QueryPoint* pts = ds.points.data();
  const size_t n = ds.points.size();
  size_t i = StartOffset(state, n);
  for (auto _ : state) {
    const QueryPoint& p = pts[i];
    if (++i == n) i = 0;
    LocateResult r = loc.Locate(q.Quantize(p.lon, p.lat));
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_LocateBatch_Gridroute(benchmark::State& state) {
  const Dataset& ds = State::Get().DatasetFor(state.range(0));
  const Snapshot& s = *ds.snapshot;
  const Locator& loc = s.locator();
  const Quantizer q = s.quantizer();
  const QueryPoint* pts = ds.points.data();
  const size_t n = ds.points.size() / kBatch * kBatch;
  std::vector<IPoint> in(kBatch);
  std::vector<LocateResult> out(kBatch);
  size_t i = StartOffset(state, n) / kBatch * kBatch;
  for (auto _ : state) {
    for (size_t k = 0; k < kBatch; ++k) in[k] = q.Quantize(pts[i + k].lon, pts[i + k].lat);
    loc.LocateBatch(in.data(), kBatch, {}, out.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
    i += kBatch;
    if (i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.counters["points_per_call"] = benchmark::Counter(kBatch, benchmark::Counter::kAvgThreads);
}

// Locate + rule + team + deadline, on the points of BM_Locate_Gridroute (same
// array, same per-thread offsets), so the difference between the two is what
// routing adds to locating. Each point carries event profile i % kRouteProfiles
// (category, urgency, report time from the pack's events.csv). Counters:
// outside (points in no grid; 0 by construction, the points are drawn inside
// coverage) and not_found (no rule for the category there), as fractions of
// the calls; any other error aborts.
void BM_Route_Gridroute(benchmark::State& state) {
  const Dataset& ds = State::Get().DatasetFor(state.range(0));
  const Router router(ds.snapshot);
  std::vector<Event> events = ds.route_events;  // per thread: x, y are written
  const size_t num_events = events.size();
  const RouteOptions options;
  Decision d;
  const QueryPoint* pts = ds.points.data();
  const size_t n = ds.points.size();
  size_t i = StartOffset(state, n);
  int64_t outside = 0, not_found = 0;
  for (auto _ : state) {
    const QueryPoint& p = pts[i];
    Event& e = events[i % num_events];
    if (++i == n) i = 0;
    e.x = p.lon;
    e.y = p.lat;
    const absl::Status s = router.Route(e, options, &d);
    if (!s.ok()) {
      if (s.code() != absl::StatusCode::kNotFound) {
        state.SkipWithError(absl::StrCat("Route: ", s.ToString()).c_str());
        break;
      }
      ++not_found;
    } else if (d.outcome == Outcome::kOutsideCoverage) {
      ++outside;
    }
    benchmark::DoNotOptimize(d.deadline);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["outside"] = benchmark::Counter(static_cast<double>(outside),
                                                 benchmark::Counter::kAvgIterations);
  state.counters["not_found"] = benchmark::Counter(static_cast<double>(not_found),
                                                   benchmark::Counter::kAvgIterations);
  // The (region, category) table's distinct rows against its regions.
  state.counters["regions"] = ds.snapshot->hierarchy().num_regions();
  state.counters["region_rows"] = ds.snapshot->rules().num_region_rows();
}

// Router::RouteBatch, kBatch events per call (the camera stream's path), on
// the points and event profiles of BM_Route_Gridroute: compare the two.
void BM_RouteBatch_Gridroute(benchmark::State& state) {
  const Dataset& ds = State::Get().DatasetFor(state.range(0));
  const Router router(ds.snapshot);
  std::vector<Event> profiles = ds.route_events;
  const size_t num_events = profiles.size();
  const RouteOptions options;
  std::vector<Event> events(kBatch);
  std::vector<absl::Status> status(kBatch);
  std::vector<Decision> out(kBatch);
  Router::BatchScratch scratch;
  const QueryPoint* pts = ds.points.data();
  const size_t n = ds.points.size() / kBatch * kBatch;
  size_t i = StartOffset(state, n) / kBatch * kBatch;
  int64_t not_found = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (size_t k = 0; k < kBatch; ++k) {
      events[k] = profiles[(i + k) % num_events];
      events[k].x = pts[i + k].lon;
      events[k].y = pts[i + k].lat;
      status[k] = absl::OkStatus();  // RouteBatch skips entries that arrive failed
    }
    state.ResumeTiming();
    router.RouteBatch(events, options, absl::MakeSpan(status), absl::MakeSpan(out), &scratch);
    for (size_t k = 0; k < kBatch; ++k) {
      if (status[k].ok()) continue;
      if (status[k].code() != absl::StatusCode::kNotFound) {
        state.SkipWithError(absl::StrCat("RouteBatch: ", status[k].ToString()).c_str());
        return;
      }
      ++not_found;
    }
    benchmark::DoNotOptimize(out.data());
    i += kBatch;
    if (i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.counters["not_found"] = benchmark::Counter(
      static_cast<double>(not_found) / kBatch, benchmark::Counter::kAvgIterations);
}

// gcj02 -> wgs84 or bd09 -> wgs84 (the inverse offsets Router pays for such
// inputs) on the first kCrsPoints points of the first dataset, expressed in
// that CRS with the forward formulas outside timing. Counter
// max_roundtrip_err_m: worst distance from the original point (the inverse's
// accuracy, ~1e-9 deg ~ 0.1 mm by crs.h).
void BM_CrsConvert(benchmark::State& state, CrsKind kind, int64_t grids) {
  const Dataset& ds = State::Get().DatasetFor(grids);
  const size_t n = std::min(kCrsPoints, ds.points.size());
  std::vector<LonLat> in(n);
  for (size_t k = 0; k < n; ++k) {
    const LonLat w{ds.points[k].lon, ds.points[k].lat};
    in[k] = kind == CrsKind::kGcj02 ? Wgs84ToGcj02(w) : Wgs84ToBd09(w);
  }
  double max_err_deg = 0;
  for (size_t k = 0; k < n; ++k) {
    const LonLat w = kind == CrsKind::kGcj02 ? Gcj02ToWgs84(in[k]) : Bd09ToWgs84(in[k]);
    max_err_deg = std::max({max_err_deg, std::abs(w.lon - ds.points[k].lon),
                            std::abs(w.lat - ds.points[k].lat)});
  }
  size_t i = StartOffset(state, n);
  if (kind == CrsKind::kGcj02) {
    for (auto _ : state) {
      LonLat w = Gcj02ToWgs84(in[i]);
      if (++i == n) i = 0;
      benchmark::DoNotOptimize(w);
    }
  } else {
    for (auto _ : state) {
      LonLat w = Bd09ToWgs84(in[i]);
      if (++i == n) i = 0;
      benchmark::DoNotOptimize(w);
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["max_roundtrip_err_m"] =
      benchmark::Counter(max_err_deg * 111'320.0, benchmark::Counter::kAvgThreads);
}

// -------------------------------------------------------------------- peers

void BM_Build_Peer(benchmark::State& state, const PeerInfo* info) {
  const int64_t grids = state.range(0);
  const Dataset& ds = State::Get().DatasetFor(grids);
  State::Get().ReleasePeer();
  size_t malloc_delta = 0, reported = 0;
  for (auto _ : state) {
    const size_t before = MallocBytes();
    std::unique_ptr<PeerIndex> peer = info->build(ds.snapshot->geometry(), ds.snapshot->quantizer());
    state.PauseTiming();
    // Everything the peer holds, including its own copy of the polygons
    // (Gridroute's bytes_per_grid likewise includes the GridGeometry).
    malloc_delta = MallocBytes() - before;
    reported = peer->ReportedBytes();
    peer.reset();
    state.ResumeTiming();
  }
  state.counters["bytes_per_grid"] = static_cast<double>(malloc_delta) / grids;
  if (reported > 0) {
    state.counters["reported_bytes_per_grid"] = static_cast<double>(reported) / grids;
  }
  state.SetItemsProcessed(state.iterations() * grids);
}

void BM_Locate_Peer(benchmark::State& state, const PeerInfo* info) {
  const Dataset& ds = State::Get().DatasetFor(state.range(0));
  const PeerIndex& peer = State::Get().PeerFor(state.range(0), *info);
  std::unique_ptr<PeerIndex::Query> query = peer.NewQuery();
  const QueryPoint* pts = ds.points.data();
  const size_t n = ds.points.size();
  size_t i = StartOffset(state, n);
  for (auto _ : state) {
    const QueryPoint& p = pts[i];
    if (++i == n) i = 0;
    uint32_t g = query->Locate(p.lon, p.lat);
    benchmark::DoNotOptimize(g);
  }
  state.SetItemsProcessed(state.iterations());
}

// ------------------------------------------------------------- registration

void RegisterAll(const std::vector<int64_t>& sizes) {
  // First: it needs no dataset, and it is the yardstick of every Locate.
  RegisterMemoryLatency();
  // CRS conversions need only points over the city: they use the first
  // dataset, registered first so that it is not loaded twice.
  if (!sizes.empty()) {
    benchmark::RegisterBenchmark("BM_CrsConvert/gcj02", BM_CrsConvert, CrsKind::kGcj02,
                                 sizes.front())
        ->ThreadRange(1, 2)->UseRealTime();
    benchmark::RegisterBenchmark("BM_CrsConvert/bd09", BM_CrsConvert, CrsKind::kBd09,
                                 sizes.front())
        ->ThreadRange(1, 2)->UseRealTime();
  }
  for (int64_t n : sizes) {
    // Real time everywhere: with 2 threads items_per_second is then the
    // aggregate throughput of both (CPU time would give the per-thread rate).
    benchmark::RegisterBenchmark("BM_Build_Gridroute", BM_Build_Gridroute)
        ->Arg(n)->Unit(benchmark::kMillisecond)->UseRealTime();
    benchmark::RegisterBenchmark("BM_Locate_Gridroute", BM_Locate_Gridroute)
        ->Arg(n)->ThreadRange(1, 2)->UseRealTime();
    benchmark::RegisterBenchmark("BM_LocateBatch_Gridroute", BM_LocateBatch_Gridroute)
        ->Arg(n)->ThreadRange(1, 2)->UseRealTime();
    // Same points and thread offsets as BM_Locate_Gridroute/n: compare the two.
    benchmark::RegisterBenchmark("BM_Route_Gridroute", BM_Route_Gridroute)
        ->Arg(n)->ThreadRange(1, 2)->UseRealTime();
    benchmark::RegisterBenchmark("BM_RouteBatch_Gridroute", BM_RouteBatch_Gridroute)
        ->Arg(n)->ThreadRange(1, 2)->UseRealTime();
    for (const PeerInfo& info : Peers()) {
      if (!PeerEnabled(info)) continue;
      benchmark::RegisterBenchmark(absl::StrCat("BM_Build_", info.name).c_str(),
                                   BM_Build_Peer, &info)
          ->Arg(n)->Unit(benchmark::kMillisecond)->UseRealTime();
      benchmark::RegisterBenchmark(absl::StrCat("BM_Locate_", info.name).c_str(),
                                   BM_Locate_Peer, &info)
          ->Arg(n)->ThreadRange(1, 2)->UseRealTime();
    }
  }
}

// --bench_load_only: each pack loaded once in this (fresh) process.
int LoadOnly(const std::vector<int64_t>& sizes) {
  for (int64_t n : sizes) {
    absl::StatusOr<std::string> dir = g_snapshot_file ? EnsureSnapshotFile(n) : EnsurePack(n);
    if (!dir.ok()) Die(std::string(dir.status().message()));
    const size_t rss_before = ResidentBytes();
    const auto t0 = std::chrono::steady_clock::now();
    absl::StatusOr<std::shared_ptr<const Snapshot>> s = LoadPack(*dir, BenchLoadOptions());
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!s.ok()) Die(absl::StrCat("LoadPack ", *dir, ": ", s.status().message()));
    const LoadStats& st = (*s)->load_stats();
    std::printf(
        "load %lld grids (%s): %.2f s (parse %.2f, validate %.2f, index %.2f, routing %.2f); "
        "Snapshot::MemoryBytes %.0f MiB (locator %.0f MiB); process RSS %.0f MiB (%.0f before), "
        "peak %.0f MiB\n",
        static_cast<long long>(n), dir->c_str(), secs, st.parse_seconds, st.validate_seconds,
        st.index_seconds, st.routing_seconds, (*s)->MemoryBytes() / 1048576.0,
        (*s)->locator().MemoryBytes() / 1048576.0, ResidentBytes() / 1048576.0,
        rss_before / 1048576.0, PeakResidentBytes() / 1048576.0);
    // Where the snapshot's memory is (MiB); "other" is codes, names, the
    // hierarchy and the smaller tables.
    const Snapshot& snap = **s;
    const double mib = 1048576.0;
    const size_t parts[] = {snap.geometry().MemoryBytes(),   snap.locator().MemoryBytes(),
                            snap.components().MemoryBytes(), snap.teams().MemoryBytes(),
                            snap.grid_routes().MemoryBytes(), snap.layers().MemoryBytes(),
                            snap.rules().MemoryBytes()};
    size_t counted = 0;
    for (size_t p : parts) counted += p;
    std::printf(
        "  MiB: geometry %.0f, locator %.0f, components %.0f, teams %.0f, grid routes %.0f, "
        "layers %.0f, rules %.0f, other %.0f\n",
        parts[0] / mib, parts[1] / mib, parts[2] / mib, parts[3] / mib, parts[4] / mib,
        parts[5] / mib, parts[6] / mib, (snap.MemoryBytes() - counted) / mib);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace gridroute::bench

int main(int argc, char** argv) {
  using namespace gridroute::bench;
  std::string sizes_text;
  if (const char* env = std::getenv("GRIDROUTE_BENCH_SIZES"); env != nullptr) sizes_text = env;
  bool prepare_only = false;
  bool load_only = false;
  // Our own flags are taken out before Google Benchmark sees argv.
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    if (std::strncmp(a, "--bench_sizes=", 14) == 0) {
      sizes_text = a + 14;
    } else if (std::strcmp(a, "--bench_prepare_only") == 0) {
      prepare_only = true;
    } else if (std::strcmp(a, "--bench_load_only") == 0) {
      load_only = true;
    } else if (std::strcmp(a, "--bench_snapshot_file") == 0) {
      g_snapshot_file = true;
    } else if (std::strncmp(a, "--bench_peers=", 14) == 0) {
      g_peer_filter = a + 14;
    } else {
      argv[out++] = argv[i];
    }
  }
  argc = out;
  std::vector<int64_t> sizes = StandardSizes();
  if (!sizes_text.empty()) {
    absl::StatusOr<std::vector<int64_t>> parsed = ParseSizes(sizes_text);
    if (!parsed.ok()) {
      std::fprintf(stderr, "gridroute_bench: %s\n", std::string(parsed.status().message()).c_str());
      return 2;
    }
    sizes = *parsed;
  }
  if (prepare_only) {
    for (int64_t n : sizes) {
      absl::StatusOr<std::string> dir = g_snapshot_file ? EnsureSnapshotFile(n) : EnsurePack(n);
      if (!dir.ok()) {
        std::fprintf(stderr, "gridroute_bench: %s\n", std::string(dir.status().message()).c_str());
        return 1;
      }
      std::printf("%s\n", dir->c_str());
    }
    return 0;
  }
  if (load_only) return LoadOnly(sizes);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::AddCustomContext("bench_sizes", sizes_text.empty() ? "2000,200000,2000000" : sizes_text);
  benchmark::AddCustomContext("bench_data", DataRoot());
  if (!g_peer_filter.empty()) benchmark::AddCustomContext("bench_peers", g_peer_filter);
  if (g_snapshot_file) benchmark::AddCustomContext("bench_snapshot_file", "true");
  RegisterAll(sizes);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

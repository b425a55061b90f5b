// Copyright 2026 gridroute authors.
//
// BM_CleanRing/<vertices>: the loader's check of one ring (snapshot/validate.h
// CleanRing: duplicates, fold-backs, the sweep line of geo/ring_sweep.h,
// area), on a finely toothed circle (a long digitised boundary: short edges)
// and on a star of long thin spikes (BM_CleanRingSpiked: every spike's box
// overlaps hundreds of others, the case that made box-filtered pair tests
// quadratic). BM_ClassifyPointsInRing/<holes>: placing the 4 vertices of each
// of <holes> square holes against a toothed circle of 100,000 vertices (the
// loader's "hole is inside its outer ring" check).
//
//   build/bin/gridroute_bench --benchmark_filter='BM_CleanRing|BM_Classify'
#include <cmath>
#include <cstdint>
#include <vector>

#include "benchmark/benchmark.h"
#include "geo/ring_sweep.h"
#include "snapshot/validate.h"

namespace gridroute::bench {
namespace {

// Closed ring (first vertex repeated) of n vertices at increasing angles,
// radii alternating 5e6 and 5e6 - depth.
std::vector<IPoint> Star(int64_t n, double depth) {
  std::vector<IPoint> r;
  for (int64_t i = 0; i < n; ++i) {
    const double a = 2 * M_PI * static_cast<double>(i) / static_cast<double>(n);
    const double rad = i % 2 ? 5e6 - depth : 5e6;
    r.push_back({std::llround(rad * std::cos(a)), std::llround(rad * std::sin(a))});
  }
  r.push_back(r.front());
  return r;
}

void RunCleanRing(benchmark::State& state, double depth) {
  const std::vector<IPoint> ring = Star(state.range(0), depth);
  for (auto _ : state) {
    std::vector<IPoint> copy = ring;
    const std::string problem = CleanRing(copy);
    if (!problem.empty()) state.SkipWithError(problem.c_str());
    benchmark::DoNotOptimize(copy.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_CleanRing(benchmark::State& state) {
  RunCleanRing(state, 4 * M_PI * 5e6 / static_cast<double>(state.range(0)));
}
void BM_CleanRingSpiked(benchmark::State& state) { RunCleanRing(state, 5e5); }

void BM_ClassifyPointsInRing(benchmark::State& state) {
  std::vector<IPoint> shell = Star(100'000, 4 * M_PI * 5e6 / 100'000);
  shell.pop_back();
  const int64_t holes = state.range(0);
  int64_t k = 1;
  while (k * k < holes) ++k;
  const int64_t step = 6'000'000 / k;
  std::vector<IPoint> pts;
  for (int64_t h = 0; h < holes; ++h) {
    const int64_t x = -3'000'000 + (h % k) * step, y = -3'000'000 + (h / k) * step;
    for (const IPoint d : {IPoint{0, 0}, IPoint{0, step / 2}, IPoint{step / 2, step / 2},
                           IPoint{step / 2, 0}}) {
      pts.push_back({x + d.x, y + d.y});
    }
  }
  std::vector<Side> out(pts.size());
  for (auto _ : state) {
    ClassifyPointsInRing(shell.data(), shell.size(), pts.data(), pts.size(), out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * holes);
}

BENCHMARK(BM_CleanRing)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Arg(2'000'000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CleanRingSpiked)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ClassifyPointsInRing)->Arg(10'000)->Arg(100'000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace gridroute::bench

// Copyright 2026 gridroute authors.
//
// gridroute_cache_sim: the cache lines a locate touches, counted by a cache
// simulator, for machines (like the VMs we measure on) where `perf stat` has no
// hardware counters. Run it under callgrind; bench/cache_misses.sh does that
// and prints the figures per point:
//
//   valgrind --tool=callgrind --instr-atstart=no --simulate-cache=yes
//     --LL=2097152,16,64 gridroute_cache_sim 2000000 100000
//
// It loads (or generates) the benchmark pack with that many grids, takes the
// first N query points of gridroute_bench (same seed: uniform over the covered
// area), runs Locate on each and LocateBatch (256 a call) over all of them once
// untimed to warm the caches, then once each with callgrind's instrumentation
// on, in the functions RunSingle and RunBatch (noinline, so callgrind_annotate
// --inclusive=yes attributes each phase separately). Without valgrind it runs
// the same work and prints the checksum only.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_data.h"
#include "snapshot/snapshot.h"

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#endif

namespace gridroute::bench {
namespace {

constexpr size_t kBatch = 256;

__attribute__((noinline)) uint64_t RunSingle(const Locator& loc,
                                             const std::vector<IPoint>& pts) {
  uint64_t sum = 0;
  for (const IPoint& p : pts) sum += loc.Locate(p).grid;
  return sum;
}

__attribute__((noinline)) uint64_t RunBatch(const Locator& loc,
                                            const std::vector<IPoint>& pts) {
  std::vector<LocateResult> out(kBatch);
  uint64_t sum = 0;
  for (size_t i = 0; i + kBatch <= pts.size(); i += kBatch) {
    loc.LocateBatch(pts.data() + i, kBatch, {}, out.data());
    for (const LocateResult& r : out) sum += r.grid;
  }
  return sum;
}

int Main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: gridroute_cache_sim <grids> <points>\n");
    return 2;
  }
  const int64_t grids = std::atoll(argv[1]);
  const size_t n = std::strtoull(argv[2], nullptr, 10) / kBatch * kBatch;
  if (grids <= 0 || n == 0) {
    std::fprintf(
        stderr,
        "gridroute_cache_sim: <grids> and <points> (>= %zu) must be positive\n",
        kBatch);
    return 2;
  }
  auto dir = EnsurePack(grids);
  if (!dir.ok()) {
    std::fprintf(stderr, "gridroute_cache_sim: %s\n",
                 std::string(dir.status().message()).c_str());
    return 1;
  }
  auto snapshot = LoadPack(*dir);
  if (!snapshot.ok()) {
    std::fprintf(stderr, "gridroute_cache_sim: %s\n",
                 std::string(snapshot.status().message()).c_str());
    return 1;
  }
  const Locator& loc = (*snapshot)->locator();
  std::vector<IPoint> pts;
  pts.reserve(n);
  for (const QueryPoint& q : MakeQueryPoints(**snapshot, n, kPointSeed))
    pts.push_back(q.pt);
  uint64_t warm = RunSingle(loc, pts) + RunBatch(loc, pts);
  CALLGRIND_START_INSTRUMENTATION;
  const uint64_t single = RunSingle(loc, pts);
  const uint64_t batch = RunBatch(loc, pts);
  CALLGRIND_STOP_INSTRUMENTATION;
  std::printf("grids %lld points %zu locator %s checksum %llu %s\n",
              static_cast<long long>(grids), n, loc.name(),
              static_cast<unsigned long long>(single),
              single == batch && 2 * single == warm ? "(single == batch)"
                                                    : "(MISMATCH)");
  return single == batch ? 0 : 1;
}

}  // namespace
}  // namespace gridroute::bench

int main(int argc, char** argv) { return gridroute::bench::Main(argc, argv); }

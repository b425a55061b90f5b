// Copyright 2026 gridroute authors.
//
// BM_MemoryLatency/chains:1 and /chains:16: the cost of one DRAM miss on this
// machine (a dependent pointer chase over a 1 GiB buffer), alone and with 16
// chases interleaved; see memory_latency.cc and bench/README.md.
//
//   RegisterMemoryLatency();  // before benchmark::RunSpecifiedBenchmarks()
//
// Not thread-safe: call once from main.
#ifndef GRIDROUTE_BENCH_MEMORY_LATENCY_H_
#define GRIDROUTE_BENCH_MEMORY_LATENCY_H_

namespace gridroute::bench {

void RegisterMemoryLatency();

}  // namespace gridroute::bench

#endif  // GRIDROUTE_BENCH_MEMORY_LATENCY_H_

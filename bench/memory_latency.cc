// Copyright 2026 gridroute authors.
//
// BM_MemoryLatency/chains:C — what one cache miss to DRAM costs on this
// machine, the yardstick for BM_Locate_* at 10M grids (bench/README.md,
// "Province scale"):
//
//   chains:1   a dependent pointer chase through a random cyclic permutation
//              of the buffer's 64-byte lines: every load misses (the buffer
//              is far larger than the caches, and mostly the TLB), and the
//              next address is known only when the load completes.
//              ns/load = the full latency of one miss.
//   chains:16  16 such chases interleaved (16 independent loads in flight):
//              ns/load amortized, the memory-level parallelism a batched
//              lookup such as LocateBatch can hope for.
//
// The buffer is built once per process, outside any timed loop: 1 GiB unless
// $GRIDROUTE_BENCH_LATENCY_MB says otherwise (the CI smoke test uses 16; the
// figure is only meaningful well above the last-level cache). It is mapped
// with MAP_HUGETLB if the kernel has 2 MiB pages reserved, else as normal
// pages with madvise(MADV_HUGEPAGE) (transparent huge pages); the benchmark's
// label says which ("hugetlb", "thp", "4k") and the counter huge_MiB how much
// of it /proc/self/smaps shows backed by huge pages (AnonHugePages). Huge
// pages take TLB misses (page walks) out of the figure; with 4 KiB pages a
// 1 GiB chase adds a page walk to most loads.
#include "memory_latency.h"

#include <sys/mman.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"

namespace gridroute::bench {
namespace {

constexpr size_t kLine = 64;
constexpr size_t kHugePage = size_t{2} << 20;
// Loads per benchmark iteration and chain (keeps the loop overhead out).
constexpr int kStepsPerIteration = 1024;
constexpr int kMaxChains = 16;

struct ChaseBuffer {
  char* base = nullptr;
  size_t bytes = 0;
  const char* how = "4k";  // "hugetlb", "thp" or "4k"
  double huge_mib = 0;     // AnonHugePages of the mapping (hugetlb: all of it)
  // kMaxChains distinct lines of the one cycle: chains started there never
  // meet (they move in lockstep around the same cycle).
  void* start[kMaxChains] = {};
};

size_t BufferBytes() {
  size_t mb = 1024;
  if (const char* env = std::getenv("GRIDROUTE_BENCH_LATENCY_MB"); env != nullptr) {
    int64_t v = 0;
    if (absl::SimpleAtoi(env, &v) && v >= 1 && v <= 65536) mb = static_cast<size_t>(v);
  }
  return mb << 20;
}

// AnonHugePages (kB) of the mapping that starts at `base`, from
// /proc/self/smaps; 0 if not found.
double AnonHugeMiB(const void* base) {
  std::ifstream in("/proc/self/smaps");
  const std::string want = absl::StrCat(absl::Hex(reinterpret_cast<uintptr_t>(base)), "-");
  std::string line;
  bool in_mapping = false;
  while (std::getline(in, line)) {
    if (!line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) &&
        line.find('-') != std::string::npos && line.find(':') > line.find('-')) {
      in_mapping = line.compare(0, want.size(), want) == 0;
      continue;
    }
    if (in_mapping && line.rfind("AnonHugePages:", 0) == 0) {
      return std::strtod(line.c_str() + 14, nullptr) / 1024.0;
    }
  }
  return 0;
}

ChaseBuffer* Build() {
  auto* b = new ChaseBuffer;
  b->bytes = (BufferBytes() + kHugePage - 1) / kHugePage * kHugePage;
  void* p = mmap(nullptr, b->bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
  if (p != MAP_FAILED) {
    b->how = "hugetlb";
  } else {
    p = mmap(nullptr, b->bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      std::fprintf(stderr, "BM_MemoryLatency: mmap of %zu bytes failed\n", b->bytes);
      std::exit(3);
    }
    if (madvise(p, b->bytes, MADV_HUGEPAGE) == 0) b->how = "thp";
  }
  b->base = static_cast<char*>(p);
  // Sattolo's algorithm: a uniformly random single cycle over the lines, so
  // a chase visits every line before it repeats.
  const size_t n = b->bytes / kLine;
  std::vector<uint32_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = static_cast<uint32_t>(i);
  std::mt19937_64 rng(20261207);
  for (size_t i = n - 1; i > 0; --i) {
    const size_t j = std::uniform_int_distribution<size_t>(0, i - 1)(rng);
    std::swap(order[i], order[j]);
  }
  // order is the permutation: line i points at line order[i].
  for (size_t i = 0; i < n; ++i) {
    *reinterpret_cast<void**>(b->base + i * kLine) = b->base + size_t{order[i]} * kLine;
  }
  for (int c = 0; c < kMaxChains; ++c) {
    b->start[c] = b->base + (static_cast<size_t>(c) * (n / kMaxChains)) * kLine;
  }
  b->huge_mib = b->how == std::string("hugetlb") ? static_cast<double>(b->bytes >> 20)
                                                 : AnonHugeMiB(b->base);
  if (b->huge_mib == 0 && b->how == std::string("thp")) b->how = "4k (thp refused)";
  return b;
}

const ChaseBuffer& Buffer() {
  static const ChaseBuffer* b = Build();
  return *b;
}

template <int kChains>
void Chase(benchmark::State& state) {
  const ChaseBuffer& b = Buffer();
  void* p[kChains];
  for (int c = 0; c < kChains; ++c) p[c] = b.start[c];
  for (auto _ : state) {
    for (int s = 0; s < kStepsPerIteration; ++s) {
      for (int c = 0; c < kChains; ++c) p[c] = *static_cast<void**>(p[c]);
    }
    benchmark::DoNotOptimize(p);
  }
  const int64_t loads = state.iterations() * kStepsPerIteration * kChains;
  state.SetItemsProcessed(loads);
  // Seconds per load (CPU time), printed as e.g. "time_per_load=95.2ns"; the
  // JSON holds seconds. items_per_second is its inverse.
  state.counters["time_per_load"] = benchmark::Counter(
      static_cast<double>(loads), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["chains"] = kChains;
  state.counters["buffer_MiB"] = static_cast<double>(b.bytes >> 20);
  state.counters["huge_MiB"] = b.huge_mib;
  state.SetLabel(b.how);
}

void BM_MemoryLatency(benchmark::State& state) {
  if (state.range(0) == 1) {
    Chase<1>(state);
  } else {
    Chase<kMaxChains>(state);
  }
}

}  // namespace

void RegisterMemoryLatency() {
  benchmark::RegisterBenchmark("BM_MemoryLatency", BM_MemoryLatency)
      ->ArgName("chains")
      ->Arg(1)
      ->Arg(kMaxChains);
}

}  // namespace gridroute::bench

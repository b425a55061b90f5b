// Copyright 2026 gridroute authors.
//
// Lock-free counters and a fixed-bucket latency histogram for the hot path.
//
//   Histogram h;                      // buckets: kLatencyBounds (seconds)
//   h.ObserveNanos(12'000);           // 12 us
//   HistogramSnapshot s = h.Snapshot();
//
// Every update is one or two relaxed atomic adds: no lock, no allocation.
// A snapshot read concurrently with updates may be off by the updates in
// flight (each counter is exact on its own; _count is the sum of the
// buckets read, so the exposition stays consistent: +Inf == _count).
// Thread-safety: all methods are safe from any thread.
#ifndef GRIDROUTE_METRICS_HISTOGRAM_H_
#define GRIDROUTE_METRICS_HISTOGRAM_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

namespace gridroute {

// A monotonically increasing count (relaxed atomic).
class Counter {
 public:
  void Add(uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

// Upper bounds (seconds) of the latency buckets: 25 us .. 10 s, roughly
// x2.5 apart, so both a unary Route and a RouteBatch of 10,000 with cases
// and fsync land inside the range (their latencies: docs/SERVED_PATH.md).
inline constexpr std::array<double, 14> kLatencyBounds = {
    25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 100e-3, 1.0, 2.5, 10.0};

struct HistogramSnapshot {
  std::vector<double> bounds;    // upper bounds, ascending (no +Inf)
  std::vector<uint64_t> counts;  // per bucket, NOT cumulative; size bounds+1 (last: > bounds.back())
  double sum = 0;                // seconds
};

class Histogram {
 public:
  static constexpr size_t kBuckets = kLatencyBounds.size() + 1;
  void ObserveNanos(int64_t ns);
  HistogramSnapshot Snapshot() const;

 private:
  std::array<std::atomic<uint64_t>, kBuckets> counts_{};
  std::atomic<uint64_t> sum_ns_{0};
};

}  // namespace gridroute

#endif  // GRIDROUTE_METRICS_HISTOGRAM_H_

// Copyright 2026 gridroute authors.
#include "metrics/histogram.h"

namespace gridroute {

void Histogram::ObserveNanos(int64_t ns) {
  if (ns < 0) ns = 0;
  const double s = static_cast<double>(ns) * 1e-9;
  size_t i = 0;
  while (i < kLatencyBounds.size() && s > kLatencyBounds[i]) ++i;  // <= 14 compares
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<uint64_t>(ns), std::memory_order_relaxed);
}

HistogramSnapshot Histogram::Snapshot() const {
  HistogramSnapshot s;
  s.bounds.assign(kLatencyBounds.begin(), kLatencyBounds.end());
  s.counts.resize(kBuckets);
  for (size_t i = 0; i < kBuckets; ++i) s.counts[i] = counts_[i].load(std::memory_order_relaxed);
  s.sum = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;  // exact for whole us
  return s;
}

}  // namespace gridroute

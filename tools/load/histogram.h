// Copyright 2026 gridroute authors.
//
// LatencyHistogram: an HDR-style log-linear histogram of non-negative integer
// values (gridroute-load records nanoseconds).
//
//   LatencyHistogram h;
//   h.Record(1'234'567);                  // 1.23 ms
//   int64_t p99 = h.ValueAtQuantile(0.99);
//
// Values below 2^kSubBits are counted exactly; above, each power of two is
// split into 2^(kSubBits-1) equal sub-buckets, so a reported quantile is the
// upper edge of its bucket and overstates the true value by less than
// 2^-(kSubBits-1) = 0.78% (never understates). Max and min are exact.
// Covers 0 .. 2^62. Fixed size (~7,000 counters, 56 KB): Record is O(1) and
// never allocates; Merge is O(buckets).
//
// Thread-safety: none; a caller shares one behind a mutex or keeps one per
// thread and merges them.
#ifndef GRIDROUTE_TOOLS_LOAD_HISTOGRAM_H_
#define GRIDROUTE_TOOLS_LOAD_HISTOGRAM_H_

#include <cstdint>
#include <vector>

namespace gridroute::load {

class LatencyHistogram {
 public:
  static constexpr int kSubBits = 8;  // 128 sub-buckets per power of two

  LatencyHistogram();

  // Negative values are recorded as 0.
  void Record(int64_t value);
  void Merge(const LatencyHistogram& other);
  void Reset();

  int64_t count() const { return count_; }
  int64_t min() const { return count_ == 0 ? 0 : min_; }
  int64_t max() const { return max_; }
  double mean() const {
    return count_ == 0 ? 0 : sum_ / static_cast<double>(count_);
  }

  // The smallest bucket upper edge v such that at least ceil(q * count)
  // recorded values are <= v, clamped to max(); q in [0, 1]. 0 when empty.
  int64_t ValueAtQuantile(double q) const;

  // Bucket index of a value and the largest value in a bucket (exposed for
  // tests).
  static int BucketOf(int64_t value);
  static int64_t BucketUpper(int bucket);

 private:
  std::vector<int64_t> counts_;
  int64_t count_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  double sum_ = 0;
};

}  // namespace gridroute::load

#endif  // GRIDROUTE_TOOLS_LOAD_HISTOGRAM_H_

// Copyright 2026 gridroute authors.
#include "load/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace gridroute::load {
namespace {

constexpr int kSub = 1 << LatencyHistogram::kSubBits;  // exact range [0, kSub)
constexpr int kHalf = kSub / 2;                        // sub-buckets per octave
// Octaves above the exact range: values up to 2^62.
constexpr int kOctaves = 62 - LatencyHistogram::kSubBits + 1;
constexpr int kBuckets = kSub + kOctaves * kHalf;

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBuckets, 0) {}

int LatencyHistogram::BucketOf(int64_t value) {
  if (value < kSub) return static_cast<int>(std::max<int64_t>(value, 0));
  const uint64_t v =
      std::min<uint64_t>(static_cast<uint64_t>(value), (uint64_t{1} << 62) - 1);
  // Octave k holds [2^(kSubBits+k-1) * 2, ...): the top kSubBits bits of v
  // (whose leading bit is 1) select one of kHalf sub-buckets.
  const int msb = std::bit_width(v) - 1;                 // >= kSubBits
  const int shift = msb - (kSubBits - 1);                // >= 1
  const int sub = static_cast<int>(v >> shift) - kHalf;  // [0, kHalf)
  return kSub + (shift - 1) * kHalf + sub;
}

int64_t LatencyHistogram::BucketUpper(int bucket) {
  if (bucket < kSub) return bucket;
  const int shift = (bucket - kSub) / kHalf + 1;
  const int sub = (bucket - kSub) % kHalf;
  return ((static_cast<int64_t>(kHalf + sub) + 1) << shift) - 1;
}

void LatencyHistogram::Record(int64_t value) {
  value = std::max<int64_t>(value, 0);
  ++counts_[BucketOf(value)];
  if (count_ == 0 || value < min_) min_ = value;
  max_ = std::max(max_, value);
  sum_ += static_cast<double>(value);
  ++count_;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
  count_ += other.count_;
}

void LatencyHistogram::Reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  min_ = max_ = 0;
  sum_ = 0;
}

int64_t LatencyHistogram::ValueAtQuantile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  const int64_t rank = std::max<int64_t>(
      1, static_cast<int64_t>(std::ceil(q * static_cast<double>(count_))));
  int64_t seen = 0;
  for (int b = 0; b < static_cast<int>(counts_.size()); ++b) {
    seen += counts_[b];
    if (seen >= rank) return std::min(BucketUpper(b), max_);
  }
  return max_;
}

}  // namespace gridroute::load

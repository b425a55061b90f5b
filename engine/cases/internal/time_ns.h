// Copyright 2026 gridroute authors.
//
// absl::Time <-> int64 Unix nanoseconds for the case engine's hot paths
// (Debian Abseil's Duration arithmetic is out of line). The infinities map
// to the int64 extremes.
#ifndef GRIDROUTE_CASES_INTERNAL_TIME_NS_H_
#define GRIDROUTE_CASES_INTERNAL_TIME_NS_H_

#include <cstdint>
#include <limits>

#include "absl/time/time.h"

namespace gridroute::cases_internal {

inline constexpr int64_t kMinNs = std::numeric_limits<int64_t>::min();
inline constexpr int64_t kMaxNs = std::numeric_limits<int64_t>::max();

inline int64_t ToNs(absl::Time t) {
  if (t == absl::InfiniteFuture()) return kMaxNs;
  if (t == absl::InfinitePast()) return kMinNs;
  return absl::ToUnixNanos(t);
}

inline absl::Time FromNs(int64_t n) {
  if (n == kMaxNs) return absl::InfiniteFuture();
  if (n == kMinNs) return absl::InfinitePast();
  return absl::FromUnixNanos(n);
}

// Report and change times must lie in [1900, 2200): far inside int64
// nanoseconds (1677..2262), so differences never overflow.
inline constexpr int64_t kEarliestNs =
    -2208988800LL * 1000000000LL;  // 1900-01-01Z
inline constexpr int64_t kLatestNs =
    7258118400LL * 1000000000LL;  // 2200-01-01Z
inline bool InRange(absl::Time t) {
  if (t == absl::InfiniteFuture() || t == absl::InfinitePast()) return false;
  const int64_t n = absl::ToUnixNanos(t);
  return n >= kEarliestNs && n < kLatestNs;
}

}  // namespace gridroute::cases_internal

#endif  // GRIDROUTE_CASES_INTERNAL_TIME_NS_H_

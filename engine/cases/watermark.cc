// Copyright 2026 gridroute authors.
#include "cases/watermark.h"

#include <algorithm>

namespace gridroute {

void Watermark::Erase(int i) {
  for (int k = i + 1; k < pending_.n; ++k) pending_.t[k - 1] = pending_.t[k];
  --pending_.n;
}

void Watermark::Absorb() {
  // Every pending time was more than step past the old value; those the
  // new value reaches are confirmed by it, and may reach further ones.
  for (bool moved = true; moved;) {
    moved = false;
    for (int i = 0; i < pending_.n; ++i) {
      if (pending_.t[i] - value_ <= step_) {
        value_ = std::max(value_, pending_.t[i]);
        Erase(i);
        moved = true;
        break;
      }
    }
  }
}

bool Watermark::Observe(int64_t t, Pending* saved) {
  if (value_ != kNoWatermark) {
    if (t <= value_) return false;
    if (t - value_ <= step_) {  // confirmed by the watermark itself
      value_ = t;
      if (pending_.n == 0) return false;
      *saved = pending_;
      Absorb();
      return pending_.n != saved->n;
    }
  }
  // More than step ahead (or no watermark yet): a pending time within step
  // of t confirms the later of the two.
  *saved = pending_;
  int64_t confirmed = kNoWatermark;
  for (int i = 0; i < pending_.n; ++i) {
    const int64_t u = pending_.t[i];
    if (u - t <= step_ && t - u <= step_)
      confirmed = std::max({confirmed, u, t});
  }
  if (confirmed != kNoWatermark) {
    value_ = confirmed;
    for (int i = pending_.n; i-- > 0;) {
      if (pending_.t[i] <= value_) Erase(i);
    }
    Absorb();
    return true;
  }
  if (pending_.n == kMaxPending) Erase(0);  // forget the oldest
  pending_.t[pending_.n++] = t;
  return true;
}

void Watermark::Set(int64_t value, absl::Span<const int64_t> pending) {
  value_ = value;
  pending_.n = 0;
  for (int64_t t : pending) {
    if (pending_.n == kMaxPending) break;
    if (value_ != kNoWatermark && t - value_ <= step_) continue;
    pending_.t[pending_.n++] = t;
  }
}

}  // namespace gridroute

// Copyright 2026 gridroute authors.
//
// Watermark (cases/watermark.h) against its definition, brute force over
// every time applied: value = the latest time t with another time in
// [t - step, t]. Plus the cases that motivated it: a lone outlier years
// ahead, a first report, a quiet gap; and Restore / Set.
#include "cases/watermark.h"

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace gridroute {
namespace {

constexpr int64_t kMin = 60'000'000'000;  // ns
constexpr int64_t kStep = 15 * kMin;
constexpr int64_t kYear = 365 * 24 * 60 * kMin;

// The definition, O(n^2).
int64_t BruteForce(const std::vector<int64_t>& times) {
  int64_t best = Watermark::kNoWatermark;
  for (size_t i = 0; i < times.size(); ++i) {
    for (size_t j = 0; j < times.size(); ++j) {
      if (i != j && times[j] <= times[i] && times[i] - times[j] <= kStep) {
        best = std::max(best, times[i]);
      }
    }
  }
  return best;
}

TEST(WatermarkTest, EqualsTheDefinitionOnRandomStreamsWithOutliers) {
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    SCOPED_TRACE(seed);
    std::mt19937_64 rng(seed);
    Watermark w(kStep);
    std::vector<int64_t> times;
    int64_t now = 1'800'000'000 * int64_t{1'000'000'000};  // 2027
    for (int i = 0; i < 400; ++i) {
      // Seconds to an hour apart (gaps longer than the step: the watermark
      // waits for a second report), some late, a few years ahead; at most
      // a handful pending at once, so the 16-time cap never bites.
      const uint64_t kind = rng() % 100;
      int64_t t;
      if (kind < 1) {
        t = now + kYear * static_cast<int64_t>(1 + rng() % 100);
      } else {
        now += static_cast<int64_t>(rng() % (kind < 10 ? 60 * kMin : 2 * kMin));
        t = now - (kind < 30 ? static_cast<int64_t>(rng() % (30 * kMin)) : 0);
      }
      times.push_back(t);
      Watermark::Pending saved;
      w.Observe(t, &saved);
      ASSERT_EQ(w.value(), BruteForce(times)) << "time " << i;
      ASSERT_LT(w.pending().n, Watermark::kMaxPending);
    }
  }
}

TEST(WatermarkTest, ALoneOutlierNeverMovesIt) {
  Watermark w(kStep);
  Watermark::Pending saved;
  const int64_t t0 = 1'780'000'000 * int64_t{1'000'000'000};
  w.Observe(t0, &saved);
  w.Observe(t0 + kMin, &saved);
  ASSERT_EQ(w.value(), t0 + kMin);
  // Year 2199, then ordinary reports a minute apart: they keep moving the
  // watermark; the outlier stays pending.
  EXPECT_TRUE(w.Observe(t0 + 173 * kYear, &saved));
  EXPECT_EQ(w.value(), t0 + kMin);
  for (int i = 2; i < 100; ++i) {
    w.Observe(t0 + i * kMin, &saved);
    EXPECT_EQ(w.value(), t0 + i * kMin);
  }
  ASSERT_EQ(w.pending().n, 1);
  EXPECT_EQ(w.pending().t[0], t0 + 173 * kYear);
  // A second report within the step of the outlier confirms it.
  w.Observe(t0 + 173 * kYear + kMin, &saved);
  EXPECT_EQ(w.value(), t0 + 173 * kYear + kMin);
  EXPECT_EQ(w.pending().n, 0);
}

TEST(WatermarkTest, TheFirstReportWaitsForASecond) {
  Watermark w(kStep);
  Watermark::Pending saved;
  const int64_t t0 = 1'780'000'000 * int64_t{1'000'000'000};
  EXPECT_TRUE(w.Observe(t0 + 200 * kYear, &saved));  // an outlier first
  EXPECT_EQ(w.value(), Watermark::kNoWatermark);
  EXPECT_TRUE(w.Observe(t0, &saved));
  EXPECT_EQ(w.value(), Watermark::kNoWatermark);
  EXPECT_TRUE(w.Observe(t0 + 14 * kMin, &saved));
  EXPECT_EQ(w.value(), t0 + 14 * kMin);
  // Only the outlier is left pending.
  ASSERT_EQ(w.pending().n, 1);
  EXPECT_EQ(w.pending().t[0], t0 + 200 * kYear);
}

TEST(WatermarkTest, AGapLongerThanTheStepNeedsTwoReports) {
  Watermark w(kStep);
  Watermark::Pending saved;
  const int64_t t0 = 1'780'000'000 * int64_t{1'000'000'000};
  w.Observe(t0, &saved);
  w.Observe(t0, &saved);  // the same time twice confirms it
  EXPECT_EQ(w.value(), t0);
  w.Observe(t0 + 120 * kMin, &saved);
  EXPECT_EQ(w.value(), t0);
  w.Observe(t0 + 119 * kMin, &saved);  // late, but within the step of it
  EXPECT_EQ(w.value(), t0 + 120 * kMin);
  // A pending time the watermark comes within the step of is confirmed
  // by it.
  w.Observe(t0 + 150 * kMin, &saved);
  w.Observe(t0 + 170 * kMin, &saved);
  EXPECT_EQ(w.pending().n, 2);
  w.Observe(t0 + 135 * kMin, &saved);  // within 15 min of 120, and of 150
  EXPECT_EQ(w.value(), t0 + 150 * kMin);
  ASSERT_EQ(w.pending().n, 1);  // 170 is 20 min past 150
  EXPECT_EQ(w.pending().t[0], t0 + 170 * kMin);
}

TEST(WatermarkTest, RestoreAndSetGiveBackAState) {
  Watermark w(kStep);
  Watermark::Pending saved;
  const int64_t t0 = 1'780'000'000 * int64_t{1'000'000'000};
  w.Observe(t0, &saved);
  w.Observe(t0 + kMin, &saved);
  const int64_t v = w.value();
  const Watermark::Pending before = w.pending();
  ASSERT_TRUE(w.Observe(t0 + 50 * kYear, &saved));
  w.Restore(v, &saved);
  EXPECT_EQ(w.value(), v);
  EXPECT_EQ(w.pending().n, before.n);
  // The cap: the oldest pending time is forgotten.
  for (int i = 0; i < Watermark::kMaxPending + 3; ++i) {
    w.Observe(t0 + (i + 1) * kYear, &saved);
  }
  EXPECT_EQ(w.pending().n, Watermark::kMaxPending);
  EXPECT_EQ(w.pending().t[0], t0 + 4 * kYear);
  EXPECT_EQ(w.value(), v);
  // Set drops pending times the watermark already reaches.
  const int64_t p[] = {t0 + 2 * kMin, t0 + kYear};
  w.Set(t0, p);
  EXPECT_EQ(w.value(), t0);
  ASSERT_EQ(w.pending().n, 1);
  EXPECT_EQ(w.pending().t[0], t0 + kYear);
}

}  // namespace
}  // namespace gridroute

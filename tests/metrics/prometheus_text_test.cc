// Copyright 2026 gridroute authors.
//
// The hand-written Prometheus text exposition (engine/metrics): HELP/TYPE
// lines, label escaping, value formatting, histogram buckets, checked
// against the format's rules written out here as literals, and a small
// line parser run over a whole page (every sample of a declared family,
// histogram buckets cumulative and ending with +Inf == _count).
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "metrics/histogram.h"
#include "metrics/prometheus_text.h"

namespace gridroute {
namespace {

TEST(PrometheusTextTest, FamilyAndSamples) {
  PrometheusText out;
  out.Family("gridroute_reloads_total", "Pack loads by result.", "counter");
  out.Sample("gridroute_reloads_total", {{"result", "ok"}}, uint64_t{3});
  out.Sample("gridroute_reloads_total", {{"result", "failed"}}, uint64_t{0});
  out.Family("gridroute_up", "One.", "gauge");
  out.Sample("gridroute_up", {}, 1.0);
  EXPECT_EQ(out.text(),
            "# HELP gridroute_reloads_total Pack loads by result.\n"
            "# TYPE gridroute_reloads_total counter\n"
            "gridroute_reloads_total{result=\"ok\"} 3\n"
            "gridroute_reloads_total{result=\"failed\"} 0\n"
            "# HELP gridroute_up One.\n"
            "# TYPE gridroute_up gauge\n"
            "gridroute_up 1\n");
}

TEST(PrometheusTextTest, LabelValuesAndHelpAreEscaped) {
  EXPECT_EQ(PrometheusText::EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(PrometheusText::EscapeLabelValue("桥塘区"), "桥塘区");  // UTF-8 as is
  EXPECT_EQ(PrometheusText::EscapeHelp("a\\b\nc\"d"), "a\\\\b\\nc\"d");  // quotes stay in HELP
  PrometheusText out;
  out.Sample("m", {{"pack", "x\"}\n"}, {"v", ""}}, int64_t{-2});
  EXPECT_EQ(out.text(), "m{pack=\"x\\\"}\\n\",v=\"\"} -2\n");
}

TEST(PrometheusTextTest, ValuesAreGoFloats) {
  EXPECT_EQ(PrometheusText::FormatValue(0), "0");
  EXPECT_EQ(PrometheusText::FormatValue(42), "42");
  EXPECT_EQ(PrometheusText::FormatValue(-7), "-7");
  EXPECT_EQ(PrometheusText::FormatValue(0.25), "0.25");
  EXPECT_EQ(PrometheusText::FormatValue(2.5e-05), "2.5e-05");
  EXPECT_EQ(PrometheusText::FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(PrometheusText::FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(PrometheusText::FormatValue(std::nan("")), "NaN");
  const double third = 1.0 / 3;
  EXPECT_EQ(std::stod(PrometheusText::FormatValue(third)), third);  // round-trips
  EXPECT_EQ(PrometheusText::FormatValue(1e20), "1e+20");
}

TEST(PrometheusTextTest, NamesAreChecked) {
  EXPECT_TRUE(PrometheusText::ValidName("gridroute_calls_total"));
  EXPECT_TRUE(PrometheusText::ValidName("a:b_1"));
  EXPECT_FALSE(PrometheusText::ValidName("1abc"));
  EXPECT_FALSE(PrometheusText::ValidName("a-b"));
  EXPECT_FALSE(PrometheusText::ValidName(""));
}

TEST(PrometheusTextTest, HistogramBucketsAreCumulative) {
  HistogramSnapshot h;
  h.bounds = {0.001, 0.01};
  h.counts = {2, 0, 5};  // 2 <= 1 ms, 0 in (1, 10] ms, 5 above
  h.sum = 1.5;
  PrometheusText out;
  out.Histogram("lat_seconds", {{"method", "Route"}}, h);
  EXPECT_EQ(out.text(),
            "lat_seconds_bucket{method=\"Route\",le=\"0.001\"} 2\n"
            "lat_seconds_bucket{method=\"Route\",le=\"0.01\"} 2\n"
            "lat_seconds_bucket{method=\"Route\",le=\"+Inf\"} 7\n"
            "lat_seconds_sum{method=\"Route\"} 1.5\n"
            "lat_seconds_count{method=\"Route\"} 7\n");
}

TEST(HistogramTest, ObservationsLandInTheirBucket) {
  Histogram h;
  h.ObserveNanos(10'000);         // 10 us  -> le 25e-6
  h.ObserveNanos(25'000);         // 25 us  -> le 25e-6 (bounds are inclusive)
  h.ObserveNanos(30'000);         // 30 us  -> le 50e-6
  h.ObserveNanos(20'000'000'000);  // 20 s  -> +Inf
  HistogramSnapshot s = h.Snapshot();
  ASSERT_EQ(s.counts.size(), kLatencyBounds.size() + 1);
  EXPECT_EQ(s.counts[0], 2u);
  EXPECT_EQ(s.counts[1], 1u);
  EXPECT_EQ(s.counts.back(), 1u);
  EXPECT_NEAR(s.sum, 20.000065, 1e-9);
}

TEST(HistogramTest, ConcurrentObservationsAreAllCounted) {
  Histogram h;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&h, t] {
      for (int i = 0; i < 10000; ++i) h.ObserveNanos((t + 1) * 1000 * (i % 7));
    });
  }
  for (auto& t : threads) t.join();
  uint64_t n = 0;
  for (uint64_t c : h.Snapshot().counts) n += c;
  EXPECT_EQ(n, 40000u);
}

// A minimal reader of the text format: checks the structural rules on a
// whole page and returns sample name{labels} -> value.
std::map<std::string, double> ParsePage(const std::string& page) {
  std::map<std::string, std::string> type;  // family -> type
  std::map<std::string, double> samples;
  EXPECT_TRUE(absl::EndsWith(page, "\n"));
  for (absl::string_view line : absl::StrSplit(page, '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, "# HELP ")) continue;
    if (absl::StartsWith(line, "# TYPE ")) {
      std::vector<std::string> f = absl::StrSplit(line.substr(7), ' ');
      EXPECT_EQ(f.size(), 2u) << line;
      EXPECT_EQ(type.count(f[0]), 0u) << "family declared twice: " << f[0];
      type[f[0]] = f[1];
      continue;
    }
    const size_t space = line.rfind(' ');
    EXPECT_NE(space, absl::string_view::npos) << line;
    const std::string key(line.substr(0, space));
    std::string name = key.substr(0, key.find('{'));
    EXPECT_TRUE(PrometheusText::ValidName(name)) << line;
    std::string family = name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      if (absl::EndsWith(name, suffix) && type.count(name.substr(0, name.size() - strlen(suffix)))) {
        family = name.substr(0, name.size() - strlen(suffix));
      }
    }
    EXPECT_EQ(type.count(family), 1u) << "sample before its TYPE: " << line;
    double v = 0;
    const std::string value(line.substr(space + 1));
    EXPECT_TRUE(value == "+Inf" || absl::SimpleAtod(value, &v)) << line;
    EXPECT_EQ(samples.count(key), 0u) << "duplicate sample: " << key;
    samples[key] = value == "+Inf" ? std::numeric_limits<double>::infinity() : v;
  }
  return samples;
}

TEST(PrometheusTextTest, APageParses) {
  Histogram h;
  for (int i = 1; i <= 100; ++i) h.ObserveNanos(i * 37'000);
  PrometheusText out;
  out.Family("g_calls_total", "Calls.", "counter");
  out.Sample("g_calls_total", {{"method", "Route"}, {"code", "OK"}}, uint64_t{100});
  out.Family("g_seconds", "Latency.", "histogram");
  out.Histogram("g_seconds", {{"method", "Route"}}, h.Snapshot());
  std::map<std::string, double> s = ParsePage(out.text());
  EXPECT_EQ(s["g_calls_total{method=\"Route\",code=\"OK\"}"], 100);
  EXPECT_EQ(s["g_seconds_bucket{method=\"Route\",le=\"+Inf\"}"], 100);
  EXPECT_EQ(s["g_seconds_count{method=\"Route\"}"], 100);
  EXPECT_EQ(s["g_seconds_sum{method=\"Route\"}"], 0.18685);  // 37 us * 5050, printed exactly
  // Cumulative: non-decreasing over ascending le.
  double last = 0;
  for (double b : kLatencyBounds) {
    const double c = s["g_seconds_bucket{method=\"Route\",le=\"" + PrometheusText::FormatValue(b) + "\"}"];
    EXPECT_GE(c, last) << b;
    last = c;
  }
  EXPECT_EQ(s["g_seconds_bucket{method=\"Route\",le=\"0.001\"}"], 27);  // 37 us * 27 <= 1 ms
}

}  // namespace
}  // namespace gridroute

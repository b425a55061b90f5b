// Copyright 2026 gridroute authors.
//
// gridroute-load's pieces that need no server: the histogram's quantiles
// against a sorted-array oracle, the loopback-only rule, --view parsing and
// the gRPC framing of --write-request.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "load/histogram.h"
#include "load/loopback.h"
#include "load/workload.h"

namespace gridroute::load {
namespace {

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyHistogram h;
  for (int v = 1; v <= 100; ++v) h.Record(v);
  EXPECT_EQ(h.count(), 100);
  EXPECT_EQ(h.min(), 1);
  EXPECT_EQ(h.max(), 100);
  EXPECT_EQ(h.ValueAtQuantile(0.5), 50);
  EXPECT_EQ(h.ValueAtQuantile(0.99), 99);
  EXPECT_EQ(h.ValueAtQuantile(1.0), 100);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(LatencyHistogramTest, QuantilesWithinRelativeErrorOfSortedOracle) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> dist(
      13.0, 1.5);  // ~0.4 ms median, long tail (ns)
  std::vector<int64_t> values;
  LatencyHistogram a, b;
  for (int i = 0; i < 200000; ++i) {
    const int64_t v = static_cast<int64_t>(dist(rng));
    values.push_back(v);
    (i % 2 ? a : b).Record(v);
  }
  a.Merge(b);
  std::sort(values.begin(), values.end());
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    const int64_t want =
        values[static_cast<size_t>(std::ceil(q * values.size())) - 1];
    const int64_t got = a.ValueAtQuantile(q);
    EXPECT_GE(got, want) << q;  // an upper bucket edge never understates
    EXPECT_LE(static_cast<double>(got), want * (1 + 1.0 / 128) + 1) << q;
  }
  EXPECT_EQ(a.max(), values.back());
  EXPECT_EQ(a.min(), values.front());
}

TEST(LatencyHistogramTest, BucketEdgesAreMonotonicAndContainTheirValues) {
  for (int64_t v : {int64_t{0}, int64_t{255}, int64_t{256}, int64_t{257},
                    int64_t{1000}, int64_t{123456789}, int64_t{1} << 40}) {
    const int b = LatencyHistogram::BucketOf(v);
    EXPECT_GE(LatencyHistogram::BucketUpper(b), v);
    if (b > 0) EXPECT_LT(LatencyHistogram::BucketUpper(b - 1), v);
  }
}

TEST(CheckLoopbackTargetTest, AcceptsLoopbackOnly) {
  for (const char* ok :
       {"127.0.0.1:19090", "127.1.2.3:80", "localhost:9090", "[::1]:9090",
        "ipv4:127.0.0.1:9090", "dns:///localhost:9090", "ipv6:[::1]:1"}) {
    EXPECT_TRUE(CheckLoopbackTarget(ok).ok()) << ok;
  }
  for (const char* bad : {"10.0.0.5:9090", "0.0.0.0:9090", "example.com:443",
                          "[::]:9090", "[2001:db8::1]:9090", "127.0.0.1",
                          "localhost:0", "::1:9090", "128.0.0.1:9090"}) {
    const absl::Status s = CheckLoopbackTarget(bad);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("loopback"), absl::string_view::npos) << bad;
  }
}

TEST(ParseViewTest, AcceptsCodesAndFullOnly) {
  EXPECT_EQ(ParseView("full").value(), v1::DECISION_VIEW_FULL);
  EXPECT_EQ(ParseView("codes").value(), v1::DECISION_VIEW_CODES);
  for (const char* bad : {"", "FULL", "Codes", "code", "1", "full "}) {
    const absl::StatusOr<v1::DecisionView> v = ParseView(bad);
    ASSERT_FALSE(v.ok()) << bad;
    EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(v.status().message().find("codes or full"),
              absl::string_view::npos);
  }
  EXPECT_STREQ(ViewName(v1::DECISION_VIEW_CODES), "codes");
  EXPECT_STREQ(ViewName(v1::DECISION_VIEW_FULL), "full");
}

TEST(GrpcFrameTest, PrefixesFlagAndBigEndianLength) {
  v1::RouteRequest r;
  r.set_category(std::string(300, 'c'));  // > 255 bytes: two length bytes
  r.set_view(v1::DECISION_VIEW_CODES);
  const std::string body = r.SerializeAsString();
  const std::string framed = GrpcFrame(r);
  ASSERT_EQ(framed.size(), body.size() + 5);
  EXPECT_EQ(framed[0], '\0');
  const auto byte = [&](int k) { return static_cast<uint8_t>(framed[k]); };
  const size_t n = (size_t{byte(1)} << 24) | (size_t{byte(2)} << 16) |
                   (size_t{byte(3)} << 8) | byte(4);
  EXPECT_EQ(n, body.size());
  EXPECT_EQ(framed.substr(5), body);
  EXPECT_EQ(GrpcFrame(v1::RouteRequest()), std::string(5, '\0'));
}

TEST(ParseGrpcFrameTest, RoundTripsAndRejectsBadFrames) {
  v1::RouteRequest r;
  r.set_category("0102");
  r.set_view(v1::DECISION_VIEW_CODES);
  v1::RouteRequest back;
  ASSERT_TRUE(ParseGrpcFrame(GrpcFrame(r), &back).ok());
  EXPECT_EQ(back.SerializeAsString(), r.SerializeAsString());
  const std::string framed = GrpcFrame(r);
  EXPECT_FALSE(ParseGrpcFrame(framed.substr(0, 4), &back).ok());
  EXPECT_FALSE(ParseGrpcFrame(framed + "x", &back).ok());
  EXPECT_FALSE(ParseGrpcFrame("\x01" + framed.substr(1), &back).ok());
  EXPECT_FALSE(
      ParseGrpcFrame(std::string("\0\0\0\0\2\xff\xff", 7), &back).ok());
}

TEST(ScanRouteOutcomeTest, MatchesTheParsedOutcome) {
  v1::RouteResponse full;
  full.mutable_snapshot()->set_version("gen-1-2000");
  full.mutable_decision()->set_outcome(v1::OUTCOME_OUTSIDE_COVERAGE);
  full.mutable_decision()->mutable_location()->set_grid_code("G1");
  v1::RouteResponse codes;
  codes.mutable_codes()->set_grid_code("G2");
  codes.mutable_codes()->set_outcome(v1::OUTCOME_ROUTED);
  codes.mutable_snapshot()->set_version("v");
  for (const v1::RouteResponse& r : {full, codes, v1::RouteResponse()}) {
    int got = -1;
    ASSERT_TRUE(ScanRouteOutcome(r.SerializeAsString(), &got))
        << r.DebugString();
    const int want =
        r.has_codes() ? r.codes().outcome() : r.decision().outcome();
    EXPECT_EQ(got, want) << r.DebugString();
  }
  int got = -1;
  EXPECT_FALSE(ScanRouteOutcome(std::string("\x0a\x05\x08", 3), &got));
  EXPECT_FALSE(ScanRouteOutcome(std::string("\xff\xff", 2), &got));
}

}  // namespace
}  // namespace gridroute::load

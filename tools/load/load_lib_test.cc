// Copyright 2026 gridroute authors.
//
// gridroute-load's pieces that need no server: the histogram's quantiles
// against a sorted-array oracle, the loopback-only rule, --view parsing and
// the gRPC framing of --write-request, and the wire scans of Route and
// RouteStream answers against protobuf's own parse.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/stubs/logging.h"
#include "gtest/gtest.h"
#include "load/decision_scan.h"
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
    if (b > 0) {
      EXPECT_LT(LatencyHistogram::BucketUpper(b - 1), v);
    }
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

// The times of a generated events.csv are in the past of a fixed date;
// sent as given, a long-lived checkout would still be fine, but a server
// refuses times ahead of its clock: the load tool moves them so the latest
// is the start, keeping their spacing (so what folds into what).
TEST(ShiftReportTimesTest, LatestBecomesTheStartAndSpacingStays) {
  std::vector<v1::RouteRequest> r(3);
  r[0].mutable_reported_at()->set_seconds(1000);
  r[1].mutable_reported_at()->set_seconds(4600);
  r[1].mutable_reported_at()->set_nanos(500);
  r[2].mutable_reported_at()->set_seconds(2000);
  const absl::Time start = absl::FromUnixSeconds(1'800'000'000);
  EXPECT_EQ(ShiftReportTimes(&r, start), start - absl::FromUnixSeconds(4600) - absl::Nanoseconds(500));
  EXPECT_EQ(r[1].reported_at().seconds(), 1'800'000'000);
  EXPECT_EQ(r[1].reported_at().nanos(), 0);
  EXPECT_EQ(r[1].reported_at().seconds() - r[0].reported_at().seconds(), 3600 + 1);
  EXPECT_EQ(r[0].reported_at().nanos(), 999'999'500);  // -500 ns borrowed a second
  EXPECT_EQ(r[1].reported_at().seconds() - r[2].reported_at().seconds(), 2600 + 1);
  // Detections carry the times, 16 cameras and no correlation ids (keys).
  const v1::DetectionBatch b = MakeDetectionBatch(r, 1, 4);
  ASSERT_EQ(b.detections_size(), 4);
  EXPECT_EQ(b.detections(0).frame_time().seconds(), r[1].reported_at().seconds());
  EXPECT_EQ(b.detections(3).frame_time().seconds(), r[1].reported_at().seconds());
  for (const v1::Detection& d : b.detections()) EXPECT_TRUE(d.correlation_id().empty());
  EXPECT_EQ(b.detections(1).camera_id(), "cam-1");
}

TEST(SetReportTimesTest, EveryTimeBecomesNowAndMissingOnesAreSet) {
  std::vector<v1::RouteRequest> r(3);
  r[0].mutable_reported_at()->set_seconds(1000);
  r[1].mutable_reported_at()->set_seconds(4600);
  r[1].mutable_reported_at()->set_nanos(500);
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000) + absl::Nanoseconds(7);
  SetReportTimes(&r, now);
  for (const v1::RouteRequest& q : r) {
    EXPECT_EQ(q.reported_at().seconds(), 1'800'000'000);
    EXPECT_EQ(q.reported_at().nanos(), 7);
  }
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

// What the stream client counted when it parsed every DecisionBatch: the
// oracle for ScanDecisionBatch.
DecisionCounts CountParsed(const v1::DecisionBatch& batch) {
  DecisionCounts c;
  for (const v1::DetectionResult& r : batch.results()) {
    ++c.results;
    if (r.has_error()) {
      const int code = r.error().code();
      ++c.by_code[code >= 0 && code < DecisionCounts::kCodes ? code : 2];
      continue;
    }
    ++c.by_code[0];
    const int o = r.has_codes() ? r.codes().outcome() : r.decision().outcome();
    ++(o == v1::OUTCOME_OUTSIDE_COVERAGE ? c.outside : c.routed);
  }
  return c;
}

void FillCodes(std::mt19937_64& rng, v1::DecisionCodes* d) {
  d->set_outcome(static_cast<v1::Outcome>(rng() % 3));
  d->set_grid_code(absl::StrCat("G", rng() % 200000));
  d->set_how(static_cast<v1::How>(rng() % 5));
  d->set_distance_m(static_cast<double>(rng() % 1000) / 7);
  for (int k = 0; k < 4; ++k) d->add_region_codes(absl::StrCat("R", k));
  d->set_rule_id("rule-7");
  d->set_lead("D01");
  d->add_helpers("D02");
  v1::TeamRef* t = d->add_team();
  t->set_role(v1::TEAM_ROLE_LEADER);
  t->set_person_id("p1");
  d->mutable_deadline()->set_seconds(1700000000 + rng() % 1000);
  if (rng() % 4 == 0) d->mutable_case_ref()->set_report_count(3);
}

void FillDecision(std::mt19937_64& rng, v1::Decision* d) {
  d->set_outcome(static_cast<v1::Outcome>(rng() % 3));
  v1::Location* l = d->mutable_location();
  l->set_grid_code("G1");
  l->set_grid_name("Grid one");
  for (int k = 0; k < 3; ++k) l->add_chain()->set_code(absl::StrCat("R", k));
  d->mutable_lead()->set_name("Roads");
  d->add_team()->set_phone("+00 123");
  d->mutable_deadline()->set_nanos(5);
  d->set_category_name("Pothole");
}

// `n` results of the view, about one in five an ItemError (codes 0, 3, 5,
// 16 and out-of-range ones), a few empty.
v1::DecisionBatch RandomBatch(std::mt19937_64& rng, v1::DecisionView view,
                              int n) {
  v1::DecisionBatch b;
  b.mutable_snapshot()->set_version("gen-1-200000");
  b.mutable_snapshot()->set_generation(12);
  const int codes[] = {0, 3, 5, 16, 17, -1, 99};
  for (int i = 0; i < n; ++i) {
    v1::DetectionResult* r = b.add_results();
    r->set_correlation_id(absl::StrCat("d", i));
    r->set_camera_id(absl::StrCat("cam-", i % 16));
    const uint64_t pick = rng() % 20;
    if (pick < 4) {
      r->mutable_error()->set_code(codes[rng() % 7]);
      r->mutable_error()->set_message("point: not finite");
    } else if (pick == 4) {
      continue;  // no result member at all
    } else if (view == v1::DECISION_VIEW_CODES) {
      FillCodes(rng, r->mutable_codes());
    } else {
      FillDecision(rng, r->mutable_decision());
    }
  }
  return b;
}

// Both ways of reading `wire` agree: the same verdict, the same counts.
void ExpectScanMatchesParse(const std::string& wire) {
  v1::DecisionBatch parsed;
  const bool parse_ok = parsed.ParseFromString(wire);
  DecisionCounts got;
  const bool scan_ok = ScanDecisionBatch(wire, &got);
  EXPECT_EQ(scan_ok, parse_ok);
  if (scan_ok && parse_ok) {
    EXPECT_EQ(got, CountParsed(parsed));
  }
  if (!scan_ok) {
    EXPECT_EQ(got, DecisionCounts());
  }
}

TEST(ScanDecisionBatchTest, MatchesTheParseInBothViews) {
  std::mt19937_64 rng(11);
  for (v1::DecisionView view :
       {v1::DECISION_VIEW_CODES, v1::DECISION_VIEW_FULL}) {
    for (int n : {0, 1, 7, 300}) {
      const v1::DecisionBatch b = RandomBatch(rng, view, n);
      DecisionCounts got;
      ASSERT_TRUE(ScanDecisionBatch(b.SerializeAsString(), &got));
      EXPECT_EQ(got, CountParsed(b)) << ViewName(view) << " " << n;
      EXPECT_EQ(got.results, n);
    }
  }
  // The mix covers every kind of count.
  DecisionCounts c;
  ASSERT_TRUE(ScanDecisionBatch(
      RandomBatch(rng, v1::DECISION_VIEW_CODES, 300).SerializeAsString(), &c));
  EXPECT_GT(c.routed, 0);
  EXPECT_GT(c.outside, 0);
  EXPECT_GT(c.by_code[2], 0);  // out-of-range codes
  EXPECT_GT(c.by_code[3] + c.by_code[5], 0);
}

// Hand-written wire pieces protobuf writers do not produce.
std::string Varint(uint64_t v) {
  std::string out;
  for (; v >= 0x80; v >>= 7) out.push_back(static_cast<char>(v | 0x80));
  out.push_back(static_cast<char>(v));
  return out;
}
std::string Key(uint32_t field, uint32_t type) {
  return Varint((uint64_t{field} << 3) | type);
}
std::string Delimited(uint32_t field, const std::string& body) {
  return Key(field, 2) + Varint(body.size()) + body;
}
std::string Result(const std::string& body) { return Delimited(1, body); }

TEST(ScanDecisionBatchTest, FollowsProtobufOnOneofsMergesAndUnknownFields) {
  const std::string outside = Key(1, 0) + Varint(2);
  const std::string not_found = Key(1, 0) + Varint(5);
  const std::string cases[] = {
      // The last oneof member on the wire wins; switching clears it.
      Result(Delimited(5, outside) + Delimited(4, not_found)),
      Result(Delimited(4, not_found) + Delimited(3, outside)),
      Result(Delimited(3, outside) + Delimited(5, "") + Delimited(3, "")),
      // A member seen twice merges: the outcome stays unless set again.
      Result(Delimited(5, outside) + Delimited(5, Key(2, 2) + Varint(0))),
      Result(Delimited(5, outside + Key(1, 0) + Varint(1))),
      // Unknown fields of every wire type, and known numbers with the wrong
      // wire type (unknown too).
      Result(Key(9, 0) + Varint(1) + Key(10, 5) + "abcd" + Key(11, 1) +
             "abcdefgh" + Key(12, 3) + Key(1, 0) + Varint(3) + Key(12, 4) +
             Delimited(5, outside)),
      Result(Key(5, 0) + Varint(7) + Delimited(3, Delimited(1, "x"))),
      Key(1, 0) + Varint(4) + Result("") + Key(2, 5) + "wxyz",
      // A negative code and an outcome past the enum.
      Result(Delimited(4, Key(1, 0) + Varint(~uint64_t{0}))),
      Result(Delimited(5, Key(1, 0) + Varint(uint64_t{1} << 33 | 2))),
  };
  for (const std::string& wire : cases) ExpectScanMatchesParse(wire);
}

TEST(ScanDecisionBatchTest, RejectsMalformedInput) {
  std::mt19937_64 rng(3);
  const std::string good =
      RandomBatch(rng, v1::DECISION_VIEW_CODES, 3).SerializeAsString();
  const std::string bad[] = {
      std::string(11, '\xff'),                     // a varint past 10 bytes
      Key(1, 2) + std::string(10, '\x80'),         // a length that never ends
      Key(1, 2) + Varint(5) + "abc",               // a length past the end
      Result(Key(5, 2) + Varint(9) + "ab"),        // ... inside a result
      Result(Delimited(5, Key(1, 0))),             // a value missing
      Result(Key(12, 3) + Key(1, 0) + Varint(1)),  // a group never closed
      Result(Key(12, 3) + Key(13, 4)),             // closed by another field
      Key(3, 4),                                   // an end-group nobody opened
      Key(3, 6) + "x",                             // wire type 6
      Key(3, 7),                                   // wire type 7
      std::string("\0", 1),                        // tag 0
      Key(1, 1) + "abc",                           // fixed64 cut short
      Key(1, 5) + "ab",                            // fixed32 cut short
      good + Key(1, 2),                            // cut after a key
  };
  for (const std::string& wire : bad) {
    DecisionCounts got;
    got.results = 42;
    EXPECT_FALSE(ScanDecisionBatch(wire, &got)) << absl::CEscape(wire);
    EXPECT_EQ(got, DecisionCounts());
    ExpectScanMatchesParse(wire);
  }
  std::string deep;  // groups nested past protobuf's recursion limit
  for (int k = 0; k < 200; ++k) deep = Key(12, 3) + deep + Key(12, 4);
  DecisionCounts got;
  EXPECT_FALSE(ScanDecisionBatch(Result(deep), &got));
}

TEST(ScanDecisionBatchTest, EveryTruncationAgreesWithTheParse) {
  std::mt19937_64 rng(5);
  for (v1::DecisionView view :
       {v1::DECISION_VIEW_CODES, v1::DECISION_VIEW_FULL}) {
    const std::string wire = RandomBatch(rng, view, 6).SerializeAsString();
    for (size_t n = 0; n <= wire.size(); ++n) {
      SCOPED_TRACE(n);
      ExpectScanMatchesParse(wire.substr(0, n));
    }
  }
}

// Corrupted bytes: never a crash, and a batch the scanner accepts and
// protobuf parses is counted alike. (The scanner does not look inside the
// fields it skips, so it may accept what the parse rejects, not the reverse.)
TEST(ScanDecisionBatchTest, CorruptedBytesNeverCrashAndNeverDisagree) {
  google::protobuf::LogSilencer quiet;  // the parse logs each bad UTF-8
  std::mt19937_64 rng(9);
  for (int round = 0; round < 3000; ++round) {
    const v1::DecisionView view =
        round % 2 ? v1::DECISION_VIEW_FULL : v1::DECISION_VIEW_CODES;
    std::string wire = RandomBatch(rng, view, 3).SerializeAsString();
    for (int k = 0; k < 1 + round % 3; ++k) {
      wire[rng() % wire.size()] = static_cast<char>(rng());
    }
    v1::DecisionBatch parsed;
    const bool parse_ok = parsed.ParseFromString(wire);
    DecisionCounts got;
    const bool scan_ok = ScanDecisionBatch(wire, &got);
    if (!scan_ok) {
      EXPECT_FALSE(parse_ok) << absl::CEscape(wire);
    } else if (parse_ok) {
      EXPECT_EQ(got, CountParsed(parsed));
    }
  }
}

}  // namespace
}  // namespace gridroute::load

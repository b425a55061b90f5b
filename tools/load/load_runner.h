// Copyright 2026 gridroute authors.
//
// The load loops of gridroute-load (load_main.cc): unary Route and
// RouteStream, closed or open loop, recording into one Recorder.
//
//   Recorder rec;
//   Limits limits(Clock::now() + std::chrono::seconds(10), /*max_requests=*/0);
//   Progress progress(&rec);
//   RunUnary(channels, requests, {.rate = 5000}, &limits, &rec);
//   progress.Stop();
//   rec.total.ValueAtQuantile(0.99);  // ns
//
// Open loop: request i is due at t0 + i / rate and its latency runs from that
// intended time, so a stall is charged to every request it delayed (no
// coordinated omission). Closed loop: latency runs from the actual send.
// Every call's grpc::Status is read (gRPC answers HTTP 200 for errors too).
//
// Thread-safety: Recorder and Limits are shared by all callers (atomics and a
// mutex); RunUnary/RunStreams block until every request they issued is
// answered.
#ifndef GRIDROUTE_TOOLS_LOAD_LOAD_RUNNER_H_
#define GRIDROUTE_TOOLS_LOAD_LOAD_RUNNER_H_

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gridroute/v1/routing.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "load/histogram.h"

namespace gridroute::load {

using Clock = std::chrono::steady_clock;
inline constexpr int kCodes = 17;  // grpc::StatusCode 0..16

// "OK", "INVALID_ARGUMENT", ...; out-of-range codes are "UNKNOWN".
const char* CodeName(int c);
// c if it is a valid code, else 2 (UNKNOWN).
int CodeIndex(int c);

// Results of a run. Counters are atomics; histograms behind mu.
struct Recorder {
  std::mutex mu;
  LatencyHistogram total;     // guarded by mu; ns
  LatencyHistogram interval;  // guarded by mu; reset by each progress line
  std::string first_error;    // guarded by mu
  std::array<std::atomic<int64_t>, kCodes> calls_by_code{};  // per request
  std::array<std::atomic<int64_t>, kCodes>
      items_by_code{};  // per detection (stream)
  std::atomic<int64_t> items{0}, routed{0}, outside{0}, late_sends{0};
  std::atomic<int64_t> in_flight{0};  // requests sent, not yet answered
  // Serialized response bytes and the decisions (results) they carried.
  std::atomic<int64_t> response_bytes{0}, response_decisions{0};

  void Record(const grpc::Status& s, int64_t latency_ns) {
    ++calls_by_code[CodeIndex(s.error_code())];
    std::lock_guard<std::mutex> l(mu);
    total.Record(latency_ns);
    interval.Record(latency_ns);
    if (!s.ok() && first_error.empty()) {
      first_error =
          absl::StrCat(CodeName(s.error_code()), ": ", s.error_message());
    }
  }
  void Outcome(v1::Outcome o) {
    if (o == v1::OUTCOME_OUTSIDE_COVERAGE) {
      ++outside;
    } else {
      ++routed;
    }
  }
  int64_t total_count() {
    std::lock_guard<std::mutex> l(mu);
    return total.count();
  }
  int64_t Errors() const {
    int64_t n = 0;
    for (int c = 1; c < kCodes; ++c) n += calls_by_code[c].load();
    return n;
  }
  int64_t ItemErrors() const {
    int64_t n = 0;
    for (int c = 1; c < kCodes; ++c) n += items_by_code[c].load();
    return n;
  }
};

// When to stop issuing: a time and/or a count.
class Limits {
 public:
  Limits(Clock::time_point end, int64_t max_requests)
      : end_(end), max_(max_requests) {}
  // Claims the next request index, or -1 when the run is over.
  int64_t Take() {
    if (Clock::now() >= end_) return -1;
    const int64_t i = next_.fetch_add(1);
    return max_ > 0 && i >= max_ ? -1 : i;
  }
  Clock::time_point end() const { return end_; }
  int64_t max() const { return max_; }
  int64_t issued() const {
    return std::min<int64_t>(next_.load(), max_ > 0 ? max_ : INT64_MAX);
  }

 private:
  const Clock::time_point end_;
  const int64_t max_;
  std::atomic<int64_t> next_{0};
};

struct UnaryOptions {
  // Open loop: requests/s; 0 = closed loop.
  double rate = 0;
  // Closed loop: calls in flight.
  int concurrency = 64;
  // Open loop: most calls in flight; a send past it waits (and is charged).
  int64_t max_in_flight = 10000;
  // Per-call deadline.
  int timeout_ms = 10000;
};

// Unary Route calls over the callback API (unary_client.cc),
// requests[i % size] pre-serialized, call slots spread over the channels,
// until `limits` says stop; then waits for the calls in flight.
// REQUIRES: channels and requests non-empty.
void RunUnary(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
              const std::vector<v1::RouteRequest>& requests,
              const UnaryOptions& options, Limits* limits, Recorder* rec);

struct StreamOptions {
  // Open loop: batches/s over all streams; 0 = closed loop.
  double rate = 0;
  // Concurrent RouteStream calls (spread over the channels).
  int streams = 2;
  // Closed loop: batches in flight per stream.
  int window = 2;
  // Open loop: most batches in flight per stream.
  int64_t max_in_flight = 10000;
  // Completion queues, each polled by its own thread (at most `streams`).
  int threads = 1;
};

// RouteStream calls over the completion-queue API (stream_client.cc),
// sending batches[i % size] pre-serialized until `limits` says stop; one
// request = one batch, answered by one DecisionBatch; rec->items counts
// detections, rec->items_by_code their per-item outcomes.
void RunStreams(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                const std::vector<v1::DetectionBatch>& batches,
                const StreamOptions& options, Limits* limits, Recorder* rec);

// Prints a line on stderr about once a second (requests/s and p50/p99 of
// the last interval, errors, requests in flight) until Stop(). Owns a thread.
class Progress {
 public:
  explicit Progress(Recorder* rec);
  void Stop();

 private:
  void Loop();

  Recorder* const rec_;
  const Clock::time_point t0_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
};

}  // namespace gridroute::load

#endif  // GRIDROUTE_TOOLS_LOAD_LOAD_RUNNER_H_

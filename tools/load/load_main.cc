// Copyright 2026 gridroute authors.
//
// gridroute-load: load generator for gridroute-server (loopback only).
//
//   # closed loop: 64 unary Route calls in flight for 10 s
//   gridroute-load --server 127.0.0.1:19090 --events
//   data/sample-city/events.csv # open loop: 5,000 calls/s; latency runs from
//   each call's *intended* send # time, so a stalled server is charged for the
//   calls it delayed gridroute-load --server ... --events ... --rate 5000
//   --duration-s 20 # RouteStream: 2 streams, batches of 256 detections, 2
//   batches in flight each gridroute-load --server ... --events ... --mode
//   stream --batch 256 --concurrency 2 # machine-readable result, bounded by
//   count gridroute-load --server ... --points points.csv --requests 10000
//   --json
//
// Every call's grpc-status is read (gRPC answers HTTP 200 even for errors);
// errors are counted by status code, per-item errors of streamed batches
// separately. Latencies go into an HDR-style log-linear histogram
// (histogram.h, < 0.8% relative error; max exact). A progress line goes to
// stderr about once a second. Bounded by --duration-s and/or --requests
// (whichever comes first; calls in flight are then awaited).
//
// A "request" is one Route call (unary) or one DetectionBatch answered by one
// DecisionBatch (stream); items count detections.
//
// Exit status: 0 no errors, 1 any call or item failed (or no connection),
// 2 bad usage.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "gridroute/v1/routing.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "load/histogram.h"
#include "load/load_runner.h"
#include "load/loopback.h"
#include "load/workload.h"
#include "server/dashed_flags.h"

ABSL_FLAG(std::string, server, "127.0.0.1:9090", "host:port; loopback only");
ABSL_FLAG(std::string, events, "",
          "events.csv of a pack (every field sent as given)");
ABSL_FLAG(std::string, points, "",
          "CSV with lon,lat columns; each point sent as --category");
ABSL_FLAG(std::string, category, "0102", "--points: category of every event");
ABSL_FLAG(std::string, reported_at, "2026-03-04T10:00:00+08:00",
          "--points: report time (RFC 3339)");
ABSL_FLAG(int64_t, max_rows, 100000,
          "rows read from --events/--points (cycled)");
ABSL_FLAG(std::string, mode, "unary", "unary (Route) or stream (RouteStream)");
ABSL_FLAG(int, concurrency, 0,
          "closed loop: callers (unary calls in flight; default 64) or streams "
          "(stream mode; "
          "default --streams)");
ABSL_FLAG(int, streams, 2,
          "stream mode: streams when --concurrency is not given");
ABSL_FLAG(
    double, rate, 0,
    "open loop: target requests/s (unary calls or batches); 0 = closed loop");
ABSL_FLAG(
    double, duration_s, 0,
    "stop issuing after this many seconds (default 10 unless --requests)");
ABSL_FLAG(int64_t, requests, 0,
          "stop after issuing this many requests (0 = no limit)");
ABSL_FLAG(int, channels, 2, "separate HTTP/2 connections");
ABSL_FLAG(int, batch, 256, "stream mode: detections per batch");
ABSL_FLAG(int, window, 2,
          "stream mode, closed loop: batches in flight per stream");
ABSL_FLAG(int64_t, max_in_flight, 10000,
          "open loop: most requests in flight; past it sends wait (and are "
          "charged the wait)");
ABSL_FLAG(int, timeout_ms, 10000, "per-call deadline (unary)");
ABSL_FLAG(double, connect_timeout_s, 5,
          "wait this long for each connection before starting");
ABSL_FLAG(bool, drop_rejected, true,
          "before timing, send every row once (RouteBatch) and drop the rows "
          "the server "
          "rejects (a pack's events.csv plants ~0.5% invalid rows); false: "
          "send them, and "
          "count their errors");
ABSL_FLAG(bool, json, false, "print the result as one JSON object on stdout");
ABSL_FLAG(bool, progress, true,
          "print a progress line on stderr about once a second");

namespace gridroute::load {
namespace {

[[noreturn]] void Usage(const std::string& message) {
  std::fprintf(stderr, "gridroute-load: %s\n", message.c_str());
  std::exit(2);
}

std::vector<std::shared_ptr<grpc::Channel>> Connect(const std::string& server,
                                                    int n, double timeout_s) {
  std::vector<std::shared_ptr<grpc::Channel>> out;
  for (int i = 0; i < n; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("gridroute.load.channel",
                i);  // distinct args: distinct connections
    args.SetMaxReceiveMessageSize(64 << 20);
    auto channel = grpc::CreateCustomChannel(
        server, grpc::InsecureChannelCredentials(), args);
    const auto deadline =
        std::chrono::system_clock::now() +
        std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
    if (!channel->WaitForConnected(deadline)) {
      std::fprintf(stderr,
                   "gridroute-load: cannot connect to %s within %.1f s\n",
                   server.c_str(), timeout_s);
      std::exit(1);
    }
    out.push_back(std::move(channel));
  }
  return out;
}

// Sends every request once in RouteBatch calls and keeps those answered
// without an item error. Counts the dropped rows per code into `dropped`.
absl::StatusOr<std::vector<v1::RouteRequest>> DropRejected(
    const std::shared_ptr<grpc::Channel>& channel,
    std::vector<v1::RouteRequest> requests,
    std::array<int64_t, kCodes>* dropped) {
  constexpr size_t kChunk = 5000;
  auto stub = v1::RoutingService::NewStub(channel);
  std::vector<v1::RouteRequest> kept;
  for (size_t first = 0; first < requests.size(); first += kChunk) {
    const size_t n = std::min(kChunk, requests.size() - first);
    v1::RouteBatchRequest req;
    for (size_t k = 0; k < n; ++k) *req.add_events() = requests[first + k];
    v1::RouteBatchResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(60));
    const grpc::Status s = stub->RouteBatch(&ctx, req, &resp);
    if (!s.ok() || resp.results_size() != static_cast<int>(n)) {
      return absl::UnavailableError(
          absl::StrCat("pre-flight RouteBatch: ", CodeName(s.error_code()),
                       ": ", s.error_message()));
    }
    for (size_t k = 0; k < n; ++k) {
      if (resp.results(static_cast<int>(k)).has_error()) {
        ++(*dropped)[CodeIndex(
            resp.results(static_cast<int>(k)).error().code())];
      } else {
        kept.push_back(std::move(requests[first + k]));
      }
    }
  }
  if (kept.empty())
    return absl::FailedPreconditionError("the server rejects every row");
  return kept;
}

std::string CodesJson(const std::array<int64_t, kCodes>& codes) {
  std::string out = "{";
  for (int c = 1; c < kCodes; ++c) {
    if (codes[c] == 0) continue;
    absl::StrAppend(&out, out.size() > 1 ? ", " : "", "\"", CodeName(c),
                    "\": ", codes[c]);
  }
  return out + "}";
}

std::string CodesJson(const std::array<std::atomic<int64_t>, kCodes>& codes) {
  std::string out = "{";
  for (int c = 1; c < kCodes; ++c) {
    if (codes[c].load() == 0) continue;
    absl::StrAppend(&out, out.size() > 1 ? ", " : "", "\"", CodeName(c),
                    "\": ", codes[c].load());
  }
  return out + "}";
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "load generator for gridroute-server (loopback only); see --help");
  std::vector<std::string> storage;
  std::vector<char*> args = DashedFlags(argc, argv, &storage);
  absl::ParseCommandLine(static_cast<int>(args.size()), args.data());

  const std::string server = absl::GetFlag(FLAGS_server);
  if (absl::Status s = CheckLoopbackTarget(server); !s.ok())
    Usage(std::string(s.message()));
  const std::string mode = absl::GetFlag(FLAGS_mode);
  if (mode != "unary" && mode != "stream")
    Usage("--mode must be unary or stream");
  const double rate = absl::GetFlag(FLAGS_rate);
  if (!(rate >= 0 && rate <= 1e7)) Usage("--rate must be in [0, 1e7]");
  const int64_t max_requests = absl::GetFlag(FLAGS_requests);
  if (max_requests < 0) Usage("--requests must be >= 0");
  double duration_s = absl::GetFlag(FLAGS_duration_s);
  if (duration_s == 0 && max_requests == 0) duration_s = 10;
  if (!(duration_s >= 0 && duration_s <= 3600))
    Usage("--duration-s must be in [0, 3600]");
  if (duration_s == 0)
    duration_s = 3600;  // bounded by --requests; an hour at most
  int concurrency = absl::GetFlag(FLAGS_concurrency);
  if (concurrency == 0)
    concurrency = mode == "unary" ? 64 : absl::GetFlag(FLAGS_streams);
  if (concurrency < 1 || concurrency > 100000)
    Usage("--concurrency must be in [1, 100000]");
  const int batch = absl::GetFlag(FLAGS_batch);
  if (batch < 1 || batch > 10000) Usage("--batch must be in [1, 10000]");
  const int window = absl::GetFlag(FLAGS_window);
  if (window < 1) Usage("--window must be >= 1");
  const int64_t max_in_flight = absl::GetFlag(FLAGS_max_in_flight);
  if (max_in_flight < 1) Usage("--max-in-flight must be >= 1");
  const int64_t max_rows = absl::GetFlag(FLAGS_max_rows);
  if (max_rows < 1) Usage("--max-rows must be >= 1");

  absl::StatusOr<std::vector<v1::RouteRequest>> requests;
  if (!absl::GetFlag(FLAGS_events).empty()) {
    size_t skipped = 0;
    requests = LoadEvents(absl::GetFlag(FLAGS_events),
                          static_cast<size_t>(max_rows), &skipped);
    if (skipped > 0) {
      std::fprintf(
          stderr,
          "gridroute-load: skipped %zu rows of %s with an unreadable lon, lat "
          "or reported_at\n",
          skipped, absl::GetFlag(FLAGS_events).c_str());
    }
  } else if (!absl::GetFlag(FLAGS_points).empty()) {
    absl::Time at;
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, absl::GetFlag(FLAGS_reported_at),
                         &at, &err)) {
      Usage(absl::StrCat("--reported-at: ", err));
    }
    requests =
        LoadPoints(absl::GetFlag(FLAGS_points), static_cast<size_t>(max_rows),
                   absl::GetFlag(FLAGS_category), at);
  } else {
    Usage("give --events events.csv or --points points.csv (lon,lat)");
  }
  if (!requests.ok()) Usage(std::string(requests.status().message()));

  const auto channels =
      Connect(server, std::max(1, absl::GetFlag(FLAGS_channels)),
              absl::GetFlag(FLAGS_connect_timeout_s));
  std::array<int64_t, kCodes> dropped{};
  int64_t num_dropped = 0;
  if (absl::GetFlag(FLAGS_drop_rejected)) {
    const size_t before = requests->size();
    requests = DropRejected(channels[0], std::move(*requests), &dropped);
    if (!requests.ok()) {
      std::fprintf(stderr, "gridroute-load: %s\n",
                   std::string(requests.status().message()).c_str());
      return 1;
    }
    num_dropped = static_cast<int64_t>(before - requests->size());
    if (num_dropped > 0) {
      std::fprintf(
          stderr,
          "gridroute-load: dropped %lld of %zu rows the server rejects %s\n",
          static_cast<long long>(num_dropped), before,
          CodesJson(dropped).c_str());
    }
  }
  Recorder rec;
  const Clock::time_point t0 = Clock::now();
  Limits limits(
      t0 + std::chrono::microseconds(static_cast<int64_t>(duration_s * 1e6)),
      max_requests);
  std::unique_ptr<Progress> progress;
  if (absl::GetFlag(FLAGS_progress))
    progress = std::make_unique<Progress>(&rec);
  if (mode == "unary") {
    RunUnary(channels, *requests,
             {.rate = rate,
              .concurrency = concurrency,
              .max_in_flight = max_in_flight,
              .timeout_ms = absl::GetFlag(FLAGS_timeout_ms)},
             &limits, &rec);
  } else {
    // A few distinct batches, cycled (building one per request would cost the
    // client more than the server).
    std::vector<v1::DetectionBatch> batches;
    const size_t distinct = std::clamp<size_t>(requests->size() / batch, 1, 16);
    for (size_t k = 0; k < distinct; ++k) {
      batches.push_back(MakeDetectionBatch(*requests, k * batch, batch));
    }
    RunStreams(channels, batches,
               {.rate = rate,
                .streams = concurrency,
                .window = window,
                .max_in_flight = max_in_flight},
               &limits, &rec);
  }
  if (progress) progress->Stop();
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();

  const LatencyHistogram& h = rec.total;  // all callers are done
  const int64_t done = h.count(), errors = rec.Errors(),
                item_errors = rec.ItemErrors();
  const double us = 1e-3;
  const std::string loop = rate > 0 ? "open" : "closed";
  if (absl::GetFlag(FLAGS_json)) {
    std::string j = absl::StrFormat(
        "{\"tool\": \"gridroute-load\", \"server\": \"%s\", \"mode\": \"%s\", "
        "\"loop\": \"%s\", "
        "\"concurrency\": %d, \"max_in_flight\": %d, \"target_rate\": %.3f, "
        "\"batch\": %d, \"channels\": %d, "
        "\"rows\": %d, \"dropped_rows\": %d, \"dropped_by_code\": %s, "
        "\"seconds\": %.3f, \"requests\": %d, \"ok\": %d, \"errors\": %d, "
        "\"errors_by_code\": %s, \"requests_per_s\": %.1f, ",
        server, mode, loop,
        // Open loop: the schedule, not a caller count, sets the load (stream
        // mode still spreads it over `concurrency` streams).
        rate > 0 && mode == "unary" ? 0 : concurrency,
        rate > 0 ? max_in_flight : 0, rate, mode == "stream" ? batch : 1,
        static_cast<int>(channels.size()), requests->size(), num_dropped,
        CodesJson(dropped), secs, done, done - errors, errors,
        CodesJson(rec.calls_by_code), done / secs);
    if (mode == "stream") {
      absl::StrAppend(
          &j, absl::StrFormat(
                  "\"items\": %d, \"items_per_s\": %.1f, \"item_errors\": %d, "
                  "\"item_errors_by_code\": %s, ",
                  rec.items.load(), rec.items.load() / secs, item_errors,
                  CodesJson(rec.items_by_code)));
    }
    absl::StrAppend(
        &j,
        absl::StrFormat(
            "\"outcomes\": {\"routed\": %d, \"outside_coverage\": %d}, "
            "\"late_sends\": %d, "
            "\"latency_us\": {\"count\": %d, \"min\": %.1f, \"mean\": %.1f, "
            "\"p50\": %.1f, "
            "\"p90\": %.1f, \"p99\": %.1f, \"p99_9\": %.1f, \"max\": %.1f}}",
            rec.routed.load(), rec.outside.load(), rec.late_sends.load(), done,
            h.min() * us, h.mean() * us, h.ValueAtQuantile(0.5) * us,
            h.ValueAtQuantile(0.9) * us, h.ValueAtQuantile(0.99) * us,
            h.ValueAtQuantile(0.999) * us, h.max() * us));
    std::printf("%s\n", j.c_str());
  } else {
    std::string shape;
    if (mode == "stream")
      absl::StrAppend(&shape, "streams ", concurrency, ", ");
    if (rate > 0) {
      absl::StrAppend(&shape, absl::StrFormat("target %.0f req/s", rate));
    } else if (mode == "unary") {
      absl::StrAppend(&shape, "callers ", concurrency);
    } else {
      absl::StrAppend(&shape, "window ", window);
    }
    std::printf("gridroute-load: %s, %s loop, %s, %.2f s\n", mode.c_str(),
                loop.c_str(), shape.c_str(), secs);
    std::printf("requests %lld  ok %lld  errors %lld %s  %.1f req/s\n",
                static_cast<long long>(done),
                static_cast<long long>(done - errors),
                static_cast<long long>(errors),
                CodesJson(rec.calls_by_code).c_str(), done / secs);
    if (mode == "stream") {
      std::printf(
          "detections %lld (batches of %d)  %.1f detections/s  item errors "
          "%lld %s\n",
          static_cast<long long>(rec.items.load()), batch,
          rec.items.load() / secs, static_cast<long long>(item_errors),
          CodesJson(rec.items_by_code).c_str());
    }
    std::printf(
        "outcomes routed %lld  outside_coverage %lld  late sends %lld\n",
        static_cast<long long>(rec.routed.load()),
        static_cast<long long>(rec.outside.load()),
        static_cast<long long>(rec.late_sends.load()));
    std::printf(
        "latency ms  p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (mean "
        "%.3f)\n",
        h.ValueAtQuantile(0.5) / 1e6, h.ValueAtQuantile(0.9) / 1e6,
        h.ValueAtQuantile(0.99) / 1e6, h.ValueAtQuantile(0.999) / 1e6,
        h.max() / 1e6, h.mean() / 1e6);
  }
  if (!rec.first_error.empty()) {
    std::fprintf(stderr, "gridroute-load: first error: %s\n",
                 rec.first_error.c_str());
  }
  return errors == 0 && item_errors == 0 && done > 0 ? 0 : 1;
}

}  // namespace
}  // namespace gridroute::load

int main(int argc, char** argv) { return gridroute::load::Main(argc, argv); }

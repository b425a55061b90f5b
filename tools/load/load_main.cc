// Copyright 2026 gridroute authors.
//
// gridroute-load: load generator for gridroute-server (loopback only).
//
// clang-format off
//   # closed loop: 64 unary Route calls in flight for 10 s (2 channels)
//   gridroute-load --server 127.0.0.1:19090 --events city/events.csv
//
//   # open loop: 5,000 calls/s; latency runs from each call's *intended*
//   # send time, so a stalled server is charged for the calls it delayed
//   gridroute-load --server 127.0.0.1:19090 --events city/events.csv --rate 5000 --duration-s 20
//
//   # RouteStream: 2 streams, batches of 256, 2 in flight each, CODES view
//   gridroute-load --server 127.0.0.1:19090 --events city/events.csv --mode stream --batch 256 --concurrency 2 --window 2 --view codes
//
//   # machine-readable result, bounded by count
//   gridroute-load --server 127.0.0.1:19090 --points points.csv --requests 10000 --json
//
//   # the first request as an h2load --data body
//   gridroute-load --server 127.0.0.1:19090 --events city/events.csv --write-request /tmp/route.bin
// clang-format on
//
// The clients are asynchronous (unary_client.cc: callback API;
// stream_client.cc: completion queues polled by --client-threads threads):
// requests pre-serialized, spread over --channels connections.
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
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gridroute/v1/routing.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "load/histogram.h"
#include "load/load_runner.h"
#include "load/loopback.h"
#include "load/workload.h"
#include "common/cli.h"

ABSL_FLAG(std::string, server, "127.0.0.1:9090", "host:port; loopback only");
ABSL_FLAG(std::string, events, "",
          "events.csv of a pack (every field sent as given)");
ABSL_FLAG(std::string, points, "",
          "CSV with lon,lat columns; each point sent as --category");
ABSL_FLAG(std::string, category, "0102", "--points: category of every event");
ABSL_FLAG(std::string, reported_at, "2026-03-04T10:00:00+08:00",
          "--points: report time (RFC 3339; moved to the start time by --shift-times)");
ABSL_FLAG(bool, shift_times, true,
          "move every report time by one amount so the latest is the run's start: spacing "
          "(hence folding) as in the file, none ahead of the server's clock, which refuses "
          "times more than its --max-future ahead; false: send them as given");
ABSL_FLAG(bool, times_now, false,
          "every report time is the run's start (a live feed: repeats of a problem fold into "
          "its case on a server with cases; the file's times, months apart, make every repeat "
          "a new case); overrides --shift-times");
ABSL_FLAG(int64_t, max_rows, 100000,
          "rows read from --events/--points (cycled)");
ABSL_FLAG(std::string, mode, "unary", "unary (Route) or stream (RouteStream)");
ABSL_FLAG(int, concurrency, 0,
          "closed loop: callers (unary calls in flight; default 64) or streams "
          "(stream mode; default --streams)");
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
ABSL_FLAG(int, channels, 2,
          "separate HTTP/2 connections (calls and streams spread over them)");
ABSL_FLAG(int, client_threads, 0,
          "stream mode: completion-queue polling threads; 0 = one per "
          "stream, at most 16 (unary calls complete on gRPC's own pollers)");
ABSL_FLAG(std::string, view, "full",
          "decision view set on every request and batch: full or codes");
ABSL_FLAG(std::string, request_file, "",
          "send only this request: a gRPC length-prefixed RouteRequest as "
          "--write-request writes it (the same bytes h2load posts); --view "
          "still applies");
ABSL_FLAG(std::string, write_request, "",
          "write the first request (after --drop-rejected, with --view) as a "
          "gRPC length-prefixed body to this file (for h2load --data) and "
          "exit");
ABSL_FLAG(int, batch, 256, "stream mode: detections per batch");
ABSL_FLAG(int, window, 2,
          "stream mode, closed loop: batches in flight per stream");
ABSL_FLAG(int64_t, max_in_flight, 10000,
          "open loop: most requests in flight; past it sends wait (and are "
          "charged the wait)");
ABSL_FLAG(int, timeout_ms, 10000, "per-call deadline (unary); 0 = none");
ABSL_FLAG(double, connect_timeout_s, 5,
          "wait this long for each connection before starting");
ABSL_FLAG(bool, drop_rejected, true,
          "before timing, send every row once (RouteBatch) and drop the rows "
          "the server "
          "rejects (a pack's events.csv plants ~0.5% invalid rows); false: "
          "send them, and "
          "count their errors");
ABSL_FLAG(bool, json, false, "print the result as one JSON object on stdout");
ABSL_FLAG(std::string, tls_ca, "", "TLS on, trusting this PEM CA bundle (gridroute-server --tls-cert)");
ABSL_FLAG(std::string, tls_name, "", "with --tls-ca: the name the server certificate must carry "
          "(default: the --server host)");
ABSL_FLAG(std::string, token_file, "",
          "bearer token for every call (first line of the file; needs --tls-ca: gRPC sends "
          "call credentials over TLS only)");
ABSL_FLAG(bool, progress, true,
          "print a progress line on stderr about once a second");

namespace gridroute::load {
namespace {

[[noreturn]] void Usage(const std::string& message) {
  std::exit(cli::UsageError("gridroute-load", message));
}

// The first line of a small file ("" if it cannot be read: a usage error).
std::string FirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) Usage(absl::StrCat("cannot read ", path));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Plaintext, or TLS with --tls-ca, plus the bearer token of --token-file.
std::shared_ptr<grpc::ChannelCredentials> Credentials() {
  const std::string ca = absl::GetFlag(FLAGS_tls_ca);
  const std::string token_file = absl::GetFlag(FLAGS_token_file);
  if (ca.empty()) {
    if (!token_file.empty()) Usage("--token-file needs --tls-ca (tokens travel over TLS only)");
    return grpc::InsecureChannelCredentials();
  }
  std::ifstream in(ca);
  grpc::SslCredentialsOptions o;
  o.pem_root_certs.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (o.pem_root_certs.empty()) Usage(absl::StrCat("--tls-ca: cannot read ", ca));
  std::shared_ptr<grpc::ChannelCredentials> tls = grpc::SslCredentials(o);
  if (token_file.empty()) return tls;
  return grpc::CompositeChannelCredentials(tls, grpc::AccessTokenCredentials(FirstLine(token_file)));
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
    if (!absl::GetFlag(FLAGS_tls_name).empty()) {
      args.SetSslTargetNameOverride(absl::GetFlag(FLAGS_tls_name));
    }
    auto channel = grpc::CreateCustomChannel(server, Credentials(), args);
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
    std::vector<v1::RouteRequest> requests, v1::DecisionView view,
    std::array<int64_t, kCodes>* dropped) {
  constexpr size_t kChunk = 5000;
  auto stub = v1::RoutingService::NewStub(channel);
  std::vector<v1::RouteRequest> kept;
  for (size_t first = 0; first < requests.size(); first += kChunk) {
    const size_t n = std::min(kChunk, requests.size() - first);
    v1::RouteBatchRequest req;
    req.set_view(view);
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

// The validated flags.
struct Config {
  std::string server, mode;
  double rate = 0, duration_s = 0;
  int64_t max_requests = 0, max_in_flight = 0, max_rows = 0;
  int concurrency = 0, batch = 0, window = 0, client_threads = 0;
  v1::DecisionView view = v1::DECISION_VIEW_FULL;
};

Config ParseConfig() {
  Config c;
  c.server = absl::GetFlag(FLAGS_server);
  if (absl::Status s = CheckLoopbackTarget(c.server); !s.ok())
    Usage(std::string(s.message()));
  c.mode = absl::GetFlag(FLAGS_mode);
  if (c.mode != "unary" && c.mode != "stream")
    Usage("--mode must be unary or stream");
  absl::StatusOr<v1::DecisionView> view = ParseView(absl::GetFlag(FLAGS_view));
  if (!view.ok()) Usage(std::string(view.status().message()));
  c.view = *view;
  c.rate = absl::GetFlag(FLAGS_rate);
  if (!(c.rate >= 0 && c.rate <= 1e7)) Usage("--rate must be in [0, 1e7]");
  c.max_requests = absl::GetFlag(FLAGS_requests);
  if (c.max_requests < 0) Usage("--requests must be >= 0");
  c.duration_s = absl::GetFlag(FLAGS_duration_s);
  if (c.duration_s == 0 && c.max_requests == 0) c.duration_s = 10;
  if (!(c.duration_s >= 0 && c.duration_s <= 3600))
    Usage("--duration-s must be in [0, 3600]");
  if (c.duration_s == 0)
    c.duration_s = 3600;  // bounded by --requests; an hour at most
  c.concurrency = absl::GetFlag(FLAGS_concurrency);
  if (c.concurrency == 0)
    c.concurrency = c.mode == "unary" ? 64 : absl::GetFlag(FLAGS_streams);
  if (c.concurrency < 1 || c.concurrency > 100000)
    Usage("--concurrency must be in [1, 100000]");
  c.batch = absl::GetFlag(FLAGS_batch);
  if (c.batch < 1 || c.batch > 10000) Usage("--batch must be in [1, 10000]");
  c.window = absl::GetFlag(FLAGS_window);
  if (c.window < 1) Usage("--window must be >= 1");
  c.max_in_flight = absl::GetFlag(FLAGS_max_in_flight);
  if (c.max_in_flight < 1) Usage("--max-in-flight must be >= 1");
  c.max_rows = absl::GetFlag(FLAGS_max_rows);
  if (c.max_rows < 1) Usage("--max-rows must be >= 1");
  const int channels = absl::GetFlag(FLAGS_channels);
  if (channels < 1 || channels > 1000) Usage("--channels must be in [1, 1000]");
  c.client_threads = absl::GetFlag(FLAGS_client_threads);
  if (c.client_threads < 0 || c.client_threads > 256)
    Usage("--client-threads must be in [0, 256]");
  // Stream mode: one polling thread per stream, even on one core (a single
  // poller idles between completions). Unary: unused (reported as 0).
  if (c.mode == "unary") {
    c.client_threads = 0;
  } else if (c.client_threads == 0) {
    c.client_threads = std::min(16, c.concurrency);
  }
  return c;
}

// --request-file: the one request it holds.
absl::StatusOr<std::vector<v1::RouteRequest>> ReadRequestFile(
    const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  const std::string bytes((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  std::vector<v1::RouteRequest> out(1);
  if (absl::Status s = ParseGrpcFrame(bytes, &out[0]); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", s.message()));
  }
  return out;
}

// The rows of --request-file, --events or --points, each with the view set.
std::vector<v1::RouteRequest> LoadRequests(const Config& c) {
  absl::StatusOr<std::vector<v1::RouteRequest>> requests;
  if (!absl::GetFlag(FLAGS_request_file).empty()) {
    requests = ReadRequestFile(absl::GetFlag(FLAGS_request_file));
  } else if (!absl::GetFlag(FLAGS_events).empty()) {
    size_t skipped = 0;
    requests = LoadEvents(absl::GetFlag(FLAGS_events),
                          static_cast<size_t>(c.max_rows), &skipped);
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
        LoadPoints(absl::GetFlag(FLAGS_points), static_cast<size_t>(c.max_rows),
                   absl::GetFlag(FLAGS_category), at);
  } else {
    Usage(
        "give --events events.csv, --points points.csv (lon,lat) or "
        "--request-file");
  }
  if (!requests.ok()) Usage(std::string(requests.status().message()));
  for (v1::RouteRequest& r : *requests) r.set_view(c.view);
  if (absl::GetFlag(FLAGS_times_now)) {
    SetReportTimes(&*requests, absl::Now());
  } else if (absl::GetFlag(FLAGS_shift_times)) {
    ShiftReportTimes(&*requests, absl::Now());
  }
  return std::move(*requests);
}

// --drop-rejected: keeps the rows the server accepts; exits 1 when it
// cannot. Returns the number dropped, by code in `dropped`.
int64_t MaybeDropRejected(const Config& c,
                          const std::shared_ptr<grpc::Channel>& channel,
                          std::vector<v1::RouteRequest>* requests,
                          std::array<int64_t, kCodes>* dropped) {
  if (!absl::GetFlag(FLAGS_drop_rejected)) return 0;
  const size_t before = requests->size();
  absl::StatusOr<std::vector<v1::RouteRequest>> kept =
      DropRejected(channel, std::move(*requests), c.view, dropped);
  if (!kept.ok()) {
    std::fprintf(stderr, "gridroute-load: %s\n",
                 std::string(kept.status().message()).c_str());
    std::exit(1);
  }
  *requests = std::move(*kept);
  const int64_t n = static_cast<int64_t>(before - requests->size());
  if (n > 0) {
    std::fprintf(
        stderr,
        "gridroute-load: dropped %lld of %zu rows the server rejects %s\n",
        static_cast<long long>(n), before, CodesJson(*dropped).c_str());
  }
  return n;
}

// --write-request: the first request as an h2load body. Exit status.
int WriteRequest(const std::string& path, const v1::RouteRequest& request) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << GrpcFrame(request);
  out.close();
  if (!out) {
    std::fprintf(stderr, "gridroute-load: cannot write %s\n", path.c_str());
    return 1;
  }
  std::fprintf(stderr, "gridroute-load: wrote a %zu-byte RouteRequest to %s\n",
               request.ByteSizeLong(), path.c_str());
  return 0;
}

void RunLoad(const Config& c,
             const std::vector<std::shared_ptr<grpc::Channel>>& channels,
             const std::vector<v1::RouteRequest>& requests, Limits* limits,
             Recorder* rec) {
  if (c.mode == "unary") {
    RunUnary(channels, requests,
             {.rate = c.rate,
              .concurrency = c.concurrency,
              .max_in_flight = c.max_in_flight,
              .timeout_ms = absl::GetFlag(FLAGS_timeout_ms)},
             limits, rec);
    return;
  }
  // A few distinct batches, cycled (building one per request would cost the
  // client more than the server).
  std::vector<v1::DetectionBatch> batches;
  const size_t distinct = std::clamp<size_t>(requests.size() / c.batch, 1, 16);
  for (size_t k = 0; k < distinct; ++k) {
    batches.push_back(MakeDetectionBatch(requests, k * c.batch, c.batch));
    batches.back().set_view(c.view);
  }
  RunStreams(channels, batches,
             {.rate = c.rate,
              .streams = c.concurrency,
              .window = c.window,
              .max_in_flight = c.max_in_flight,
              .threads = c.client_threads},
             limits, rec);
}

double BytesPerDecision(const Recorder& rec) {
  const int64_t n = rec.response_decisions.load();
  return n == 0 ? 0 : static_cast<double>(rec.response_bytes.load()) / n;
}

// What PrintJson / PrintText report besides the Recorder.
struct RunInfo {
  size_t rows = 0;
  int64_t dropped = 0;
  std::array<int64_t, kCodes> dropped_by_code{};
  int channels = 0;
  double secs = 0;
};

void PrintJson(const Config& c, const RunInfo& info, Recorder& rec) {
  const LatencyHistogram& h = rec.total;  // all callers are done
  const int64_t done = h.count(), errors = rec.Errors();
  const double us = 1e-3, secs = info.secs;
  std::string j = absl::StrFormat(
      "{\"tool\": \"gridroute-load\", \"server\": \"%s\", \"mode\": \"%s\", "
      "\"loop\": \"%s\", "
      "\"concurrency\": %d, \"max_in_flight\": %d, \"target_rate\": %.3f, "
      "\"batch\": %d, \"channels\": %d, \"client_threads\": %d, "
      "\"view\": \"%s\", "
      "\"rows\": %d, \"dropped_rows\": %d, \"dropped_by_code\": %s, "
      "\"seconds\": %.3f, \"requests\": %d, \"ok\": %d, \"errors\": %d, "
      "\"errors_by_code\": %s, \"requests_per_s\": %.1f, ",
      c.server, c.mode, c.rate > 0 ? "open" : "closed",
      // Open loop: the schedule, not a caller count, sets the load (stream
      // mode still spreads it over `concurrency` streams).
      c.rate > 0 && c.mode == "unary" ? 0 : c.concurrency,
      c.rate > 0 ? c.max_in_flight : 0, c.rate,
      c.mode == "stream" ? c.batch : 1, info.channels, c.client_threads,
      ViewName(c.view), info.rows, info.dropped,
      CodesJson(info.dropped_by_code), secs, done, done - errors, errors,
      CodesJson(rec.calls_by_code), done / secs);
  if (c.mode == "stream") {
    absl::StrAppend(
        &j, absl::StrFormat(
                "\"items\": %d, \"items_per_s\": %.1f, \"item_errors\": %d, "
                "\"item_errors_by_code\": %s, ",
                rec.items.load(), rec.items.load() / secs, rec.ItemErrors(),
                CodesJson(rec.items_by_code)));
  }
  absl::StrAppend(
      &j, absl::StrFormat(
              "\"outcomes\": {\"routed\": %d, \"outside_coverage\": %d}, "
              "\"late_sends\": %d, \"response_bytes_per_decision\": %.1f, "
              "\"latency_us\": {\"count\": %d, \"min\": %.1f, \"mean\": %.1f, "
              "\"p50\": %.1f, "
              "\"p90\": %.1f, \"p99\": %.1f, \"p99_9\": %.1f, \"max\": %.1f}}",
              rec.routed.load(), rec.outside.load(), rec.late_sends.load(),
              BytesPerDecision(rec), done, h.min() * us, h.mean() * us,
              h.ValueAtQuantile(0.5) * us, h.ValueAtQuantile(0.9) * us,
              h.ValueAtQuantile(0.99) * us, h.ValueAtQuantile(0.999) * us,
              h.max() * us));
  std::printf("%s\n", j.c_str());
}

void PrintText(const Config& c, const RunInfo& info, Recorder& rec) {
  const LatencyHistogram& h = rec.total;  // all callers are done
  const int64_t done = h.count(), errors = rec.Errors();
  std::string shape;
  if (c.mode == "stream")
    absl::StrAppend(&shape, "streams ", c.concurrency, ", ");
  if (c.rate > 0) {
    absl::StrAppend(&shape, absl::StrFormat("target %.0f req/s", c.rate));
  } else if (c.mode == "unary") {
    absl::StrAppend(&shape, "callers ", c.concurrency);
  } else {
    absl::StrAppend(&shape, "window ", c.window);
  }
  std::printf("gridroute-load: %s, %s loop, %s, %.2f s\n", c.mode.c_str(),
              c.rate > 0 ? "open" : "closed", shape.c_str(), info.secs);
  std::printf("requests %lld  ok %lld  errors %lld %s  %.1f req/s\n",
              static_cast<long long>(done),
              static_cast<long long>(done - errors),
              static_cast<long long>(errors),
              CodesJson(rec.calls_by_code).c_str(), done / info.secs);
  if (c.mode == "stream") {
    std::printf(
        "detections %lld (batches of %d)  %.1f detections/s  item errors "
        "%lld %s\n",
        static_cast<long long>(rec.items.load()), c.batch,
        rec.items.load() / info.secs, static_cast<long long>(rec.ItemErrors()),
        CodesJson(rec.items_by_code).c_str());
  }
  std::printf("outcomes routed %lld  outside_coverage %lld  late sends %lld\n",
              static_cast<long long>(rec.routed.load()),
              static_cast<long long>(rec.outside.load()),
              static_cast<long long>(rec.late_sends.load()));
  std::printf(
      "latency ms  p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (mean "
      "%.3f)\n",
      h.ValueAtQuantile(0.5) / 1e6, h.ValueAtQuantile(0.9) / 1e6,
      h.ValueAtQuantile(0.99) / 1e6, h.ValueAtQuantile(0.999) / 1e6,
      h.max() / 1e6, h.mean() / 1e6);
  std::printf(
      "response %.1f bytes/decision (view %s), %d channels, %d "
      "client threads (stream)\n",
      BytesPerDecision(rec), ViewName(c.view), info.channels, c.client_threads);
}

int Main(int argc, char** argv) {
  // gRPC's mutexes are absl::Mutex: Debian's Abseil checks every lock for
  // deadlock cycles (~3% of the client's time). The load tool does not need it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  cli::SetUsage(
      "load generator for gridroute-server (loopback only)\n"
      "Usage: gridroute-load --server HOST:PORT --events events.csv [--concurrency C | --rate R]\n"
      "    [--mode stream --batch 256] [--view codes|full] [--duration-s S] [--json] ...\n"
      "Exit 1 also when any call or streamed item failed, or nothing connected.");
  cli::ParseFlags(argc, argv);
  const Config c = ParseConfig();
  std::vector<v1::RouteRequest> requests = LoadRequests(c);
  const auto channels = Connect(c.server, absl::GetFlag(FLAGS_channels),
                                absl::GetFlag(FLAGS_connect_timeout_s));
  RunInfo info;
  info.dropped =
      MaybeDropRejected(c, channels[0], &requests, &info.dropped_by_code);
  info.rows = requests.size();
  info.channels = static_cast<int>(channels.size());
  if (!absl::GetFlag(FLAGS_write_request).empty())
    return WriteRequest(absl::GetFlag(FLAGS_write_request), requests.front());
  Recorder rec;
  const Clock::time_point t0 = Clock::now();
  Limits limits(
      t0 + std::chrono::microseconds(static_cast<int64_t>(c.duration_s * 1e6)),
      c.max_requests);
  std::unique_ptr<Progress> progress;
  if (absl::GetFlag(FLAGS_progress))
    progress = std::make_unique<Progress>(&rec);
  RunLoad(c, channels, requests, &limits, &rec);
  if (progress) progress->Stop();
  info.secs = std::chrono::duration<double>(Clock::now() - t0).count();
  if (absl::GetFlag(FLAGS_json)) {
    PrintJson(c, info, rec);
  } else {
    PrintText(c, info, rec);
  }
  if (!rec.first_error.empty()) {
    std::fprintf(stderr, "gridroute-load: first error: %s\n",
                 rec.first_error.c_str());
  }
  return rec.Errors() == 0 && rec.ItemErrors() == 0 && rec.total.count() > 0
             ? 0
             : 1;
}

}  // namespace
}  // namespace gridroute::load

int main(int argc, char** argv) { return gridroute::load::Main(argc, argv); }

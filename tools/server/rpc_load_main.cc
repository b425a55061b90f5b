// Copyright 2026 gridroute authors.
//
// gridroute-rpcload: a small load driver for gridroute-server (loopback only).
// Reads grpc-status of every call (never trusts HTTP 200) and reports
// calls/s and latency percentiles.
//
//   # closed loop: 64 calls in flight for 10 s
//   gridroute-rpcload --server 127.0.0.1:9090 --points data/sample-city/points.csv
//   # open loop at a fixed rate (latency measured from the scheduled send time)
//   gridroute-rpcload --server ... --points ... --rate 20000
//   # RouteStream: batches of 256 detections, 4 batches in flight per stream
//   gridroute-rpcload --server ... --points ... --mode stream --batch 256 --streams 2
//
// Bounded: stops after --duration-s and waits for the calls in flight.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/csv.h"
#include "gridroute/v1/routing.grpc.pb.h"
#include "server/dashed_flags.h"
#include "grpcpp/grpcpp.h"

ABSL_FLAG(std::string, server, "127.0.0.1:9090", "host:port");
ABSL_FLAG(std::string, points, "", "CSV with lon,lat columns (e.g. a pack's points.csv)");
ABSL_FLAG(std::string, category, "0102", "event category sent with every point");
ABSL_FLAG(std::string, mode, "unary", "unary (Route) or stream (RouteStream)");
ABSL_FLAG(int, concurrency, 64, "unary closed loop: calls in flight");
ABSL_FLAG(double, rate, 0, "unary open loop: calls per second (0 = closed loop)");
ABSL_FLAG(double, duration_s, 10, "seconds of load");
ABSL_FLAG(int, channels, 2, "separate HTTP/2 connections");
ABSL_FLAG(int, batch, 256, "stream: detections per batch");
ABSL_FLAG(int, streams, 2, "stream: concurrent streams");
ABSL_FLAG(int, window, 4, "stream: batches in flight per stream");

namespace {

using Clock = std::chrono::steady_clock;
namespace v1 = gridroute::v1;

struct Stats {
  std::mutex mu;
  std::vector<double> latency_us;  // guarded by mu
  std::atomic<int64_t> ok{0}, failed{0};
  std::atomic<int64_t> items{0};
  std::string first_error;  // guarded by mu
  void Record(const grpc::Status& s, double us) {
    if (s.ok()) {
      ++ok;
    } else {
      ++failed;
    }
    std::lock_guard<std::mutex> l(mu);
    latency_us.push_back(us);
    if (!s.ok() && first_error.empty()) {
      first_error = absl::StrCat(s.error_code(), ": ", s.error_message());
    }
  }
};

std::vector<std::shared_ptr<grpc::Channel>> Channels(const std::string& server, int n) {
  std::vector<std::shared_ptr<grpc::Channel>> out;
  for (int i = 0; i < n; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("gridroute.load.channel", i);  // distinct args: distinct connections
    args.SetMaxReceiveMessageSize(64 << 20);
    out.push_back(grpc::CreateCustomChannel(server, grpc::InsecureChannelCredentials(), args));
  }
  return out;
}

std::vector<std::pair<double, double>> ReadPoints(const std::string& path) {
  std::vector<std::pair<double, double>> pts;
  auto in = gridroute::CsvReader::Open(path);
  if (!in.ok()) return pts;
  std::vector<std::string> row;
  if (!in->Next(row)) return pts;
  const int lon = gridroute::FindColumn(row, "lon"), lat = gridroute::FindColumn(row, "lat");
  while (in->Next(row) && pts.size() < 100000) {
    double x, y;
    if (lon >= 0 && lat >= 0 && absl::SimpleAtod(row[lon], &x) && absl::SimpleAtod(row[lat], &y)) {
      pts.push_back({x, y});
    }
  }
  return pts;
}

void SetTime(google::protobuf::Timestamp* t) { t->set_seconds(1772589600); }  // 2026-03-04 10:00 +08

// Unary Route, closed loop (concurrency) or open loop (rate).
class UnaryLoad {
 public:
  UnaryLoad(std::vector<std::shared_ptr<grpc::Channel>> channels,
            const std::vector<std::pair<double, double>>& points, Stats* stats)
      : points_(points), stats_(stats) {
    for (auto& c : channels) stubs_.push_back(v1::RoutingService::NewStub(c));
  }

  void Issue(Clock::time_point start) {
    const uint64_t i = next_.fetch_add(1);
    auto* call = new Call;
    call->start = start;
    const auto& p = points_[i % points_.size()];
    call->req.mutable_point()->set_x(p.first);
    call->req.mutable_point()->set_y(p.second);
    call->req.set_category(absl::GetFlag(FLAGS_category));
    SetTime(call->req.mutable_reported_at());
    call->ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    ++outstanding_;
    stubs_[i % stubs_.size()]->async()->Route(&call->ctx, &call->req, &call->resp,
                                              [this, call](grpc::Status s) { Done(call, s); });
  }

  void RunClosed(int concurrency, Clock::time_point end) {
    end_ = end;
    closed_ = true;
    for (int i = 0; i < concurrency; ++i) Issue(Clock::now());
    WaitIdle();
  }

  void RunOpen(double rate, Clock::time_point end) {
    end_ = end;
    closed_ = false;
    const auto t0 = Clock::now();
    for (int64_t i = 0;; ++i) {
      const auto at = t0 + std::chrono::nanoseconds(static_cast<int64_t>(i * 1e9 / rate));
      if (at >= end) break;
      std::this_thread::sleep_until(at);
      if (outstanding_.load() > 20000) {
        ++overload_;
        continue;
      }
      Issue(at);  // latency counts from the scheduled time: no coordinated omission
    }
    WaitIdle();
  }
  int64_t overload() const { return overload_; }

 private:
  struct Call {
    grpc::ClientContext ctx;
    v1::RouteRequest req;
    v1::RouteResponse resp;
    Clock::time_point start;
  };
  void Done(Call* call, const grpc::Status& s) {
    const auto now = Clock::now();
    stats_->Record(s, std::chrono::duration<double, std::micro>(now - call->start).count());
    delete call;
    if (closed_ && now < end_) Issue(Clock::now());
    if (--outstanding_ == 0) {
      std::lock_guard<std::mutex> l(mu_);
      cv_.notify_all();
    }
  }
  void WaitIdle() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [this] { return outstanding_.load() == 0; });
  }

  const std::vector<std::pair<double, double>>& points_;
  Stats* stats_;
  std::vector<std::unique_ptr<v1::RoutingService::Stub>> stubs_;
  std::atomic<uint64_t> next_{0};
  std::atomic<int64_t> outstanding_{0};
  int64_t overload_ = 0;
  Clock::time_point end_;
  bool closed_ = true;
  std::mutex mu_;
  std::condition_variable cv_;
};

void RunStream(v1::RoutingService::Stub* stub, const v1::DetectionBatch& batch, int window,
               Clock::time_point end, Stats* stats) {
  grpc::ClientContext ctx;
  auto stream = stub->RouteStream(&ctx);
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  std::vector<Clock::time_point> sent;  // per batch, in order
  std::thread writer([&] {
    for (;;) {
      {
        std::unique_lock<std::mutex> l(mu);
        cv.wait(l, [&] { return in_flight < window; });
        if (Clock::now() >= end) break;
        ++in_flight;
        sent.push_back(Clock::now());
      }
      if (!stream->Write(batch)) break;
    }
    stream->WritesDone();
  });
  v1::DecisionBatch out;
  size_t answered = 0;
  while (stream->Read(&out)) {
    Clock::time_point t;
    {
      std::lock_guard<std::mutex> l(mu);
      t = sent[answered++];
      --in_flight;
    }
    cv.notify_all();
    stats->items += out.results_size();
    stats->Record(grpc::Status::OK, std::chrono::duration<double, std::micro>(Clock::now() - t).count());
  }
  writer.join();
  grpc::Status s = stream->Finish();
  if (!s.ok()) stats->Record(s, 0);
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(p * v.size()));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> storage;
  std::vector<char*> args = gridroute::DashedFlags(argc, argv, &storage);
  absl::ParseCommandLine(static_cast<int>(args.size()), args.data());
  const auto points = ReadPoints(absl::GetFlag(FLAGS_points));
  if (points.empty()) {
    std::fprintf(stderr, "gridroute-rpcload: --points must name a CSV with lon,lat rows\n");
    return 2;
  }
  const double duration = absl::GetFlag(FLAGS_duration_s);
  if (!(duration > 0 && duration <= 600)) {
    std::fprintf(stderr, "gridroute-rpcload: --duration-s must be in (0, 600]\n");
    return 2;
  }
  auto channels = Channels(absl::GetFlag(FLAGS_server), std::max(1, absl::GetFlag(FLAGS_channels)));
  Stats stats;
  const auto t0 = Clock::now();
  const auto end = t0 + std::chrono::microseconds(static_cast<int64_t>(duration * 1e6));
  const std::string mode = absl::GetFlag(FLAGS_mode);
  int64_t overload = 0;
  if (mode == "unary") {
    UnaryLoad load(channels, points, &stats);
    if (absl::GetFlag(FLAGS_rate) > 0) {
      load.RunOpen(absl::GetFlag(FLAGS_rate), end);
    } else {
      load.RunClosed(absl::GetFlag(FLAGS_concurrency), end);
    }
    overload = load.overload();
  } else if (mode == "stream") {
    v1::DetectionBatch batch;
    for (int i = 0; i < absl::GetFlag(FLAGS_batch); ++i) {
      v1::Detection* d = batch.add_detections();
      d->set_correlation_id(absl::StrCat("d", i));
      d->set_camera_id(absl::StrCat("cam-", i % 16));
      const auto& p = points[i % points.size()];
      d->mutable_point()->set_x(p.first);
      d->mutable_point()->set_y(p.second);
      d->set_category(absl::GetFlag(FLAGS_category));
      SetTime(d->mutable_frame_time());
    }
    std::vector<std::unique_ptr<v1::RoutingService::Stub>> stubs;
    std::vector<std::thread> threads;
    for (int s = 0; s < absl::GetFlag(FLAGS_streams); ++s) {
      stubs.push_back(v1::RoutingService::NewStub(channels[s % channels.size()]));
    }
    for (auto& stub : stubs) {
      threads.emplace_back(RunStream, stub.get(), std::cref(batch), absl::GetFlag(FLAGS_window), end,
                           &stats);
    }
    for (auto& t : threads) t.join();
  } else {
    std::fprintf(stderr, "gridroute-rpcload: --mode must be unary or stream\n");
    return 2;
  }
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  std::vector<double> lat;
  {
    std::lock_guard<std::mutex> l(stats.mu);
    lat = stats.latency_us;
  }
  const double p50 = Percentile(lat, 0.50), p90 = Percentile(lat, 0.90), p99 = Percentile(lat, 0.99),
               p999 = Percentile(lat, 0.999), mx = lat.empty() ? 0 : *std::max_element(lat.begin(), lat.end());
  std::printf("mode=%s calls_ok=%lld failed=%lld overload_skipped=%lld seconds=%.2f calls_per_s=%.0f",
              mode.c_str(), (long long)stats.ok.load(), (long long)stats.failed.load(),
              (long long)overload, secs, stats.ok.load() / secs);
  if (mode == "stream") {
    std::printf(" detections=%lld detections_per_s=%.0f", (long long)stats.items.load(),
                stats.items.load() / secs);
  }
  std::printf(" latency_us p50=%.0f p90=%.0f p99=%.0f p99.9=%.0f max=%.0f\n", p50, p90, p99, p999, mx);
  if (!stats.first_error.empty()) std::printf("first error: %s\n", stats.first_error.c_str());
  return stats.failed.load() == 0 ? 0 : 1;
}

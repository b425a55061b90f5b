// Copyright 2026 gridroute authors.
#include "load/load_runner.h"

#include <cstdio>
#include <deque>

namespace gridroute::load {
namespace {

int64_t Nanos(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

// Route over the callback API: closed loop (each completion issues the next)
// or open loop (a scheduler thread issues at fixed intended times).
class UnaryLoad {
 public:
  UnaryLoad(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
            const std::vector<v1::RouteRequest>& requests, int timeout_ms,
            Limits* limits, Recorder* rec)
      : requests_(requests),
        timeout_ms_(timeout_ms),
        limits_(limits),
        rec_(rec) {
    for (const auto& c : channels)
      stubs_.push_back(v1::RoutingService::NewStub(c));
  }

  void RunClosed(int concurrency) {
    closed_ = true;
    for (int k = 0; k < concurrency; ++k) {
      const int64_t i = limits_->Take();
      if (i < 0) break;
      Issue(i, Clock::now());
    }
    WaitIdle();
  }

  void RunOpen(double rate, int64_t max_in_flight) {
    closed_ = false;
    const Clock::time_point t0 = Clock::now();
    for (;;) {
      const int64_t i = limits_->Take();
      if (i < 0) break;
      const Clock::time_point at =
          t0 + std::chrono::nanoseconds(
                   static_cast<int64_t>(static_cast<double>(i) * 1e9 / rate));
      if (at >= limits_->end()) break;
      std::this_thread::sleep_until(at);
      {
        std::unique_lock<std::mutex> l(mu_);
        cv_.wait(l, [&] { return outstanding_ < max_in_flight; });
      }
      if (Clock::now() - at > std::chrono::milliseconds(1)) ++rec_->late_sends;
      Issue(i, at);  // charged from the intended time: no coordinated omission
    }
    WaitIdle();
  }

 private:
  struct Call {
    grpc::ClientContext ctx;
    v1::RouteRequest req;
    v1::RouteResponse resp;
    Clock::time_point start;
  };

  void Issue(int64_t i, Clock::time_point start) {
    auto* call = new Call;
    call->start = start;
    call->req = requests_[static_cast<size_t>(i) % requests_.size()];
    call->ctx.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::milliseconds(timeout_ms_));
    {
      std::lock_guard<std::mutex> l(mu_);
      ++outstanding_;
      ++rec_->in_flight;
    }
    stubs_[static_cast<size_t>(i) % stubs_.size()]->async()->Route(
        &call->ctx, &call->req, &call->resp,
        [this, call](grpc::Status s) { Done(call, s); });
  }

  void Done(Call* call, const grpc::Status& s) {
    rec_->Record(s, Nanos(Clock::now() - call->start));
    if (s.ok()) rec_->Outcome(call->resp.decision());
    delete call;
    if (closed_) {
      const int64_t i = limits_->Take();
      if (i >= 0) Issue(i, Clock::now());
    }
    std::lock_guard<std::mutex> l(mu_);
    --outstanding_;
    --rec_->in_flight;
    cv_.notify_all();
  }

  void WaitIdle() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [this] { return outstanding_ == 0; });
  }

  const std::vector<v1::RouteRequest>& requests_;
  const int timeout_ms_;
  Limits* const limits_;
  Recorder* const rec_;
  std::vector<std::unique_ptr<v1::RoutingService::Stub>> stubs_;
  bool closed_ = true;
  std::mutex mu_;
  std::condition_variable cv_;
  int64_t outstanding_ = 0;  // guarded by mu_
};

// One RouteStream: a writer thread sends batches (closed loop: up to `window`
// in flight; open loop: at its share of the intended times), this thread
// reads the answers in order and charges each from its batch's send time
// (open loop: intended time).
void RunStream(v1::RoutingService::Stub* stub,
               const std::vector<v1::DetectionBatch>& batches, int stream_index,
               int num_streams, double rate, int window, int64_t max_in_flight,
               Limits* limits, Recorder* rec) {
  grpc::ClientContext ctx;
  std::unique_ptr<
      grpc::ClientReaderWriter<v1::DetectionBatch, v1::DecisionBatch>>
      stream = stub->RouteStream(&ctx);
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Clock::time_point>
      sent;  // guarded by mu; intended/actual send times in order
  bool reader_done = false;  // guarded by mu
  const int64_t cap = rate > 0 ? max_in_flight : window;
  std::thread writer([&] {
    const Clock::time_point t0 = Clock::now();
    for (int64_t j = 0;; ++j) {
      Clock::time_point at;
      if (rate > 0) {
        const double k = static_cast<double>(stream_index + j * num_streams);
        at =
            t0 + std::chrono::nanoseconds(static_cast<int64_t>(k * 1e9 / rate));
        if (at >= limits->end()) break;
        std::this_thread::sleep_until(at);
      }
      {
        std::unique_lock<std::mutex> l(mu);
        cv.wait(l, [&] {
          return reader_done || static_cast<int64_t>(sent.size()) < cap;
        });
        if (reader_done) break;
      }
      const int64_t i = limits->Take();
      if (i < 0) break;
      if (rate <= 0) {
        at = Clock::now();
      } else if (Clock::now() - at > std::chrono::milliseconds(1)) {
        ++rec->late_sends;
      }
      {
        std::lock_guard<std::mutex> l(mu);
        sent.push_back(at);
      }
      ++rec->in_flight;
      if (!stream->Write(batches[static_cast<size_t>(i) % batches.size()]))
        break;
    }
    stream->WritesDone();
  });
  v1::DecisionBatch out;
  while (stream->Read(&out)) {
    Clock::time_point at;
    {
      std::lock_guard<std::mutex> l(mu);
      if (sent.empty()) break;  // more answers than batches: a protocol error
      at = sent.front();
      sent.pop_front();
    }
    cv.notify_all();
    --rec->in_flight;
    rec->Record(grpc::Status::OK, Nanos(Clock::now() - at));
    rec->items += out.results_size();
    for (const v1::DetectionResult& r : out.results()) {
      if (r.has_error()) {
        ++rec->items_by_code[CodeIndex(r.error().code())];
      } else {
        ++rec->items_by_code[0];
        rec->Outcome(r.decision());
      }
    }
  }
  {
    std::lock_guard<std::mutex> l(mu);
    reader_done = true;
  }
  cv.notify_all();
  writer.join();
  const grpc::Status s = stream->Finish();
  std::lock_guard<std::mutex> l(mu);
  // Batches never answered fail with the stream's status (OK would hide them).
  const grpc::Status lost =
      s.ok() ? grpc::Status(grpc::StatusCode::INTERNAL,
                            "stream ended before answering a batch")
             : s;
  for (const Clock::time_point& at : sent) {
    rec->Record(lost, Nanos(Clock::now() - at));
    --rec->in_flight;
  }
  if (!s.ok() && sent.empty()) rec->Record(s, 0);
}

}  // namespace

const char* CodeName(int c) {
  static const char* const kNames[kCodes] = {"OK",
                                             "CANCELLED",
                                             "UNKNOWN",
                                             "INVALID_ARGUMENT",
                                             "DEADLINE_EXCEEDED",
                                             "NOT_FOUND",
                                             "ALREADY_EXISTS",
                                             "PERMISSION_DENIED",
                                             "RESOURCE_EXHAUSTED",
                                             "FAILED_PRECONDITION",
                                             "ABORTED",
                                             "OUT_OF_RANGE",
                                             "UNIMPLEMENTED",
                                             "INTERNAL",
                                             "UNAVAILABLE",
                                             "DATA_LOSS",
                                             "UNAUTHENTICATED"};
  return c >= 0 && c < kCodes ? kNames[c] : "UNKNOWN";
}
int CodeIndex(int c) { return c >= 0 && c < kCodes ? c : 2; }

void RunUnary(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
              const std::vector<v1::RouteRequest>& requests,
              const UnaryOptions& options, Limits* limits, Recorder* rec) {
  UnaryLoad load(channels, requests, options.timeout_ms, limits, rec);
  if (options.rate > 0) {
    load.RunOpen(options.rate, options.max_in_flight);
  } else {
    load.RunClosed(options.concurrency);
  }
}

void RunStreams(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                const std::vector<v1::DetectionBatch>& batches,
                const StreamOptions& options, Limits* limits, Recorder* rec) {
  std::vector<std::unique_ptr<v1::RoutingService::Stub>> stubs;
  for (int s = 0; s < options.streams; ++s) {
    stubs.push_back(v1::RoutingService::NewStub(channels[s % channels.size()]));
  }
  std::vector<std::thread> threads;
  for (int s = 0; s < options.streams; ++s) {
    threads.emplace_back(RunStream, stubs[s].get(), std::cref(batches), s,
                         options.streams, options.rate, options.window,
                         options.max_in_flight, limits, rec);
  }
  for (std::thread& t : threads) t.join();
}

Progress::Progress(Recorder* rec) : rec_(rec), t0_(Clock::now()) {
  thread_ = std::thread([this] { Loop(); });
}

void Progress::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Progress::Loop() {
  Clock::time_point last = t0_;
  std::unique_lock<std::mutex> l(mu_);
  while (!cv_.wait_until(l, last + std::chrono::seconds(1),
                         [this] { return stop_; })) {
    const Clock::time_point now = Clock::now();
    int64_t n, p50, p99;
    {
      std::lock_guard<std::mutex> rl(rec_->mu);
      n = rec_->interval.count();
      p50 = rec_->interval.ValueAtQuantile(0.5);
      p99 = rec_->interval.ValueAtQuantile(0.99);
      rec_->interval.Reset();
    }
    const double dt = std::chrono::duration<double>(now - last).count();
    std::fprintf(stderr,
                 "[%6.1fs] %lld done, %.0f req/s, p50 %.3f ms, p99 %.3f ms "
                 "(last %.1fs); "
                 "errors %lld; in flight %lld\n",
                 std::chrono::duration<double>(now - t0_).count(),
                 static_cast<long long>(rec_->total_count()), n / dt, p50 / 1e6,
                 p99 / 1e6, dt, static_cast<long long>(rec_->Errors()),
                 static_cast<long long>(rec_->in_flight.load()));
    last = now;
  }
}

}  // namespace gridroute::load

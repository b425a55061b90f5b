// Copyright 2026 gridroute authors.
#include "load/load_runner.h"

#include <cstdio>

namespace gridroute::load {
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

// Copyright 2026 gridroute authors.
#include "service/stream_watchdog.h"

#include <algorithm>
#include <chrono>

namespace gridroute {

void StreamWatchdog::Watch::Close() {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  closed_ = true;
}

bool StreamWatchdog::Watch::CancelIfStalled(int64_t horizon_ns) {
  const int64_t since = since_ns_.load(std::memory_order_relaxed);
  if (since == 0 || since > horizon_ns) return false;
  std::lock_guard<std::recursive_mutex> lock(mu_);
  if (closed_ || stalled_.load(std::memory_order_relaxed)) return false;
  // The write may have completed meanwhile (a new one would be later).
  if (since_ns_.load(std::memory_order_relaxed) != since) return false;
  stalled_.store(true, std::memory_order_relaxed);
  cancel_();
  return true;
}

StreamWatchdog::StreamWatchdog(absl::Duration timeout, std::function<int64_t()> now_ns,
                               bool thread)
    : timeout_(timeout),
      now_ns_(now_ns != nullptr ? std::move(now_ns) : [] {
        // Never 0 (0 means "no write pending").
        return std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
                   .count() +
               1;
      }) {
  if (timeout_ > absl::ZeroDuration() && thread) thread_ = std::thread([this] { Run(); });
}

StreamWatchdog::~StreamWatchdog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<StreamWatchdog::Watch> StreamWatchdog::Add(std::function<void()> cancel) {
  if (timeout_ <= absl::ZeroDuration()) return nullptr;
  auto w = std::make_shared<Watch>(std::move(cancel), now_ns_);
  std::lock_guard<std::mutex> lock(mu_);
  watches_.push_back(w);
  return w;
}

void StreamWatchdog::Scan() {
  std::vector<std::shared_ptr<Watch>> live;
  {
    std::lock_guard<std::mutex> lock(mu_);
    live.reserve(watches_.size());
    auto keep = watches_.begin();
    for (auto& weak : watches_) {
      std::shared_ptr<Watch> w = weak.lock();
      if (w == nullptr) continue;  // its stream is gone
      live.push_back(std::move(w));
      if (&*keep != &weak) *keep = std::move(weak);  // no self-move: it empties a weak_ptr
      ++keep;
    }
    watches_.erase(keep, watches_.end());
  }
  // Outside mu_: a cancel may run gRPC callbacks inline (and Add).
  const int64_t horizon = now_ns_() - absl::ToInt64Nanoseconds(timeout_);
  for (const std::shared_ptr<Watch>& w : live) {
    if (w->CancelIfStalled(horizon)) stalls_.fetch_add(1, std::memory_order_relaxed);
  }
}

void StreamWatchdog::Run() {
  const absl::Duration period =
      std::clamp(timeout_ / 4, absl::Milliseconds(10), absl::Seconds(1));
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, absl::ToChronoNanoseconds(period), [this] { return stop_; });
    if (stop_) return;
    lock.unlock();
    Scan();
    lock.lock();
  }
}

}  // namespace gridroute

// Copyright 2026 gridroute authors.
#include "service/request_head_guard.h"

#include <errno.h>
#include <time.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>

namespace gridroute {

RequestHeadGuard& RequestHeadGuard::Get() {
  static RequestHeadGuard* const guard = new RequestHeadGuard();
  return *guard;
}

void RequestHeadGuard::WatchPort(int port, uint32_t max_bytes) {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  if (state_.load() == nullptr) {
    // calloc: zero pages are mapped only when a descriptor's slot is touched.
    void* p = std::calloc(kMaxFds, sizeof(std::atomic<uint32_t>));
    void* t = std::calloc(kMaxFds, sizeof(std::atomic<uint32_t>));
    if (p == nullptr || t == nullptr) {
      std::free(p);
      std::free(t);
      return;
    }
    start_.store(static_cast<std::atomic<uint32_t>*>(t), std::memory_order_release);
    state_.store(static_cast<std::atomic<uint32_t>*>(p), std::memory_order_release);
  }
  max_bytes_.store(max_bytes < kCountMask - 1 ? max_bytes : kCountMask - 1);
  for (std::atomic<int>& p : ports_) {
    if (p.load() == port) {
      active_.store(true);
      return;
    }
  }
  for (std::atomic<int>& p : ports_) {
    int expected = 0;
    if (p.compare_exchange_strong(expected, port)) {
      active_.store(true);
      return;
    }
  }
}

void RequestHeadGuard::SetRequestDeadline(uint32_t seconds) {
  deadline_s_.store(std::min<uint32_t>(seconds, 86'400), std::memory_order_relaxed);
}

namespace {
// Coarse monotonic seconds + 1 (never 0): a vDSO read, no syscall.
uint32_t NowSeconds() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<uint32_t>(ts.tv_sec) + 1;
}
}  // namespace

void RequestHeadGuard::UnwatchPort(int port) {
  for (std::atomic<int>& p : ports_) {
    int expected = port;
    p.compare_exchange_strong(expected, 0);
  }
}

std::atomic<uint32_t>* RequestHeadGuard::Slot(int fd) const {
  std::atomic<uint32_t>* s = state_.load(std::memory_order_acquire);
  if (s == nullptr || fd < 0 || static_cast<uint64_t>(fd) >= kMaxFds) return nullptr;
  return &s[fd];
}

void RequestHeadGuard::OnAccept(int listen_port, int fd) {
  if (listen_port <= 0) return;
  for (const std::atomic<int>& p : ports_) {
    if (p.load(std::memory_order_relaxed) == listen_port) {
      if (std::atomic<uint32_t>* s = Slot(fd)) s->store(kWatched, std::memory_order_relaxed);
      return;
    }
  }
}

void RequestHeadGuard::OnClose(int fd) {
  std::atomic<uint32_t>* s = Slot(fd);
  if (s != nullptr && s->load(std::memory_order_relaxed) != 0) s->store(0, std::memory_order_relaxed);
}

void RequestHeadGuard::OnSend(int fd) {
  std::atomic<uint32_t>* s = Slot(fd);
  if (s == nullptr) return;
  const uint32_t v = s->load(std::memory_order_relaxed);
  if ((v & kWatched) != 0 && v != kWatched && v != kRefused) {
    s->store(kWatched, std::memory_order_relaxed);
  }
}

ssize_t RequestHeadGuard::AfterRecv(int fd, const char* buf, ssize_t n) {
  std::atomic<uint32_t>* s = Slot(fd);
  if (s == nullptr || n <= 0) return n;
  uint32_t v = s->load(std::memory_order_relaxed);
  if (v == kRefused) {  // already reset: every later read fails too
    errno = ECONNRESET;
    return -1;
  }
  if ((v & kWatched) == 0) return n;
  if (const uint32_t deadline = deadline_s_.load(std::memory_order_relaxed); deadline > 0) {
    std::atomic<uint32_t>& start = start_.load(std::memory_order_acquire)[fd];
    const uint32_t now = NowSeconds();
    if (v == kWatched) {
      start.store(now, std::memory_order_relaxed);  // a request's first bytes
    } else if (const uint32_t t0 = start.load(std::memory_order_relaxed);
               t0 != 0 && now - t0 > deadline) {
      timed_out_.fetch_add(1, std::memory_order_relaxed);
      s->store(kRefused, std::memory_order_relaxed);
      errno = ECONNRESET;
      return -1;
    }
  }
  if ((v & kDone) != 0) return n;
  static constexpr char kEnd[4] = {'\r', '\n', '\r', '\n'};
  uint32_t match = (v >> kMatchShift) & 3u;
  uint32_t count = v & kCountMask;
  const uint32_t max = max_bytes_.load(std::memory_order_relaxed);
  bool done = false;
  ssize_t i = 0;
  for (; i < n; ++i) {
    const char c = buf[i];
    if (c == kEnd[match]) {
      if (++match == 4) {
        done = true;
        ++i;
        break;
      }
    } else {
      match = c == '\r' ? 1 : 0;
    }
  }
  count += static_cast<uint32_t>(i);
  if (count > max) {
    refused_.fetch_add(1, std::memory_order_relaxed);
    s->store(kRefused, std::memory_order_relaxed);
    errno = ECONNRESET;
    return -1;
  }
  s->store(done ? (kWatched | kDone | count) : (kWatched | (match << kMatchShift) | count),
           std::memory_order_relaxed);
  return n;
}

}  // namespace gridroute

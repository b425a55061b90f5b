// Copyright 2026 gridroute authors.
//
// StreamWatchdog: cancels a stream whose answer has waited too long for its
// client to take it (a client that never reads).
//
//   StreamWatchdog dog(absl::Seconds(60));
//   std::shared_ptr<StreamWatchdog::Watch> w = dog.Add([ctx] { ctx->TryCancel(); });
//   w->WriteStarted();  // before StartWrite
//   w->WriteDone();     // in OnWriteDone
//   w->Close();         // in OnDone, before the stream's context dies
//
// Why: RouteStream has one answer in flight per stream and a global budget
// of unread answers (ServiceOptions::max_pending_answer_bytes), but nothing
// ended a stream whose client stopped reading while its connection stayed
// alive (HTTP/2 pings are answered by the client's transport): it pinned its
// answer (up to the message limit) and its share of the budget forever, and
// a few such clients could fill the budget and get every other stream's
// batches refused. Now an answer not taken within the timeout cancels the
// stream (the client sees CANCELLED: gRPC cannot send a status behind a
// message the client does not read; the server counts it in stalls() and
// finishes the call with DEADLINE_EXCEEDED naming the limit).
//
// One thread scans the streams every timeout/4 (10 ms .. 1 s), so a stall
// is cancelled between timeout and 1.25 x timeout after its write began.
// Cost per write: two relaxed atomic stores; per stream: one registry
// insert (a mutex) and one shared_ptr. No gRPC here.
//
// Thread-safety: all methods may be called from any thread. `cancel` runs on
// the watchdog's thread (or the Scan caller's) under the Watch's own
// recursive mutex, never after Close() has returned, and may re-enter Close
// on the same thread (gRPC may run OnDone inline in TryCancel).
#ifndef GRIDROUTE_SERVICE_STREAM_WATCHDOG_H_
#define GRIDROUTE_SERVICE_STREAM_WATCHDOG_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/time/time.h"

namespace gridroute {

class StreamWatchdog {
 public:
  class Watch {
   public:
    explicit Watch(std::function<void()> cancel, std::function<int64_t()> now_ns)
        : cancel_(std::move(cancel)), now_ns_(std::move(now_ns)) {}
    void WriteStarted() {
      const int64_t now = now_ns_();
      since_ns_.store(now > 0 ? now : 1, std::memory_order_relaxed);
    }
    void WriteDone() { since_ns_.store(0, std::memory_order_relaxed); }
    // After it returns, `cancel` never runs (again).
    void Close();
    // True once the watchdog cancelled this stream.
    bool stalled() const { return stalled_.load(std::memory_order_relaxed); }

   private:
    friend class StreamWatchdog;
    // Cancels if a write began at or before `horizon_ns`; true if it did.
    bool CancelIfStalled(int64_t horizon_ns);

    const std::function<void()> cancel_;
    const std::function<int64_t()> now_ns_;
    std::atomic<int64_t> since_ns_{0};  // when the pending write began; 0: none
    std::atomic<bool> stalled_{false};
    std::recursive_mutex mu_;
    bool closed_ = false;  // guarded by mu_
  };

  // `timeout` <= 0: disabled (Add returns null). `now_ns`: the clock
  // (default: steady clock); `thread` false: no scanning thread (tests call
  // Scan).
  explicit StreamWatchdog(absl::Duration timeout, std::function<int64_t()> now_ns = nullptr,
                          bool thread = true);
  ~StreamWatchdog();  // stops the thread
  StreamWatchdog(const StreamWatchdog&) = delete;
  StreamWatchdog& operator=(const StreamWatchdog&) = delete;

  // A stream to watch; null when disabled. `cancel` must stay callable until
  // the Watch is closed.
  std::shared_ptr<Watch> Add(std::function<void()> cancel);
  // One pass: cancels every stream whose write began more than the timeout
  // ago; forgets closed ones. The thread calls it periodically.
  void Scan();

  absl::Duration timeout() const { return timeout_; }
  int64_t stalls() const { return stalls_.load(std::memory_order_relaxed); }

 private:
  void Run();

  const absl::Duration timeout_;
  const std::function<int64_t()> now_ns_;
  std::atomic<int64_t> stalls_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::weak_ptr<Watch>> watches_;  // guarded by mu_
  bool stop_ = false;                          // guarded by mu_
  std::thread thread_;                         // last: starts once the above exist
};

}  // namespace gridroute

#endif  // GRIDROUTE_SERVICE_STREAM_WATCHDOG_H_

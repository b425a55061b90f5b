// Copyright 2026 gridroute authors.
//
// RequestHeadGuard: a byte limit on each HTTP request's head (request line
// and headers) on the HTTP listener's connections — which
// cpp-httplib 0.11 does not have (it bounds each header line to 8 KiB but
// not their number: 200 MB of headers were accepted in a test).
//
//   RequestHeadGuard::Get().WatchPort(8080, 64 << 10);   // before serving
//   // then, through the recv/send/accept/close hooks of connection_guard.cc:
//   //   a connection whose head passes 64 KiB is reset (recv fails ECONNRESET).
//
// How. ConnectionGuard's accept hook marks connections accepted on a
// watched port; the recv hook (SSL_read's, on the decrypted bytes, for
// HTTPS) counts the bytes of a request until the
// blank line ending its head ("\r\n\r\n"), and fails the read with
// ECONNRESET once they pass the limit (the library then closes the
// connection); bytes after the head (the body, bounded by the library's
// own cap) are not counted. The send hook (the server answering) starts the
// next request's count (SSL_write's for HTTPS). The close hook forgets the
// descriptor.
//
// Thread-safety: hooks are lock-free (one relaxed atomic per descriptor;
// the library serves a connection from one thread at a time). Cost: one
// atomic load per recv/send of the process; on a watched connection a
// scan of the head's bytes.
#ifndef GRIDROUTE_SERVICE_REQUEST_HEAD_GUARD_H_
#define GRIDROUTE_SERVICE_REQUEST_HEAD_GUARD_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>

namespace gridroute {

class RequestHeadGuard {
 public:
  static RequestHeadGuard& Get();

  // Limits request heads on connections accepted on `port` to `max_bytes`
  // (at most 2^27; one limit per process: the last call's). Unwatch frees
  // the port's slot.
  void WatchPort(int port, uint32_t max_bytes);
  void UnwatchPort(int port);
  // A whole-request deadline on the watched connections: a request whose
  // bytes (head and body) are still arriving `seconds` after its first byte
  // is reset at its next read (a client trickling a byte every few seconds
  // under the per-read timeout no longer holds a worker indefinitely: at
  // most `seconds` + one read timeout). 0 (the default) = off; at most
  // 86,400. One deadline per process: the last call's.
  void SetRequestDeadline(uint32_t seconds);

  // Connections reset because their head was too long.
  int64_t refused() const { return refused_.load(std::memory_order_relaxed); }
  // Connections reset because a request outlived the deadline.
  int64_t timed_out() const { return timed_out_.load(std::memory_order_relaxed); }

  // The hooks' bodies (connection_guard.cc).
  void OnAccept(int listen_port, int fd);
  void OnClose(int fd);
  void OnSend(int fd);
  // After a recv of `n` > 0 bytes into `buf`: n, or -1 (errno ECONNRESET)
  // when the head passed the limit.
  ssize_t AfterRecv(int fd, const char* buf, ssize_t n);
  // True while some port is watched (the accept hook asks first).
  bool active() const { return active_.load(std::memory_order_relaxed); }

 private:
  RequestHeadGuard() = default;
  std::atomic<uint32_t>* Slot(int fd) const;

  static constexpr int kMaxPorts = 8;
  static constexpr uint64_t kMaxFds = uint64_t{1} << 20;
  // Per descriptor: bit 31 watched, bit 30 head done, bits 28-29 how much
  // of "\r\n\r\n" was matched, bits 0-27 head bytes so far.
  static constexpr uint32_t kWatched = 1u << 31, kDone = 1u << 30;
  static constexpr uint32_t kMatchShift = 28, kCountMask = (1u << 28) - 1;
  static constexpr uint32_t kRefused = kWatched | kDone | kCountMask;  // reset: reads fail

  std::atomic<bool> active_{false};
  std::atomic<int> ports_[kMaxPorts] = {};
  std::atomic<uint32_t> max_bytes_{64 << 10};
  std::atomic<std::atomic<uint32_t>*> state_{nullptr};  // kMaxFds slots, lazily mapped
  // Per descriptor: when its current request's first byte arrived (coarse
  // monotonic seconds + 1; 0: none yet). Mapped with state_.
  std::atomic<std::atomic<uint32_t>*> start_{nullptr};
  std::atomic<uint32_t> deadline_s_{0};
  std::atomic<int64_t> refused_{0};
  std::atomic<int64_t> timed_out_{0};
};

}  // namespace gridroute

#endif  // GRIDROUTE_SERVICE_REQUEST_HEAD_GUARD_H_

// Copyright 2026 gridroute authors.
//
// ConnectionGuard: caps the gRPC server's open connections and keeps its
// listener alive at the file-descriptor limit — two things gRPC 1.51 cannot
// do itself.
//
//   ConnectionGuard& guard = ConnectionGuard::Get();
//   if (!guard.Watch(port, 10000)) Log("connection cap not enforced");
//   ... guard.state().open, .refused_over_cap, .listener_failed ...
//
// Why it exists. gRPC 1.51 has no connection limit (GRPC_ARG_MAX_ALLOWED_
// INCOMING_CONNECTIONS / the ConnectionQuota came in later releases), and
// its listener (iomgr's tcp_server_posix) treats every accept4() error but
// EAGAIN/EINTR as fatal: it logs "Failed accept4: Too many open files" and
// never accepts again, even after the descriptors are freed, while the
// process looks healthy.
//
// How. This file defines accept4() and close() for the whole process (and
// accept(), which Boost.Asio's acceptor, the HTTP listener's, calls). An
// executable's definitions come first in the dynamic linker's lookup, so
// libgrpc's calls reach them; they call the C library's through
// dlsym(RTLD_NEXT). Only accepts on a watched listening port are looked at
// (getsockname on the listening socket); everything else passes through.
//  - A connection accepted while `max_connections` are open is closed at
//    once (the client sees the connection closed and retries; its call gets
//    UNAVAILABLE), and the backlog is drained the same way, so gRPC never
//    sees it.
//  - EMFILE/ENFILE/ENOBUFS/ENOMEM: a spare descriptor (/dev/null, opened by
//    Watch) is closed, the pending connection accepted and closed, the spare
//    reopened; gRPC gets EAGAIN and keeps listening. The guard reports
//    fd_exhausted until an accept succeeds again.
//  - Transient per-connection errors accept(2) documents (ECONNABORTED,
//    EPROTO, ENETDOWN, ...) are retried.
//  - Any other error is passed to gRPC (which then stops listening) and
//    marks the listener failed, for good.
// Each accepted connection's descriptor is marked in a bitmap; close() of a
// marked descriptor unmarks it and decrements the count (before the real
// close, so a reused number cannot be confused).
//
// Whether the interposition is in effect is checked, not assumed: Watch()
// returns false (and nothing is capped) when dlsym(RTLD_DEFAULT, "accept4")
// is not this file's function (e.g. a statically linked gRPC). As a second
// line, InstallGrpcLogHook() routes gRPC's log lines through a function that
// marks the listener failed when gRPC logs "Failed accept4"; ServingWatch
// (service/serving_health.h) turns health NOT_SERVING on either signal so an
// orchestrator restarts the server.
//
// Thread-safety: every method is safe from any thread; accept4/close hooks
// are lock-free (atomics). Cost: one getsockname() per accepted connection
// on top of accept4, one relaxed atomic load per close() of an untracked
// descriptor.
#ifndef GRIDROUTE_SERVICE_CONNECTION_GUARD_H_
#define GRIDROUTE_SERVICE_CONNECTION_GUARD_H_

#include <sys/socket.h>

#include <atomic>
#include <cstdint>

namespace gridroute {

struct ConnectionGuardState {
  bool active = false;       // accept4/close interposition in effect
  int64_t open = 0;          // accepted connections on watched ports, still open
  int64_t max = 0;           // the cap (0: none)
  int64_t accepted = 0;      // since start
  int64_t refused_over_cap = 0;  // closed at once: `max` were open
  int64_t shed_fd_limit = 0;     // closed at once: no descriptor left (EMFILE...)
  bool fd_exhausted = false;     // the last accept hit the descriptor limit
  bool listener_failed = false;  // gRPC's listener stopped (accept error, or "Failed accept4" logged)
  uint64_t generation = 0;       // changes whenever fd_exhausted or listener_failed does
};

class ConnectionGuard {
 public:
  // The process's guard (the hooks are process-wide).
  static ConnectionGuard& Get();

  // Counts connections accepted on listening TCP port `port` of this
  // process and keeps at most `max_connections` open (0: no cap; one cap
  // for all watched ports, the last Watch's). Opens the spare descriptor.
  // False if the accept4/close interposition is not in effect: then
  // nothing is counted or capped (the caller logs it).
  bool Watch(int port, int max_connections);
  ConnectionGuardState state() const;
  // Stops watching `port` (a listener that closed; frees its slot of the
  // kMaxPorts). Connections already counted stay counted until closed.
  void Unwatch(int port);

  // Routes gRPC's log lines (gpr_set_log_function) through a function that
  // prints them as gRPC's default does and marks the listener failed on
  // "Failed accept4". Once per process; later calls do nothing.
  static void InstallGrpcLogHook();
  // What the log hook does with one message (tests call it directly).
  void NoteGrpcLog(const char* message);

  // Tests: the accept4 the guard calls instead of the C library's (null:
  // the C library's again).
  using AcceptFn = int (*)(int, sockaddr*, socklen_t*, int);
  void SetAcceptForTest(AcceptFn fn) { test_accept_.store(fn); }
  // Tests: forgets a failed listener (a new server in the same process).
  void ResetListenerFailedForTest();

  // The hooks' bodies (called by accept4/close in connection_guard.cc).
  int Accept(int listen_fd, sockaddr* addr, socklen_t* len, int flags);
  void BeforeClose(int fd);

 private:
  ConnectionGuard() = default;
  bool Watched(int listen_fd) const;
  bool Track(int fd);  // marks `fd`; false if out of the bitmap
  int ShedOne(int listen_fd);
  void SetFlag(std::atomic<bool>* flag, bool value);

  static constexpr int kMaxPorts = 8;
  static constexpr uint64_t kMaxTrackedFds = uint64_t{1} << 20;

  std::atomic<bool> active_{false};
  std::atomic<int> ports_[kMaxPorts] = {};
  std::atomic<int64_t> max_{0};
  std::atomic<int64_t> open_{0}, accepted_{0}, refused_{0}, shed_{0};
  std::atomic<bool> fd_exhausted_{false}, listener_failed_{false};
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> spare_fd_{-1};
  // One bit per descriptor number below kMaxTrackedFds: an accepted
  // connection still open. Allocated by the first Watch, never freed.
  std::atomic<std::atomic<uint64_t>*> tracked_{nullptr};
  std::atomic<AcceptFn> test_accept_{nullptr};
};

// Raises this process's RLIMIT_NOFILE soft limit to its hard limit (at most
// 2^20, the guard's bitmap). Returns the soft limit now; *before and *hard
// get the old soft and the hard limits (either may be null).
uint64_t RaiseFdLimit(uint64_t* before, uint64_t* hard);

}  // namespace gridroute

#endif  // GRIDROUTE_SERVICE_CONNECTION_GUARD_H_

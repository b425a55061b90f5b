// Copyright 2026 gridroute authors.
#include "service/connection_guard.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "grpc/support/log.h"

namespace gridroute {
namespace {

using CloseFn = int (*)(int);

// The C library's functions (or the next interposer's, e.g. a sanitizer's).
ConnectionGuard::AcceptFn RealAccept4() {
  static const auto fn =
      reinterpret_cast<ConnectionGuard::AcceptFn>(dlsym(RTLD_NEXT, "accept4"));
  return fn;
}
CloseFn RealClose() {
  static const auto fn = reinterpret_cast<CloseFn>(dlsym(RTLD_NEXT, "close"));
  return fn;
}

int CallClose(int fd) {
  CloseFn fn = RealClose();
  if (fn == nullptr) {
    errno = ENOSYS;
    return -1;
  }
  return fn(fd);
}

// Errors accept(2) says Linux reports for the pending connection, not the
// listener: retry.
bool PerConnectionError(int e) {
  switch (e) {
    case ECONNABORTED: case EPROTO: case ENOPROTOOPT: case ENETDOWN: case EHOSTDOWN:
    case ENONET: case EHOSTUNREACH: case EOPNOTSUPP: case ENETUNREACH: case EPERM:
      return true;
  }
  return false;
}

bool OutOfDescriptors(int e) { return e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM; }

// The local port of a listening TCP socket, or -1.
int LocalPort(int fd) {
  sockaddr_storage a;
  socklen_t n = sizeof(a);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n) != 0) return -1;
  if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&a)->sin_port);
  if (a.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&a)->sin6_port);
  return -1;
}

// gRPC's log lines, printed as its default logger does, seen by the guard.
// Raw fprintf on purpose, not common/log.h's Log(): this replaces gRPC's own
// logger (gpr_set_log_function), so its lines keep gRPC's format that
// operators and gRPC's docs know ("E0101 ... tcp_server_posix.cc:...] Failed
// accept4"), and it runs inside gRPC's internals on any thread, possibly
// with gRPC's locks held: Log() takes its own mutex and calls the embedding
// binary's sink, and a sink that itself used gRPC would deadlock or recurse.
void GrpcLog(gpr_log_func_args* args) {
  const char* file = args->file != nullptr ? args->file : "";
  if (const char* slash = std::strrchr(file, '/')) file = slash + 1;
  std::fprintf(stderr, "%s %s:%d] %s\n", gpr_log_severity_string(args->severity), file,
               args->line, args->message != nullptr ? args->message : "");
  if (args->message != nullptr) ConnectionGuard::Get().NoteGrpcLog(args->message);
}

}  // namespace

ConnectionGuard& ConnectionGuard::Get() {
  static ConnectionGuard* const guard = new ConnectionGuard();
  return *guard;
}

bool ConnectionGuard::Watch(int port, int max_connections) {
  static std::mutex mu;  // serialises Watch calls (not the hooks)
  std::lock_guard<std::mutex> lock(mu);
  // In effect only if accept4 as the dynamic linker resolves it is ours.
  const void* resolved = dlsym(RTLD_DEFAULT, "accept4");
  const bool ours = resolved == reinterpret_cast<const void*>(&::accept4) &&
                    RealAccept4() != nullptr && RealClose() != nullptr &&
                    reinterpret_cast<const void*>(RealAccept4()) != resolved;
  if (!ours) return false;
  if (tracked_.load() == nullptr) {
    tracked_.store(new std::atomic<uint64_t>[kMaxTrackedFds / 64]());
  }
  if (spare_fd_.load() < 0) spare_fd_.store(open("/dev/null", O_RDONLY | O_CLOEXEC));
  max_.store(std::max(max_connections, 0));
  bool added = false;
  for (std::atomic<int>& p : ports_) {
    if (p.load() == port) {
      added = true;
      break;
    }
  }
  for (std::atomic<int>& p : ports_) {
    if (added) break;
    if (p.load() == 0) {
      p.store(port);
      added = true;
    }
  }
  active_.store(added);
  return added;
}

void ConnectionGuard::Unwatch(int port) {
  if (port <= 0) return;
  for (std::atomic<int>& p : ports_) {
    int expected = port;
    p.compare_exchange_strong(expected, 0);
  }
}

ConnectionGuardState ConnectionGuard::state() const {
  ConnectionGuardState s;
  s.active = active_.load();
  s.open = open_.load();
  s.max = max_.load();
  s.accepted = accepted_.load();
  s.refused_over_cap = refused_.load();
  s.shed_fd_limit = shed_.load();
  s.fd_exhausted = fd_exhausted_.load();
  s.listener_failed = listener_failed_.load();
  s.generation = generation_.load();
  return s;
}

void ConnectionGuard::InstallGrpcLogHook() {
  static std::once_flag once;
  std::call_once(once, [] { gpr_set_log_function(GrpcLog); });
}

void ConnectionGuard::NoteGrpcLog(const char* message) {
  if (std::strstr(message, "Failed accept4") != nullptr) SetFlag(&listener_failed_, true);
}

void ConnectionGuard::ResetListenerFailedForTest() { SetFlag(&listener_failed_, false); }

void ConnectionGuard::SetFlag(std::atomic<bool>* flag, bool value) {
  if (flag->exchange(value) != value) generation_.fetch_add(1);
}

bool ConnectionGuard::Watched(int listen_fd) const {
  if (!active_.load(std::memory_order_relaxed)) return false;
  const int port = LocalPort(listen_fd);
  if (port <= 0) return false;
  for (const std::atomic<int>& p : ports_) {
    if (p.load(std::memory_order_relaxed) == port) return true;
  }
  return false;
}

bool ConnectionGuard::Track(int fd) {
  std::atomic<uint64_t>* bits = tracked_.load(std::memory_order_acquire);
  if (bits == nullptr || fd < 0 || static_cast<uint64_t>(fd) >= kMaxTrackedFds) return false;
  bits[fd / 64].fetch_or(uint64_t{1} << (fd % 64));
  return true;
}

void ConnectionGuard::BeforeClose(int fd) {
  std::atomic<uint64_t>* bits = tracked_.load(std::memory_order_acquire);
  if (bits == nullptr || fd < 0 || static_cast<uint64_t>(fd) >= kMaxTrackedFds) return;
  const uint64_t bit = uint64_t{1} << (fd % 64);
  if ((bits[fd / 64].load(std::memory_order_relaxed) & bit) == 0) return;
  // Unmarked before the real close: once closed, the number may be reused
  // by an accept on another thread, which marks it again.
  if (bits[fd / 64].fetch_and(~bit) & bit) open_.fetch_sub(1);
}

// No descriptor left for the pending connection: frees the spare, accepts
// and closes the connection with it, takes the spare back. 0 if one was
// shed (try the next), else -1 with errno EAGAIN (nothing more to do now).
int ConnectionGuard::ShedOne(int listen_fd) {
  SetFlag(&fd_exhausted_, true);
  const int spare = spare_fd_.exchange(-1);
  if (spare < 0) {
    spare_fd_.store(open("/dev/null", O_RDONLY | O_CLOEXEC));
    errno = EAGAIN;
    return -1;
  }
  CallClose(spare);
  AcceptFn accept = test_accept_.load();
  if (accept == nullptr) accept = RealAccept4();
  const int c = accept(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
  if (c >= 0) CallClose(c);
  spare_fd_.store(open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (c < 0) {
    errno = EAGAIN;
    return -1;
  }
  shed_.fetch_add(1);
  return 0;
}

int ConnectionGuard::Accept(int listen_fd, sockaddr* addr, socklen_t* len, int flags) {
  AcceptFn accept = test_accept_.load(std::memory_order_relaxed);
  if (accept == nullptr) accept = RealAccept4();
  if (accept == nullptr) {
    errno = ENOSYS;
    return -1;
  }
  for (;;) {
    const int fd = accept(listen_fd, addr, len, flags);
    if (fd >= 0) {
      if (!Watched(listen_fd)) return fd;
      SetFlag(&fd_exhausted_, false);
      const int64_t max = max_.load(std::memory_order_relaxed);
      if (max > 0 && open_.load() >= max) {
        refused_.fetch_add(1, std::memory_order_relaxed);
        CallClose(fd);
        continue;  // drain the backlog the same way
      }
      if (Track(fd)) open_.fetch_add(1);
      accepted_.fetch_add(1, std::memory_order_relaxed);
      return fd;
    }
    const int e = errno;
    if (e == EINTR || e == EAGAIN || e == EWOULDBLOCK || !Watched(listen_fd)) {
      errno = e;
      return -1;
    }
    if (PerConnectionError(e)) continue;
    if (OutOfDescriptors(e)) {
      if (ShedOne(listen_fd) == 0) continue;
      return -1;  // EAGAIN: gRPC keeps listening
    }
    // Anything else stops gRPC's listener: say so (health NOT_SERVING).
    SetFlag(&listener_failed_, true);
    errno = e;
    return -1;
  }
}

uint64_t RaiseFdLimit(uint64_t* before, uint64_t* hard) {
  rlimit r;
  if (getrlimit(RLIMIT_NOFILE, &r) != 0) return 0;
  if (before != nullptr) *before = r.rlim_cur;
  if (hard != nullptr) *hard = r.rlim_max;
  const rlim_t want = std::min<rlim_t>(r.rlim_max, rlim_t{1} << 20);
  if (want > r.rlim_cur) {
    rlimit n = r;
    n.rlim_cur = want;
    if (setrlimit(RLIMIT_NOFILE, &n) == 0) return want;
  }
  return r.rlim_cur;
}

}  // namespace gridroute

// The process-wide hooks (see the header). Defined in the executable, they
// take precedence over the C library's for every shared library, libgrpc
// included.
extern "C" int accept4(int fd, struct sockaddr* __restrict addr, socklen_t* __restrict len,
                       int flags) {
  return gridroute::ConnectionGuard::Get().Accept(fd, addr, len, flags);
}

extern "C" int close(int fd) {
  gridroute::ConnectionGuard::Get().BeforeClose(fd);
  return gridroute::CallClose(fd);
}

// accept(2) too: Boost.Asio's acceptor (the HTTP listener, engine/http)
// calls accept, not accept4. Same guard, no flags.
extern "C" int accept(int fd, struct sockaddr* __restrict addr, socklen_t* __restrict len) {
  return gridroute::ConnectionGuard::Get().Accept(fd, addr, len, 0);
}

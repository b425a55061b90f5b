// Copyright 2026 gridroute authors.
//
// NatsTestServer: a real `nats-server -js` child process on 127.0.0.1 for
// tests, with its JetStream store in a fresh mkdtemp directory.
//
//   NatsTestServer server;
//   if (NatsTestServer::FindBinary().empty()) GTEST_SKIP() << "nats-server not
//   installed"; ASSERT_TRUE(server.Start().ok());
//   ... server.url() ...
//   server.Kill(SIGKILL);              // crash it
//   ASSERT_TRUE(server.Start().ok());  // same port, same store directory
//
// The port is a free one below 32768 (the ephemeral range collides with
// TIME-WAIT sockets), chosen at random and probed with bind(); if another
// process takes it first, Start tries another. Start returns once the server
// has logged "Server is ready" and accepts TCP connections (JetStream is
// enabled, and its store recovered, before the client listener opens). The
// destructor stops the server (SIGTERM, then waits) and removes the directory.
// Server output goes to <dir>/server.log, quoted in Start's errors. Header-only
// so that other tests (the service's NATS integration test) can use it without
// a library.
#ifndef GRIDROUTE_TESTS_DISPATCH_NATS_TEST_SERVER_H_
#define GRIDROUTE_TESTS_DISPATCH_NATS_TEST_SERVER_H_

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace gridroute {
namespace testing {

class NatsTestServer {
 public:
  // `jetstream` false starts a server without -js (for the error path).
  explicit NatsTestServer(bool jetstream = true) : jetstream_(jetstream) {}
  ~NatsTestServer() {
    Kill(SIGTERM);
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }
  NatsTestServer(const NatsTestServer&) = delete;
  NatsTestServer& operator=(const NatsTestServer&) = delete;

  // The nats-server binary: PATH first, then Debian's /usr/sbin (not on a
  // normal user's PATH). Empty if not installed.
  static std::string FindBinary() {
    std::vector<std::string> dirs;
    if (const char* path = std::getenv("PATH"))
      dirs = absl::StrSplit(path, ':');
    dirs.push_back("/usr/sbin");
    dirs.push_back("/usr/local/sbin");
    for (const std::string& d : dirs) {
      if (d.empty()) continue;
      const std::string candidate = d + "/nats-server";
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return "";
  }

  // Starts the server (again on the same port and store after a Kill).
  absl::Status Start() {
    if (pid_ > 0)
      return absl::FailedPreconditionError("nats-server already running");
    const std::string binary = FindBinary();
    if (binary.empty())
      return absl::NotFoundError("nats-server not found on PATH or /usr/sbin");
    if (dir_.empty()) {
      std::string tmpl =
          (std::filesystem::temp_directory_path() / "gridroute_nats_XXXXXX")
              .string();
      if (::mkdtemp(tmpl.data()) == nullptr)
        return absl::InternalError("mkdtemp failed");
      dir_ = tmpl;
    }
    const bool fixed_port = port_ != 0;
    for (int attempt = 0; attempt < (fixed_port ? 1 : 20); ++attempt) {
      if (!fixed_port) port_ = PickFreePort();
      absl::Status s = Spawn(binary);
      if (s.ok()) return s;
      if (fixed_port || attempt == 19) return s;
    }
    return absl::InternalError("unreachable");
  }

  // Sends `sig` and waits for the process to exit. No-op if not running.
  void Kill(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  // Before the first Start: use this port instead of picking one.
  void set_port(int port) { port_ = port; }

  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  std::string url() const { return absl::StrCat("nats://127.0.0.1:", port_); }
  const std::string& dir() const { return dir_; }
  std::string log() const {
    std::ifstream in(dir_ + "/server.log");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  // True if something accepts TCP connections on 127.0.0.1:port.
  static bool Accepts(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok =
        ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
    ::close(fd);
    return ok;
  }

  // A port in [20000, 32767] that nothing is bound to right now.
  static int PickFreePort() {
    std::random_device rd;
    std::mt19937 rng(rd() ^ static_cast<unsigned>(::getpid()));
    std::uniform_int_distribution<int> dist(20000, 32767);
    for (int i = 0; i < 1000; ++i) {
      const int port = dist(rng);
      const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      if (fd < 0) continue;
      int one = 1;
      ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(static_cast<uint16_t>(port));
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      const bool free =
          ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
      ::close(fd);
      if (free) return port;
    }
    return 0;
  }

 private:
  absl::Status Spawn(const std::string& binary) {
    const std::string port = std::to_string(port_);
    std::vector<std::string> args = {binary, "-a", "127.0.0.1", "-p", port};
    if (jetstream_) {
      args.insert(args.end(), {"-js", "-sd", dir_});
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string log_path = dir_ + "/server.log";
    const size_t ready_before = ReadyLines();
    const pid_t parent = ::getpid();
    // fork + exec rather than posix_spawn: the child asks the kernel to
    // SIGKILL it when this process dies, so a test killed by a timeout
    // leaves no nats-server behind. Only async-signal-safe calls after fork.
    const pid_t pid = ::fork();
    if (pid < 0) return absl::InternalError("fork failed");
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);  // the parent already died
      const int fd =
          ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        ::dup2(fd, STDOUT_FILENO);
        ::dup2(fd, STDERR_FILENO);
        ::close(fd);
      }
      ::execv(binary.c_str(), argv.data());
      ::_exit(127);
    }
    pid_ = pid;
    // Ready when it accepts connections; give up if it exits or after 30 s.
    for (int i = 0; i < 1500; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return absl::UnavailableError(
            absl::StrCat("nats-server exited during start on port ", port_,
                         "; log:\n", log()));
      }
      // "Server is ready" is logged once the client listener is open; the
      // count guards against another process that grabbed the port.
      if (ReadyLines() > ready_before && Accepts(port_))
        return absl::OkStatus();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    Kill(SIGKILL);
    return absl::DeadlineExceededError(
        absl::StrCat("nats-server did not accept connections on port ", port_,
                     "; log:\n", log()));
  }

  size_t ReadyLines() const {
    const std::string text = log();
    size_t n = 0;
    for (size_t at = text.find("Server is ready"); at != std::string::npos;
         at = text.find("Server is ready", at + 1)) {
      ++n;
    }
    return n;
  }

  const bool jetstream_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace testing
}  // namespace gridroute

#endif  // GRIDROUTE_TESTS_DISPATCH_NATS_TEST_SERVER_H_

// Copyright 2026 gridroute authors.
//
// Helpers for tests that run a real gridroute-server as a child process on
// a generated city
// (tests/service/crash_test.cc, tests/service/dispatch_e2e_test.cc):
//
//   const std::string dir = TempDir("gridroute_my_test");
//   ASSERT_TRUE(GenerateCity(dir + "/city"));
//   std::vector<Site> sites = ReadSites(dir + "/city/events.csv", 100);
//   Server server;
//   ASSERT_TRUE(server.Start(dir + "/city", dir + "/server.log",
//                            {"--journal-dir", dir + "/journal"}));
//   ... grpc::CreateChannel(absl::StrCat("127.0.0.1:", server.port), ...)
//   server.Stop();  // SIGTERM and wait (or Kill(): SIGKILL and wait)
//
// The server listens on 127.0.0.1:0; Start reads its stdout until it says
// "(port N)". Its stderr is appended to the log file. The child gets SIGKILL
// when the thread that started it dies. Header-only so that tests use it
// without a library.
#ifndef GRIDROUTE_TESTS_SERVICE_SERVER_PROCESS_H_
#define GRIDROUTE_TESTS_SERVICE_SERVER_PROCESS_H_

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gridroute/v1/routing.pb.h"

namespace gridroute {
namespace testing {

// The directory of the running test binary (build/bin, where gridroute-server
// and gridroute-gen are).
inline std::string BinDir() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  std::string self(buf, n > 0 ? n : 0);
  return self.substr(0, self.rfind('/'));
}

// A fresh directory /tmp/<prefix>_XXXXXX (mkdtemp); "" if it failed.
inline std::string TempDir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + "_XXXXXX";
  const char* d = mkdtemp(tmpl.data());
  return d != nullptr ? d : "";
}

// A gridroute-server child process; its stdout is read until it says which
// port it serves on.
struct Server {
  pid_t pid = -1;
  int port = 0;
  std::string log;

  // Starts `gridroute-server --pack <pack> --listen 127.0.0.1:0 <args...>`
  // with its stderr appended to `log_path`; true once it reported its port.
  bool Start(const std::string& pack, const std::string& log_path,
             const std::vector<std::string>& args) {
    log = log_path;
    port = 0;
    // Everything the child needs is built before fork.
    const std::string bin = BinDir() + "/gridroute-server";
    std::vector<std::string> argv_s = {bin, "--pack", pack, "--listen",
                                       "127.0.0.1:0"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    int out[2];
    if (pipe(out) != 0) return false;
    const pid_t parent = getpid();
    pid = fork();
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(127);
      dup2(out[1], 1);
      const int err = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (err >= 0) dup2(err, 2);
      close(out[0]);
      execv(bin.c_str(), argv.data());
      _exit(127);
    }
    close(out[1]);
    std::string line;
    char c;
    while (read(out[0], &c, 1) == 1) {
      if (c != '\n') {
        line.push_back(c);
        continue;
      }
      const size_t at = line.find("(port ");
      if (at != std::string::npos) {
        port = std::atoi(line.c_str() + at + 6);
        break;
      }
      line.clear();
    }
    close(out[0]);
    return port > 0;
  }

  // SIGTERM (drain, flush dispatch) and wait; returns the exit status.
  int Stop() {
    int status = -1;
    if (pid > 0) {
      kill(pid, SIGTERM);
      waitpid(pid, &status, 0);
      pid = -1;
    }
    return status;
  }

  // SIGKILL and wait.
  void Kill() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      pid = -1;
    }
  }

  ~Server() { Kill(); }
};

// Generates the test city (gridroute-gen --grids 2000 --seed 3 --events 3000)
// into the pack directory `pack`; true if gridroute-gen succeeded.
inline bool GenerateCity(const std::string& pack) {
  const std::string gen = BinDir() + "/gridroute-gen";
  return std::system((gen + " --grids 2000 --seed 3 --events 3000 --out " +
                      pack + " >/dev/null 2>&1")
                         .c_str()) == 0;
}

// An event site of a generated city.
struct Site {
  double lon, lat;
  std::string category;
};

// Up to `want` event sites of the generated city (wgs84 event rows of its
// events.csv; rows with a bad coordinate are skipped).
inline std::vector<Site> ReadSites(const std::string& events_csv, size_t want) {
  std::ifstream in(events_csv);
  std::string line;
  // id,lon,lat,crs,category_type,category,urgency,reported_at,component_code
  std::getline(in, line);
  std::vector<Site> sites;
  while (sites.size() < want && std::getline(in, line)) {
    std::vector<std::string> f = absl::StrSplit(line, ',');
    if (f.size() < 8 || f[3] != "wgs84" || f[4] != "event") continue;
    Site s;
    if (!absl::SimpleAtod(f[1], &s.lon) || !absl::SimpleAtod(f[2], &s.lat) ||
        !std::isfinite(s.lon) || !std::isfinite(s.lat)) {
      continue;
    }
    s.category = f[5];
    sites.push_back(s);
  }
  return sites;
}

// A report of the problem at `s`, reported at `at`.
inline v1::RouteRequest SiteReport(const Site& s, absl::Time at) {
  v1::RouteRequest req;
  req.mutable_point()->set_x(s.lon);
  req.mutable_point()->set_y(s.lat);
  req.set_category(s.category);
  req.mutable_reported_at()->set_seconds(absl::ToUnixSeconds(at));
  return req;
}

}  // namespace testing
}  // namespace gridroute

#endif  // GRIDROUTE_TESTS_SERVICE_SERVER_PROCESS_H_

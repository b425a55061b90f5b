// Copyright 2026 gridroute authors.
//
// A real gridroute-server reloaded by SIGHUP keeps one snapshot resident,
// not two: the previous one is freed once no request holds it (the server
// once kept its first snapshot for life, doubling its memory at the first
// reload). Resident memory is read from /proc; not under AddressSanitizer,
// whose quarantine keeps freed memory resident on purpose.
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "service/server_process.h"

namespace gridroute {
namespace {

using testing::BinDir;
using testing::Server;
using testing::TempDir;

// VmRSS of `pid` in MiB, or -1.
double ResidentMiB(pid_t pid) {
  std::ifstream f(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(f, line)) {
    double kib = 0;
    if (absl::StartsWith(line, "VmRSS:") &&
        absl::SimpleAtod(absl::StripSuffix(absl::StripAsciiWhitespace(line.substr(6)), " kB"),
                         &kib)) {
      return kib / 1024;
    }
  }
  return -1;
}

int CountInFile(const std::string& path, const std::string& needle) {
  std::ifstream f(path);
  std::string line;
  int n = 0;
  while (std::getline(f, line)) n += absl::StrContains(line, needle);
  return n;
}

#if !defined(__SANITIZE_ADDRESS__)
TEST(ReloadMemoryTest, ThreeReloadsKeepOneSnapshotResident) {
  const std::string dir = TempDir("gridroute_reload_memory");
  ASSERT_FALSE(dir.empty());
  // ~100k grids: a snapshot of ~50 MB, well above the server's own noise.
  const std::string pack = dir + "/city";
  ASSERT_EQ(std::system((BinDir() + "/gridroute-gen --grids 100000 --seed 5 --out " + pack +
                         " >/dev/null 2>&1")
                            .c_str()),
            0);
  Server server;
  const std::string log = dir + "/server.log";
  ASSERT_TRUE(server.Start(pack, log, {}));
  const double start = ResidentMiB(server.pid);
  ASSERT_GT(start, 0);
  for (int reload = 1; reload <= 3; ++reload) {
    ASSERT_EQ(kill(server.pid, SIGHUP), 0);
    // Waits for the line the server logs once the reload is over and the
    // memory given back (a load takes about a second here); the assertion
    // below does not depend on how long it took.
    for (int i = 0; i < 8000 && CountInFile(log, "SIGHUP: done") < reload; ++i) {
      usleep(50'000);
    }
    ASSERT_EQ(CountInFile(log, "SIGHUP: done"), reload) << "reload " << reload;
  }
  EXPECT_EQ(CountInFile(log, "SIGHUP: reloaded"), 3);
  const double after = ResidentMiB(server.pid);
  // Two snapshots resident would add ~50 MiB.
  EXPECT_LT(after - start, 20) << "RSS " << start << " MiB at start, " << after
                               << " MiB after three reloads";
  EXPECT_EQ(server.Stop(), 0);
  std::system(("rm -rf " + dir).c_str());
}
#endif

}  // namespace
}  // namespace gridroute

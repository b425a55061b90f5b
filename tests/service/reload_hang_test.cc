// Copyright 2026 gridroute authors.
//
// A real gridroute-server whose pack load hangs in open() (an LD_PRELOAD
// shim, tests/service/hang_open_preload.cc, stands in for a hung network
// file system). The regression: during a SIGHUP, such a load blocked later
// SIGHUPs, Reload RPCs and SIGTERM forever. Now: a Reload meanwhile gets
// ABORTED at once, a second SIGHUP is logged and ignored, routing goes on
// from the old snapshot, a load past --load-timeout-s is a failed reload
// that Info reports, and SIGTERM exits 0 with the load still stuck.
//
// No timing: the shim marks the moment the load blocks (a file), the test
// waits for that and for log lines; the waits have generous hang guards
// only.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gridroute/v1/admin.grpc.pb.h"
#include "gridroute/v1/routing.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "service/server_process.h"
#include "service/service_fixture.h"

namespace gridroute {
namespace {

constexpr char kStuck[] = "stuck-teams.csv";

std::string ReadText(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// Polls `done` every 10 ms, at most `guard_s` seconds (a hang guard).
template <typename F>
bool Eventually(F done, int guard_s = 120) {
  for (int i = 0; i < guard_s * 100; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

// The child's exit status once it has exited, or -1 after the hang guard
// (then it is killed).
int WaitExit(pid_t pid, int guard_s = 120) {
  int status = -1;
  const bool exited = Eventually([&] { return waitpid(pid, &status, WNOHANG) == pid; }, guard_s);
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
  }
  return status;
}

// Points the pack's teams at a copy whose open() hangs.
void MakeTeamsHang(const std::string& pack) {
  testing::WriteText(pack + "/" + kStuck, ReadText(pack + "/teams.csv"));
  testing::WriteText(pack + "/manifest.json",
                     absl::StrReplaceAll(ReadText(pack + "/manifest.json"),
                                         {{"\"teams\":\"teams.csv\"",
                                           absl::StrCat("\"teams\":\"", kStuck, "\"")}}));
}

class ReloadHangTest : public ::testing::Test {
 protected:
  void SetUp() override {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "the LD_PRELOAD shim cannot come before AddressSanitizer's runtime";
#endif
    dir_ = testing::TempDir("gridroute_reload_hang");
    ASSERT_FALSE(dir_.empty());
    pack_ = testing::WriteRoutingPack("A");
    mark_ = dir_ + "/hung";
    log_ = dir_ + "/server.log";
    // Inherited by the server child (execv), then taken back.
    setenv("LD_PRELOAD", GRIDROUTE_HANG_OPEN_PRELOAD, 1);
    setenv("GRIDROUTE_TEST_HANG_OPEN", (std::string("/") + kStuck).c_str(), 1);
    setenv("GRIDROUTE_TEST_HANG_MARK", mark_.c_str(), 1);
  }
  void TearDown() override {
    unsetenv("LD_PRELOAD");
    unsetenv("GRIDROUTE_TEST_HANG_OPEN");
    unsetenv("GRIDROUTE_TEST_HANG_MARK");
  }
  bool Hung() const { return access(mark_.c_str(), F_OK) == 0; }
  bool LogHas(const std::string& s) const { return absl::StrContains(ReadText(log_), s); }

  std::string dir_, pack_, mark_, log_;
};

TEST_F(ReloadHangTest, AStuckSighupReloadBlocksNeitherReloadNorRoutingNorSigterm) {
  testing::Server server;
  ASSERT_TRUE(server.Start(pack_, log_, {"--drain-s", "1"}));
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server.port),
                                     grpc::InsecureChannelCredentials());
  auto admin = v1::AdminService::NewStub(channel);
  auto routing = v1::RoutingService::NewStub(channel);

  MakeTeamsHang(pack_);
  kill(server.pid, SIGHUP);
  ASSERT_TRUE(Eventually([&] { return Hung(); })) << ReadText(log_);

  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  v1::ReloadRequest req;
  v1::ReloadResponse resp;
  const grpc::Status s = admin->Reload(&ctx, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED) << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "a reload is in progress")) << s.error_message();

  kill(server.pid, SIGHUP);
  EXPECT_TRUE(Eventually([&] { return LogHas("SIGHUP: a reload is in progress; ignored"); }))
      << ReadText(log_);

  grpc::ClientContext rctx;
  v1::RouteResponse route;
  const grpc::Status rs =
      routing->Route(&rctx, testing::HotlineReport(120.0008, 31.0008, "0102"), &route);
  ASSERT_TRUE(rs.ok()) << rs.error_message();
  EXPECT_EQ(route.snapshot().version(), "A");

  kill(server.pid, SIGTERM);
  const int status = WaitExit(server.pid);
  server.pid = -1;
  ASSERT_TRUE(WIFEXITED(status)) << "no exit after SIGTERM: " << ReadText(log_);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(LogHas("a pack load still running was abandoned")) << ReadText(log_);
}

TEST_F(ReloadHangTest, AReloadPastTheTimeoutFailsAndInfoSaysWhy) {
  testing::Server server;
  ASSERT_TRUE(server.Start(pack_, log_, {"--load-timeout-s", "1"}));
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server.port),
                                     grpc::InsecureChannelCredentials());
  auto admin = v1::AdminService::NewStub(channel);

  MakeTeamsHang(pack_);
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
    v1::ReloadRequest req;
    v1::ReloadResponse resp;
    const grpc::Status s = admin->Reload(&ctx, req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << s.error_message();
    EXPECT_TRUE(absl::StrContains(s.error_message(), "took longer than the load timeout of 1 s"))
        << s.error_message();
  }
  EXPECT_TRUE(Hung());
  {
    grpc::ClientContext ctx;
    v1::InfoResponse info;
    ASSERT_TRUE(admin->Info(&ctx, v1::InfoRequest(), &info).ok());
    EXPECT_EQ(info.snapshot().version(), "A");
    EXPECT_EQ(info.reloads_failed(), 1);
    EXPECT_TRUE(absl::StrContains(info.last_reload_error(), "took longer than the load timeout"))
        << info.last_reload_error();
  }
  {
    // The stuck load still runs: the next reload is refused, not queued.
    grpc::ClientContext ctx;
    v1::ReloadResponse resp;
    const grpc::Status s = admin->Reload(&ctx, v1::ReloadRequest(), &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED) << s.error_message();
  }
  kill(server.pid, SIGTERM);
  const int status = WaitExit(server.pid);
  server.pid = -1;
  ASSERT_TRUE(WIFEXITED(status)) << ReadText(log_);
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_F(ReloadHangTest, SigtermWhileTheFirstLoadIsStuckExits) {
  MakeTeamsHang(pack_);
  const std::string bin = testing::BinDir() + "/gridroute-server";
  const std::string out = dir_ + "/stdout";
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> args = {bin, "--pack", pack_, "--listen", "127.0.0.1:0"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  ASSERT_EQ(posix_spawn(&pid, bin.c_str(), &fa, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  const bool hung = Eventually([&] { return Hung(); });
  kill(pid, SIGTERM);
  const int status = WaitExit(pid);
  ASSERT_TRUE(hung) << ReadText(log_);
  ASSERT_TRUE(WIFEXITED(status)) << ReadText(log_);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(LogHas("stopped before serving")) << ReadText(log_);
}

}  // namespace
}  // namespace gridroute

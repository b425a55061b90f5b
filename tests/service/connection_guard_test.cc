// Copyright 2026 gridroute authors.
//
// ConnectionGuard and ServingWatch in process: an accept error that stops
// gRPC's listener turns health NOT_SERVING for "" and every service name, and
// it stays so; "Failed accept4" in gRPC's log does the same (the fallback
// when the interposition is not in effect). The process-level behaviour
// (the cap, the fd limit, idle sockets) is tests/service/connections_test.py.
//
// The accept error is injected with ConnectionGuard::SetAcceptForTest; the
// waits are hang guards only.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "grpc/support/log.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "service/connection_guard.h"
#include "service/grpc_service.h"
#include "service/service_fixture.h"
#include "service/serving_health.h"

namespace gridroute {
namespace {

template <typename F>
bool WaitFor(F done) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// grpc.health.v1.Health/Check through `channel`, hand-encoded (the request
// is field 1, the service name; the answer's field 1 is the status):
// "SERVING", "NOT_SERVING", or the error code's number.
std::string Health(const std::shared_ptr<grpc::Channel>& channel, const std::string& service) {
  std::string req;
  if (!service.empty()) {
    req.push_back(0x0a);
    req.push_back(static_cast<char>(service.size()));
    req += service;
  }
  std::string bytes;
  const grpc::Status st =
      testing::RawUnaryCall(channel, "/grpc.health.v1.Health/Check", req, &bytes);
  if (!st.ok()) return absl::StrCat(st.error_code());
  if (bytes == "\x08\x01") return "SERVING";
  if (bytes == "\x08\x02") return "NOT_SERVING";
  return "?" + bytes;
}

int FailWithEinval(int, sockaddr*, socklen_t*, int) {
  errno = EINVAL;
  return -1;
}

class ConnectionGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.Load(testing::WriteRoutingPack("A")).ok());
    service_ = std::make_unique<GridrouteService>(&store_, ServiceOptions{});
    ServerOptions so;
    so.listen = "127.0.0.1:0";
    std::string error;
    server_ = StartServer(so, service_.get(), &port_, &error);
    ASSERT_NE(server_, nullptr) << error;
    ASSERT_TRUE(ConnectionGuard::Get().state().active) << "accept4/close not interposed";
    watch_ = std::make_unique<ServingWatch>(server_.get(), /*cases_on=*/false);
    channel_ = server_->InProcessChannel(grpc::ChannelArguments());
  }
  void TearDown() override {
    watch_.reset();
    ConnectionGuard::Get().SetAcceptForTest(nullptr);
    ConnectionGuard::Get().ResetListenerFailedForTest();
    if (server_ != nullptr) server_->Shutdown();
  }
  // Connects a raw TCP socket to the server's port (to make it accept).
  int Connect() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port_));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    return fd;
  }
  void ExpectEveryName(const std::string& status) {
    EXPECT_EQ(Health(channel_, ""), status);
    for (const std::string& name : HealthServiceNames()) {
      if (name == "gridroute.v1.CaseService") {
        EXPECT_EQ(Health(channel_, name), "NOT_SERVING");  // cases off
      } else {
        EXPECT_EQ(Health(channel_, name), status) << name;
      }
    }
  }

  SnapshotStore store_;
  std::unique_ptr<GridrouteService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<ServingWatch> watch_;
  std::shared_ptr<grpc::Channel> channel_;
  int port_ = 0;
};

TEST_F(ConnectionGuardTest, AnAcceptErrorThatStopsTheListenerTurnsHealthNotServingForGood) {
  ExpectEveryName("SERVING");
  EXPECT_EQ(Health(channel_, "no.such.Service"), absl::StrCat(grpc::StatusCode::NOT_FOUND));
  ConnectionGuard::Get().SetAcceptForTest(FailWithEinval);
  const int fd = Connect();
  ASSERT_TRUE(WaitFor([&] { return !watch_->serving(); }));
  EXPECT_TRUE(ConnectionGuard::Get().state().listener_failed);
  ExpectEveryName("NOT_SERVING");
  // gRPC's listener is gone: accepts working again do not bring it back.
  ConnectionGuard::Get().SetAcceptForTest(nullptr);
  const int again = Connect();
  ExpectEveryName("NOT_SERVING");
  close(fd);
  close(again);
}

TEST_F(ConnectionGuardTest, FailedAccept4InGrpcsLogTurnsHealthNotServing) {
  ExpectEveryName("SERVING");
  gpr_log(GPR_ERROR, "Failed accept4: %s", "Too many open files");
  ASSERT_TRUE(WaitFor([&] { return !watch_->serving(); }));
  ExpectEveryName("NOT_SERVING");
}

// The counting itself: open connections go up on accept and down on close,
// whoever closes.
TEST_F(ConnectionGuardTest, OpenConnectionsAreCountedUntilClosed) {
  const int64_t before = ConnectionGuard::Get().state().open;
  int fds[3];
  for (int& fd : fds) fd = Connect();
  ASSERT_TRUE(WaitFor([&] { return ConnectionGuard::Get().state().open == before + 3; }));
  for (int fd : fds) close(fd);
  ASSERT_TRUE(WaitFor([&] { return ConnectionGuard::Get().state().open == before; }));
}

}  // namespace
}  // namespace gridroute

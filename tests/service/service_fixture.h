// Copyright 2026 gridroute authors.
//
// Shared by the service tests: routing packs with a chosen version, and an
// in-process gridroute server (no port: InProcessChannel) with an injectable
// clock and, optionally, cases (a CaseDesk).
#ifndef GRIDROUTE_TESTS_SERVICE_SERVICE_FIXTURE_H_
#define GRIDROUTE_TESTS_SERVICE_SERVICE_FIXTURE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "gridroute/v1/admin.grpc.pb.h"
#include "gridroute/v1/cases.grpc.pb.h"
#include "gridroute/v1/routing.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "service/grpc_service.h"
#include "service/snapshot_store.h"
#include "testing/routing_pack.h"
#include "testing/test_pack.h"

namespace gridroute::testing {

// The routing test pack (tests/testing/routing_pack.h) with manifest version
// `version`; `extra_rules` appended to rules.csv.
inline std::string WriteRoutingPack(const std::string& version, const std::string& extra_rules = "",
                                    bool grid_any_rule = true) {
  TestPack p;
  MakeRoutingPack(p, extra_rules, grid_any_rule);
  const std::string dir = p.Write();
  std::ifstream in(dir + "/manifest.json");
  std::stringstream text;
  text << in.rdbuf();
  WriteText(dir + "/manifest.json",
            absl::StrReplaceAll(text.str(), {{"\"version\":\"t1\"", "\"version\":\"" + version + "\""}}));
  return dir;
}

// A server over `store` reachable through an in-process channel. With
// `case_desk` (not owned; must outlive the server) routed reports become cases
// and CaseService serves them; null: cases off.
class InProcessServer {
 public:
  explicit InProcessServer(SnapshotStore* store, int max_batch = 10000,
                           CaseDesk* case_desk = nullptr)
      : InProcessServer(store, [&] {
          ServiceOptions o;
          o.max_batch = max_batch;
          o.cases = case_desk;
          return o;
        }()) {}
  // With the caller's options (tokens, audit, pack_root...); `now` is the
  // fixture's skewable clock.
  InProcessServer(SnapshotStore* store, ServiceOptions o) {
    o.now = [this] { return absl::Now() + absl::Seconds(clock_skew_s.load()); };
    service_ = std::make_unique<GridrouteService>(store, o);
    std::string error;
    ServerOptions so;
    so.listen = "";  // in-process only
    server_ = StartServer(so, service_.get(), nullptr, &error);
    EXPECT_NE(server_, nullptr) << error;
    channel_ = server_->InProcessChannel(grpc::ChannelArguments());
    routing = v1::RoutingService::NewStub(channel_);
    admin = v1::AdminService::NewStub(channel_);
    cases = v1::CaseService::NewStub(channel_);
  }
  ~InProcessServer() {
    server_->Shutdown();
    server_->Wait();
  }
  GridrouteService& service() { return *service_; }
  std::shared_ptr<grpc::Channel> channel() { return channel_; }

  // The server's clock runs this many seconds ahead of the real one.
  std::atomic<int64_t> clock_skew_s{0};
  std::unique_ptr<v1::RoutingService::Stub> routing;
  std::unique_ptr<v1::AdminService::Stub> admin;
  std::unique_ptr<v1::CaseService::Stub> cases;

 private:
  std::unique_ptr<GridrouteService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

// 2026-03-04 10:00 +08:00, a Wednesday morning.
inline void SetWednesday10am(google::protobuf::Timestamp* t) {
  const absl::Time at =
      absl::FromCivil(absl::CivilMinute(2026, 3, 4, 10, 0), absl::FixedTimeZone(8 * 3600));
  t->set_seconds(absl::ToUnixSeconds(at));
}

inline v1::RouteRequest HotlineReport(double lon, double lat, const std::string& category) {
  v1::RouteRequest r;
  r.mutable_point()->set_x(lon);
  r.mutable_point()->set_y(lat);
  r.set_category(category);
  SetWednesday10am(r.mutable_reported_at());
  return r;
}

// One unary call of `method` with the serialized request `request` through
// the generic stub (raw bytes: no stubs needed, and bytes no client would
// send), waited for (30 s deadline). The answer's bytes go to `response`.
inline grpc::Status RawUnaryCall(const std::shared_ptr<grpc::Channel>& channel,
                                 const std::string& method, const std::string& request,
                                 std::string* response) {
  grpc::Slice slice(request.data(), request.size());
  grpc::ByteBuffer in(&slice, 1), out;
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  grpc::Status st;
  bool done = false;
  std::mutex mu;
  std::condition_variable cv;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &in, &out, [&](grpc::Status s) {
    std::lock_guard<std::mutex> lock(mu);
    st = std::move(s);
    done = true;
    cv.notify_one();
  });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done; });
  response->clear();
  std::vector<grpc::Slice> slices;
  if (st.ok() && out.Dump(&slices).ok()) {
    for (const grpc::Slice& s : slices) {
      response->append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  }
  return st;
}

}  // namespace gridroute::testing

#endif  // GRIDROUTE_TESTS_SERVICE_SERVICE_FIXTURE_H_

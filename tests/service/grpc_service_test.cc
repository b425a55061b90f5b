// Copyright 2026 gridroute authors.
//
// Every RPC of RoutingService and AdminService, in process, with every error
// code the service promises; plus the standard health service.
#include "service/grpc_service.h"

#include <string>

#include "absl/strings/match.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "service/service_fixture.h"

namespace gridroute {
namespace {

using testing::HotlineReport;
using testing::InProcessServer;

class GrpcServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Without the grid-level catch-all rule, event 9901 is covered by no rule.
    pack_a_ = new std::string(testing::WriteRoutingPack("A", "", /*grid_any_rule=*/false));
  }
  static void TearDownTestSuite() { delete pack_a_; }

  void SetUp() override {
    ASSERT_TRUE(store_.Load(*pack_a_).ok());
    server_ = std::make_unique<InProcessServer>(&store_, /*max_batch=*/8);
  }

  static std::string* pack_a_;
  SnapshotStore store_;
  std::unique_ptr<InProcessServer> server_;
};
std::string* GrpcServiceTest::pack_a_ = nullptr;

#define EXPECT_STATUS(status, code_, field)                                    \
  do {                                                                         \
    const grpc::Status s_ = (status);                                          \
    EXPECT_EQ(s_.error_code(), grpc::StatusCode::code_) << s_.error_message(); \
    EXPECT_TRUE(absl::StrContains(s_.error_message(), field)) << s_.error_message(); \
  } while (0)

TEST_F(GrpcServiceTest, LocateInsideNamesGridChainAndSnapshot) {
  grpc::ClientContext ctx;
  v1::LocateRequest req;
  req.mutable_point()->set_x(120.0008);
  req.mutable_point()->set_y(31.0008);
  v1::LocateResponse resp;
  ASSERT_TRUE(server_->routing->Locate(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.location().grid_code(), "g1");
  EXPECT_EQ(resp.location().how(), v1::HOW_INSIDE);
  ASSERT_EQ(resp.location().chain_size(), 3);
  EXPECT_EQ(resp.location().chain(0).level(), "district");
  EXPECT_EQ(resp.location().chain(0).code(), "320501");
  EXPECT_EQ(resp.location().chain(2).code(), "3205010101");
  EXPECT_EQ(resp.snapshot().version(), "A");
  EXPECT_EQ(resp.snapshot().generation(), 1u);
  EXPECT_EQ(resp.snapshot().time_zone(), "Asia/Shanghai");
}

TEST_F(GrpcServiceTest, LocateSnapsAndReportsOutside) {
  v1::LocateRequest req;
  req.mutable_point()->set_x(120.0031);  // ~9.5 m east of g3
  req.mutable_point()->set_y(31.0005);
  v1::LocateResponse resp;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(server_->routing->Locate(&ctx, req, &resp).ok());
    EXPECT_EQ(resp.location().how(), v1::HOW_OUTSIDE);
    EXPECT_EQ(resp.location().grid_code(), "");
  }
  req.set_snap_m(20);
  grpc::ClientContext ctx;
  ASSERT_TRUE(server_->routing->Locate(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.location().how(), v1::HOW_SNAPPED);
  EXPECT_EQ(resp.location().grid_code(), "g3");
  EXPECT_NEAR(resp.location().distance_m(), 9.55, 0.1);
}

TEST_F(GrpcServiceTest, LocateInvalidArgumentsNameTheField) {
  v1::LocateResponse resp;
  {
    grpc::ClientContext ctx;
    EXPECT_STATUS(server_->routing->Locate(&ctx, v1::LocateRequest(), &resp), INVALID_ARGUMENT,
                  "point");
  }
  v1::LocateRequest req;
  req.mutable_point()->set_x(120.0008);
  req.mutable_point()->set_y(31.0008);
  req.mutable_point()->set_crs("mars");
  {
    grpc::ClientContext ctx;
    EXPECT_STATUS(server_->routing->Locate(&ctx, req, &resp), INVALID_ARGUMENT, "point.crs");
  }
  req.mutable_point()->set_crs("");
  req.mutable_point()->set_x(200);
  {
    grpc::ClientContext ctx;
    EXPECT_STATUS(server_->routing->Locate(&ctx, req, &resp), INVALID_ARGUMENT, "point");
  }
  req.mutable_point()->set_x(120.0008);
  req.set_snap_m(-1);
  grpc::ClientContext ctx;
  EXPECT_STATUS(server_->routing->Locate(&ctx, req, &resp), INVALID_ARGUMENT, "snap_m");
}

TEST_F(GrpcServiceTest, RouteHotlineReport) {
  grpc::ClientContext ctx;
  v1::RouteResponse resp;
  ASSERT_TRUE(server_->routing->Route(&ctx, HotlineReport(120.0008, 31.0008, "0102"), &resp).ok());
  const v1::Decision& d = resp.decision();
  EXPECT_EQ(d.outcome(), v1::OUTCOME_ROUTED);
  EXPECT_EQ(d.location().grid_code(), "g1");
  EXPECT_EQ(d.rule_id(), "r-city-0102");
  EXPECT_EQ(d.lead().code(), "D2");
  EXPECT_EQ(d.lead().name(), "环卫处");
  EXPECT_EQ(d.lead().channel(), "ch-d2");
  ASSERT_EQ(d.helpers_size(), 1);
  EXPECT_EQ(d.helpers(0).code(), "D1");
  EXPECT_EQ(d.urgency(), "normal");
  EXPECT_EQ(d.category(), "0102");
  EXPECT_EQ(d.category_name(), "暴露垃圾");
  // normal = 1 working day: Wednesday 10:00 -> Thursday 10:00 (+08:00).
  const absl::Time thursday =
      absl::FromCivil(absl::CivilMinute(2026, 3, 5, 10, 0), absl::FixedTimeZone(8 * 3600));
  EXPECT_EQ(d.deadline().seconds(), absl::ToUnixSeconds(thursday));
  // The grid team: the community's leader, g1's member, the sanitation specialist.
  bool leader = false, member = false, specialist = false;
  for (const v1::TeamMember& m : d.team()) {
    if (m.role() == "leader" && m.person_id() == "P1") leader = m.inherited();
    if (m.role() == "member" && m.person_id() == "P4") member = !m.inherited();
    if (m.role() == "specialist" && m.person_id() == "P2") {
      specialist = m.specialty() == "sanitation" && m.phone() == "13800000002" && m.name() == "李环卫";
    }
  }
  EXPECT_TRUE(leader && member && specialist) << d.DebugString();
  EXPECT_EQ(resp.snapshot().version(), "A");
}

TEST_F(GrpcServiceTest, RouteInLayerNamesLayerOwners) {
  grpc::ClientContext ctx;
  v1::RouteResponse resp;
  ASSERT_TRUE(server_->routing->Route(&ctx, HotlineReport(120.0003, 31.0003, "0102"), &resp).ok());
  EXPECT_EQ(resp.decision().rule_id(), "r-park-0102");
  EXPECT_EQ(resp.decision().lead().code(), "D5");
  ASSERT_GE(resp.decision().layers_size(), 1);
  EXPECT_EQ(resp.decision().layers(0).layer_code(), "park1");
  EXPECT_EQ(resp.decision().layers(0).owner(), "公园管理处");
}

TEST_F(GrpcServiceTest, RouteComponentReportByCode) {
  v1::RouteRequest req;
  req.set_category_type(v1::CATEGORY_TYPE_COMPONENT);
  req.set_category("0101");
  req.set_component_code("3205010101000001");
  testing::SetWednesday10am(req.mutable_reported_at());
  grpc::ClientContext ctx;
  v1::RouteResponse resp;
  ASSERT_TRUE(server_->routing->Route(&ctx, req, &resp).ok());
  const v1::Decision& d = resp.decision();
  EXPECT_EQ(d.rule_id(), "r-city-comp");
  EXPECT_EQ(d.lead().code(), "W2");  // the maintainer leads
  ASSERT_EQ(d.helpers_size(), 1);
  EXPECT_EQ(d.helpers(0).code(), "W1");
  EXPECT_EQ(d.location().grid_code(), "g1");
  EXPECT_EQ(d.component().code(), "3205010101000001");
  EXPECT_TRUE(d.component().by_code());
  EXPECT_EQ(d.component().owner().code(), "W1");
  EXPECT_EQ(d.component().property().code(), "W1");
  EXPECT_EQ(d.component().maintainer().code(), "W2");
  EXPECT_EQ(d.component().state(), "破损");
}

TEST_F(GrpcServiceTest, RouteOutsideCoverageIsAResultNotAnError) {
  grpc::ClientContext ctx;
  v1::RouteResponse resp;
  ASSERT_TRUE(server_->routing->Route(&ctx, HotlineReport(121.5, 31.5, "0102"), &resp).ok());
  EXPECT_EQ(resp.decision().outcome(), v1::OUTCOME_OUTSIDE_COVERAGE);
  EXPECT_EQ(resp.decision().location().how(), v1::HOW_OUTSIDE);
  EXPECT_FALSE(resp.decision().has_lead());
}

TEST_F(GrpcServiceTest, RouteErrorsUseCanonicalCodesNamingTheField) {
  v1::RouteResponse resp;
  auto call = [&](const v1::RouteRequest& r) {
    grpc::ClientContext ctx;
    return server_->routing->Route(&ctx, r, &resp);
  };
  v1::RouteRequest r = HotlineReport(120.0008, 31.0008, "0102");
  r.clear_reported_at();
  EXPECT_STATUS(call(r), INVALID_ARGUMENT, "reported_at");
  r = HotlineReport(120.0008, 31.0008, "0102");
  r.mutable_reported_at()->set_nanos(-5);
  EXPECT_STATUS(call(r), INVALID_ARGUMENT, "reported_at");
  EXPECT_STATUS(call(HotlineReport(120.0008, 31.0008, "7777")), INVALID_ARGUMENT, "category");
  EXPECT_STATUS(call(HotlineReport(120.0008, 31.0008, "")), INVALID_ARGUMENT, "category");
  r = HotlineReport(120.0008, 31.0008, "0504");
  r.set_urgency("urgent");
  EXPECT_STATUS(call(r), INVALID_ARGUMENT, "urgency");
  EXPECT_STATUS(call(HotlineReport(120.0008, 95, "0102")), INVALID_ARGUMENT, "point");
  r = HotlineReport(120.0008, 31.0008, "0102");
  r.mutable_point()->set_x(std::nan(""));
  EXPECT_STATUS(call(r), INVALID_ARGUMENT, "point");
  r = HotlineReport(120.0008, 31.0008, "0102");
  r.clear_point();
  EXPECT_STATUS(call(r), INVALID_ARGUMENT, "point");
  r = HotlineReport(120.0008, 31.0008, "0102");
  r.set_category_type(static_cast<v1::CategoryType>(7));
  EXPECT_STATUS(call(r), INVALID_ARGUMENT, "category_type");
  r = HotlineReport(120.0008, 31.0008, "0101");
  r.set_category_type(v1::CATEGORY_TYPE_COMPONENT);
  r.set_component_code("nope");
  EXPECT_STATUS(call(r), INVALID_ARGUMENT, "component_code");
  // A category no rule covers is NOT_FOUND.
  EXPECT_STATUS(call(HotlineReport(120.0008, 31.0008, "9901")), NOT_FOUND, "9901");
}

TEST_F(GrpcServiceTest, ExpiredDeadlineIsNotComputed) {
  // The server's clock is two hours ahead: a call due in one hour has expired
  // by the time the server sees it. No sleeping, no timing.
  server_->clock_skew_s = 7200;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::hours(1));
  v1::RouteResponse resp;
  EXPECT_STATUS(server_->routing->Route(&ctx, HotlineReport(120.0008, 31.0008, "0102"), &resp),
                DEADLINE_EXCEEDED, "deadline");
  EXPECT_FALSE(resp.has_decision());
  EXPECT_EQ(server_->service().expired_calls(), 1);
  // Without a deadline the call is served.
  grpc::ClientContext ctx2;
  EXPECT_TRUE(server_->routing->Route(&ctx2, HotlineReport(120.0008, 31.0008, "0102"), &resp).ok());
}

TEST_F(GrpcServiceTest, RouteBatchAnswersEachItemWithOneSnapshot) {
  v1::RouteBatchRequest req;
  *req.add_events() = HotlineReport(120.0008, 31.0008, "0102");
  *req.add_events() = HotlineReport(120.0008, 31.0008, "7777");
  *req.add_events() = HotlineReport(120.0008, 31.0008, "9901");
  *req.add_events() = HotlineReport(121.5, 31.5, "0102");
  grpc::ClientContext ctx;
  v1::RouteBatchResponse resp;
  ASSERT_TRUE(server_->routing->RouteBatch(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.results_size(), 4);
  EXPECT_EQ(resp.results(0).decision().lead().code(), "D2");
  EXPECT_EQ(resp.results(1).error().code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(resp.results(1).error().message(), "category"));
  EXPECT_EQ(resp.results(2).error().code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(resp.results(3).decision().outcome(), v1::OUTCOME_OUTSIDE_COVERAGE);
  EXPECT_EQ(resp.snapshot().version(), "A");
}

// RouteBatch routes its events together (Router::RouteBatch), yet each
// event keeps its own options: every result equals the unary Route of that
// event. Fault guarded: routing a whole batch with one event's snap_m.
TEST_F(GrpcServiceTest, RouteBatchEventsKeepTheirOwnOptionsAndMatchRoute) {
  auto event = [](double lon, double lat, const std::string& category, double snap_m) {
    v1::RouteRequest r = HotlineReport(lon, lat, category);
    r.set_snap_m(snap_m);
    return r;
  };
  v1::RouteBatchRequest req;
  *req.add_events() = event(120.0031, 31.0005, "0102", 0);   // ~9.5 m east of g3: outside
  *req.add_events() = event(120.0031, 31.0005, "0102", 20);  // snapped into g3
  *req.add_events() = event(120.0031, 31.0005, "7777", 20);  // item error
  *req.add_events() = event(120.0031, 31.0005, "0102", 0);
  *req.add_events() = event(120.0008, 31.0008, "0102", 20);  // inside g1
  *req.add_events() = event(120.0031, 31.0005, "0102", 20);
  grpc::ClientContext ctx;
  v1::RouteBatchResponse resp;
  ASSERT_TRUE(server_->routing->RouteBatch(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.results_size(), req.events_size());
  EXPECT_EQ(resp.results(0).decision().outcome(), v1::OUTCOME_OUTSIDE_COVERAGE);
  EXPECT_EQ(resp.results(1).decision().location().grid_code(), "g3");
  EXPECT_EQ(resp.results(1).decision().location().how(), v1::HOW_SNAPPED);
  EXPECT_EQ(resp.results(3).decision().outcome(), v1::OUTCOME_OUTSIDE_COVERAGE);
  EXPECT_EQ(resp.results(5).decision().location().grid_code(), "g3");
  for (int i = 0; i < req.events_size(); ++i) {
    grpc::ClientContext one;
    v1::RouteResponse r;
    const grpc::Status s = server_->routing->Route(&one, req.events(i), &r);
    if (s.ok()) {
      EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(r.decision(),
                                                                      resp.results(i).decision()))
          << i << ": " << r.decision().DebugString() << " vs "
          << resp.results(i).DebugString();
    } else {
      EXPECT_EQ(resp.results(i).error().code(), static_cast<int>(s.error_code())) << i;
      EXPECT_EQ(resp.results(i).error().message(), s.error_message()) << i;
    }
  }
}

TEST_F(GrpcServiceTest, RouteBatchOverTheLimitIsResourceExhausted) {
  v1::RouteBatchRequest req;
  for (int i = 0; i < 9; ++i) *req.add_events() = HotlineReport(120.0008, 31.0008, "0102");
  grpc::ClientContext ctx;
  v1::RouteBatchResponse resp;
  EXPECT_STATUS(server_->routing->RouteBatch(&ctx, req, &resp), RESOURCE_EXHAUSTED, "maximum is 8");
}

v1::Detection MakeDetection(const std::string& id, double lon, double lat, const std::string& cls) {
  v1::Detection d;
  d.set_correlation_id(id);
  d.set_camera_id("cam-7");
  d.mutable_point()->set_x(lon);
  d.mutable_point()->set_y(lat);
  d.set_category(cls);
  testing::SetWednesday10am(d.mutable_frame_time());
  return d;
}

TEST_F(GrpcServiceTest, RouteStreamAnswersEachBatchInOrderWithItsIds) {
  grpc::ClientContext ctx;
  auto stream = server_->routing->RouteStream(&ctx);
  // One DecisionBatch per DetectionBatch, in order. (Writing b2 before
  // reading the answer to b1 would block here: the in-process transport does
  // not buffer, and the server does not read b2 until its answer to b1 has
  // been taken, which is the flow control we promise. Over TCP, HTTP/2
  // windows let a client run ahead; the Python test does that.)
  v1::DetectionBatch b1, b2;
  *b1.add_detections() = MakeDetection("f1-a", 120.0008, 31.0008, "0102");
  *b1.add_detections() = MakeDetection("f1-b", 120.0025, 31.0005, "0102");
  *b2.add_detections() = MakeDetection("f2-a", 121.5, 31.5, "0102");
  *b2.add_detections() = MakeDetection("f2-b", 120.0008, 31.0008, "7777");
  *b2.add_detections() = MakeDetection("f2-c", 120.0008, 31.0008, "0501");
  b2.mutable_detections(2)->clear_frame_time();
  ASSERT_TRUE(stream->Write(b1));
  v1::DecisionBatch out;
  ASSERT_TRUE(stream->Read(&out));
  ASSERT_EQ(out.results_size(), 2);
  EXPECT_EQ(out.results(0).correlation_id(), "f1-a");
  EXPECT_EQ(out.results(0).camera_id(), "cam-7");
  EXPECT_EQ(out.results(0).decision().lead().code(), "D2");
  EXPECT_EQ(out.results(1).correlation_id(), "f1-b");
  EXPECT_EQ(out.results(1).decision().lead().code(), "D3");  // district exception
  EXPECT_EQ(out.snapshot().version(), "A");
  ASSERT_TRUE(stream->Write(b2));
  ASSERT_TRUE(stream->Read(&out));
  ASSERT_EQ(out.results_size(), 3);
  EXPECT_EQ(out.results(0).correlation_id(), "f2-a");
  EXPECT_EQ(out.results(0).decision().outcome(), v1::OUTCOME_OUTSIDE_COVERAGE);
  EXPECT_EQ(out.results(1).error().code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(out.results(2).error().code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(out.results(2).error().message(), "frame_time"));
  stream->WritesDone();
  EXPECT_FALSE(stream->Read(&out));
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(GrpcServiceTest, RouteStreamBatchOverTheLimitEndsTheStream) {
  grpc::ClientContext ctx;
  auto stream = server_->routing->RouteStream(&ctx);
  v1::DetectionBatch b;
  for (int i = 0; i < 9; ++i) *b.add_detections() = MakeDetection("x", 120.0008, 31.0008, "0102");
  stream->Write(b);
  v1::DecisionBatch out;
  EXPECT_FALSE(stream->Read(&out));
  EXPECT_STATUS(stream->Finish(), RESOURCE_EXHAUSTED, "maximum is 8");
}

TEST_F(GrpcServiceTest, InfoDescribesTheServedPack) {
  grpc::ClientContext ctx;
  v1::InfoResponse resp;
  ASSERT_TRUE(server_->admin->Info(&ctx, v1::InfoRequest(), &resp).ok());
  EXPECT_EQ(resp.pack_name(), "test");
  EXPECT_EQ(resp.snapshot().version(), "A");
  EXPECT_EQ(resp.pack_dir(), *pack_a_);
  EXPECT_EQ(resp.grids(), 3);
  EXPECT_EQ(resp.regions(), 6);
  EXPECT_EQ(resp.departments(), 8);
  EXPECT_EQ(resp.categories(), 7);
  EXPECT_EQ(resp.components(), 3);
  EXPECT_EQ(resp.layers(), 2);
  EXPECT_GT(resp.rules(), 0);
  EXPECT_GT(resp.memory_bytes(), 0);
  EXPECT_GT(resp.loaded_at().seconds(), 0);
  ASSERT_EQ(resp.levels_size(), 3);
  // 9901 is covered by no rule in this pack: the loader warned.
  ASSERT_GE(resp.warnings_size(), 1);
  EXPECT_TRUE(absl::StrContains(resp.warnings(0), "9901")) << resp.warnings(0);
}

TEST_F(GrpcServiceTest, ReloadSwapsOrKeepsTheOldSnapshotWithItsErrors) {
  const std::string pack_b = testing::WriteRoutingPack("B");
  const std::string bad = testing::WriteRoutingPack("C", "r-bad,city,event,0504,NO_SUCH_DEPT,,*=1h,\n");
  v1::ReloadRequest req;
  v1::ReloadResponse resp;
  req.set_pack_dir(bad);
  {
    grpc::ClientContext ctx;
    EXPECT_STATUS(server_->admin->Reload(&ctx, req, &resp), INVALID_ARGUMENT, "NO_SUCH_DEPT");
  }
  req.set_pack_dir("/nonexistent/pack");
  {
    grpc::ClientContext ctx;
    EXPECT_STATUS(server_->admin->Reload(&ctx, req, &resp), NOT_FOUND, "manifest");
  }
  {
    grpc::ClientContext ctx;
    v1::RouteResponse r;
    ASSERT_TRUE(server_->routing->Route(&ctx, HotlineReport(120.0008, 31.0008, "0102"), &r).ok());
    EXPECT_EQ(r.snapshot().version(), "A");
  }
  req.set_pack_dir(pack_b);
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(server_->admin->Reload(&ctx, req, &resp).ok());
    EXPECT_EQ(resp.snapshot().version(), "B");
    EXPECT_EQ(resp.snapshot().generation(), 2u);
    EXPECT_EQ(resp.previous().version(), "A");
  }
  req.clear_pack_dir();  // reload what is served
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(server_->admin->Reload(&ctx, req, &resp).ok());
    EXPECT_EQ(resp.snapshot().version(), "B");
    EXPECT_EQ(resp.snapshot().generation(), 3u);
  }
  grpc::ClientContext ctx;
  v1::InfoResponse info;
  ASSERT_TRUE(server_->admin->Info(&ctx, v1::InfoRequest(), &info).ok());
  EXPECT_EQ(info.snapshot().version(), "B");
  EXPECT_EQ(info.reloads_ok(), 3);  // the fixture's load + 2
  EXPECT_EQ(info.reloads_failed(), 2);
  EXPECT_TRUE(absl::StrContains(info.last_reload_error(), "manifest"));
}

TEST(GrpcServiceNoPackTest, EveryCallIsFailedPreconditionUntilAPackIsLoaded) {
  SnapshotStore store;
  InProcessServer server(&store);
  {
    grpc::ClientContext ctx;
    v1::RouteResponse r;
    EXPECT_STATUS(server.routing->Route(&ctx, HotlineReport(120.0008, 31.0008, "0102"), &r),
                  FAILED_PRECONDITION, "no pack");
  }
  {
    grpc::ClientContext ctx;
    v1::LocateRequest req;
    req.mutable_point()->set_x(120);
    v1::LocateResponse r;
    EXPECT_STATUS(server.routing->Locate(&ctx, req, &r), FAILED_PRECONDITION, "no pack");
  }
  {
    grpc::ClientContext ctx;
    v1::RouteBatchRequest req;
    *req.add_events() = HotlineReport(120.0008, 31.0008, "0102");
    v1::RouteBatchResponse r;
    EXPECT_STATUS(server.routing->RouteBatch(&ctx, req, &r), FAILED_PRECONDITION, "no pack");
  }
  {
    grpc::ClientContext ctx;
    auto stream = server.routing->RouteStream(&ctx);
    v1::DetectionBatch b;
    *b.add_detections() = MakeDetection("x", 120.0008, 31.0008, "0102");
    stream->Write(b);
    v1::DecisionBatch out;
    EXPECT_FALSE(stream->Read(&out));
    EXPECT_STATUS(stream->Finish(), FAILED_PRECONDITION, "no pack");
  }
  {
    grpc::ClientContext ctx;
    v1::InfoResponse r;
    EXPECT_STATUS(server.admin->Info(&ctx, v1::InfoRequest(), &r), FAILED_PRECONDITION, "no pack");
  }
  {
    grpc::ClientContext ctx;
    v1::ReloadResponse r;
    EXPECT_STATUS(server.admin->Reload(&ctx, v1::ReloadRequest(), &r), FAILED_PRECONDITION,
                  "pack_dir");
  }
  // Loading one over the admin call makes the server answer.
  {
    grpc::ClientContext ctx;
    v1::ReloadRequest req;
    req.set_pack_dir(testing::WriteRoutingPack("late"));
    v1::ReloadResponse r;
    ASSERT_TRUE(server.admin->Reload(&ctx, req, &r).ok());
    EXPECT_EQ(r.snapshot().generation(), 1u);
    EXPECT_FALSE(r.has_previous());
  }
  grpc::ClientContext ctx;
  v1::RouteResponse r;
  ASSERT_TRUE(server.routing->Route(&ctx, HotlineReport(120.0008, 31.0008, "0102"), &r).ok());
  EXPECT_EQ(r.snapshot().version(), "late");
}

// grpc.health.v1.Health/Check with an empty service name answers SERVING
// (HealthCheckResponse{status: SERVING} is the two bytes 08 01). Raw bytes
// through the generic stub: no health stubs need generating.
TEST_F(GrpcServiceTest, HealthServiceAnswersServing) {
  std::string bytes;
  const grpc::Status status =
      testing::RawUnaryCall(server_->channel(), "/grpc.health.v1.Health/Check", "", &bytes);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(bytes, std::string("\x08\x01", 2));
}

}  // namespace
}  // namespace gridroute

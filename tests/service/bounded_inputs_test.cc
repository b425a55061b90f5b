// Copyright 2026 gridroute authors.
//
// Bounded inputs (issue 17, item 2): every string field a client sends has a
// maximum length (service/field_limits.h) and a longer one is
// INVALID_ARGUMENT naming the field; no status message is longer than
// kMaxStatusMessageBytes (plus the "…"); empty batches are INVALID_ARGUMENT;
// an input too big for the journal is INVALID_ARGUMENT, not the retryable
// UNAVAILABLE; a failed reload's error is bounded wherever it shows (the
// Reload status, Info.last_reload_error).
//
// Faults guarded (each reproduced on the build before the fix):
//  - a 20,000-byte category gave a 20,035-byte grpc-message, and at 100 kB
//    the client over TCP never got a status (the call hung);
//  - an empty RouteBatchRequest answered OK;
//  - a 20 MiB UpdateCaseRequest.lead answered UNAVAILABLE;
//  - a pack whose teams.csv header line is megabytes long made Reload
//    answer with the whole line and kept it as last_reload_error.
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "intake/case_desk.h"
#include "service/field_limits.h"
#include "service/grpc_service.h"
#include "service/service_fixture.h"

namespace gridroute {
namespace {

using testing::HotlineReport;
using testing::InProcessServer;

#define EXPECT_STATUS(status, code_, ...)                                      \
  do {                                                                         \
    const grpc::Status s_ = (status);                                          \
    EXPECT_EQ(s_.error_code(), grpc::StatusCode::code_) << s_.error_message(); \
    for (const char* f_ : {__VA_ARGS__}) {                                     \
      EXPECT_TRUE(absl::StrContains(s_.error_message(), f_))                   \
          << "'" << f_ << "' not in: " << s_.error_message();                  \
    }                                                                          \
  } while (0)

// "…" (3 bytes) may follow a message cut at kMaxStatusMessageBytes.
constexpr size_t kMaxSentMessage = kMaxStatusMessageBytes + 3;

v1::Detection Detection(const std::string& id, const std::string& category) {
  v1::Detection d;
  d.set_correlation_id(id);
  d.set_camera_id("cam-1");
  d.mutable_point()->set_x(120.0008);
  d.mutable_point()->set_y(31.0008);
  d.set_category(category);
  testing::SetWednesday10am(d.mutable_frame_time());
  return d;
}

class BoundedInputsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pack_ = new std::string(testing::WriteRoutingPack("A")); }
  static void TearDownTestSuite() { delete pack_; }

  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "bounded_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    ASSERT_TRUE(store_.Load(*pack_).ok());
    CaseDeskOptions o;
    o.journal_dir = dir_ + "/journal";
    o.log = [](absl::string_view) {};
    std::shared_ptr<const ServedSnapshot> s = store_.Current();
    absl::StatusOr<std::unique_ptr<CaseDesk>> desk = CaseDesk::Open(o, *s->snapshot, s->pack_dir);
    ASSERT_TRUE(desk.ok()) << desk.status();
    desk_ = *std::move(desk);
    server_ = std::make_unique<InProcessServer>(&store_, /*max_batch=*/100, desk_.get());
  }
  void TearDown() override {
    server_.reset();
    desk_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  grpc::Status Route(const v1::RouteRequest& req, v1::RouteResponse* resp) {
    grpc::ClientContext ctx;
    return server_->routing->Route(&ctx, req, resp);
  }
  // A routed report's case id.
  std::string FileOneCase() {
    v1::RouteResponse resp;
    grpc::Status s = Route(HotlineReport(120.0008, 31.0008, "0102"), &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.decision().case_ref().case_id();
  }

  static std::string* pack_;
  std::string dir_;
  SnapshotStore store_;
  std::unique_ptr<CaseDesk> desk_;
  std::unique_ptr<InProcessServer> server_;
};

std::string* BoundedInputsTest::pack_ = nullptr;

TEST_F(BoundedInputsTest, OverlongRouteFieldsAreInvalidArgumentNamingTheFieldNotEchoingIt) {
  struct Case {
    const char* field;
    size_t max;
    void (*set)(v1::RouteRequest*, const std::string&);
  };
  const Case cases[] = {
      {"category", kMaxCodeBytes, [](v1::RouteRequest* r, const std::string& v) { r->set_category(v); }},
      {"urgency", kMaxCodeBytes, [](v1::RouteRequest* r, const std::string& v) { r->set_urgency(v); }},
      {"component_code", kMaxCodeBytes,
       [](v1::RouteRequest* r, const std::string& v) { r->set_component_code(v); }},
      {"point.crs", kMaxCrsBytes,
       [](v1::RouteRequest* r, const std::string& v) { r->mutable_point()->set_crs(v); }},
  };
  for (const Case& c : cases) {
    for (size_t n : {c.max + 1, size_t{20000}}) {
      v1::RouteRequest req = HotlineReport(120.0008, 31.0008, "0102");
      c.set(&req, std::string(n, 'Q'));
      v1::RouteResponse resp;
      const grpc::Status s = Route(req, &resp);
      // (Named strings: the macro keeps only their c_str() pointers.)
      const std::string bytes = absl::StrCat(n, " bytes"), at_most = absl::StrCat("at most ", c.max);
      EXPECT_STATUS(s, INVALID_ARGUMENT, c.field, bytes.c_str(), at_most.c_str());
      EXPECT_FALSE(absl::StrContains(s.error_message(), "QQ")) << s.error_message();
    }
  }
  // At the limit the value is read (and, unknown, echoed at most 64 bytes).
  v1::RouteRequest req = HotlineReport(120.0008, 31.0008, std::string(kMaxCodeBytes, 'Q'));
  v1::RouteResponse resp;
  const grpc::Status s = Route(req, &resp);
  EXPECT_STATUS(s, INVALID_ARGUMENT, "category: unknown");
  EXPECT_LT(s.error_message().size(), 200u) << s.error_message();
}

TEST_F(BoundedInputsTest, OverlongDetectionFieldsAreItemErrorsNamingTheField) {
  v1::DetectionBatch batch;
  *batch.add_detections() = Detection(std::string(kMaxIdBytes + 1, 'c'), "0102");
  *batch.add_detections() = Detection("ok", "0102");
  batch.add_detections()->CopyFrom(Detection("cam", "0102"));
  batch.mutable_detections(2)->set_camera_id(std::string(100000, 'k'));
  batch.add_detections()->CopyFrom(Detection("crs", "0102"));
  batch.mutable_detections(3)->mutable_point()->set_crs(std::string(kMaxCrsBytes + 1, 'e'));
  v1::DecisionBatch out;
  ASSERT_TRUE(server_->service().RouteDetections(absl::InfiniteFuture(), batch, &out).ok());
  ASSERT_EQ(out.results_size(), 4);
  EXPECT_EQ(out.results(0).error().code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(out.results(0).error().message(), "correlation_id"));
  EXPECT_TRUE(out.results(1).has_decision()) << out.results(1).error().message();
  EXPECT_TRUE(absl::StrContains(out.results(2).error().message(), "camera_id: 100000 bytes"));
  EXPECT_TRUE(absl::StrContains(out.results(3).error().message(), "point.crs"));
}

TEST_F(BoundedInputsTest, EmptyBatchesAreInvalidArgument) {
  {
    grpc::ClientContext ctx;
    v1::RouteBatchResponse resp;
    EXPECT_STATUS(server_->routing->RouteBatch(&ctx, v1::RouteBatchRequest(), &resp),
                  INVALID_ARGUMENT, "events: empty");
  }
  v1::DecisionBatch out;
  EXPECT_STATUS(
      server_->service().RouteDetections(absl::InfiniteFuture(), v1::DetectionBatch(), &out),
      INVALID_ARGUMENT, "detections: empty");
  // Over a stream (raw bytes, both views): the stream ends with the error.
  for (v1::DecisionView view : {v1::DECISION_VIEW_FULL, v1::DECISION_VIEW_CODES}) {
    grpc::ClientContext ctx;
    auto stream = server_->routing->RouteStream(&ctx);
    v1::DetectionBatch empty;
    empty.set_view(view);
    ASSERT_TRUE(stream->Write(empty));
    v1::DecisionBatch answer;
    EXPECT_FALSE(stream->Read(&answer));
    EXPECT_STATUS(stream->Finish(), INVALID_ARGUMENT, "detections: empty");
  }
}

TEST_F(BoundedInputsTest, CaseFieldsAreBoundedAndAHugeLeadIsInvalidArgumentNotUnavailable) {
  const std::string id = FileOneCase();
  ASSERT_FALSE(id.empty());
  struct Case {
    const char* field;
    size_t bytes;
  };
  for (const Case& c : {Case{"lead", 20u << 20}, Case{"note", kMaxNoteBytes + 1},
                        Case{"actor", kMaxIdBytes + 1}, Case{"case_id", kMaxCodeBytes + 1}}) {
    v1::UpdateCaseRequest req;
    req.set_case_id(id);
    req.set_state(v1::CASE_STATE_DISPATCHED);
    req.set_actor("supervisor-1");
    const std::string value(c.bytes, 'L');
    if (std::string(c.field) == "lead") req.set_lead(value);
    if (std::string(c.field) == "note") req.set_note(value);
    if (std::string(c.field) == "actor") req.set_actor(value);
    if (std::string(c.field) == "case_id") req.set_case_id(value);
    grpc::ClientContext ctx;
    v1::Case out;
    const grpc::Status s = server_->cases->Update(&ctx, req, &out);
    const std::string bytes = absl::StrCat(c.bytes, " bytes");
    EXPECT_STATUS(s, INVALID_ARGUMENT, c.field, bytes.c_str());
    EXPECT_LE(s.error_message().size(), kMaxSentMessage);
  }
  // Nothing was changed, and the journal takes the next change.
  v1::UpdateCaseRequest ok;
  ok.set_case_id(id);
  ok.set_state(v1::CASE_STATE_DISPATCHED);
  ok.set_actor("supervisor-1");
  grpc::ClientContext ctx;
  v1::Case out;
  ASSERT_TRUE(server_->cases->Update(&ctx, ok, &out).ok());
  EXPECT_EQ(out.state(), v1::CASE_STATE_DISPATCHED);
  EXPECT_EQ(out.history_size(), 1);  // this change only: the refused ones left none

  // The other case calls.
  {
    grpc::ClientContext c2;
    v1::GetCaseRequest get;
    get.set_case_id(std::string(5000, '9'));
    v1::Case got;
    EXPECT_STATUS(server_->cases->Get(&c2, get, &got), INVALID_ARGUMENT, "case_id: 5000 bytes");
  }
  {
    grpc::ClientContext c3;
    v1::ListCasesRequest list;
    list.set_page_token(std::string(kMaxPageTokenBytes + 1, 't'));
    v1::ListCasesResponse page;
    EXPECT_STATUS(server_->cases->List(&c3, list, &page), INVALID_ARGUMENT, "page_token");
  }
  {
    grpc::ClientContext c4;
    v1::CaseStatsRequest stats;
    stats.set_group_by(std::string(kMaxCodeBytes + 1, 'g'));
    v1::CaseStatsResponse rows;
    EXPECT_STATUS(server_->cases->Stats(&c4, stats, &rows), INVALID_ARGUMENT, "group_by");
  }
  {  // Within the limit but unknown: echoed at most 64 bytes.
    grpc::ClientContext c5;
    v1::CaseStatsRequest stats;
    stats.set_group_by(std::string(kMaxCodeBytes, 'g'));
    v1::CaseStatsResponse rows;
    const grpc::Status s = server_->cases->Stats(&c5, stats, &rows);
    EXPECT_STATUS(s, INVALID_ARGUMENT, "group_by");
    EXPECT_LT(s.error_message().size(), 300u) << s.error_message();
  }
}

TEST_F(BoundedInputsTest, AdminFieldsAreBounded) {
  {
    grpc::ClientContext ctx;
    v1::DirectoryRequest req;
    req.set_version(std::string(kMaxVersionBytes + 1, 'v'));
    v1::DirectoryResponse resp;
    EXPECT_STATUS(server_->admin->Directory(&ctx, req, &resp), INVALID_ARGUMENT, "version");
  }
  {
    grpc::ClientContext ctx;
    v1::DirectoryRequest req;
    req.set_page_token(std::string(kMaxPageTokenBytes + 1, 'p'));
    v1::DirectoryResponse resp;
    EXPECT_STATUS(server_->admin->Directory(&ctx, req, &resp), INVALID_ARGUMENT, "page_token");
  }
  {
    grpc::ClientContext ctx;
    v1::ReloadRequest req;
    req.set_pack_dir(std::string(kMaxPathBytes + 1, '/'));
    v1::ReloadResponse resp;
    EXPECT_STATUS(server_->admin->Reload(&ctx, req, &resp), INVALID_ARGUMENT, "pack_dir");
  }
}

// A bad pack whose error quotes a 2 MB line: the Reload status and Info's
// last_reload_error stay small, Info keeps answering, and a good reload after
// it works (last_reload_error keeps the bounded message of the last failure).
TEST_F(BoundedInputsTest, AFailedReloadsErrorIsBoundedEverywhere) {
  const std::string bad = dir_ + "/bad-pack";
  std::filesystem::copy(*pack_, bad);
  testing::WriteText(bad + "/teams.csv", std::string(2 << 20, 'h') + "\n1,2,3\n");
  {
    grpc::ClientContext ctx;
    v1::ReloadRequest req;
    req.set_pack_dir(bad);
    v1::ReloadResponse resp;
    const grpc::Status s = server_->admin->Reload(&ctx, req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message().substr(0, 200);
    EXPECT_LE(s.error_message().size(), kMaxSentMessage);
    EXPECT_TRUE(absl::StrContains(s.error_message(), "teams.csv")) << s.error_message();
  }
  for (int round = 0; round < 2; ++round) {
    grpc::ClientContext ctx;
    v1::InfoResponse info;
    const grpc::Status s = server_->admin->Info(&ctx, v1::InfoRequest(), &info);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(info.reloads_failed(), 1);
    EXPECT_TRUE(absl::StrContains(info.last_reload_error(), "teams.csv"));
    EXPECT_LE(info.last_reload_error().size(), kMaxSentMessage);
    if (round == 1) break;
    grpc::ClientContext rctx;
    v1::ReloadRequest req;  // the served pack again
    v1::ReloadResponse resp;
    ASSERT_TRUE(server_->admin->Reload(&rctx, req, &resp).ok());
  }
}

// Over a real HTTP/2 connection: a 100 kB category used to be echoed into a
// grpc-message header the client never received (the call hung). The status
// now arrives, small. The deadline is only a hang guard.
TEST(BoundedInputsTcpTest, AHugeCategoryStillGetsItsStatusOverTcp) {
  SnapshotStore store;
  ASSERT_TRUE(store.Load(testing::WriteRoutingPack("A")).ok());
  GridrouteService service(&store, {});
  ServerOptions so;
  so.listen = "127.0.0.1:0";
  int port = 0;
  std::string error;
  std::unique_ptr<grpc::Server> server = StartServer(so, &service, &port, &error);
  ASSERT_NE(server, nullptr) << error;
  auto stub = v1::RoutingService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  for (size_t n : {size_t{20000}, size_t{100000}, size_t{1} << 20}) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    v1::RouteResponse resp;
    const grpc::Status s =
        stub->Route(&ctx, HotlineReport(120.0008, 31.0008, std::string(n, 'C')), &resp);
    EXPECT_STATUS(s, INVALID_ARGUMENT, "category");
    EXPECT_LE(s.error_message().size(), kMaxSentMessage);
  }
  server->Shutdown();
}

}  // namespace
}  // namespace gridroute

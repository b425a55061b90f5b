// Copyright 2026 gridroute authors.
//
// The HTTP/JSON API (engine/http) over a real loopback port, against the
// gRPC API of the same service as the oracle:
//   - parity: the same requests over JSON and gRPC give equal protos;
//   - every error mapping (grpc code -> HTTP status, the JSON error body),
//     404/405/413, bad JSON naming the problem;
//   - auth: 401/403 as on gRPC, no names or phones without `personal`,
//     refusals audited, calls counted by transport in /metrics;
//   - /healthz, /readyz.
// The service's clock is fixed (2026-03-04 12:00 +08:00) so that answers
// that depend on "now" (overdue hours) are equal across the two calls.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>


#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gridroute/v1/admin.grpc.pb.h"
#include "gridroute/v1/cases.grpc.pb.h"
#include "gridroute/v1/routing.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "http/http_reply.h"
#include "http/http_router.h"
#include "http/http_server.h"
#include "http/json_api.h"
#include "http/ops_api.h"
#include "intake/case_desk.h"
#include "service/audit_log.h"
#include "service/auth.h"
#include "service/connection_guard.h"
#include "service/grpc_service.h"
#include "testing/routing_pack.h"
#include "testing/test_pack.h"

namespace gridroute {
namespace {

using google::protobuf::util::MessageDifferencer;

const std::map<std::string, std::string> kTokens = {
    {"tok-route", "route"},          {"tok-personal", "route personal"},
    {"tok-read", "cases-read"},      {"tok-write", "cases-write"},
    {"tok-admin", "admin"},          {"tok-all", "route personal cases-read cases-write admin"},
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

absl::Time FixedNow() {
  return absl::FromCivil(absl::CivilMinute(2026, 3, 4, 12, 0), absl::FixedTimeZone(8 * 3600));
}

v1::RouteRequest Report(double lon, double lat, const std::string& category) {
  v1::RouteRequest r;
  r.mutable_point()->set_x(lon);
  r.mutable_point()->set_y(lat);
  r.set_category(category);
  r.mutable_reported_at()->set_seconds(absl::ToUnixSeconds(FixedNow() - absl::Hours(2)));
  return r;
}

std::string ToJson(const google::protobuf::Message& m) {
  std::string out;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(m, &out).ok());
  return out;
}

struct StartOptions {
  bool auth = false;
  bool cases = false;
  int max_batch = 10000;
  size_t max_body = size_t{1} << 20;
  int max_connections = 10000;
  std::string host = "127.0.0.1";  // the HTTP listener's address
  uint32_t request_timeout_s = 30;
};

class HttpApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "http_api_test_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    testing::TestPack p;
    testing::MakeRoutingPack(p, "", true);
    pack_ = p.Write();
    ASSERT_TRUE(store_.Load(pack_).ok());
  }
  void TearDown() override {
    if (http_ != nullptr) http_->Stop();
    if (grpc_ != nullptr) {
      grpc_->Shutdown();
      grpc_->Wait();
    }
    http_.reset();
    router_.reset();
    grpc_.reset();
    service_.reset();
    desk_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  void Start(const StartOptions& s) {
    ServiceOptions o;
    o.now = FixedNow;
    o.max_batch = s.max_batch;
    if (s.auth) {
      std::string t = "token_sha256,principal,roles,departments\n";
      for (const auto& [token, roles] : kTokens) {
        absl::StrAppend(&t, Sha256Hex(token), ",p-", token.substr(4), ",", roles, ",\n");
      }
      std::ofstream(dir_ + "/tokens.csv") << t;
      tokens_ = std::make_unique<TokenFile>(dir_ + "/tokens.csv");
      ASSERT_TRUE(tokens_->Reload().ok());
      o.tokens = tokens_.get();
      auto audit = AuditLog::Open(dir_ + "/audit.jsonl");
      ASSERT_TRUE(audit.ok());
      audit_ = *std::move(audit);
      o.audit = audit_.get();
    }
    if (s.cases) {
      CaseDeskOptions co;
      co.journal_dir = dir_ + "/journal";
      co.now = FixedNow;
      std::shared_ptr<const ServedSnapshot> served = store_.Current();
      auto desk = CaseDesk::Open(co, *served->snapshot, served->pack_dir);
      ASSERT_TRUE(desk.ok()) << desk.status();
      desk_ = *std::move(desk);
      o.cases = desk_.get();
    }
    service_ = std::make_unique<GridrouteService>(&store_, o);
    std::string error;
    ServerOptions so;
    so.listen = "";
    grpc_ = StartServer(so, service_.get(), nullptr, &error);
    ASSERT_NE(grpc_, nullptr) << error;
    channel_ = grpc_->InProcessChannel(grpc::ChannelArguments());
    routing_ = v1::RoutingService::NewStub(channel_);
    admin_ = v1::AdminService::NewStub(channel_);
    cases_ = v1::CaseService::NewStub(channel_);
    router_ = std::make_unique<HttpRouter>(service_.get());
    RegisterJsonApi(router_.get());
    RegisterOpsApi(router_.get(), {});
    HttpServerOptions ho;
    ho.listen = s.host + ":0";
    ho.max_body_bytes = s.max_body;
    ho.threads = 4;
    ho.max_connections = s.max_connections;
    ho.request_timeout_s = s.request_timeout_s;
    http_ = std::make_unique<HttpServer>(ho, router_.get());
    ASSERT_TRUE(http_->Start(&error)) << error;
    client_ = std::make_unique<httplib::Client>(s.host, http_->port());
    client_->set_read_timeout(30, 0);  // hang guard only
  }

  httplib::Headers Auth(const std::string& token) {
    if (token.empty()) return {};
    return {{"Authorization", "Bearer " + token}};
  }
  httplib::Result Post(const std::string& path, const std::string& body,
                       const std::string& token = "") {
    return client_->Post(path.c_str(), Auth(token), body, "application/json");
  }
  httplib::Result Get(const std::string& path, const std::string& token = "") {
    return client_->Get(path.c_str(), Auth(token));
  }
  void Grpc(grpc::ClientContext* ctx, const std::string& token) {
    if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  }

  // The JSON answer parsed into `out` (unknown fields would fail).
  template <typename M>
  void Parse(const httplib::Result& r, M* out) {
    ASSERT_TRUE(r) << "no HTTP answer";
    ASSERT_EQ(r->status, 200) << r->body;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r->body, out).ok()) << r->body;
  }
  // The error body checked against `code`; its message.
  std::string ErrorOf(const httplib::Result& r, int http_status, int code) {
    EXPECT_TRUE(r);
    if (!r) return "";
    EXPECT_EQ(r->status, http_status) << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
    EXPECT_THAT(r->body, ::testing::HasSubstr(absl::StrCat("{\"code\":", code, ",\"message\":")));
    EXPECT_THAT(r->body, ::testing::HasSubstr(absl::StrCat("\"status\":\"", StatusCodeName(code), "\"")));
    return r->body;
  }

  std::string dir_, pack_;
  SnapshotStore store_;
  std::unique_ptr<TokenFile> tokens_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<CaseDesk> desk_;
  std::unique_ptr<GridrouteService> service_;
  std::unique_ptr<grpc::Server> grpc_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RoutingService::Stub> routing_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::unique_ptr<HttpRouter> router_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(HttpApiTest, JsonAnswersEqualGrpcAnswers) {
  Start({});
  // Locate.
  v1::LocateRequest loc;
  loc.mutable_point()->set_x(120.0015);
  loc.mutable_point()->set_y(31.0005);
  v1::LocateResponse loc_grpc, loc_http;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(routing_->Locate(&ctx, loc, &loc_grpc).ok());
  }
  Parse(Post("/v1/locate", ToJson(loc)), &loc_http);
  EXPECT_TRUE(MessageDifferencer::Equals(loc_grpc, loc_http)) << loc_http.DebugString();
  EXPECT_EQ(loc_http.location().grid_code(), "g2");
  // Route, both views, inside and outside the city.
  for (v1::DecisionView view : {v1::DECISION_VIEW_FULL, v1::DECISION_VIEW_CODES}) {
    for (double lon : {120.0005, 120.0025, 121.5}) {
      v1::RouteRequest req = Report(lon, 31.0005, "0102");
      req.set_view(view);
      v1::RouteResponse g, h;
      grpc::ClientContext ctx;
      ASSERT_TRUE(routing_->Route(&ctx, req, &g).ok());
      Parse(Post("/v1/route", ToJson(req)), &h);
      EXPECT_TRUE(MessageDifferencer::Equals(g, h)) << lon << "\n" << h.DebugString();
    }
  }
  // RouteBatch with an item error.
  v1::RouteBatchRequest batch;
  *batch.add_events() = Report(120.0005, 31.0005, "0102");
  *batch.add_events() = Report(120.0005, 31.0005, "no-such-category");
  *batch.add_events() = Report(120.0025, 31.0005, "0501");
  v1::RouteBatchResponse bg, bh;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(routing_->RouteBatch(&ctx, batch, &bg).ok());
  }
  Parse(Post("/v1/route:batch", ToJson(batch)), &bh);
  EXPECT_TRUE(MessageDifferencer::Equals(bg, bh)) << bh.DebugString();
  ASSERT_EQ(bh.results_size(), 3);
  EXPECT_TRUE(bh.results(1).has_error());
  // Info and Directory (query parameters by proto and by JSON name).
  v1::InfoResponse ig, ih;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(admin_->Info(&ctx, v1::InfoRequest(), &ig).ok());
  }
  Parse(Get("/v1/info"), &ih);
  EXPECT_TRUE(MessageDifferencer::Equals(ig, ih)) << ih.DebugString();
  for (const char* q : {"/v1/directory?page_size=2", "/v1/directory?pageSize=2"}) {
    v1::DirectoryRequest dreq;
    dreq.set_page_size(2);
    v1::DirectoryResponse dg, dh;
    grpc::ClientContext ctx;
    ASSERT_TRUE(admin_->Directory(&ctx, dreq, &dg).ok());
    Parse(Get(q), &dh);
    EXPECT_TRUE(MessageDifferencer::Equals(dg, dh)) << q << "\n" << dh.DebugString();
    EXPECT_FALSE(dh.next_page_token().empty());
  }
}

TEST_F(HttpApiTest, CaseRoutesEqualCaseService) {
  Start({.cases = true});
  // Two cases filed over HTTP, one over gRPC.
  v1::RouteResponse r1, r2, r3;
  Parse(Post("/v1/route", ToJson(Report(120.0005, 31.0005, "0102"))), &r1);
  Parse(Post("/v1/route", ToJson(Report(120.0025, 31.0005, "0501"))), &r2);
  {
    grpc::ClientContext ctx;
    grpc::Status st = routing_->Route(&ctx, Report(120.0015, 31.0005, "0102"), &r3);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  const std::string id = r1.decision().case_ref().case_id();
  ASSERT_FALSE(id.empty());
  ASSERT_NE(id, r2.decision().case_ref().case_id());
  // Get.
  v1::GetCaseRequest get;
  get.set_case_id(id);
  v1::Case cg, ch;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(cases_->Get(&ctx, get, &cg).ok());
  }
  Parse(Get("/v1/cases/" + id), &ch);
  EXPECT_TRUE(MessageDifferencer::Equals(cg, ch)) << ch.DebugString();
  // List with a filter and paging.
  v1::ListCasesRequest list;
  list.set_page_size(1);
  list.set_state(v1::CASE_STATE_REPORTED);
  v1::ListCasesResponse lg, lh;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(cases_->List(&ctx, list, &lg).ok());
  }
  Parse(Get("/v1/cases?page_size=1&state=CASE_STATE_REPORTED"), &lh);
  EXPECT_TRUE(MessageDifferencer::Equals(lg, lh)) << lh.DebugString();
  ASSERT_EQ(lh.cases_size(), 1);
  v1::ListCasesResponse by_number;  // an enum by its number
  Parse(Get("/v1/cases?page_size=1&state=1"), &by_number);
  EXPECT_TRUE(MessageDifferencer::Equals(lg, by_number)) << by_number.DebugString();
  v1::ListCasesResponse page2;
  Parse(Get("/v1/cases?page_size=1&state=CASE_STATE_REPORTED&page_token=" + lh.next_page_token()),
        &page2);
  ASSERT_EQ(page2.cases_size(), 1);
  EXPECT_NE(page2.cases(0).case_id(), lh.cases(0).case_id());
  // Stats with times in the query.
  v1::CaseStatsRequest stats;
  stats.set_group_by("district");
  stats.mutable_from()->set_seconds(absl::ToUnixSeconds(FixedNow() - absl::Hours(24)));
  stats.mutable_to()->set_seconds(absl::ToUnixSeconds(FixedNow()));
  v1::CaseStatsResponse sg, sh;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(cases_->Stats(&ctx, stats, &sg).ok());
  }
  Parse(Get(absl::StrCat("/v1/stats?group_by=district&from=",
                         absl::FormatTime(absl::RFC3339_full, FixedNow() - absl::Hours(24), absl::UTCTimeZone()),
                         "&to=", absl::FormatTime(absl::RFC3339_full, FixedNow(), absl::UTCTimeZone()))),
        &sh);
  EXPECT_TRUE(MessageDifferencer::Equals(sg, sh)) << sh.DebugString();
  EXPECT_EQ(sh.total().filed(), 3);
  // Each filing was timed (journal append + fsync as the call saw it).
  EXPECT_THAT(Get("/metrics")->body, ::testing::HasSubstr("gridroute_case_intake_seconds_count 3\n"));
  // Update over HTTP, seen over gRPC.
  v1::Case updated;
  Parse(Post("/v1/cases/" + id + ":update", R"({"state":"CASE_STATE_DISPATCHED","actor":"ops"})"),
        &updated);
  EXPECT_EQ(updated.state(), v1::CASE_STATE_DISPATCHED);
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(cases_->Get(&ctx, get, &cg).ok());
  }
  EXPECT_TRUE(MessageDifferencer::Equals(cg, updated)) << cg.DebugString();
  // Cases by lifecycle state, and the journal's append and sync latencies
  // (three filings and one update, each made durable by one append).
  {
    const std::string page = Get("/metrics")->body;
    EXPECT_THAT(page, ::testing::HasSubstr("gridroute_cases_by_state{state=\"reported\"} 2\n"));
    EXPECT_THAT(page, ::testing::HasSubstr("gridroute_cases_by_state{state=\"dispatched\"} 1\n"));
    EXPECT_THAT(page, ::testing::HasSubstr("gridroute_cases_by_state{state=\"closed\"} 0\n"));
    EXPECT_THAT(page, ::testing::HasSubstr("# TYPE gridroute_journal_append_seconds histogram\n"));
    EXPECT_THAT(page, ::testing::HasSubstr("gridroute_journal_append_seconds_count 4\n"));
    EXPECT_THAT(page, ::testing::HasSubstr("# TYPE gridroute_journal_sync_seconds histogram\n"));
  }
  // The path's id and the body's must agree.
  ErrorOf(Post("/v1/cases/" + id + ":update", R"({"caseId":"other","state":"CASE_STATE_ACCEPTED"})"),
          400, 3);
}

TEST_F(HttpApiTest, GrpcCodesMapToTheStandardHttpStatuses) {
  const int want[17] = {200, 499, 500, 400, 504, 404, 409, 403, 429, 400, 409, 400, 501, 500, 503, 500, 401};
  for (int code = 0; code < 17; ++code) EXPECT_EQ(HttpStatusFromGrpc(code), want[code]) << code;
  EXPECT_EQ(HttpStatusFromGrpc(99), 500);
  EXPECT_EQ(ErrorJson(3, "x: \"bad\"\n"),
            "{\"code\":3,\"message\":\"x: \\\"bad\\\"\\u000a\",\"status\":\"INVALID_ARGUMENT\"}\n");
}

TEST_F(HttpApiTest, ErrorsComeBackAsJsonWithTheirHttpStatus) {
  Start({.max_batch = 2, .max_body = 4096});
  // 400 INVALID_ARGUMENT from the service, naming the field.
  std::string m = ErrorOf(Post("/v1/route", ToJson(Report(120.0005, 31.0005, std::string(100, 'c')))), 400, 3);
  EXPECT_THAT(m, ::testing::HasSubstr("category: 100 bytes; at most 64"));
  // 400: an unknown field is named; bad JSON names the problem with a short echo.
  m = ErrorOf(Post("/v1/route", R"({"point":{"x":1,"y":2},"categry":"0102"})"), 400, 3);
  EXPECT_THAT(m, ::testing::HasSubstr("categry"));
  m = ErrorOf(Post("/v1/route", "{\"point\": [" + std::string(3000, '1')), 400, 3);
  EXPECT_THAT(m, ::testing::HasSubstr("body: not a JSON gridroute.v1.RouteRequest"));
  EXPECT_THAT(m, ::testing::HasSubstr("1111…')"));  // the echo is cut
  EXPECT_LT(m.size(), 600u);
  // 400: an unknown or repeated query parameter, a bad enum value.
  EXPECT_THAT(ErrorOf(Get("/v1/directory?pageSise=2"), 400, 3), ::testing::HasSubstr("pageSise"));
  ErrorOf(Get("/v1/directory?page_size=1&page_size=2"), 400, 3);
  EXPECT_THAT(ErrorOf(Get("/v1/cases?state=CASE_STATE_NOPE"), 400, 3),
              ::testing::HasSubstr("(state): invalid value"));
  // 400 FAILED_PRECONDITION: cases are off.
  EXPECT_THAT(ErrorOf(Get("/v1/cases/c1"), 400, 9), ::testing::HasSubstr("--journal-dir"));
  // 429 RESOURCE_EXHAUSTED: a batch over --max-batch.
  v1::RouteBatchRequest big;
  for (int i = 0; i < 3; ++i) *big.add_events() = Report(120.0005, 31.0005, "0102");
  ErrorOf(Post("/v1/route:batch", ToJson(big)), 429, 8);
  // 413: a body over the cap, refused before it is read.
  ErrorOf(Post("/v1/route", std::string(5000, ' ')), 413, 8);
  // 404 and 405 from the router.
  EXPECT_THAT(ErrorOf(Get("/v1/nope"), 404, 5), ::testing::HasSubstr("/v1/nope"));
  ErrorOf(Get("/v1/route:bogus"), 404, 5);
  auto r = Get("/v1/route");
  ErrorOf(r, 405, 12);
  EXPECT_EQ(r->get_header_value("Allow"), "POST");
  ErrorOf(client_->Delete("/v1/cases/x"), 405, 12);
}

TEST_F(HttpApiTest, NotFoundAndPreconditionFromTheCaseStore) {
  Start({.cases = true});
  ErrorOf(Get("/v1/cases/320501-20260304-999999"), 404, 5);
  EXPECT_THAT(ErrorOf(Post("/v1/cases/x:update", R"({"state":"CASE_STATE_DISPATCHED","lead":"NOPE"})"), 400, 3),
              ::testing::HasSubstr("lead"));
  ErrorOf(Get("/v1/stats?group_by=planet"), 400, 3);
}

TEST_F(HttpApiTest, AuthIsTheGrpcGate) {
  Start({.auth = true, .cases = true});
  const std::string route = ToJson(Report(120.0005, 31.0005, "0102"));
  // 401 without or with an unknown token; WWW-Authenticate says Bearer.
  auto r = Post("/v1/route", route);
  ErrorOf(r, 401, 16);
  EXPECT_EQ(r->get_header_value("WWW-Authenticate"), "Bearer");
  ErrorOf(Post("/v1/route", route, "tok-unknown"), 401, 16);
  // 403 naming the role, exactly as gRPC says it.
  std::string m = ErrorOf(Post("/v1/route", route, "tok-read"), 403, 7);
  grpc::ClientContext ctx;
  Grpc(&ctx, "tok-read");
  v1::RouteResponse ignored;
  grpc::Status gs = routing_->Route(&ctx, Report(120.0005, 31.0005, "0102"), &ignored);
  ASSERT_EQ(gs.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(m, ::testing::HasSubstr(JsonString(gs.error_message(), 1024)));
  ErrorOf(Get("/v1/cases", "tok-route"), 403, 7);
  ErrorOf(Post("/v1/cases/x:update", "{}", "tok-read"), 403, 7);
  // Names and phones only with `personal`.
  v1::RouteResponse plain, personal;
  Parse(Post("/v1/route", route, "tok-route"), &plain);
  Parse(Post("/v1/route", route, "tok-personal"), &personal);
  ASSERT_GT(plain.decision().team_size(), 0);
  for (const auto& t : plain.decision().team()) {
    EXPECT_TRUE(t.name().empty() && t.phone().empty()) << t.DebugString();
  }
  bool named = false;
  for (const auto& t : personal.decision().team()) named |= !t.name().empty() && !t.phone().empty();
  EXPECT_TRUE(named);
  auto dir_plain = Get("/v1/directory", "tok-route");
  auto dir_personal = Get("/v1/directory", "tok-personal");
  ASSERT_TRUE(dir_plain && dir_personal);
  EXPECT_THAT(dir_personal->body, ::testing::HasSubstr("13800000001"));
  EXPECT_THAT(dir_plain->body, ::testing::Not(::testing::HasSubstr("13800000001")));
  // Open routes stay open; /metrics is open to loopback.
  EXPECT_EQ(Get("/healthz")->status, 200);
  EXPECT_EQ(Get("/readyz")->status, 200);
  EXPECT_EQ(Get("/metrics")->status, 200);
  // Refusals and the update are audited with the HTTP peer.
  const std::string id = personal.decision().case_ref().case_id();
  ASSERT_EQ(Post("/v1/cases/" + id + ":update", R"({"state":"CASE_STATE_DISPATCHED"})", "tok-write")->status,
            200);
  const std::string audit = ReadAll(dir_ + "/audit.jsonl");
  EXPECT_THAT(audit, ::testing::HasSubstr("\"peer\":\"ipv4:127.0.0.1:"));
  EXPECT_THAT(audit, ::testing::HasSubstr("\"method\":\"/gridroute.v1.CaseService/Update\",\"target\":\"" + id));
  EXPECT_THAT(audit, ::testing::HasSubstr("\"principal\":\"p-write\""));
  EXPECT_THAT(audit, ::testing::HasSubstr("UNAUTHENTICATED"));
}

TEST_F(HttpApiTest, MetricsCountBothTransports) {
  Start({});
  const std::string route = ToJson(Report(120.0005, 31.0005, "0102"));
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Post("/v1/route", route)->status, 200);
  ASSERT_EQ(Post("/v1/route", "{").value().status, 400);
  for (int i = 0; i < 2; ++i) {
    grpc::ClientContext ctx;
    v1::RouteResponse resp;
    ASSERT_TRUE(routing_->Route(&ctx, Report(121.5, 31.0005, "0102"), &resp).ok());
  }
  auto r = Get("/metrics");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& page = r->body;
  EXPECT_THAT(page, ::testing::HasSubstr("gridroute_calls_total{transport=\"http\",method=\"Route\",code=\"OK\"} 3\n"));
  EXPECT_THAT(page, ::testing::HasSubstr("gridroute_calls_total{transport=\"http\",method=\"Route\",code=\"INVALID_ARGUMENT\"} 1\n"));
  EXPECT_THAT(page, ::testing::HasSubstr("gridroute_calls_total{transport=\"grpc\",method=\"Route\",code=\"OK\"} 2\n"));
  EXPECT_THAT(page, ::testing::HasSubstr("gridroute_call_seconds_count{transport=\"grpc\",method=\"Route\"} 2\n"));
  EXPECT_THAT(page, ::testing::HasSubstr("gridroute_items_total{outcome=\"routed\"} 3\n"));
  EXPECT_THAT(page, ::testing::HasSubstr("gridroute_items_total{outcome=\"outside_coverage\"} 2\n"));
  EXPECT_THAT(page, ::testing::HasSubstr("gridroute_snapshot_generation 1\n"));
  EXPECT_THAT(page, ::testing::HasSubstr("gridroute_reloads_total{result=\"ok\"} 1\n"));
  EXPECT_THAT(page, ::testing::HasSubstr("# TYPE gridroute_process_resident_bytes gauge\n"));
  // 404/405 are counted too.
  ASSERT_EQ(Get("/nope")->status, 404);
  EXPECT_THAT(Get("/metrics")->body,
              ::testing::HasSubstr("gridroute_calls_total{transport=\"http\",method=\"Unrouted\",code=\"NOT_FOUND\"} 1\n"));
}

// This host's first IPv4 address that is not loopback ("" if none).
std::string NonLoopbackAddress() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "";
  std::string out;
  for (ifaddrs* i = list; i != nullptr && out.empty(); i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, buf, sizeof(buf));
    if (!IsLoopbackAddress(buf)) out = buf;
  }
  freeifaddrs(list);
  return out;
}

TEST_F(HttpApiTest, MetricsFromElsewhereNeedAKnownToken) {
  const std::string host = NonLoopbackAddress();
  if (host.empty()) GTEST_SKIP() << "no non-loopback IPv4 address on this host";
  Start({.auth = true, .host = host});
  // The peer is `host`, not loopback: a token of any role is needed.
  ErrorOf(Get("/metrics"), 401, 16);
  ErrorOf(Get("/metrics", "tok-unknown"), 401, 16);
  auto r = Get("/metrics", "tok-read");  // cases-read only: enough for counts
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->body, ::testing::HasSubstr("gridroute_calls_total{transport=\"http\",method=\"Metrics\",code=\"UNAUTHENTICATED\"} 2\n"));
  EXPECT_EQ(Get("/healthz")->status, 200);  // health stays open
}

// A TCP connection to the HTTP port that sends nothing (holds a slot).
int OpenIdle(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  return fd;
}

TEST_F(HttpApiTest, TheConnectionCapCoversTheHttpListener) {
  Start({.max_connections = 2});
  if (!ConnectionGuard::Get().state().active) GTEST_SKIP() << "accept not interposed here";
  const int a = OpenIdle(http_->port());
  const int b = OpenIdle(http_->port());
  // Both are accepted and counted (poll: accepting is asynchronous).
  const auto guard = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (ConnectionGuard::Get().state().open < 2 && std::chrono::steady_clock::now() < guard) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(ConnectionGuard::Get().state().open, 2);
  const int64_t refused = ConnectionGuard::Get().state().refused_over_cap;
  // A third connection is closed as soon as it is accepted: no answer.
  httplib::Client third("127.0.0.1", http_->port());
  third.set_read_timeout(30, 0);
  auto r = third.Get("/healthz");
  EXPECT_FALSE(r && r->status == 200);
  EXPECT_GT(ConnectionGuard::Get().state().refused_over_cap, refused);
  // Once one closes, calls get through again (hang guard: 60 s).
  close(a);
  bool served = false;
  while (!served && std::chrono::steady_clock::now() < guard) {
    httplib::Client c("127.0.0.1", http_->port());
    c.set_read_timeout(30, 0);
    auto ok = c.Get("/healthz");
    served = ok && ok->status == 200;
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(served);
  close(b);
}

// Reads from `fd` until EOF, an error, or `want` appears (hang guard: the
// socket's 30 s receive timeout).
std::string ReadUntil(int fd, const std::string& want) {
  timeval tv{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  std::string got;
  char buf[4096];
  while (got.find(want) == std::string::npos) {
    const ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

TEST_F(HttpApiTest, RequestHeadsAreBounded) {
  Start({});
  const int64_t before = http_->counters().heads_refused;
  const std::string line = "X-Pad: " + std::string(4000, 'a') + "\r\n";
  // 40 KB of headers (under the 64 KiB default) are served.
  {
    const int fd = OpenIdle(http_->port());
    std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 10; ++i) req += line;
    req += "Connection: close\r\n\r\n";
    ASSERT_EQ(send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
    EXPECT_THAT(ReadUntil(fd, "\r\n\r\n"), ::testing::StartsWith("HTTP/1.1 200 OK"));
    close(fd);
  }
  EXPECT_EQ(http_->counters().heads_refused, before);
  // Headers without end: past 64 KiB the server answers 431 and closes the
  // connection (after reading and dropping at most 256 KiB more); the
  // sender sees it long before 256 MiB (the loop's hang guard).
  const int fd = OpenIdle(http_->port());
  const std::string start = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  ASSERT_GT(send(fd, start.data(), start.size(), MSG_NOSIGNAL), 0);
  size_t sent = 0;
  while (sent < (size_t{256} << 20)) {
    const ssize_t n = send(fd, line.data(), line.size(), MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  EXPECT_LT(sent, size_t{256} << 20) << "the server kept reading headers";
  EXPECT_EQ(http_->counters().heads_refused, before + 1);
  close(fd);
  // The listener still serves.
  EXPECT_EQ(Get("/healthz")->status, 200);
}

// A client trickling its request under the per-read timeout is cut off once
// the request outlives --http-request-timeout-s (here 1 s: a request still
// arriving 2.5 s after its first byte is past it; one sent at once is not).
TEST_F(HttpApiTest, ASlowRequestIsResetAfterTheRequestDeadline) {
  Start({.request_timeout_s = 1});
  const int64_t before = http_->counters().requests_timed_out;
  // In time: served.
  {
    const int fd = OpenIdle(http_->port());
    const std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    ASSERT_EQ(send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
    EXPECT_THAT(ReadUntil(fd, "\r\n\r\n"), ::testing::StartsWith("HTTP/1.1 200 OK"));
    close(fd);
  }
  EXPECT_EQ(http_->counters().requests_timed_out, before);
  // The head's first half, then the rest 2.5 s later: the server has
  // closed the connection at the deadline, nothing is served.
  const int fd = OpenIdle(http_->port());
  const std::string head = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  ASSERT_GT(send(fd, head.data(), head.size(), MSG_NOSIGNAL), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  const std::string rest = "Connection: close\r\n\r\n";
  send(fd, rest.data(), rest.size(), MSG_NOSIGNAL);
  EXPECT_THAT(ReadUntil(fd, "\r\n\r\n"), ::testing::Not(::testing::HasSubstr(" 200 OK")));
  close(fd);
  EXPECT_EQ(http_->counters().requests_timed_out, before + 1);
  // The listener still serves.
  EXPECT_EQ(Get("/healthz")->status, 200);
}

// Sends `bytes` on a new connection and reads until the server closes it.
std::string Exchange(int port, const std::string& bytes) {
  const int fd = OpenIdle(port);
  EXPECT_EQ(send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
  std::string got = ReadUntil(fd, "never appears");
  close(fd);
  return got;
}

TEST_F(HttpApiTest, HeadPipelinedRequestsAndExpectContinue) {
  Start({});
  // HEAD is GET without the body; two requests in one packet get two answers in order.
  const std::string got = Exchange(http_->port(),
                                   "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                                   "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  ASSERT_THAT(got, ::testing::StartsWith("HTTP/1.1 200 OK\r\n"));
  const size_t second = got.find("HTTP/1.1 404 Not Found\r\n");
  ASSERT_NE(second, std::string::npos) << got;
  const std::string head = got.substr(0, second);
  EXPECT_THAT(head, ::testing::HasSubstr("Content-Length: 16\r\n"));
  EXPECT_THAT(head, ::testing::EndsWith("\r\n\r\n"));  // no body after HEAD's head
  EXPECT_THAT(got.substr(second), ::testing::HasSubstr("Connection: close\r\n"));
  EXPECT_THAT(got.substr(second), ::testing::HasSubstr("\"status\":\"NOT_FOUND\""));
  // Expect: 100-continue: the server asks for the body, then answers.
  const int fd = OpenIdle(http_->port());
  const std::string body = R"({"point":{"x":120.0015,"y":31.0005}})";
  const std::string req = absl::StrCat("POST /v1/locate HTTP/1.1\r\nHost: x\r\nContent-Length: ",
                                       body.size(), "\r\nExpect: 100-continue\r\n\r\n");
  ASSERT_EQ(send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
  EXPECT_EQ(ReadUntil(fd, "\r\n\r\n"), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_EQ(send(fd, body.data(), body.size(), MSG_NOSIGNAL), static_cast<ssize_t>(body.size()));
  const std::string answer = ReadUntil(fd, "}}");
  EXPECT_THAT(answer, ::testing::StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(answer, ::testing::HasSubstr("\"gridCode\":\"g2\""));
  close(fd);
}

TEST_F(HttpApiTest, MalformedLongAndCompressedRequestsAreRefusedAsJson) {
  Start({});
  std::string got = Exchange(http_->port(), "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_THAT(got, ::testing::StartsWith("HTTP/1.1 400 Bad Request\r\n"));
  EXPECT_THAT(got, ::testing::HasSubstr("{\"code\":3,\"message\":\"request: not valid HTTP/1.1"));
  got = Exchange(http_->port(), "GET /healthz?x=" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_THAT(got, ::testing::StartsWith("HTTP/1.1 414 URI Too Long\r\n"));
  EXPECT_THAT(got, ::testing::HasSubstr("the request target is too long"));
  got = Exchange(http_->port(), "GET /healthz HTTP/1.1\r\nX-Long: " + std::string(9000, 'a') + "\r\n\r\n");
  EXPECT_THAT(got, ::testing::StartsWith("HTTP/1.1 431 "));
  got = Exchange(http_->port(),
                 "POST /v1/locate HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: 2\r\n\r\n{}");
  EXPECT_THAT(got, ::testing::StartsWith("HTTP/1.1 415 Unsupported Media Type\r\n"));
  EXPECT_THAT(got, ::testing::HasSubstr("Content-Encoding is not supported"));
  // None of these took the listener down.
  EXPECT_EQ(Get("/healthz")->status, 200);
}

// A may_block route runs on the worker pool: while its handler waits, the
// single io thread keeps answering other connections (inline, this test
// would deadlock until the hang guards fire).
TEST_F(HttpApiTest, AWaitingHandlerDoesNotStallOtherConnections) {
  SnapshotStore empty;
  GridrouteService svc(&empty, {});
  HttpRouter router(&svc);
  RegisterOpsApi(&router, {});
  std::promise<void> entered, release;
  std::shared_future<void> released = release.get_future().share();
  HttpRoute wait;
  wait.method = "GET";
  wait.pattern = "/wait";
  wait.metric = "Wait";
  wait.access = HttpAccess::kOpen;
  wait.may_block = true;
  wait.handler = [&entered, released](HttpCall& call) {
    entered.set_value();
    released.wait();
    call.res->status = 200;
    call.res->set_content("done", "text/plain");
  };
  router.Add(std::move(wait));
  HttpServer http({.listen = "127.0.0.1:0", .threads = 1}, &router);
  std::string error;
  ASSERT_TRUE(http.Start(&error)) << error;
  std::thread waiter([&] {
    httplib::Client c("127.0.0.1", http.port());
    c.set_read_timeout(30, 0);
    auto r = c.Get("/wait");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "done");
  });
  entered.get_future().wait();
  httplib::Client c("127.0.0.1", http.port());
  c.set_read_timeout(30, 0);
  auto h = c.Get("/healthz");
  release.set_value();
  waiter.join();
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  http.Stop();
}

TEST_F(HttpApiTest, ReadyOnlyWithASnapshot) {
  SnapshotStore empty;
  GridrouteService svc(&empty, {});
  HttpRouter router(&svc);
  RegisterOpsApi(&router, {});
  HttpServer http({.listen = "127.0.0.1:0", .threads = 2}, &router);
  std::string error;
  ASSERT_TRUE(http.Start(&error)) << error;
  httplib::Client c("127.0.0.1", http.port());
  c.set_read_timeout(30, 0);
  auto h = c.Get("/healthz");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  auto r = c.Get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_THAT(r->body, ::testing::HasSubstr("no pack is loaded"));
  http.Stop();
}

}  // namespace
}  // namespace gridroute

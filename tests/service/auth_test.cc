// Copyright 2026 gridroute authors.
//
// Authentication, roles and the rest of the trust work, in process, over the
// routing test pack (tests/testing/routing_pack.h) with cases on:
//   - every role against every RPC (allowed / UNAUTHENTICATED /
//     PERMISSION_DENIED), table-driven;
//   - department-scoped case access (List filters, Get/Update of another
//     department's case refused) and the principal recorded as actor;
//   - answers with and without `personal` (no person name or phone in the
//     serialized bytes), Info without `admin`;
//   - Reload confined to the pack root (same message whether or not the
//     path exists; symlinks and ".." resolved);
//   - the audit log (one line per privileged or refused call);
//   - the token file: errors with line numbers, a bad reload keeps the old
//     table.
// Pack facts: 0102 in g1 is led by D2, in g3 by D3; persons P1..P9 with
// names 张网格长... and phones 138000000NN; layer shop7's owner is 7号店.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "service/audit_log.h"
#include "service/auth.h"
#include "service_fixture.h"

namespace gridroute {
namespace {

using testing::HotlineReport;
using testing::InProcessServer;

// Tokens and the rows of the token file.
const std::map<std::string, std::string> kTokens = {
    {"tok-route", "route"},          {"tok-personal", "route personal"},
    {"tok-read", "cases-read"},      {"tok-write", "cases-write"},
    {"tok-admin", "admin"},          {"tok-all", "route personal cases-read cases-write admin"},
};
const char* const kPersonal[] = {"张网格长", "李环卫",      "王执法",      "赵市政",
                                 "刘网格员", "陈环卫",      "周环卫",      "13800000001",
                                 "13800000002", "13800000004", "13800000005", "13800000009",
                                 "139"};  // shop7 owner_contact (its owner "7号店" is also in the layer name)

std::string TokenFileText() {
  std::string t = "token_sha256,principal,roles,departments\n# sample\n";
  for (const auto& [token, roles] : kTokens) {
    absl::StrAppend(&t, Sha256Hex(token), ",p-", token.substr(4), ",", roles, ",\n");
  }
  absl::StrAppend(&t, Sha256Hex("tok-d2"), ",d2-desk,cases-read cases-write,D2\n");
  return t;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void Write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

enum class Rpc {
  kLocate, kRoute, kRouteBatch, kRouteStream, kInfo, kDirectory, kReload,
  kGetCase, kUpdateCase, kListCases, kCaseStats
};
struct RpcRow {
  Rpc rpc;
  const char* name;
  std::set<std::string> allowed;  // tokens whose roles open it
};
const RpcRow kTable[] = {
    {Rpc::kLocate, "Locate", {"tok-route", "tok-personal", "tok-all"}},
    {Rpc::kRoute, "Route", {"tok-route", "tok-personal", "tok-all"}},
    {Rpc::kRouteBatch, "RouteBatch", {"tok-route", "tok-personal", "tok-all"}},
    {Rpc::kRouteStream, "RouteStream", {"tok-route", "tok-personal", "tok-all"}},
    {Rpc::kInfo, "Info", {"tok-route", "tok-personal", "tok-admin", "tok-all"}},
    {Rpc::kDirectory, "Directory", {"tok-route", "tok-personal", "tok-all"}},
    {Rpc::kReload, "Reload", {"tok-admin", "tok-all"}},
    {Rpc::kGetCase, "Get", {"tok-read", "tok-all", "tok-d2"}},
    {Rpc::kUpdateCase, "Update", {"tok-write", "tok-all", "tok-d2"}},
    {Rpc::kListCases, "List", {"tok-read", "tok-all", "tok-d2"}},
    {Rpc::kCaseStats, "Stats", {"tok-read", "tok-all", "tok-d2"}},
};

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "auth_test_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    root_ = dir_ + "/root";
    std::filesystem::create_directories(root_);
    pack_ = root_ + "/city";
    std::filesystem::copy(testing::WriteRoutingPack("A"), pack_,
                          std::filesystem::copy_options::recursive);
    ASSERT_TRUE(store_.Load(pack_).ok());
    Write(dir_ + "/tokens.csv", TokenFileText());
    tokens_ = std::make_unique<TokenFile>(dir_ + "/tokens.csv");
    ASSERT_TRUE(tokens_->Reload().ok());
    auto audit = AuditLog::Open(dir_ + "/audit.jsonl");
    ASSERT_TRUE(audit.ok()) << audit.status();
    audit_ = *std::move(audit);
    CaseDeskOptions co;
    co.journal_dir = dir_ + "/journal";
    std::shared_ptr<const ServedSnapshot> s = store_.Current();
    auto desk = CaseDesk::Open(co, *s->snapshot, s->pack_dir);
    ASSERT_TRUE(desk.ok()) << desk.status();
    desk_ = *std::move(desk);
    ServiceOptions o;
    o.cases = desk_.get();
    o.tokens = tokens_.get();
    o.audit = audit_.get();
    o.pack_root = root_;
    server_ = std::make_unique<InProcessServer>(&store_, o);
  }
  void TearDown() override {
    server_.reset();
    desk_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  static void Bearer(grpc::ClientContext* ctx, const std::string& token) {
    if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  }

  // Files a 0102 case at (lon, lat) with an all-roles token; its id.
  std::string FileCase(double lon, double lat) {
    grpc::ClientContext ctx;
    Bearer(&ctx, "tok-all");
    v1::RouteResponse resp;
    grpc::Status s = server_->routing->Route(&ctx, HotlineReport(lon, lat, "0102"), &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.decision().case_ref().case_id();
  }

  grpc::Status CallStream(const std::string& token) {
    grpc::ClientContext ctx;
    Bearer(&ctx, token);
    auto stream = server_->routing->RouteStream(&ctx);
    v1::DetectionBatch b;
    v1::Detection* d = b.add_detections();
    d->mutable_point()->set_x(120.0005);
    d->mutable_point()->set_y(31.0005);
    d->set_category("0102");
    d->set_camera_id("cam-1");
    testing::SetWednesday10am(d->mutable_frame_time());
    stream->Write(b);
    stream->WritesDone();
    v1::DecisionBatch out;
    while (stream->Read(&out)) {
    }
    return stream->Finish();
  }

  grpc::Status Call(Rpc rpc, const std::string& token, const std::string& case_id) {
    grpc::ClientContext ctx;
    Bearer(&ctx, token);
    v1::RouteRequest route = HotlineReport(120.0005, 31.0005, "0501");
    switch (rpc) {
      case Rpc::kLocate: {
        v1::LocateRequest req;
        *req.mutable_point() = route.point();
        v1::LocateResponse resp;
        return server_->routing->Locate(&ctx, req, &resp);
      }
      case Rpc::kRoute: {
        v1::RouteResponse resp;
        return server_->routing->Route(&ctx, route, &resp);
      }
      case Rpc::kRouteBatch: {
        v1::RouteBatchRequest req;
        *req.add_events() = route;
        v1::RouteBatchResponse resp;
        return server_->routing->RouteBatch(&ctx, req, &resp);
      }
      case Rpc::kRouteStream:
        return CallStream(token);
      case Rpc::kInfo: {
        v1::InfoResponse resp;
        return server_->admin->Info(&ctx, v1::InfoRequest(), &resp);
      }
      case Rpc::kDirectory: {
        v1::DirectoryResponse resp;
        return server_->admin->Directory(&ctx, v1::DirectoryRequest(), &resp);
      }
      case Rpc::kReload: {
        v1::ReloadResponse resp;
        return server_->admin->Reload(&ctx, v1::ReloadRequest(), &resp);
      }
      default:
        return CallCases(rpc, &ctx, case_id);
    }
  }

  grpc::Status CallCases(Rpc rpc, grpc::ClientContext* ctx, const std::string& case_id) {
    v1::Case c;
    switch (rpc) {
      case Rpc::kGetCase: {
        v1::GetCaseRequest req;
        req.set_case_id(case_id);
        return server_->cases->Get(ctx, req, &c);
      }
      case Rpc::kUpdateCase: {
        v1::UpdateCaseRequest req;
        req.set_case_id(case_id);
        req.set_state(v1::CASE_STATE_DISPATCHED);
        return server_->cases->Update(ctx, req, &c);
      }
      case Rpc::kListCases: {
        v1::ListCasesResponse resp;
        return server_->cases->List(ctx, v1::ListCasesRequest(), &resp);
      }
      default: {
        v1::CaseStatsResponse resp;
        return server_->cases->Stats(ctx, v1::CaseStatsRequest(), &resp);
      }
    }
  }

  std::string dir_, root_, pack_;
  SnapshotStore store_;
  std::unique_ptr<TokenFile> tokens_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<CaseDesk> desk_;
  std::unique_ptr<InProcessServer> server_;
};

TEST_F(AuthTest, EveryRoleAgainstEveryRpc) {
  const std::string d2_case = FileCase(120.0005, 31.0005);  // lead D2
  ASSERT_FALSE(d2_case.empty());
  std::vector<std::string> tokens = {"", "Bearer-less", "tok-unknown", "tok-d2"};
  for (const auto& [t, roles] : kTokens) tokens.push_back(t);
  for (const RpcRow& row : kTable) {
    for (const std::string& token : tokens) {
      SCOPED_TRACE(absl::StrCat(row.name, " with '", token, "'"));
      grpc::Status s = Call(row.rpc, token, d2_case);
      if (token.empty() || token == "Bearer-less" || token == "tok-unknown") {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();
      } else if (row.allowed.count(token) > 0) {
        EXPECT_NE(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();
        EXPECT_NE(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
      } else {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
        EXPECT_TRUE(absl::StrContains(s.error_message(), "needs")) << s.error_message();
        EXPECT_TRUE(absl::StrContains(s.error_message(), row.name)) << s.error_message();
      }
    }
  }
}

TEST_F(AuthTest, PermissionDeniedNamesTheRole) {
  grpc::Status s = Call(Rpc::kReload, "tok-route", "");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "role 'admin'")) << s.error_message();
  s = Call(Rpc::kUpdateCase, "tok-read", "x");
  EXPECT_TRUE(absl::StrContains(s.error_message(), "role 'cases-write'")) << s.error_message();
}

TEST_F(AuthTest, DepartmentScopedCaseAccess) {
  const std::string d2_case = FileCase(120.0005, 31.0005);  // g1: lead D2
  const std::string d3_case = FileCase(120.0025, 31.0005);  // g3: lead D3
  ASSERT_FALSE(d2_case.empty());
  ASSERT_FALSE(d3_case.empty());
  {
    grpc::ClientContext ctx;
    Bearer(&ctx, "tok-d2");
    v1::ListCasesResponse resp;
    ASSERT_TRUE(server_->cases->List(&ctx, v1::ListCasesRequest(), &resp).ok());
    ASSERT_EQ(resp.cases_size(), 1);
    EXPECT_EQ(resp.cases(0).case_id(), d2_case);
  }
  {
    grpc::ClientContext ctx;
    Bearer(&ctx, "tok-d2");
    v1::ListCasesRequest req;
    req.set_department("D3");
    v1::ListCasesResponse resp;
    EXPECT_EQ(server_->cases->List(&ctx, req, &resp).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_EQ(Call(Rpc::kGetCase, "tok-d2", d3_case).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Call(Rpc::kUpdateCase, "tok-d2", d3_case).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Call(Rpc::kGetCase, "tok-d2", d2_case).ok());
  // The actor is the principal; the client's actor is kept in the note.
  grpc::ClientContext ctx;
  Bearer(&ctx, "tok-d2");
  v1::UpdateCaseRequest req;
  req.set_case_id(d2_case);
  req.set_state(v1::CASE_STATE_DISPATCHED);
  req.set_actor("someone-else");
  v1::Case c;
  grpc::Status s = server_->cases->Update(&ctx, req, &c);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_GT(c.history_size(), 0);
  EXPECT_EQ(c.history(c.history_size() - 1).actor(), "d2-desk");
  EXPECT_TRUE(absl::StrContains(c.history(c.history_size() - 1).note(), "someone-else"));
}

TEST_F(AuthTest, UpdateLeadMustBeADepartmentOfThePack) {
  const std::string id = FileCase(120.0005, 31.0005);
  grpc::ClientContext ctx;
  Bearer(&ctx, "tok-all");
  v1::UpdateCaseRequest req;
  req.set_case_id(id);
  req.set_state(v1::CASE_STATE_DISPATCHED);
  req.set_lead(std::string(5000, 'Z'));
  v1::Case c;
  grpc::Status s = server_->cases->Update(&ctx, req, &c);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(s.error_message(), "lead:")) << s.error_message();
  EXPECT_LT(s.error_message().size(), 200u);
}

// Serialized answers for `token`: Route, RouteBatch, RouteStream (FULL, in a
// layer with an owner) and every Directory page.
std::string Answers(InProcessServer& server, const std::string& token) {
  std::string bytes;
  v1::RouteRequest req = HotlineReport(120.000225, 31.000225, "0102");
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    v1::RouteResponse resp;
    EXPECT_TRUE(server.routing->Route(&ctx, req, &resp).ok());
    EXPECT_GT(resp.decision().team_size(), 0);
    EXPECT_GT(resp.decision().layers_size(), 0);
    bytes += resp.SerializeAsString();
  }
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    v1::RouteBatchRequest b;
    *b.add_events() = req;
    *b.add_events() = HotlineReport(120.0015, 31.0005, "0102");
    v1::RouteBatchResponse resp;
    EXPECT_TRUE(server.routing->RouteBatch(&ctx, b, &resp).ok());
    bytes += resp.SerializeAsString();
  }
  {  // RouteStream's FULL answer (written as wire bytes, service/full_wire.h)
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    auto stream = server.routing->RouteStream(&ctx);
    v1::DetectionBatch b;
    v1::Detection* d = b.add_detections();
    *d->mutable_point() = req.point();
    d->set_category(req.category());
    d->set_camera_id("cam-1");
    *d->mutable_frame_time() = req.reported_at();
    EXPECT_TRUE(stream->Write(b));
    stream->WritesDone();
    v1::DecisionBatch out;
    int decisions = 0;
    while (stream->Read(&out)) {
      for (const v1::DetectionResult& r : out.results()) {
        EXPECT_GT(r.decision().team_size(), 0) << r.ShortDebugString();
        EXPECT_GT(r.decision().layers_size(), 0);
        ++decisions;
      }
      bytes += out.SerializeAsString();
    }
    EXPECT_TRUE(stream->Finish().ok());
    EXPECT_EQ(decisions, 1);
  }
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + token);
  v1::DirectoryResponse resp;
  EXPECT_TRUE(server.admin->Directory(&ctx, v1::DirectoryRequest(), &resp).ok());
  EXPECT_GT(resp.persons_size(), 0);
  return bytes + resp.SerializeAsString();
}

TEST_F(AuthTest, NoNamesOrPhonesWithoutPersonal) {
  const std::string without = Answers(*server_, "tok-route");
  const std::string with = Answers(*server_, "tok-personal");
  for (const char* p : kPersonal) {
    EXPECT_FALSE(absl::StrContains(without, p)) << "found: " << p;
  }
  EXPECT_TRUE(absl::StrContains(with, "张网格长"));
  EXPECT_TRUE(absl::StrContains(with, "13800000004"));
  // Person ids stay: the answer is still usable.
  EXPECT_TRUE(absl::StrContains(without, "P4"));
}

TEST_F(AuthTest, InfoShowsPackDirOnlyToAdmin) {
  for (const char* token : {"tok-route", "tok-admin"}) {
    grpc::ClientContext ctx;
    Bearer(&ctx, token);
    v1::InfoResponse resp;
    ASSERT_TRUE(server_->admin->Info(&ctx, v1::InfoRequest(), &resp).ok());
    EXPECT_EQ(resp.pack_dir().empty(), std::string(token) == "tok-route") << token;
    EXPECT_GT(resp.grids(), 0);
  }
}

grpc::Status ReloadDir(InProcessServer& server, const std::string& dir) {
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer tok-admin");
  v1::ReloadRequest req;
  req.set_pack_dir(dir);
  v1::ReloadResponse resp;
  return server.admin->Reload(&ctx, req, &resp);
}

TEST_F(AuthTest, ReloadConfinedToPackRoot) {
  const std::string outside = testing::WriteRoutingPack("B");  // exists, outside the root
  grpc::Status a = ReloadDir(*server_, outside);
  grpc::Status b = ReloadDir(*server_, "/nonexistent/city");
  grpc::Status c = ReloadDir(*server_, root_ + "/../../" + outside);
  std::filesystem::create_directory_symlink(outside, root_ + "/link");
  grpc::Status d = ReloadDir(*server_, root_ + "/link");
  for (const grpc::Status& s : {a, b, c, d}) {
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
    EXPECT_EQ(s.error_message(), a.error_message());
  }
  EXPECT_TRUE(absl::StartsWith(a.error_message(), "pack_dir:"));
  std::filesystem::copy(outside, root_ + "/city-b", std::filesystem::copy_options::recursive);
  grpc::Status ok = ReloadDir(*server_, root_ + "/x/../city-b");
  EXPECT_TRUE(ok.ok()) << ok.error_message();
  EXPECT_EQ(store_.Current()->snapshot->manifest().version, "B");
  // Inside the root but missing: the loader's own error.
  EXPECT_EQ(ReloadDir(*server_, root_ + "/missing").error_code(), grpc::StatusCode::NOT_FOUND);
}

// Idempotency keys are scoped by the principal: principal B re-using A's
// report_id files its own case (it neither learns A's case ref nor has its
// report swallowed); each principal's re-send gets its own first answer.
// Fault guarded: the key was global, so B's report with A's key got A's case.
TEST_F(AuthTest, IdempotencyKeysAreScopedByPrincipal) {
  auto route = [&](const std::string& token, const std::string& category) {
    grpc::ClientContext ctx;
    Bearer(&ctx, token);
    v1::RouteRequest req = HotlineReport(120.0005, 31.0005, category);
    req.set_report_id("ticket-1");
    v1::RouteResponse resp;
    grpc::Status s = server_->routing->Route(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.decision().case_ref();
  };
  auto batch = [&](const std::string& token, const std::string& category) {
    grpc::ClientContext ctx;
    Bearer(&ctx, token);
    v1::RouteBatchRequest req;
    *req.add_events() = HotlineReport(120.0005, 31.0005, category);
    req.mutable_events(0)->set_report_id("ticket-2");
    v1::RouteBatchResponse resp;
    grpc::Status s = server_->routing->RouteBatch(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.results_size() == 1 ? resp.results(0).decision().case_ref() : v1::CaseRef();
  };
  // Categories differ, so the two principals' reports never fold together:
  // one case each unless a key is (wrongly) shared.
  for (const auto& call : {std::function<v1::CaseRef(const std::string&, const std::string&)>(route),
                           std::function<v1::CaseRef(const std::string&, const std::string&)>(batch)}) {
    const v1::CaseRef a = call("tok-route", "0102");
    const v1::CaseRef b = call("tok-personal", "0501");
    ASSERT_FALSE(a.case_id().empty());
    ASSERT_FALSE(b.case_id().empty());
    EXPECT_FALSE(a.duplicate());
    EXPECT_FALSE(b.duplicate()) << "principal B got principal A's case " << b.case_id();
    EXPECT_NE(a.case_id(), b.case_id());
    // Each principal's re-send: its own first answer, nothing filed.
    const v1::CaseRef a2 = call("tok-route", "0102");
    const v1::CaseRef b2 = call("tok-personal", "0501");
    EXPECT_TRUE(a2.duplicate());
    EXPECT_EQ(a2.case_id(), a.case_id());
    EXPECT_EQ(a2.report_count(), a.report_count());
    EXPECT_TRUE(b2.duplicate());
    EXPECT_EQ(b2.case_id(), b.case_id());
  }
}

TEST_F(AuthTest, AuditLogHasOneLinePerPrivilegedOrRefusedCall) {
  const std::string id = FileCase(120.0005, 31.0005);           // not audited
  ASSERT_TRUE(Call(Rpc::kReload, "tok-admin", "").ok());          // 1
  ASSERT_TRUE(Call(Rpc::kUpdateCase, "tok-write", id).ok());      // 2
  ASSERT_FALSE(Call(Rpc::kRoute, "", "").ok());                   // 3
  ASSERT_FALSE(Call(Rpc::kReload, "tok-route", "").ok());         // 4
  ASSERT_TRUE(Call(Rpc::kInfo, "tok-route", "").ok());            // not audited
  const std::vector<std::string> lines =
      absl::StrSplit(ReadAll(dir_ + "/audit.jsonl"), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_TRUE(absl::StrContains(lines[0], "\"method\":\"/gridroute.v1.AdminService/Reload\""));
  EXPECT_TRUE(absl::StrContains(lines[0], "\"principal\":\"p-admin\""));
  EXPECT_TRUE(absl::StrContains(lines[0], "\"outcome\":\"OK\""));
  EXPECT_TRUE(absl::StrContains(lines[1], "CaseService/Update"));
  EXPECT_TRUE(absl::StrContains(lines[1], id));
  EXPECT_TRUE(absl::StrContains(lines[2], "UNAUTHENTICATED"));
  EXPECT_TRUE(absl::StrContains(lines[3], "PERMISSION_DENIED"));
  for (const std::string& l : lines) {
    EXPECT_TRUE(absl::StartsWith(l, "{\"time\":\"")) << l;
    EXPECT_TRUE(absl::StrContains(l, "\"peer\":")) << l;
    EXPECT_TRUE(absl::EndsWith(l, "}")) << l;
  }
}

TEST(AuditLogTest, StringsAreEscapedAndBounded) {
  EXPECT_EQ(JsonString("a\"b\\c\n\x01", 100), "\"a\\\"b\\\\c\\u000a\\u0001\"");
  const std::string long_cut = JsonString(std::string(1000, 'x'), 256);
  EXPECT_EQ(long_cut.size(), 256u + 5);  // quotes and "..."
  // Never cut inside a UTF-8 character.
  EXPECT_EQ(JsonString("张张", 4), "\"张...\"");
}

TEST(TokenTableTest, ErrorsNameLineAndField) {
  auto bad = [](const std::string& text) {
    auto t = TokenTable::Parse(text, "tokens.csv");
    EXPECT_FALSE(t.ok());
    return std::string(t.status().message());
  };
  const std::string h = "token_sha256,principal,roles,departments\n";
  EXPECT_TRUE(absl::StrContains(bad("token,who\n"), "tokens.csv:1: header"));
  EXPECT_TRUE(absl::StrContains(bad(h + "abc,ops,route,\n"), "tokens.csv:2: field 'token_sha256'"));
  std::string e = bad(h + Sha256Hex("x") + ",ops,route superuser,\n");
  EXPECT_TRUE(absl::StrContains(e, "tokens.csv:2: field 'roles': unknown role 'superuser'")) << e;
  EXPECT_TRUE(absl::StrContains(bad(h + Sha256Hex("x") + ",,route,\n"), "field 'principal'"));
  EXPECT_TRUE(absl::StrContains(
      bad(h + Sha256Hex("x") + ",a,route,\n" + Sha256Hex("x") + ",b,route,\n"), ":3:"));
  EXPECT_TRUE(absl::StrContains(bad(std::string(TokenTable::kMaxBytes + 1, '#')), "larger"));
  std::string many = h;
  for (int i = 0; i <= TokenTable::kMaxRows; ++i) {
    absl::StrAppend(&many, Sha256Hex(absl::StrCat(i)), ",p", i, ",route,\n");
  }
  EXPECT_TRUE(absl::StrContains(bad(many), "more than 10000 rows"));
  auto ok = TokenTable::Parse(h + Sha256Hex("t") + ",ops,route personal,D1 D2\n,cn-ops,admin\n", "f");
  ASSERT_TRUE(ok.ok()) << ok.status();
  const Principal* p = (*ok)->FindToken("t");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->name, "ops");
  EXPECT_TRUE(p->Has(kRoleRoute | kRolePersonal));
  EXPECT_FALSE(p->Has(kRoleAdmin));
  EXPECT_TRUE(p->Reaches("D2"));
  EXPECT_FALSE(p->Reaches("D3"));
  EXPECT_EQ((*ok)->FindToken("T"), nullptr);
  ASSERT_NE((*ok)->FindCertName("cn-ops"), nullptr);
  EXPECT_EQ((*ok)->FindToken(""), nullptr);  // the CN row has no token
}

// FindToken remembers the last token a thread resolved: a table parsed
// after it (a reload, possibly at the same address) must not answer from it.
TEST(TokenTableTest, RememberedTokenDoesNotOutliveItsTable) {
  const std::string h = "token_sha256,principal,roles,departments\n";
  for (int round = 0; round < 3; ++round) {
    auto a = TokenTable::Parse(h + Sha256Hex("secret") + ",ops,admin,\n", "a");
    ASSERT_TRUE(a.ok()) << a.status();
    ASSERT_NE((*a)->FindToken("secret"), nullptr);
    ASSERT_NE((*a)->FindToken("secret"), nullptr);  // the remembered answer
    EXPECT_EQ((*a)->FindToken("secreT"), nullptr);  // same length, other bytes
    a->reset();
    auto b = TokenTable::Parse(h + Sha256Hex("other") + ",cam,route,\n", "b");
    ASSERT_TRUE(b.ok()) << b.status();
    EXPECT_EQ((*b)->FindToken("secret"), nullptr) << "round " << round;
    ASSERT_NE((*b)->FindToken("other"), nullptr);
    EXPECT_EQ((*b)->FindToken("other")->name, "cam");
  }
}

TEST_F(AuthTest, BadTokenFileReloadKeepsTheOldOne) {
  Write(dir_ + "/tokens.csv", "token_sha256,principal,roles,departments\nnot-a-hash,x,route,\n");
  absl::Status st = tokens_->Reload();
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(absl::StrContains(st.message(), "tokens.csv:2")) << st.message();
  EXPECT_TRUE(Call(Rpc::kInfo, "tok-route", "").ok());
  // A good file takes effect: tok-route is gone, tok-new works.
  Write(dir_ + "/tokens.csv", "token_sha256,principal,roles,departments\n" +
                                  Sha256Hex("tok-new") + ",new,route,\n");
  ASSERT_TRUE(tokens_->Reload().ok());
  EXPECT_EQ(Call(Rpc::kInfo, "tok-route", "").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(Call(Rpc::kInfo, "tok-new", "").ok());
}

}  // namespace
}  // namespace gridroute

// Copyright 2026 gridroute authors.
#include "http/json_api.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/echo.h"
#include "gridroute/v1/admin.pb.h"
#include "gridroute/v1/cases.pb.h"
#include "gridroute/v1/routing.pb.h"
#include "http/http_reply.h"
#include "service/methods.h"

namespace gridroute {
namespace {

// A route for RPC `m`: its metric label, audit name and roles.
HttpRoute Rpc(const char* method, const char* pattern, MethodId m, HttpHandler h) {
  HttpRoute r;
  r.method = method;
  r.pattern = pattern;
  r.metric = kMethods[m].name;
  r.audit_name = kMethods[m].path;
  r.roles = kMethods[m].roles;
  r.handler = std::move(h);
  return r;
}

// The path's {id} into the request's case_id. A body that names another
// case is INVALID_ARGUMENT (google.api.http: the path wins; we refuse the
// ambiguity instead).
template <typename Req>
bool CaseIdFromPath(HttpCall& call, Req* req) {
  const std::string& id = call.path_params[0];
  if (!req->case_id().empty() && req->case_id() != id) {
    ReplyError(call, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                  absl::StrCat("case_id: the body's '", Echo(req->case_id()),
                                               "' differs from the path's '", Echo(id), "'")));
    return false;
  }
  req->set_case_id(id);
  return true;
}

// `r` with may_block set (http_router.h).
HttpRoute MayBlock(HttpRoute r, bool may_block) {
  r.may_block = may_block;
  return r;
}

}  // namespace

void RegisterJsonApi(HttpRouter* router) {
  GridrouteService* svc = router->service();
  // With cases on, a filing or an update waits for its journal commit and
  // a list or stats call may pass over every case: off the io threads.
  const bool cases = svc->options().cases != nullptr;
  router->Add(Rpc("POST", "/v1/locate", kMethodLocate, [svc](HttpCall& call) {
    v1::LocateRequest req;
    v1::LocateResponse resp;
    if (!ParseBody(call, &req)) return;
    Reply(call, svc->Locate(call.deadline, req, &resp), resp);
  }));
  router->Add(MayBlock(Rpc("POST", "/v1/route", kMethodRoute, [svc](HttpCall& call) {
    v1::RouteRequest req;
    v1::RouteResponse resp;
    if (!ParseBody(call, &req)) return;
    Reply(call, svc->Route(call.deadline, req, &resp, call.auth.who), resp);
  }), cases));
  // A batch (up to --max-batch items) takes milliseconds even without cases.
  router->Add(MayBlock(Rpc("POST", "/v1/route:batch", kMethodRouteBatch, [svc](HttpCall& call) {
    v1::RouteBatchRequest req;
    v1::RouteBatchResponse resp;
    if (!ParseBody(call, &req)) return;
    Reply(call, svc->RouteBatch(call.deadline, req, &resp, call.auth.who), resp);
  }), true));
  router->Add(Rpc("GET", "/v1/directory", kMethodDirectory, [svc](HttpCall& call) {
    v1::DirectoryRequest req;
    v1::DirectoryResponse resp;
    if (!ParseQuery(call, &req)) return;
    Reply(call, svc->DirectoryFor(call.deadline, req, &resp, call.auth.who), resp);
  }));
  router->Add(Rpc("GET", "/v1/info", kMethodInfo, [svc](HttpCall& call) {
    v1::InfoRequest req;
    v1::InfoResponse resp;
    if (!ParseQuery(call, &req)) return;
    Reply(call, svc->Info(call.deadline, &resp, call.auth.who), resp);
  }));
  router->Add(Rpc("GET", "/v1/cases/{id}", kMethodGetCase, [svc](HttpCall& call) {
    v1::GetCaseRequest req;
    v1::Case resp;
    if (!ParseQuery(call, &req) || !CaseIdFromPath(call, &req)) return;
    Reply(call, svc->GetCase(req, &resp, call.auth.who), resp);
  }));
  router->Add(MayBlock(Rpc("GET", "/v1/cases", kMethodListCases, [svc](HttpCall& call) {
    v1::ListCasesRequest req;
    v1::ListCasesResponse resp;
    if (!ParseQuery(call, &req)) return;
    Reply(call, svc->ListCases(req, &resp, call.auth.who), resp);
  }), cases));
  router->Add(MayBlock(Rpc("POST", "/v1/cases/{id}:update", kMethodUpdateCase, [svc](HttpCall& call) {
    v1::UpdateCaseRequest req;
    v1::Case resp;
    if (!ParseBody(call, &req) || !CaseIdFromPath(call, &req)) return;
    Reply(call, svc->UpdateCaseAudited(call.peer, req, &resp, call.auth.who), resp);
  }), cases));
  router->Add(MayBlock(Rpc("GET", "/v1/stats", kMethodCaseStats, [svc](HttpCall& call) {
    v1::CaseStatsRequest req;
    v1::CaseStatsResponse resp;
    if (!ParseQuery(call, &req)) return;
    Reply(call, svc->CaseStats(req, &resp, call.auth.who), resp);
  }), cases));
}

}  // namespace gridroute

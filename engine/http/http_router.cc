// Copyright 2026 gridroute authors.
#include "http/http_router.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <chrono>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/echo.h"
#include "http/http_reply.h"

namespace gridroute {
namespace {

constexpr uint32_t kAnyRole =
    kRoleRoute | kRolePersonal | kRoleCasesRead | kRoleCasesWrite | kRoleAdmin;

// The subject CN of the verified client certificate of a TLS call, if any.
std::vector<std::string> VerifiedCertNames(const httplib::Request& req) {
  std::vector<std::string> out;
  if (req.ssl == nullptr) return out;
  SSL* ssl = const_cast<SSL*>(req.ssl);
  if (SSL_get_verify_result(ssl) != X509_V_OK) return out;
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr) return out;
  char cn[256];
  const int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn,
                                          sizeof(cn));
  if (n > 0) out.emplace_back(cn, static_cast<size_t>(n));
  return out;
}

// Splits "/a/b/c:verb" into segments and the verb (after the last
// segment's last ':' when `with_verb`).
void SplitPath(absl::string_view path, bool with_verb, std::vector<absl::string_view>* segs,
               absl::string_view* verb) {
  *verb = {};
  if (with_verb) {
    const size_t slash = path.rfind('/');
    const size_t colon = path.rfind(':');
    if (colon != absl::string_view::npos && (slash == absl::string_view::npos || colon > slash)) {
      *verb = path.substr(colon + 1);
      path = path.substr(0, colon);
    }
  }
  *segs = absl::StrSplit(path, '/');
}

}  // namespace

bool IsLoopbackAddress(absl::string_view addr) {
  return absl::StartsWith(addr, "127.") || addr == "::1" ||
         absl::StartsWith(addr, "::ffff:127.");
}

std::string HttpPeer(const httplib::Request& req) {
  if (absl::StrContains(req.remote_addr, ':')) {
    return absl::StrCat("ipv6:[", req.remote_addr, "]:", req.remote_port);
  }
  return absl::StrCat("ipv4:", req.remote_addr, ":", req.remote_port);
}

HttpRouter::HttpRouter(GridrouteService* service)
    : service_(service), unrouted_slot_(service->metrics().Register("Unrouted")) {}

void HttpRouter::Add(HttpRoute route) {
  Entry e;
  std::vector<absl::string_view> segs;
  absl::string_view verb;
  SplitPath(route.pattern, true, &segs, &verb);
  for (absl::string_view s : segs) {
    e.segments.emplace_back(absl::StartsWith(s, "{") && absl::EndsWith(s, "}") ? "{}" : s);
  }
  e.verb = std::string(verb);
  if (route.audit_name.empty()) route.audit_name = absl::StrCat("HTTP ", route.method, " ", route.pattern);
  e.metric_slot = service_->metrics().Register(route.metric);
  any_may_block_ = any_may_block_ || route.may_block;
  e.route = std::move(route);
  for (Entry& old : routes_) {
    if (old.route.method == e.route.method && old.route.pattern == e.route.pattern) {
      old = std::move(e);
      return;
    }
  }
  routes_.push_back(std::move(e));
}

bool HttpRouter::Match(const Entry& e, absl::string_view path, std::vector<std::string>* params) {
  std::vector<absl::string_view> segs;
  absl::string_view verb;
  SplitPath(path, !e.verb.empty(), &segs, &verb);
  if (verb != e.verb || segs.size() != e.segments.size()) return false;
  params->clear();
  for (size_t i = 0; i < segs.size(); ++i) {
    if (e.segments[i] == "{}") {
      if (segs[i].empty()) return false;
      params->emplace_back(segs[i]);
    } else if (e.segments[i] != segs[i]) {
      return false;
    }
  }
  return true;
}

bool HttpRouter::Admit(const Entry& e, HttpCall* call) const {
  const HttpRoute& r = e.route;
  if (r.access == HttpAccess::kOpen) return true;
  if (r.access == HttpAccess::kLoopbackOrToken && call->loopback) return true;
  CallCredentials creds;
  creds.has_authorization = call->req->has_header("Authorization");
  std::string authorization;
  if (creds.has_authorization) {
    authorization = call->req->get_header_value("Authorization");
    creds.authorization = authorization;
  }
  creds.cert_names = VerifiedCertNames(*call->req);
  const uint32_t roles = r.access == HttpAccess::kRoles ? r.roles : kAnyRole;
  grpc::Status st = service_->AuthorizeCall(
      creds, [call] { return call->peer; }, r.audit_name, roles, &call->auth);
  if (st.ok()) return true;
  if (st.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    call->res->set_header("WWW-Authenticate", "Bearer");
  }
  ReplyError(*call, st);
  return false;
}

bool HttpRouter::MayBlock(const std::string& method, const std::string& path) const {
  if (!any_may_block_) return false;
  const std::string& m = method == "HEAD" ? std::string("GET") : method;
  std::vector<std::string> params;
  for (const Entry& e : routes_) {
    if (e.route.method == m && Match(e, path, &params)) return e.route.may_block;
  }
  return false;
}

void HttpRouter::Handle(const httplib::Request& req, httplib::Response& res) const {
  const auto start = std::chrono::steady_clock::now();
  HttpCall call;
  call.req = &req;
  call.res = &res;
  call.peer = HttpPeer(req);
  call.loopback = IsLoopbackAddress(req.remote_addr);
  const Entry* hit = nullptr;
  std::string allow;
  std::vector<std::string> params;
  const std::string method = req.method == "HEAD" ? "GET" : req.method;
  for (const Entry& e : routes_) {
    if (!Match(e, req.path, &params)) continue;
    if (e.route.method == method) {
      hit = &e;
      call.path_params = std::move(params);
      break;
    }
    absl::StrAppend(&allow, allow.empty() ? "" : ", ", e.route.method);
  }
  if (hit == nullptr) {
    if (!allow.empty()) {
      res.set_header("Allow", allow);
      ReplyHttpError(call, 405, 12 /*UNIMPLEMENTED*/,
                     absl::StrCat("method: ", Echo(req.method), " is not allowed on this path (",
                                  allow, ")"));
    } else {
      ReplyHttpError(call, 404, 5 /*NOT_FOUND*/,
                     absl::StrCat("path: no route for '", Echo(req.path), "'"));
    }
  } else if (Admit(*hit, &call)) {
    hit->route.handler(call);
  }
  const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::steady_clock::now() - start)
                         .count();
  service_->metrics().Record(Transport::kHttp, hit != nullptr ? hit->metric_slot : unrouted_slot_,
                             call.code, ns);
}

}  // namespace gridroute

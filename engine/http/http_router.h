// Copyright 2026 gridroute authors.
//
// HttpRouter: the table of HTTP routes of gridroute-server's --http-listen,
// and the one place every HTTP call passes: path match (404), method match
// (405), the same auth gate as gRPC (GridrouteService::AuthorizeCall: 401,
// 403, audited), the handler, then the call counted in the service's
// CallMetrics (transport "http").
//
// Extension point: a module adds its routes with Add() before the server
// starts (see json_api.h and ops_api.h for the existing ones):
//
// Example (compiled in tests/docs/header_examples_test.cc):
// clang-format off
//   HttpRoute grids;
//   grids.method = "GET";
//   grids.pattern = "/v1/grids";
//   grids.metric = "Grids";
//   grids.roles = kRoleRoute;
//   grids.handler = [&](HttpCall& call) { Reply(call, grpc::Status::OK, response); };
//   router.Add(std::move(grids));
// clang-format on
//
// Patterns are literal segments and "{name}" captures of one segment
// ("/v1/cases/{id}"); a custom verb follows the last segment after ':'
// ("/v1/cases/{id}:update", "/v1/route:batch"), as in google.api.http. A
// capture never matches "" or a segment with '/'; it may contain ':' only
// when the pattern has no verb. Captures arrive percent-decoded in
// HttpCall::path_params, in order.
//
// Thread-safety: Add before Start; Handle is then called concurrently by
// the server's threads and reads the table only. Lifetime: the router
// must outlive the server; `service` must outlive the router.
#ifndef GRIDROUTE_HTTP_HTTP_ROUTER_H_
#define GRIDROUTE_HTTP_HTTP_ROUTER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "httplib.h"
#include "service/grpc_service.h"

namespace gridroute {

// One HTTP call as a route's handler sees it.
struct HttpCall {
  const httplib::Request* req = nullptr;
  httplib::Response* res = nullptr;
  std::vector<std::string> path_params;  // the {name} captures, in order, decoded
  CallAuth auth;                         // auth.who: the caller (null: auth off)
  std::string peer;                      // "ipv4:127.0.0.1:50000" (audit lines)
  bool loopback = false;                 // the peer is 127.0.0.0/8 or ::1
  absl::Time deadline = absl::InfiniteFuture();
  // The status the handler answered with, as a gRPC code (0 OK): set by
  // the Reply helpers (http_reply.h); counted in gridroute_calls_total.
  int code = 0;
};

using HttpHandler = std::function<void(HttpCall& call)>;

enum class HttpAccess {
  kRoles,            // a caller holding one of `roles` (always allowed with auth off)
  kOpen,             // anyone (health probes): no data behind it
  kLoopbackOrToken,  // a loopback peer, or any known token/certificate (/metrics)
};

struct HttpRoute {
  std::string method;   // "GET", "POST", ... (HEAD is served as GET by the library)
  std::string pattern;  // see above
  std::string metric;   // the method label of gridroute_calls_total ("Route", "Grids")
  // The name refusals are audited under (the RPC's path for RPC routes).
  // Empty: "HTTP <method> <pattern>".
  std::string audit_name;
  HttpAccess access = HttpAccess::kRoles;
  uint32_t roles = kRoleRoute;  // kRoles: any one of these
  HttpHandler handler;
  // The handler may wait for milliseconds (a case filing waits for its
  // journal commit; a map query or a pass over the cases computes for
  // tens): the server runs it on its worker pool, not on an io thread that
  // other connections share.
  bool may_block = false;
};

class HttpRouter {
 public:
  explicit HttpRouter(GridrouteService* service);
  HttpRouter(const HttpRouter&) = delete;
  HttpRouter& operator=(const HttpRouter&) = delete;

  // Adds a route (before the server starts). A second route with the same
  // method and pattern replaces the first.
  void Add(HttpRoute route);

  // Serves one request (the server calls it for every method and path).
  void Handle(const httplib::Request& req, httplib::Response& res) const;
  // True if the route `method` and `path` reach is may_block (HEAD as
  // GET). Cheap when no route is: one load.
  bool MayBlock(const std::string& method, const std::string& path) const;
  bool any_may_block() const { return any_may_block_; }

  GridrouteService* service() const { return service_; }

 private:
  struct Entry {
    HttpRoute route;
    std::vector<std::string> segments;  // "{}" marks a capture
    std::string verb;                   // "" or "update"
    int metric_slot = -1;
  };
  // True if `path` matches `e` (captures into *params).
  static bool Match(const Entry& e, absl::string_view path, std::vector<std::string>* params);
  // The gate: false (with the answer written) when the caller is refused.
  bool Admit(const Entry& e, HttpCall* call) const;

  GridrouteService* const service_;
  std::vector<Entry> routes_;
  int unrouted_slot_ = -1;  // 404/405 answers, counted as method "Unrouted"
  bool any_may_block_ = false;
};

// "ipv4:1.2.3.4:80" / "ipv6:[::1]:80" as gRPC writes peers.
std::string HttpPeer(const httplib::Request& req);
bool IsLoopbackAddress(absl::string_view addr);

}  // namespace gridroute

#endif  // GRIDROUTE_HTTP_HTTP_ROUTER_H_

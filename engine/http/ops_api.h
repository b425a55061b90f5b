// Copyright 2026 gridroute authors.
//
// The operations routes of the HTTP listener:
//
//   GET /metrics  Prometheus text (0.0.4). Open to loopback peers; from
//                 elsewhere, with auth on, any known token or client
//                 certificate (any role): the page holds counts, no
//                 names, codes or cases.
//   GET /healthz  200 {"status":"ok"} while the process serves HTTP (liveness).
//   GET /readyz   200 when a snapshot is loaded and the listeners are healthy
//                 (readiness), else 503 naming what is missing. Open.
//
// The series (all prefixed gridroute_) are listed in engine/http/HTTP.md.
#ifndef GRIDROUTE_HTTP_OPS_API_H_
#define GRIDROUTE_HTTP_OPS_API_H_

#include <functional>
#include <string>

#include "http/http_router.h"

namespace gridroute {

struct OpsOptions {
  // The listeners' health (the gRPC listener's ConnectionGuard state, the
  // HTTP accept loop): "" when healthy, else why not. Null: healthy.
  std::function<std::string()> listener_problem;
  // Scrapes are cheap except the case stats (one pass over all cases):
  // they are recomputed at most this often (seconds).
  double case_stats_every_s = 10;
};

void RegisterOpsApi(HttpRouter* router, OpsOptions options);

// The whole /metrics page for `service` (exposed for tests).
std::string MetricsPage(const GridrouteService& service);

}  // namespace gridroute

#endif  // GRIDROUTE_HTTP_OPS_API_H_

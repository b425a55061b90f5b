// Copyright 2026 gridroute authors.
//
// The HTTP/JSON face of gridroute.v1 (google.api.http transcoding style):
// each route parses its request message from the body or the query string,
// calls the SAME GridrouteService handler the gRPC reactor calls, and
// answers the response message as JSON (protobuf's JSON mapping) or the
// error with the standard HTTP status (http_reply.h).
//
//   POST /v1/locate              LocateRequest      -> LocateResponse       (route)
//   POST /v1/route               RouteRequest       -> RouteResponse        (route)
//   POST /v1/route:batch         RouteBatchRequest  -> RouteBatchResponse   (route)
//   GET  /v1/directory?...       DirectoryRequest   -> DirectoryResponse    (route)
//   GET  /v1/info                                   -> InfoResponse         (route | admin)
//   GET  /v1/cases/{id}          GetCaseRequest     -> Case                 (cases-read)
//   GET  /v1/cases?...           ListCasesRequest   -> ListCasesResponse    (cases-read)
//   POST /v1/cases/{id}:update   UpdateCaseRequest  -> Case                 (cases-write, audited)
//   GET  /v1/stats?...           CaseStatsRequest   -> CaseStatsResponse    (cases-read)
//
// Roles, personal data, department scope, limits and errors are those of
// the gRPC methods (proto/gridroute/v1/*.proto); engine/http/HTTP.md has
// the details and curl examples.
#ifndef GRIDROUTE_HTTP_JSON_API_H_
#define GRIDROUTE_HTTP_JSON_API_H_

#include "http/http_router.h"

namespace gridroute {

// Adds the routes above to `router` (its service serves them).
void RegisterJsonApi(HttpRouter* router);

}  // namespace gridroute

#endif  // GRIDROUTE_HTTP_JSON_API_H_

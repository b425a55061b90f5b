// Copyright 2026 gridroute authors.
//
// The RPC methods of gridroute.v1, their names and the roles that open them:
// one table for the gRPC reactors, the HTTP/JSON routes (engine/http) and
// the call metrics, so both transports authorize and count the same way.
//
//   const MethodSpec& m = kMethods[kMethodRoute];
//   svc->AuthorizeCall(creds, peer, m.path, m.roles, &auth);
#ifndef GRIDROUTE_SERVICE_METHODS_H_
#define GRIDROUTE_SERVICE_METHODS_H_

#include <cstdint>

#include "service/auth.h"

namespace gridroute {

enum MethodId : int {
  kMethodLocate = 0,
  kMethodRoute,
  kMethodRouteBatch,
  kMethodRouteStream,
  kMethodInfo,
  kMethodDirectory,
  kMethodReload,
  kMethodGetCase,
  kMethodUpdateCase,
  kMethodListCases,
  kMethodCaseStats,
  kNumRpcMethods,
};

struct MethodSpec {
  const char* path;  // "/gridroute.v1.RoutingService/Route" (audit lines, errors)
  const char* name;  // "Route" (the metrics' method label)
  uint32_t roles;    // any one of these opens the method
};

inline constexpr MethodSpec kMethods[kNumRpcMethods] = {
    {"/gridroute.v1.RoutingService/Locate", "Locate", kRoleRoute},
    {"/gridroute.v1.RoutingService/Route", "Route", kRoleRoute},
    {"/gridroute.v1.RoutingService/RouteBatch", "RouteBatch", kRoleRoute},
    {"/gridroute.v1.RoutingService/RouteStream", "RouteStream", kRoleRoute},
    {"/gridroute.v1.AdminService/Info", "Info", kRoleRoute | kRoleAdmin},
    {"/gridroute.v1.AdminService/Directory", "Directory", kRoleRoute},
    {"/gridroute.v1.AdminService/Reload", "Reload", kRoleAdmin},
    {"/gridroute.v1.CaseService/Get", "GetCase", kRoleCasesRead},
    {"/gridroute.v1.CaseService/Update", "UpdateCase", kRoleCasesWrite},
    {"/gridroute.v1.CaseService/List", "ListCases", kRoleCasesRead},
    {"/gridroute.v1.CaseService/Stats", "CaseStats", kRoleCasesRead},
};

}  // namespace gridroute

#endif  // GRIDROUTE_SERVICE_METHODS_H_

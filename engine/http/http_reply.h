// Copyright 2026 gridroute authors.
//
// JSON in and out of an HttpCall, with protobuf's own JSON mapping (field
// names are the proto's JSON names, lowerCamelCase; enums by name;
// Timestamps RFC 3339; int64 as strings), and the errors of the HTTP/JSON
// API:
//
//   v1::RouteRequest req;
//   if (!ParseBody(call, &req)) return;              // 400 written
//   v1::RouteResponse resp;
//   Reply(call, svc->Route(call.deadline, req, &resp, call.auth.who), resp);
//
// An error is {"code": <grpc code number>, "message": "...", "status":
// "INVALID_ARGUMENT"} with the HTTP status of the standard mapping
// (HttpStatusFromGrpc). Messages are cut to 1 KiB like gRPC's.
#ifndef GRIDROUTE_HTTP_HTTP_REPLY_H_
#define GRIDROUTE_HTTP_HTTP_REPLY_H_

#include <string>

#include "google/protobuf/message.h"
#include "grpcpp/support/status.h"
#include "http/http_router.h"

namespace gridroute {

// google.rpc.Code -> HTTP status (google/rpc/code.proto's mapping):
// OK 200, INVALID_ARGUMENT/FAILED_PRECONDITION/OUT_OF_RANGE 400,
// UNAUTHENTICATED 401, PERMISSION_DENIED 403, NOT_FOUND 404,
// ALREADY_EXISTS/ABORTED 409, RESOURCE_EXHAUSTED 429, CANCELLED 499,
// UNIMPLEMENTED 501, UNAVAILABLE 503, DEADLINE_EXCEEDED 504, others 500.
int HttpStatusFromGrpc(int code);

// The error body for `code` and `message` (message cut to 1 KiB).
std::string ErrorJson(int code, absl::string_view message);

// Writes the error answer (HTTP status, JSON body); sets call.code.
void ReplyError(HttpCall& call, const grpc::Status& status);
// Writes an error with an explicit HTTP status (404, 405, 413 ...) and the
// gRPC code its body carries.
void ReplyHttpError(HttpCall& call, int http_status, int grpc_code, absl::string_view message);
// OK: `msg` as JSON, 200. Else the error.
void Reply(HttpCall& call, const grpc::Status& status, const google::protobuf::Message& msg);

// Parses the JSON body into `msg` (unknown fields refused, naming them).
// An empty body is an empty message. False: a 400 was written naming the
// problem, with a short echo of the body.
bool ParseBody(HttpCall& call, google::protobuf::Message* msg);
// Fills `msg` from the query string (google.api.http: ?field=value, the
// proto or JSON field name; a repeated field by repeating the parameter;
// Timestamps as RFC 3339). False: a 400 was written naming the parameter.
bool ParseQuery(HttpCall& call, google::protobuf::Message* msg);

}  // namespace gridroute

#endif  // GRIDROUTE_HTTP_HTTP_REPLY_H_

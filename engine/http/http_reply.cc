// Copyright 2026 gridroute authors.
#include "http/http_reply.h"

#include <algorithm>
#include <limits>
#include <map>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/echo.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "http/fast_json.h"
#include "service/audit_log.h"
#include "service/call_metrics.h"
#include "service/field_limits.h"

namespace gridroute {
namespace {

using google::protobuf::FieldDescriptor;

constexpr char kJson[] = "application/json";

// The field of `d` named `name` (proto name or JSON name), or null.
const FieldDescriptor* FindField(const google::protobuf::Descriptor* d, const std::string& name) {
  if (const FieldDescriptor* f = d->FindFieldByName(name)) return f;
  for (int i = 0; i < d->field_count(); ++i) {
    if (d->field(i)->json_name() == name) return d->field(i);
  }
  return nullptr;
}

std::string FieldNames(const google::protobuf::Descriptor* d) {
  std::string out;
  for (int i = 0; i < d->field_count(); ++i) {
    absl::StrAppend(&out, i > 0 ? ", " : "", d->field(i)->name());
  }
  return out;
}

// One query value as a JSON value for field `f`; false if it cannot be.
bool QueryValueJson(const FieldDescriptor* f, const std::string& v, std::string* out) {
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_BOOL:
      if (v != "true" && v != "false") return false;
      *out = v;
      return true;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      // Well-known types with a string JSON form (Timestamp, Duration).
      if (f->message_type()->full_name() != "google.protobuf.Timestamp" &&
          f->message_type()->full_name() != "google.protobuf.Duration") {
        return false;
      }
      [[fallthrough]];
    case FieldDescriptor::CPPTYPE_ENUM:
      // A name is a JSON string; a number must stay a JSON number.
      if (!v.empty() && std::all_of(v.begin(), v.end(), absl::ascii_isdigit)) {
        *out = v;
        return true;
      }
      *out = JsonString(v, v.size());
      return true;
    default:  // strings and numbers, quoted (the parser takes "12" for numbers)
      *out = JsonString(v, v.size());
      return true;
  }
}

}  // namespace

int HttpStatusFromGrpc(int code) {
  switch (code) {
    case 0: return 200;
    case 1: return 499;   // CANCELLED
    case 3: return 400;   // INVALID_ARGUMENT
    case 4: return 504;   // DEADLINE_EXCEEDED
    case 5: return 404;   // NOT_FOUND
    case 6: return 409;   // ALREADY_EXISTS
    case 7: return 403;   // PERMISSION_DENIED
    case 8: return 429;   // RESOURCE_EXHAUSTED
    case 9: return 400;   // FAILED_PRECONDITION
    case 10: return 409;  // ABORTED
    case 11: return 400;  // OUT_OF_RANGE
    case 12: return 501;  // UNIMPLEMENTED
    case 14: return 503;  // UNAVAILABLE
    case 16: return 401;  // UNAUTHENTICATED
    default: return 500;  // UNKNOWN, INTERNAL, DATA_LOSS, anything else
  }
}

std::string ErrorJson(int code, absl::string_view message) {
  const std::string m = CapMessage(std::string_view(message.data(), message.size()), kMaxStatusMessageBytes);
  return absl::StrCat("{\"code\":", code, ",\"message\":", JsonString(m, m.size()),
                      ",\"status\":\"", StatusCodeName(code), "\"}\n");
}

void ReplyHttpError(HttpCall& call, int http_status, int grpc_code, absl::string_view message) {
  call.code = grpc_code;
  call.res->status = http_status;
  call.res->set_content(ErrorJson(grpc_code, message), kJson);
}

void ReplyError(HttpCall& call, const grpc::Status& status) {
  const int code = static_cast<int>(status.error_code());
  ReplyHttpError(call, HttpStatusFromGrpc(code), code, status.error_message());
}

void Reply(HttpCall& call, const grpc::Status& status, const google::protobuf::Message& msg) {
  if (!status.ok()) {
    ReplyError(call, status);
    return;
  }
  std::string json;
  google::protobuf::util::JsonPrintOptions o;
  // The fast codec when it is sure of every byte, protobuf's converter
  // otherwise (fast_json.h).
  google::protobuf::util::Status st;
  if (!FastMessageToJson(msg, o, &json)) {
    json.clear();
    st = google::protobuf::util::MessageToJsonString(msg, &json, o);
  }
  if (!st.ok()) {
    ReplyError(call, grpc::Status(grpc::StatusCode::INTERNAL,
                                  absl::StrCat("answer: not printable as JSON: ",
                                               std::string(st.message()))));
    return;
  }
  json += '\n';
  call.code = 0;
  call.res->status = 200;
  call.res->set_content(std::move(json), kJson);
}

bool ParseBody(HttpCall& call, google::protobuf::Message* msg) {
  const std::string& body = call.req->body;
  if (absl::StripAsciiWhitespace(body).empty()) return true;  // {} by another name
  // The fast parser accepts only what it is sure of; protobuf's parser gives
  // every other answer, and its error messages (fast_json.h).
  if (FastJsonToMessage(body, msg)) return true;
  google::protobuf::util::JsonParseOptions o;
  o.ignore_unknown_fields = false;
  auto st = google::protobuf::util::JsonStringToMessage(body, msg, o);
  if (st.ok()) return true;
  // The parser's message may add the input and a caret on further lines.
  std::string why(st.message());
  why = why.substr(0, why.find('\n'));
  ReplyError(call, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                absl::StrCat("body: not a JSON ", msg->GetDescriptor()->full_name(),
                                             ": ", why,
                                             " (body starts '", Echo(body), "')")));
  return false;
}

bool ParseQuery(HttpCall& call, google::protobuf::Message* msg) {
  const google::protobuf::Descriptor* d = msg->GetDescriptor();
  // Group the parameters by field (a repeated field may come several times).
  std::map<const FieldDescriptor*, std::vector<std::string>> values;
  for (const auto& [key, value] : call.req->params) {
    const FieldDescriptor* f = FindField(d, key);
    if (f == nullptr) {
      ReplyError(call, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                    absl::StrCat("query: unknown parameter '", Echo(key),
                                                 "' (parameters: ", FieldNames(d), ")")));
      return false;
    }
    values[f].push_back(value);
  }
  std::string json = "{";
  for (const auto& [f, vs] : values) {
    if (!f->is_repeated() && vs.size() > 1) {
      ReplyError(call, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                    absl::StrCat("query: parameter '", f->name(),
                                                 "' given ", vs.size(), " times")));
      return false;
    }
    absl::StrAppend(&json, json.size() > 1 ? "," : "", "\"", f->json_name(), "\":",
                    f->is_repeated() ? "[" : "");
    for (size_t i = 0; i < vs.size(); ++i) {
      std::string v;
      if (!QueryValueJson(f, vs[i], &v)) {
        ReplyError(call, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                      absl::StrCat("query: parameter '", f->name(),
                                                   "' cannot be '", Echo(vs[i]), "'")));
        return false;
      }
      absl::StrAppend(&json, i > 0 ? "," : "", v);
    }
    if (f->is_repeated()) json += ']';
  }
  json += '}';
  if (FastJsonToMessage(json, msg)) return true;
  google::protobuf::util::JsonParseOptions o;
  auto st = google::protobuf::util::JsonStringToMessage(json, msg, o);
  if (st.ok()) return true;
  ReplyError(call, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                absl::StrCat("query: ", std::string(st.message()))));
  return false;
}

}  // namespace gridroute

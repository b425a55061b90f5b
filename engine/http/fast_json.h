// Copyright 2026 gridroute authors.
//
// A fast JSON codec for protobuf messages that gives the same answers as
// protobuf's own JSON mapping (util::MessageToJsonString /
// JsonStringToMessage, Debian's protobuf 3.21) on what it handles and says
// "not sure" (false) on everything else, so the caller falls back to
// protobuf:
//
//   std::string json;
//   if (!FastMessageToJson(msg, options, &json)) {
//     json.clear();
//     (void)google::protobuf::util::MessageToJsonString(msg, &json, options);
//   }
//   ...
//   if (!FastJsonToMessage(body, &req)) {
//     auto st = google::protobuf::util::JsonStringToMessage(body, &req, o);  // its errors
//   }
//
// Why: protobuf 3.21's converter serializes the message, resolves types
// through a google.protobuf.Type cache it rebuilds per call and allocates per
// field; on HTTP POST /v1/route it was ~25% of the request's CPU plus most
// of the ~20% in malloc (engine/http/HTTP.md, "Performance"). This codec walks
// the message with Reflection over a per-Descriptor table built once
// (fields in number order, JSON keys pre-quoted, a name -> field map;
// internal/fast_json_tables.h). fast_json_print.cc and fast_json_parse.cc
// hold the two directions.
//
// Printer (FastMessageToJson): proto3 scalars (32-bit integers as numbers,
// 64-bit as quoted strings, bool, double/float in protobuf's SimpleDtoa /
// SimpleFtoa form: "%.15g" or "%.17g" / "%.6g" or "%.9g", whichever reads
// back exactly; NaN/Infinity/-Infinity quoted), enums by name (number when
// unknown), strings with protobuf's JsonEscaping (control characters, '"',
// '\\', '<', '>', U+007F-U+009F and its list of invisible/format code
// points), bytes in base64, repeated fields, nested messages, proto3
// `optional` and oneofs (printed when present), google.protobuf.Timestamp
// (RFC 3339, 0/3/6/9 fraction digits). Default values are omitted exactly as
// protobuf does (a proto3 scalar is printed when its bits are non-zero, so
// -0.0 prints "-0"). Returns false, with `out` in an unspecified state, on:
// map fields, extensions, proto2 messages, other well-known types (Any,
// Struct, Duration, wrappers...), invalid UTF-8 in a string, a Timestamp out of protobuf's range, nesting
// deeper than kMaxFastJsonDepth, and options other than
// preserve_proto_field_names / always_print_enums_as_ints.
//
// Parser (FastJsonToMessage): one JSON object of known fields (JSON name or
// proto name), each at most once, with: integers as canonical decimal
// literals or quoted canonical decimals in the field's range; doubles as
// JSON numbers (integer literals of at most 15 digits, or with fraction /
// exponent, finite); bools; enums by exact name; strings (valid UTF-8, the
// JSON escapes, \uXXXX with surrogate pairs); nested objects; arrays for
// repeated fields; Timestamps as "YYYY-MM-DDTHH:MM:SS[.1-9 digits]Z".
// Everything else (null, maps, bytes, float fields, enum numbers, unknown
// names, duplicate keys, two members of a oneof, raw control characters,
// lone surrogates, trailing garbage, depth over kMaxFastJsonDepth, input over
// kMaxFastJsonBytes) returns false with `msg` cleared: protobuf then gives
// the answer and its error message. When it returns true, `msg` equals what
// JsonStringToMessage would give (tests/http/fast_json_test.cc and the
// differential fuzz target tests/fuzz/fuzz_json.cc check both directions).
//
// Thread-safe: the descriptor tables are built once under a mutex and never
// change; each call takes the mutex once. Cost on /v1/route's messages
// (bench/http_json_bench.cc, same run): BM_FastJsonParseRouteRequest 0.63 us
// (protobuf 10.8 us), BM_FastJsonPrintRouteResponse 3.1 us for 1.1 kB
// (protobuf 24.1 us); the parser allocates only the message's own strings
// and nested messages, the printer only to grow `out` (and per bytes field).
#ifndef GRIDROUTE_HTTP_FAST_JSON_H_
#define GRIDROUTE_HTTP_FAST_JSON_H_

#include <string>
#include <string_view>

#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"

namespace gridroute {

// Objects/arrays nested deeper than this make both directions say false.
inline constexpr int kMaxFastJsonDepth = 32;
// Inputs longer than this go to protobuf's parser (the HTTP body limit is
// lower anyway).
inline constexpr size_t kMaxFastJsonBytes = 4 << 20;

// Appends `msg` as JSON to `*out` (no trailing newline), byte-identical to
// MessageToJsonString(msg, out, options). False: not sure; the caller clears
// `*out` and uses protobuf.
bool FastMessageToJson(const google::protobuf::Message& msg,
                       const google::protobuf::util::JsonPrintOptions& options, std::string* out);

// Clears `*msg` and fills it from `json`. True: `*msg` equals what
// JsonStringToMessage(json, msg) (ignore_unknown_fields = false) gives.
// False: `*msg` is cleared; use JsonStringToMessage for the answer.
bool FastJsonToMessage(std::string_view json, google::protobuf::Message* msg);

}  // namespace gridroute

#endif  // GRIDROUTE_HTTP_FAST_JSON_H_

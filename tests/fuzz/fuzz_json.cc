// Copyright 2026 gridroute authors.
//
// The fast JSON codec (engine/http/fast_json.h) against protobuf's own JSON
// mapping, differentially. Input: one selector byte, then the JSON text.
//   selector % 8: RouteRequest, RouteBatchRequest, LocateRequest,
//   DirectoryRequest, UpdateCaseRequest, CaseStatsRequest, RouteResponse,
//   RouteBatchResponse
// Invariants checked:
//   - FastJsonToMessage true -> JsonStringToMessage succeeds and gives the
//     same message (the same wire bytes); false -> the message is cleared;
//   - for any message either parser produced, FastMessageToJson true -> the
//     bytes of MessageToJsonString; and it is never unsure of a message the
//     fast parser produced (valid UTF-8, Timestamps in range).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/util/json_util.h"
#include "gridroute/v1/admin.pb.h"
#include "gridroute/v1/cases.pb.h"
#include "gridroute/v1/routing.pb.h"
#include "http/fast_json.h"

namespace gridroute {
namespace {

const google::protobuf::Message& Prototype(uint8_t selector) {
  switch (selector % 8) {
    case 0: return v1::RouteRequest::default_instance();
    case 1: return v1::RouteBatchRequest::default_instance();
    case 2: return v1::LocateRequest::default_instance();
    case 3: return v1::DirectoryRequest::default_instance();
    case 4: return v1::UpdateCaseRequest::default_instance();
    case 5: return v1::CaseStatsRequest::default_instance();
    case 6: return v1::RouteResponse::default_instance();
    default: return v1::RouteBatchResponse::default_instance();
  }
}

// Prints `m` both ways; returns whether the fast printer was sure.
bool CheckPrint(const google::protobuf::Message& m, bool proto_names) {
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = proto_names;
  std::string fast;
  if (!FastMessageToJson(m, o, &fast)) return false;
  std::string slow;
  fuzz::Check(google::protobuf::util::MessageToJsonString(m, &slow, o).ok(),
              "protobuf prints what the fast printer printed");
  fuzz::Check(fast == slow, "the fast printer's bytes are protobuf's");
  return true;
}

}  // namespace
}  // namespace gridroute

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gridroute;
  static google::protobuf::LogSilencer* quiet = new google::protobuf::LogSilencer();
  (void)quiet;
  if (size == 0) return 0;
  const google::protobuf::Message& proto = Prototype(data[0]);
  const std::string_view json(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::unique_ptr<google::protobuf::Message> fast(proto.New()), slow(proto.New());
  const bool fast_ok = FastJsonToMessage(json, fast.get());
  google::protobuf::util::JsonParseOptions po;
  po.ignore_unknown_fields = false;
  const bool slow_ok =
      google::protobuf::util::JsonStringToMessage(
          google::protobuf::StringPiece(json.data(), json.size()), slow.get(), po)
          .ok();
  if (!fast_ok) {
    fuzz::Check(fast->ByteSizeLong() == 0, "a refused input leaves the message cleared");
  } else {
    fuzz::Check(slow_ok, "protobuf accepts what the fast parser accepted");
    fuzz::Check(fast->SerializeAsString() == slow->SerializeAsString(),
                "the fast parser's message is protobuf's");
    fuzz::Check(CheckPrint(*fast, data[0] & 0x80), "the fast printer is sure of a parsed message");
  }
  if (slow_ok) CheckPrint(*slow, data[0] & 0x40);
  return 0;
}

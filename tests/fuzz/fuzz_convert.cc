// Copyright 2026 gridroute authors.
//
// Proto -> event conversion (service/convert.h) as the RPC handlers run it:
// the bytes are parsed as a message, each event converted, routed on the
// fixed pack and the decision converted back (both views). Input: one
// selector byte, then the serialized message.
//   selector % 3: 0 RouteRequest, 1 RouteBatchRequest, 2 DetectionBatch
//   bit 7: a caller without the `personal` role
// Invariants checked: every error message is valid UTF-8 (it travels as a
// gRPC status message and in proto3 string fields); the answers written as
// wire bytes (the served path's writers) equal protobuf's serialization.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "service/codes_wire.h"
#include "service/convert.h"
#include "service/full_wire.h"

namespace gridroute {
namespace {

constexpr int kMaxEvents = 64;  // the handlers' own batch limit is far above

void CheckMessage(const absl::Status& s) {
  fuzz::CheckNotInternal(s, "conversion or routing");
  fuzz::Check(fuzz::IsValidUtf8(s.message()), "status messages are valid UTF-8");
}

// One converted event, routed and converted back as RouteResponse is.
void RouteAndAnswer(const Router& router, const Event& e, const RouteOptions& o, bool personal) {
  Decision d;
  absl::Status s = router.Route(e, o, &d);
  CheckMessage(s);
  if (!s.ok()) return;
  v1::RouteResponse full, codes;
  DecisionToProto(router.snapshot(), d, full.mutable_decision(), personal);
  DecisionCodesToProto(router.snapshot(), d, codes.mutable_codes());
  std::string out;
  fuzz::Check(full.SerializeToString(&out) && codes.SerializeToString(&out),
              "answers serialize");
  // The unary Route handler writes these answers as wire bytes
  // (service/route_wire.h): the same bytes.
  static const FullTables* full_tables = new FullTables(FullTables::Build(router.snapshot()));
  static const CodesTables* codes_tables = new CodesTables(CodesTables::Build(router.snapshot()));
  std::string wire;
  WireWriter w(&wire);
  AppendDecisionFull(*full_tables, router.snapshot(), d, personal, nullptr, /*field=*/1, &w);
  fuzz::Check(wire == full.SerializeAsString(), "the FULL wire answer is protobuf's");
  wire.clear();
  AppendDecisionCodes(*codes_tables, router.snapshot(), d, nullptr, /*field=*/3, &w);
  fuzz::Check(wire == codes.SerializeAsString(), "the CODES wire answer is protobuf's");
}

void RouteRequestCase(const Router& router, const v1::RouteRequest& r, bool personal) {
  CheckMessage(CheckView(r.view(), "view"));
  Event e;
  RouteOptions o;
  absl::Status s = EventFromProto(r, &e, &o);
  CheckMessage(s);
  if (s.ok()) RouteAndAnswer(router, e, o, personal);
}

void DetectionBatchCase(const Router& router, const v1::DetectionBatch& b, bool personal) {
  CheckMessage(CheckView(b.view(), "view"));
  const int n = std::min(b.detections_size(), kMaxEvents);
  std::vector<Event> events(n);
  std::vector<absl::Status> status(n);
  std::vector<Decision> out(n);
  RouteOptions o;
  for (int i = 0; i < n; ++i) {
    status[i] = EventFromProto(b.detections(i), b.snap_m(), &events[i], &o);
    CheckMessage(status[i]);
  }
  Router::BatchScratch scratch;
  router.RouteBatch(absl::MakeConstSpan(events), o, absl::MakeSpan(status), absl::MakeSpan(out),
                    &scratch);
  for (int i = 0; i < n; ++i) {
    CheckMessage(status[i]);
    if (!status[i].ok()) continue;
    // RouteBatch must answer as Route does.
    Decision single;
    fuzz::Check(router.Route(events[i], o, &single).ok(), "RouteBatch ok implies Route ok");
    fuzz::Check(single.location.grid == out[i].location.grid && single.rule == out[i].rule &&
                    single.lead == out[i].lead && single.deadline == out[i].deadline &&
                    single.outcome == out[i].outcome,
                "RouteBatch answers as Route");
    v1::DecisionBatch answer;
    v1::DetectionResult* r = answer.add_results();
    DecisionCodesToProto(router.snapshot(), out[i], r->mutable_codes());
    DecisionToProto(router.snapshot(), out[i], answer.add_results()->mutable_decision(), personal);
  }
}

}  // namespace
}  // namespace gridroute

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Inputs with invalid UTF-8 in string fields do not parse (as on the
  // wire); protobuf would log each one.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gridroute;
  if (size < 1) return 0;
  static const Router* router = new Router(fuzz::FixedSnapshot());
  const bool personal = (data[0] & 0x80) == 0;
  const uint8_t* msg = data + 1;
  const int len = static_cast<int>(size - 1);
  switch ((data[0] & 0x7f) % 3) {
    case 0: {
      v1::RouteRequest r;
      if (r.ParseFromArray(msg, len)) RouteRequestCase(*router, r, personal);
      break;
    }
    case 1: {
      v1::RouteBatchRequest b;
      if (!b.ParseFromArray(msg, len)) break;
      CheckMessage(CheckView(b.view(), "view"));
      for (int i = 0; i < b.events_size() && i < kMaxEvents; ++i) {
        RouteRequestCase(*router, b.events(i), personal);
      }
      break;
    }
    case 2: {
      v1::DetectionBatch b;
      if (b.ParseFromArray(msg, len)) DetectionBatchCase(*router, b, personal);
      break;
    }
  }
  return 0;
}

// Copyright 2026 gridroute authors.
//
// The CODES view of a RouteStream answer written straight from the snapshot
// into protobuf wire bytes, without building DecisionCodes messages: the
// camera stream's answer costs an append of ~190 bytes per detection
// instead of ~1 KB of arena objects written, measured and serialized.
//
//   WireWriter w(&bytes);
//   AppendDecisionCodes(snapshot, decision, case_or_null, &scratch, &w);
//
// The bytes are exactly what protobuf 3.21 writes for the same message
// (fields in number order, proto3 defaults left out, doubles by their bit
// pattern), so a client parses them as routing.proto's DecisionCodes /
// DetectionResult / DecisionBatch. tests/service/codes_wire_test.cc holds
// them against SerializeAsString() of the messages DecisionCodesToProto()
// builds.
//
// Thread-safety: stateless functions; a WireWriter belongs to one thread.
#ifndef GRIDROUTE_SERVICE_CODES_WIRE_H_
#define GRIDROUTE_SERVICE_CODES_WIRE_H_

#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/string_view.h"
#include "intake/case_desk.h"
#include "route/router.h"
#include "service/codes_tables.h"
#include "service/wire_writer.h"
#include "snapshot/snapshot.h"

namespace gridroute {

// Reusable buffers for the nested messages (one per thread).
struct WireScratch {
  std::string codes, nested;
};

// Appends the DecisionCodes of `d` (routed or outside coverage) with
// `case_ref` (null: none) as field `field` of the enclosing message.
// Field by field from the snapshot's model objects: the reference the
// CodesTables form below is tested against.
void AppendDecisionCodes(const Snapshot& s, const Decision& d, const CaseOutcome* case_ref,
                         int field, WireScratch* scratch, WireWriter* w);

// The same bytes from `tables` (compiled from `s`, service/codes_tables.h):
// the region chain, the rule's id and departments, category and urgency
// are ready fragments; the output grows once per decision and is written
// through a raw pointer (no per-field append), the nested lengths computed
// up front. RouteStream's CODES path.
void AppendDecisionCodes(const CodesTables& tables, const Snapshot& s, const Decision& d,
                         const CaseOutcome* case_ref, int field, WireWriter* w);

// Starts fetching what AppendDecisionCodes(tables, ...) will read for `d`
// (grid code, region chain, rule fragment, person ids, component code);
// nothing for a failed item.
void PrefetchDecisionCodes(const CodesTables& tables, const Snapshot& s, const Decision& d,
                           const absl::Status& status);

// routing.proto's Location.How number of `h` (INSIDE 1 ... OUTSIDE 4).
int HowNumber(How h);

// google.protobuf.Timestamp of t as field `field` (always written: a set
// message), floor seconds and nanos as service/convert.h TimeToProto.
void AppendTimestamp(absl::Time t, int field, std::string* scratch, WireWriter* w);

}  // namespace gridroute

#endif  // GRIDROUTE_SERVICE_CODES_WIRE_H_

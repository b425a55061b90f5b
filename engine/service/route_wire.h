// Copyright 2026 gridroute authors.
//
// The unary Route answer (a serialized RouteResponse) written straight from
// the snapshot, as RouteStream writes its batches (codes_wire.h,
// full_wire.h): no Decision or DecisionCodes message is built on an arena
// and serialized.
//
//   std::string bytes;
//   AppendRouteResponseWire(served, decision, case_or_null, /*codes=*/false,
//                           /*personal=*/true, &bytes);
//
// The bytes are exactly what protobuf 3.21 writes for the RouteResponse
// that GridrouteService::Route fills for the same decision (fields in
// number order: decision 1 (FULL), snapshot 2, codes 3 (CODES));
// tests/service/route_wire_test.cc holds them against SerializeAsString().
//
// Thread-safety: stateless; the snapshot is immutable.
#ifndef GRIDROUTE_SERVICE_ROUTE_WIRE_H_
#define GRIDROUTE_SERVICE_ROUTE_WIRE_H_

#include <string>

#include "intake/case_desk.h"
#include "route/router.h"
#include "service/snapshot_store.h"
#include "service/wire_writer.h"

namespace gridroute {

// Appends RouteResponse{decision or codes of `d`, with `case_ref` (null:
// none) as its case_ref; snapshot} to `out`. `codes`: the CODES view, else
// FULL; `personal`: FULL carries names, phones and layer owners
// (DecisionToProto's `personal`).
void AppendRouteResponseWire(const ServedSnapshot& served, const Decision& d,
                             const CaseOutcome* case_ref, bool codes, bool personal,
                             std::string* out);

// A SnapshotRef {version 1, generation 2, time_zone 3} as field 2 of the
// enclosing message (RouteResponse, DecisionBatch), as SnapshotRefToProto.
// `nested` is scratch.
void AppendSnapshotRef(const ServedSnapshot& s, std::string* nested, WireWriter* w);

}  // namespace gridroute

#endif  // GRIDROUTE_SERVICE_ROUTE_WIRE_H_

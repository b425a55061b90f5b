// Copyright 2026 gridroute authors.
//
// The FULL view of a RouteStream answer written straight from the snapshot
// into protobuf wire bytes, as codes_wire.h does for CODES: no Decision,
// Location, Department, TeamMember or LayerOwner messages are built on an
// arena, sized and serialized; the department, region, rule, category and
// layer parts are ready fragments compiled once per snapshot (FullTables),
// person names, phones and ids are copied from the snapshot's string tables.
//
//   FullTables t = FullTables::Build(snapshot);   // ServedSnapshot does it
//   WireWriter w(&bytes);
//   AppendDecisionFull(t, snapshot, decision, personal, case_or_null, 3, &w);
//
// The bytes are exactly what protobuf 3.21 writes for the Decision that
// service/convert.h DecisionToProto builds (plus the CaseRef the service
// adds): fields in number order, proto3 defaults left out, set sub-messages
// written even when empty, doubles by their bit pattern.
// tests/service/full_wire_test.cc holds them against SerializeAsString()
// for decisions in every grid of a generated city.
//
// Thread-safety: FullTables is immutable after Build(); the functions are
// stateless.
#ifndef GRIDROUTE_SERVICE_FULL_WIRE_H_
#define GRIDROUTE_SERVICE_FULL_WIRE_H_

#include "intake/case_desk.h"
#include "route/router.h"
#include "service/codes_wire.h"
#include "service/full_tables.h"
#include "snapshot/snapshot.h"

namespace gridroute {

// Appends the Decision of `d` (routed or outside coverage) as field `field`
// of the enclosing message: DecisionToProto(s, d, personal) with
// `case_ref` (null: none) as its case_ref. Without `personal`, no person
// names or phones and no layer owners or contacts, as DecisionToProto.
void AppendDecisionFull(const FullTables& tables, const Snapshot& s, const Decision& d,
                        bool personal, const CaseOutcome* case_ref, int field, WireWriter* w);

// Starts fetching what AppendDecisionFull will read for `d` from the
// snapshot's string tables (grid code, person ids, the component's code);
// nothing for a failed item.
void PrefetchDecisionFull(const Snapshot& s, const Decision& d, const absl::Status& status);

}  // namespace gridroute

#endif  // GRIDROUTE_SERVICE_FULL_WIRE_H_

// Copyright 2026 gridroute authors.
//
// Conversions between the gridroute.v1 messages and the core's plain structs.
// Pure functions: no gRPC, no I/O, no locks.
//
//   Event e; RouteOptions o;
//   RETURN_IF_ERROR(EventFromProto(request, &e, &o));
//   RETURN_IF_ERROR(served.router.Route(e, o, &d));
//   DecisionToProto(*served.snapshot, d, response.mutable_decision());
//
// Errors are InvalidArgument naming the proto field ("reported_at: …",
// "point.crs: …"). Cost: a few hundred ns per decision, dominated by the
// string copies of names and phones into the message (arena-allocated when
// the message is).
#ifndef GRIDROUTE_SERVICE_CONVERT_H_
#define GRIDROUTE_SERVICE_CONVERT_H_

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gridroute/v1/admin.pb.h"
#include "gridroute/v1/cases.pb.h"
#include "gridroute/v1/routing.pb.h"
#include "cases/case_store.h"
#include "route/router.h"
#include "service/snapshot_store.h"

namespace gridroute {

// Timestamp <-> absl::Time. TimeFromProto: InvalidArgument naming `field`
// when nanos is outside [0, 1e9) or seconds outside 0001..9999.
absl::Status TimeFromProto(const google::protobuf::Timestamp& t, const char* field,
                           absl::Time* out);
void TimeToProto(absl::Time t, google::protobuf::Timestamp* out);

// point -> (has_point, x, y, crs). An absent point gives has_point = false.
absl::Status PointFromProto(const v1::Point& p, bool has_point, bool* out_has, double* x,
                            double* y, Crs* crs);

absl::Status EventFromProto(const v1::RouteRequest& r, Event* e, RouteOptions* o);
// A detection is an event reported at its frame time.
absl::Status EventFromProto(const v1::Detection& d, double snap_m, Event* e, RouteOptions* o);

void LocationToProto(const Snapshot& s, const LocateResult& r, v1::Location* out);
// `personal` false (a caller without the `personal` role): team members
// keep their role and person_id but carry no name or phone, and layer
// owners no owner or owner_contact (a 门前三包 owner is often a person).
// REQUIRES: `d` was produced by a Router over `s`.
void DecisionToProto(const Snapshot& s, const Decision& d, v1::Decision* out,
                     bool personal = true);
// The CODES view of the same decision: codes and ids only, read straight
// from the snapshot (no names, phones or channels; no std::string
// temporaries). Every field equals the matching one of DecisionToProto.
// REQUIRES: `d` was produced by a Router over `s`.
void DecisionCodesToProto(const Snapshot& s, const Decision& d, v1::DecisionCodes* out);
// DECISION_VIEW_FULL / CODES pass; any other number is InvalidArgument
// naming `field`.
absl::Status CheckView(int view, const char* field);
void SnapshotRefToProto(const ServedSnapshot& s, v1::SnapshotRef* out);

// Cases (cases.proto). `now` and `calendar` decide overdue.
void CaseToProto(const CaseView& c, absl::Time now, const WorkingCalendar& calendar,
                 v1::Case* out);
// CASE_STATE_* <-> CaseState; InvalidArgument naming `field` for
// UNSPECIFIED or an unknown number.
absl::Status CaseStateFromProto(v1::CaseState s, const char* field, CaseState* out);
v1::CaseState CaseStateToProto(CaseState s);

}  // namespace gridroute

#endif  // GRIDROUTE_SERVICE_CONVERT_H_

// Copyright 2026 gridroute authors.
//
// Router: who must handle this problem here, by when.
//
//   Router router(snapshot);               // cheap; one per thread or shared
//   Decision d;
//   RETURN_IF_ERROR(router.Route(event, {}, &d));
//   d.lead; d.helpers; d.team; d.deadline; d.rule;
//
// One call: convert the point to the pack's CRS, locate it, pick the winning
// rule (one array read: the rule table is compiled at load), add the grid
// team (leader, member, the specialist of the category's specialty), layer
// owners and component owners, and compute the deadline on the working
// calendar. Bad input is InvalidArgument naming the field and value; a
// category no rule covers here is NotFound; a point in no grid is a result
// (Decision::outcome == kOutsideCoverage), not an error.
//
// Thread-safety: Route() is const and safe from many threads; `out` must be
// per thread. Reusing one Decision across calls avoids all allocation in the
// steady state. The Router pins its snapshot for its lifetime.
#ifndef GRIDROUTE_ROUTE_ROUTER_H_
#define GRIDROUTE_ROUTE_ROUTER_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "geo/crs.h"
#include "route/category_lookup.h"
#include "route/compiled_rules.h"
#include "snapshot/snapshot.h"

namespace gridroute {

struct Event {
  // The point and its CRS. Optional only for a component named by code.
  bool has_point = true;
  double x = 0, y = 0;  // lon/lat (or easting/northing)
  Crs crs;
  CategoryType category_type = CategoryType::kEvent;
  std::string category;        // code, e.g. "0102"
  std::string urgency;         // empty: the category's first allowed urgency
  absl::Time reported_at = absl::InfinitePast();  // required
  std::string component_code;  // optional (component reports)
};

struct RouteOptions {
  // Snap a point outside every grid to the nearest grid within this many
  // metres (0 = off).
  double snap_m = 0;
  // For a component report without a code: the nearest component of the
  // category within this many metres is taken as the one reported.
  double component_radius_m = 30;
};

enum class Outcome : uint8_t { kRouted = 0, kOutsideCoverage = 1 };
const char* OutcomeName(Outcome o);  // "routed", "outside_coverage"

struct Decision {
  Outcome outcome = Outcome::kRouted;
  LocateResult location;
  IPoint point;                    // where, on the pack's lattice (the component's point for a component named by code)
  std::vector<int32_t> chain;      // region per hierarchy level (-1: none)
  int32_t category = -1;           // Categories index
  int32_t urgency = -1;            // Categories::urgencies() index
  uint32_t rule = ~0u;             // RuleTable index (~0u when outside)
  int32_t lead = -1;               // department
  std::vector<int32_t> helpers;    // departments
  std::vector<TeamAssignment> team;
  std::vector<int32_t> layers;     // every layer covering the point
  int32_t component = -1;          // Components index, -1 if none
  bool component_by_code = false;
  double component_distance_m = 0; // point-only reports
  absl::Time deadline = absl::InfiniteFuture();
  const Snapshot* snapshot = nullptr;  // the snapshot that answered (pinned by the Router)
};

class Router {
 public:
  // REQUIRES: snapshot != nullptr.
  explicit Router(std::shared_ptr<const Snapshot> snapshot);

  absl::Status Route(const Event& event, const RouteOptions& options, Decision* out) const;

  // Reusable buffers of RouteBatch (one per thread; no allocation once warm).
  struct BatchScratch {
    std::vector<uint32_t> index;
    std::vector<IPoint> points;
    std::vector<LocateResult> located;
  };
  // Routes events[i] into out[i] with status[i], exactly as Route() would
  // (an entry whose status[i] is not OK on entry is skipped and keeps it:
  // the caller's own validation error),
  // sharing `options`: the points are located together (the index overlaps
  // their cache misses) and the grids' records are fetched before the first
  // is read. The camera stream's path. REQUIRES: status and out are at
  // least events.size() long.
  void RouteBatch(absl::Span<const Event> events, const RouteOptions& options,
                  absl::Span<absl::Status> status, absl::Span<Decision> out,
                  BatchScratch* scratch) const;

  // The located grid without routing (the Locate RPC); converts the CRS.
  absl::Status Locate(bool has_point, double x, double y, const Crs& crs,
                      const LocateOptions& options, LocateResult* out) const;

  const Snapshot& snapshot() const { return *snapshot_; }

 private:
  absl::Status ToLattice(double x, double y, const Crs& crs, IPoint* p) const;
  // Route() in two halves around the locate: Prepare() checks the event
  // and sets category, urgency and point; Finish() takes d->location and
  // fills in the rest.
  absl::Status Prepare(const Event& e, const RouteOptions& o, Decision* d) const;
  absl::Status Finish(const Event& e, const RouteOptions& o, Decision* d) const;
  // The deadline of rule `r` for d->urgency, reported at `e.reported_at`
  // (= `sec` whole Unix seconds + `ticks` quarter-nanoseconds).
  absl::Time Deadline(const Event& e, int64_t sec, uint32_t ticks, uint32_t r,
                      int32_t urgency) const;

  std::shared_ptr<const Snapshot> snapshot_;
  // Input CRS (wgs84, cgcs2000, gcj02, bd09) -> pack CRS; EPSG inputs build
  // a transform per call (slow path).
  std::array<std::unique_ptr<CrsTransform>, 4> to_pack_;
  Crs pack_crs_;
  // Category and urgency names -> hot fields, one probe each.
  CategoryLookup categories_;
  // The rule table's hot part: list winners, rules' lead/helpers/window,
  // deadlines as integers (route/compiled_rules.h).
  CompiledRules compiled_;
};

}  // namespace gridroute

#endif  // GRIDROUTE_ROUTE_ROUTER_H_

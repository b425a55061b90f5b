// Copyright 2026 gridroute authors.
#include "service/route_wire.h"

#include "service/codes_wire.h"
#include "service/full_wire.h"

namespace gridroute {

void AppendSnapshotRef(const ServedSnapshot& s, std::string* nested, WireWriter* w) {
  nested->clear();
  WireWriter r(nested);
  r.String(1, s.snapshot->manifest().version);
  r.Int(2, static_cast<int64_t>(s.generation));
  r.String(3, s.snapshot->calendar().time_zone().name());
  w->Bytes(2, *nested);
}

void AppendRouteResponseWire(const ServedSnapshot& served, const Decision& d,
                             const CaseOutcome* case_ref, bool codes, bool personal,
                             std::string* out) {
  thread_local std::string nested;
  WireWriter w(out);
  if (codes) {
    AppendSnapshotRef(served, &nested, &w);
    AppendDecisionCodes(served.codes, *served.snapshot, d, case_ref, /*field=*/3, &w);
  } else {
    AppendDecisionFull(served.full, *served.snapshot, d, personal, case_ref, /*field=*/1, &w);
    AppendSnapshotRef(served, &nested, &w);
  }
}

}  // namespace gridroute

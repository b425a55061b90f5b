// Copyright 2026 gridroute authors.
#include "feed/feed_event.h"

#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "common/json_string.h"
#include "geo/crs.h"

namespace gridroute {
namespace {

void AppendString(absl::string_view key, absl::string_view s, std::string* out) {
  absl::StrAppend(out, ",\"", key, "\":");
  AppendJsonString(std::string_view(s.data(), s.size()), out);
}

// The report's point in WGS-84, when its CRS is one of the built-in ones.
bool Wgs84Point(const Event& e, LonLat* p) {
  if (!e.has_point || !std::isfinite(e.x) || !std::isfinite(e.y)) return false;
  const LonLat in{e.x, e.y};
  switch (e.crs.kind) {
    case CrsKind::kWgs84:
    case CrsKind::kCgcs2000: *p = in; return true;
    case CrsKind::kGcj02: *p = Gcj02ToWgs84(in); return true;
    case CrsKind::kBd09: *p = Bd09ToWgs84(in); return true;
    case CrsKind::kEpsg: return false;
  }
  return false;
}

}  // namespace

std::string FeedEventJson(const Event& e, const Decision& d, absl::string_view case_id) {
  const Snapshot& s = *d.snapshot;
  std::string out;
  out.reserve(256);
  absl::StrAppend(&out, "{\"t\":", absl::ToUnixMillis(e.reported_at));
  LonLat p;
  if (Wgs84Point(e, &p)) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), ",\"lon\":%.7f,\"lat\":%.7f", p.lon, p.lat);
    out.append(buf);
  }
  const bool routed = d.outcome == Outcome::kRouted;
  if (routed && d.location.grid != kNoGrid) AppendString("grid", s.grid_code(d.location.grid), &out);
  if (d.category >= 0 && d.category < s.categories().size()) {
    AppendString("category", s.categories().at(d.category).code, &out);
    AppendString("category_name", s.categories().at(d.category).name, &out);
  }
  if (routed && d.lead >= 0 && d.lead < s.departments().size()) {
    AppendString("lead", s.departments().at(d.lead).code, &out);
    AppendString("lead_name", s.departments().at(d.lead).name, &out);
  }
  AppendString("outcome", OutcomeName(d.outcome), &out);
  if (!case_id.empty()) AppendString("case", case_id, &out);
  out.push_back('}');
  return out;
}

}  // namespace gridroute

// Copyright 2026 gridroute authors.
#include "cli/route_command.h"

#include <cmath>
#include <cstdio>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/command_io.h"
#include "common/csv.h"
#include "common/echo.h"
#include "common/report_checks.h"
#include "common/status_macros.h"

namespace gridroute {

bool ParseReportTime(absl::string_view text, const absl::TimeZone& zone, absl::Time* out) {
  std::string err;
  const std::string s(text);
  if (absl::ParseTime(absl::RFC3339_full, s, out, &err)) return true;
  for (const char* fmt : {"%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M",
                          "%Y-%m-%d %H:%M"}) {
    if (absl::ParseTime(fmt, s, zone, out, &err)) return true;
  }
  return false;
}

namespace {
// Echo (common/echo.h) of a field: here absl::string_view is not std's.
std::string EchoField(absl::string_view v) { return Echo(std::string_view(v.data(), v.size())); }

// The input's columns by name (-1: absent).
struct RouteColumns {
  int lon, lat, category, time, type, urgency, component, crs;
};

absl::StatusOr<RouteColumns> FindRouteColumns(const std::vector<std::string>& header,
                                              const RouteCommandOptions& options,
                                              const CsvReader& in) {
  RouteColumns c;
  c.lon = FindColumn(header, options.lon_col);
  c.lat = FindColumn(header, options.lat_col);
  c.category = FindColumn(header, "category");
  c.time = FindColumn(header, "reported_at");
  c.type = FindColumn(header, "category_type");
  c.urgency = FindColumn(header, "urgency");
  c.component = FindColumn(header, "component_code");
  c.crs = FindColumn(header, "crs");
  for (auto [col, name] : {std::pair{c.lon, options.lon_col}, std::pair{c.lat, options.lat_col},
                           std::pair{c.category, std::string("category")},
                           std::pair{c.time, std::string("reported_at")}}) {
    if (col < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(options.in, ":", in.line(), ": no column '", name, "' in the header"));
    }
  }
  return c;
}

// The decision columns that follow the input's (RouteHeader).
constexpr const char* kDecisionColumns[] = {
    "rule", "lead_dept", "helper_depts", "leader", "member", "specialist",
    "layer_owners", "component", "component_owners", "urgency_used", "deadline"};

void WriteRouteHeader(const std::vector<std::string>& header,
                      const std::vector<std::string>& levels, CsvWriter* out) {
  for (const auto& f : header) out->Field(f);
  for (const char* h : {"grid", "how", "distance_m"}) out->Field(h);
  for (const auto& l : levels) out->Field(l);
  for (const char* h : kDecisionColumns) out->Field(h);
  for (const char* h : {"outcome", "error"}) out->Field(h);
  out->EndRecord();
}

// Row `row` into `e`; the first problem as InvalidArgument naming the
// column.
absl::Status ParseRouteRow(const std::vector<std::string>& row, const RouteColumns& c,
                           const Crs& default_crs, const absl::TimeZone& zone,
                           const ReportTimeWindow& times, Event* e) {
  auto field = [&](int col) -> absl::string_view {
    return col >= 0 && static_cast<size_t>(col) < row.size() ? absl::string_view(row[col])
                                                              : absl::string_view();
  };
  e->has_point = !field(c.lon).empty() || !field(c.lat).empty();
  e->component_code = std::string(field(c.component));
  e->category = std::string(field(c.category));
  e->urgency = std::string(field(c.urgency));
  e->category_type = CategoryType::kEvent;
  if (!field(c.type).empty() && !ParseCategoryType(field(c.type), &e->category_type)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "category_type: '", EchoField(field(c.type)), "' is not event or component"));
  }
  if (e->has_point &&
      (!absl::SimpleAtod(field(c.lon), &e->x) || !absl::SimpleAtod(field(c.lat), &e->y))) {
    return absl::InvalidArgumentError(absl::StrCat("lon/lat: '", EchoField(field(c.lon)), "', '",
                                                   EchoField(field(c.lat)), "' are not numbers"));
  }
  if (field(c.crs).empty()) {
    e->crs = default_crs;
  } else if (auto crs = ParseCrs(field(c.crs)); crs.ok()) {
    e->crs = *crs;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("crs: ", crs.status().message()));
  }
  if (!ParseReportTime(field(c.time), zone, &e->reported_at)) {
    return absl::InvalidArgumentError(
        absl::StrCat("reported_at: '", EchoField(field(c.time)), "' is not an ISO-8601 time"));
  }
  return CheckReportTime(e->reported_at, "reported_at", times, "this machine's");
}

// The location and decision columns of a decided row.
void WriteDecision(const Snapshot& snap, const Decision& d, const absl::TimeZone& zone,
                   CsvWriter* out) {
  const auto& levels = snap.hierarchy().levels();
  auto dept = [&](int32_t i) { return i < 0 ? std::string() : snap.departments().at(i).code; };
  if (d.location.grid == kNoGrid) {
    out->Field("");
    out->Field(HowName(d.location.how));
    out->Field("");
    for (size_t i = 0; i < levels.size(); ++i) out->Field("");
  } else {
    out->Field(snap.grid_code(d.location.grid));
    out->Field(HowName(d.location.how));
    out->Field(absl::StrFormat("%.3f", d.location.distance_m));
    for (int32_t c : d.chain) out->Field(c < 0 ? "" : snap.hierarchy().region(c).code);
  }
  const bool routed = d.outcome == Outcome::kRouted;
  out->Field(routed ? snap.rules().rule(d.rule).id : "");
  out->Field(dept(d.lead));
  std::vector<std::string> helpers, leaders, members, specialists, owners;
  for (int32_t h : d.helpers) helpers.push_back(dept(h));
  for (const TeamAssignment& t : d.team) {
    const std::string& p = snap.teams().person(t.person).id;
    (t.role == TeamRole::kLeader       ? leaders
     : t.role == TeamRole::kMember     ? members
     : t.role == TeamRole::kSpecialist ? specialists
                                       : members)
        .push_back(p);
  }
  for (int32_t l : d.layers) owners.push_back(snap.layers().at(l).owner);
  out->Field(absl::StrJoin(helpers, "|"));
  out->Field(absl::StrJoin(leaders, "|"));
  out->Field(absl::StrJoin(members, "|"));
  out->Field(absl::StrJoin(specialists, "|"));
  out->Field(absl::StrJoin(owners, "|"));
  if (d.component >= 0) {
    const Component& c = snap.components().at(d.component);
    out->Field(snap.components().code(d.component));
    out->Field(absl::StrCat("owner=", dept(c.owner), "|property=", dept(c.property),
                            "|maintainer=", dept(c.maintainer)));
  } else {
    out->Field("");
    out->Field("");
  }
  out->Field(routed ? snap.categories().urgencies()[d.urgency] : "");
  out->Field(routed ? absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", d.deadline, zone) : "");
}

}  // namespace

absl::StatusOr<RouteCommandStats> RunRoute(const Router& router,
                                           const RouteCommandOptions& options) {
  const Snapshot& snap = router.snapshot();
  ASSIGN_OR_RETURN(Crs default_crs, ParseCrs(options.crs));
  // The output is opened only once the input and its header are known good,
  // and never when it is the input (command_io.h).
  ASSIGN_OR_RETURN(CommandInput input, OpenCommandInput(options.in));
  CsvReader& in = input.reader;
  std::vector<std::string>& row = input.header;
  ASSIGN_OR_RETURN(const RouteColumns columns, FindRouteColumns(row, options, in));
  ASSIGN_OR_RETURN(CsvWriter out, OpenCommandOutput(options.in, options.out));
  const size_t width = row.size();
  const auto& levels = snap.hierarchy().levels();
  WriteRouteHeader(row, levels, &out);

  RouteCommandStats stats;
  const RouteOptions ropt{options.snap_m, options.component_radius_m};
  const ReportTimeWindow times = ReportTimeWindowAt(
      options.now == absl::InfinitePast() ? absl::Now() : options.now, options.max_future);
  const absl::TimeZone& zone = snap.calendar().time_zone();
  Decision d;
  Event e;
  while (in.Next(row)) {
    ++stats.rows;
    std::string error, outcome;
    const bool extra = HasExtraFields(row, width);
    absl::Status status =
        extra ? absl::InvalidArgumentError(ExtraFieldsError(row.size(), width))
              : ParseRouteRow(row, columns, default_crs, zone, times, &e);
    if (status.ok()) status = router.Route(e, ropt, &d);

    for (size_t i = 0; i < width; ++i) out.Field(i < row.size() ? row[i] : "");
    if (!status.ok()) {
      outcome = status.code() == absl::StatusCode::kNotFound ? "not_found" : "invalid";
      error = std::string(status.message());
      if (!options.quiet) {
        std::fprintf(stderr, "%s:%lld: %s\n", in.name().c_str(),
                     static_cast<long long>(in.line()), error.c_str());
      }
      for (size_t i = 0; i < 3 + levels.size() + std::size(kDecisionColumns); ++i) {
        out.Field("");
      }
    } else {
      outcome = d.outcome == Outcome::kRouted ? absl::StrCat("routed/", HowName(d.location.how))
                                              : std::string(OutcomeName(d.outcome));
      WriteDecision(snap, d, zone, &out);
    }
    out.Field(outcome);
    out.Field(error);
    // Fields the header does not name follow the error column, so every
    // input field reaches the output and the named columns stay aligned.
    if (extra) {
      for (size_t i = width; i < row.size(); ++i) out.Field(row[i]);
    }
    out.EndRecord();
    ++stats.outcomes[outcome];
  }
  RETURN_IF_ERROR(in.status());
  RETURN_IF_ERROR(out.Close());
  return stats;
}

}  // namespace gridroute

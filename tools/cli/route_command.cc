// Copyright 2026 gridroute authors.
#include "cli/route_command.h"

#include <cmath>
#include <cstdio>
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
  const int c_lon = FindColumn(row, options.lon_col), c_lat = FindColumn(row, options.lat_col);
  const int c_cat = FindColumn(row, "category"), c_time = FindColumn(row, "reported_at");
  const int c_type = FindColumn(row, "category_type"), c_urg = FindColumn(row, "urgency");
  const int c_comp = FindColumn(row, "component_code"), c_crs = FindColumn(row, "crs");
  for (auto [col, name] : {std::pair{c_lon, options.lon_col}, std::pair{c_lat, options.lat_col},
                           std::pair{c_cat, std::string("category")},
                           std::pair{c_time, std::string("reported_at")}}) {
    if (col < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(options.in, ":", in.line(), ": no column '", name, "' in the header"));
    }
  }
  ASSIGN_OR_RETURN(CsvWriter out, OpenCommandOutput(options.in, options.out));
  const size_t width = row.size();
  const auto& levels = snap.hierarchy().levels();
  for (const auto& f : row) out.Field(f);
  for (const char* h : {"grid", "how", "distance_m"}) out.Field(h);
  for (const auto& l : levels) out.Field(l);
  for (const char* h : {"rule", "lead_dept", "helper_depts", "leader", "member", "specialist",
                        "layer_owners", "component", "component_owners", "urgency_used",
                        "deadline", "outcome", "error"}) {
    out.Field(h);
  }
  out.EndRecord();

  RouteCommandStats stats;
  const RouteOptions ropt{options.snap_m, options.component_radius_m};
  const ReportTimeWindow times = ReportTimeWindowAt(
      options.now == absl::InfinitePast() ? absl::Now() : options.now, options.max_future);
  const absl::TimeZone& zone = snap.calendar().time_zone();
  Decision d;
  Event e;
  auto field = [&](int c) -> absl::string_view {
    return c >= 0 && static_cast<size_t>(c) < row.size() ? absl::string_view(row[c])
                                                          : absl::string_view();
  };
  auto dept = [&](int32_t i) { return i < 0 ? std::string() : snap.departments().at(i).code; };
  while (in.Next(row)) {
    ++stats.rows;
    std::string error, outcome;
    absl::Status status;
    const bool extra = HasExtraFields(row, width);
    if (extra) status = absl::InvalidArgumentError(ExtraFieldsError(row.size(), width));
    // Parse the row into an Event.
    e.has_point = !field(c_lon).empty() || !field(c_lat).empty();
    e.component_code = std::string(field(c_comp));
    e.category = std::string(field(c_cat));
    e.urgency = std::string(field(c_urg));
    e.category_type = CategoryType::kEvent;
    if (status.ok() && !field(c_type).empty() &&
        !ParseCategoryType(field(c_type), &e.category_type)) {
      status = absl::InvalidArgumentError(absl::StrCat(
          "category_type: '", EchoField(field(c_type)), "' is not event or component"));
    }
    if (status.ok() && e.has_point &&
        (!absl::SimpleAtod(field(c_lon), &e.x) || !absl::SimpleAtod(field(c_lat), &e.y))) {
      status = absl::InvalidArgumentError(absl::StrCat(
          "lon/lat: '", EchoField(field(c_lon)), "', '", EchoField(field(c_lat)), "' are not numbers"));
    }
    if (status.ok()) {
      if (field(c_crs).empty()) {
        e.crs = default_crs;
      } else if (auto c = ParseCrs(field(c_crs)); c.ok()) {
        e.crs = *c;
      } else {
        status = absl::InvalidArgumentError(absl::StrCat("crs: ", c.status().message()));
      }
    }
    if (status.ok() && !ParseReportTime(field(c_time), zone, &e.reported_at)) {
      status = absl::InvalidArgumentError(
          absl::StrCat("reported_at: '", EchoField(field(c_time)), "' is not an ISO-8601 time"));
    }
    if (status.ok()) status = CheckReportTime(e.reported_at, "reported_at", times, "this machine's");
    if (status.ok()) status = router.Route(e, ropt, &d);

    for (size_t i = 0; i < width; ++i) out.Field(i < row.size() ? row[i] : "");
    if (!status.ok()) {
      outcome = status.code() == absl::StatusCode::kNotFound ? "not_found" : "invalid";
      error = std::string(status.message());
      if (!options.quiet) {
        std::fprintf(stderr, "%s:%lld: %s\n", in.name().c_str(),
                     static_cast<long long>(in.line()), error.c_str());
      }
      for (size_t i = 0; i < 3 + levels.size() + 11; ++i) out.Field("");
    } else {
      outcome = d.outcome == Outcome::kRouted ? absl::StrCat("routed/", HowName(d.location.how))
                                              : std::string(OutcomeName(d.outcome));
      if (d.location.grid == kNoGrid) {
        out.Field("");
        out.Field(HowName(d.location.how));
        out.Field("");
        for (size_t i = 0; i < levels.size(); ++i) out.Field("");
      } else {
        out.Field(snap.grid_code(d.location.grid));
        out.Field(HowName(d.location.how));
        out.Field(absl::StrFormat("%.3f", d.location.distance_m));
        for (int32_t c : d.chain) out.Field(c < 0 ? "" : snap.hierarchy().region(c).code);
      }
      const bool routed = d.outcome == Outcome::kRouted;
      out.Field(routed ? snap.rules().rule(d.rule).id : "");
      out.Field(dept(d.lead));
      std::vector<std::string> helpers, leaders, members, specialists, owners;
      for (int32_t h : d.helpers) helpers.push_back(dept(h));
      for (const TeamAssignment& t : d.team) {
        const std::string& p = snap.teams().person(t.person).id;
        (t.role == TeamRole::kLeader ? leaders
         : t.role == TeamRole::kMember ? members
         : t.role == TeamRole::kSpecialist ? specialists
                                           : members).push_back(p);
      }
      for (int32_t l : d.layers) owners.push_back(snap.layers().at(l).owner);
      out.Field(absl::StrJoin(helpers, "|"));
      out.Field(absl::StrJoin(leaders, "|"));
      out.Field(absl::StrJoin(members, "|"));
      out.Field(absl::StrJoin(specialists, "|"));
      out.Field(absl::StrJoin(owners, "|"));
      if (d.component >= 0) {
        const Component& c = snap.components().at(d.component);
        out.Field(snap.components().code(d.component));
        out.Field(absl::StrCat("owner=", dept(c.owner), "|property=", dept(c.property),
                               "|maintainer=", dept(c.maintainer)));
      } else {
        out.Field("");
        out.Field("");
      }
      out.Field(routed ? snap.categories().urgencies()[d.urgency] : "");
      out.Field(routed ? absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", d.deadline, zone) : "");
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

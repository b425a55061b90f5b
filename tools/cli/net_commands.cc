// Copyright 2026 gridroute authors.
#include "cli/net_commands.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "cli/route_command.h"
#include "common/csv.h"
#include "google/protobuf/util/json_util.h"
#include "gridroute/v1/admin.grpc.pb.h"
#include "gridroute/v1/cases.grpc.pb.h"
#include "gridroute/v1/routing.grpc.pb.h"
#include "grpcpp/grpcpp.h"

// Shared with the offline commands (defined in gridroute_main.cc).
ABSL_DECLARE_FLAG(std::string, in);
ABSL_DECLARE_FLAG(std::string, crs);
ABSL_DECLARE_FLAG(double, snap_m);
ABSL_DECLARE_FLAG(double, component_radius_m);

ABSL_FLAG(std::string, server, "", "host:port of a gridroute-server: run the command over the network");
ABSL_FLAG(std::string, token_file, "",
          "network commands: file holding the bearer token (else $GRIDROUTE_TOKEN; sent as "
          "'authorization: Bearer TOKEN')");
ABSL_FLAG(std::string, tls_ca, "", "network commands: TLS on, trusting this PEM CA bundle");
ABSL_FLAG(std::string, tls_client_cert, "", "network commands: mutual TLS client certificate (PEM)");
ABSL_FLAG(std::string, tls_client_key, "", "network commands: mutual TLS client key (PEM)");
ABSL_FLAG(std::string, tls_name, "", "network commands: server name to verify (default: the host)");
ABSL_FLAG(bool, json, false, "network commands: print the answers as JSON");
ABSL_FLAG(double, lon, 0, "locate/route --server: longitude (or x)");
ABSL_FLAG(double, lat, 0, "locate/route --server: latitude (or y)");
ABSL_FLAG(bool, no_point, false, "route --server: send no point (a component named by --component-code)");
ABSL_FLAG(std::string, category, "", "route --server: category code, e.g. 0102");
ABSL_FLAG(std::string, category_type, "event", "route --server: event or component");
ABSL_FLAG(std::string, urgency, "", "route --server: urgency (default: the category's first)");
ABSL_FLAG(std::string, reported_at, "", "route --server: report time, ISO-8601 (default: now)");
ABSL_FLAG(std::string, report_id, "",
          "route --server: idempotency key (<= 128 bytes): sent again, the same case, not a "
          "second report");
ABSL_FLAG(std::string, component_code, "", "route --server: component code (component reports)");
ABSL_FLAG(std::string, pack_dir, "", "reload: pack directory on the server (default: the one served)");
ABSL_FLAG(int, batch, 256, "stream: detections per batch");
ABSL_FLAG(std::string, id, "", "case, case-update: the case id");
ABSL_FLAG(std::string, state, "",
          "case-update: the state to enter (dispatched, accepted, handled, verified, closed, "
          "reopened, reported); cases: filter by state");
ABSL_FLAG(std::string, actor, "", "case-update: who makes the change");
ABSL_FLAG(std::string, note, "", "case-update: free text");
ABSL_FLAG(std::string, at, "", "case-update: when, ISO-8601 (default: the server's clock)");
ABSL_FLAG(std::string, lead, "", "case-update --state dispatched: re-dispatch to this department");
ABSL_FLAG(std::string, department, "", "cases: filter by lead department code");
ABSL_FLAG(std::string, grid, "", "cases: filter by grid code");
ABSL_FLAG(std::string, region, "", "cases: filter by region code (any level)");
ABSL_FLAG(int, page_size, 0,
          "cases: cases per page (1..1000); directory: regions and persons per page (1..20000); "
          "0: the server's default (cases 100, directory 5000)");
ABSL_FLAG(bool, all_pages, false, "cases, directory: follow next_page_token to the end");
ABSL_FLAG(std::string, view, "full",
          "route/stream --server: full (names, phones, channels) or codes (codes and ids only; "
          "resolve them with `gridroute directory`)");
ABSL_FLAG(std::string, group_by, "department",
          "case-stats: department, grid, all, or a level of the pack (district, street, ...)");
ABSL_FLAG(std::string, from, "", "case-stats: cases filed at or after, ISO-8601");
ABSL_FLAG(std::string, to, "", "case-stats: cases filed before, ISO-8601");
ABSL_FLAG(std::string, as_of, "", "case-stats: the 'now' of the figures (default: the server's clock)");
ABSL_FLAG(double, timeout_s, 30, "network commands: per-call deadline in seconds (stream: whole stream, 0 = none)");

namespace gridroute {

const char kNetUsage[] =
    "Network commands (talk to gridroute-server; add --json for JSON output):\n"
    "  info   --server HOST:PORT\n"
    "  locate --server HOST:PORT --lon X --lat Y [--crs wgs84] [--snap-m M]\n"
    "  route  --server HOST:PORT --lon X --lat Y --category C [--category-type event|component]\n"
    "         [--urgency U] [--reported-at ISO-8601] [--component-code C [--no-point]] [--snap-m M]\n"
    "         [--report-id K] [--view full|codes]\n"
    "      --report-id: idempotency key; the same report sent again gets the same case and\n"
    "      adds nothing (within the server's --idempotency-window)\n"
    "  stream --server HOST:PORT --in detections.csv [--batch 256] [--view full|codes]\n"
    "      detections.csv columns: camera_id, frame_time, class (or category), lon, lat and\n"
    "      optional correlation_id (default: the line number), category_type, urgency, crs;\n"
    "      camera_id + correlation_id is the idempotency key: the same file sent again\n"
    "      files nothing new\n"
    "  reload --server HOST:PORT [--pack-dir DIR]\n"
    "  directory --server HOST:PORT [--page-size N] [--all-pages]\n"
    "      what the codes of --view codes mean: departments, categories, layers, levels,\n"
    "      specialties (first page), then regions and persons (paged)\n"
    "Cases (the server runs with --journal-dir):\n"
    "  case        --server HOST:PORT --id CASE_ID\n"
    "  cases       --server HOST:PORT [--department D] [--grid G] [--region R] [--state S]\n"
    "              [--page-size 100] [--all-pages]\n"
    "  case-update --server HOST:PORT --id CASE_ID --state STATE --actor WHO [--note T]\n"
    "              [--at ISO-8601] [--lead DEPT]\n"
    "  case-stats  --server HOST:PORT [--group-by department|grid|all|LEVEL] [--from T] [--to T]\n"
    "              [--as-of T]   (closure and on-time rates, as a table)\n";

namespace {

const char* CodeName(grpc::StatusCode c) {
  static const char* const kNames[] = {
      "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
      "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
      "UNAUTHENTICATED"};
  const int i = static_cast<int>(c);
  return i >= 0 && i <= 16 ? kNames[i] : "?";
}

int Usage(const std::string& msg) {
  std::fprintf(stderr, "gridroute: %s\n", msg.c_str());
  return 2;
}

int RpcFailed(const char* what, const grpc::Status& s) {
  std::fprintf(stderr, "gridroute: %s: %s: %s\n", what, CodeName(s.error_code()),
               s.error_message().c_str());
  return 1;
}

std::string Json(const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(m, &out, o);
  return out;
}

absl::TimeZone Zone(const std::string& name) {
  absl::TimeZone z;
  if (name.empty() || !absl::LoadTimeZone(name, &z)) z = absl::UTCTimeZone();
  return z;
}

std::string FormatTimestamp(const google::protobuf::Timestamp& t, const absl::TimeZone& zone) {
  const absl::Time at = absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
  return absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", at, zone);
}

void ToTimestamp(absl::Time t, google::protobuf::Timestamp* out) {
  out->set_seconds(absl::ToUnixSeconds(t));
  out->set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(absl::ToUnixSeconds(t))) /
                                      absl::Nanoseconds(1)));
}

const char* HowText(v1::How h) {
  switch (h) {
    case v1::HOW_INSIDE: return "inside";
    case v1::HOW_ON_EDGE: return "on_edge";
    case v1::HOW_SNAPPED: return "snapped";
    case v1::HOW_OUTSIDE: return "outside";
    default: return "?";
  }
}

std::string DeptText(const v1::Department& d) {
  std::string s = absl::StrCat(d.code(), " ", d.name());
  if (!d.channel().empty()) absl::StrAppend(&s, " [", d.channel(), "]");
  return s;
}

std::string LocationText(const v1::Location& l) {
  if (l.how() == v1::HOW_OUTSIDE) return "outside coverage (no grid)";
  std::string s = absl::StrCat("grid ", l.grid_code());
  if (!l.grid_name().empty()) absl::StrAppend(&s, " ", l.grid_name());
  absl::StrAppend(&s, " (", HowText(l.how()));
  if (l.how() == v1::HOW_SNAPPED) absl::StrAppend(&s, absl::StrFormat(", %.1f m", l.distance_m()));
  absl::StrAppend(&s, ")");
  return s;
}

std::string ChainText(const v1::Location& l) {
  std::vector<std::string> parts;
  for (const v1::RegionRef& r : l.chain()) {
    parts.push_back(absl::StrCat(r.level(), " ", r.code(), " ", r.name()));
  }
  return absl::StrJoin(parts, " > ");
}

std::string SnapshotText(const v1::SnapshotRef& s) {
  return absl::StrCat("version ", s.version(), " (generation ", s.generation(), ")");
}

std::string CaseText(const v1::CaseRef& c) {
  return absl::StrCat(c.case_id(), c.folded() ? " (folded: " : " (new, ", c.report_count(),
                      c.report_count() == 1 ? " report)" : " reports)",
                      c.duplicate() ? " [sent before: the first answer, nothing added]" : "");
}

void PrintDecision(const v1::Decision& d, const absl::TimeZone& zone) {
  auto line = [](const char* k, const std::string& v) {
    if (!v.empty()) std::printf("  %-10s %s\n", k, v.c_str());
  };
  line("outcome", d.outcome() == v1::OUTCOME_ROUTED ? "routed" : "outside_coverage");
  line("where", LocationText(d.location()));
  line("chain", ChainText(d.location()));
  line("category", absl::StrCat(d.category(), " ", d.category_name(),
                                d.urgency().empty() ? "" : ", urgency " + d.urgency()));
  if (d.outcome() != v1::OUTCOME_ROUTED) return;
  line("rule", d.rule_id());
  if (d.has_lead()) line("lead", DeptText(d.lead()));
  std::vector<std::string> helpers;
  for (const v1::Department& h : d.helpers()) helpers.push_back(DeptText(h));
  line("helpers", absl::StrJoin(helpers, "; "));
  for (const v1::TeamMember& m : d.team()) {
    line("team", absl::StrCat(m.role(), m.specialty().empty() ? "" : "/" + m.specialty(), " ",
                              m.person_id(), " ", m.name(), " ", m.phone(),
                              m.inherited() ? "" : " (grid's own)"));
  }
  for (const v1::LayerOwner& l : d.layers()) {
    line("layer", absl::StrCat(l.layer_code(), " ", l.layer_name(), " (", l.kind(), "): ", l.owner(),
                               " ", l.owner_contact()));
  }
  if (d.has_component()) {
    const v1::ComponentRef& c = d.component();
    std::string s = absl::StrCat(c.code(), " category ", c.category());
    if (!c.state().empty()) absl::StrAppend(&s, " state ", c.state());
    if (c.has_owner()) absl::StrAppend(&s, "; owner ", DeptText(c.owner()));
    if (c.has_property()) absl::StrAppend(&s, "; property ", DeptText(c.property()));
    if (c.has_maintainer()) absl::StrAppend(&s, "; maintainer ", DeptText(c.maintainer()));
    if (!c.by_code()) absl::StrAppend(&s, absl::StrFormat(" (nearest, %.1f m)", c.distance_m()));
    line("component", s);
  }
  if (d.has_deadline()) line("deadline", FormatTimestamp(d.deadline(), zone));
  if (d.has_case_ref()) line("case", CaseText(d.case_ref()));
}

// --view: "full" or "codes". False (and a usage message) for anything else.
bool ParseView(const char* command, v1::DecisionView* out, std::string* error) {
  const std::string v = absl::GetFlag(FLAGS_view);
  if (v == "full") {
    *out = v1::DECISION_VIEW_FULL;
  } else if (v == "codes") {
    *out = v1::DECISION_VIEW_CODES;
  } else {
    *error = absl::StrCat(command, ": --view must be full or codes, got '", v.substr(0, 32),
                          v.size() > 32 ? "...'" : "'");
    return false;
  }
  return true;
}

const char* RoleText(v1::TeamRole r) {
  switch (r) {
    case v1::TEAM_ROLE_LEADER: return "leader";
    case v1::TEAM_ROLE_INSTRUCTOR: return "instructor";
    case v1::TEAM_ROLE_MEMBER: return "member";
    case v1::TEAM_ROLE_SPECIALIST: return "specialist";
    default: return "?";
  }
}

// The CODES view: the same lines as PrintDecision, codes only.
void PrintCodes(const v1::DecisionCodes& d, const absl::TimeZone& zone) {
  auto line = [](const char* k, const std::string& v) {
    if (!v.empty()) std::printf("  %-10s %s\n", k, v.c_str());
  };
  line("outcome", d.outcome() == v1::OUTCOME_ROUTED ? "routed" : "outside_coverage");
  if (d.how() == v1::HOW_OUTSIDE) {
    line("where", "outside coverage (no grid)");
  } else {
    line("where", absl::StrCat("grid ", d.grid_code(), " (", HowText(d.how()),
                               d.how() == v1::HOW_SNAPPED ? absl::StrFormat(", %.1f m", d.distance_m()) : "",
                               ")"));
  }
  line("regions", absl::StrJoin(d.region_codes(), " > "));
  line("category", absl::StrCat(d.category(), d.urgency().empty() ? "" : ", urgency " + d.urgency()));
  if (d.outcome() != v1::OUTCOME_ROUTED) return;
  line("rule", d.rule_id());
  line("lead", d.lead());
  line("helpers", absl::StrJoin(d.helpers(), "; "));
  for (const v1::TeamRef& m : d.team()) {
    line("team", absl::StrCat(RoleText(m.role()), m.specialty().empty() ? "" : "/" + m.specialty(),
                              " ", m.person_id(), m.inherited() ? "" : " (grid's own)"));
  }
  line("layers", absl::StrJoin(d.layer_codes(), ", "));
  if (!d.component_code().empty()) {
    line("component", absl::StrCat(d.component_code(),
                                   d.component_distance_m() > 0
                                       ? absl::StrFormat(" (nearest, %.1f m)", d.component_distance_m())
                                       : ""));
  }
  if (d.has_deadline()) line("deadline", FormatTimestamp(d.deadline(), zone));
  if (d.has_case_ref()) line("case", CaseText(d.case_ref()));
}

std::string ReadSmallFile(const std::string& path) {
  std::string out;
  if (FILE* f = std::fopen(path.c_str(), "rb")) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0 && out.size() < (1u << 20)) {
      out.append(buf, n);
    }
    std::fclose(f);
  } else {
    std::fprintf(stderr, "gridroute: cannot read %s\n", path.c_str());
  }
  return out;
}

// Plaintext, or TLS with --tls-ca (and a client certificate for mutual TLS).
std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials() {
  if (absl::GetFlag(FLAGS_tls_ca).empty()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions o;
  o.pem_root_certs = ReadSmallFile(absl::GetFlag(FLAGS_tls_ca));
  if (!absl::GetFlag(FLAGS_tls_client_cert).empty()) {
    o.pem_cert_chain = ReadSmallFile(absl::GetFlag(FLAGS_tls_client_cert));
    o.pem_private_key = ReadSmallFile(absl::GetFlag(FLAGS_tls_client_key));
  }
  return grpc::SslCredentials(o);
}

// The bearer token: --token-file's first line, else $GRIDROUTE_TOKEN.
std::string BearerToken() {
  std::string t;
  if (!absl::GetFlag(FLAGS_token_file).empty()) {
    t = ReadSmallFile(absl::GetFlag(FLAGS_token_file));
  } else if (const char* env = std::getenv("GRIDROUTE_TOKEN")) {
    t = env;
  }
  t = t.substr(0, t.find_first_of("\r\n"));
  return t;
}

class Client {
 public:
  explicit Client(const std::string& server) : token_(BearerToken()) {
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(64 << 20);
    if (!absl::GetFlag(FLAGS_tls_name).empty()) {
      args.SetSslTargetNameOverride(absl::GetFlag(FLAGS_tls_name));
    }
    channel_ = grpc::CreateCustomChannel(server, ChannelCredentials(), args);
    routing = v1::RoutingService::NewStub(channel_);
    admin = v1::AdminService::NewStub(channel_);
    cases = v1::CaseService::NewStub(channel_);
  }
  void Prepare(grpc::ClientContext* ctx) const {
    if (!token_.empty()) ctx->AddMetadata("authorization", "Bearer " + token_);
    const double t = absl::GetFlag(FLAGS_timeout_s);
    if (t > 0) {
      ctx->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::microseconds(static_cast<int64_t>(t * 1e6)));
    }
  }
  // The served pack's time zone (for times without an offset), via Info.
  absl::TimeZone PackZone() const {
    grpc::ClientContext ctx;
    Prepare(&ctx);
    v1::InfoResponse info;
    if (!admin->Info(&ctx, v1::InfoRequest(), &info).ok()) return absl::UTCTimeZone();
    return Zone(info.snapshot().time_zone());
  }
  std::unique_ptr<v1::RoutingService::Stub> routing;
  std::unique_ptr<v1::AdminService::Stub> admin;
  std::unique_ptr<v1::CaseService::Stub> cases;

 private:
  std::shared_ptr<grpc::Channel> channel_;
  const std::string token_;
};

int Info(Client& c) {
  grpc::ClientContext ctx;
  c.Prepare(&ctx);
  v1::InfoResponse r;
  grpc::Status s = c.admin->Info(&ctx, v1::InfoRequest(), &r);
  if (!s.ok()) return RpcFailed("info", s);
  if (absl::GetFlag(FLAGS_json)) {
    std::printf("%s\n", Json(r).c_str());
    return 0;
  }
  const absl::TimeZone zone = Zone(r.snapshot().time_zone());
  std::printf("pack       %s, %s\n", r.pack_name().c_str(), SnapshotText(r.snapshot()).c_str());
  std::printf("dir        %s\n", r.pack_dir().c_str());
  std::printf("crs        %s; levels %s; time zone %s\n", r.crs().c_str(),
              absl::StrJoin(r.levels(), " > ").c_str(), r.snapshot().time_zone().c_str());
  std::printf("counts     %lld grids, %lld regions, %lld departments, %lld categories, %lld rules, "
              "%lld components, %lld layers\n",
              (long long)r.grids(), (long long)r.regions(), (long long)r.departments(),
              (long long)r.categories(), (long long)r.rules(), (long long)r.components(),
              (long long)r.layers());
  std::printf("loaded     %s in %.2f s; %.1f MB in memory\n",
              FormatTimestamp(r.loaded_at(), zone).c_str(), r.load_seconds(),
              r.memory_bytes() / 1048576.0);
  std::printf("reloads    %lld ok, %lld failed; %lld calls refused past their deadline\n",
              (long long)r.reloads_ok(), (long long)r.reloads_failed(), (long long)r.expired_calls());
  if (!r.last_reload_error().empty()) {
    std::printf("last error %s\n", r.last_reload_error().c_str());
  }
  for (const std::string& w : r.warnings()) std::printf("warning    %s\n", w.c_str());
  return 0;
}

int Locate(Client& c) {
  v1::LocateRequest req;
  req.mutable_point()->set_x(absl::GetFlag(FLAGS_lon));
  req.mutable_point()->set_y(absl::GetFlag(FLAGS_lat));
  req.mutable_point()->set_crs(absl::GetFlag(FLAGS_crs));
  req.set_snap_m(absl::GetFlag(FLAGS_snap_m));
  grpc::ClientContext ctx;
  c.Prepare(&ctx);
  v1::LocateResponse r;
  grpc::Status s = c.routing->Locate(&ctx, req, &r);
  if (!s.ok()) return RpcFailed("locate", s);
  if (absl::GetFlag(FLAGS_json)) {
    std::printf("%s\n", Json(r).c_str());
    return 0;
  }
  std::printf("(%s, %s %s): %s\n", absl::StrCat(req.point().x()).c_str(),
              absl::StrCat(req.point().y()).c_str(), req.point().crs().c_str(),
              LocationText(r.location()).c_str());
  if (r.location().chain_size() > 0) std::printf("  chain      %s\n", ChainText(r.location()).c_str());
  std::printf("  snapshot   %s\n", SnapshotText(r.snapshot()).c_str());
  return 0;
}

int Route(Client& c) {
  v1::RouteRequest req;
  v1::DecisionView view;
  if (std::string error; !ParseView("route", &view, &error)) return Usage(error);
  req.set_view(view);
  if (!absl::GetFlag(FLAGS_no_point)) {
    req.mutable_point()->set_x(absl::GetFlag(FLAGS_lon));
    req.mutable_point()->set_y(absl::GetFlag(FLAGS_lat));
    req.mutable_point()->set_crs(absl::GetFlag(FLAGS_crs));
  }
  const std::string type = absl::GetFlag(FLAGS_category_type);
  if (type == "component") {
    req.set_category_type(v1::CATEGORY_TYPE_COMPONENT);
  } else if (type != "event") {
    return Usage("route: --category-type must be event or component");
  }
  req.set_category(absl::GetFlag(FLAGS_category));
  req.set_urgency(absl::GetFlag(FLAGS_urgency));
  req.set_component_code(absl::GetFlag(FLAGS_component_code));
  req.set_snap_m(absl::GetFlag(FLAGS_snap_m));
  req.set_component_radius_m(absl::GetFlag(FLAGS_component_radius_m));
  const std::string at = absl::GetFlag(FLAGS_reported_at);
  absl::Time reported = absl::Now();
  if (!at.empty() && !ParseReportTime(at, c.PackZone(), &reported)) {
    return Usage(absl::StrCat("route: --reported-at '", at, "' is not an ISO-8601 time"));
  }
  ToTimestamp(reported, req.mutable_reported_at());
  req.set_report_id(absl::GetFlag(FLAGS_report_id));
  grpc::ClientContext ctx;
  c.Prepare(&ctx);
  v1::RouteResponse r;
  grpc::Status s = c.routing->Route(&ctx, req, &r);
  if (!s.ok()) return RpcFailed("route", s);
  if (absl::GetFlag(FLAGS_json)) {
    std::printf("%s\n", Json(r).c_str());
    return 0;
  }
  const absl::TimeZone zone = Zone(r.snapshot().time_zone());
  std::printf("%s %s reported %s%s:\n", type.c_str(), req.category().c_str(),
              absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", reported, zone).c_str(),
              req.has_point() ? absl::StrCat(" at (", req.point().x(), ", ", req.point().y(), ")").c_str()
                              : "");
  if (r.has_codes()) {
    PrintCodes(r.codes(), zone);
  } else {
    PrintDecision(r.decision(), zone);
  }
  std::printf("  %-10s %s\n", "snapshot", SnapshotText(r.snapshot()).c_str());
  return 0;
}

int Reload(Client& c) {
  v1::ReloadRequest req;
  req.set_pack_dir(absl::GetFlag(FLAGS_pack_dir));
  grpc::ClientContext ctx;
  c.Prepare(&ctx);
  v1::ReloadResponse r;
  grpc::Status s = c.admin->Reload(&ctx, req, &r);
  if (!s.ok()) return RpcFailed("reload (the server keeps its previous snapshot)", s);
  if (absl::GetFlag(FLAGS_json)) {
    std::printf("%s\n", Json(r).c_str());
    return 0;
  }
  std::printf("reloaded in %.2f s: now %s, was %s\n", r.load_seconds(),
              SnapshotText(r.snapshot()).c_str(), SnapshotText(r.previous()).c_str());
  for (const std::string& w : r.warnings()) std::printf("warning    %s\n", w.c_str());
  return 0;
}

// Reads detections.csv into batches; a writer thread sends them while this
// thread reads and prints the answers (the server answers each batch in
// order, so answers are matched to batches by position).
struct StreamCounts {
  int64_t n = 0, routed = 0, outside = 0, errors = 0;
};

// One answer of the stream: a table row (or a JSON line), either view.
void PrintDetectionResult(const v1::DetectionResult& r, const absl::TimeZone& z, bool json,
                          StreamCounts* k) {
  ++k->n;
  const bool codes = r.has_codes();
  const v1::Outcome outcome = codes ? r.codes().outcome() : r.decision().outcome();
  if (r.has_error()) {
    ++k->errors;
  } else if (outcome == v1::OUTCOME_ROUTED) {
    ++k->routed;
  } else {
    ++k->outside;
  }
  if (json) {
    std::printf("%s\n", Json(r).c_str());
    return;
  }
  if (r.has_error()) {
    std::printf("%-14s %-10s error %s: %s\n", r.correlation_id().c_str(), r.camera_id().c_str(),
                CodeName(static_cast<grpc::StatusCode>(r.error().code())),
                r.error().message().c_str());
    return;
  }
  const std::string& grid = codes ? r.codes().grid_code() : r.decision().location().grid_code();
  const std::string& lead = codes ? r.codes().lead() : r.decision().lead().code();
  const google::protobuf::Timestamp& deadline =
      codes ? r.codes().deadline() : r.decision().deadline();
  const bool has_deadline = codes ? r.codes().has_deadline() : r.decision().has_deadline();
  std::printf("%-14s %-10s %-18s %-9s %-28s %s\n", r.correlation_id().c_str(),
              r.camera_id().c_str(), grid.empty() ? "-" : grid.c_str(),
              lead.empty() ? "-" : lead.c_str(),
              has_deadline ? FormatTimestamp(deadline, z).c_str() : "-",
              outcome == v1::OUTCOME_ROUTED ? "routed" : "outside_coverage");
}

// Reads --in into batches of `batch_size` detections; an error message, or
// empty. `bad` counts rows without a valid lon/lat.
std::string ReadDetections(Client& c, int batch_size, v1::DecisionView view,
                           std::vector<v1::DetectionBatch>* batches, int64_t* bad) {
  absl::StatusOr<CsvReader> in = CsvReader::Open(absl::GetFlag(FLAGS_in));
  if (!in.ok()) return std::string(in.status().message());
  std::vector<std::string> row;
  if (!in->Next(row)) return absl::StrCat(in->name(), ": empty, expected a header");
  const int c_id = FindColumn(row, "correlation_id"), c_cam = FindColumn(row, "camera_id");
  const int c_time = FindColumn(row, "frame_time");
  int c_cls = FindColumn(row, "class");
  if (c_cls < 0) c_cls = FindColumn(row, "category");
  const int c_lon = FindColumn(row, "lon"), c_lat = FindColumn(row, "lat");
  const int c_type = FindColumn(row, "category_type"), c_urg = FindColumn(row, "urgency");
  const int c_crs = FindColumn(row, "crs");
  if (c_time < 0 || c_cls < 0 || c_lon < 0 || c_lat < 0) {
    return absl::StrCat(in->name(), ":1: need columns frame_time, class (or category), lon, lat");
  }
  const absl::TimeZone zone = c.PackZone();
  auto field = [&](int i) -> std::string { return i >= 0 && i < (int)row.size() ? row[i] : ""; };
  while (in->Next(row)) {
    if (batches->empty() || batches->back().detections_size() >= batch_size) batches->emplace_back();
    v1::DetectionBatch& b = batches->back();
    b.set_snap_m(absl::GetFlag(FLAGS_snap_m));
    b.set_view(view);
    v1::Detection* d = b.add_detections();
    d->set_correlation_id(c_id >= 0 ? field(c_id) : absl::StrCat(in->line()));
    d->set_camera_id(field(c_cam));
    d->set_category(field(c_cls));
    if (field(c_type) == "component") d->set_category_type(v1::CATEGORY_TYPE_COMPONENT);
    d->set_urgency(field(c_urg));
    double x = 0, y = 0;
    if (absl::SimpleAtod(field(c_lon), &x) && absl::SimpleAtod(field(c_lat), &y)) {
      d->mutable_point()->set_x(x);
      d->mutable_point()->set_y(y);
      d->mutable_point()->set_crs(c_crs >= 0 && !field(c_crs).empty() ? field(c_crs)
                                                                       : absl::GetFlag(FLAGS_crs));
    } else {
      ++*bad;  // sent without a point: the server answers INVALID_ARGUMENT for it
    }
    absl::Time t;
    if (ParseReportTime(field(c_time), zone, &t)) ToTimestamp(t, d->mutable_frame_time());
  }
  if (!in->status().ok()) return std::string(in->status().message());
  return "";
}


int Stream(Client& c) {
  const int batch_size = absl::GetFlag(FLAGS_batch);
  if (batch_size < 1) return Usage("stream: --batch must be >= 1");
  v1::DecisionView view;
  if (std::string error; !ParseView("stream", &view, &error)) return Usage(error);
  std::vector<v1::DetectionBatch> batches;
  int64_t bad = 0;
  if (std::string error = ReadDetections(c, batch_size, view, &batches, &bad); !error.empty()) {
    return Usage(error);
  }
  grpc::ClientContext ctx;
  c.Prepare(&ctx);
  const auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<grpc::ClientReaderWriter<v1::DetectionBatch, v1::DecisionBatch>> stream =
      c.routing->RouteStream(&ctx);
  std::thread writer([&] {
    for (const v1::DetectionBatch& b : batches) {
      if (!stream->Write(b)) break;
    }
    stream->WritesDone();
  });
  const bool json = absl::GetFlag(FLAGS_json);
  StreamCounts k;
  v1::DecisionBatch out;
  if (!json) std::printf("%-14s %-10s %-18s %-9s %-28s %s\n", "correlation_id", "camera", "grid",
                         "lead", "deadline", "outcome");
  while (stream->Read(&out)) {
    const absl::TimeZone z = Zone(out.snapshot().time_zone());
    for (const v1::DetectionResult& r : out.results()) PrintDetectionResult(r, z, json, &k);
  }
  writer.join();
  grpc::Status s = stream->Finish();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fflush(stdout);  // the table first, then the summary
  std::fprintf(stderr,
               "gridroute stream: %lld detections in %zu batches in %.3f s (%.0f/s): routed %lld, "
               "outside %lld, errors %lld%s\n",
               (long long)k.n, batches.size(), secs, secs > 0 ? k.n / secs : 0.0,
               (long long)k.routed, (long long)k.outside, (long long)k.errors,
               bad ? absl::StrCat(" (", bad, " rows had no valid lon/lat)").c_str() : "");
  if (!s.ok()) return RpcFailed("stream", s);
  return 0;
}


// ---------------------------------------------------------------------------
// Directory.

void PrintDirectoryHead(const v1::DirectoryResponse& r) {
  std::printf("directory of %s: %lld regions, %lld persons\n", SnapshotText(r.snapshot()).c_str(),
              (long long)r.total_regions(), (long long)r.total_persons());
  for (const v1::Department& d : r.departments()) std::printf("department %s\n", DeptText(d).c_str());
  for (const v1::DirectoryCategory& c : r.categories()) {
    std::printf("category   %s %s %s (major %s, %s; specialty %s; urgencies %s)\n",
                c.type() == v1::CATEGORY_TYPE_COMPONENT ? "component" : "event", c.code().c_str(),
                c.name().c_str(), c.major().c_str(), c.standard().c_str(),
                c.specialty().empty() ? "-" : c.specialty().c_str(),
                absl::StrJoin(c.urgencies(), "|").c_str());
  }
  for (const v1::DirectoryLayer& l : r.layers()) {
    std::printf("layer      %s %s (%s): %s %s\n", l.code().c_str(), l.name().c_str(),
                l.kind().c_str(), l.owner().c_str(), l.owner_contact().c_str());
  }
  if (r.levels_size() > 0) std::printf("levels     %s\n", absl::StrJoin(r.levels(), " > ").c_str());
  if (r.specialties_size() > 0) {
    std::printf("specialty  %s\n", absl::StrJoin(r.specialties(), ", ").c_str());
  }
}

void PrintDirectoryPage(const v1::DirectoryResponse& r) {
  for (const v1::DirectoryRegion& g : r.regions()) {
    std::printf("region     %s %s (%s) parent %s\n", g.code().c_str(), g.name().c_str(),
                g.level().c_str(), g.parent().empty() ? "-" : g.parent().c_str());
  }
  for (const v1::DirectoryPerson& p : r.persons()) {
    std::printf("person     %s %s %s\n", p.person_id().c_str(), p.name().c_str(), p.phone().c_str());
  }
}

// Every page is asked of the snapshot the first page named, so a reload in
// between fails the walk (FAILED_PRECONDITION) instead of mixing snapshots.
int Directory(Client& c) {
  v1::DirectoryRequest req;
  req.set_page_size(absl::GetFlag(FLAGS_page_size));
  const bool json = absl::GetFlag(FLAGS_json);
  for (;;) {
    grpc::ClientContext ctx;
    c.Prepare(&ctx);
    v1::DirectoryResponse r;
    grpc::Status s = c.admin->Directory(&ctx, req, &r);
    if (!s.ok()) return RpcFailed("directory", s);
    if (json) {
      std::printf("%s\n", Json(r).c_str());
    } else {
      if (req.page_token().empty()) PrintDirectoryHead(r);
      PrintDirectoryPage(r);
    }
    if (r.next_page_token().empty()) break;
    if (!absl::GetFlag(FLAGS_all_pages)) {
      std::fflush(stdout);
      std::fprintf(stderr, "gridroute directory: more regions/persons follow (--all-pages)\n");
      break;
    }
    req.set_version(r.snapshot().version());
    req.set_generation(r.snapshot().generation());
    req.set_page_token(r.next_page_token());
  }
  return 0;
}

// ---------------------------------------------------------------------------
// Cases.

const char* StateName(v1::CaseState s) {
  static const char* const kNames[] = {"?",        "reported", "dispatched", "accepted",
                                       "handled",  "verified", "closed",     "reopened"};
  const int i = static_cast<int>(s);
  return i >= 0 && i <= 7 ? kNames[i] : "?";
}

bool ParseState(const std::string& name, v1::CaseState* out) {
  for (int i = 1; i <= 7; ++i) {
    if (name == StateName(static_cast<v1::CaseState>(i))) {
      *out = static_cast<v1::CaseState>(i);
      return true;
    }
  }
  return false;
}

void PrintCase(const v1::Case& c, const absl::TimeZone& zone) {
  auto line = [](const char* k, const std::string& v) {
    if (!v.empty()) std::printf("  %-12s %s\n", k, v.c_str());
  };
  std::printf("case %s: %s\n", c.case_id().c_str(), StateName(c.state()));
  line("category", absl::StrCat(c.category_type() == v1::CATEGORY_TYPE_COMPONENT ? "component "
                                                                                   : "event ",
                                c.category(), c.component().empty() ? "" : " " + c.component()));
  line("grid", absl::StrCat(c.grid(), c.chain().empty() ? "" : " (" + absl::StrJoin(c.chain(), " / ") + ")"));
  line("lead", c.lead());
  line("helpers", absl::StrJoin(c.helpers(), ", "));
  if (c.has_point()) line("point", absl::StrFormat("%.7f, %.7f", c.point().x(), c.point().y()));
  line("reports", absl::StrCat(c.report_count(), ", first ", FormatTimestamp(c.first_report(), zone),
                               ", last ", FormatTimestamp(c.last_report(), zone)));
  line("source", absl::StrCat(c.source(), c.source_id().empty() ? "" : " " + c.source_id()));
  if (c.has_due()) {
    line("due", absl::StrCat(FormatTimestamp(c.due(), zone),
                             c.overdue() ? absl::StrFormat(" (OVERDUE by %.1f working hours)",
                                                           c.overdue_working_hours())
                                         : ""));
  }
  if (c.has_closed_at()) line("closed", FormatTimestamp(c.closed_at(), zone));
  for (const v1::CaseHistoryEntry& h : c.history()) {
    line("history", absl::StrCat(FormatTimestamp(h.at(), zone), " ", StateName(h.state()), " by ",
                                 h.actor(), h.lead().empty() ? "" : " -> " + h.lead(),
                                 h.note().empty() ? "" : ": " + h.note()));
  }
}

int GetCase(Client& c) {
  v1::GetCaseRequest req;
  req.set_case_id(absl::GetFlag(FLAGS_id));
  if (req.case_id().empty()) return Usage("case: --id CASE_ID is required");
  grpc::ClientContext ctx;
  c.Prepare(&ctx);
  v1::Case r;
  grpc::Status s = c.cases->Get(&ctx, req, &r);
  if (!s.ok()) return RpcFailed("case", s);
  if (absl::GetFlag(FLAGS_json)) {
    std::printf("%s\n", Json(r).c_str());
  } else {
    PrintCase(r, c.PackZone());
  }
  return 0;
}

int UpdateCase(Client& c) {
  v1::UpdateCaseRequest req;
  req.set_case_id(absl::GetFlag(FLAGS_id));
  if (req.case_id().empty()) return Usage("case-update: --id CASE_ID is required");
  v1::CaseState st;
  if (!ParseState(absl::GetFlag(FLAGS_state), &st)) {
    return Usage(absl::StrCat("case-update: --state '", absl::GetFlag(FLAGS_state),
                              "' is not one of reported, dispatched, accepted, handled, verified, "
                              "closed, reopened"));
  }
  req.set_state(st);
  req.set_actor(absl::GetFlag(FLAGS_actor));
  req.set_note(absl::GetFlag(FLAGS_note));
  req.set_lead(absl::GetFlag(FLAGS_lead));
  const absl::TimeZone zone = c.PackZone();
  if (const std::string at = absl::GetFlag(FLAGS_at); !at.empty()) {
    absl::Time t;
    if (!ParseReportTime(at, zone, &t)) return Usage(absl::StrCat("case-update: --at '", at, "' is not an ISO-8601 time"));
    ToTimestamp(t, req.mutable_at());
  }
  grpc::ClientContext ctx;
  c.Prepare(&ctx);
  v1::Case r;
  grpc::Status s = c.cases->Update(&ctx, req, &r);
  if (!s.ok()) return RpcFailed("case-update", s);
  if (absl::GetFlag(FLAGS_json)) {
    std::printf("%s\n", Json(r).c_str());
  } else {
    PrintCase(r, zone);
  }
  return 0;
}

int ListCases(Client& c) {
  v1::ListCasesRequest req;
  req.set_department(absl::GetFlag(FLAGS_department));
  req.set_grid(absl::GetFlag(FLAGS_grid));
  req.set_region(absl::GetFlag(FLAGS_region));
  if (const std::string st = absl::GetFlag(FLAGS_state); !st.empty()) {
    v1::CaseState v;
    if (!ParseState(st, &v)) return Usage(absl::StrCat("cases: --state '", st, "' is not a case state"));
    req.set_state(v);
  }
  req.set_page_size(absl::GetFlag(FLAGS_page_size));
  const bool json = absl::GetFlag(FLAGS_json);
  const absl::TimeZone zone = c.PackZone();
  if (!json) {
    std::printf("%-24s %-10s %-6s %-16s %-10s %7s %-25s %s\n", "case_id", "state", "cat", "grid",
                "lead", "reports", "due", "overdue");
  }
  int64_t total = 0;
  for (;;) {
    grpc::ClientContext ctx;
    c.Prepare(&ctx);
    v1::ListCasesResponse r;
    grpc::Status s = c.cases->List(&ctx, req, &r);
    if (!s.ok()) return RpcFailed("cases", s);
    for (const v1::Case& k : r.cases()) {
      ++total;
      if (json) {
        std::printf("%s\n", Json(k).c_str());
        continue;
      }
      std::printf("%-24s %-10s %-6s %-16s %-10s %7lld %-25s %s\n", k.case_id().c_str(),
                  StateName(k.state()), k.category().c_str(), k.grid().c_str(), k.lead().c_str(),
                  static_cast<long long>(k.report_count()),
                  k.has_due() ? FormatTimestamp(k.due(), zone).c_str() : "-",
                  k.overdue() ? absl::StrFormat("%.1f h", k.overdue_working_hours()).c_str() : "");
    }
    if (r.next_page_token().empty() || !absl::GetFlag(FLAGS_all_pages)) {
      if (!r.next_page_token().empty()) {
        std::fprintf(stderr, "gridroute cases: more cases follow (--all-pages)\n");
      }
      break;
    }
    req.set_page_token(r.next_page_token());
  }
  if (!json) std::fprintf(stderr, "gridroute cases: %lld case(s)\n", static_cast<long long>(total));
  return 0;
}

int CaseStats(Client& c) {
  v1::CaseStatsRequest req;
  req.set_group_by(absl::GetFlag(FLAGS_group_by));
  const absl::TimeZone zone = c.PackZone();
  struct TimeFlag {
    const char* name;
    std::string value;
    google::protobuf::Timestamp* out;
  };
  for (const TimeFlag& f : {TimeFlag{"from", absl::GetFlag(FLAGS_from), req.mutable_from()},
                            TimeFlag{"to", absl::GetFlag(FLAGS_to), req.mutable_to()},
                            TimeFlag{"as-of", absl::GetFlag(FLAGS_as_of), req.mutable_as_of()}}) {
    if (f.value.empty()) continue;
    absl::Time t;
    if (!ParseReportTime(f.value, zone, &t)) {
      return Usage(absl::StrCat("case-stats: --", f.name, " '", f.value, "' is not an ISO-8601 time"));
    }
    ToTimestamp(t, f.out);
  }
  if (absl::GetFlag(FLAGS_from).empty()) req.clear_from();
  if (absl::GetFlag(FLAGS_to).empty()) req.clear_to();
  if (absl::GetFlag(FLAGS_as_of).empty()) req.clear_as_of();
  grpc::ClientContext ctx;
  c.Prepare(&ctx);
  v1::CaseStatsResponse r;
  grpc::Status s = c.cases->Stats(&ctx, req, &r);
  if (!s.ok()) return RpcFailed("case-stats", s);
  if (absl::GetFlag(FLAGS_json)) {
    std::printf("%s\n", Json(r).c_str());
    return 0;
  }
  std::printf("%-20s %9s %7s %7s %8s %5s %8s %8s %8s %12s\n", req.group_by().c_str(), "reported",
              "filed", "closed", "on_time", "due", "overdue", "closure", "on_time%", "median_h");
  auto row = [](const std::string& key, const v1::CaseStatsRow& x) {
    std::printf("%-20s %9lld %7lld %7lld %8lld %5lld %8lld %7.1f%% %7.1f%% %12s\n",
                key.empty() ? "-" : key.c_str(), (long long)x.reported(), (long long)x.filed(),
                (long long)x.closed(), (long long)x.on_time_closed(), (long long)x.due(),
                (long long)x.overdue_open(), 100 * x.closure_rate(), 100 * x.on_time_rate(),
                x.median_handling_hours() < 0 ? "-"
                                              : absl::StrFormat("%.1f", x.median_handling_hours()).c_str());
  };
  for (const v1::CaseStatsRow& x : r.rows()) row(x.key(), x);
  row("TOTAL", r.total());
  return 0;
}

}  // namespace

bool IsNetCommand(const std::string& command) {
  if (command == "info" || command == "stream" || command == "reload" || command == "directory") {
    return true;
  }
  if (command == "case" || command == "cases" || command == "case-update" ||
      command == "case-stats") {
    return true;
  }
  return (command == "locate" || command == "route") && !absl::GetFlag(FLAGS_server).empty();
}

int RunNetCommand(const std::string& command) {
  const std::string server = absl::GetFlag(FLAGS_server);
  if (server.empty()) return Usage(absl::StrCat(command, ": --server HOST:PORT is required"));
  Client c(server);
  if (command == "info") return Info(c);
  if (command == "locate") return Locate(c);
  if (command == "route") return Route(c);
  if (command == "stream") return Stream(c);
  if (command == "reload") return Reload(c);
  if (command == "directory") return Directory(c);
  if (command == "case") return GetCase(c);
  if (command == "cases") return ListCases(c);
  if (command == "case-update") return UpdateCase(c);
  if (command == "case-stats") return CaseStats(c);
  return Usage(absl::StrCat("unknown network command '", command, "'"));
}

}  // namespace gridroute

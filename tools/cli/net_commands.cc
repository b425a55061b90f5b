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
#include "gridroute/v1/routing.grpc.pb.h"
#include "grpcpp/grpcpp.h"

// Shared with the offline commands (defined in gridroute_main.cc).
ABSL_DECLARE_FLAG(std::string, in);
ABSL_DECLARE_FLAG(std::string, crs);
ABSL_DECLARE_FLAG(double, snap_m);
ABSL_DECLARE_FLAG(double, component_radius_m);

ABSL_FLAG(std::string, server, "", "host:port of a gridroute-server: run the command over the network");
ABSL_FLAG(bool, json, false, "network commands: print the answers as JSON");
ABSL_FLAG(double, lon, 0, "locate/route --server: longitude (or x)");
ABSL_FLAG(double, lat, 0, "locate/route --server: latitude (or y)");
ABSL_FLAG(bool, no_point, false, "route --server: send no point (a component named by --component-code)");
ABSL_FLAG(std::string, category, "", "route --server: category code, e.g. 0102");
ABSL_FLAG(std::string, category_type, "event", "route --server: event or component");
ABSL_FLAG(std::string, urgency, "", "route --server: urgency (default: the category's first)");
ABSL_FLAG(std::string, reported_at, "", "route --server: report time, ISO-8601 (default: now)");
ABSL_FLAG(std::string, component_code, "", "route --server: component code (component reports)");
ABSL_FLAG(std::string, pack_dir, "", "reload: pack directory on the server (default: the one served)");
ABSL_FLAG(int, batch, 256, "stream: detections per batch");
ABSL_FLAG(double, timeout_s, 30, "network commands: per-call deadline in seconds (stream: whole stream, 0 = none)");

namespace gridroute {

const char kNetUsage[] =
    "Network commands (talk to gridroute-server; add --json for JSON output):\n"
    "  info   --server HOST:PORT\n"
    "  locate --server HOST:PORT --lon X --lat Y [--crs wgs84] [--snap-m M]\n"
    "  route  --server HOST:PORT --lon X --lat Y --category C [--category-type event|component]\n"
    "         [--urgency U] [--reported-at ISO-8601] [--component-code C [--no-point]] [--snap-m M]\n"
    "  stream --server HOST:PORT --in detections.csv [--batch 256]\n"
    "      detections.csv columns: camera_id, frame_time, class (or category), lon, lat and\n"
    "      optional correlation_id (default: the line number), category_type, urgency, crs\n"
    "  reload --server HOST:PORT [--pack-dir DIR]\n";

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
}

class Client {
 public:
  explicit Client(const std::string& server) {
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(64 << 20);
    channel_ = grpc::CreateCustomChannel(server, grpc::InsecureChannelCredentials(), args);
    routing = v1::RoutingService::NewStub(channel_);
    admin = v1::AdminService::NewStub(channel_);
  }
  void Prepare(grpc::ClientContext* ctx) const {
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

 private:
  std::shared_ptr<grpc::Channel> channel_;
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
  PrintDecision(r.decision(), zone);
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
int Stream(Client& c) {
  const int batch_size = absl::GetFlag(FLAGS_batch);
  if (batch_size < 1) return Usage("stream: --batch must be >= 1");
  absl::StatusOr<CsvReader> in = CsvReader::Open(absl::GetFlag(FLAGS_in));
  if (!in.ok()) return Usage(std::string(in.status().message()));
  std::vector<std::string> row;
  if (!in->Next(row)) return Usage(absl::StrCat(in->name(), ": empty, expected a header"));
  const int c_id = FindColumn(row, "correlation_id"), c_cam = FindColumn(row, "camera_id");
  const int c_time = FindColumn(row, "frame_time");
  int c_cls = FindColumn(row, "class");
  if (c_cls < 0) c_cls = FindColumn(row, "category");
  const int c_lon = FindColumn(row, "lon"), c_lat = FindColumn(row, "lat");
  const int c_type = FindColumn(row, "category_type"), c_urg = FindColumn(row, "urgency");
  const int c_crs = FindColumn(row, "crs");
  if (c_time < 0 || c_cls < 0 || c_lon < 0 || c_lat < 0) {
    return Usage(absl::StrCat(in->name(), ":1: need columns frame_time, class (or category), lon, lat"));
  }
  const absl::TimeZone zone = c.PackZone();
  auto field = [&](int i) -> std::string { return i >= 0 && i < (int)row.size() ? row[i] : ""; };
  std::vector<v1::DetectionBatch> batches;
  int64_t bad = 0;
  while (in->Next(row)) {
    if (batches.empty() || batches.back().detections_size() >= batch_size) batches.emplace_back();
    v1::DetectionBatch& b = batches.back();
    b.set_snap_m(absl::GetFlag(FLAGS_snap_m));
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
      ++bad;  // sent without a point: the server answers INVALID_ARGUMENT for it
    }
    absl::Time t;
    if (ParseReportTime(field(c_time), zone, &t)) ToTimestamp(t, d->mutable_frame_time());
  }
  if (!in->status().ok()) return Usage(std::string(in->status().message()));

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
  int64_t n = 0, routed = 0, outside = 0, errors = 0;
  v1::DecisionBatch out;
  if (!json) std::printf("%-14s %-10s %-18s %-9s %-28s %s\n", "correlation_id", "camera", "grid",
                         "lead", "deadline", "outcome");
  while (stream->Read(&out)) {
    const absl::TimeZone z = Zone(out.snapshot().time_zone());
    for (const v1::DetectionResult& r : out.results()) {
      ++n;
      if (r.has_error()) {
        ++errors;
      } else if (r.decision().outcome() == v1::OUTCOME_ROUTED) {
        ++routed;
      } else {
        ++outside;
      }
      if (json) {
        std::printf("%s\n", Json(r).c_str());
        continue;
      }
      if (r.has_error()) {
        std::printf("%-14s %-10s error %s: %s\n", r.correlation_id().c_str(), r.camera_id().c_str(),
                    CodeName(static_cast<grpc::StatusCode>(r.error().code())),
                    r.error().message().c_str());
        continue;
      }
      const v1::Decision& d = r.decision();
      std::printf("%-14s %-10s %-18s %-9s %-28s %s\n", r.correlation_id().c_str(),
                  r.camera_id().c_str(),
                  d.location().grid_code().empty() ? "-" : d.location().grid_code().c_str(),
                  d.lead().code().empty() ? "-" : d.lead().code().c_str(),
                  d.has_deadline() ? FormatTimestamp(d.deadline(), z).c_str() : "-",
                  d.outcome() == v1::OUTCOME_ROUTED ? "routed" : "outside_coverage");
    }
  }
  writer.join();
  grpc::Status s = stream->Finish();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fflush(stdout);  // the table first, then the summary
  std::fprintf(stderr,
               "gridroute stream: %lld detections in %zu batches in %.3f s (%.0f/s): routed %lld, "
               "outside %lld, errors %lld%s\n",
               (long long)n, batches.size(), secs, secs > 0 ? n / secs : 0.0, (long long)routed,
               (long long)outside, (long long)errors,
               bad ? absl::StrCat(" (", bad, " rows had no valid lon/lat)").c_str() : "");
  if (!s.ok()) return RpcFailed("stream", s);
  return 0;
}

}  // namespace

bool IsNetCommand(const std::string& command) {
  if (command == "info" || command == "stream" || command == "reload") return true;
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
  return Usage(absl::StrCat("unknown network command '", command, "'"));
}

}  // namespace gridroute

// Copyright 2026 gridroute authors.
#include "console/console_api.h"

#include <fstream>
#include <memory>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "console/console_assets.h"
#include "http/http_reply.h"
#include "zlib.h"

namespace gridroute {
namespace {

grpc::Status GrpcOf(const absl::Status& s) {
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      absl::StrAppend(&out, "\\u00", c < 0x10 ? "0" : "", absl::Hex(c));
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
  return out;
}

// gzip of `in` at a fast level (1.7 MB of GeoJSON -> ~170 KB in ~15 ms);
// false if zlib fails (then the caller sends it plain).
bool Gzip(const std::string& in, std::string* out) {
  z_stream z{};
  if (deflateInit2(&z, 3, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return false;
  out->resize(deflateBound(&z, in.size()) + 32);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out->data());
  z.avail_out = static_cast<uInt>(out->size());
  const int rc = deflate(&z, Z_FINISH);
  out->resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END;
}

// True if the client accepts gzip (Accept-Encoding lists it, without q=0).
bool AcceptsGzip(const httplib::Request& req) {
  const std::string ae = req.get_header_value("Accept-Encoding");
  const size_t at = ae.find("gzip");
  return at != std::string::npos && ae.compare(at, 8, "gzip;q=0") != 0;
}

void HandleGrids(GridrouteService* service, MapViewCache* maps, const MapLimits& limits,
                 HttpCall& call) {
  std::shared_ptr<const ServedSnapshot> served = service->store().Current();
  if (served == nullptr) {
    ReplyError(call, grpc::Status(grpc::StatusCode::UNAVAILABLE, "no pack is loaded yet"));
    return;
  }
  absl::StatusOr<std::shared_ptr<const MapView>> view = maps->Get(served->snapshot);
  if (!view.ok()) {
    ReplyError(call, GrpcOf(view.status()));
    return;
  }
  const httplib::Request& req = *call.req;
  std::string body;
  if (!req.has_param("bbox")) {
    body = (*view)->Meta();
  } else {
    absl::StatusOr<MapQuery> q =
        ParseMapQuery(req.get_param_value("bbox"), req.get_param_value("level"),
                      req.get_param_value("simplify"), (*view)->levels());
    if (!q.ok()) {
      ReplyError(call, GrpcOf(q.status()));
      return;
    }
    absl::StatusOr<MapAnswer> a = (*view)->Query(*q, limits);
    if (!a.ok()) {
      ReplyError(call, GrpcOf(a.status()));
      return;
    }
    body = std::move(a->geojson);
  }
  // Compressed here with gzip at a fast level, not by the HTTP library:
  // it picks brotli for browsers (they accept br) at its highest quality,
  // ~10 s for a 1.7 MB viewport. application/geo+json is a type the library
  // leaves alone.
  call.res->status = 200;
  call.res->set_header("Cache-Control", "no-store");
  call.res->set_header("Vary", "Accept-Encoding");
  std::string gz;
  if (body.size() > 1024 && AcceptsGzip(req) && Gzip(body, &gz)) {
    call.res->set_header("Content-Encoding", "gzip");
    body = std::move(gz);
  }
  call.res->set_content(std::move(body), "application/geo+json");
  call.code = 0;
}

void HandleEvents(EventFeed* feed, absl::Duration keepalive, HttpCall& call) {
  absl::StatusOr<std::unique_ptr<FeedSubscription>> sub = feed->Subscribe();
  if (!sub.ok()) {
    ReplyError(call, GrpcOf(sub.status()));
    return;
  }
  std::shared_ptr<FeedSubscription> s = std::move(*sub);
  call.res->status = 200;
  call.res->set_header("Cache-Control", "no-store");
  call.res->set_header("X-Accel-Buffering", "no");  // nginx: do not buffer
  call.res->set_chunked_content_provider(
      "text/event-stream",
      [s, keepalive, events = std::vector<std::string>()](size_t,
                                                         httplib::DataSink& sink) mutable {
        uint64_t dropped = 0;
        const bool open = s->Next(keepalive, &events, &dropped);
        std::string out;
        if (dropped > 0) absl::StrAppend(&out, "data: {\"dropped\":", dropped, "}\n\n");
        for (const std::string& e : events) absl::StrAppend(&out, "data: ", e, "\n\n");
        if (out.empty()) out = ": keep-alive\n\n";
        // A failed write is a client gone: false ends the response and
        // frees the subscription (the lambda holds the last reference).
        if (!sink.write(out.data(), out.size())) return false;
        if (!open) sink.done();
        return true;
      });
  call.code = 0;
}

// The embedded file, or the same name read from `dir`.
void HandleAsset(const ConsoleAsset& asset, const std::string& dir, HttpCall& call) {
  call.res->status = 200;
  call.code = 0;
  if (dir.empty()) {
    call.res->set_header("Cache-Control", "no-cache");
    call.res->set_content(asset.data, asset.size, asset.content_type);
    return;
  }
  std::ifstream f(dir + asset.path, std::ios::binary);
  if (!f) {
    ReplyHttpError(call, 404, 5, absl::StrCat("console: ", asset.path, " is not in --console-dir"));
    return;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  call.res->set_header("Cache-Control", "no-store");
  call.res->set_content(ss.str(), asset.content_type);
}

}  // namespace

namespace {

HttpRoute Route(const char* method, std::string pattern, const char* metric, HttpAccess access,
                HttpHandler handler) {
  HttpRoute r;
  r.method = method;
  r.pattern = std::move(pattern);
  r.metric = metric;
  r.access = access;
  r.roles = kRoleRoute;
  r.handler = std::move(handler);
  return r;
}

}  // namespace

void RegisterConsoleApi(HttpRouter* router, MapViewCache* maps, EventFeed* feed,
                        ConsoleApiOptions options) {
  GridrouteService* service = router->service();
  // A viewport's GeoJSON takes tens of milliseconds (and gzip): off the io threads.
  HttpRoute grids = Route("GET", "/v1/grids", "Grids", HttpAccess::kRoles,
                          [service, maps, limits = options.limits](HttpCall& call) {
                            HandleGrids(service, maps, limits, call);
                          });
  grids.may_block = true;
  router->Add(std::move(grids));
  const absl::Duration keepalive = absl::Seconds(options.keepalive_s);
  router->Add(Route("GET", "/v1/events:stream", "EventsStream", HttpAccess::kRoles,
                    [feed, keepalive](HttpCall& call) { HandleEvents(feed, keepalive, call); }));
  for (const ConsoleAsset& a : EmbeddedConsoleAssets()) {
    auto serve = [a, dir = options.console_dir](HttpCall& call) { HandleAsset(a, dir, call); };
    router->Add(Route("GET", a.path, "Console", HttpAccess::kOpen, serve));
    if (std::string(a.path) == "/index.html") {
      router->Add(Route("GET", "/", "Console", HttpAccess::kOpen, serve));
    }
  }
  std::string config = "{";
  if (!options.basemap_url.empty()) {
    absl::StrAppend(&config, "\"basemapUrl\":", JsonString(options.basemap_url),
                    ",\"basemapAttribution\":", JsonString(options.basemap_attribution));
  }
  config.push_back('}');
  router->Add(Route("GET", "/config.json", "Console", HttpAccess::kOpen, [config](HttpCall& call) {
    call.res->status = 200;
    call.res->set_content(config, "application/json");
    call.code = 0;
  }));
}

}  // namespace gridroute

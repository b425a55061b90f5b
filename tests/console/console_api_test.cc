// Copyright 2026 gridroute authors.
//
// The console's routes over a real HTTP listener (port 0, loopback): the map
// data and its errors, the live feed as Server-Sent Events with its client
// bound and auth, the embedded page and /config.json.
#include "console/console_api.h"

#include <simdjson.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "http/http_server.h"
#include "service/auth.h"
#include "service/grpc_service.h"
#include "service/snapshot_store.h"
#include "testing/routing_pack.h"
#include "testing/test_pack.h"

namespace gridroute {
namespace {

constexpr char kToken[] = "console-api-test";

class ConsoleApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::TestPack pack;
    testing::MakeRoutingPack(pack);
    ASSERT_TRUE(store_.Load(pack.Write()).ok());
    const std::string dir = testing::MakeTempDir("console-tokens");
    testing::WriteText(dir + "/tokens.csv",
                       absl::StrCat("token_sha256,principal,roles,departments\n", Sha256Hex(kToken),
                                    ",console,route,\n", Sha256Hex("no-route"), ",ops,cases-read,\n"));
    tokens_ = std::make_unique<TokenFile>(dir + "/tokens.csv");
    ASSERT_TRUE(tokens_->Reload().ok());
    ServiceOptions o;
    o.tokens = tokens_.get();
    o.feed = &feed_;
    service_ = std::make_unique<GridrouteService>(&store_, o);
    router_ = std::make_unique<HttpRouter>(service_.get());
    ConsoleApiOptions c;
    c.basemap_url = "https://tiles.example/{z}/{x}/{y}.png";
    c.keepalive_s = 0.2;
    c.limits.max_features = 2;
    RegisterConsoleApi(router_.get(), &maps_, &feed_, c);
    HttpServerOptions h;
    h.listen = "127.0.0.1:0";
    h.threads = 4;
    server_ = std::make_unique<HttpServer>(h, router_.get());
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
  }
  void TearDown() override {
    feed_.Close();
    server_->Stop();
  }
  httplib::Client Client() {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(60, 0);  // hang guard only
    c.set_bearer_token_auth(kToken);
    return c;
  }

  SnapshotStore store_;
  std::unique_ptr<TokenFile> tokens_;
  EventFeed feed_{[] {
    FeedOptions o;
    o.max_subscribers = 2;
    return o;
  }()};
  MapViewCache maps_;
  std::unique_ptr<GridrouteService> service_;
  std::unique_ptr<HttpRouter> router_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(ConsoleApiTest, GridsAnswersGeoJsonAndNamesBadParameters) {
  httplib::Client c = Client();
  auto meta = c.Get("/v1/grids");
  ASSERT_TRUE(meta);
  EXPECT_EQ(meta->status, 200);
  EXPECT_NE(meta->body.find("\"city_bbox\":[120.0000000,31.0000000,120.0030000,31.0010000]"),
            std::string::npos)
      << meta->body;
  auto all = c.Get("/v1/grids?bbox=119,30,121,32&level=grid");
  ASSERT_TRUE(all);
  EXPECT_EQ(all->status, 200);
  EXPECT_EQ(all->get_header_value("Content-Type"), "application/geo+json");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(all->body).get(doc), simdjson::SUCCESS) << all->body;
  EXPECT_EQ(doc["features"].get_array().size(), 2u);  // max_features = 2 of 3
  EXPECT_TRUE(bool(doc["truncated"]));
  EXPECT_EQ(int64_t(doc["matched"]), 3);
  auto districts = c.Get("/v1/grids?bbox=119,30,121,32&level=district");
  ASSERT_TRUE(districts);
  EXPECT_EQ(districts->status, 200);
  EXPECT_NE(districts->body.find("\"level\":\"district\""), std::string::npos);

  for (const char* bad : {"/v1/grids?bbox=1,2,3", "/v1/grids?bbox=1,2,3,4&level=planet",
                          "/v1/grids?bbox=1,2,3,4&simplify=-1"}) {
    auto r = c.Get(bad);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_NE(r->body.find("\"code\":3"), std::string::npos) << r->body;
  }
  httplib::Client anon("127.0.0.1", server_->port());
  auto r = anon.Get("/v1/grids?bbox=1,2,3,4");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  httplib::Client ops("127.0.0.1", server_->port());
  ops.set_bearer_token_auth("no-route");
  r = ops.Get("/v1/grids?bbox=1,2,3,4");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
}

// A large answer is gzip-compressed when the client accepts it.
TEST_F(ConsoleApiTest, GridsCompressesForGzipClients) {
  httplib::Client c = Client();
  c.set_decompress(false);
  httplib::Headers gz{{"Accept-Encoding", "gzip, deflate, br"}};
  auto r = c.Get("/v1/grids?bbox=119,30,121,32&level=grid", gz);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("Content-Encoding"), "gzip");
  ASSERT_GE(r->body.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(r->body[0]), 0x1f);  // gzip magic
  EXPECT_EQ(static_cast<unsigned char>(r->body[1]), 0x8b);
}

// Reads the event stream until `want` appears in it (the timeout is a hang
// guard), while `publish` runs once the stream is subscribed.
std::string ReadStreamUntil(httplib::Client& c, const std::string& want,
                            const std::function<void()>& publish) {
  std::string got;
  std::atomic<bool> published{false};
  auto r = c.Get("/v1/events:stream", [&](const char* data, size_t n) {
    got.append(data, n);
    if (!published.exchange(true)) publish();
    return got.find(want) == std::string::npos;  // false: stop reading
  });
  // Stopping the read cancels the request (r is then an error by design).
  EXPECT_NE(got.find(want), std::string::npos) << "the stream ended before '" << want << "': " << got;
  return got;
}

// Routed reports reach an SSE client as `data:` lines; with nothing to say
// the stream sends keep-alive comments.
TEST_F(ConsoleApiTest, EventStreamCarriesRoutedReports) {
  httplib::Client c = Client();
  const std::string got = ReadStreamUntil(c, "\"grid\":\"g1\"", [&] {
    httplib::Client r = Client();
    // Route through the service as the JSON API would (the feed hook in
    // GridrouteService::Route).
    v1::RouteRequest req;
    req.mutable_point()->set_x(120.0005);
    req.mutable_point()->set_y(31.0005);
    req.set_category("0102");
    req.mutable_reported_at()->set_seconds(absl::ToUnixSeconds(absl::Now()));
    v1::RouteResponse resp;
    EXPECT_TRUE(service_->Route(absl::InfiniteFuture(), req, &resp, nullptr).ok());
  });
  EXPECT_NE(got.find(": keep-alive\n\n"), std::string::npos);
  EXPECT_NE(got.find("data: {\"t\":"), std::string::npos) << got;
  EXPECT_NE(got.find("\"lead\":"), std::string::npos) << got;
}

// At most max_subscribers streams; one more is 429 RESOURCE_EXHAUSTED.
TEST_F(ConsoleApiTest, EventStreamClientsAreBounded) {
  auto s1 = feed_.Subscribe();
  auto s2 = feed_.Subscribe();
  ASSERT_TRUE(s1.ok() && s2.ok());
  httplib::Client c = Client();
  auto r = c.Get("/v1/events:stream");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429);
  EXPECT_NE(r->body.find("maximum is 2"), std::string::npos) << r->body;
  httplib::Client anon("127.0.0.1", server_->port());
  s1->reset();
  r = anon.Get("/v1/events:stream");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(feed_.stats().subscribers, 1);  // the refused calls never subscribed
}

TEST_F(ConsoleApiTest, PageAndConfigAreOpen) {
  httplib::Client anon("127.0.0.1", server_->port());
  auto index = anon.Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_NE(index->body.find("vendor/leaflet/leaflet.js"), std::string::npos);
  EXPECT_EQ(index->get_header_value("Content-Type"), "text/html; charset=utf-8");
  for (const char* path : {"/index.html", "/console.js", "/console.css", "/vendor/leaflet/leaflet.js",
                           "/vendor/leaflet/leaflet.css", "/vendor/leaflet/LICENSE"}) {
    auto r = anon.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path;
    EXPECT_GT(r->body.size(), 100u) << path;
  }
  auto leaflet = anon.Get("/vendor/leaflet/leaflet.js");
  EXPECT_NE(leaflet->body.find("Leaflet"), std::string::npos);
  auto config = anon.Get("/config.json");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->body,
            "{\"basemapUrl\":\"https://tiles.example/{z}/{x}/{y}.png\",\"basemapAttribution\":\"\"}");
  auto missing = anon.Get("/../etc/passwd");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

}  // namespace
}  // namespace gridroute

// Copyright 2026 gridroute authors.
//
// TLS and mutual TLS on the HTTP listener, with a CA, a server certificate
// and client certificates made at test time with the openssl CLI (as
// tests/service/tls_test.cc does for gRPC):
//   - a client that trusts the CA gets answers over HTTPS; a plaintext
//     client gets none;
//   - with a client CA, a client certificate whose CN is a certificate
//     principal of the token file is let in with that principal's roles; a
//     certificate of the same CA with an unknown CN gets 401; a client
//     without a certificate fails the handshake.
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/http_router.h"
#include "http/http_server.h"
#include "http/json_api.h"
#include "http/ops_api.h"
#include "service/auth.h"
#include "service/connection_guard.h"
#include "service/grpc_service.h"
#include "testing/routing_pack.h"
#include "testing/test_pack.h"

namespace gridroute {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class HttpTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (std::system("openssl version >/dev/null 2>&1") != 0) return;  // SetUp skips
    std::string tmpl = (std::filesystem::temp_directory_path() / "http_tls_test_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = new std::string(tmpl);
    const std::string& d = *dir_;
    const std::string script = absl::StrCat(
        "set -e; cd ", d, "\n",
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
        "-subj /CN=test-ca -keyout ca.key -out ca.crt\n",
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost "
        "-keyout server.key -out server.csr\n",
        "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1' > server.ext\n",
        "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 "
        "-extfile server.ext -out server.crt\n",
        "for cn in ops-laptop stranger; do\n",
        "  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=$cn "
        "-keyout $cn.key -out $cn.csr\n",
        "  openssl x509 -req -in $cn.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 "
        "-out $cn.crt\n",
        "done\n");
    std::ofstream(d + "/make-ca.sh") << script;
    ASSERT_EQ(std::system(absl::StrCat("sh ", d, "/make-ca.sh >", d, "/openssl.log 2>&1").c_str()), 0)
        << ReadAll(d + "/openssl.log");
    std::ofstream(d + "/tokens.csv") << "token_sha256,principal,roles,departments\n"
                                     << Sha256Hex("tok-route") << ",p-route,route,\n"
                                     << ",ops-laptop,route admin,\n";
  }
  static void TearDownTestSuite() {
    if (dir_ == nullptr) return;
    std::error_code ec;
    std::filesystem::remove_all(*dir_, ec);
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    if (dir_ == nullptr) GTEST_SKIP() << "openssl CLI missing (tools/setup.sh installs it)";
    testing::TestPack p;
    testing::MakeRoutingPack(p, "", true);
    ASSERT_TRUE(store_.Load(p.Write()).ok());
  }
  void TearDown() override {
    if (http_ != nullptr) http_->Stop();
  }

  // `extra` adds routes before the server starts.
  void Start(bool mtls, const std::function<void(HttpRouter*)>& extra = nullptr) {
    ServiceOptions o;
    if (mtls) {
      tokens_ = std::make_unique<TokenFile>(*dir_ + "/tokens.csv");
      ASSERT_TRUE(tokens_->Reload().ok());
      o.tokens = tokens_.get();
    }
    service_ = std::make_unique<GridrouteService>(&store_, o);
    router_ = std::make_unique<HttpRouter>(service_.get());
    RegisterJsonApi(router_.get());
    RegisterOpsApi(router_.get(), {});
    if (extra) extra(router_.get());
    HttpServerOptions ho;
    ho.listen = "127.0.0.1:0";
    ho.threads = 2;
    ho.tls_cert_pem = ReadAll(*dir_ + "/server.crt");
    ho.tls_key_pem = ReadAll(*dir_ + "/server.key");
    if (mtls) ho.tls_client_ca_pem = ReadAll(*dir_ + "/ca.crt");
    http_ = std::make_unique<HttpServer>(ho, router_.get());
    std::string error;
    ASSERT_TRUE(http_->Start(&error)) << error;
  }

  // An HTTPS client trusting the test CA, with client certificate `cn` ("": none).
  std::unique_ptr<httplib::SSLClient> Client(const std::string& cn) {
    auto c = cn.empty() ? std::make_unique<httplib::SSLClient>("localhost", http_->port())
                        : std::make_unique<httplib::SSLClient>("localhost", http_->port(),
                                                               *dir_ + "/" + cn + ".crt",
                                                               *dir_ + "/" + cn + ".key");
    c->set_ca_cert_path((*dir_ + "/ca.crt").c_str());
    c->enable_server_certificate_verification(true);
    c->set_connection_timeout(20, 0);  // hang guards
    c->set_read_timeout(20, 0);
    return c;
  }

  static std::string* dir_;
  SnapshotStore store_;
  std::unique_ptr<TokenFile> tokens_;
  std::unique_ptr<GridrouteService> service_;
  std::unique_ptr<HttpRouter> router_;
  std::unique_ptr<HttpServer> http_;
};
std::string* HttpTlsTest::dir_ = nullptr;

TEST_F(HttpTlsTest, HttpsAnswersAndPlaintextDoesNot) {
  Start(/*mtls=*/false);
  ASSERT_TRUE(http_->tls());
  auto r = Client("")->Get("/v1/info");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->body, ::testing::HasSubstr("\"grids\":\"3\""));
  httplib::Client plain("127.0.0.1", http_->port());
  plain.set_read_timeout(20, 0);
  auto p = plain.Get("/v1/info");
  EXPECT_TRUE(!p || p->status != 200);
}

TEST_F(HttpTlsTest, MutualTlsMapsTheCertificateToItsPrincipal) {
  Start(/*mtls=*/true);
  // The certificate principal has route + admin: the full Info (pack_dir).
  auto r = Client("ops-laptop")->Get("/v1/info");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_THAT(r->body, ::testing::HasSubstr("\"packDir\""));
  // A bearer token still works over mutual TLS (and wins over the certificate).
  auto c = Client("ops-laptop");
  auto t = c->Get("/v1/info", {{"Authorization", "Bearer tok-route"}});
  ASSERT_TRUE(t);
  EXPECT_EQ(t->status, 200);
  EXPECT_THAT(t->body, ::testing::Not(::testing::HasSubstr("\"packDir\"")));
  // Same CA, CN not in the token file: 401.
  auto s = Client("stranger")->Get("/v1/info");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->status, 401) << s->body;
  // No client certificate: the handshake fails, nothing is answered.
  auto n = Client("")->Get("/v1/info");
  EXPECT_FALSE(n);
}

// A chunked content provider (the console's event stream is one) over TLS:
// its chunks are written from the provider's own thread through the
// connection's strand, and `done` ends the answer.
TEST_F(HttpTlsTest, ChunkedAnswersStreamOverTls) {
  Start(/*mtls=*/false, [](HttpRouter* router) {
    HttpRoute chunks;
    chunks.method = "GET";
    chunks.pattern = "/chunks";
    chunks.metric = "Chunks";
    chunks.access = HttpAccess::kOpen;
    chunks.handler = [](HttpCall& call) {
      call.res->status = 200;
      call.res->set_chunked_content_provider(
          "text/plain", [n = 0](size_t, httplib::DataSink& sink) mutable {
            if (n == 3) {
              sink.done();
              return true;
            }
            const std::string part = absl::StrCat("part", n++, ";");
            return sink.write(part.data(), part.size());
          });
    };
    router->Add(std::move(chunks));
  });
  auto c = Client("");
  for (int i = 0; i < 2; ++i) {  // the stream's connection closes; a new one serves again
    auto r = c->Get("/chunks");
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->get_header_value("Transfer-Encoding"), "chunked");
    EXPECT_EQ(r->body, "part0;part1;part2;");
  }
}

TEST_F(HttpTlsTest, RequestHeadsAreBoundedOverTlsToo) {
  Start(/*mtls=*/false);
  const int64_t before = http_->counters().heads_refused;
  // 40 KB of headers: served.
  httplib::Headers ok;
  for (int i = 0; i < 10; ++i) ok.emplace("X-Pad-" + std::to_string(i), std::string(4000, 'a'));
  auto r = Client("")->Get("/healthz", ok);
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(http_->counters().heads_refused, before);
  // 400 KB of headers: 431 (or a reset connection), never served.
  httplib::Headers big;
  for (int i = 0; i < 100; ++i) big.emplace("X-Pad-" + std::to_string(i), std::string(4000, 'a'));
  auto b = Client("")->Get("/healthz", big);
  EXPECT_TRUE(!b || b->status != 200);
  EXPECT_EQ(http_->counters().heads_refused, before + 1);
}

}  // namespace
}  // namespace gridroute

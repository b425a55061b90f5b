// Copyright 2026 gridroute authors.
//
// TLS and mutual TLS on a real loopback port, with a CA, a server
// certificate and a client certificate made at test time with the openssl
// CLI (the same commands README "Deploying" documents):
//   - a plaintext client cannot talk to a TLS server; a TLS client can;
//   - with --tls-client-ca, a client with a certificate from the CA is let
//     in (its CN is the principal of a certificate row of the token file)
//     and a client without one is refused.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gridroute/v1/admin.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "service/auth.h"
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

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (std::system("openssl version >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "openssl CLI missing (tools/setup.sh installs it)";
    }
    std::string tmpl = (std::filesystem::temp_directory_path() / "tls_test_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = new std::string(tmpl);
    const std::string d = *dir_;
    // A CA, a server certificate for localhost/127.0.0.1 and a client one
    // (CN=ops-laptop), all EC P-256, valid one day.
    const std::string script = absl::StrCat(
        "set -e; cd ", d, "\n",
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
        "-subj /CN=test-ca -keyout ca.key -out ca.crt\n",
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost "
        "-keyout server.key -out server.csr\n",
        "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1' > server.ext\n",
        "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 "
        "-extfile server.ext -out server.crt\n",
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=ops-laptop "
        "-keyout client.key -out client.csr\n",
        "openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 "
        "-out client.crt\n",
        // A second client of the same CA whose CN is in no token file.
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=stranger "
        "-keyout stranger.key -out stranger.csr\n",
        "openssl x509 -req -in stranger.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 "
        "-out stranger.crt\n");
    const std::string sh = d + "/make-ca.sh";
    std::ofstream(sh) << script;
    ASSERT_EQ(std::system(absl::StrCat("sh ", sh, " >", d, "/openssl.log 2>&1").c_str()), 0)
        << ReadAll(d + "/openssl.log");
    pack_ = new std::string([] {
      testing::TestPack p;
      testing::MakeRoutingPack(p, "", true);
      return p.Write();
    }());
  }
  static void TearDownTestSuite() {
    if (dir_ != nullptr) {
      std::error_code ec;
      std::filesystem::remove_all(*dir_, ec);
    }
    delete dir_;
    delete pack_;
    dir_ = pack_ = nullptr;
  }

  void SetUp() override {
    if (dir_ == nullptr) GTEST_SKIP();
    ASSERT_TRUE(store_.Load(*pack_).ok());
  }
  void TearDown() override {
    if (server_ != nullptr) {
      server_->Shutdown();
      server_->Wait();
    }
  }

  // Starts a TLS server (mutual with `mtls`) on a port in 21400..21499.
  void Start(bool mtls, const TokenFile* tokens = nullptr) {
    ServiceOptions o;
    o.tokens = tokens;
    service_ = std::make_unique<GridrouteService>(&store_, o);
    ServerOptions so;
    so.tls_cert_pem = ReadAll(*dir_ + "/server.crt");
    so.tls_key_pem = ReadAll(*dir_ + "/server.key");
    if (mtls) so.tls_client_ca_pem = ReadAll(*dir_ + "/ca.crt");
    for (int port = 21400 + (getpid() % 50); port < 21500 && server_ == nullptr; ++port) {
      so.listen = absl::StrCat("127.0.0.1:", port);
      std::string error;
      server_ = StartServer(so, service_.get(), &port_, &error);
    }
    ASSERT_NE(server_, nullptr) << "no free port in 21400..21499";
  }

  // An AdminService stub over a channel with `creds`.
  std::unique_ptr<v1::AdminService::Stub> Admin(std::shared_ptr<grpc::ChannelCredentials> creds) {
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    return v1::AdminService::NewStub(
        grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port_), std::move(creds), args));
  }
  static void SetDeadline(grpc::ClientContext* ctx) {
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  }
  // Info over a channel with `creds`.
  grpc::Status Info(std::shared_ptr<grpc::ChannelCredentials> creds) {
    grpc::ClientContext ctx;
    SetDeadline(&ctx);
    v1::InfoResponse resp;
    return Admin(std::move(creds))->Info(&ctx, v1::InfoRequest(), &resp);
  }
  // A TLS channel; with `client` ("client" or "stranger") it presents that
  // client certificate.
  static std::shared_ptr<grpc::ChannelCredentials> Tls(bool with_client_cert,
                                                       const std::string& client = "client") {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = ReadAll(*dir_ + "/ca.crt");
    if (with_client_cert) {
      o.pem_private_key = ReadAll(*dir_ + "/" + client + ".key");
      o.pem_cert_chain = ReadAll(*dir_ + "/" + client + ".crt");
    }
    return grpc::SslCredentials(o);
  }
  // Reload (admin only) over a channel with `creds`.
  grpc::Status Reload(std::shared_ptr<grpc::ChannelCredentials> creds) {
    grpc::ClientContext ctx;
    SetDeadline(&ctx);
    v1::ReloadResponse resp;
    return Admin(std::move(creds))->Reload(&ctx, v1::ReloadRequest(), &resp);
  }

  static std::string* dir_;
  static std::string* pack_;
  SnapshotStore store_;
  std::unique_ptr<GridrouteService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};
std::string* TlsTest::dir_ = nullptr;
std::string* TlsTest::pack_ = nullptr;

TEST_F(TlsTest, PlaintextClientRefusedTlsClientServed) {
  ASSERT_NO_FATAL_FAILURE(Start(/*mtls=*/false));
  grpc::Status plain = Info(grpc::InsecureChannelCredentials());
  EXPECT_FALSE(plain.ok());
  EXPECT_EQ(plain.error_code(), grpc::StatusCode::UNAVAILABLE) << plain.error_message();
  grpc::Status tls = Info(Tls(false));
  EXPECT_TRUE(tls.ok()) << tls.error_message();
}

TEST_F(TlsTest, MutualTlsNeedsAClientCertificate) {
  // The certificate's CN is a principal of the token file (empty token_sha256).
  const std::string file = *dir_ + "/tokens.csv";
  std::ofstream(file) << "token_sha256,principal,roles,departments\n,ops-laptop,route,\n";
  TokenFile tokens(file);
  ASSERT_TRUE(tokens.Reload().ok());
  ASSERT_NO_FATAL_FAILURE(Start(/*mtls=*/true, &tokens));
  grpc::Status with = Info(Tls(true));
  EXPECT_TRUE(with.ok()) << with.error_message();
  grpc::Status without = Info(Tls(false));
  EXPECT_FALSE(without.ok());
  EXPECT_EQ(without.error_code(), grpc::StatusCode::UNAVAILABLE) << without.error_message();
  EXPECT_FALSE(Info(grpc::InsecureChannelCredentials()).ok());
}

// The certificate's CN is the principal, with that row's roles: ops-laptop
// may route but not reload (PERMISSION_DENIED naming the role, so it was
// recognised), and a certificate of the same CA whose CN is in no row is
// UNAUTHENTICATED.
TEST_F(TlsTest, CertificateNameIsThePrincipalWithItsRoles) {
  const std::string file = *dir_ + "/tokens-roles.csv";
  std::ofstream(file) << "token_sha256,principal,roles,departments\n,ops-laptop,route,D2\n";
  TokenFile tokens(file);
  ASSERT_TRUE(tokens.Reload().ok());
  ASSERT_NO_FATAL_FAILURE(Start(/*mtls=*/true, &tokens));
  EXPECT_TRUE(Info(Tls(true)).ok());
  grpc::Status reload = Reload(Tls(true));
  EXPECT_EQ(reload.error_code(), grpc::StatusCode::PERMISSION_DENIED) << reload.error_message();
  EXPECT_NE(reload.error_message().find("admin"), std::string::npos) << reload.error_message();
  grpc::Status stranger = Info(Tls(true, "stranger"));
  EXPECT_EQ(stranger.error_code(), grpc::StatusCode::UNAUTHENTICATED) << stranger.error_message();
}

}  // namespace
}  // namespace gridroute

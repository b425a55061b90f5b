// Copyright 2026 gridroute authors.
#include "http/http_server.h"

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "http/http_reply.h"
#include "service/connection_guard.h"
#include "service/request_head_guard.h"

namespace gridroute {
namespace {

// Every PEM certificate of `pem`, in order (the caller frees them).
std::vector<X509*> ReadCerts(const std::string& pem) {
  std::vector<X509*> out;
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  while (X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) out.push_back(x);
  BIO_free(bio);
  return out;
}

// Configures `ctx` from PEM strings: certificate chain, key, and with a
// client CA, required and verified client certificates.
bool SetupTls(const HttpServerOptions& o, SSL_CTX* ctx) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  std::vector<X509*> chain = ReadCerts(o.tls_cert_pem);
  bool ok = !chain.empty() && SSL_CTX_use_certificate(ctx, chain[0]) == 1;
  for (size_t i = 1; ok && i < chain.size(); ++i) {
    ok = SSL_CTX_add_extra_chain_cert(ctx, chain[i]) == 1;  // takes ownership
    if (ok) chain[i] = nullptr;
  }
  for (X509* x : chain) X509_free(x);
  if (!ok) return false;
  BIO* bio = BIO_new_mem_buf(o.tls_key_pem.data(), static_cast<int>(o.tls_key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ok = key != nullptr && SSL_CTX_use_PrivateKey(ctx, key) == 1 && SSL_CTX_check_private_key(ctx) == 1;
  EVP_PKEY_free(key);
  if (!ok) return false;
  if (o.tls_client_ca_pem.empty()) return true;
  std::vector<X509*> cas = ReadCerts(o.tls_client_ca_pem);
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  for (X509* ca : cas) {
    ok = ok && X509_STORE_add_cert(store, ca) == 1;
    ok = ok && SSL_CTX_add_client_CA(ctx, ca) == 1;
    X509_free(ca);
  }
  if (!ok || cas.empty()) return false;
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  return true;
}

}  // namespace

bool SplitHostPort(const std::string& listen, std::string* host, int* port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  std::string h = listen.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  int p = 0;
  if (!absl::SimpleAtoi(listen.substr(colon + 1), &p) || p < 0 || p > 65535) return false;
  *host = h;
  *port = p;
  return true;
}

HttpServer::HttpServer(HttpServerOptions options, const HttpRouter* router)
    : options_(std::move(options)), router_(router) {}

HttpServer::~HttpServer() { Stop(); }

bool HttpServer::Start(std::string* error) {
  std::string host;
  int port = 0;
  if (!SplitHostPort(options_.listen, &host, &port)) {
    *error = absl::StrCat("--http-listen ", options_.listen, ": expected HOST:PORT");
    return false;
  }
  if (tls()) {
    const HttpServerOptions& o = options_;
    server_ = std::make_unique<httplib::SSLServer>([&o](SSL_CTX& ctx) { return SetupTls(o, &ctx); });
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  if (!server_->is_valid()) {
    *error = "--http-listen: the TLS certificate, key or client CA is not usable";
    return false;
  }
  httplib::Server& s = *server_;
  const int threads = std::max(options_.threads, 1);
  s.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  s.set_payload_max_length(options_.max_body_bytes);
  s.set_keep_alive_timeout(options_.keep_alive_timeout_s);
  s.set_keep_alive_max_count(static_cast<size_t>(options_.keep_alive_max_requests));
  s.set_read_timeout(options_.read_timeout_s, 0);
  s.set_write_timeout(options_.write_timeout_s, 0);
  s.set_tcp_nodelay(true);
  const HttpRouter* router = router_;
  auto handle = [router](const httplib::Request& req, httplib::Response& res) {
    router->Handle(req, res);
  };
  // Every method and path goes to the router (it answers 404 and 405).
  s.Get(".*", handle);
  s.Post(".*", handle);
  s.Put(".*", handle);
  s.Patch(".*", handle);
  s.Delete(".*", handle);
  s.Options(".*", handle);
  const size_t max_body = options_.max_body_bytes;
  // The answers the library writes itself (413, 400 for a bad request
  // line, ...) get the API's JSON error body.
  s.set_error_handler(httplib::Server::HandlerWithResponse(
      [max_body](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    int code = 3;  // INVALID_ARGUMENT
    std::string m = absl::StrCat("request: HTTP ", res.status);
    if (res.status == 413) {
      code = 8;  // RESOURCE_EXHAUSTED
      m = absl::StrCat("body: larger than ", max_body, " bytes (--http-max-body-mb)");
    } else if (res.status == 414) {
      m = "path: the request target is too long";
    }
    res.set_content(ErrorJson(code, m), "application/json");
    return httplib::Server::HandlerResponse::Handled;
  }));
  const int bound = port == 0 ? s.bind_to_any_port(host) : (s.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    *error = absl::StrCat("cannot listen on ", options_.listen, " (HTTP)");
    return false;
  }
  port_.store(bound);
  if (!ConnectionGuard::Get().Watch(bound, options_.max_connections)) {
    Log(LogLevel::kWarning, "http",
        "WARNING: HTTP connections are not capped (accept not interposed, or 8 listeners "
        "watched already)");
  }
  RequestHeadGuard::Get().WatchPort(bound, options_.max_head_bytes);
  RequestHeadGuard::Get().SetRequestDeadline(options_.request_timeout_s);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return true;
}

bool HttpServer::running() const { return server_ != nullptr && server_->is_running(); }

void HttpServer::Stop() {
  if (server_ == nullptr) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  const int port = port_.exchange(0);
  ConnectionGuard::Get().Unwatch(port);
  RequestHeadGuard::Get().UnwatchPort(port);
}

}  // namespace gridroute

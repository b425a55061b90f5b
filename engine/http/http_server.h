// Copyright 2026 gridroute authors.
//
// HttpServer: gridroute-server's HTTP/1.1 listener (--http-listen), on
// cpp-httplib (Debian libcpp-httplib-dev 0.11.4; why this library:
// engine/http/HTTP.md). Every request goes to an HttpRouter.
//
//   HttpRouter router(&service);
//   RegisterJsonApi(&router);
//   RegisterOpsApi(&router, {});
//   HttpServer http({.listen = "127.0.0.1:8080"}, &router);
//   if (!http.Start(&error)) ...;
//   ... http.port() ...
//   http.Stop();
//
// Threading: a fixed pool of `threads` threads; each keep-alive connection
// holds one thread while it is open (blocking I/O, as the library does), so
// at most `threads` connections are served at once and more wait, accepted,
// in the pool's queue. `keep_alive_timeout_s` bounds how long an idle
// connection keeps its thread. The connection cap is ConnectionGuard's (the
// same process-wide cap as gRPC's, over both listeners).
//
// Thread-safety: Start and Stop from one thread; port()/running() from any.
#ifndef GRIDROUTE_HTTP_HTTP_SERVER_H_
#define GRIDROUTE_HTTP_HTTP_SERVER_H_

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>

#include "http/http_router.h"

namespace gridroute {

struct HttpServerOptions {
  // host:port ("127.0.0.1:8080", "0.0.0.0:8080", "[::]:8080"; port 0: any).
  std::string listen = "127.0.0.1:8080";
  // TLS: PEM certificate chain and key (both or neither). With
  // tls_client_ca_pem too, mutual TLS: a client must present a certificate
  // signed by that CA (the handshake fails otherwise); its subject CN is a
  // certificate principal of the token file, as on gRPC.
  std::string tls_cert_pem{};
  std::string tls_key_pem{};
  std::string tls_client_ca_pem{};
  // Largest request body (bytes); a larger one is answered 413 before it
  // is read. Default: gRPC's max message size (32 MiB).
  size_t max_body_bytes = size_t{32} << 20;
  // Worker threads = connections served at once (see above). 16: two
  // cores saturate with ~4 keep-alive clients on /v1/route.
  int threads = 16;
  // An idle keep-alive connection is closed after this (and frees its
  // thread). A request whose headers or body do not arrive within
  // read_timeout_s is dropped; an answer the client does not take within
  // write_timeout_s is dropped.
  int keep_alive_timeout_s = 5;
  int read_timeout_s = 10;
  int write_timeout_s = 10;
  // Requests per keep-alive connection before it is closed (the library's
  // default of 5 would reconnect every 5 calls).
  int keep_alive_max_requests = 100000;
  // Longest request head (request line + headers), plaintext or TLS; a
  // longer one resets the connection (RequestHeadGuard: cpp-httplib bounds
  // each header line, not their number).
  uint32_t max_head_bytes = 64 << 10;
  // Whole-request deadline: a request (head and body) still arriving this
  // many seconds after its first byte is reset at its next read
  // (RequestHeadGuard::SetRequestDeadline); 0 = off.
  uint32_t request_timeout_s = 30;
  // Process-wide connection cap passed to ConnectionGuard (0: none).
  int max_connections = 10000;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, const HttpRouter* router);
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving on a thread of its own. False with *error set
  // (bad address, port taken, bad TLS material).
  bool Start(std::string* error);
  // Stops accepting, finishes the requests being served, joins.
  void Stop();

  int port() const { return port_.load(); }
  // The listener is accepting (false before Start, after Stop, or if the
  // accept loop ended on its own).
  bool running() const;
  bool tls() const { return !options_.tls_cert_pem.empty(); }

 private:
  const HttpServerOptions options_;
  const HttpRouter* const router_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<int> port_{0};
};

// Splits "host:port" / "[v6]:port" into host (brackets removed) and port.
bool SplitHostPort(const std::string& listen, std::string* host, int* port);

}  // namespace gridroute

#endif  // GRIDROUTE_HTTP_HTTP_SERVER_H_

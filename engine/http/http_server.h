// Copyright 2026 gridroute authors.
//
// HttpServer: gridroute-server's HTTP/1.1 listener (--http-listen), an
// event-driven server on Boost.Beast + Boost.Asio (header-only, in Debian's
// libboost1.74-dev; why not cpp-httplib or civetweb: engine/http/HTTP.md).
// Every request goes to an HttpRouter.
//
//   HttpRouter router(&service);
//   RegisterJsonApi(&router);
//   RegisterOpsApi(&router, {});
//   HttpServer http({.listen = "127.0.0.1:8080"}, &router);
//   if (!http.Start(&error)) ...;
//   ... http.port() ...
//   http.Stop();
//
// Threading: one io_context run by `threads` threads serves every
// connection (asynchronous accept, read and write; one strand per
// connection). A request is parsed, routed and answered inline on an io
// thread (the handlers are microseconds; one gather write per answer), so
// open keep-alive connections cost no thread; a route marked may_block
// (HttpRoute) runs on a pool of `blocking_threads` workers instead, its
// answer written back by the io threads. A streaming answer (a chunked
// content provider: the console's Server-Sent Events) runs its provider on
// a thread of its own, whose chunks the io threads write; at most the event
// feed's subscriber cap of them exist. The connection cap is
// ConnectionGuard's (the same process-wide cap as gRPC's, over both
// listeners): a connection over it is closed inside accept().
//
// Handlers see cpp-httplib's plain Request/Response structs (the library's
// transport is not used): method, path (percent-decoded), params, headers,
// body, remote_addr/port, and `ssl` (the connection's SSL*, for the client
// certificate of mutual TLS).
//
// Thread-safety: Start and Stop from one thread; port()/running()/
// counters() from any.
#ifndef GRIDROUTE_HTTP_HTTP_SERVER_H_
#define GRIDROUTE_HTTP_HTTP_SERVER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

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
  // Largest request body (bytes); a larger declared one is answered 413
  // before it is read. Default: gRPC's max message size (32 MiB).
  size_t max_body_bytes = size_t{32} << 20;
  // io threads (the whole HTTP server; not per connection). 2: one core
  // saturates with one (HTTP.md, Performance: one or two cost the same CPU
  // per request, eight ~10% more); the second uses a second core for the
  // kernel's share and covers a handler that runs longer than expected.
  int threads = 2;
  // Worker threads for the handlers of routes marked may_block (a case
  // filing waiting for its journal commit, a batch, a map query): at most
  // this many such calls run at once; more wait in order. 16: the HTTP
  // filings one journal commit can group.
  int blocking_threads = 16;
  // An idle keep-alive connection (no byte of a next request) is closed
  // after keep_alive_timeout_s. A request whose bytes stop arriving for
  // read_timeout_s is dropped; an answer the client does not take within
  // write_timeout_s is dropped. The TLS handshake must end within
  // read_timeout_s.
  int keep_alive_timeout_s = 5;
  int read_timeout_s = 10;
  int write_timeout_s = 10;
  // Requests per keep-alive connection before it is closed.
  int keep_alive_max_requests = 100000;
  // Longest request head (request line + headers), plaintext or TLS; a
  // longer one is answered 431 and the connection closed. The request
  // target is at most 8 KiB (414) and each header line too (431).
  uint32_t max_head_bytes = 64 << 10;
  // Whole-request deadline: a request (head and body) still arriving this
  // many seconds after its first byte is dropped (the connection closed,
  // nothing answered); 0 = off.
  uint32_t request_timeout_s = 30;
  // Process-wide connection cap passed to ConnectionGuard (0: none).
  int max_connections = 10000;
};

// What the server refused since Start (tests and logs).
struct HttpServerCounters {
  int64_t heads_refused = 0;       // head over max_head_bytes (431)
  int64_t requests_timed_out = 0;  // request past request_timeout_s
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, const HttpRouter* router);
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving on `threads` threads of its own. False with
  // *error set (bad address, port taken, bad TLS material).
  bool Start(std::string* error);
  // Stops accepting, ends the streaming answers (each within the feed's
  // keep-alive interval), closes every connection (answers still being
  // written are cut), joins.
  void Stop();

  int port() const { return port_.load(); }
  // The listener is accepting (false before Start, after Stop, or if the
  // accept loop ended on its own).
  bool running() const;
  bool tls() const { return !options_.tls_cert_pem.empty(); }
  HttpServerCounters counters() const;

  class Impl;  // http_server.cc (keeps Boost.Asio/Beast out of this header)

 private:
  const HttpServerOptions options_;
  const HttpRouter* const router_;
  std::unique_ptr<Impl> impl_;
  std::atomic<int> port_{0};
};

// Splits "host:port" / "[v6]:port" into host (brackets removed) and port.
bool SplitHostPort(const std::string& listen, std::string* host, int* port);

}  // namespace gridroute

#endif  // GRIDROUTE_HTTP_HTTP_SERVER_H_

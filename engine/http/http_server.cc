// Copyright 2026 gridroute authors.
//
// The event-driven HTTP/1.1 server (http_server.h). One io_context, one
// strand per connection; each connection drives Beast's request parser by
// hand over raw reads, so that its timer can be the right one for each
// read: the keep-alive idle timeout before a request's first byte, then
// min(read timeout, whole-request deadline) for every later read.
#include <utility>  // first: Boost.Asio 1.74's awaitable.hpp needs std::exchange under C++20

#include "http/http_server.h"

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <future>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "http/http_reply.h"
#include "service/connection_guard.h"

namespace gridroute {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxTargetBytes = 8 << 10;      // request target (414 past it)
constexpr size_t kMaxHeaderLineBytes = 8 << 10;  // one header line (431 past it)
constexpr size_t kReadBytes = 16 << 10;          // one read's buffer space
// After an answer that ends the connection: unread bytes the client may
// still send are read and dropped (up to these) so that the close does not
// reset the connection before the client has read the answer.
constexpr size_t kLingerBytes = 256 << 10;
constexpr auto kLingerTime = std::chrono::seconds(2);

// A request body read into a std::string that grows as its bytes arrive.
// Beast's string_body reserves a declared Content-Length up front, so a
// client declaring the body cap and sending nothing would have the server
// set aside the cap per connection; this one reserves at most
// kBodyReserveBytes ahead (the parser's body_limit still bounds the total).
constexpr size_t kBodyReserveBytes = 64 << 10;
struct GrowingStringBody {
  using value_type = std::string;
  class reader {
   public:
    template <bool kIsRequest, class Fields>
    reader(bhttp::header<kIsRequest, Fields>&, value_type& body) : body_(body) {}
    void init(const boost::optional<std::uint64_t>& length, beast::error_code& ec) {
      if (length) body_.reserve(static_cast<size_t>(std::min<uint64_t>(*length, kBodyReserveBytes)));
      ec = {};
    }
    template <class ConstBufferSequence>
    size_t put(const ConstBufferSequence& buffers, beast::error_code& ec) {
      const size_t n = asio::buffer_size(buffers);
      const size_t old = body_.size();
      body_.resize(old + n);  // grows geometrically
      ec = {};
      return asio::buffer_copy(asio::buffer(body_.data() + old, n), buffers);
    }
    void finish(beast::error_code& ec) { ec = {}; }

   private:
    value_type& body_;
  };
};

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

// The handler's view of a parsed request (cpp-httplib's plain struct, as
// its own server filled it: path percent-decoded, params from the query).
void FillRequest(bhttp::request<GrowingStringBody>&& in, httplib::Request* req) {
  req->method = std::string(in.method_string());
  req->version = in.version() == 10 ? "HTTP/1.0" : "HTTP/1.1";
  req->target = std::string(in.target());
  const size_t q = req->target.find('?');
  req->path = httplib::detail::decode_url(req->target.substr(0, q), false);
  if (q != std::string::npos) httplib::detail::parse_query_text(req->target.substr(q + 1), req->params);
  for (const auto& f : in) {
    req->headers.emplace(std::string(f.name_string()), std::string(f.value()));
  }
  req->body = std::move(in.body());
}

// "HTTP/1.1 <status> <reason>\r\n" and the handler's headers (no blank line).
std::string StatusAndHeaders(const httplib::Response& r, unsigned version = 11) {
  const auto status = static_cast<bhttp::status>(r.status);
  beast::string_view reason = bhttp::obsolete_reason(status);
  if (reason == "<unknown-status>") reason = "Unknown";
  std::string out = absl::StrCat(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ", r.status, " ",
                                 absl::string_view(reason.data(), reason.size()), "\r\n");
  for (const auto& [k, v] : r.headers) absl::StrAppend(&out, k, ": ", v, "\r\n");
  return out;
}

}  // namespace

// Server state shared by the connections. Members are constant after
// Start unless noted.
class HttpServer::Impl {
 public:
  Impl(const HttpServerOptions& o, const HttpRouter* router)
      : o(o), router(router), io(std::max(o.threads, 1)) {}

  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  // Streaming answers (each on a thread of its own) begin and end; Stop
  // waits for all to end before it stops the io threads they write through.
  // False once Stop has begun (then no stream may start: Stop may already
  // have waited for the last one).
  bool StreamBegins() {
    std::lock_guard<std::mutex> lock(streams_mu);
    if (stopping.load()) return false;
    ++streams;
    return true;
  }
  void StreamEnds() {
    std::lock_guard<std::mutex> lock(streams_mu);
    --streams;
    streams_cv.notify_all();
  }

  const HttpServerOptions& o;
  const HttpRouter* const router;
  std::optional<asio::ssl::context> ssl;  // before io: outlives the connections
  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::optional<tcp::acceptor> acceptor;   // on a strand of io
  std::optional<asio::steady_timer> retry;  // after an accept error
  // Runs the handlers of may_block routes (none: no pool).
  std::optional<asio::thread_pool> pool;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::atomic<bool> accepting{false};
  std::atomic<int64_t> heads_refused{0};
  std::atomic<int64_t> timed_out{0};
  std::mutex streams_mu;
  std::condition_variable streams_cv;
  int streams = 0;  // guarded by streams_mu
};

namespace {

// One client connection: reads requests, answers them, until the client
// closes, a limit ends it, or the server stops. Runs on its strand (the
// io threads, one at a time); a streaming answer's thread hands its writes
// to the strand. `Stream` is beast::tcp_stream or an ssl_stream over one.
template <class Stream>
class Connection : public std::enable_shared_from_this<Connection<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Connection(HttpServer::Impl* server, Stream stream, const tcp::endpoint& remote,
             const tcp::endpoint& local)
      : server_(server), o_(server->o), stream_(std::move(stream)) {
    remote_addr_ = remote.address().to_string();
    remote_port_ = remote.port();
    local_addr_ = local.address().to_string();
    local_port_ = local.port();
  }

  // Starts serving, on the connection's strand (Run is called on the
  // acceptor's).
  void Run() {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->Begin(); });
  }

 private:
  void Begin() {
    if constexpr (kTls) {
      Lowest().expires_after(std::chrono::seconds(o_.read_timeout_s));
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->Close();
                                self->ReadRequest();
                              });
    } else {
      ReadRequest();
    }
  }

  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  void ReadRequest() {
    parser_.emplace();
    parser_->header_limit(o_.max_head_bytes);
    parser_->body_limit(static_cast<uint64_t>(o_.max_body_bytes));
    continued_ = false;
    started_ = buffer_.size() > 0;  // pipelined bytes: the request has begun
    if (started_) start_ = Clock::now();
    Parse();
  }

  // Feeds the buffered bytes to the parser; serves a complete request,
  // answers a bad one, or reads more.
  void Parse() {
    while (buffer_.size() > 0) {
      beast::error_code ec;
      const size_t n = parser_->put(buffer_.data(), ec);
      buffer_.consume(n);
      if (ec == bhttp::error::need_more) break;
      if (ec) return OnParseError(ec);
      if (parser_->is_done()) return Serve();
      if (n == 0) break;
    }
    if (parser_->is_header_done() && !continued_) {
      continued_ = true;
      if (absl::EqualsIgnoreCase(ToAbsl(parser_->get()[bhttp::field::expect]), "100-continue")) {
        return WriteContinue();
      }
    }
    ReadMore();
  }

  static absl::string_view ToAbsl(beast::string_view s) { return {s.data(), s.size()}; }

  // One read; its timer: the idle timeout before the request's first byte,
  // then the read timeout capped by the whole-request deadline.
  void ReadMore() {
    const Clock::time_point now = Clock::now();
    Clock::time_point at;
    deadline_bound_ = false;
    if (!started_) {
      at = now + std::chrono::seconds(o_.keep_alive_timeout_s);
    } else {
      at = now + std::chrono::seconds(o_.read_timeout_s);
      const Clock::time_point deadline = start_ + std::chrono::seconds(o_.request_timeout_s);
      if (o_.request_timeout_s > 0 && deadline < at) {
        at = deadline;
        deadline_bound_ = true;
      }
    }
    Lowest().expires_at(at);
    stream_.async_read_some(buffer_.prepare(kReadBytes),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              self->OnRead(ec, n);
                            });
  }

  void OnRead(beast::error_code ec, size_t n) {
    if (ec) {
      if (ec == beast::error::timeout && started_ && deadline_bound_) ++server_->timed_out;
      return Close();
    }
    buffer_.commit(n);
    if (!started_) {
      started_ = true;
      start_ = Clock::now();
    }
    Parse();
  }

  void OnParseError(beast::error_code ec) {
    if (ec == bhttp::error::header_limit) {
      ++server_->heads_refused;
      return Refuse(431, 8 /*RESOURCE_EXHAUSTED*/,
                    absl::StrCat("request: the head (request line and headers) is longer than ",
                                 o_.max_head_bytes, " bytes"),
                    /*linger=*/false);
    }
    if (ec == bhttp::error::body_limit) {
      return Refuse(413, 8, absl::StrCat("body: larger than ", o_.max_body_bytes,
                                         " bytes (--http-max-body-mb)"));
    }
    Refuse(400, 3 /*INVALID_ARGUMENT*/, absl::StrCat("request: not valid HTTP/1.1 (", ec.message(), ")"));
  }

  // The checks cpp-httplib made that Beast's parser does not: target and
  // header line lengths, and compressed bodies (cpp-httplib inflated
  // them; we refuse them). False with the error's HTTP status and message.
  static bool Precheck(const bhttp::request<GrowingStringBody>& in, int* status,
                       std::string* message) {
    if (in.target().size() > kMaxTargetBytes) {
      *status = 414;
      *message = "path: the request target is too long";
      return false;
    }
    for (const auto& f : in) {
      if (f.name_string().size() + f.value().size() + 2 > kMaxHeaderLineBytes) {
        *status = 431;
        *message = absl::StrCat("request: a header line is longer than ", kMaxHeaderLineBytes, " bytes");
        return false;
      }
    }
    const absl::string_view ce = ToAbsl(in[bhttp::field::content_encoding]);
    if (!ce.empty() && !absl::EqualsIgnoreCase(ce, "identity")) {
      *status = 415;
      *message = "body: Content-Encoding is not supported; send the body uncompressed";
      return false;
    }
    return true;
  }

  void Serve() {
    ++served_;
    bhttp::request<GrowingStringBody> in = parser_->release();
    parser_.reset();
    int status = 0;
    std::string message;
    if (!Precheck(in, &status, &message)) return Refuse(status, status == 431 ? 8 : 3, message);
    const bool keep_alive = in.keep_alive() && served_ < o_.keep_alive_max_requests &&
                            !server_->stopping.load(std::memory_order_relaxed);
    const bool head = in.method() == bhttp::verb::head;
    const unsigned version = in.version();
    httplib::Request req;
    FillRequest(std::move(in), &req);
    req.remote_addr = remote_addr_;
    req.remote_port = remote_port_;
    req.local_addr = local_addr_;
    req.local_port = local_port_;
    if constexpr (kTls) req.ssl = stream_.native_handle();
    auto res = std::make_shared<httplib::Response>();
    if (server_->pool.has_value() && server_->router->MayBlock(req.method, req.path)) {
      // On the worker pool; the answer is written back on the strand.
      auto call = std::make_shared<httplib::Request>(std::move(req));
      asio::post(*server_->pool, [self = this->shared_from_this(), call, res, head, keep_alive,
                                  version] {
        self->Handle(*call, res.get());
        asio::post(self->stream_.get_executor(), [self, res, head, keep_alive, version] {
          self->Finish(res, head, keep_alive, version);
        });
      });
      return;
    }
    Handle(req, res.get());
    Finish(std::move(res), head, keep_alive, version);
  }

  void Handle(const httplib::Request& req, httplib::Response* res) {
    try {
      server_->router->Handle(req, *res);
    } catch (const std::exception& e) {
      Log(LogLevel::kWarning, "http", absl::StrCat("handler failed: ", e.what()));
      *res = httplib::Response();
      res->status = 500;
      res->set_content(ErrorJson(13, "internal error"), "application/json");
    }
  }

  void Finish(std::shared_ptr<httplib::Response> res, bool head, bool keep_alive, unsigned version) {
    if (res->status == -1) res->status = 200;
    if (res->content_provider_) return BeginStream(std::move(res), head);
    Answer(*res, head, keep_alive, version);
  }

  // Writes `r` in one gather write (head and body). The head is written
  // by hand, not with Beast's serializer (its field list and buffer
  // iteration were ~4% of a /v1/route's server CPU).
  void Answer(httplib::Response& r, bool head, bool keep_alive, unsigned version = 11) {
    head_ = StatusAndHeaders(r, version);
    absl::StrAppend(&head_, "Content-Length: ", r.body.size(), "\r\n");
    if (!keep_alive) {
      head_.append("Connection: close\r\n");
    } else if (version == 10) {
      head_.append("Connection: keep-alive\r\n");
    }
    head_.append("\r\n");
    body_.clear();
    if (!head) body_.swap(r.body);
    const std::array<asio::const_buffer, 2> answer = {asio::buffer(head_), asio::buffer(body_)};
    Lowest().expires_after(std::chrono::seconds(o_.write_timeout_s));
    asio::async_write(stream_, answer,
                      [self = this->shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                        if (ec) return self->Close();
                        if (!self->linger_) return self->Close();
                        if (!keep_alive || self->server_->stopping.load()) return self->Linger();
                        self->ReadRequest();
                      });
  }

  // An error answer that ends the connection. `linger`: then read and drop
  // what the client still sends (a body over the cap: the client may read
  // the answer only once it has sent it); else close at once (a head over
  // the cap: an abusive client gets the connection reset).
  void Refuse(int http_status, int grpc_code, const std::string& message, bool linger = true) {
    httplib::Response r;
    r.status = http_status;
    r.set_content(ErrorJson(grpc_code, message), "application/json");
    linger_ = linger;
    Answer(r, false, false);
  }

  void WriteContinue() {
    static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
    Lowest().expires_after(std::chrono::seconds(o_.write_timeout_s));
    asio::async_write(stream_, asio::buffer(kContinue, sizeof(kContinue) - 1),
                      [self = this->shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->Close();
                        self->ReadMore();
                      });
  }

  // Ends the connection after an answer: no more sending, then what the
  // client still sends is read and dropped (bounded) until it closes.
  void Linger() {
    beast::error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    Lowest().expires_after(kLingerTime);
    lingered_ = 0;
    Drain();
  }
  void Drain() {
    buffer_.clear();
    Lowest().async_read_some(buffer_.prepare(4096),
                             [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                               self->lingered_ += n;
                               if (ec || self->lingered_ > kLingerBytes) return self->Close();
                               self->Drain();
                             });
  }

  void Close() {
    beast::error_code ignored;
    Lowest().socket().close(ignored);
  }

  // A chunked content provider (Server-Sent Events): the head now, then
  // the provider runs on a thread of its own; its chunks are written by
  // the strand, each within the write timeout.
  void BeginStream(std::shared_ptr<httplib::Response> res, bool head) {
    std::string start = StatusAndHeaders(*res);
    if (head) {
      absl::StrAppend(&start, "Connection: close\r\n\r\n");
    } else {
      absl::StrAppend(&start, "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    }
    HttpServer::Impl* server = server_;
    if (!server->StreamBegins()) return Close();
    try {
      std::thread([self = this->shared_from_this(), res = std::move(res), start = std::move(start),
                   head, server]() mutable {
        self->RunStream(res.get(), start, head);
        res.reset();  // frees the provider (and its subscription) off the io threads
        self.reset();
        server->StreamEnds();  // last: Stop may return once this is done
      }).detach();
    } catch (const std::system_error& e) {  // no thread to be had
      Log(LogLevel::kWarning, "http", absl::StrCat("event stream: ", e.what()));
      server->StreamEnds();
      Close();
    }
  }

  void RunStream(httplib::Response* res, const std::string& start, bool head) {
    bool ok = WriteFromThread(start);
    bool done = head;
    const std::atomic<bool>& stopping = server_->stopping;
    size_t offset = 0;
    httplib::DataSink sink;
    sink.write = [&](const char* data, size_t n) {
      if (!ok || stopping.load()) return false;
      if (n == 0) return true;
      std::string chunk = absl::StrCat(absl::Hex(n), "\r\n");
      chunk.append(data, n);
      chunk.append("\r\n");
      ok = WriteFromThread(chunk);
      offset += n;
      return ok;
    };
    sink.done = [&] { done = true; };
    sink.is_writable = [&] { return ok && !stopping.load(); };
    while (ok && !done && !stopping.load()) {
      if (!res->content_provider_(offset, 0, sink)) ok = false;
    }
    if (ok && done && !head) ok = WriteFromThread("0\r\n\r\n");
    res->content_provider_success_ = ok && done;
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->Linger(); });
  }

  // Writes `data` through the strand and waits for it (the stream's thread).
  bool WriteFromThread(const std::string& data) {
    std::promise<beast::error_code> written;
    std::future<beast::error_code> result = written.get_future();
    asio::post(stream_.get_executor(), [this, &data, &written] {
      Lowest().expires_after(std::chrono::seconds(o_.write_timeout_s));
      asio::async_write(stream_, asio::buffer(data),
                        [&written](beast::error_code ec, size_t) { written.set_value(ec); });
    });
    return !result.get();
  }

  HttpServer::Impl* const server_;
  const HttpServerOptions& o_;
  Stream stream_;
  std::string remote_addr_, local_addr_;
  int remote_port_ = 0, local_port_ = 0;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<GrowingStringBody>> parser_;
  std::string head_, body_;                   // the answer being written
  int served_ = 0;                           // requests on this connection
  bool started_ = false;                     // the current request's first byte arrived
  bool continued_ = false;                   // "100 Continue" considered
  bool deadline_bound_ = false;              // the pending read's timer is the request deadline
  Clock::time_point start_;                  // the current request's first byte
  size_t lingered_ = 0;
  bool linger_ = true;  // false: close at once after the answer being written
};

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor->async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (stopping.load() || ec == asio::error::operation_aborted) {
    accepting = false;
    return;
  }
  if (ec) {
    // ConnectionGuard's accept hook already retries transient errors and
    // sheds at the descriptor limit; anything else: try again shortly.
    Log(LogLevel::kWarning, "http", absl::StrCat("accept: ", ec.message()));
    retry->expires_after(std::chrono::milliseconds(100));
    retry->async_wait([this](beast::error_code) {
      if (!stopping.load()) Accept();
    });
    return;
  }
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  const tcp::endpoint remote = socket.remote_endpoint(ignored);
  const tcp::endpoint local = socket.local_endpoint(ignored);
  if (ssl.has_value()) {
    std::make_shared<Connection<TlsStream>>(this, TlsStream(std::move(socket), *ssl), remote, local)
        ->Run();
  } else {
    std::make_shared<Connection<beast::tcp_stream>>(this, beast::tcp_stream(std::move(socket)),
                                                    remote, local)
        ->Run();
  }
  Accept();
}

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

// Binds `host`:`port` (a name is resolved; the first address is taken).
static bool Bind(HttpServer::Impl* s, const std::string& host, int port) {
  beast::error_code ec;
  tcp::resolver resolver(s->io);
  const auto found = resolver.resolve(host, std::to_string(port),
                                      tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || found.empty()) return false;
  const tcp::endpoint ep = found.begin()->endpoint();
  s->acceptor.emplace(asio::make_strand(s->io));
  s->acceptor->open(ep.protocol(), ec);
  if (!ec) s->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s->acceptor->bind(ep, ec);
  if (!ec) s->acceptor->listen(asio::socket_base::max_listen_connections, ec);
  return !ec;
}

bool HttpServer::Start(std::string* error) {
  std::string host;
  int port = 0;
  if (!SplitHostPort(options_.listen, &host, &port)) {
    *error = absl::StrCat("--http-listen ", options_.listen, ": expected HOST:PORT");
    return false;
  }
  auto impl = std::make_unique<Impl>(options_, router_);
  if (tls()) {
    impl->ssl.emplace(asio::ssl::context::tls_server);
    if (!SetupTls(options_, impl->ssl->native_handle())) {
      *error = "--http-listen: the TLS certificate, key or client CA is not usable";
      return false;
    }
  }
  if (!Bind(impl.get(), host, port)) {
    *error = absl::StrCat("cannot listen on ", options_.listen, " (HTTP)");
    return false;
  }
  beast::error_code ec;
  const int bound = impl->acceptor->local_endpoint(ec).port();
  port_.store(bound);
  if (!ConnectionGuard::Get().Watch(bound, options_.max_connections)) {
    Log(LogLevel::kWarning, "http",
        "WARNING: HTTP connections are not capped (accept not interposed, or 8 listeners "
        "watched already)");
  }
  impl_ = std::move(impl);
  Impl* s = impl_.get();
  s->work.emplace(asio::make_work_guard(s->io));
  s->retry.emplace(s->io);
  if (router_->any_may_block()) s->pool.emplace(std::max(options_.blocking_threads, 1));
  s->accepting = true;
  asio::post(s->acceptor->get_executor(), [s] { s->Accept(); });
  for (int i = 0; i < std::max(options_.threads, 1); ++i) {
    s->threads.emplace_back([s] {
      for (;;) {
        try {
          s->io.run();
          return;
        } catch (const std::exception& e) {
          Log(LogLevel::kWarning, "http", absl::StrCat("io thread: ", e.what()));
        }
      }
    });
  }
  return true;
}

bool HttpServer::running() const {
  return impl_ != nullptr && impl_->accepting.load() && !impl_->stopping.load();
}

HttpServerCounters HttpServer::counters() const {
  HttpServerCounters c;
  if (impl_ != nullptr) {
    c.heads_refused = impl_->heads_refused.load();
    c.requests_timed_out = impl_->timed_out.load();
  }
  return c;
}

void HttpServer::Stop() {
  if (impl_ == nullptr) return;
  Impl* s = impl_.get();
  {
    std::lock_guard<std::mutex> lock(s->streams_mu);  // see StreamBegins
    s->stopping = true;
  }
  asio::post(s->acceptor->get_executor(), [s] {
    beast::error_code ignored;
    s->acceptor->close(ignored);
  });
  {
    // Streaming answers notice `stopping` at their next chunk (the feed's
    // keep-alive interval at most); their writes need the io threads.
    std::unique_lock<std::mutex> lock(s->streams_mu);
    s->streams_cv.wait(lock, [s] { return s->streams == 0; });
  }
  if (s->pool.has_value()) s->pool->join();  // handlers in flight finish
  s->work.reset();
  s->io.stop();
  for (std::thread& t : s->threads) t.join();
  const int port = port_.exchange(0);
  ConnectionGuard::Get().Unwatch(port);
  impl_.reset();  // closes every connection left
}

}  // namespace gridroute

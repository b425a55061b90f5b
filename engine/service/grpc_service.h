// Copyright 2026 gridroute authors.
//
// The gRPC face of gridroute: gridroute.v1.RoutingService and AdminService on
// the callback API, plus a server builder that adds the standard health
// service and server reflection.
//
// Example (compiled in tests/docs/header_examples_test.cc):
// clang-format off
//   SnapshotStore store;
//   RETURN_IF_ERROR(store.Load(pack_dir).status());
//   GridrouteService service(&store, ServiceOptions{});
//   ServerOptions server_options;
//   server_options.listen = "127.0.0.1:9090";
//   std::string error;
//   std::unique_ptr<grpc::Server> server =
//       StartServer(server_options, &service, /*bound_port=*/nullptr, &error);
//   if (server == nullptr) return absl::UnavailableError(error);
//   server->Wait();
// clang-format on
//
// Handlers are thin: validate and convert the message (service/convert.h), one
// Router call per event on the snapshot pinned at the start of the call, map
// absl::Status to grpc::Status (the code numbers are the same). Batches are
// answered by one snapshot. A call whose deadline has already passed when its
// handler starts is answered DEADLINE_EXCEEDED without computing anything.
//
// Why the callback API: handlers never block (Reload runs its load on its
// own thread), streams hold no thread while waiting for the client, and on
// unary Route it is as fast as the synchronous API (threads:
// docs/ARCHITECTURE.md section 5; costs: docs/SERVED_PATH.md).
//
// Thread-safety: all handlers run concurrently on gRPC's threads; the
// service's own state is the store (thread-safe) and atomic counters.
// Lifetime: `store` must outlive the service; the service must outlive the
// server (Shutdown() the server first).
#ifndef GRIDROUTE_SERVICE_GRPC_SERVICE_H_
#define GRIDROUTE_SERVICE_GRPC_SERVICE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "gridroute/v1/admin.grpc.pb.h"
#include "gridroute/v1/cases.grpc.pb.h"
#include "gridroute/v1/routing.grpc.pb.h"
#include "intake/case_desk.h"
#include "service/audit_log.h"
#include "service/stream_watchdog.h"
#include "service/auth.h"
#include "service/call_metrics.h"
#include "service/methods.h"
#include "service/snapshot_store.h"

namespace gridroute {

class EventFeed;

struct ServiceOptions {
  // Most events per RouteBatch call and detections per stream batch. Larger
  // batches are refused with RESOURCE_EXHAUSTED. 10000 decisions with teams,
  // departments and names are ~6-8 MB, under max_message_bytes.
  int max_batch = 10000;
  // Clock for deadline checks and report times (tests inject one).
  // Default: absl::Now.
  std::function<absl::Time()> now;
  // A report or frame time more than this ahead of the clock (a sender's
  // wrong clock or time zone) is INVALID_ARGUMENT, as is one before
  // 2000-01-01. Larger: tolerates worse-set clocks; a report far in the
  // future gets a deadline from it and files a case dated then. Default
  // 15 min.
  absl::Duration max_future = absl::Minutes(15);
  // Cases (cases.proto): every routed report of Route, RouteBatch and
  // RouteStream is filed or folded here, durably, before it is answered,
  // and CaseService serves it. Null: cases are off (decisions carry no
  // CaseRef; CaseService answers FAILED_PRECONDITION). Not owned.
  CaseDesk* cases = nullptr;
  // The console's live feed (feed/event_feed.h): every routed report of
  // Route, RouteBatch and RouteStream is offered to it. Costs one relaxed
  // atomic load per report while no console subscribes. Null: none. Not owned.
  EventFeed* feed = nullptr;
  // Authentication and roles (service/auth.h). Null: auth off, every call
  // is allowed with every role (loopback development, the existing tests).
  // Else every RoutingService, AdminService and CaseService call must carry
  // `authorization: Bearer <token>` (or a client certificate whose CN is a
  // certificate principal of the file): a missing or unknown token is
  // UNAUTHENTICATED, a principal without the method's role
  // PERMISSION_DENIED naming the role. Health and reflection stay open (no
  // data). Not owned.
  const TokenFile* tokens = nullptr;
  // One JSON line per Reload, case update and refused call. Null: none.
  // Not owned.
  AuditLog* audit = nullptr;
  // Reload accepts only a pack_dir inside this directory (symlinks and ".."
  // resolved); anything else is PERMISSION_DENIED. Empty: no confinement.
  std::string pack_root;
  // RouteStream answers written but not yet taken by their clients (a
  // client that never reads keeps its last answer, up to max_message_bytes,
  // until it reads or cancels): past this many bytes over all streams, a
  // stream's next batch is refused with RESOURCE_EXHAUSTED before anything
  // of it is routed or filed (retry later). Bounds the memory that
  // non-reading clients can pin.
  int64_t max_pending_answer_bytes = int64_t{1} << 30;
  // A RouteStream answer its client has not taken this long after it was
  // written is given up: the stream is cancelled (the client sees
  // CANCELLED; StreamStats::write_stalls counts it), freeing its answer and
  // its share of max_pending_answer_bytes. Bounds how long a client that
  // stops reading pins memory; a client on a link slower than (answer size
  // / timeout) needs a longer one. Zero: never (the stream waits for the
  // client as long as its connection lives). Default 60 s.
  absl::Duration stream_write_timeout = absl::Seconds(60);
};

// RouteStream's memory, for Info-style monitoring and tests.
struct StreamStats {
  int64_t open = 0;             // RouteStream calls in progress
  int64_t answers_waiting = 0;  // answers handed to gRPC, not yet taken by their client
  int64_t answer_bytes = 0;     // their bytes
  int64_t work_sets = 0;        // per-batch working sets that exist (busy + idle)
  int64_t idle_work_sets = 0;   // of which idle (kept for reuse; at most 16)
  int64_t memory_trims = 0;     // malloc trims after abandoned answers were freed
  int64_t write_stalls = 0;     // streams cancelled: answer not taken (stream_write_timeout)
};

// One call's caller, resolved once by the gate. `table` pins `who`.
struct CallAuth {
  std::shared_ptr<const TokenTable> table;
  const Principal* who = nullptr;  // null: auth off (everything allowed)
};

// What a call presents to the auth gate, whatever its transport: the
// `authorization` header (gRPC metadata or HTTP header) and the subject CNs
// of a client certificate the TLS layer verified.
struct CallCredentials {
  bool has_authorization = false;
  absl::string_view authorization;  // "Bearer <token>"
  std::vector<std::string> cert_names;
};

// absl::Status -> grpc::Status, same code number and message.
grpc::Status ToGrpcStatus(const absl::Status& s);

struct IntakeBuffers;   // grpc_service.cc
struct WireBatch;       // grpc_service.cc
class StreamWorkPool;   // grpc_service.cc
class ReflectionV1;     // service/reflection_v1.h

class GridrouteService {
 public:
  GridrouteService(SnapshotStore* store, ServiceOptions options);
  ~GridrouteService();  // finishes queued reloads, joins the worker
  GridrouteService(const GridrouteService&) = delete;
  GridrouteService& operator=(const GridrouteService&) = delete;

  grpc::Service* routing();
  grpc::Service* admin();
  grpc::Service* cases();
  // grpc.reflection.v1 for this service's server (service/reflection_v1.h).
  grpc::Service* reflection_v1();
  // Cases on (ServiceOptions::cases set).
  bool cases_on() const { return options_.cases != nullptr; }

  // Calls, latency and items by outcome, for /metrics (both transports).
  CallMetrics& metrics() const { return metrics_; }
  // The snapshot store served (read-only use: /metrics, /readyz).
  const SnapshotStore& store() const { return *store_; }
  // The options the service runs with.
  const ServiceOptions& options() const { return options_; }

  // Calls refused because their deadline had passed.
  int64_t expired_calls() const { return expired_.load(std::memory_order_relaxed); }
  // RouteStream memory now (atomic counters; cheap).
  StreamStats stream_stats() const;

  // The handlers, callable without gRPC plumbing (the reactors call these).
  // `deadline` is the call's (absl::InfiniteFuture() for none). `who`: the
  // authenticated caller (the gate has checked the method's role); null
  // means auth is off and everything is allowed. Without kRolePersonal,
  // FULL decisions and Directory persons carry no names or phones; without
  // kRoleAdmin, Info has no pack_dir or last_reload_error; a principal with
  // departments reaches only cases led by them; UpdateCase records `who` as
  // the actor (the request's actor becomes part of the note).
  grpc::Status Locate(absl::Time deadline, const v1::LocateRequest& req, v1::LocateResponse* resp);
  grpc::Status Route(absl::Time deadline, const v1::RouteRequest& req, v1::RouteResponse* resp,
                     const Principal* who = nullptr);
  // Route written straight into wire bytes (service/route_wire.h): `out`
  // holds a serialized RouteResponse equal to Route's for `who`. The gRPC
  // Route handler's path.
  grpc::Status RouteWire(absl::Time deadline, const v1::RouteRequest& req, std::string* out,
                         const Principal* who = nullptr);
  grpc::Status RouteBatch(absl::Time deadline, const v1::RouteBatchRequest& req,
                          v1::RouteBatchResponse* resp, const Principal* who = nullptr);
  // RouteDetections written straight into wire bytes, in the view the
  // batch asks for (service/codes_wire.h, service/full_wire.h): `out` holds
  // a serialized DecisionBatch equal to RouteDetections' answer for `who`
  // (FULL: names, phones and owners only with kRolePersonal or auth off).
  // RouteStream's path.
  grpc::Status RouteDetectionsWire(absl::Time deadline, const v1::DetectionBatch& req,
                                   std::string* out, const Principal* who = nullptr);
  grpc::Status RouteDetections(absl::Time deadline, const v1::DetectionBatch& req,
                               v1::DecisionBatch* resp, const Principal* who = nullptr);
  grpc::Status Info(absl::Time deadline, v1::InfoResponse* resp, const Principal* who = nullptr);
  grpc::Status Reload(const v1::ReloadRequest& req, v1::ReloadResponse* resp);
  // What the codes of the CODES view mean (service/directory.h).
  // `include_personal` false: persons without name and phone (callers
  // without the `personal` role).
  grpc::Status Directory(absl::Time deadline, const v1::DirectoryRequest& req,
                         v1::DirectoryResponse* resp, bool include_personal = true);
  // Directory for caller `who` (persons with names and phones only with
  // kRolePersonal).
  grpc::Status DirectoryFor(absl::Time deadline, const v1::DirectoryRequest& req,
                            v1::DirectoryResponse* resp, const Principal* who);
  grpc::Status GetCase(const v1::GetCaseRequest& req, v1::Case* resp,
                       const Principal* who = nullptr);
  grpc::Status UpdateCase(const v1::UpdateCaseRequest& req, v1::Case* resp,
                          const Principal* who = nullptr);
  // UpdateCase as a call of `peer`: the status capped and the audit line
  // written (both transports call this).
  grpc::Status UpdateCaseAudited(absl::string_view peer, const v1::UpdateCaseRequest& req,
                                 v1::Case* resp, const Principal* who);
  grpc::Status ListCases(const v1::ListCasesRequest& req, v1::ListCasesResponse* resp,
                         const Principal* who = nullptr);
  grpc::Status CaseStats(const v1::CaseStatsRequest& req, v1::CaseStatsResponse* resp,
                         const Principal* who = nullptr);

  // The one auth gate every RoutingService/AdminService/CaseService reactor
  // passes first: resolves the caller from `authorization: Bearer` (or the
  // verified client certificate's CN) and checks that it holds one of the
  // roles `any_of`. OK with *out set; else UNAUTHENTICATED or
  // PERMISSION_DENIED (audited). Cost with auth on: one SHA-256 of the
  // token and one hash lookup.
  grpc::Status Authorize(grpc::CallbackServerContext* ctx, absl::string_view method,
                         uint32_t any_of, CallAuth* out);
  // The gate itself, transport-neutral (the gRPC Authorize above and the
  // HTTP router, engine/http, call it): a bearer token in
  // `creds.authorization`, else (no header) a certificate CN; `peer` and
  // `method` name the call in the audit line of a refusal (`peer` is
  // called only then).
  grpc::Status AuthorizeCall(const CallCredentials& creds, absl::FunctionRef<std::string()> peer,
                             absl::string_view method, uint32_t any_of, CallAuth* out);
  // Appends an audit line (no-op without ServiceOptions::audit).
  void Audit(absl::string_view peer, const Principal* who, absl::string_view method,
             absl::string_view target, const grpc::Status& outcome);

  // Runs `work` on the service's worker thread (one job at a time, in
  // order; the destructor finishes queued jobs and joins it).
  void RunDetached(std::function<void()> work);

 private:
  class RoutingImpl;
  class AdminImpl;
  class CaseImpl;
  struct Worker;

  // What Route and RouteWire answer from (RouteUnanswered).
  struct UnaryRouted {
    std::shared_ptr<const ServedSnapshot> served;  // pins what the two below point into
    const Decision* decision = nullptr;            // this thread's, until its next call
    const CaseOutcome* case_ref = nullptr;         // null: no case filed
  };
  grpc::Status RouteUnanswered(absl::Time deadline, const v1::RouteRequest& req,
                               const Principal* who, UnaryRouted* out);

  // RouteDetections without filing: the routed reports are left in `cases`
  // (the caller files them, e.g. asynchronously from a stream reactor).
  grpc::Status RouteDetectionsUnfiled(absl::Time deadline, const v1::DetectionBatch& req,
                                      v1::DecisionBatch* resp, IntakeBuffers* cases,
                                      const Principal* who = nullptr);
  // RouteBatch without filing (as RouteDetectionsUnfiled).
  grpc::Status RouteBatchUnfiled(absl::Time deadline, const v1::RouteBatchRequest& req,
                                 v1::RouteBatchResponse* resp, IntakeBuffers* cases,
                                 const Principal* who = nullptr);
  // RouteDetectionsWire in two halves around the filing: route the batch
  // and collect its reports (batch->cases), then write the answer with the
  // reports' outcomes (null when nothing was filed).
  grpc::Status RouteDetectionsWireUnfiled(absl::Time deadline, const v1::DetectionBatch& req,
                                          WireBatch* batch, const Principal* who = nullptr);
  static void EncodeDetectionsWire(const v1::DetectionBatch& req, const WireBatch& batch,
                                   const std::vector<CaseOutcome>* outcomes, std::string* out);
  // OK, or DEADLINE_EXCEEDED (counted) when `deadline` has passed.
  grpc::Status CheckDeadline(absl::Time deadline);
  // OK, or RESOURCE_EXHAUSTED while unread stream answers hold more than
  // options_.max_pending_answer_bytes.
  grpc::Status CheckPendingAnswers() const;
  // A stream answer its client never took was freed (`bytes`): gives such
  // memory back to the OS now and then (ReleaseFreedMemory on the worker).
  void NoteAbandonedAnswer(int64_t bytes);
  // A case desk's answer as the call's status (DEADLINE_EXCEEDED counted).
  grpc::Status IntakeStatus(const absl::Status& s);
  // PERMISSION_DENIED unless `who` reaches the case's lead department.
  grpc::Status CheckReaches(const Principal* who, const CaseView& c) const;
  // OK for "" or a department code of the served pack, else INVALID_ARGUMENT.
  grpc::Status CheckLead(const std::string& lead) const;
  // OK, or FAILED_PRECONDITION when cases are off.
  grpc::Status CasesOn() const;
  absl::Time Now() const { return options_.now ? options_.now() : absl::Now(); }
  // The checks of a detection batch (deadline, size, view) and the pin.
  grpc::Status CheckDetections(absl::Time deadline, const v1::DetectionBatch& req,
                               std::shared_ptr<const ServedSnapshot>* served);
  // The pinned snapshot, or FAILED_PRECONDITION.
  grpc::Status Pin(std::shared_ptr<const ServedSnapshot>* out) const;

  // Constant after construction.
  SnapshotStore* const store_;
  const ServiceOptions options_;
  std::unique_ptr<RoutingImpl> routing_;
  std::unique_ptr<AdminImpl> admin_;
  std::unique_ptr<CaseImpl> cases_;
  std::unique_ptr<ReflectionV1> reflection_v1_;
  std::unique_ptr<Worker> worker_;

  mutable CallMetrics metrics_;  // thread-safe (atomics)
  std::atomic<int64_t> expired_{0};
  // RouteStream (StreamStats).
  std::atomic<int64_t> streams_open_{0}, answers_waiting_{0}, answer_bytes_{0};
  std::atomic<int64_t> abandoned_bytes_{0}, trims_{0};
  std::atomic<bool> trim_queued_{false};
  // Cancels streams whose answer waits past options_.stream_write_timeout.
  StreamWatchdog stream_watchdog_{options_.stream_write_timeout};
};

struct ServerOptions {
  // host:port to listen on ("0.0.0.0:9090", "127.0.0.1:20001", "[::]:9090").
  std::string listen = "127.0.0.1:9090";
  // Largest message accepted or sent (bytes). Over it, gRPC answers
  // RESOURCE_EXHAUSTED.
  int max_message_bytes = 32 << 20;
  // TLS: PEM server certificate chain and private key (both or neither).
  // With tls_client_ca_pem as well, mutual TLS: every client must present a
  // certificate signed by that CA (verified; refused otherwise).
  std::string tls_cert_pem;
  std::string tls_key_pem;
  std::string tls_client_ca_pem;

  // Connections and streams. gRPC 1.51 has no connection limit of its own:
  // ConnectionGuard (service/connection_guard.h) enforces max_connections.
  // 0 turns a limit or timeout off (gRPC's default then applies).
  //
  // Accepted connections open at once; one more is closed as soon as it is
  // accepted (the client sees UNAVAILABLE and retries). One cap per process.
  int max_connections = 10000;
  // Concurrent calls per HTTP/2 connection (SETTINGS_MAX_CONCURRENT_STREAMS;
  // gRPC's default is unlimited). A client over it waits for a free stream.
  int max_streams_per_connection = 256;
  // A connection without calls for this long is sent GOAWAY and closed
  // (GRPC_ARG_MAX_CONNECTION_IDLE_MS).
  int idle_timeout_ms = 5 * 60 * 1000;
  // A socket that has not finished the TLS handshake and sent the HTTP/2
  // preface and SETTINGS in this time is closed
  // (GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS; gRPC's default is 120 s).
  int handshake_timeout_ms = 10 * 1000;
  // Every connection, with calls or not, is pinged after this long without
  // a ping, and closed if the ack does not come within keepalive_timeout_ms
  // (a peer that went away without a FIN, a socket nobody reads).
  int keepalive_time_ms = 60 * 1000;
  int keepalive_timeout_ms = 20 * 1000;
  // Receive window per stream (HTTP/2 flow control), with gRPC's
  // bandwidth-delay probing off: what a stream's client can send ahead of
  // the server reading it. Probing grows it to many MiB per stream (a
  // RouteStream whose client never reads held ~35 MiB); fixed, it bounds
  // that memory. 256 KiB keeps a LAN client of a 10000-detection batch
  // (~0.5 MB) within two round trips per batch.
  int stream_window_bytes = 256 << 10;
};

// Builds and starts a server with `service`'s three services, the standard
// health service (grpc.health.v1.Health: "" and each gridroute.v1 service
// name, service/serving_health.h) and reflection (grpc.reflection.v1alpha
// and v1), with the connection limits and timeouts of `options`; with a
// listen port, ConnectionGuard counts and caps its connections. Returns
// null with *error set if the address cannot be bound. *bound_port receives
// the port (may be null).
std::unique_ptr<grpc::Server> StartServer(const ServerOptions& options, GridrouteService* service,
                                          int* bound_port, std::string* error);

}  // namespace gridroute

#endif  // GRIDROUTE_SERVICE_GRPC_SERVICE_H_

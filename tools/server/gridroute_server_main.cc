// Copyright 2026 gridroute authors.
//
// gridroute-server: serves a city pack over gRPC and, with --http-listen,
// over HTTP/JSON with /metrics, /healthz and /readyz (engine/http/HTTP.md).
//
//   gridroute-server --pack data/sample-city --listen 127.0.0.1:9090 [--threads N]
//                    [--http-listen 127.0.0.1:8080]
//
// Services: gridroute.v1.RoutingService, AdminService and CaseService,
// grpc.health.v1.Health ("" and each service name; NOT_SERVING if the
// listener fails) and reflection (grpc.reflection.v1alpha and v1).
// Connections: capped (--max-connections), idle and half-open ones closed,
// RLIMIT_NOFILE raised to the hard limit (engine/service/SERVICE.md).
// Signals: SIGTERM/SIGINT drain the calls in flight (up to --drain-s
// seconds, then cancel them) and exit 0, whatever a load is doing (one
// before the server serves exits at once); SIGHUP reloads the pack
// directory being served (a bad pack is logged and the old snapshot keeps
// serving; a SIGHUP while a reload runs is logged and ignored, but it
// still reopens --audit-log, for logrotate). A load that
// takes longer than --load-timeout-s is reported as failed.
// Prints one line "gridroute-server: serving ... on HOST:PORT" on stdout once
// it accepts calls (scripts wait for it).
#include <pthread.h>
#include <sched.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/synchronization/mutex.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "common/cli.h"
#include "common/process_memory.h"
#include "console/console_api.h"
#include "feed/event_feed.h"
#include "http/http_router.h"
#include "http/http_server.h"
#include "http/json_api.h"
#include "http/ops_api.h"
#include "service/connection_guard.h"
#include "service/grpc_service.h"
#include "service/pack_reload.h"
#include "service/serving_health.h"
#include "service/snapshot_store.h"

ABSL_FLAG(std::string, pack, "",
          "City pack directory, or a compiled snapshot file (.grsnap, written by "
          "`gridroute compile`), to serve (required)");
ABSL_FLAG(std::string, verify, "full",
          "A .grsnap --pack or reload: 'full' checks every section's CRC32C before loading "
          "any, 'lazy' each as it is loaded (engine/snapshot/SNAPSHOT_FORMAT.md)");
ABSL_FLAG(bool, view_in_place, false,
          "A .grsnap --pack or reload: keep its largest arrays (geometry, cell index, codes and "
          "names, components, grid records) in the file's mapping instead of copying them (faster load, shared pages); the file must then only be "
          "replaced by renaming a new one over it, never written into");
ABSL_FLAG(std::string, listen, "127.0.0.1:9090", "host:port to listen on");
ABSL_FLAG(int, threads, 0,
          "CPU cores the server runs on (its affinity: gRPC's callback threads follow); "
          "0 = all cores");
ABSL_FLAG(int, max_message_mb, 32, "Largest message received or sent, MiB");
ABSL_FLAG(int, max_batch, 10000, "Most events per RouteBatch / detections per stream batch");
ABSL_FLAG(double, drain_s, 10, "On SIGTERM: seconds to let calls in flight finish");
ABSL_FLAG(double, load_timeout_s, 600,
          "A pack load (start, SIGHUP, Reload) that takes longer fails (DEADLINE_EXCEEDED); "
          "the old snapshot keeps serving. A 2M-grid pack loads in ~15 s on 2 cores");
ABSL_FLAG(bool, require_checksums, false,
          "Refuse packs whose manifest.json has no 'checksums' (default: load them with a "
          "warning in Info)");
ABSL_FLAG(std::string, journal_dir, "",
          "Cases on: file/fold every routed report durably in this journal directory "
          "(created if missing; the server refuses to start if it cannot write it). "
          "Empty: cases off");
ABSL_FLAG(bool, journal_fsync, true,
          "fdatasync each intake batch before answering (off: survives a process crash, "
          "not a power loss)");
ABSL_FLAG(int, journal_batch_wait_us, 0,
          "Group commit: how long a journal commit may wait to gather concurrent batches");
ABSL_FLAG(int, journal_compact_mb, 256,
          "Compact the journal (snapshot + drop old segments) after this many MiB appended");
ABSL_FLAG(std::string, tls_cert, "", "TLS: PEM server certificate chain (with --tls-key)");
ABSL_FLAG(std::string, tls_key, "", "TLS: PEM private key of --tls-cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "Mutual TLS: PEM CA bundle; every client must present a certificate it signed");
ABSL_FLAG(std::string, auth_tokens, "",
          "Token file (CSV token_sha256,principal,roles,departments): every call needs "
          "'authorization: Bearer TOKEN' with a role; reloaded on SIGHUP. Empty: auth off");
ABSL_FLAG(bool, insecure_no_auth, false,
          "Allow a non-loopback --listen without --auth-tokens (anyone reaching the port "
          "may reload, read cases and the roster)");
ABSL_FLAG(std::string, pack_root, "",
          "Reload accepts only directories inside this one (default: the parent of --pack)");
ABSL_FLAG(std::string, audit_log, "",
          "Append one JSON line per Reload, case update, token reload and refused call; "
          "reopened on SIGHUP (logrotate: rename, then kill -HUP)");
ABSL_FLAG(int64_t, audit_log_max_mb, 0,
          "Rotate the audit log by itself at this size: FILE -> FILE.1 .. FILE.K "
          "(--audit-log-keep). 0: never (use logrotate + SIGHUP)");
ABSL_FLAG(int32_t, audit_log_keep, 10, "Rotated audit files kept with --audit-log-max-mb (1..1000)");
ABSL_FLAG(absl::Duration, max_future, absl::Minutes(15),
          "Refuse (INVALID_ARGUMENT, naming the field) a report or frame time more than this "
          "ahead of the server's clock (a sender's wrong clock or time zone); times before "
          "2000-01-01 are refused too. E.g. 15m, 1h");
ABSL_FLAG(absl::Duration, idempotency_window, absl::Hours(24),
          "Cases on: a report re-sent with the same key (RouteRequest.report_id; a detection's "
          "camera_id + correlation_id) within this time of its first receipt gets the first "
          "answer (CaseRef.duplicate) and files nothing; keys are journaled, so this holds "
          "across restarts");
ABSL_FLAG(int64_t, idempotency_max_keys, 1000000,
          "Cases on: most idempotency keys remembered (~80 bytes each); past it the oldest are "
          "forgotten before their window ends");
ABSL_FLAG(int, max_connections, 10000,
          "Most client connections open at once; one more is closed as soon as it is accepted "
          "(capped below the file-descriptor limit); 0 = no cap");
ABSL_FLAG(int, max_streams_per_connection, 256,
          "Most concurrent calls per HTTP/2 connection (a client over it waits); 0 = gRPC's "
          "default (unlimited)");
ABSL_FLAG(double, idle_timeout_s, 300,
          "A connection without calls for this long is sent GOAWAY and closed; 0 = never");
ABSL_FLAG(double, handshake_timeout_s, 10,
          "A socket that has not completed TLS and the HTTP/2 preface and SETTINGS in this time "
          "is closed; 0 = gRPC's default (120 s)");
ABSL_FLAG(double, keepalive_s, 60,
          "Ping every connection after this long without a ping; with --keepalive-timeout-s, a "
          "connection whose peer does not answer is closed; 0 = gRPC's default (2 h, only with "
          "calls)");
ABSL_FLAG(double, keepalive_timeout_s, 20, "How long a keepalive ping may wait for its ack");
ABSL_FLAG(int, stream_window_kb, 256,
          "HTTP/2 receive window per stream, KiB (bandwidth-delay probing off): bounds what "
          "one stream's client can have buffered in the server; 0 = gRPC's probing");
ABSL_FLAG(int, max_pending_answers_mb, 1024,
          "RouteStream answers waiting for clients that do not read them, MiB over all streams; "
          "past it a stream's next batch is refused with RESOURCE_EXHAUSTED (nothing filed)");
ABSL_FLAG(std::string, http_listen, "",
          "Also serve the HTTP/JSON API, /metrics, /healthz and /readyz on this host:port "
          "(engine/http/HTTP.md): the same service, tokens, TLS (--tls-*), limits and errors "
          "as gRPC. Empty: no HTTP");
ABSL_FLAG(std::string, basemap_url, "",
          "With --http-listen: an XYZ tile URL template the console draws under the grids "
          "(e.g. https://tile.example/{z}/{x}/{y}.png; fetched by the browser). Empty: none, the "
          "grids are the map (no internet needed)");
ABSL_FLAG(std::string, basemap_attribution, "", "The --basemap-url tiles' attribution text");
ABSL_FLAG(std::string, console_dir, "",
          "Serve the console page from this directory (tools/console) instead of the copy "
          "built into the binary (for editing the page)");
ABSL_FLAG(double, events_per_s, 50,
          "The console's live feed (GET /v1/events:stream): routed reports a second it passes "
          "on (sampled; the rest are counted, never queued)");
ABSL_FLAG(int, max_event_clients, 4,
          "Live-feed (SSE) clients at once; each holds a thread of its own while connected; "
          "one more is answered 429");
ABSL_FLAG(int, http_threads, 2,
          "HTTP io threads (event-driven: any number of keep-alive connections share them; "
          "requests that cannot wait are answered on them)");
ABSL_FLAG(int, http_blocking_threads, 16,
          "HTTP workers for the requests that may wait (a filing waiting for its journal "
          "commit, /v1/route:batch, /v1/grids): at most this many run at once, more wait in "
          "order (engine/http/HTTP.md)");
ABSL_FLAG(int, http_max_body_mb, 0,
          "Largest HTTP request body, MiB (larger: 413); 0 = --max-message-mb");
ABSL_FLAG(double, http_keepalive_s, 5,
          "An idle HTTP keep-alive connection is closed after this many seconds");
ABSL_FLAG(int, http_request_timeout_s, 30,
          "Reset an HTTP connection whose request (head and body) is still arriving this many "
          "seconds after its first byte (a slow client cannot hold a connection); 0: off");
ABSL_FLAG(double, stream_write_timeout_s, 60,
          "Cancel a RouteStream whose client has not taken an answer for this long (it stopped "
          "reading): frees the answer and its share of --max-pending-answers-mb. 0: never");
ABSL_FLAG(std::string, nats, "",
          "NATS URL (nats://host:port): publish new cases and state changes to JetStream on "
          "gridroute.dispatch.<department code>. Needs --journal_dir");

namespace {

int Fail(const std::string& msg) {
  std::fprintf(stderr, "gridroute-server: %s\n", msg.c_str());
  return 2;
}

void Log(const std::string& msg) {
  std::fprintf(stderr, "gridroute-server: %s\n", msg.c_str());
  std::fflush(stderr);
}

std::string Describe(const gridroute::ServedSnapshot& s) {
  return absl::StrCat("pack '", s.snapshot->manifest().name, "' version ",
                      s.snapshot->manifest().version, " (generation ", s.generation, ", ",
                      s.snapshot->num_grids(), " grids, loaded in ",
                      absl::StrFormat("%.2f", s.load_seconds), " s)");
}

// Reads a PEM file of at most 1 MiB into *out.
bool ReadPem(const std::string& flag, const std::string& path, std::string* out,
             std::string* error) {
  if (path.empty()) return true;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    *error = absl::StrCat("--", flag, " ", path, ": cannot open");
    return false;
  }
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0 && out->size() <= (1u << 20)) {
    out->append(buf, n);
  }
  std::fclose(f);
  if (out->size() > (1u << 20) || out->find("-----BEGIN") == std::string::npos) {
    *error = absl::StrCat("--", flag, " ", path, ": not a PEM file of at most 1 MiB");
    return false;
  }
  return true;
}

// True for 127.0.0.0/8, [::1] and localhost listen addresses.
bool IsLoopback(const std::string& listen) {
  return absl::StartsWith(listen, "127.") || absl::StartsWith(listen, "[::1]:") ||
         absl::StartsWith(listen, "localhost:");
}

// The TLS and auth flags, checked; fills the server's TLS material.
bool SecurityOptions(gridroute::ServerOptions* o, std::string* error) {
  const std::string cert = absl::GetFlag(FLAGS_tls_cert), key = absl::GetFlag(FLAGS_tls_key);
  const std::string ca = absl::GetFlag(FLAGS_tls_client_ca);
  if (cert.empty() != key.empty()) {
    *error = "--tls-cert and --tls-key go together";
    return false;
  }
  if (!ca.empty() && cert.empty()) {
    *error = "--tls-client-ca needs --tls-cert and --tls-key";
    return false;
  }
  const std::string http = absl::GetFlag(FLAGS_http_listen);
  const std::string exposed = !IsLoopback(o->listen) ? o->listen
                              : !http.empty() && !IsLoopback(http) ? http
                                                                   : "";
  if (absl::GetFlag(FLAGS_auth_tokens).empty() && !exposed.empty() &&
      !absl::GetFlag(FLAGS_insecure_no_auth)) {
    *error = absl::StrCat("refusing to listen on ", exposed,
                          " without --auth-tokens: anyone reaching it could reload packs, read "
                          "and change cases and harvest the roster. Pass --auth-tokens FILE, "
                          "listen on 127.0.0.1, or --insecure-no-auth");
    return false;
  }
  return ReadPem("tls-cert", cert, &o->tls_cert_pem, error) &&
         ReadPem("tls-key", key, &o->tls_key_pem, error) &&
         ReadPem("tls-client-ca", ca, &o->tls_client_ca_pem, error);
}

}  // namespace

namespace {

// The flag combinations a server cannot start with ("" if none).
std::string CheckFlags() {
  if (absl::GetFlag(FLAGS_pack).empty()) return "--pack is required";
  if (gridroute::VerifyMode v; !gridroute::ParseVerifyMode(absl::GetFlag(FLAGS_verify), &v)) {
    return "--verify must be full or lazy";
  }
  if (absl::GetFlag(FLAGS_threads) < 0) return "--threads must be >= 0";
  if (absl::GetFlag(FLAGS_max_message_mb) < 1) return "--max-message-mb must be >= 1";
  if (absl::GetFlag(FLAGS_max_batch) < 1) return "--max-batch must be >= 1";
  if (!absl::GetFlag(FLAGS_nats).empty() && absl::GetFlag(FLAGS_journal_dir).empty()) {
    return "--nats needs --journal-dir (cases are dispatched once they are durable)";
  }
  if (absl::GetFlag(FLAGS_journal_batch_wait_us) < 0) return "--journal-batch-wait-us must be >= 0";
  if (absl::GetFlag(FLAGS_journal_compact_mb) < 1) return "--journal-compact-mb must be >= 1";
  if (absl::GetFlag(FLAGS_max_connections) < 0) return "--max-connections must be >= 0";
  if (absl::GetFlag(FLAGS_max_streams_per_connection) < 0) {
    return "--max-streams-per-connection must be >= 0";
  }
  for (const auto* f : {&FLAGS_idle_timeout_s, &FLAGS_handshake_timeout_s, &FLAGS_keepalive_s,
                        &FLAGS_keepalive_timeout_s}) {
    const double v = absl::GetFlag(*f);
    if (!(v >= 0) || v > 24 * 3600) return "the timeouts must be between 0 and 86400 seconds";
  }
  if (absl::GetFlag(FLAGS_stream_window_kb) < 0 || absl::GetFlag(FLAGS_stream_window_kb) > 65536) {
    return "--stream-window-kb must be in 0..65536";
  }
  if (absl::GetFlag(FLAGS_max_pending_answers_mb) < 1) return "--max-pending-answers-mb must be >= 1";
  if (absl::GetFlag(FLAGS_http_threads) < 1 || absl::GetFlag(FLAGS_http_threads) > 4096) {
    return "--http-threads must be in 1..4096";
  }
  if (absl::GetFlag(FLAGS_http_blocking_threads) < 1 ||
      absl::GetFlag(FLAGS_http_blocking_threads) > 1024) {
    return "--http-blocking-threads must be in 1..1024";
  }
  if (absl::GetFlag(FLAGS_http_max_body_mb) < 0) return "--http-max-body-mb must be >= 0";
  if (!(absl::GetFlag(FLAGS_events_per_s) > 0) || absl::GetFlag(FLAGS_events_per_s) > 100000) {
    return "--events-per-s must be in (0, 100000]";
  }
  if (absl::GetFlag(FLAGS_max_event_clients) < 0 || absl::GetFlag(FLAGS_max_event_clients) > 1024) {
    return "--max-event-clients must be in 0..1024 (each holds a thread)";
  }
  if (absl::GetFlag(FLAGS_http_request_timeout_s) < 0 ||
      absl::GetFlag(FLAGS_http_request_timeout_s) > 86400) {
    return "--http-request-timeout-s must be in 0..86400";
  }
  if (!(absl::GetFlag(FLAGS_http_keepalive_s) >= 1) || absl::GetFlag(FLAGS_http_keepalive_s) > 3600) {
    return "--http-keepalive-s must be in 1..3600";
  }
  if (!(absl::GetFlag(FLAGS_stream_write_timeout_s) >= 0)) return "--stream-write-timeout-s must be >= 0";
  if (!(absl::GetFlag(FLAGS_load_timeout_s) > 0)) return "--load-timeout-s must be > 0";
  const absl::Duration year = absl::Hours(24 * 365);
  if (absl::GetFlag(FLAGS_max_future) < absl::ZeroDuration() ||
      absl::GetFlag(FLAGS_max_future) > year) {
    return "--max-future must be in [0, 365 days] (e.g. 15m)";
  }
  if (absl::GetFlag(FLAGS_idempotency_window) <= absl::ZeroDuration() ||
      absl::GetFlag(FLAGS_idempotency_window) > year) {
    return "--idempotency-window must be in (0, 365 days] (e.g. 24h)";
  }
  if (absl::GetFlag(FLAGS_idempotency_max_keys) < 1) return "--idempotency-max-keys must be >= 1";
  return "";
}

// Pins the process to its first `threads` allowed cores (0: all). Call it
// before any thread exists, so every thread inherits it.
void PinToCores(int threads) {
  if (threads <= 0) return;
  cpu_set_t all, mine;
  CPU_ZERO(&mine);
  if (sched_getaffinity(0, sizeof(all), &all) != 0) return;
  int taken = 0;
  for (int c = 0; c < CPU_SETSIZE && taken < threads; ++c) {
    if (CPU_ISSET(c, &all)) {
      CPU_SET(c, &mine);
      ++taken;
    }
  }
  if (sched_setaffinity(0, sizeof(mine), &mine) != 0) Log("warning: sched_setaffinity failed");
}

// The connection flags into `o`. Raises the file-descriptor limit to the
// hard limit first and keeps the connection cap below it (each connection
// is a descriptor; the journal, the pack and gRPC need some too).
void ConnectionOptions(gridroute::ServerOptions* o) {
  uint64_t before = 0, hard = 0;
  const uint64_t fds = gridroute::RaiseFdLimit(&before, &hard);
  Log(absl::StrCat("file descriptors: limit ", fds,
                   fds > before ? absl::StrCat(" (raised from ", before, ", hard limit ", hard, ")")
                                : absl::StrCat(" (hard limit ", hard, ")")));
  const auto ms = [](double s) { return static_cast<int>(s * 1000 + 0.5); };
  constexpr uint64_t kReservedFds = 256;
  o->max_connections = absl::GetFlag(FLAGS_max_connections);
  if (fds > 0 && o->max_connections > 0 &&
      static_cast<uint64_t>(o->max_connections) + kReservedFds > fds) {
    const int capped = fds > 2 * kReservedFds ? static_cast<int>(fds - kReservedFds)
                                               : static_cast<int>(fds / 2);
    Log(absl::StrCat("--max-connections ", o->max_connections, " lowered to ", capped,
                     ": the file-descriptor limit is ", fds));
    o->max_connections = capped;
  }
  o->max_streams_per_connection = absl::GetFlag(FLAGS_max_streams_per_connection);
  o->idle_timeout_ms = ms(absl::GetFlag(FLAGS_idle_timeout_s));
  o->handshake_timeout_ms = ms(absl::GetFlag(FLAGS_handshake_timeout_s));
  o->keepalive_time_ms = ms(absl::GetFlag(FLAGS_keepalive_s));
  o->keepalive_timeout_ms = ms(absl::GetFlag(FLAGS_keepalive_timeout_s));
  o->stream_window_bytes = absl::GetFlag(FLAGS_stream_window_kb) << 10;
}

// One line: the connection limits in force.
void LogConnections(const gridroute::ServerOptions& o) {
  const gridroute::ConnectionGuardState g = gridroute::ConnectionGuard::Get().state();
  Log(absl::StrCat("connections: at most ",
                   !g.active ? "(not enforced: accept4 not interposed) "
                   : o.max_connections > 0 ? absl::StrCat(o.max_connections, " ") : "unlimited ",
                   "open, ", o.max_streams_per_connection, " streams each; idle timeout ",
                   o.idle_timeout_ms / 1000.0, " s, handshake ", o.handshake_timeout_ms / 1000.0,
                   " s, keepalive ", o.keepalive_time_ms / 1000.0, "+",
                   o.keepalive_timeout_ms / 1000.0, " s, stream window ",
                   o.stream_window_bytes >> 10, " KiB"));
}

gridroute::AuditLogOptions AuditOptions() {
  gridroute::AuditLogOptions o;
  const int64_t mb = absl::GetFlag(FLAGS_audit_log_max_mb);
  o.max_bytes = mb > 0 ? static_cast<uint64_t>(mb) << 20 : 0;
  o.keep = absl::GetFlag(FLAGS_audit_log_keep);
  return o;
}

// SIGHUP, first: the audit log goes to a fresh file at its path (logrotate
// renamed the old one); lines already written stay whole in the old one.
void ReopenAudit(gridroute::AuditLog* audit) {
  absl::Status st = audit->Reopen();
  Log(st.ok() ? absl::StrCat("SIGHUP: audit log reopened: ", audit->path())
              : absl::StrCat("SIGHUP: audit log not reopened, still writing the previous file: ",
                             st.message()));
  audit->Write({.principal = "local", .peer = "local", .method = "SIGHUP/audit-log",
                .target = audit->path(), .outcome = st.ok() ? "OK" : st.message()});
}

// SIGHUP: the token file (if any), then the pack being served (the same
// ReloadPack step as AdminService.Reload); a bad file or pack keeps the
// previous one serving. Ends with the "SIGHUP: done" line tests wait for.
void OnSighup(gridroute::TokenFile* tokens, gridroute::GridrouteService* service,
              gridroute::SnapshotStore* store, gridroute::CaseDesk* cases) {
  if (tokens != nullptr) {
    absl::Status st = tokens->Reload();
    Log(st.ok() ? absl::StrCat("SIGHUP: tokens reloaded, ", tokens->table()->size(),
                               " principal(s)")
                : absl::StrCat("SIGHUP: token file rejected, the previous one stays: ",
                               st.message()));
    service->Audit("local", nullptr, "SIGHUP/tokens", tokens->path(),
                   st.ok() ? grpc::Status::OK
                           : grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                          std::string(st.message())));
  }
  {
    Log("SIGHUP: reloading the pack");
    // "": the directory served now; the same options as the service's Reload.
    absl::StatusOr<gridroute::PackReload> r = gridroute::ReloadPack(
        store, {.pack_root = service->options().pack_root, .cases = cases}, "");
    if (r.ok()) {
      Log(absl::StrCat("SIGHUP: reloaded ", Describe(*r->result.current)));
      if (!r->cases_status.ok()) {
        Log(absl::StrCat("SIGHUP: folding rules not reloaded: ", r->cases_status.message()));
      }
    } else {
      // The status, not store->last_error(): a refusal before any load
      // (another reload running) leaves last_error() as it was.
      Log(absl::StrCat("SIGHUP: reload failed, still serving the previous snapshot: ",
                       r.status().message()));
    }
  }  // requests pin a snapshot for microseconds: the previous one is
     // usually freed here, with `r`; then its small blocks go back too
  gridroute::ReleaseFreedMemory();
  Log(absl::StrFormat("SIGHUP: done, resident %.0f MiB", gridroute::ResidentBytes() / 1048576.0));
}

// SIGTERM, SIGINT and SIGHUP, taken by one thread that sigwait()s from
// before the first load, so that SIGTERM is seen at once whatever a load
// does. Before Serving(), SIGTERM exits at once (exit 0: nothing is served
// yet, and the journal is safe against an exit at any point, as against
// kill -9) and SIGHUP is ignored. From Serving() on, SIGTERM releases any
// load being waited for (SnapshotStore::Shutdown) and drains the server for
// --drain-s; SIGHUP runs the reload on a thread of its own, and a SIGHUP
// while that one runs is logged and ignored.
class SignalThread {
 public:
  SignalThread(const sigset_t& signals, gridroute::SnapshotStore* store)
      : signals_(signals), store_(store), thread_([this] { Run(); }) {}
  // On an early return from main (a start-up failure) the thread is still
  // in sigwait(): left to the process's exit.
  ~SignalThread() {
    if (thread_.joinable()) thread_.detach();
    if (hup_.joinable()) hup_.detach();
  }

  // Runs on the signal thread at every SIGHUP, before (and even without)
  // the reload: keep it short (the audit log's reopen for logrotate).
  void OnEverySighup(std::function<void()> f) {
    std::lock_guard<std::mutex> lock(mu_);
    on_every_hup_ = std::move(f);
  }

  void Serving(grpc::Server* server, std::function<void()> on_hup) {
    std::lock_guard<std::mutex> lock(mu_);
    server_ = server;
    on_hup_ = std::move(on_hup);
  }

  // After the server has stopped. True if a SIGHUP reload was still running
  // (stuck outside the store) and was left behind.
  bool Join() {
    thread_.join();
    std::lock_guard<std::mutex> lock(mu_);
    if (!hup_.joinable()) return false;
    if (hup_running_.load()) {
      hup_.detach();
      return true;
    }
    hup_.join();
    return false;
  }

 private:
  void Run() {
    for (;;) {
      int sig = 0;
      if (sigwait(&signals_, &sig) != 0) continue;
      if (sig == SIGHUP) {
        Hup();
        continue;
      }
      const char* name = sig == SIGTERM ? "SIGTERM" : "SIGINT";
      grpc::Server* server;
      {
        std::lock_guard<std::mutex> lock(mu_);
        server = server_;
      }
      if (server == nullptr) {
        Log(absl::StrCat(name, ": stopped before serving"));
        std::fflush(stdout);
        std::_Exit(0);
      }
      Log(absl::StrCat(name, ": draining calls in flight"));
      store_->Shutdown();  // a load being waited for is given up now
      const auto drain = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::duration<double>(absl::GetFlag(FLAGS_drain_s)));
      server->Shutdown(std::chrono::system_clock::now() + drain);
      return;
    }
  }

  void Hup() {
    std::lock_guard<std::mutex> lock(mu_);
    if (on_every_hup_) on_every_hup_();
    if (!on_hup_) {
      Log("SIGHUP: not serving yet; ignored");
    } else if (hup_running_.load()) {
      Log("SIGHUP: a reload is in progress; ignored");
    } else {
      if (hup_.joinable()) hup_.join();  // the previous one has ended
      hup_running_ = true;
      hup_ = std::thread([this, f = on_hup_] {
        f();
        hup_running_ = false;
      });
    }
  }

  sigset_t signals_;
  gridroute::SnapshotStore* const store_;
  std::mutex mu_;
  grpc::Server* server_ = nullptr;  // guarded by mu_
  std::function<void()> on_hup_;    // guarded by mu_
  std::function<void()> on_every_hup_;  // guarded by mu_
  std::thread hup_;                 // guarded by mu_: the last SIGHUP's reload
  std::atomic<bool> hup_running_{false};
  std::thread thread_;  // last: starts once the members above exist
};

// The HTTP/JSON listener on the same service, with gRPC's TLS material,
// message size and connection cap. Null with *error set if it cannot start.
std::unique_ptr<gridroute::HttpServer> StartHttp(const gridroute::ServerOptions& grpc_options,
                                                 gridroute::HttpRouter* router,
                                                 std::string* error) {
  gridroute::RegisterJsonApi(router);
  gridroute::OpsOptions ops;
  // The readiness probe sees the HTTP server once it exists.
  auto http_ptr = std::make_shared<gridroute::HttpServer*>(nullptr);
  ops.listener_problem = [http_ptr]() -> std::string {
    const gridroute::ConnectionGuardState g = gridroute::ConnectionGuard::Get().state();
    if (g.listener_failed) return "the gRPC listener failed (accept error)";
    if (g.fd_exhausted) return "out of file descriptors";
    if (*http_ptr != nullptr && !(*http_ptr)->running()) return "the HTTP listener is not running";
    return "";
  };
  gridroute::RegisterOpsApi(router, std::move(ops));
  gridroute::HttpServerOptions o;
  o.listen = absl::GetFlag(FLAGS_http_listen);
  o.tls_cert_pem = grpc_options.tls_cert_pem;
  o.tls_key_pem = grpc_options.tls_key_pem;
  o.tls_client_ca_pem = grpc_options.tls_client_ca_pem;
  const int body_mb = absl::GetFlag(FLAGS_http_max_body_mb);
  o.max_body_bytes = body_mb > 0 ? static_cast<size_t>(body_mb) << 20
                                 : static_cast<size_t>(grpc_options.max_message_bytes);
  o.threads = absl::GetFlag(FLAGS_http_threads);
  o.blocking_threads = absl::GetFlag(FLAGS_http_blocking_threads);
  o.keep_alive_timeout_s = static_cast<int>(absl::GetFlag(FLAGS_http_keepalive_s));
  o.request_timeout_s = static_cast<uint32_t>(absl::GetFlag(FLAGS_http_request_timeout_s));
  o.max_connections = grpc_options.max_connections;
  auto http = std::make_unique<gridroute::HttpServer>(std::move(o), router);
  if (!http->Start(error)) return nullptr;
  *http_ptr = http.get();
  Log(absl::StrCat("HTTP/JSON on ", absl::GetFlag(FLAGS_http_listen), " (port ", http->port(), ", ",
                   http->tls() ? "TLS" : "plaintext", ", ", absl::GetFlag(FLAGS_http_threads),
                   " threads and ", absl::GetFlag(FLAGS_http_blocking_threads),
                   " workers for requests that may wait, body at most ", body_mb > 0 ? body_mb : grpc_options.max_message_bytes >> 20,
                   " MiB)"));
  return http;
}

}  // namespace

// The case desk of --journal-dir (none without it), on the first snapshot.
// "" or what went wrong.
std::string OpenCases(const gridroute::ServedSnapshot& first,
                      std::unique_ptr<gridroute::CaseDesk>* cases) {
  if (absl::GetFlag(FLAGS_journal_dir).empty()) {
    Log("cases off (no --journal-dir): decisions carry no case id");
    return "";
  }
  gridroute::CaseDeskOptions o;
  o.journal_dir = absl::GetFlag(FLAGS_journal_dir);
  o.journal.fsync = absl::GetFlag(FLAGS_journal_fsync);
  o.journal.max_batch_wait_us = absl::GetFlag(FLAGS_journal_batch_wait_us);
  o.compact_after_bytes = static_cast<uint64_t>(absl::GetFlag(FLAGS_journal_compact_mb)) << 20;
  o.nats_url = absl::GetFlag(FLAGS_nats);
  o.log = [](absl::string_view m) { Log(std::string(m)); };
  o.idempotency_window = absl::GetFlag(FLAGS_idempotency_window);
  o.max_keys = static_cast<size_t>(absl::GetFlag(FLAGS_idempotency_max_keys));
  absl::StatusOr<std::unique_ptr<gridroute::CaseDesk>> desk =
      gridroute::CaseDesk::Open(o, *first.snapshot, first.pack_dir);
  if (!desk.ok()) return absl::StrCat("cases: ", desk.status().message());
  *cases = *std::move(desk);
  return "";
}

// The token file of --auth-tokens (none without it: auth off, said loudly).
// "" or what went wrong.
std::string OpenTokens(const std::string& listen, std::unique_ptr<gridroute::TokenFile>* tokens) {
  if (absl::GetFlag(FLAGS_auth_tokens).empty()) {
    Log(absl::StrCat("WARNING: auth off (no --auth-tokens): every caller of ", listen,
                     " may reload, read and change cases and read names and phones",
                     absl::GetFlag(FLAGS_insecure_no_auth) ? " (--insecure-no-auth)" : ""));
    return "";
  }
  *tokens = std::make_unique<gridroute::TokenFile>(absl::GetFlag(FLAGS_auth_tokens));
  if (absl::Status st = (*tokens)->Reload(); !st.ok()) {
    return absl::StrCat("--auth-tokens: ", st.message());
  }
  Log(absl::StrCat("auth on: ", (*tokens)->table()->size(), " principal(s) from ",
                   (*tokens)->path()));
  return "";
}

// The service's limits from the flags; --pack-root defaults to the parent of
// --pack. The pointers (cases, tokens, audit, feed) are set by main.
gridroute::ServiceOptions ServiceFlags(const std::string& pack) {
  gridroute::ServiceOptions o;
  o.max_batch = absl::GetFlag(FLAGS_max_batch);
  o.max_pending_answer_bytes = static_cast<int64_t>(absl::GetFlag(FLAGS_max_pending_answers_mb))
                               << 20;
  o.stream_write_timeout = absl::Seconds(absl::GetFlag(FLAGS_stream_write_timeout_s));
  o.max_future = absl::GetFlag(FLAGS_max_future);
  o.pack_root = absl::GetFlag(FLAGS_pack_root);
  if (o.pack_root.empty()) {
    o.pack_root =
        std::filesystem::weakly_canonical(std::filesystem::absolute(pack)).parent_path().string();
  }
  return o;
}

int main(int argc, char** argv) {
  // Debian's Abseil checks every absl::Mutex (gRPC's locks) for lock-order
  // cycles by default: ~1.5% of a unary call's CPU. gRPC's own tests run
  // with it; a server does not need it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  absl::SetProgramUsageMessage(
      "gridroute-server --pack DIR --listen HOST:PORT [--threads N] [--max-message-mb 32] "
      "[--max-batch 10000] [--drain-s 10] [--load-timeout-s 600] [--require-checksums] "
      "[--max-future 15m] [--journal-dir DIR [--journal-fsync=false] [--idempotency-window 24h] "
      "[--nats nats://HOST:PORT]] [--tls-cert F --tls-key F [--tls-client-ca F]] "
      "[--auth-tokens F | --insecure-no-auth] [--pack-root DIR] "
      "[--audit-log F [--audit-log-max-mb 0 --audit-log-keep 10]] "
      "[--max-connections 10000] [--max-streams-per-connection 256] [--idle-timeout-s 300] "
      "[--handshake-timeout-s 10] [--keepalive-s 60 --keepalive-timeout-s 20] "
      "[--stream-window-kb 256] [--max-pending-answers-mb 1024] [--stream-write-timeout-s 60] "
      "[--http-listen HOST:PORT [--http-threads 2] [--http-blocking-threads 16] [--http-max-body-mb N] [--http-keepalive-s 5] [--http-request-timeout-s 30] "
      "[--basemap-url URL] [--console-dir DIR] [--events-per-s 50] [--max-event-clients 4]]");
  std::vector<std::string> storage;
  std::vector<char*> args = gridroute::cli::DashedFlags(argc, argv, &storage);
  absl::ParseCommandLine(static_cast<int>(args.size()), args.data());
  const std::string pack = absl::GetFlag(FLAGS_pack);
  if (std::string bad = CheckFlags(); !bad.empty()) return Fail(bad);
  PinToCores(absl::GetFlag(FLAGS_threads));

  // Signals go to one thread that sigwait()s: block them before any thread
  // starts so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  gridroute::SnapshotStoreOptions store_options;
  store_options.load_timeout = absl::Seconds(absl::GetFlag(FLAGS_load_timeout_s));
  store_options.load.require_checksums = absl::GetFlag(FLAGS_require_checksums);
  gridroute::ParseVerifyMode(absl::GetFlag(FLAGS_verify), &store_options.load.verify);
  store_options.load.view_in_place = absl::GetFlag(FLAGS_view_in_place);
  gridroute::SnapshotStore store(store_options);
  SignalThread signal_thread(signals, &store);
  absl::StatusOr<gridroute::ReloadResult> first = store.Load(pack);
  if (!first.ok()) {
    Fail(absl::StrCat("cannot load ", pack, ": ", store.last_error()));
    std::_Exit(2);  // a load that timed out may still run: no destructors
  }
  Log(absl::StrCat("loaded ", Describe(*first->current)));
  for (const std::string& w : first->current->snapshot->warnings()) Log("warning: " + w);

  std::unique_ptr<gridroute::CaseDesk> cases;
  if (std::string bad = OpenCases(*first->current, &cases); !bad.empty()) return Fail(bad);
  gridroute::ServerOptions server_options;
  server_options.listen = absl::GetFlag(FLAGS_listen);
  server_options.max_message_bytes = absl::GetFlag(FLAGS_max_message_mb) << 20;
  ConnectionOptions(&server_options);
  std::string error;
  if (!SecurityOptions(&server_options, &error)) return Fail(error);
  std::unique_ptr<gridroute::AuditLog> audit;
  if (!absl::GetFlag(FLAGS_audit_log).empty()) {
    auto a = gridroute::AuditLog::Open(absl::GetFlag(FLAGS_audit_log), AuditOptions());
    if (!a.ok()) return Fail(std::string(a.status().message()));
    audit = *std::move(a);
    signal_thread.OnEverySighup([log = audit.get()] { ReopenAudit(log); });
  }
  std::unique_ptr<gridroute::TokenFile> tokens;
  if (std::string bad = OpenTokens(server_options.listen, &tokens); !bad.empty()) return Fail(bad);
  gridroute::ServiceOptions service_options = ServiceFlags(pack);
  service_options.cases = cases.get();
  service_options.tokens = tokens.get();
  service_options.audit = audit.get();
  Log(absl::StrCat("Reload accepts pack directories inside ", service_options.pack_root,
                   server_options.tls_cert_pem.empty() ? "; plaintext (no --tls-cert)"
                   : server_options.tls_client_ca_pem.empty() ? "; TLS" : "; mutual TLS"));
  // The console's live feed and map views (engine/console/console_api.h).
  gridroute::FeedOptions feed_options;
  feed_options.max_events_per_second = absl::GetFlag(FLAGS_events_per_s);
  feed_options.burst = std::max(1, static_cast<int>(feed_options.max_events_per_second));
  feed_options.max_subscribers = absl::GetFlag(FLAGS_max_event_clients);
  gridroute::EventFeed feed(feed_options);
  gridroute::MapViewCache maps;
  service_options.feed = &feed;
  gridroute::GridrouteService service(&store, service_options);
  int port = 0;
  std::unique_ptr<grpc::Server> server =
      gridroute::StartServer(server_options, &service, &port, &error);
  if (server == nullptr) return Fail(error);
  // Health NOT_SERVING if the listener fails (destroyed before `server`).
  gridroute::ServingWatch watch(server.get(), cases != nullptr);
  LogConnections(server_options);
  gridroute::HttpRouter router(&service);
  std::unique_ptr<gridroute::HttpServer> http;
  if (!absl::GetFlag(FLAGS_http_listen).empty()) {
    gridroute::ConsoleApiOptions console;
    console.console_dir = absl::GetFlag(FLAGS_console_dir);
    console.basemap_url = absl::GetFlag(FLAGS_basemap_url);
    console.basemap_attribution = absl::GetFlag(FLAGS_basemap_attribution);
    gridroute::RegisterConsoleApi(&router, &maps, &feed, std::move(console));
    http = StartHttp(server_options, &router, &error);
    if (http == nullptr) return Fail(error);
  }
  const std::string version = first->current->snapshot->manifest().version;
  // From here the store alone holds the served snapshot: kept, `first` would
  // pin generation 1 for the life of the process, and every reload would
  // leave two snapshots resident (2M grids: 1.9 GB instead of 0.97).
  first->current.reset();
  signal_thread.Serving(server.get(), [&] {
    OnSighup(tokens.get(), &service, &store, cases.get());
  });
  // Only now, when SIGHUP and SIGTERM are handled as when serving, does the
  // line scripts and tests wait for appear.
  std::printf("gridroute-server: serving %s on %s (port %d)%s\n", version.c_str(),
              server_options.listen.c_str(), port,
              http == nullptr ? ""
                              : absl::StrCat(", HTTP on ", absl::GetFlag(FLAGS_http_listen),
                                             " (port ", http->port(), ")")
                                    .c_str());
  std::fflush(stdout);
  server->Wait();
  feed.Close();  // ends the console's event streams, so Stop() does not wait for them
  if (http != nullptr) http->Stop();  // after gRPC's drain; finishes the requests being served
  const bool hup_left = signal_thread.Join();
  if (cases != nullptr && !cases->FlushDispatch(absl::Seconds(2))) {
    Log("dispatch: some messages were not acknowledged by NATS; they are re-sent at the next start");
  }
  if (hup_left || store.loading()) {
    // A load that cannot be interrupted (a hung file system) still runs on a
    // thread of its own: exit without waiting for it or running destructors
    // that could race with it. Every answered call is already durable.
    Log("stopped (a pack load still running was abandoned)");
    std::fflush(stdout);
    std::_Exit(0);
  }
  Log("stopped");
  return 0;
}

// Copyright 2026 gridroute authors.
#include "http/ops_api.h"

#include <memory>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/process_memory.h"
#include "http/http_reply.h"
#include "metrics/prometheus_text.h"
#include "service/connection_guard.h"

namespace gridroute {
namespace {

// The overdue count needs a pass over every case (CaseDesk::Stats): kept
// for `every` between scrapes.
class OverdueCache {
 public:
  explicit OverdueCache(absl::Duration every) : every_(every) {}
  // Overdue open cases now, or -1 when cases are off or no pack is loaded.
  int64_t Get(const GridrouteService& svc) {
    CaseDesk* desk = svc.options().cases;
    const std::shared_ptr<const ServedSnapshot> served = svc.store().Current();
    if (desk == nullptr || served == nullptr) return -1;
    std::lock_guard<std::mutex> lock(mu_);
    const absl::Time now = absl::Now();
    if (value_ >= 0 && now - at_ < every_) return value_;
    StatsQuery q;
    q.group_by = StatsGroup::kAll;
    q.as_of = now;
    StatsResult r;
    if (!desk->Stats(q, served->snapshot->calendar(), &r).ok()) return -1;
    value_ = r.total.overdue_open;
    at_ = now;
    return value_;
  }

 private:
  const absl::Duration every_;
  std::mutex mu_;
  int64_t value_ = -1;  // guarded by mu_
  absl::Time at_;       // guarded by mu_
};

void Gauge(PrometheusText* out, absl::string_view name, absl::string_view help, double v,
           const Labels& labels = {}) {
  out->Family(name, help, "gauge");
  out->Sample(name, labels, v);
}
void Count(PrometheusText* out, absl::string_view name, absl::string_view help, uint64_t v) {
  out->Family(name, help, "counter");
  out->Sample(name, {}, v);
}

void WriteSnapshot(const GridrouteService& svc, PrometheusText* out) {
  const SnapshotStore& store = svc.store();
  out->Family("gridroute_reloads_total", "Pack loads (start, SIGHUP, Reload) by result.",
              "counter");
  out->Sample("gridroute_reloads_total", {{"result", "ok"}}, store.loads_ok());
  out->Sample("gridroute_reloads_total", {{"result", "failed"}}, store.loads_failed());
  const std::shared_ptr<const ServedSnapshot> s = store.Current();
  if (s == nullptr) return;
  const Snapshot& snap = *s->snapshot;
  Gauge(out, "gridroute_snapshot_info", "The served pack (value 1; its name and version as labels).",
        1, {{"pack", snap.manifest().name}, {"version", snap.manifest().version}});
  Gauge(out, "gridroute_snapshot_generation", "Generation of the served snapshot (1 = first load).",
        static_cast<double>(s->generation));
  Gauge(out, "gridroute_snapshot_loaded_timestamp_seconds",
        "When the served snapshot was published (Unix time).", absl::ToUnixSeconds(s->loaded_at));
  Gauge(out, "gridroute_snapshot_age_seconds", "Seconds since the served snapshot was published.",
        absl::ToDoubleSeconds(absl::Now() - s->loaded_at));
  Gauge(out, "gridroute_snapshot_grids", "Grids in the served snapshot.",
        static_cast<double>(snap.num_grids()));
  Gauge(out, "gridroute_snapshot_memory_bytes", "Memory of the served snapshot.",
        static_cast<double>(snap.MemoryBytes()));
}

void WriteCases(const GridrouteService& svc, OverdueCache* overdue, PrometheusText* out) {
  CaseDesk* desk = svc.options().cases;
  if (desk == nullptr) return;
  const CaseDesk::Info i = desk->info();
  out->Family("gridroute_cases", "Cases in the case store, by state (open: not closed).", "gauge");
  out->Sample("gridroute_cases", {{"state", "open"}}, static_cast<uint64_t>(i.open));
  out->Sample("gridroute_cases", {{"state", "closed"}}, static_cast<uint64_t>(i.cases - i.open));
  out->Family("gridroute_cases_by_state",
              "Cases in the case store by lifecycle state (reported, dispatched, accepted, "
              "handled, verified, closed, reopened).",
              "gauge");
  for (int st = 0; st < kNumCaseStates; ++st) {
    out->Sample("gridroute_cases_by_state", {{"state", CaseStateName(static_cast<CaseState>(st))}},
                static_cast<uint64_t>(i.by_state[st]));
  }
  if (const int64_t o = overdue != nullptr ? overdue->Get(svc) : -1; o >= 0) {
    Gauge(out, "gridroute_cases_overdue", "Open cases past their due time (working calendar).",
          static_cast<double>(o));
  }
  Count(out, "gridroute_case_batches_total", "Intake and update batches made durable.",
        i.intake_batches);
  Gauge(out, "gridroute_case_queued_batches", "Batches applied, waiting for the journal now.",
        static_cast<double>(i.queued_batches));
  Count(out, "gridroute_journal_bytes_total", "Journal bytes appended since start.", i.journal.bytes);
  Count(out, "gridroute_journal_records_total", "Journal records appended since start.",
        i.journal.records);
  Count(out, "gridroute_journal_fsyncs_total", "Journal data syncs since start.", i.journal.fsyncs);
  Count(out, "gridroute_journal_failed_batches_total", "Journal appends that failed.",
        i.journal.failed_batches);
  Gauge(out, "gridroute_journal_segments", "Journal segment files on disk.",
        static_cast<double>(i.journal.segments));
  out->Family("gridroute_journal_append_seconds",
              "Acknowledged journal appends: entry to durable (commit-group wait included).",
              "histogram");
  out->Histogram("gridroute_journal_append_seconds", {}, i.journal_append);
  out->Family("gridroute_journal_sync_seconds", "Journal data syncs (fdatasync), each.",
              "histogram");
  out->Histogram("gridroute_journal_sync_seconds", {}, i.journal_sync);
  if (!i.dispatch) return;
  Count(out, "gridroute_dispatch_published_total", "NATS publish attempts (retries included).",
        i.dispatched.published);
  Count(out, "gridroute_dispatch_acked_total", "NATS messages stored by the stream.",
        i.dispatched.acked);
  Gauge(out, "gridroute_dispatch_pending", "NATS messages not yet acknowledged.",
        static_cast<double>(i.dispatched.pending));
  Gauge(out, "gridroute_dispatch_connected", "1 while the NATS client is connected.",
        i.dispatched.connected ? 1 : 0);
}

void WriteProcess(const GridrouteService& svc, PrometheusText* out) {
  const StreamStats st = svc.stream_stats();
  Gauge(out, "gridroute_streams_open", "RouteStream calls in progress.", static_cast<double>(st.open));
  Gauge(out, "gridroute_stream_answer_bytes", "RouteStream answers written, not yet taken by clients.",
        static_cast<double>(st.answer_bytes));
  Count(out, "gridroute_expired_calls_total", "Calls refused because their deadline had passed.",
        static_cast<uint64_t>(svc.expired_calls()));
  const ConnectionGuardState g = ConnectionGuard::Get().state();
  Gauge(out, "gridroute_connections_open", "Client connections open (gRPC and HTTP listeners).",
        static_cast<double>(g.open));
  Count(out, "gridroute_connections_refused_total",
        "Connections closed at once: over --max-connections or out of descriptors.",
        static_cast<uint64_t>(g.refused_over_cap + g.shed_fd_limit));
  Gauge(out, "gridroute_process_resident_bytes", "Resident memory (/proc/self/statm).",
        static_cast<double>(ResidentBytes()));
}

std::string Page(const GridrouteService& svc, OverdueCache* overdue) {
  PrometheusText out;
  svc.metrics().Write(&out);
  WriteSnapshot(svc, &out);
  WriteCases(svc, overdue, &out);
  WriteProcess(svc, &out);
  return out.Take();
}

}  // namespace

std::string MetricsPage(const GridrouteService& service) { return Page(service, nullptr); }

void RegisterOpsApi(HttpRouter* router, OpsOptions options) {
  const GridrouteService* svc = router->service();
  auto overdue = std::make_shared<OverdueCache>(absl::Seconds(options.case_stats_every_s));
  HttpRoute metrics;
  metrics.method = "GET";
  metrics.pattern = "/metrics";
  metrics.metric = "Metrics";
  metrics.access = HttpAccess::kLoopbackOrToken;
  metrics.handler = [svc, overdue](HttpCall& call) {
    call.res->status = 200;
    call.res->set_content(Page(*svc, overdue.get()), "text/plain; version=0.0.4; charset=utf-8");
  };
  router->Add(std::move(metrics));

  HttpRoute healthz;
  healthz.method = "GET";
  healthz.pattern = "/healthz";
  healthz.metric = "Healthz";
  healthz.access = HttpAccess::kOpen;
  healthz.handler = [](HttpCall& call) {
    call.res->status = 200;
    call.res->set_content("{\"status\":\"ok\"}\n", "application/json");
  };
  router->Add(std::move(healthz));

  HttpRoute readyz;
  readyz.method = "GET";
  readyz.pattern = "/readyz";
  readyz.metric = "Readyz";
  readyz.access = HttpAccess::kOpen;
  readyz.handler = [svc, problem = std::move(options.listener_problem)](HttpCall& call) {
    std::string why;
    if (svc->store().Current() == nullptr) why = "no pack is loaded";
    if (why.empty() && problem) why = problem();
    if (why.empty()) {
      call.res->status = 200;
      call.res->set_content("{\"status\":\"ready\"}\n", "application/json");
      return;
    }
    ReplyError(call, grpc::Status(grpc::StatusCode::UNAVAILABLE, absl::StrCat("not ready: ", why)));
  };
  router->Add(std::move(readyz));
}

}  // namespace gridroute

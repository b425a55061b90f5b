// Copyright 2026 gridroute authors.
#include "service/call_metrics.h"

#include "service/methods.h"

namespace gridroute {

const char* StatusCodeName(int code) {
  static const char* const kNames[CallMetrics::kCodes] = {
      "OK",        "CANCELLED",          "UNKNOWN",           "INVALID_ARGUMENT",
      "DEADLINE_EXCEEDED", "NOT_FOUND",  "ALREADY_EXISTS",    "PERMISSION_DENIED",
      "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
      "UNIMPLEMENTED", "INTERNAL",       "UNAVAILABLE",       "DATA_LOSS",
      "UNAUTHENTICATED"};
  return code >= 0 && code < CallMetrics::kCodes ? kNames[code] : "UNKNOWN";
}

CallMetrics::CallMetrics() {
  for (int i = 0; i < kNumRpcMethods; ++i) names_[i] = kMethods[i].name;
  used_.store(kNumRpcMethods);
}

int CallMetrics::Register(absl::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  const int n = used_.load();
  for (int i = 0; i < n; ++i) {
    if (names_[i] == name) return i;
  }
  if (n == kMaxMethods) return -1;
  names_[n] = std::string(name);
  used_.store(n + 1, std::memory_order_release);
  return n;
}

void CallMetrics::Record(Transport t, int method, int code, int64_t nanos) {
  if (method < 0 || method >= kMaxMethods) return;
  if (code < 0 || code >= kCodes) code = 2;
  const int ti = static_cast<int>(t);
  calls_[ti][method][code].Add();
  latency_[ti][method].ObserveNanos(nanos);
}

uint64_t CallMetrics::calls(Transport t, int method, int code) const {
  if (method < 0 || method >= kMaxMethods || code < 0 || code >= kCodes) return 0;
  return calls_[static_cast<int>(t)][method][code].value();
}

void CallMetrics::Write(PrometheusText* out) const {
  static const char* const kTransport[2] = {"grpc", "http"};
  const int n = used_.load(std::memory_order_acquire);
  out->Family("gridroute_calls_total",
              "Calls answered, by transport (grpc, http), method and status code.", "counter");
  for (int t = 0; t < 2; ++t) {
    for (int m = 0; m < n; ++m) {
      for (int c = 0; c < kCodes; ++c) {
        const uint64_t v = calls_[t][m][c].value();
        if (v == 0) continue;
        out->Sample("gridroute_calls_total",
                    {{"transport", kTransport[t]}, {"method", names_[m]}, {"code", StatusCodeName(c)}},
                    v);
      }
    }
  }
  out->Family("gridroute_call_seconds",
              "Time from a call's start to its answer, by transport and method.", "histogram");
  for (int t = 0; t < 2; ++t) {
    for (int m = 0; m < n; ++m) {
      HistogramSnapshot s = latency_[t][m].Snapshot();
      uint64_t total = 0;
      for (uint64_t c : s.counts) total += c;
      if (total == 0) continue;
      out->Histogram("gridroute_call_seconds", {{"transport", kTransport[t]}, {"method", names_[m]}},
                     s);
    }
  }
  static const char* const kOutcome[3] = {"routed", "outside_coverage", "error"};
  out->Family("gridroute_items_total",
              "Reports and detections routed, by outcome (error: the item's own error).",
              "counter");
  for (int o = 0; o < 3; ++o) out->Sample("gridroute_items_total", {{"outcome", kOutcome[o]}}, items_[o].value());
  out->Family("gridroute_stream_batches_total", "RouteStream batches answered.", "counter");
  out->Sample("gridroute_stream_batches_total", {}, stream_batches_.value());
  out->Family("gridroute_case_intake_seconds",
              "Time from handing a call's routed reports to the case desk until they are durable "
              "(journal append and fsync, group-commit wait included).",
              "histogram");
  out->Histogram("gridroute_case_intake_seconds", {}, intake_.Snapshot());
}

}  // namespace gridroute

// Copyright 2026 gridroute authors.
//
// What the service counts per call, for /metrics: calls by transport,
// method and status code, latency per transport and method, routed items by
// outcome and RouteStream batches. Plain C++ (no gRPC): both transports
// record here.
//
//   CallMetrics m;                                   // gRPC methods at their MethodId
//   int grids = m.Register("Grids");                 // an HTTP-only route, before serving
//   m.Record(Transport::kHttp, kMethodRoute, /*code=*/0, elapsed_ns);
//   m.Write(&prometheus_text);
//
// Cost: Record is two relaxed atomic adds on a fixed array (no lock, no
// allocation, no lookup); AddItems one. Register takes a mutex (setup only).
// Thread-safety: all methods are safe from any thread.
#ifndef GRIDROUTE_SERVICE_CALL_METRICS_H_
#define GRIDROUTE_SERVICE_CALL_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "absl/strings/string_view.h"
#include "metrics/histogram.h"
#include "metrics/prometheus_text.h"

namespace gridroute {

enum class Transport : int { kGrpc = 0, kHttp = 1 };

// The outcome of one routed item (a Route call, a batch or stream item).
enum class ItemOutcome : int { kRouted = 0, kOutsideCoverage = 1, kError = 2 };

class CallMetrics {
 public:
  static constexpr int kMaxMethods = 32;
  static constexpr int kCodes = 17;  // grpc::StatusCode 0..16

  CallMetrics();  // methods 0..kNumRpcMethods-1 are methods.h's
  CallMetrics(const CallMetrics&) = delete;
  CallMetrics& operator=(const CallMetrics&) = delete;

  // The slot of method `name` (the same slot for the same name), or -1 when
  // kMaxMethods are taken. Call before serving.
  int Register(absl::string_view name);

  // One finished call. `code` outside 0..16 counts as UNKNOWN (2).
  void Record(Transport t, int method, int code, int64_t nanos);
  void AddItems(ItemOutcome o, uint64_t n) {
    if (n > 0) items_[static_cast<int>(o)].Add(n);
  }
  void AddStreamBatch() { stream_batches_.Add(); }
  // One hand-over of a call's reports to the case desk, until durable
  // (journal append + fsync, group-commit wait included).
  void ObserveIntake(int64_t nanos) { intake_.ObserveNanos(nanos); }

  uint64_t calls(Transport t, int method, int code) const;
  uint64_t items(ItemOutcome o) const { return items_[static_cast<int>(o)].value(); }

  // gridroute_calls_total, gridroute_call_seconds, gridroute_items_total,
  // gridroute_stream_batches_total, gridroute_case_intake_seconds (families
  // with HELP and TYPE).
  void Write(PrometheusText* out) const;

 private:
  mutable std::mutex mu_;  // Register only
  std::array<std::string, kMaxMethods> names_;  // written before use; "" = free
  std::atomic<int> used_{0};
  Counter calls_[2][kMaxMethods][kCodes];
  Histogram latency_[2][kMaxMethods];
  Counter items_[3];
  Counter stream_batches_;
  Histogram intake_;
};

// "OK", "INVALID_ARGUMENT", ... for a grpc/absl status code number.
const char* StatusCodeName(int code);

}  // namespace gridroute

#endif  // GRIDROUTE_SERVICE_CALL_METRICS_H_

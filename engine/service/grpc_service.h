// Copyright 2026 gridroute authors.
//
// The gRPC face of gridroute: gridroute.v1.RoutingService and AdminService on
// the callback API, plus a server builder that adds the standard health
// service and server reflection.
//
//   SnapshotStore store;
//   RETURN_IF_ERROR(store.Load("data/city").status());
//   GridrouteService service(&store, {});
//   std::unique_ptr<grpc::Server> server = StartServer({.listen = "127.0.0.1:9090"}, &service);
//   server->Wait();
//
// Handlers are thin: validate and convert the message (service/convert.h), one
// Router call per event on the snapshot pinned at the start of the call, map
// absl::Status to grpc::Status (the code numbers are the same). Batches are
// answered by one snapshot. A call whose deadline has already passed when its
// handler starts is answered DEADLINE_EXCEEDED without computing anything.
//
// Why the callback API: handlers never block (Reload runs its load on its
// own thread), streams hold no thread while waiting for the client, and it
// measured as fast as the synchronous API on unary Route (see
// engine/service/SERVICE.md).
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

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "gridroute/v1/admin.grpc.pb.h"
#include "gridroute/v1/cases.grpc.pb.h"
#include "gridroute/v1/routing.grpc.pb.h"
#include "intake/case_desk.h"
#include "service/snapshot_store.h"

namespace gridroute {

struct ServiceOptions {
  // Most events per RouteBatch call and detections per stream batch. Larger
  // batches are refused with RESOURCE_EXHAUSTED. 10000 decisions with teams,
  // departments and names are ~6-8 MB, under max_message_bytes.
  int max_batch = 10000;
  // Clock for deadline checks (tests inject one). Default: absl::Now.
  std::function<absl::Time()> now;
  // Cases (cases.proto): every routed report of Route, RouteBatch and
  // RouteStream is filed or folded here, durably, before it is answered,
  // and CaseService serves it. Null: cases are off (decisions carry no
  // CaseRef; CaseService answers FAILED_PRECONDITION). Not owned.
  CaseDesk* cases = nullptr;
};

// absl::Status -> grpc::Status, same code number and message.
grpc::Status ToGrpcStatus(const absl::Status& s);

struct IntakeBuffers;  // grpc_service.cc

class GridrouteService {
 public:
  GridrouteService(SnapshotStore* store, ServiceOptions options);
  ~GridrouteService();  // finishes queued reloads, joins the worker
  GridrouteService(const GridrouteService&) = delete;
  GridrouteService& operator=(const GridrouteService&) = delete;

  grpc::Service* routing();
  grpc::Service* admin();
  grpc::Service* cases();

  // Calls refused because their deadline had passed.
  int64_t expired_calls() const { return expired_.load(std::memory_order_relaxed); }

  // The handlers, callable without gRPC plumbing (the reactors call these).
  // `deadline` is the call's (absl::InfiniteFuture() for none).
  grpc::Status Locate(absl::Time deadline, const v1::LocateRequest& req, v1::LocateResponse* resp);
  grpc::Status Route(absl::Time deadline, const v1::RouteRequest& req, v1::RouteResponse* resp);
  grpc::Status RouteBatch(absl::Time deadline, const v1::RouteBatchRequest& req,
                          v1::RouteBatchResponse* resp);
  grpc::Status RouteDetections(absl::Time deadline, const v1::DetectionBatch& req,
                               v1::DecisionBatch* resp);
  grpc::Status Info(absl::Time deadline, v1::InfoResponse* resp);
  grpc::Status Reload(const v1::ReloadRequest& req, v1::ReloadResponse* resp);
  // What the codes of the CODES view mean (service/directory.h).
  // `include_personal` false: persons without name and phone (for callers
  // without the `personal` role, once roles exist; the reactor passes true).
  grpc::Status Directory(absl::Time deadline, const v1::DirectoryRequest& req,
                         v1::DirectoryResponse* resp, bool include_personal = true);
  grpc::Status GetCase(const v1::GetCaseRequest& req, v1::Case* resp);
  grpc::Status UpdateCase(const v1::UpdateCaseRequest& req, v1::Case* resp);
  grpc::Status ListCases(const v1::ListCasesRequest& req, v1::ListCasesResponse* resp);
  grpc::Status CaseStats(const v1::CaseStatsRequest& req, v1::CaseStatsResponse* resp);

  // Runs `work` on the service's worker thread (one job at a time, in
  // order; the destructor finishes queued jobs and joins it).
  void RunDetached(std::function<void()> work);

 private:
  class RoutingImpl;
  class AdminImpl;
  class CaseImpl;
  struct Worker;

  // RouteDetections without filing: the routed reports are left in `cases`
  // (the caller files them, e.g. asynchronously from a stream reactor).
  grpc::Status RouteDetectionsUnfiled(absl::Time deadline, const v1::DetectionBatch& req,
                                      v1::DecisionBatch* resp, IntakeBuffers* cases);
  // RouteBatch without filing (as RouteDetectionsUnfiled).
  grpc::Status RouteBatchUnfiled(absl::Time deadline, const v1::RouteBatchRequest& req,
                                 v1::RouteBatchResponse* resp, IntakeBuffers* cases);
  // OK, or DEADLINE_EXCEEDED (counted) when `deadline` has passed.
  grpc::Status CheckDeadline(absl::Time deadline);
  // OK, or FAILED_PRECONDITION when cases are off.
  grpc::Status CasesOn() const;
  absl::Time Now() const { return options_.now ? options_.now() : absl::Now(); }
  // The pinned snapshot, or FAILED_PRECONDITION.
  grpc::Status Pin(std::shared_ptr<const ServedSnapshot>* out) const;

  // Constant after construction.
  SnapshotStore* const store_;
  const ServiceOptions options_;
  std::unique_ptr<RoutingImpl> routing_;
  std::unique_ptr<AdminImpl> admin_;
  std::unique_ptr<CaseImpl> cases_;
  std::unique_ptr<Worker> worker_;

  std::atomic<int64_t> expired_{0};
};

struct ServerOptions {
  // host:port to listen on ("0.0.0.0:9090", "127.0.0.1:20001", "[::]:9090").
  std::string listen = "127.0.0.1:9090";
  // Largest message accepted or sent (bytes). Over it, gRPC answers
  // RESOURCE_EXHAUSTED.
  int max_message_bytes = 32 << 20;
};

// Builds and starts a server with `service`'s two services, the standard
// health service (grpc.health.v1.Health, overall status SERVING) and
// reflection (grpc.reflection.v1alpha). Returns null with *error set if the
// address cannot be bound. *bound_port receives the port (may be null).
std::unique_ptr<grpc::Server> StartServer(const ServerOptions& options, GridrouteService* service,
                                          int* bound_port, std::string* error);

}  // namespace gridroute

#endif  // GRIDROUTE_SERVICE_GRPC_SERVICE_H_

// Copyright 2026 gridroute authors.
#include "service/grpc_service.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "service/convert.h"

namespace gridroute {
namespace {

absl::Time DeadlineOf(const grpc::CallbackServerContext* ctx) {
  const auto d = ctx->deadline();
  if (d == std::chrono::system_clock::time_point::max()) return absl::InfiniteFuture();
  return absl::FromChrono(d);
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  // absl::StatusCode and grpc::StatusCode share their numbers (0..16).
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

// ---------------------------------------------------------------------------
// RoutingService on the callback API.

class GridrouteService::RoutingImpl final : public v1::RoutingService::CallbackService {
 public:
  explicit RoutingImpl(GridrouteService* svc) : svc_(svc) {}

  grpc::ServerUnaryReactor* Locate(grpc::CallbackServerContext* ctx, const v1::LocateRequest* req,
                                   v1::LocateResponse* resp) override {
    grpc::ServerUnaryReactor* r = ctx->DefaultReactor();
    r->Finish(svc_->Locate(DeadlineOf(ctx), *req, resp));
    return r;
  }
  grpc::ServerUnaryReactor* Route(grpc::CallbackServerContext* ctx, const v1::RouteRequest* req,
                                  v1::RouteResponse* resp) override {
    grpc::ServerUnaryReactor* r = ctx->DefaultReactor();
    r->Finish(svc_->Route(DeadlineOf(ctx), *req, resp));
    return r;
  }
  grpc::ServerUnaryReactor* RouteBatch(grpc::CallbackServerContext* ctx,
                                       const v1::RouteBatchRequest* req,
                                       v1::RouteBatchResponse* resp) override {
    grpc::ServerUnaryReactor* r = ctx->DefaultReactor();
    r->Finish(svc_->RouteBatch(DeadlineOf(ctx), *req, resp));
    return r;
  }
  grpc::ServerBidiReactor<v1::DetectionBatch, v1::DecisionBatch>* RouteStream(
      grpc::CallbackServerContext* ctx) override {
    return new StreamReactor(svc_, ctx);
  }

 private:
  // One batch in flight: read a batch, route it, write its decisions, and
  // only when that write has completed read the next one. So at most one
  // DetectionBatch and one DecisionBatch are held per stream, and a client
  // that stops reading stops the server reading from it (HTTP/2 flow control
  // then pushes back on its writes). Deletes itself in OnDone.
  class StreamReactor final
      : public grpc::ServerBidiReactor<v1::DetectionBatch, v1::DecisionBatch> {
   public:
    StreamReactor(GridrouteService* svc, grpc::CallbackServerContext* ctx)
        : svc_(svc), ctx_(ctx) {
      StartRead(&in_);
    }
    void OnReadDone(bool ok) override {
      if (!ok) {  // the client half-closed (or went away): we are done
        Finish(grpc::Status::OK);
        return;
      }
      out_.Clear();  // keeps the repeated fields' capacity for the next batch
      grpc::Status s = svc_->RouteDetections(DeadlineOf(ctx_), in_, &out_);
      if (!s.ok()) {
        Finish(s);
        return;
      }
      StartWrite(&out_);
    }
    void OnWriteDone(bool ok) override {
      if (!ok) {
        Finish(grpc::Status(grpc::StatusCode::CANCELLED, "stream: the client went away"));
        return;
      }
      StartRead(&in_);
    }
    void OnDone() override { delete this; }

   private:
    GridrouteService* const svc_;
    grpc::CallbackServerContext* const ctx_;
    v1::DetectionBatch in_;
    v1::DecisionBatch out_;
  };

  GridrouteService* const svc_;
};

// ---------------------------------------------------------------------------
// AdminService.

class GridrouteService::AdminImpl final : public v1::AdminService::CallbackService {
 public:
  explicit AdminImpl(GridrouteService* svc) : svc_(svc) {}

  grpc::ServerUnaryReactor* Info(grpc::CallbackServerContext* ctx, const v1::InfoRequest*,
                                 v1::InfoResponse* resp) override {
    grpc::ServerUnaryReactor* r = ctx->DefaultReactor();
    r->Finish(svc_->Info(DeadlineOf(ctx), resp));
    return r;
  }
  // A load takes seconds on a big city: it runs on the service's worker
  // thread, never on a gRPC thread.
  grpc::ServerUnaryReactor* Reload(grpc::CallbackServerContext* ctx, const v1::ReloadRequest* req,
                                   v1::ReloadResponse* resp) override {
    grpc::ServerUnaryReactor* r = ctx->DefaultReactor();
    GridrouteService* svc = svc_;
    svc_->RunDetached([svc, r, req, resp] { r->Finish(svc->Reload(*req, resp)); });
    return r;
  }

 private:
  GridrouteService* const svc_;
};

// ---------------------------------------------------------------------------
// A single worker thread for reloads (serialised by the store anyway).

struct GridrouteService::Worker {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::function<void()>> queue;  // guarded by mu
  bool stop = false;                        // guarded by mu
  std::thread thread;
};

GridrouteService::GridrouteService(SnapshotStore* store, ServiceOptions options)
    : store_(store),
      options_(std::move(options)),
      routing_(std::make_unique<RoutingImpl>(this)),
      admin_(std::make_unique<AdminImpl>(this)),
      worker_(std::make_unique<Worker>()) {
  worker_->thread = std::thread([w = worker_.get()] {
    std::unique_lock<std::mutex> lock(w->mu);
    for (;;) {
      w->cv.wait(lock, [w] { return w->stop || !w->queue.empty(); });
      if (w->queue.empty()) return;  // stop requested and nothing left
      std::function<void()> job = std::move(w->queue.front());
      w->queue.pop_front();
      lock.unlock();
      job();
      lock.lock();
    }
  });
}

GridrouteService::~GridrouteService() {
  {
    std::lock_guard<std::mutex> lock(worker_->mu);
    worker_->stop = true;
  }
  worker_->cv.notify_all();
  worker_->thread.join();
}

grpc::Service* GridrouteService::routing() { return routing_.get(); }
grpc::Service* GridrouteService::admin() { return admin_.get(); }

void GridrouteService::RunDetached(std::function<void()> work) {
  {
    std::lock_guard<std::mutex> lock(worker_->mu);
    worker_->queue.push_back(std::move(work));
  }
  worker_->cv.notify_one();
}

grpc::Status GridrouteService::CheckDeadline(absl::Time deadline) {
  if (deadline == absl::InfiniteFuture()) return grpc::Status::OK;
  const absl::Time now = options_.now ? options_.now() : absl::Now();
  if (deadline > now) return grpc::Status::OK;
  expired_.fetch_add(1, std::memory_order_relaxed);
  return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                      "deadline: the call's deadline passed before it was served; nothing computed");
}

grpc::Status GridrouteService::Pin(std::shared_ptr<const ServedSnapshot>* out) const {
  *out = store_->Current();
  if (*out == nullptr) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        "no pack is loaded; load one with AdminService.Reload");
  }
  return grpc::Status::OK;
}

// ---------------------------------------------------------------------------
// Handlers: convert, one core call, map the status.

grpc::Status GridrouteService::Locate(absl::Time deadline, const v1::LocateRequest& req,
                                      v1::LocateResponse* resp) {
  if (grpc::Status s = CheckDeadline(deadline); !s.ok()) return s;
  std::shared_ptr<const ServedSnapshot> served;
  if (grpc::Status s = Pin(&served); !s.ok()) return s;
  if (!req.has_point()) return ToGrpcStatus(absl::InvalidArgumentError("point: required"));
  bool has_point;
  double x, y;
  Crs crs;
  absl::Status st = PointFromProto(req.point(), true, &has_point, &x, &y, &crs);
  LocateResult r;
  if (st.ok()) st = served->router.Locate(true, x, y, crs, LocateOptions{req.snap_m()}, &r);
  if (!st.ok()) return ToGrpcStatus(st);
  LocationToProto(*served->snapshot, r, resp->mutable_location());
  SnapshotRefToProto(*served, resp->mutable_snapshot());
  return grpc::Status::OK;
}

grpc::Status GridrouteService::Route(absl::Time deadline, const v1::RouteRequest& req,
                                     v1::RouteResponse* resp) {
  if (grpc::Status s = CheckDeadline(deadline); !s.ok()) return s;
  std::shared_ptr<const ServedSnapshot> served;
  if (grpc::Status s = Pin(&served); !s.ok()) return s;
  thread_local Event e;  // reused: no allocation in the steady state
  thread_local Decision d;
  RouteOptions o;
  absl::Status st = EventFromProto(req, &e, &o);
  if (st.ok()) st = served->router.Route(e, o, &d);
  if (!st.ok()) return ToGrpcStatus(st);
  DecisionToProto(*served->snapshot, d, resp->mutable_decision());
  SnapshotRefToProto(*served, resp->mutable_snapshot());
  return grpc::Status::OK;
}

grpc::Status GridrouteService::RouteBatch(absl::Time deadline, const v1::RouteBatchRequest& req,
                                          v1::RouteBatchResponse* resp) {
  if (grpc::Status s = CheckDeadline(deadline); !s.ok()) return s;
  if (req.events_size() > options_.max_batch) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        absl::StrCat("events: ", req.events_size(),
                                     " events in one call; the maximum is ", options_.max_batch,
                                     " (split the batch)"));
  }
  std::shared_ptr<const ServedSnapshot> served;
  if (grpc::Status s = Pin(&served); !s.ok()) return s;
  thread_local Event e;
  thread_local Decision d;
  RouteOptions o;
  resp->mutable_results()->Reserve(req.events_size());
  for (const v1::RouteRequest& r : req.events()) {
    v1::RouteResult* out = resp->add_results();
    absl::Status st = EventFromProto(r, &e, &o);
    if (st.ok()) st = served->router.Route(e, o, &d);
    if (st.ok()) {
      DecisionToProto(*served->snapshot, d, out->mutable_decision());
    } else {
      out->mutable_error()->set_code(static_cast<int32_t>(st.code()));
      out->mutable_error()->set_message(std::string(st.message()));
    }
  }
  SnapshotRefToProto(*served, resp->mutable_snapshot());
  return grpc::Status::OK;
}

grpc::Status GridrouteService::RouteDetections(absl::Time deadline, const v1::DetectionBatch& req,
                                               v1::DecisionBatch* resp) {
  if (grpc::Status s = CheckDeadline(deadline); !s.ok()) return s;
  if (req.detections_size() > options_.max_batch) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        absl::StrCat("detections: ", req.detections_size(),
                                     " detections in one batch; the maximum is ",
                                     options_.max_batch, " (send smaller batches)"));
  }
  std::shared_ptr<const ServedSnapshot> served;
  if (grpc::Status s = Pin(&served); !s.ok()) return s;
  thread_local Event e;
  thread_local Decision d;
  RouteOptions o;
  resp->mutable_results()->Reserve(req.detections_size());
  for (const v1::Detection& det : req.detections()) {
    v1::DetectionResult* out = resp->add_results();
    out->set_correlation_id(det.correlation_id());
    out->set_camera_id(det.camera_id());
    absl::Status st = EventFromProto(det, req.snap_m(), &e, &o);
    if (st.ok()) st = served->router.Route(e, o, &d);
    if (st.ok()) {
      DecisionToProto(*served->snapshot, d, out->mutable_decision());
    } else {
      out->mutable_error()->set_code(static_cast<int32_t>(st.code()));
      out->mutable_error()->set_message(std::string(st.message()));
    }
  }
  SnapshotRefToProto(*served, resp->mutable_snapshot());
  return grpc::Status::OK;
}

grpc::Status GridrouteService::Info(absl::Time deadline, v1::InfoResponse* resp) {
  if (grpc::Status s = CheckDeadline(deadline); !s.ok()) return s;
  std::shared_ptr<const ServedSnapshot> served;
  if (grpc::Status s = Pin(&served); !s.ok()) return s;
  const Snapshot& s = *served->snapshot;
  resp->set_pack_name(s.manifest().name);
  SnapshotRefToProto(*served, resp->mutable_snapshot());
  resp->set_pack_dir(served->pack_dir);
  resp->set_crs(s.manifest().crs);
  for (const std::string& l : s.hierarchy().levels()) resp->add_levels(l);
  resp->set_grids(s.num_grids());
  resp->set_regions(s.hierarchy().num_regions());
  resp->set_departments(s.departments().size());
  resp->set_categories(s.categories().size());
  resp->set_rules(s.rules().num_rules());
  resp->set_components(s.components().size());
  resp->set_layers(s.layers().size());
  TimeToProto(served->loaded_at, resp->mutable_loaded_at());
  resp->set_load_seconds(served->load_seconds);
  resp->set_memory_bytes(static_cast<int64_t>(s.MemoryBytes()));
  for (const std::string& w : s.warnings()) resp->add_warnings(w);
  resp->set_reloads_ok(store_->loads_ok());
  resp->set_reloads_failed(store_->loads_failed());
  resp->set_last_reload_error(store_->last_error());
  resp->set_expired_calls(expired_calls());
  return grpc::Status::OK;
}

grpc::Status GridrouteService::Reload(const v1::ReloadRequest& req, v1::ReloadResponse* resp) {
  absl::StatusOr<ReloadResult> r = store_->Load(req.pack_dir());
  if (!r.ok()) return ToGrpcStatus(r.status());
  SnapshotRefToProto(*r->current, resp->mutable_snapshot());
  if (r->previous != nullptr) SnapshotRefToProto(*r->previous, resp->mutable_previous());
  resp->set_load_seconds(r->current->load_seconds);
  for (const std::string& w : r->current->snapshot->warnings()) resp->add_warnings(w);
  return grpc::Status::OK;
}

// ---------------------------------------------------------------------------

std::unique_ptr<grpc::Server> StartServer(const ServerOptions& options, GridrouteService* service,
                                          int* bound_port, std::string* error) {
  grpc::EnableDefaultHealthCheckService(true);
  // Without this call reflection answers UNIMPLEMENTED (TOOLCHAIN.md).
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  if (!options.listen.empty()) {
    builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &port);
  }
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  builder.RegisterService(service->routing());
  builder.RegisterService(service->admin());
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || (!options.listen.empty() && port == 0)) {
    if (error != nullptr) *error = absl::StrCat("cannot listen on ", options.listen);
    if (server != nullptr) server->Shutdown();
    return nullptr;
  }
  if (bound_port != nullptr) *bound_port = port;
  return server;
}

}  // namespace gridroute

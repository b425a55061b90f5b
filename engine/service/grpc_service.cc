// Copyright 2026 gridroute authors.
#include "service/grpc_service.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/arena.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/support/message_allocator.h"
#include "grpcpp/health_check_service_interface.h"
#include "service/convert.h"
#include "service/directory.h"

namespace gridroute {

// The reports of one call's case intake (per thread, or per stream; no
// allocation in the steady state).
struct IntakeBuffers {
  std::vector<ReportSlot> slots;
  std::vector<int> item;  // slots[k] answers result item[k]
  std::vector<CaseOutcome> out;
  size_t n = 0;  // slots in use
  // The snapshot the slots' codes point into, pinned until they are filed.
  std::shared_ptr<const ServedSnapshot> pinned;

  void Clear() {
    n = 0;
    item.clear();
  }
  ReportSlot* Add(int i) {
    if (n == slots.size()) slots.emplace_back();
    item.push_back(i);
    return &slots[n++];
  }
};

namespace {

absl::Time DeadlineOf(const grpc::CallbackServerContext* ctx) {
  const auto d = ctx->deadline();
  if (d == std::chrono::system_clock::time_point::max()) return absl::InfiniteFuture();
  return absl::FromChrono(d);
}

// Per-thread buffers of one detection batch's routing (no allocation once
// warm: events and decisions keep their strings' and vectors' capacity).
struct DetectionBuffers {
  std::vector<Event> events;
  std::vector<absl::Status> status;
  std::vector<Decision> decisions;
  Router::BatchScratch scratch;

  void Resize(int n) {
    const size_t m = static_cast<size_t>(n);
    if (events.size() < m) {
      events.resize(m);
      decisions.resize(m);
    }
    status.assign(m, absl::OkStatus());
  }
};

// Starts fetching the codes every routed decision's answer will copy (grid
// code, team person ids): cold strings, fetched together instead of one
// miss after another while the answer is built.
// The conversion loop calls it kPrefetchAhead decisions ahead of itself.
constexpr int kPrefetchAhead = 16;
void PrefetchViewStrings(const Snapshot& s, const Decision& d, const absl::Status& status) {
  {
    if (!status.ok() || d.location.grid == kNoGrid) return;
    s.PrefetchGridCode(d.location.grid);
    for (int32_t r : d.chain) {
      if (r >= 0) __builtin_prefetch(&s.hierarchy().region(r));
    }
    for (const TeamAssignment& t : d.team) s.teams().PrefetchPersonId(t.person);
    if (d.component >= 0) s.components().PrefetchCode(d.component);
  }
}

// The calendar overdue is computed on: the served pack's (no copy), or the
// default one when no pack is loaded.
const WorkingCalendar& CalendarOf(const ServedSnapshot* served) {
  static const WorkingCalendar* const kDefault = new WorkingCalendar(WorkingCalendar::Default());
  return served != nullptr ? served->snapshot->calendar() : *kDefault;
}

void CaseRefToProto(const CaseOutcome& o, v1::CaseRef* out) {
  out->set_case_id(o.case_id);
  out->set_folded(o.folded);
  out->set_report_count(o.report_count);
}

// The case_ref of whichever view `r` carries (RouteResponse, RouteResult or
// DetectionResult).
template <typename Out>
v1::CaseRef* CaseRefOf(Out* r) {
  return r->has_codes() ? r->mutable_codes()->mutable_case_ref()
                        : r->mutable_decision()->mutable_case_ref();
}

// Writes `d` in the requested view: FULL fills `decision`, CODES `codes`.
template <typename Out>
void ViewToProto(const Snapshot& s, const Decision& d, bool codes, Out* out) {
  if (codes) {
    DecisionCodesToProto(s, d, out->mutable_codes());
  } else {
    DecisionToProto(s, d, out->mutable_decision());
  }
}

// Files the batch's routed reports as one durable intake and puts each
// case into its result (a report the case engine refuses becomes that
// item's error). UNAVAILABLE for the whole call if the journal failed:
// then no result may claim a case.
// `source_field`: the request field that became the report's source id
// ("camera_id" for detections), so an error about it names the field the
// client sent.
template <typename Result>
void PutCaseRefs(const IntakeBuffers& b, const std::vector<CaseOutcome>& outcomes,
                 google::protobuf::RepeatedPtrField<Result>* results,
                 absl::string_view source_field) {
  for (size_t k = 0; k < b.n; ++k) {
    Result* r = results->Mutable(b.item[k]);
    const CaseOutcome& o = outcomes[k];
    if (o.status.ok()) {
      CaseRefToProto(o, CaseRefOf(r));
    } else {
      r->mutable_error()->set_code(static_cast<int32_t>(o.status.code()));
      absl::string_view m = o.status.message();
      std::string msg = absl::StartsWith(m, "source_id:")
                            ? absl::StrCat(source_field, m.substr(9))
                            : std::string(m);
      r->mutable_error()->set_message(absl::StrCat("case: ", msg));
    }
  }
}

template <typename Result>
grpc::Status FileCases(CaseDesk* desk, IntakeBuffers* b,
                       google::protobuf::RepeatedPtrField<Result>* results,
                       absl::string_view source_field = "source_id") {
  if (desk == nullptr || b->n == 0) return grpc::Status::OK;
  absl::Status st = desk->Intake(absl::MakeConstSpan(b->slots.data(), b->n), &b->out);
  if (!st.ok()) return ToGrpcStatus(st);
  PutCaseRefs(*b, b->out, results, source_field);
  return grpc::Status::OK;
}

// A unary call's request and response on one arena, whose first block is
// part of the holder: a call costs one allocation instead of one per
// sub-message and string (a FULL decision has ~40), and they are dropped
// together.
template <typename Req, typename Resp>
class ArenaMessageAllocator final : public grpc::MessageAllocator<Req, Resp> {
 public:
  grpc::MessageHolder<Req, Resp>* AllocateMessages() override { return new Holder(); }

 private:
  static constexpr size_t kInlineBytes = 4096;
  class Holder final : public grpc::MessageHolder<Req, Resp> {
   public:
    Holder() : arena_(Options(block_)) {
      this->set_request(google::protobuf::Arena::CreateMessage<Req>(&arena_));
      this->set_response(google::protobuf::Arena::CreateMessage<Resp>(&arena_));
    }
    void Release() override { delete this; }

   private:
    static google::protobuf::ArenaOptions Options(char* block) {
      google::protobuf::ArenaOptions o;
      o.initial_block = block;
      o.initial_block_size = kInlineBytes;
      return o;
    }
    alignas(16) char block_[kInlineBytes];  // before arena_: outlives it
    google::protobuf::Arena arena_;
  };
};

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
  explicit RoutingImpl(GridrouteService* svc) : svc_(svc) {
    SetMessageAllocatorFor_Locate(&locate_alloc_);
    SetMessageAllocatorFor_Route(&route_alloc_);
    SetMessageAllocatorFor_RouteBatch(&batch_alloc_);
  }

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
    CaseDesk* desk = svc_->options_.cases;
    if (desk == nullptr || resp->GetArena() == nullptr) {
      r->Finish(svc_->RouteBatch(DeadlineOf(ctx), *req, resp));
      return r;
    }
    // With cases: the answer is finished from the desk's commit thread once
    // the batch is durable; this gRPC thread does not wait for the sync.
    // The reports live on the call's arena (freed with the messages).
    IntakeBuffers* b = google::protobuf::Arena::Create<IntakeBuffers>(resp->GetArena());
    grpc::Status s = svc_->RouteBatchUnfiled(DeadlineOf(ctx), *req, resp, b);
    if (!s.ok() || b->n == 0) {
      r->Finish(s);
      return r;
    }
    desk->IntakeAsync(absl::MakeConstSpan(b->slots.data(), b->n),
                      [r, b, resp](const absl::Status& st, const std::vector<CaseOutcome>& outcomes) {
                        b->pinned.reset();
                        if (!st.ok()) {
                          r->Finish(ToGrpcStatus(st));
                          return;
                        }
                        PutCaseRefs(*b, outcomes, resp->mutable_results(), "source_id");
                        r->Finish(grpc::Status::OK);
                      });
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
        : svc_(svc), ctx_(ctx), arena_(ArenaOptionsFor(&first_block_)) {
      StartRead(&in_);
    }
    void OnReadDone(bool ok) override {
      if (!ok) {  // the client half-closed (or went away): we are done
        Finish(grpc::Status::OK);
        return;
      }
      // The answer lives on the stream's arena, dropped whole once written:
      // no per-decision malloc/free (a DetectionResult's oneof deletes its
      // Decision on Clear(), so reusing one message would not help).
      out_ = google::protobuf::Arena::CreateMessage<v1::DecisionBatch>(&arena_);
      grpc::Status s = svc_->RouteDetectionsUnfiled(DeadlineOf(ctx_), in_, out_, &cases_);
      if (!s.ok()) {
        Finish(s);
        return;
      }
      CaseDesk* desk = svc_->options_.cases;
      if (desk == nullptr || cases_.n == 0) {
        StartWrite(out_);
        return;
      }
      // The answer leaves once the batch's cases are durable: written from
      // the desk's commit thread, so this gRPC thread never waits for a sync
      // and serves other streams meanwhile.
      desk->IntakeAsync(absl::MakeConstSpan(cases_.slots.data(), cases_.n),
                        [this](const absl::Status& st, const std::vector<CaseOutcome>& outcomes) {
                          cases_.pinned.reset();  // applied: the codes are not read again
                          if (!st.ok()) {
                            Finish(ToGrpcStatus(st));
                            return;
                          }
                          PutCaseRefs(cases_, outcomes, out_->mutable_results(), "camera_id");
                          StartWrite(out_);
                        });
      // The reactor may be writing (or reading the next batch) already:
      // touch nothing after IntakeAsync.
    }
    void OnWriteDone(bool ok) override {
      out_ = nullptr;
      arena_.Reset();  // keeps the first block, frees the rest
      if (!ok) {
        Finish(grpc::Status(grpc::StatusCode::CANCELLED, "stream: the client went away"));
        return;
      }
      StartRead(&in_);
    }
    void OnDone() override { delete this; }

   private:
    // The arena's first block is the reactor's own and survives Reset(); a
    // batch that needs more takes blocks of at most kMaxBlock, freed after
    // its write.
    static constexpr size_t kFirstBlock = 256 << 10;
    static constexpr size_t kMaxBlock = 1 << 20;
    static google::protobuf::ArenaOptions ArenaOptionsFor(std::vector<char>* first) {
      first->resize(kFirstBlock);
      google::protobuf::ArenaOptions o;
      o.initial_block = first->data();
      o.initial_block_size = first->size();
      o.start_block_size = kMaxBlock;
      o.max_block_size = kMaxBlock;
      return o;
    }

    GridrouteService* const svc_;
    grpc::CallbackServerContext* const ctx_;
    std::vector<char> first_block_;  // before arena_: it outlives it
    google::protobuf::Arena arena_;
    v1::DetectionBatch in_;
    v1::DecisionBatch* out_ = nullptr;  // on arena_
    IntakeBuffers cases_;               // the batch's reports while it is filed
  };

  GridrouteService* const svc_;
  ArenaMessageAllocator<v1::LocateRequest, v1::LocateResponse> locate_alloc_;
  ArenaMessageAllocator<v1::RouteRequest, v1::RouteResponse> route_alloc_;
  ArenaMessageAllocator<v1::RouteBatchRequest, v1::RouteBatchResponse> batch_alloc_;
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
  grpc::ServerUnaryReactor* Directory(grpc::CallbackServerContext* ctx,
                                      const v1::DirectoryRequest* req,
                                      v1::DirectoryResponse* resp) override {
    grpc::ServerUnaryReactor* r = ctx->DefaultReactor();
    r->Finish(svc_->Directory(DeadlineOf(ctx), *req, resp));
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
// CaseService.

class GridrouteService::CaseImpl final : public v1::CaseService::CallbackService {
 public:
  explicit CaseImpl(GridrouteService* svc) : svc_(svc) {}

  grpc::ServerUnaryReactor* Get(grpc::CallbackServerContext* ctx, const v1::GetCaseRequest* req,
                                v1::Case* resp) override {
    grpc::ServerUnaryReactor* r = ctx->DefaultReactor();
    r->Finish(svc_->GetCase(*req, resp));
    return r;
  }
  grpc::ServerUnaryReactor* Update(grpc::CallbackServerContext* ctx,
                                   const v1::UpdateCaseRequest* req, v1::Case* resp) override {
    grpc::ServerUnaryReactor* r = ctx->DefaultReactor();
    r->Finish(svc_->UpdateCase(*req, resp));
    return r;
  }
  grpc::ServerUnaryReactor* List(grpc::CallbackServerContext* ctx,
                                 const v1::ListCasesRequest* req,
                                 v1::ListCasesResponse* resp) override {
    grpc::ServerUnaryReactor* r = ctx->DefaultReactor();
    r->Finish(svc_->ListCases(*req, resp));
    return r;
  }
  grpc::ServerUnaryReactor* Stats(grpc::CallbackServerContext* ctx,
                                  const v1::CaseStatsRequest* req,
                                  v1::CaseStatsResponse* resp) override {
    grpc::ServerUnaryReactor* r = ctx->DefaultReactor();
    r->Finish(svc_->CaseStats(*req, resp));
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
      cases_(std::make_unique<CaseImpl>(this)),
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
grpc::Service* GridrouteService::cases() { return cases_.get(); }

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
  absl::Status st = CheckView(req.view(), "view");
  if (st.ok()) st = EventFromProto(req, &e, &o);
  if (st.ok()) st = served->router.Route(e, o, &d);
  if (!st.ok()) return ToGrpcStatus(st);
  ViewToProto(*served->snapshot, d, req.view() == v1::DECISION_VIEW_CODES, resp);
  if (options_.cases != nullptr && d.outcome == Outcome::kRouted) {
    thread_local IntakeBuffers b;
    b.Clear();
    ReportFromDecision(*served->snapshot, e, d, ReportSource::kHotline, {}, b.Add(0));
    st = options_.cases->Intake(absl::MakeConstSpan(b.slots.data(), b.n), &b.out);
    if (st.ok()) st = b.out[0].status;
    if (!st.ok()) return ToGrpcStatus(st);
    CaseRefToProto(b.out[0], CaseRefOf(resp));
  }
  SnapshotRefToProto(*served, resp->mutable_snapshot());
  return grpc::Status::OK;
}

grpc::Status GridrouteService::RouteBatch(absl::Time deadline, const v1::RouteBatchRequest& req,
                                          v1::RouteBatchResponse* resp) {
  thread_local IntakeBuffers b;
  grpc::Status s = RouteBatchUnfiled(deadline, req, resp, &b);
  if (s.ok()) s = FileCases(options_.cases, &b, resp->mutable_results());
  b.pinned.reset();
  return s;
}

grpc::Status GridrouteService::RouteBatchUnfiled(absl::Time deadline,
                                                 const v1::RouteBatchRequest& req,
                                                 v1::RouteBatchResponse* resp, IntakeBuffers* cases) {
  IntakeBuffers& b = *cases;
  b.Clear();
  if (grpc::Status s = CheckDeadline(deadline); !s.ok()) return s;
  if (req.events_size() > options_.max_batch) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        absl::StrCat("events: ", req.events_size(),
                                     " events in one call; the maximum is ", options_.max_batch,
                                     " (split the batch)"));
  }
  if (absl::Status st = CheckView(req.view(), "view"); !st.ok()) return ToGrpcStatus(st);
  const bool codes = req.view() == v1::DECISION_VIEW_CODES;
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
      ViewToProto(*served->snapshot, d, codes, out);
      if (options_.cases != nullptr && d.outcome == Outcome::kRouted) {
        ReportFromDecision(*served->snapshot, e, d, ReportSource::kHotline, {},
                           b.Add(resp->results_size() - 1));
      }
    } else {
      out->mutable_error()->set_code(static_cast<int32_t>(st.code()));
      out->mutable_error()->set_message(std::string(st.message()));
    }
  }
  SnapshotRefToProto(*served, resp->mutable_snapshot());
  if (b.n > 0) b.pinned = std::move(served);
  return grpc::Status::OK;
}

grpc::Status GridrouteService::RouteDetections(absl::Time deadline, const v1::DetectionBatch& req,
                                               v1::DecisionBatch* resp) {
  thread_local IntakeBuffers b;
  grpc::Status s = RouteDetectionsUnfiled(deadline, req, resp, &b);
  if (s.ok()) s = FileCases(options_.cases, &b, resp->mutable_results(), "camera_id");
  b.pinned.reset();
  return s;
}

grpc::Status GridrouteService::RouteDetectionsUnfiled(absl::Time deadline,
                                                      const v1::DetectionBatch& req,
                                                      v1::DecisionBatch* resp,
                                                      IntakeBuffers* cases) {
  IntakeBuffers& b = *cases;
  b.Clear();
  if (grpc::Status s = CheckDeadline(deadline); !s.ok()) return s;
  if (req.detections_size() > options_.max_batch) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        absl::StrCat("detections: ", req.detections_size(),
                                     " detections in one batch; the maximum is ",
                                     options_.max_batch, " (send smaller batches)"));
  }
  if (absl::Status st = CheckView(req.view(), "view"); !st.ok()) return ToGrpcStatus(st);
  const bool codes = req.view() == v1::DECISION_VIEW_CODES;
  std::shared_ptr<const ServedSnapshot> served;
  if (grpc::Status s = Pin(&served); !s.ok()) return s;
  // The whole batch is routed at once (Router::RouteBatch: the index and
  // the grids' records overlap their cache misses), then answered.
  thread_local DetectionBuffers buf;
  const int n = req.detections_size();
  buf.Resize(n);
  RouteOptions o;
  for (int i = 0; i < n; ++i) {
    buf.status[i] = EventFromProto(req.detections(i), req.snap_m(), &buf.events[i], &o);
  }
  if (n > 0) {
    o.snap_m = req.snap_m();
    served->router.RouteBatch(absl::MakeConstSpan(buf.events.data(), n), o,
                              absl::MakeSpan(buf.status.data(), n),
                              absl::MakeSpan(buf.decisions.data(), n), &buf.scratch);
  }
  for (int i = 0; i < std::min(n, kPrefetchAhead); ++i) {
    PrefetchViewStrings(*served->snapshot, buf.decisions[i], buf.status[i]);
  }
  resp->mutable_results()->Reserve(n);
  for (int i = 0; i < n; ++i) {
    const v1::Detection& det = req.detections(i);
    const absl::Status& st = buf.status[i];
    const Decision& d = buf.decisions[i];
    if (i + kPrefetchAhead < n) {
      PrefetchViewStrings(*served->snapshot, buf.decisions[i + kPrefetchAhead],
                          buf.status[i + kPrefetchAhead]);
    }
    v1::DetectionResult* out = resp->add_results();
    out->set_correlation_id(det.correlation_id());
    out->set_camera_id(det.camera_id());
    if (st.ok()) {
      ViewToProto(*served->snapshot, d, codes, out);
      if (options_.cases != nullptr && d.outcome == Outcome::kRouted) {
        ReportFromDecision(*served->snapshot, buf.events[i], d, ReportSource::kVideo,
                           det.camera_id(), b.Add(i));
      }
    } else {
      out->mutable_error()->set_code(static_cast<int32_t>(st.code()));
      out->mutable_error()->set_message(std::string(st.message()));
    }
  }
  SnapshotRefToProto(*served, resp->mutable_snapshot());
  if (b.n > 0) b.pinned = std::move(served);
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

grpc::Status GridrouteService::Directory(absl::Time deadline, const v1::DirectoryRequest& req,
                                         v1::DirectoryResponse* resp, bool include_personal) {
  if (grpc::Status s = CheckDeadline(deadline); !s.ok()) return s;
  std::shared_ptr<const ServedSnapshot> served;
  if (grpc::Status s = Pin(&served); !s.ok()) return s;
  DirectoryCursor cursor;
  if (absl::Status st = CheckDirectoryRequest(*served, req, &cursor); !st.ok()) {
    return ToGrpcStatus(st);
  }
  DirectoryPageToProto(*served, cursor, include_personal, resp);
  return grpc::Status::OK;
}

grpc::Status GridrouteService::Reload(const v1::ReloadRequest& req, v1::ReloadResponse* resp) {
  absl::StatusOr<ReloadResult> r = store_->Load(req.pack_dir());
  if (!r.ok()) return ToGrpcStatus(r.status());
  if (options_.cases != nullptr) {
    absl::Status st = options_.cases->Reload(*r->current->snapshot, r->current->pack_dir);
    if (!st.ok()) {
      resp->add_warnings(absl::StrCat("folding rules not reloaded, the previous ones stay: ",
                                      st.message()));
    }
  }
  SnapshotRefToProto(*r->current, resp->mutable_snapshot());
  if (r->previous != nullptr) SnapshotRefToProto(*r->previous, resp->mutable_previous());
  resp->set_load_seconds(r->current->load_seconds);
  for (const std::string& w : r->current->snapshot->warnings()) resp->add_warnings(w);
  return grpc::Status::OK;
}

// ---------------------------------------------------------------------------
// CaseService handlers.

grpc::Status GridrouteService::CasesOn() const {
  if (options_.cases != nullptr) return grpc::Status::OK;
  return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                      "cases are off: start gridroute-server with --journal-dir DIR");
}

grpc::Status GridrouteService::GetCase(const v1::GetCaseRequest& req, v1::Case* resp) {
  if (grpc::Status s = CasesOn(); !s.ok()) return s;
  if (req.case_id().empty()) return ToGrpcStatus(absl::InvalidArgumentError("case_id: required"));
  CaseView c;
  if (absl::Status st = options_.cases->Get(req.case_id(), &c); !st.ok()) {
    return ToGrpcStatus(st);
  }
  const std::shared_ptr<const ServedSnapshot> served = store_->Current();
  const WorkingCalendar& cal = CalendarOf(served.get());
  CaseToProto(c, Now(), cal, resp);
  return grpc::Status::OK;
}

grpc::Status GridrouteService::UpdateCase(const v1::UpdateCaseRequest& req, v1::Case* resp) {
  if (grpc::Status s = CasesOn(); !s.ok()) return s;
  if (req.case_id().empty()) return ToGrpcStatus(absl::InvalidArgumentError("case_id: required"));
  Transition t;
  t.case_id = req.case_id();
  if (absl::Status st = CaseStateFromProto(req.state(), "state", &t.to); !st.ok()) {
    return ToGrpcStatus(st);
  }
  t.actor = req.actor();
  if (req.has_at()) {
    if (absl::Status st = TimeFromProto(req.at(), "at", &t.at); !st.ok()) return ToGrpcStatus(st);
  } else {
    t.at = Now();
  }
  t.note = req.note();
  t.lead = req.lead();
  CaseView c;
  if (absl::Status st = options_.cases->Update(t, &c); !st.ok()) return ToGrpcStatus(st);
  const std::shared_ptr<const ServedSnapshot> served = store_->Current();
  const WorkingCalendar& cal = CalendarOf(served.get());
  CaseToProto(c, Now(), cal, resp);
  return grpc::Status::OK;
}

grpc::Status GridrouteService::ListCases(const v1::ListCasesRequest& req,
                                         v1::ListCasesResponse* resp) {
  if (grpc::Status s = CasesOn(); !s.ok()) return s;
  ListQuery q;
  q.department = req.department();
  q.grid = req.grid();
  q.region = req.region();
  if (req.state() != v1::CASE_STATE_UNSPECIFIED) {
    CaseState st;
    if (absl::Status e = CaseStateFromProto(req.state(), "state", &st); !e.ok()) {
      return ToGrpcStatus(e);
    }
    q.state = st;
  }
  if (req.page_size() < 0 || req.page_size() > kMaxPageSize) {
    return ToGrpcStatus(absl::InvalidArgumentError(absl::StrCat(
        "page_size: must be in 0..", kMaxPageSize, " (0: 100), got ", req.page_size())));
  }
  q.page_size = req.page_size();
  q.page_token = req.page_token();
  ListResult page;
  if (absl::Status st = options_.cases->List(q, &page); !st.ok()) return ToGrpcStatus(st);
  const std::shared_ptr<const ServedSnapshot> served = store_->Current();
  const WorkingCalendar& cal = CalendarOf(served.get());
  const absl::Time now = Now();
  for (const CaseView& c : page.cases) CaseToProto(c, now, cal, resp->add_cases());
  resp->set_next_page_token(page.next_page_token);
  return grpc::Status::OK;
}

grpc::Status GridrouteService::CaseStats(const v1::CaseStatsRequest& req,
                                         v1::CaseStatsResponse* resp) {
  if (grpc::Status s = CasesOn(); !s.ok()) return s;
  std::shared_ptr<const ServedSnapshot> served;
  if (grpc::Status s = Pin(&served); !s.ok()) return s;
  const Snapshot& snap = *served->snapshot;
  StatsQuery q;
  const std::string& g = req.group_by();
  if (g.empty() || g == "department") {
    q.group_by = StatsGroup::kDepartment;
  } else if (g == "grid") {
    q.group_by = StatsGroup::kGrid;
  } else if (g == "all") {
    q.group_by = StatsGroup::kAll;
  } else {
    const auto& levels = snap.hierarchy().levels();
    auto it = std::find(levels.begin(), levels.end(), g);
    if (it == levels.end()) {
      return ToGrpcStatus(absl::InvalidArgumentError(absl::StrCat(
          "group_by: '", g, "' is not department, grid, all or a level of the pack (",
          absl::StrJoin(levels, ", "), ")")));
    }
    q.group_by = StatsGroup::kLevel;
    q.level = static_cast<int32_t>(it - levels.begin());
  }
  if (req.has_from()) {
    if (absl::Status st = TimeFromProto(req.from(), "from", &q.from); !st.ok()) return ToGrpcStatus(st);
  }
  if (req.has_to()) {
    if (absl::Status st = TimeFromProto(req.to(), "to", &q.to); !st.ok()) return ToGrpcStatus(st);
  }
  if (req.has_as_of()) {
    if (absl::Status st = TimeFromProto(req.as_of(), "as_of", &q.as_of); !st.ok()) {
      return ToGrpcStatus(st);
    }
  } else {
    q.as_of = Now();
  }
  StatsResult r;
  if (absl::Status st = options_.cases->Stats(q, snap.calendar(), &r); !st.ok()) {
    return ToGrpcStatus(st);
  }
  auto row = [](const StatsRow& in, v1::CaseStatsRow* out) {
    out->set_key(in.key);
    out->set_reported(in.reported);
    out->set_filed(in.filed);
    out->set_closed(in.closed);
    out->set_on_time_closed(in.on_time_closed);
    out->set_due(in.due);
    out->set_overdue_open(in.overdue_open);
    out->set_closure_rate(in.closure_rate);
    out->set_on_time_rate(in.on_time_rate);
    out->set_median_handling_hours(in.median_handling_hours);
  };
  for (const StatsRow& in : r.rows) row(in, resp->add_rows());
  row(r.total, resp->mutable_total());
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
  builder.RegisterService(service->cases());
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

// Copyright 2026 gridroute authors.
#include "service/grpc_service.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/echo.h"
#include "common/field_error.h"
#include "common/log.h"
#include "google/protobuf/arena.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/support/message_allocator.h"
#include "grpcpp/health_check_service_interface.h"
#include "common/report_checks.h"
#include "feed/feed_event.h"
#include "service/codes_wire.h"
#include "service/full_wire.h"
#include "service/convert.h"
#include "service/directory.h"
#include "service/connection_guard.h"
#include "service/field_limits.h"
#include "service/pack_reload.h"
#include "service/reflection_v1.h"
#include "service/route_wire.h"
#include "service/serving_health.h"

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

// Per-thread buffers of one batch's routing, RouteBatch's events or a
// detection batch (no allocation once warm: events and decisions keep their
// strings' and vectors' capacity).
struct BatchBuffers {
  std::vector<Event> events;
  std::vector<RouteOptions> options;  // item i's own (RouteRequest: snap_m, radius)
  std::vector<absl::Status> status;
  std::vector<Decision> decisions;
  Router::BatchScratch scratch;

  void Resize(int n) {
    const size_t m = static_cast<size_t>(n);
    if (events.size() < m) {
      events.resize(m);
      options.resize(m);
      decisions.resize(m);
    }
    status.assign(m, absl::OkStatus());
  }
};

// One RouteStream batch between routing and its answer (written as wire
// bytes in either view): the routed decisions, the reports being filed and
// the snapshot they point into (pinned until the answer is written).
struct WireBatch {
  BatchBuffers routed;
  IntakeBuffers cases;
  bool codes = true;      // the CODES view; false: FULL
  bool personal = false;  // FULL: with names, phones and owners
  std::vector<int> case_of;  // detection i -> cases slot, -1 if none
  std::shared_ptr<const ServedSnapshot> served;
};

// Options for an arena whose first block is `block` (`size` bytes, part of
// the arena's holder: a reset arena allocates nothing until it outgrows
// it). `max_block_size` 0: protobuf's default for the blocks after it.
google::protobuf::ArenaOptions InlineBlockArena(char* block, size_t size,
                                                size_t max_block_size = 0) {
  google::protobuf::ArenaOptions o;
  o.initial_block = block;
  o.initial_block_size = size;
  if (max_block_size > 0) o.max_block_size = max_block_size;
  return o;
}

// One RouteStream batch's working set, from its read to its answer: the
// parsed batch, its routing, its reports and the answer being built. A
// stream borrows one from the StreamWorkPool per batch and gives it back
// before writing the answer, so working sets are bounded by the batches
// being routed or filed at once, not by the number of streams.
struct StreamWork {
  StreamWork() : arena(InlineBlockArena(block, kInlineBytes, /*max_block_size=*/4 << 20)) {}

  // Back to a clean state for the next batch (of any stream): pins
  // released; the vectors and strings keep their capacity (no allocation
  // once warm).
  void Reset() { wire.served.reset(); }
  // An empty batch message to parse the next batch into, on the arena: the
  // last batch's detections, points, times and strings go at once. A reused
  // heap message would instead delete and re-allocate each detection's point
  // and time on every parse (protobuf's Clear() of a sub-message field off
  // an arena): 4 malloc/free calls a detection, ~5% of a stream's CPU.
  v1::DetectionBatch& Fresh() {
    in = nullptr;
    arena.Reset();  // keeps `block`, frees the rest
    in = google::protobuf::Arena::CreateMessage<v1::DetectionBatch>(&arena);
    return *in;
  }
  // True once its last batch needed more than the inline block: then it
  // holds a large arena (until its next batch), and the pool keeps few such.
  bool big() const { return arena.SpaceAllocated() > kInlineBytes; }

  // A detection parses into ~0.4 KiB of arena (message, point, time, short
  // strings and their cleanup entries): a batch of ~1,000 fits inline.
  static constexpr size_t kInlineBytes = 512 << 10;

  alignas(16) char block[kInlineBytes];  // before arena: outlives it
  google::protobuf::Arena arena;
  v1::DetectionBatch* in = nullptr;  // on the arena, from Fresh()
  WireBatch wire;                    // the routed batch and its reports
  std::string wire_bytes;            // the answer, reused
};

// The idle working sets. Take/Give cost one uncontended lock per batch.
// Keeps at most kMaxIdle (of which at most kMaxIdleBig big ones); the rest
// are freed, so what the pool retains is bounded whatever the number of
// streams.
class StreamWorkPool {
 public:
  static constexpr size_t kMaxIdle = 16;
  static constexpr size_t kMaxIdleBig = 2;

  StreamWork* Take() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        StreamWork* w = idle_.back().release();
        idle_.pop_back();
        big_ -= w->big();
        return w;
      }
    }
    live_.fetch_add(1, std::memory_order_relaxed);
    return new StreamWork();
  }
  void Give(StreamWork* w) {
    if (w == nullptr) return;
    w->Reset();
    const bool big = w->big();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (idle_.size() < kMaxIdle && (!big || big_ < kMaxIdleBig)) {
        idle_.emplace_back(w);
        big_ += big;
        return;
      }
    }
    live_.fetch_sub(1, std::memory_order_relaxed);
    delete w;
  }
  // Working sets that exist (busy + idle), and the idle ones.
  int64_t live() const { return live_.load(std::memory_order_relaxed); }
  int64_t idle() const {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<int64_t>(idle_.size());
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<StreamWork>> idle_;  // guarded by mu_
  size_t big_ = 0;                                 // guarded by mu_
  std::atomic<int64_t> live_{0};
};

namespace {

// Adds a decision's outcome to the local tallies [routed, outside].
inline void Tally(const Decision& d, uint64_t* tally) {
  ++tally[d.outcome == Outcome::kRouted ? 0 : 1];
}
void AddTally(CallMetrics& m, const uint64_t* tally, uint64_t errors) {
  m.AddItems(ItemOutcome::kRouted, tally[0]);
  m.AddItems(ItemOutcome::kOutsideCoverage, tally[1]);
  m.AddItems(ItemOutcome::kError, errors);
}

// The idempotency keys' scope: the caller's principal ("" with auth off).
absl::string_view KeyScope(const Principal* who) {
  return who != nullptr ? absl::string_view(who->name) : absl::string_view();
}

absl::Time DeadlineOf(const grpc::CallbackServerContext* ctx) {
  const auto d = ctx->deadline();
  if (d == std::chrono::system_clock::time_point::max()) return absl::InfiniteFuture();
  return absl::FromChrono(d);
}


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
      if (r < 0) continue;
      // The code's characters sit inside the Region (short-string buffer),
      // which may straddle two cache lines.
      const std::string& code = s.hierarchy().region(r).code;
      __builtin_prefetch(&code);
      __builtin_prefetch(reinterpret_cast<const char*>(&code) + sizeof(std::string) - 1);
    }
    for (const TeamAssignment& t : d.team) s.teams().PrefetchPersonId(t.person);
    if (d.component >= 0) s.components().PrefetchCode(d.component);
  }
}

// The console's feed (feed/event_feed.h): only a relaxed load unless a
// console watches.
void OfferAll(EventFeed* feed, const BatchBuffers& buf, int n) {
  if (feed == nullptr || !feed->active()) return;
  for (int i = 0; i < n; ++i) {
    if (buf.status[i].ok()) OfferToFeed(feed, buf.events[i], buf.decisions[i], {});
  }
}

// The calling thread's buffers for RouteBatch and a FULL detection batch
// (one set per thread: both are done with it before they return).
BatchBuffers& ThreadBatchBuffers() {
  thread_local BatchBuffers buf;
  return buf;
}

bool SameOptions(const RouteOptions& a, const RouteOptions& b) {
  return a.snap_m == b.snap_m && a.component_radius_m == b.component_radius_m;
}

// Routes buf's first n events (those whose status is still OK) with
// Router::RouteBatch: a run of items with equal options in one call (a
// detection batch is one run; RouteBatch's events usually are).
void RouteRuns(const Router& router, int n, BatchBuffers* buf) {
  for (int start = 0; start < n;) {
    const RouteOptions* run = nullptr;
    int end = start;
    for (; end < n; ++end) {
      if (!buf->status[end].ok()) continue;  // skipped by RouteBatch: any run takes it
      if (run == nullptr) {
        run = &buf->options[end];
      } else if (!SameOptions(*run, buf->options[end])) {
        break;
      }
    }
    if (run != nullptr) {
      const size_t k = static_cast<size_t>(end - start);
      router.RouteBatch(absl::MakeConstSpan(buf->events.data() + start, k), *run,
                        absl::MakeSpan(buf->status.data() + start, k),
                        absl::MakeSpan(buf->decisions.data() + start, k), &buf->scratch);
    }
    start = end;
  }
}

// The routing step RouteBatch and RouteStream (both views) share: converts
// and checks each of the n items (`to_event(i, &event, &options)` returns
// item i's validation error, which becomes its item error), routes the
// valid ones (RouteRuns; exactly Router::Route's decisions), counts the
// outcomes and offers the decisions to the console's feed.
template <typename ToEvent>
void RouteItems(const ServedSnapshot& served, int n, ToEvent to_event, BatchBuffers* buf,
                CallMetrics* metrics, EventFeed* feed) {
  buf->Resize(n);
  for (int i = 0; i < n; ++i) {
    buf->status[i] = to_event(i, &buf->events[i], &buf->options[i]);
  }
  RouteRuns(served.router, n, buf);
  for (int i = 0; i < std::min(n, kPrefetchAhead); ++i) {
    PrefetchViewStrings(*served.snapshot, buf->decisions[i], buf->status[i]);
  }
  uint64_t tally[2] = {0, 0};
  for (int i = 0; i < n; ++i) {
    if (buf->status[i].ok()) Tally(buf->decisions[i], tally);
  }
  AddTally(*metrics, tally, n - tally[0] - tally[1]);
  OfferAll(feed, *buf, n);
}

// Routes every detection of `req` into `buf`; frame times outside `window`
// are item errors.
void RouteDetectionItems(const ServedSnapshot& served, const v1::DetectionBatch& req,
                         const ReportTimeWindow& window, BatchBuffers* buf, CallMetrics* metrics,
                         EventFeed* feed) {
  auto to_event = [&](int i, Event* e, RouteOptions* o) {
    const v1::Detection& det = req.detections(i);
    absl::Status st = EventFromProto(det, req.snap_m(), e, o);
    if (st.ok()) st = CheckReportTime(e->reported_at, "frame_time", window);
    if (st.ok()) st = CheckReportId(det.correlation_id(), "correlation_id");
    return st;
  };
  RouteItems(served, req.detections_size(), to_event, buf, metrics, feed);
}

// Routes every event of `req` into `buf`; report times outside `window` are
// item errors.
void RouteEventItems(const ServedSnapshot& served, const v1::RouteBatchRequest& req,
                     const ReportTimeWindow& window, BatchBuffers* buf, CallMetrics* metrics,
                     EventFeed* feed) {
  auto to_event = [&](int i, Event* e, RouteOptions* o) {
    const v1::RouteRequest& r = req.events(i);
    // A what-if is a Route call of its own: a batch files what it routes.
    if (r.dry_run()) return absl::InvalidArgumentError("dry_run: only for Route, not in a batch");
    absl::Status st = EventFromProto(r, e, o);
    if (st.ok()) st = CheckReportTime(e->reported_at, "reported_at", window);
    if (st.ok()) st = CheckReportId(r.report_id(), "report_id");
    return st;
  };
  RouteItems(served, req.events_size(), to_event, buf, metrics, feed);
}

// DetectionResult.error (field 4): ItemError {code = 1, message = 2}.
void AppendItemError(absl::StatusCode code, absl::string_view message, std::string* nested,
                     WireWriter* w) {
  nested->clear();
  WireWriter e(nested);
  e.Int(1, static_cast<int32_t>(code));
  e.String(2, message);
  w->Bytes(4, *nested);
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
  out->set_duplicate(o.duplicate);
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
void ViewToProto(const Snapshot& s, const Decision& d, bool codes, bool personal, Out* out) {
  if (codes) {
    DecisionCodesToProto(s, d, out->mutable_codes());
  } else {
    DecisionToProto(s, d, out->mutable_decision(), personal);
  }
}

// Where a routed report comes from, for its case (ReportFromDecision).
struct ReportOrigin {
  ReportSource source;
  absl::string_view source_id;  // detections: camera_id; RouteBatch: none
  absl::string_view key;        // the idempotency key: report_id or correlation_id
};

// Queues item i's routed decision as a report for the case desk; its case
// goes to result `result` of the answer.
void CollectReport(const Snapshot& s, const BatchBuffers& buf, int i, const ReportOrigin& from,
                   absl::string_view key_scope, int result, IntakeBuffers* cases) {
  ReportFromDecision(s, buf.events[i], buf.decisions[i], from.source, from.source_id,
                     cases->Add(result), from.key, key_scope);
}

// The answer step RouteBatch and RouteStream's FULL view share (CODES on a
// stream is written as wire bytes instead, EncodeDetectionsWire): appends
// one result per item of `buf` to `results`, its decision in the requested
// view or its error. `ids(i, result)` fills item i's own fields of its
// result (correlation_id, camera_id) and returns where its report comes
// from. With `cases` (cases on), every routed decision (not outside
// coverage) is queued there as a report.
template <typename Result, typename Ids>
void AppendResults(const ServedSnapshot& served, const BatchBuffers& buf, int n, bool codes,
                   bool personal, absl::string_view key_scope, Ids ids,
                   google::protobuf::RepeatedPtrField<Result>* results, IntakeBuffers* cases) {
  const Snapshot& snap = *served.snapshot;
  results->Reserve(results->size() + n);
  for (int i = 0; i < n; ++i) {
    if (i + kPrefetchAhead < n) {
      PrefetchViewStrings(snap, buf.decisions[i + kPrefetchAhead], buf.status[i + kPrefetchAhead]);
    }
    Result* out = results->Add();
    const ReportOrigin from = ids(i, out);
    const absl::Status& st = buf.status[i];
    if (!st.ok()) {
      out->mutable_error()->set_code(static_cast<int32_t>(st.code()));
      out->mutable_error()->set_message(std::string(st.message()));
      continue;
    }
    const Decision& d = buf.decisions[i];
    ViewToProto(snap, d, codes, personal, out);
    if (cases != nullptr && d.outcome == Outcome::kRouted) {
      CollectReport(snap, buf, i, from, key_scope, results->size() - 1, cases);
    }
  }
}

// The item error of a report the case engine refused: "case: " and its
// message, where an error about the report's source id (a FieldError,
// common/field_error.h) names `source_field`, the request field that
// became it.
std::string CaseErrorMessage(const absl::Status& s, absl::string_view source_field) {
  return absl::StrCat("case: ", RenameErrorField(s, "source_id", source_field).message());
}

bool Personal(const Principal* who) { return who == nullptr || who->Has(kRolePersonal); }

// UpdateCaseRequest's strings, bounded (field_limits.h).
absl::Status CheckUpdateLengths(const v1::UpdateCaseRequest& req) {
  absl::Status s = CheckLength(req.case_id(), kMaxCodeBytes, "case_id");
  if (s.ok()) s = CheckLength(req.actor(), kMaxIdBytes, "actor");
  if (s.ok()) s = CheckLength(req.note(), kMaxNoteBytes, "note");
  if (s.ok()) s = CheckLength(req.lead(), kMaxCodeBytes, "lead");
  return s;
}

// The methods (service/methods.h: names and roles, shared with HTTP).
constexpr const char* kLocate = kMethods[kMethodLocate].path;
constexpr const char* kRoute = kMethods[kMethodRoute].path;
constexpr const char* kRouteBatch = kMethods[kMethodRouteBatch].path;
constexpr const char* kRouteStream = kMethods[kMethodRouteStream].path;
constexpr const char* kInfo = kMethods[kMethodInfo].path;
constexpr const char* kDirectory = kMethods[kMethodDirectory].path;
constexpr const char* kReload = kMethods[kMethodReload].path;
constexpr const char* kGetCase = kMethods[kMethodGetCase].path;
constexpr const char* kUpdateCase = kMethods[kMethodUpdateCase].path;
constexpr const char* kListCases = kMethods[kMethodListCases].path;
constexpr const char* kCaseStats = kMethods[kMethodCaseStats].path;

// Every status the gRPC layer sends, cut to kMaxStatusMessageBytes: a
// grpc-message travels in a header, and a client that cannot take a large
// one never sees the status at all.
grpc::Status CapStatus(const grpc::Status& s) {
  if (s.error_message().size() <= kMaxStatusMessageBytes) return s;
  return grpc::Status(s.error_code(), CapMessage(s.error_message(), kMaxStatusMessageBytes),
                      s.error_details());
}

// A gRPC call's start, for its gridroute_calls_total and latency.
struct CallTimer {
  CallMetrics* metrics;
  int method;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

  void Record(const grpc::Status& s) const {
    const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::steady_clock::now() - start)
                           .count();
    metrics->Record(Transport::kGrpc, method, static_cast<int>(s.error_code()), ns);
  }
};

// Times one hand-over of reports to the case desk until they are durable
// (gridroute_case_intake_seconds).
struct IntakeTimer {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  void Record(CallMetrics* m) const {
    m->ObserveIntake(std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::steady_clock::now() - start)
                         .count());
  }
};

// Finishes a unary call with its status, capped, and counts it.
void Done(grpc::ServerUnaryReactor* r, const grpc::Status& s, const CallTimer& t) {
  t.Record(s);
  r->Finish(CapStatus(s));
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
      r->mutable_error()->set_message(CaseErrorMessage(o.status, source_field));
    }
  }
}

template <typename Result>
absl::Status FileCases(CaseDesk* desk, absl::Time deadline, IntakeBuffers* b,
                       google::protobuf::RepeatedPtrField<Result>* results, CallMetrics* metrics,
                       absl::string_view source_field = "source_id") {
  if (desk == nullptr || b->n == 0) return absl::OkStatus();
  const IntakeTimer timer;
  absl::Status st = desk->Intake(absl::MakeConstSpan(b->slots.data(), b->n), &b->out, deadline);
  timer.Record(metrics);
  if (!st.ok()) return st;
  PutCaseRefs(*b, b->out, results, source_field);
  return absl::OkStatus();
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
    Holder() : arena_(InlineBlockArena(block_, kInlineBytes)) {
      this->set_request(google::protobuf::Arena::CreateMessage<Req>(&arena_));
      this->set_response(google::protobuf::Arena::CreateMessage<Resp>(&arena_));
    }
    void Release() override { delete this; }

   private:
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

// Route and RouteStream are registered raw (bytes in, bytes out) so that
// their answers are written straight into wire bytes (route_wire.h,
// codes_wire.h, full_wire.h); the other methods are typed.
using RoutingBase = v1::RoutingService::WithCallbackMethod_Locate<
    v1::RoutingService::WithRawCallbackMethod_Route<
        v1::RoutingService::WithCallbackMethod_RouteBatch<
            v1::RoutingService::WithRawCallbackMethod_RouteStream<v1::RoutingService::Service>>>>;

class GridrouteService::RoutingImpl final : public RoutingBase {
 public:
  explicit RoutingImpl(GridrouteService* svc) : svc_(svc) {
    SetMessageAllocatorFor_Locate(&locate_alloc_);
    SetMessageAllocatorFor_RouteBatch(&batch_alloc_);
  }

  grpc::ServerUnaryReactor* Locate(grpc::CallbackServerContext* ctx, const v1::LocateRequest* req,
                                   v1::LocateResponse* resp) override {
    grpc::ServerUnaryReactor* r = ctx->DefaultReactor();
    const CallTimer t{&svc_->metrics_, kMethodLocate};
    CallAuth a;
    grpc::Status st = svc_->Authorize(ctx, kLocate, kMethods[kMethodLocate].roles, &a);
    Done(r, st.ok() ? svc_->Locate(DeadlineOf(ctx), *req, resp) : st, t);
    return r;
  }
  grpc::ServerUnaryReactor* Route(grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* req,
                                  grpc::ByteBuffer* resp) override {
    grpc::ServerUnaryReactor* r = ctx->DefaultReactor();
    const CallTimer t{&svc_->metrics_, kMethodRoute};
    CallAuth a;
    grpc::Status st = svc_->Authorize(ctx, kRoute, kMethods[kMethodRoute].roles, &a);
    if (st.ok()) st = RouteRaw(DeadlineOf(ctx), *req, resp, a.who);
    Done(r, st, t);
    return r;
  }
  grpc::ServerUnaryReactor* RouteBatch(grpc::CallbackServerContext* ctx,
                                       const v1::RouteBatchRequest* req,
                                       v1::RouteBatchResponse* resp) override {
    grpc::ServerUnaryReactor* r = ctx->DefaultReactor();
    const CallTimer t{&svc_->metrics_, kMethodRouteBatch};
    CallAuth a;
    grpc::Status gate = svc_->Authorize(ctx, kRouteBatch, kMethods[kMethodRouteBatch].roles, &a);
    if (!gate.ok()) {
      Done(r, gate, t);
      return r;
    }
    CaseDesk* desk = svc_->options_.cases;
    if (desk == nullptr || resp->GetArena() == nullptr) {
      Done(r, svc_->RouteBatch(DeadlineOf(ctx), *req, resp, a.who), t);
      return r;
    }
    // With cases: the answer is finished from the desk's commit thread once
    // the batch is durable; this gRPC thread does not wait for the sync.
    // The reports live on the call's arena (freed with the messages).
    IntakeBuffers* b = google::protobuf::Arena::Create<IntakeBuffers>(resp->GetArena());
    const absl::Time deadline = DeadlineOf(ctx);
    grpc::Status s = svc_->RouteBatchUnfiled(deadline, *req, resp, b, a.who);
    if (!s.ok() || b->n == 0) {
      Done(r, s, t);
      return r;
    }
    // The slots (and the request their keys point into) live until Finish.
    GridrouteService* svc = svc_;
    desk->IntakeAsync(
        absl::MakeConstSpan(b->slots.data(), b->n),
        // `table` pins the principal the keys are scoped by (a batch may be
        // decided again on the commit thread).
        [svc, r, b, resp, t, timer = IntakeTimer(), table = a.table](
            const absl::Status& st, const std::vector<CaseOutcome>& outcomes) {
          timer.Record(&svc->metrics_);
          b->pinned.reset();
          if (!st.ok()) {
            Done(r, svc->IntakeStatus(st), t);
            return;
          }
          PutCaseRefs(*b, outcomes, resp->mutable_results(), "source_id");
          Done(r, grpc::Status::OK, t);
        },
        deadline);
    return r;
  }
  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* RouteStream(
      grpc::CallbackServerContext* ctx) override {
    CallAuth a;
    grpc::Status st = svc_->Authorize(ctx, kRouteStream, kMethods[kMethodRouteStream].roles, &a);
    return new StreamReactor(svc_, &stream_pool_, ctx, std::move(a), std::move(st));
  }

 private:
  // One batch in flight: read a batch, route it, write its decisions, and
  // only when that write has completed read the next one. A client that
  // stops reading stops the server reading from it (HTTP/2 flow control,
  // with a bounded per-stream window, then pushes back on its writes).
  // While a batch is routed and filed the stream borrows a working set from
  // the pool (StreamWork); from the write on it holds only the answer's
  // bytes, so a stream whose client never reads costs one answer (plus
  // gRPC's window), and a cancelled one gives that back in OnDone. Deletes
  // itself in OnDone.
  class StreamReactor final : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
   public:
    // A refused call (`gate` not OK) is finished at once.
    StreamReactor(GridrouteService* svc, StreamWorkPool* pool, grpc::CallbackServerContext* ctx,
                  CallAuth auth, grpc::Status gate)
        : svc_(svc), pool_(pool), ctx_(ctx), auth_(std::move(auth)),
          timer_{&svc->metrics_, kMethodRouteStream} {
      svc_->streams_open_.fetch_add(1, std::memory_order_relaxed);
      watch_ = svc_->stream_watchdog_.Add([ctx] { ctx->TryCancel(); });
      if (!gate.ok()) {
        End(gate);
        return;
      }
      StartRead(&in_bytes_);
    }
    void OnReadDone(bool ok) override {
      if (!ok) {  // the client half-closed (or went away): we are done
        End(grpc::Status::OK);
        return;
      }
      if (grpc::Status s = svc_->CheckPendingAnswers(); !s.ok()) {
        in_bytes_.Clear();
        End(s);
        return;
      }
      work_ = pool_->Take();
      StreamWork& w = *work_;
      grpc::Status s = grpc::SerializationTraits<v1::DetectionBatch>::Deserialize(&in_bytes_, &w.Fresh());
      in_bytes_.Clear();
      if (!s.ok()) {
        Drop();
        End(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                         "detections: the message does not parse as a DetectionBatch"));
        return;
      }
      // Both views are written as wire bytes straight from the snapshot
      // (codes_wire.h, full_wire.h): no answer messages are built.
      s = svc_->RouteDetectionsWireUnfiled(DeadlineOf(ctx_), *w.in, &w.wire, auth_.who);
      if (!s.ok()) {
        Drop();
        End(s);
        return;
      }
      IntakeBuffers& cases = w.wire.cases;
      CaseDesk* desk = svc_->options_.cases;
      if (desk == nullptr || cases.n == 0) {
        Answer(nullptr);
        return;
      }
      // The answer leaves once the batch's cases are durable: written from
      // the desk's commit thread, so this gRPC thread never waits for a sync
      // and serves other streams meanwhile.
      // The slots point into the snapshot (pinned) and into the working
      // set's batch, which stays with this stream until the answer is
      // written.
      desk->IntakeAsync(
          absl::MakeConstSpan(cases.slots.data(), cases.n),
          [this, timer = IntakeTimer()](const absl::Status& st,
                                        const std::vector<CaseOutcome>& outcomes) {
            timer.Record(&svc_->metrics_);
            if (!st.ok()) {
              Drop();
              End(svc_->IntakeStatus(st));
              return;
            }
            Answer(&outcomes);
          },
          DeadlineOf(ctx_));
      // The reactor may be writing (or reading the next batch) already:
      // touch nothing after IntakeAsync.
    }
    void OnWriteDone(bool ok) override {
      if (watch_ != nullptr) watch_->WriteDone();
      Unhold(/*delivered=*/ok);
      if (!ok && watch_ != nullptr && watch_->stalled()) {
        End(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                         absl::StrCat("stream: the client took no answer for ",
                                      absl::FormatDuration(svc_->stream_watchdog_.timeout()),
                                      " (--stream-write-timeout-s); cancelled")));
        return;
      }
      if (!ok) {
        End(grpc::Status(grpc::StatusCode::CANCELLED, "stream: the client went away"));
        return;
      }
      StartRead(&in_bytes_);
    }
    void OnDone() override {
      if (watch_ != nullptr) watch_->Close();  // the context dies with the call
      if (work_ != nullptr) Drop();
      Unhold(/*delivered=*/false);
      svc_->streams_open_.fetch_sub(1, std::memory_order_relaxed);
      delete this;
    }

   private:
    // Writes the batch's answer (with its cases' outcomes, null when none
    // were filed) as wire bytes straight from the snapshot, in the view
    // asked for (codes_wire.h, full_wire.h). The working set goes back to
    // the pool before the write.
    void Answer(const std::vector<CaseOutcome>* outcomes) {
      StreamWork& w = *work_;
      GridrouteService::EncodeDetectionsWire(*w.in, w.wire, outcomes, &w.wire_bytes);
      grpc::Slice slice(w.wire_bytes.data(), w.wire_bytes.size());
      out_bytes_ = grpc::ByteBuffer(&slice, 1);
      Drop();
      svc_->metrics_.AddStreamBatch();
      held_ = static_cast<int64_t>(out_bytes_.Length());
      svc_->answers_waiting_.fetch_add(1, std::memory_order_relaxed);
      svc_->answer_bytes_.fetch_add(held_, std::memory_order_relaxed);
      if (watch_ != nullptr) watch_->WriteStarted();
      StartWrite(&out_bytes_);
    }
    // The working set goes back to the pool (its snapshot pins released).
    void Drop() { pool_->Give(std::exchange(work_, nullptr)); }
    // The answer written has left (or never will): its bytes are released.
    void Unhold(bool delivered) {
      out_bytes_.Clear();
      if (held_ == 0) return;
      svc_->answers_waiting_.fetch_sub(1, std::memory_order_relaxed);
      svc_->answer_bytes_.fetch_sub(held_, std::memory_order_relaxed);
      if (!delivered) svc_->NoteAbandonedAnswer(held_);
      held_ = 0;
    }
    void End(const grpc::Status& s) {
      timer_.Record(s);
      Finish(CapStatus(s));
    }

    GridrouteService* const svc_;
    StreamWorkPool* const pool_;
    grpc::CallbackServerContext* const ctx_;
    const CallAuth auth_;  // pins the caller for the stream's life
    const CallTimer timer_;  // the stream's start (counted once, at its end)
    grpc::ByteBuffer in_bytes_, out_bytes_;
    StreamWork* work_ = nullptr;  // the batch being routed or filed, else null
    int64_t held_ = 0;            // bytes of the answer being written
    std::shared_ptr<StreamWatchdog::Watch> watch_;  // null: no write timeout
  };

  // Unary Route on bytes: the request parsed into this thread's arena
  // (reset per call: no allocation in the steady state), the answer written
  // as wire bytes (route_wire.h) and copied once into the response.
  grpc::Status RouteRaw(absl::Time deadline, const grpc::ByteBuffer& in, grpc::ByteBuffer* out,
                        const Principal* who) {
    thread_local UnaryRouteWork w;
    v1::RouteRequest* req = w.Fresh();
    grpc::Slice slice;
    if ((!in.TrySingleSlice(&slice).ok() && !in.DumpToSingleSlice(&slice).ok()) ||
        !req->ParseFromArray(slice.begin(), static_cast<int>(slice.size()))) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "request: the message does not parse as a RouteRequest");
    }
    grpc::Status st = svc_->RouteWire(deadline, *req, &w.bytes, who);
    if (!st.ok()) return st;
    grpc::Slice answer(w.bytes.data(), w.bytes.size());
    *out = grpc::ByteBuffer(&answer, 1);
    return grpc::Status::OK;
  }
  // A thread's unary Route request arena and answer bytes.
  struct UnaryRouteWork {
    static constexpr size_t kInlineBytes = 2048;
    UnaryRouteWork() : arena(InlineBlockArena(block, kInlineBytes)) {}
    v1::RouteRequest* Fresh() {
      arena.Reset();
      return google::protobuf::Arena::CreateMessage<v1::RouteRequest>(&arena);
    }
    alignas(16) char block[kInlineBytes];  // before arena: outlives it
    google::protobuf::Arena arena;
    std::string bytes;
  };

  GridrouteService* const svc_;
  ArenaMessageAllocator<v1::LocateRequest, v1::LocateResponse> locate_alloc_;
  ArenaMessageAllocator<v1::RouteBatchRequest, v1::RouteBatchResponse> batch_alloc_;

 public:
  StreamWorkPool stream_pool_;
};

// ---------------------------------------------------------------------------
// AdminService.

class GridrouteService::AdminImpl final : public v1::AdminService::CallbackService {
 public:
  explicit AdminImpl(GridrouteService* svc) : svc_(svc) {}

  grpc::ServerUnaryReactor* Info(grpc::CallbackServerContext* ctx, const v1::InfoRequest*,
                                 v1::InfoResponse* resp) override {
    grpc::ServerUnaryReactor* r = ctx->DefaultReactor();
    const CallTimer t{&svc_->metrics_, kMethodInfo};
    CallAuth a;
    grpc::Status st = svc_->Authorize(ctx, kInfo, kMethods[kMethodInfo].roles, &a);
    Done(r, st.ok() ? svc_->Info(DeadlineOf(ctx), resp, a.who) : st, t);
    return r;
  }
  grpc::ServerUnaryReactor* Directory(grpc::CallbackServerContext* ctx,
                                      const v1::DirectoryRequest* req,
                                      v1::DirectoryResponse* resp) override {
    grpc::ServerUnaryReactor* r = ctx->DefaultReactor();
    const CallTimer t{&svc_->metrics_, kMethodDirectory};
    CallAuth a;
    grpc::Status st = svc_->Authorize(ctx, kDirectory, kMethods[kMethodDirectory].roles, &a);
    Done(r, st.ok() ? svc_->DirectoryFor(DeadlineOf(ctx), *req, resp, a.who) : st, t);
    return r;
  }
  // A load takes seconds on a big city: it runs on the service's worker
  // thread, never on a gRPC thread.
  grpc::ServerUnaryReactor* Reload(grpc::CallbackServerContext* ctx, const v1::ReloadRequest* req,
                                   v1::ReloadResponse* resp) override {
    grpc::ServerUnaryReactor* r = ctx->DefaultReactor();
    const CallTimer t{&svc_->metrics_, kMethodReload};
    CallAuth a;
    if (grpc::Status st = svc_->Authorize(ctx, kReload, kMethods[kMethodReload].roles, &a); !st.ok()) {
      Done(r, st, t);
      return r;
    }
    // A reload while another runs is answered at once, not queued behind it
    // on the worker (the store refuses it there too, if one starts between).
    if (absl::Status idle = svc_->store_->CheckIdle(); !idle.ok()) {
      const grpc::Status st = CapStatus(ToGrpcStatus(idle));
      svc_->Audit(ctx->peer(), a.who, kReload, Echo(req->pack_dir(), kMaxPathBytes), st);
      Done(r, st, t);
      return r;
    }
    GridrouteService* svc = svc_;
    svc_->RunDetached([svc, r, req, resp, t, a = std::move(a), peer = ctx->peer()] {
      grpc::Status st = CapStatus(svc->Reload(*req, resp));
      svc->Audit(peer, a.who, kReload, Echo(req->pack_dir(), kMaxPathBytes), st);
      Done(r, st, t);
    });
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
    const CallTimer t{&svc_->metrics_, kMethodGetCase};
    CallAuth a;
    grpc::Status st = svc_->Authorize(ctx, kGetCase, kMethods[kMethodGetCase].roles, &a);
    Done(r, st.ok() ? svc_->GetCase(*req, resp, a.who) : st, t);
    return r;
  }
  grpc::ServerUnaryReactor* Update(grpc::CallbackServerContext* ctx,
                                   const v1::UpdateCaseRequest* req, v1::Case* resp) override {
    grpc::ServerUnaryReactor* r = ctx->DefaultReactor();
    const CallTimer t{&svc_->metrics_, kMethodUpdateCase};
    CallAuth a;
    grpc::Status st = svc_->Authorize(ctx, kUpdateCase, kMethods[kMethodUpdateCase].roles, &a);
    if (!st.ok()) {
      Done(r, st, t);
      return r;
    }
    Done(r, svc_->UpdateCaseAudited(ctx->peer(), *req, resp, a.who), t);
    return r;
  }
  grpc::ServerUnaryReactor* List(grpc::CallbackServerContext* ctx,
                                 const v1::ListCasesRequest* req,
                                 v1::ListCasesResponse* resp) override {
    grpc::ServerUnaryReactor* r = ctx->DefaultReactor();
    const CallTimer t{&svc_->metrics_, kMethodListCases};
    CallAuth a;
    grpc::Status st = svc_->Authorize(ctx, kListCases, kMethods[kMethodListCases].roles, &a);
    Done(r, st.ok() ? svc_->ListCases(*req, resp, a.who) : st, t);
    return r;
  }
  grpc::ServerUnaryReactor* Stats(grpc::CallbackServerContext* ctx,
                                  const v1::CaseStatsRequest* req,
                                  v1::CaseStatsResponse* resp) override {
    grpc::ServerUnaryReactor* r = ctx->DefaultReactor();
    const CallTimer t{&svc_->metrics_, kMethodCaseStats};
    CallAuth a;
    grpc::Status st = svc_->Authorize(ctx, kCaseStats, kMethods[kMethodCaseStats].roles, &a);
    Done(r, st.ok() ? svc_->CaseStats(*req, resp, a.who) : st, t);
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
      reflection_v1_(std::make_unique<ReflectionV1>(std::vector<std::string>{
          v1::RoutingService::service_full_name(), v1::AdminService::service_full_name(),
          v1::CaseService::service_full_name(), "grpc.health.v1.Health",
          "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"})),
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
grpc::Service* GridrouteService::reflection_v1() { return reflection_v1_.get(); }

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

grpc::Status GridrouteService::IntakeStatus(const absl::Status& s) {
  if (s.code() == absl::StatusCode::kDeadlineExceeded) {
    expired_.fetch_add(1, std::memory_order_relaxed);
  }
  return ToGrpcStatus(s);
}

grpc::Status GridrouteService::CheckPendingAnswers() const {
  const int64_t held = answer_bytes_.load(std::memory_order_relaxed);
  if (held <= options_.max_pending_answer_bytes) return grpc::Status::OK;
  return grpc::Status(
      grpc::StatusCode::RESOURCE_EXHAUSTED,
      absl::StrCat("stream: ", held >> 20, " MiB of answers wait for clients that do not read them "
                   "(limit ", options_.max_pending_answer_bytes >> 20,
                   " MiB); nothing of this batch was routed or filed: retry later"));
}

void GridrouteService::NoteAbandonedAnswer(int64_t bytes) {
  // An answer its client never took was freed; malloc keeps such memory
  // resident (its many small slices sit in the heap) until trimmed. Every
  // kTrimAfterBytes of them, one trim on the worker thread (coalesced).
  constexpr int64_t kTrimAfterBytes = int64_t{32} << 20;
  if (abandoned_bytes_.fetch_add(bytes) + bytes < kTrimAfterBytes) return;
  if (trim_queued_.exchange(true)) return;
  abandoned_bytes_.store(0);
  RunDetached([this] {
    trim_queued_.store(false);
    ReleaseFreedMemory();
    trims_.fetch_add(1, std::memory_order_relaxed);
  });
}

StreamStats GridrouteService::stream_stats() const {
  StreamStats s;
  s.open = streams_open_.load(std::memory_order_relaxed);
  s.answers_waiting = answers_waiting_.load(std::memory_order_relaxed);
  s.answer_bytes = answer_bytes_.load(std::memory_order_relaxed);
  s.work_sets = routing_->stream_pool_.live();
  s.idle_work_sets = routing_->stream_pool_.idle();
  s.memory_trims = trims_.load(std::memory_order_relaxed);
  s.write_stalls = stream_watchdog_.stalls();
  return s;
}

grpc::Status GridrouteService::Authorize(grpc::CallbackServerContext* ctx,
                                         absl::string_view method, uint32_t any_of,
                                         CallAuth* out) {
  if (options_.tokens == nullptr) return grpc::Status::OK;
  CallCredentials creds;
  const auto& md = ctx->client_metadata();
  if (auto it = md.find("authorization"); it != md.end()) {
    creds.has_authorization = true;
    creds.authorization = absl::string_view(it->second.data(), it->second.size());
  } else if (std::shared_ptr<const TokenTable> t = options_.tokens->table();
             t != nullptr && t->has_cert_names()) {
    // Only when the file names certificate principals (as before the gate
    // was shared): the auth context costs an allocation.
    std::shared_ptr<const grpc::AuthContext> ac = ctx->auth_context();
    if (ac != nullptr && ac->IsPeerAuthenticated()) {
      for (const grpc::string_ref& cn : ac->FindPropertyValues("x509_common_name")) {
        creds.cert_names.emplace_back(cn.data(), cn.size());
      }
    }
  }
  return AuthorizeCall(creds, [ctx] { return ctx->peer(); }, method, any_of, out);
}

grpc::Status GridrouteService::AuthorizeCall(const CallCredentials& creds,
                                             absl::FunctionRef<std::string()> peer,
                                             absl::string_view method, uint32_t any_of,
                                             CallAuth* out) {
  if (options_.tokens == nullptr) return grpc::Status::OK;
  out->table = options_.tokens->table();
  const Principal* p = nullptr;
  if (creds.has_authorization) {
    absl::string_view v = creds.authorization;
    if (absl::ConsumePrefix(&v, "Bearer ") && out->table != nullptr) p = out->table->FindToken(v);
  } else if (out->table != nullptr && out->table->has_cert_names()) {
    for (const std::string& cn : creds.cert_names) {
      if ((p = out->table->FindCertName(cn)) != nullptr) break;
    }
  }
  if (p == nullptr) {
    grpc::Status st(grpc::StatusCode::UNAUTHENTICATED,
                    "authorization: a known 'Bearer <token>' (or client certificate) is required");
    Audit(peer(), nullptr, method, "", st);
    return st;
  }
  if ((p->roles & any_of) == 0) {
    grpc::Status st(grpc::StatusCode::PERMISSION_DENIED,
                    absl::StrCat(method.substr(method.rfind('/') + 1),
                                 (any_of & (any_of - 1)) == 0 ? " needs the role '"
                                                              : " needs one of the roles '",
                                 RoleNames(any_of), "'; principal '", Echo(p->name),
                                 "' has '", RoleNames(p->roles), "'"));
    Audit(peer(), p, method, "", st);
    return st;
  }
  out->who = p;
  return grpc::Status::OK;
}

void GridrouteService::Audit(absl::string_view peer, const Principal* who,
                             absl::string_view method, absl::string_view target,
                             const grpc::Status& outcome) {
  if (options_.audit == nullptr) return;
  const std::string o =
      outcome.ok() ? "OK" : absl::StrCat(absl::StatusCodeToString(static_cast<absl::StatusCode>(outcome.error_code())), ": ",
                                         outcome.error_message());
  options_.audit->Write({.principal = who != nullptr ? absl::string_view(who->name) : "",
                         .peer = peer,
                         .method = method,
                         .target = target,
                         .outcome = o});
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
  LocateOptions lo;
  lo.snap_m = req.snap_m();
  if (st.ok()) st = served->router.Locate(true, x, y, crs, lo, &r);
  if (!st.ok()) return ToGrpcStatus(st);
  LocationToProto(*served->snapshot, r, resp->mutable_location());
  SnapshotRefToProto(*served, resp->mutable_snapshot());
  return grpc::Status::OK;
}

// Route's work without the answer: the decision of `req` (and, cases on
// and routed, its filed case) for the answer to be written from. The
// decision and case live in thread-local buffers, valid until this thread's
// next RouteUnanswered; `out->served` pins the snapshot they point into.
grpc::Status GridrouteService::RouteUnanswered(absl::Time deadline, const v1::RouteRequest& req,
                                               const Principal* who, UnaryRouted* out) {
  if (grpc::Status s = CheckDeadline(deadline); !s.ok()) return s;
  if (grpc::Status s = Pin(&out->served); !s.ok()) return s;
  const ServedSnapshot& served = *out->served;
  thread_local Event e;  // reused: no allocation in the steady state
  thread_local Decision d;
  RouteOptions o;
  absl::Status st = CheckView(req.view(), "view");
  if (st.ok()) st = EventFromProto(req, &e, &o);
  if (st.ok()) {
    st = CheckReportTime(e.reported_at, "reported_at",
                         ReportTimeWindowAt(Now(), options_.max_future));
  }
  if (st.ok()) st = CheckReportId(req.report_id(), "report_id");
  if (st.ok()) st = served.router.Route(e, o, &d);
  if (!st.ok()) {
    metrics_.AddItems(ItemOutcome::kError, 1);
    return ToGrpcStatus(st);
  }
  metrics_.AddItems(d.outcome == Outcome::kRouted ? ItemOutcome::kRouted
                                                  : ItemOutcome::kOutsideCoverage,
                    1);
  out->decision = &d;
  out->case_ref = nullptr;
  if (req.dry_run()) {
    // A what-if (RouteRequest.dry_run): nothing filed, nothing in the feed.
  } else if (options_.cases != nullptr && d.outcome == Outcome::kRouted) {
    thread_local IntakeBuffers b;
    b.Clear();
    ReportFromDecision(*served.snapshot, e, d, ReportSource::kHotline, {}, b.Add(0),
                       req.report_id(), KeyScope(who));
    const IntakeTimer timer;
    st = options_.cases->Intake(absl::MakeConstSpan(b.slots.data(), b.n), &b.out, deadline);
    timer.Record(&metrics_);
    if (!st.ok()) return IntakeStatus(st);
    st = b.out[0].status;
    if (!st.ok()) return ToGrpcStatus(st);
    out->case_ref = &b.out[0];
    OfferToFeed(options_.feed, e, d, b.out[0].case_id);  // the console's feed
  } else {
    OfferToFeed(options_.feed, e, d, {});
  }
  return grpc::Status::OK;
}

grpc::Status GridrouteService::Route(absl::Time deadline, const v1::RouteRequest& req,
                                     v1::RouteResponse* resp, const Principal* who) {
  UnaryRouted r;
  if (grpc::Status s = RouteUnanswered(deadline, req, who, &r); !s.ok()) return s;
  ViewToProto(*r.served->snapshot, *r.decision, req.view() == v1::DECISION_VIEW_CODES,
              Personal(who), resp);
  if (r.case_ref != nullptr) CaseRefToProto(*r.case_ref, CaseRefOf(resp));
  SnapshotRefToProto(*r.served, resp->mutable_snapshot());
  return grpc::Status::OK;
}

grpc::Status GridrouteService::RouteWire(absl::Time deadline, const v1::RouteRequest& req,
                                         std::string* out, const Principal* who) {
  out->clear();
  UnaryRouted r;
  if (grpc::Status s = RouteUnanswered(deadline, req, who, &r); !s.ok()) return s;
  AppendRouteResponseWire(*r.served, *r.decision, r.case_ref,
                          req.view() == v1::DECISION_VIEW_CODES, Personal(who), out);
  return grpc::Status::OK;
}

grpc::Status GridrouteService::RouteBatch(absl::Time deadline, const v1::RouteBatchRequest& req,
                                          v1::RouteBatchResponse* resp, const Principal* who) {
  thread_local IntakeBuffers b;
  grpc::Status s = RouteBatchUnfiled(deadline, req, resp, &b, who);
  if (s.ok()) s = IntakeStatus(FileCases(options_.cases, deadline, &b, resp->mutable_results(), &metrics_));
  b.pinned.reset();
  return s;
}

grpc::Status GridrouteService::RouteBatchUnfiled(absl::Time deadline,
                                                 const v1::RouteBatchRequest& req,
                                                 v1::RouteBatchResponse* resp, IntakeBuffers* cases,
                                                 const Principal* who) {
  IntakeBuffers& b = *cases;
  b.Clear();
  if (grpc::Status s = CheckDeadline(deadline); !s.ok()) return s;
  if (req.events_size() == 0) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("events: empty; send 1..", options_.max_batch, " reports"));
  }
  if (req.events_size() > options_.max_batch) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        absl::StrCat("events: ", req.events_size(),
                                     " events in one call; the maximum is ", options_.max_batch,
                                     " (split the batch)"));
  }
  if (absl::Status st = CheckView(req.view(), "view"); !st.ok()) return ToGrpcStatus(st);
  const bool codes = req.view() == v1::DECISION_VIEW_CODES;
  const bool personal = Personal(who);
  std::shared_ptr<const ServedSnapshot> served;
  if (grpc::Status s = Pin(&served); !s.ok()) return s;
  BatchBuffers& buf = ThreadBatchBuffers();
  RouteEventItems(*served, req, ReportTimeWindowAt(Now(), options_.max_future), &buf, &metrics_,
                  options_.feed);
  auto ids = [&req](int i, v1::RouteResult*) {
    return ReportOrigin{ReportSource::kHotline, {}, req.events(i).report_id()};
  };
  AppendResults(*served, buf, req.events_size(), codes, personal, KeyScope(who), ids,
                resp->mutable_results(), options_.cases != nullptr ? &b : nullptr);
  SnapshotRefToProto(*served, resp->mutable_snapshot());
  if (b.n > 0) b.pinned = std::move(served);
  return grpc::Status::OK;
}

grpc::Status GridrouteService::CheckDetections(absl::Time deadline,
                                               const v1::DetectionBatch& req,
                                               std::shared_ptr<const ServedSnapshot>* served) {
  if (grpc::Status s = CheckDeadline(deadline); !s.ok()) return s;
  if (req.detections_size() == 0) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("detections: empty; send 1..", options_.max_batch,
                                     " detections per batch"));
  }
  if (req.detections_size() > options_.max_batch) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        absl::StrCat("detections: ", req.detections_size(),
                                     " detections in one batch; the maximum is ",
                                     options_.max_batch, " (send smaller batches)"));
  }
  if (absl::Status st = CheckView(req.view(), "view"); !st.ok()) return ToGrpcStatus(st);
  return Pin(served);
}

grpc::Status GridrouteService::RouteDetections(absl::Time deadline, const v1::DetectionBatch& req,
                                               v1::DecisionBatch* resp, const Principal* who) {
  thread_local IntakeBuffers b;
  grpc::Status s = RouteDetectionsUnfiled(deadline, req, resp, &b, who);
  if (s.ok()) {
    s = IntakeStatus(
        FileCases(options_.cases, deadline, &b, resp->mutable_results(), &metrics_, "camera_id"));
  }
  b.pinned.reset();
  return s;
}

grpc::Status GridrouteService::RouteDetectionsUnfiled(absl::Time deadline,
                                                      const v1::DetectionBatch& req,
                                                      v1::DecisionBatch* resp,
                                                      IntakeBuffers* cases, const Principal* who) {
  const bool personal = Personal(who);
  std::shared_ptr<const ServedSnapshot> served;
  if (grpc::Status s = CheckDetections(deadline, req, &served); !s.ok()) return s;
  const bool codes = req.view() == v1::DECISION_VIEW_CODES;
  BatchBuffers& buf = ThreadBatchBuffers();
  RouteDetectionItems(*served, req, ReportTimeWindowAt(Now(), options_.max_future), &buf,
                      &metrics_, options_.feed);
  IntakeBuffers& b = *cases;
  b.Clear();
  auto ids = [&req](int i, v1::DetectionResult* out) {
    const v1::Detection& det = req.detections(i);
    out->set_correlation_id(det.correlation_id());
    out->set_camera_id(det.camera_id());
    return ReportOrigin{ReportSource::kVideo, det.camera_id(), det.correlation_id()};
  };
  AppendResults(*served, buf, req.detections_size(), codes, personal, KeyScope(who), ids,
                resp->mutable_results(), options_.cases != nullptr ? &b : nullptr);
  SnapshotRefToProto(*served, resp->mutable_snapshot());
  if (b.n > 0) b.pinned = std::move(served);
  return grpc::Status::OK;
}

grpc::Status GridrouteService::RouteDetectionsWireUnfiled(absl::Time deadline,
                                                          const v1::DetectionBatch& req,
                                                          WireBatch* batch,
                                                          const Principal* who) {
  IntakeBuffers& b = batch->cases;
  b.Clear();
  std::shared_ptr<const ServedSnapshot> served;
  if (grpc::Status s = CheckDetections(deadline, req, &served); !s.ok()) return s;
  batch->codes = req.view() == v1::DECISION_VIEW_CODES;
  batch->personal = Personal(who);
  BatchBuffers& buf = batch->routed;
  RouteDetectionItems(*served, req, ReportTimeWindowAt(Now(), options_.max_future), &buf,
                      &metrics_, options_.feed);
  const int n = req.detections_size();
  batch->case_of.assign(n, -1);
  if (options_.cases != nullptr) {
    for (int i = 0; i < n; ++i) {
      if (!buf.status[i].ok() || buf.decisions[i].outcome != Outcome::kRouted) continue;
      batch->case_of[i] = static_cast<int>(b.n);
      const v1::Detection& det = req.detections(i);
      CollectReport(*served->snapshot, buf, i,
                    {ReportSource::kVideo, det.camera_id(), det.correlation_id()}, KeyScope(who),
                    i, &b);
    }
  }
  batch->served = std::move(served);
  return grpc::Status::OK;
}

void GridrouteService::EncodeDetectionsWire(const v1::DetectionBatch& req, const WireBatch& batch,
                                            const std::vector<CaseOutcome>* outcomes,
                                            std::string* out) {
  const Snapshot& snap = *batch.served->snapshot;
  const BatchBuffers& buf = batch.routed;
  const int n = req.detections_size();
  out->clear();
  WireWriter w(out);
  thread_local WireScratch scratch;
  thread_local std::string result;
  const CodesTables& tables = batch.served->codes;
  const FullTables& full = batch.served->full;
  auto prefetch = [&](int i) {
    if (batch.codes) {
      PrefetchDecisionCodes(tables, snap, buf.decisions[i], buf.status[i]);
    } else {
      PrefetchDecisionFull(snap, buf.decisions[i], buf.status[i]);
    }
  };
  for (int i = 0; i < std::min(n, kPrefetchAhead); ++i) prefetch(i);
  for (int i = 0; i < n; ++i) {
    if (i + kPrefetchAhead < n) prefetch(i + kPrefetchAhead);
    const v1::Detection& det = req.detections(i);
    result.clear();
    WireWriter r(&result);
    r.String(1, det.correlation_id());
    r.String(2, det.camera_id());
    const int k = batch.case_of[i];
    const CaseOutcome* c = k >= 0 && outcomes != nullptr ? &(*outcomes)[k] : nullptr;
    if (!buf.status[i].ok()) {
      AppendItemError(buf.status[i].code(), buf.status[i].message(), &scratch.nested, &r);
    } else if (c != nullptr && !c->status.ok()) {
      AppendItemError(c->status.code(), CaseErrorMessage(c->status, "camera_id"),
                      &scratch.nested, &r);
    } else if (batch.codes) {
      AppendDecisionCodes(tables, snap, buf.decisions[i], c, /*field=*/5, &r);
    } else {
      AppendDecisionFull(full, snap, buf.decisions[i], batch.personal, c, /*field=*/3, &r);
    }
    w.Bytes(1, result);
  }
  AppendSnapshotRef(*batch.served, &scratch.nested, &w);
}

grpc::Status GridrouteService::RouteDetectionsWire(absl::Time deadline,
                                                   const v1::DetectionBatch& req,
                                                   std::string* out, const Principal* who) {
  thread_local WireBatch batch;
  grpc::Status s = RouteDetectionsWireUnfiled(deadline, req, &batch, who);
  if (!s.ok()) return s;
  const std::vector<CaseOutcome>* outcomes = nullptr;
  if (options_.cases != nullptr && batch.cases.n > 0) {
    const IntakeTimer timer;
    absl::Status st = options_.cases->Intake(
        absl::MakeConstSpan(batch.cases.slots.data(), batch.cases.n), &batch.cases.out, deadline);
    timer.Record(&metrics_);
    if (!st.ok()) {
      batch.served.reset();
      return IntakeStatus(st);
    }
    outcomes = &batch.cases.out;
  }
  EncodeDetectionsWire(req, batch, outcomes, out);
  batch.served.reset();
  return grpc::Status::OK;
}

grpc::Status GridrouteService::Info(absl::Time deadline, v1::InfoResponse* resp,
                                    const Principal* who) {
  const bool admin = who == nullptr || who->Has(kRoleAdmin);
  if (grpc::Status s = CheckDeadline(deadline); !s.ok()) return s;
  std::shared_ptr<const ServedSnapshot> served;
  if (grpc::Status s = Pin(&served); !s.ok()) return s;
  const Snapshot& s = *served->snapshot;
  resp->set_pack_name(s.manifest().name);
  SnapshotRefToProto(*served, resp->mutable_snapshot());
  if (admin) resp->set_pack_dir(served->pack_dir);
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
  if (admin) resp->set_last_reload_error(CapMessage(store_->last_error(), kMaxStatusMessageBytes));
  resp->set_expired_calls(expired_calls());
  return grpc::Status::OK;
}

grpc::Status GridrouteService::Directory(absl::Time deadline, const v1::DirectoryRequest& req,
                                         v1::DirectoryResponse* resp, bool include_personal) {
  if (grpc::Status s = CheckDeadline(deadline); !s.ok()) return s;
  std::shared_ptr<const ServedSnapshot> served;
  if (grpc::Status s = Pin(&served); !s.ok()) return s;
  absl::Status st = CheckLength(req.version(), kMaxVersionBytes, "version");
  if (st.ok()) st = CheckLength(req.page_token(), kMaxPageTokenBytes, "page_token");
  if (!st.ok()) return ToGrpcStatus(st);
  DirectoryCursor cursor;
  if (absl::Status st = CheckDirectoryRequest(*served, req, &cursor); !st.ok()) {
    return ToGrpcStatus(st);
  }
  DirectoryPageToProto(*served, cursor, include_personal, resp);
  return grpc::Status::OK;
}

grpc::Status GridrouteService::DirectoryFor(absl::Time deadline, const v1::DirectoryRequest& req,
                                            v1::DirectoryResponse* resp, const Principal* who) {
  return Directory(deadline, req, resp, Personal(who));
}

grpc::Status GridrouteService::Reload(const v1::ReloadRequest& req, v1::ReloadResponse* resp) {
  absl::StatusOr<PackReload> r =
      ReloadPack(store_, {.pack_root = options_.pack_root, .cases = options_.cases}, req.pack_dir());
  if (!r.ok()) return ToGrpcStatus(r.status());
  if (!r->cases_status.ok()) {
    resp->add_warnings(absl::StrCat("folding rules not reloaded, the previous ones stay: ",
                                    r->cases_status.message()));
  }
  const ReloadResult& loaded = r->result;
  SnapshotRefToProto(*loaded.current, resp->mutable_snapshot());
  if (loaded.previous != nullptr) SnapshotRefToProto(*loaded.previous, resp->mutable_previous());
  resp->set_load_seconds(loaded.current->load_seconds);
  for (const std::string& w : loaded.current->snapshot->warnings()) resp->add_warnings(w);
  return grpc::Status::OK;
}

// ---------------------------------------------------------------------------
// CaseService handlers.

grpc::Status GridrouteService::CasesOn() const {
  if (options_.cases != nullptr) return grpc::Status::OK;
  return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                      "cases are off: start gridroute-server with --journal-dir DIR");
}

grpc::Status GridrouteService::CheckReaches(const Principal* who, const CaseView& c) const {
  if (who == nullptr || who->Reaches(c.lead)) return grpc::Status::OK;
  return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                      absl::StrCat("case_id: case '", Echo(c.id),
                                   "' is led by a department outside principal '",
                                   Echo(who->name), "''s departments"));
}

grpc::Status GridrouteService::GetCase(const v1::GetCaseRequest& req, v1::Case* resp,
                                       const Principal* who) {
  if (grpc::Status s = CasesOn(); !s.ok()) return s;
  if (req.case_id().empty()) return ToGrpcStatus(absl::InvalidArgumentError("case_id: required"));
  if (absl::Status st = CheckLength(req.case_id(), kMaxCodeBytes, "case_id"); !st.ok()) {
    return ToGrpcStatus(st);
  }
  CaseView c;
  if (absl::Status st = options_.cases->Get(req.case_id(), &c); !st.ok()) {
    return ToGrpcStatus(st);
  }
  if (grpc::Status s = CheckReaches(who, c); !s.ok()) return s;
  const std::shared_ptr<const ServedSnapshot> served = store_->Current();
  const WorkingCalendar& cal = CalendarOf(served.get());
  CaseToProto(c, Now(), cal, resp);
  return grpc::Status::OK;
}

grpc::Status GridrouteService::CheckLead(const std::string& lead) const {
  if (lead.empty()) return grpc::Status::OK;
  const std::shared_ptr<const ServedSnapshot> served = store_->Current();
  if (served != nullptr && served->snapshot->departments().Find(lead) >= 0) {
    return grpc::Status::OK;
  }
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                      absl::StrCat("lead: '", Echo(lead),
                                   "' is not a department code of the served pack"));
}

grpc::Status GridrouteService::UpdateCase(const v1::UpdateCaseRequest& req, v1::Case* resp,
                                          const Principal* who) {
  if (grpc::Status s = CasesOn(); !s.ok()) return s;
  if (req.case_id().empty()) return ToGrpcStatus(absl::InvalidArgumentError("case_id: required"));
  if (absl::Status st = CheckUpdateLengths(req); !st.ok()) return ToGrpcStatus(st);
  if (grpc::Status s = CheckLead(req.lead()); !s.ok()) return s;
  if (who != nullptr && !who->departments.empty()) {
    CaseView before;
    if (absl::Status st = options_.cases->Get(req.case_id(), &before); !st.ok()) {
      return ToGrpcStatus(st);
    }
    if (grpc::Status s = CheckReaches(who, before); !s.ok()) return s;
  }
  Transition t;
  t.case_id = req.case_id();
  if (absl::Status st = CaseStateFromProto(req.state(), "state", &t.to); !st.ok()) {
    return ToGrpcStatus(st);
  }
  // With auth on, the actor is who called; a client-chosen actor is kept
  // as part of the note.
  std::string note;
  if (who != nullptr) {
    t.actor = who->name;
    if (!req.actor().empty() && req.actor() != who->name) {
      note = absl::StrCat("actor: ", req.actor(), req.note().empty() ? "" : "; ",
                          req.note());
    }
  } else {
    t.actor = req.actor();
  }
  if (req.has_at()) {
    if (absl::Status st = TimeFromProto(req.at(), "at", &t.at); !st.ok()) return ToGrpcStatus(st);
  } else {
    t.at = Now();
  }
  t.note = note.empty() ? absl::string_view(req.note()) : absl::string_view(note);
  t.lead = req.lead();
  CaseView c;
  if (absl::Status st = options_.cases->Update(t, &c); !st.ok()) return ToGrpcStatus(st);
  const std::shared_ptr<const ServedSnapshot> served = store_->Current();
  const WorkingCalendar& cal = CalendarOf(served.get());
  CaseToProto(c, Now(), cal, resp);
  return grpc::Status::OK;
}

grpc::Status GridrouteService::UpdateCaseAudited(absl::string_view peer,
                                                 const v1::UpdateCaseRequest& req, v1::Case* resp,
                                                 const Principal* who) {
  const grpc::Status st = CapStatus(UpdateCase(req, resp, who));
  Audit(peer, who, kUpdateCase,
        absl::StrCat(Echo(req.case_id()), " -> ", v1::CaseState_Name(req.state())), st);
  return st;
}

grpc::Status GridrouteService::ListCases(const v1::ListCasesRequest& req,
                                         v1::ListCasesResponse* resp, const Principal* who) {
  if (grpc::Status s = CasesOn(); !s.ok()) return s;
  absl::Status len = CheckLength(req.department(), kMaxCodeBytes, "department");
  if (len.ok()) len = CheckLength(req.grid(), kMaxCodeBytes, "grid");
  if (len.ok()) len = CheckLength(req.region(), kMaxCodeBytes, "region");
  if (len.ok()) len = CheckLength(req.page_token(), kMaxPageTokenBytes, "page_token");
  if (!len.ok()) return ToGrpcStatus(len);
  ListQuery q;
  q.department = req.department();
  if (who != nullptr && !q.department.empty() && !who->Reaches(q.department)) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        absl::StrCat("department: '", Echo(q.department),
                                     "' is not one of principal '", Echo(who->name),
                                     "''s departments"));
  }
  if (who != nullptr && q.department.empty() && who->departments.size() == 1) {
    q.department = who->departments[0];
  }
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
  for (const CaseView& c : page.cases) {
    // A principal with several departments: the page keeps only theirs.
    if (who == nullptr || who->Reaches(c.lead)) CaseToProto(c, now, cal, resp->add_cases());
  }
  resp->set_next_page_token(page.next_page_token);
  return grpc::Status::OK;
}

grpc::Status GridrouteService::CaseStats(const v1::CaseStatsRequest& req,
                                         v1::CaseStatsResponse* resp, const Principal* who) {
  if (grpc::Status s = CasesOn(); !s.ok()) return s;
  if (absl::Status st = CheckLength(req.group_by(), kMaxCodeBytes, "group_by"); !st.ok()) {
    return ToGrpcStatus(st);
  }
  const bool scoped = who != nullptr && !who->departments.empty();
  if (scoped && !req.group_by().empty() && req.group_by() != "department") {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        "group_by: a principal limited to departments may only group by "
                        "department (its own rows)");
  }
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
          "group_by: '", Echo(g), "' is not department, grid, all or a level of the pack (",
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
  for (const StatsRow& in : r.rows) {
    if (!scoped || who->Reaches(in.key)) row(in, resp->add_rows());
  }
  if (!scoped) row(r.total, resp->mutable_total());
  return grpc::Status::OK;
}

// ---------------------------------------------------------------------------

namespace {

// Plaintext, TLS, or mutual TLS (client certificates required and verified
// against tls_client_ca_pem).
std::shared_ptr<grpc::ServerCredentials> Credentials(const ServerOptions& o) {
  if (o.tls_cert_pem.empty()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions ssl(
      o.tls_client_ca_pem.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                                  : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  ssl.pem_root_certs = o.tls_client_ca_pem;
  ssl.pem_key_cert_pairs.push_back({o.tls_key_pem, o.tls_cert_pem});
  return grpc::SslServerCredentials(ssl);
}

// The connection and stream limits and timeouts as channel arguments.
void AddConnectionArguments(const ServerOptions& o, grpc::ServerBuilder* b) {
  if (o.max_streams_per_connection > 0) {
    b->AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, o.max_streams_per_connection);
  }
  if (o.idle_timeout_ms > 0) b->AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, o.idle_timeout_ms);
  if (o.handshake_timeout_ms > 0) {
    b->AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS, o.handshake_timeout_ms);
  }
  if (o.keepalive_time_ms > 0) {
    b->AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, o.keepalive_time_ms);
    b->AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, std::max(o.keepalive_timeout_ms, 1));
    b->AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  }
  if (o.stream_window_bytes > 0) {
    b->AddChannelArgument(GRPC_ARG_HTTP2_BDP_PROBE, 0);
    b->AddChannelArgument(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, o.stream_window_bytes);
  }
}

}  // namespace

std::unique_ptr<grpc::Server> StartServer(const ServerOptions& options, GridrouteService* service,
                                          int* bound_port, std::string* error) {
  grpc::EnableDefaultHealthCheckService(true);
  // Without this call reflection answers UNIMPLEMENTED, even with
  // gRPC::grpc++_reflection linked (docs/TOOLCHAIN.md).
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  ConnectionGuard::InstallGrpcLogHook();  // "Failed accept4" -> health NOT_SERVING
  grpc::ServerBuilder builder;
  int port = 0;
  if (!options.listen.empty()) builder.AddListeningPort(options.listen, Credentials(options), &port);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  AddConnectionArguments(options, &builder);
  builder.RegisterService(service->routing());
  builder.RegisterService(service->admin());
  builder.RegisterService(service->cases());
  builder.RegisterService(service->reflection_v1());
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || (!options.listen.empty() && port == 0)) {
    if (error != nullptr) *error = absl::StrCat("cannot listen on ", options.listen);
    if (server != nullptr) server->Shutdown();
    return nullptr;
  }
  if (!options.listen.empty() && !ConnectionGuard::Get().Watch(port, options.max_connections)) {
    Log(LogLevel::kWarning, "server",
        "WARNING: accept4/close are not interposed in this process: max_connections is not "
        "enforced and an accept error is only seen in gRPC's log");
  }
  SetServiceHealth(server.get(), /*serving=*/true, service->cases_on());
  if (bound_port != nullptr) *bound_port = port;
  return server;
}

}  // namespace gridroute

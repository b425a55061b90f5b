// Copyright 2026 gridroute authors.
//
// RunUnary: Route over the completion-queue API with pre-serialized requests.
//
// Each request is serialized once into a grpc::ByteBuffer (a copy only takes
// slice references) and sent through grpc::GenericStub, so a call costs a
// ClientContext, the call itself (its reader lives in the call's arena) and
// parsing the answer into the slot's reused RouteResponse. Calls run on
// `threads` completion queues, each polled by its own thread, which also
// issues the next call of a closed-loop slot inline (no thread hop). Slots
// are reused: closed loop has `concurrency` of them; open loop takes one from
// a free list (growing up to max_in_flight) for each scheduled send.
#include <optional>

#include "grpcpp/generic/generic_stub.h"
#include "load/load_runner.h"

namespace gridroute::load {
namespace {


int64_t Nanos(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

class AsyncUnary {
 public:
  AsyncUnary(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
             const std::vector<v1::RouteRequest>& requests,
             const UnaryOptions& options, Limits* limits, Recorder* rec);
  ~AsyncUnary();

  void RunClosed();
  void RunOpen();

 private:
  struct Slot {
    grpc::GenericStub* stub = nullptr;
    grpc::CompletionQueue* cq = nullptr;
    std::optional<grpc::ClientContext> ctx;
    std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader;
    grpc::ByteBuffer response;
    grpc::Status status;
    v1::RouteResponse parsed;
    Clock::time_point start;
  };

  Slot* NewSlot();
  void Issue(Slot* slot, int64_t i, Clock::time_point start);
  void Done(Slot* slot);
  void Account(Slot* slot);
  void Poll(grpc::CompletionQueue* cq);
  void WaitIdle();

  const UnaryOptions options_;
  const std::string method_ = "/gridroute.v1.RoutingService/Route";
  Limits* const limits_;
  Recorder* const rec_;
  std::vector<grpc::ByteBuffer> requests_;
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs_;
  std::vector<std::unique_ptr<grpc::CompletionQueue>> cqs_;
  std::vector<std::thread> pollers_;
  std::vector<std::unique_ptr<Slot>> slots_;  // guarded by mu_
  std::vector<Slot*> free_;                   // guarded by mu_ (open loop)
  bool closed_ = true;
  std::mutex mu_;
  std::condition_variable cv_;
  int64_t outstanding_ = 0;  // guarded by mu_
};

AsyncUnary::AsyncUnary(
    const std::vector<std::shared_ptr<grpc::Channel>>& channels,
    const std::vector<v1::RouteRequest>& requests, const UnaryOptions& options,
    Limits* limits, Recorder* rec)
    : options_(options), limits_(limits), rec_(rec) {
  requests_.reserve(requests.size());
  for (const v1::RouteRequest& r : requests) {
    grpc::ByteBuffer bb;
    bool own = false;
    const grpc::Status s =
        grpc::GenericSerialize<grpc::ProtoBufferWriter, v1::RouteRequest>(
            r, &bb, &own);
    if (!s.ok()) continue;  // unreachable for a valid message
    requests_.push_back(std::move(bb));
  }
  for (const auto& c : channels)
    stubs_.push_back(std::make_unique<grpc::GenericStub>(c));
  const int threads = std::max(1, options.threads);
  for (int t = 0; t < threads; ++t) {
    cqs_.push_back(std::make_unique<grpc::CompletionQueue>());
  }
  for (int t = 0; t < threads; ++t) {
    pollers_.emplace_back([this, t] { Poll(cqs_[t].get()); });
  }
}

AsyncUnary::~AsyncUnary() {
  for (auto& cq : cqs_) cq->Shutdown();
  for (std::thread& t : pollers_) t.join();
}

// REQUIRES: mu_ held.
AsyncUnary::Slot* AsyncUnary::NewSlot() {
  const size_t k = slots_.size();
  auto slot = std::make_unique<Slot>();
  slot->stub = stubs_[k % stubs_.size()].get();
  slot->cq = cqs_[k % cqs_.size()].get();
  slots_.push_back(std::move(slot));
  return slots_.back().get();
}

void AsyncUnary::Issue(Slot* slot, int64_t i, Clock::time_point start) {
  slot->start = start;
  slot->ctx.reset();
  slot->ctx.emplace();
  slot->ctx->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::milliseconds(options_.timeout_ms));
  ++rec_->in_flight;
  slot->reader = slot->stub->PrepareUnaryCall(
      &*slot->ctx, method_,
      requests_[static_cast<size_t>(i) % requests_.size()], slot->cq);
  slot->reader->StartCall();
  slot->reader->Finish(&slot->response, &slot->status, slot);
}

// Records the answer: status, latency, response size, outcome.
void AsyncUnary::Account(Slot* slot) {
  rec_->Record(slot->status, Nanos(Clock::now() - slot->start));
  if (!slot->status.ok()) return;
  const size_t bytes = slot->response.Length();
  const grpc::Status s =
      grpc::GenericDeserialize<grpc::ProtoBufferReader, v1::RouteResponse>(
          &slot->response, &slot->parsed);
  if (!s.ok()) return;
  rec_->response_bytes += static_cast<int64_t>(bytes);
  ++rec_->response_decisions;
  if (slot->parsed.has_codes()) {
    rec_->Outcome(slot->parsed.codes().outcome());
  } else {
    rec_->Outcome(slot->parsed.decision().outcome());
  }
}

void AsyncUnary::Done(Slot* slot) {
  Account(slot);
  --rec_->in_flight;
  slot->reader.reset();  // arena-allocated: releases nothing, ends the call
  if (closed_) {
    const int64_t i = limits_->Take();
    if (i >= 0) {
      Issue(slot, i, Clock::now());
      return;
    }
  }
  std::lock_guard<std::mutex> l(mu_);
  if (!closed_) free_.push_back(slot);
  --outstanding_;
  cv_.notify_all();
}

void AsyncUnary::Poll(grpc::CompletionQueue* cq) {
  void* tag = nullptr;
  bool ok = false;
  while (cq->Next(&tag, &ok)) Done(static_cast<Slot*>(tag));
}

void AsyncUnary::WaitIdle() {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait(l, [this] { return outstanding_ == 0; });
}

void AsyncUnary::RunClosed() {
  closed_ = true;
  std::vector<Slot*> started;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (int k = 0; k < options_.concurrency; ++k) started.push_back(NewSlot());
  }
  for (Slot* slot : started) {
    const int64_t i = limits_->Take();
    if (i < 0) break;
    {
      std::lock_guard<std::mutex> l(mu_);
      ++outstanding_;
    }
    Issue(slot, i, Clock::now());
  }
  WaitIdle();
}

void AsyncUnary::RunOpen() {
  closed_ = false;
  const Clock::time_point t0 = Clock::now();
  for (;;) {
    const int64_t i = limits_->Take();
    if (i < 0) break;
    const Clock::time_point at =
        t0 + std::chrono::nanoseconds(static_cast<int64_t>(
                 static_cast<double>(i) * 1e9 / options_.rate));
    if (at >= limits_->end()) break;
    std::this_thread::sleep_until(at);
    Slot* slot = nullptr;
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [&] { return outstanding_ < options_.max_in_flight; });
      if (free_.empty()) {
        slot = NewSlot();
      } else {
        slot = free_.back();
        free_.pop_back();
      }
      ++outstanding_;
    }
    if (Clock::now() - at > std::chrono::milliseconds(1)) ++rec_->late_sends;
    Issue(slot, i, at);  // charged from the intended time
  }
  WaitIdle();
}

}  // namespace

void RunUnary(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
              const std::vector<v1::RouteRequest>& requests,
              const UnaryOptions& options, Limits* limits, Recorder* rec) {
  AsyncUnary load(channels, requests, options, limits, rec);
  if (options.rate > 0) {
    load.RunOpen();
  } else {
    load.RunClosed();
  }
}

}  // namespace gridroute::load

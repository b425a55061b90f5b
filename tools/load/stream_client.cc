// Copyright 2026 gridroute authors.
//
// RunStreams: RouteStream over the completion-queue API with pre-serialized
// batches (grpc::GenericStub; a batch is serialized once, a Write only takes
// slice references). Each stream is a small state machine driven by the one
// thread polling its completion queue, so a stream needs no lock:
//   start -> Read posted; Pump() writes while fewer than `window` (open loop:
//   max_in_flight) batches are unanswered and one Write at a time;
//   each answer -> accounted, next Read, Pump(); no more requests ->
//   WritesDone; reads end -> Finish (batches never answered fail with the
//   stream's status).
// Answers are counted off their wire bytes (decision_scan.h), never parsed.
// Open loop: a grpc::Alarm fires at each of the stream's intended send times
// (its share of t0 + k / rate); a due batch that cannot go at once waits and is
// charged from its intended time.
#include <deque>

#include "grpcpp/alarm.h"
#include "grpcpp/generic/generic_stub.h"
#include "load/decision_scan.h"
#include "load/load_runner.h"

namespace gridroute::load {
namespace {

int64_t Nanos(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

// Shared by the streams of one run; read-only once they start.
struct StreamShared {
  std::vector<grpc::ByteBuffer> batches;
  StreamOptions options;
  Limits* limits = nullptr;
  Recorder* rec = nullptr;
  Clock::time_point t0;
  std::string method = "/gridroute.v1.RoutingService/RouteStream";
  std::mutex mu;
  std::condition_variable cv;
  int live = 0;  // guarded by mu; streams not yet finished
};

class AsyncStream {
 public:
  enum Kind { kStart, kWrite, kRead, kWritesDone, kFinish, kAlarm, kKinds };
  struct Tag {
    AsyncStream* stream;
    Kind kind;
  };

  AsyncStream(StreamShared* shared, grpc::GenericStub* stub,
              grpc::CompletionQueue* cq, int index)
      : sh_(shared), stub_(stub), cq_(cq), index_(index) {
    for (int k = 0; k < kKinds; ++k) tags_[k] = {this, static_cast<Kind>(k)};
  }

  void Start() {
    rw_ = stub_->PrepareCall(&ctx_, sh_->method, cq_);
    rw_->StartCall(&tags_[kStart]);
    if (open()) ScheduleNext();
  }

  void OnEvent(Kind kind, bool ok) {
    switch (kind) {
      case kStart:
        return OnStart(ok);
      case kWrite:
        writing_ = false;
        if (!ok) broken_ = true;
        break;
      case kRead:
        return OnRead(ok);
      case kWritesDone:
        wd_pending_ = false;
        break;
      case kFinish:
        return OnFinish();
      case kAlarm:
        return OnAlarm(ok);
      case kKinds:
        break;
    }
    Pump();
    MaybeFinish();
  }

 private:
  bool open() const { return sh_->options.rate > 0; }

  void OnStart(bool ok) {
    if (!ok) {
      read_closed_ = true;
      return MaybeFinish();
    }
    started_ = true;
    rw_->Read(&in_, &tags_[kRead]);
    Pump();
  }

  void ScheduleNext() {
    const double k =
        static_cast<double>(index_ + next_slot_ * sh_->options.streams);
    alarm_at_ = sh_->t0 + std::chrono::nanoseconds(static_cast<int64_t>(
                              k * 1e9 / sh_->options.rate));
    if (alarm_at_ >= sh_->limits->end()) {
      schedule_over_ = true;
      return;
    }
    ++next_slot_;
    alarm_pending_ = true;
    alarm_.Set(cq_,
               std::chrono::system_clock::now() + (alarm_at_ - Clock::now()),
               &tags_[kAlarm]);
  }

  void OnAlarm(bool ok) {
    alarm_pending_ = false;
    if (!ok || writes_done_ || read_closed_) return MaybeFinish();
    due_.push_back(alarm_at_);
    ScheduleNext();
    Pump();
  }

  // Writes the next batch if the window and the schedule allow; WritesDone
  // once there is nothing more to send.
  void Pump() {
    if (!started_ || writing_ || writes_done_ || read_closed_) return;
    if (broken_) return WritesDone();
    const int64_t cap =
        open() ? sh_->options.max_in_flight : sh_->options.window;
    if (static_cast<int64_t>(sent_.size()) >= cap) return;
    if (open() && due_.empty()) {
      if (schedule_over_) WritesDone();
      return;
    }
    const int64_t i = sh_->limits->Take();
    if (i < 0) return WritesDone();
    Clock::time_point at = Clock::now();
    if (open()) {
      if (at - due_.front() > std::chrono::milliseconds(1))
        ++sh_->rec->late_sends;
      at = due_.front();
      due_.pop_front();
    }
    sent_.push_back(at);
    ++sh_->rec->in_flight;
    writing_ = true;
    rw_->Write(sh_->batches[static_cast<size_t>(i) % sh_->batches.size()],
               &tags_[kWrite]);
  }

  void WritesDone() {
    writes_done_ = true;
    due_.clear();
    if (alarm_pending_) alarm_.Cancel();
    if (broken_) return;
    wd_pending_ = true;
    rw_->WritesDone(&tags_[kWritesDone]);
  }

  void OnRead(bool ok) {
    if (!ok) {
      read_closed_ = true;
      if (alarm_pending_) alarm_.Cancel();
      return MaybeFinish();
    }
    if (!sent_.empty()) {
      Account(sent_.front());
      sent_.pop_front();
      --sh_->rec->in_flight;
    }  // else more answers than batches: ignored (a protocol error)
    rw_->Read(&in_, &tags_[kRead]);
    Pump();
  }

  // Counts the answer off its wire bytes (ScanDecisionBatch): a full parse
  // of each DecisionBatch cost most of a client core at the server's CODES
  // rate. Counters are added once per batch, not once per detection.
  void Account(Clock::time_point at) {
    Recorder* rec = sh_->rec;
    rec->Record(grpc::Status::OK, Nanos(Clock::now() - at));
    const size_t bytes = in_.Length();
    DecisionCounts c;
    absl::string_view wire;
    const bool ok = Contiguous(&wire) && ScanDecisionBatch(wire, &c);
    in_.Clear();
    slice_ = grpc::Slice();
    if (!ok) return;
    rec->items += c.results;
    rec->response_bytes += static_cast<int64_t>(bytes);
    rec->response_decisions += c.results;
    for (int k = 0; k < DecisionCounts::kCodes; ++k) {
      if (c.by_code[k] != 0) rec->items_by_code[k] += c.by_code[k];
    }
    if (c.routed != 0) rec->routed += c.routed;
    if (c.outside != 0) rec->outside += c.outside;
  }

  // The answer's bytes in one piece: its only slice, or its slices copied
  // into scratch_ (kept between answers, so no allocation once grown).
  bool Contiguous(absl::string_view* wire) {
    if (in_.TrySingleSlice(&slice_).ok()) {
      *wire = absl::string_view(reinterpret_cast<const char*>(slice_.begin()),
                                slice_.size());
      return true;
    }
    if (!in_.Dump(&slices_).ok()) return false;
    scratch_.clear();
    for (const grpc::Slice& s : slices_) {
      scratch_.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    slices_.clear();
    *wire = scratch_;
    return true;
  }

  void MaybeFinish() {
    if (!read_closed_ || writing_ || wd_pending_ || finish_called_) return;
    finish_called_ = true;
    rw_->Finish(&status_, &tags_[kFinish]);
  }

  void OnFinish() {
    Recorder* rec = sh_->rec;
    // Batches never answered fail with the stream's status (OK would hide
    // them).
    const grpc::Status lost =
        status_.ok() ? grpc::Status(grpc::StatusCode::INTERNAL,
                                    "stream ended before answering a batch")
                     : status_;
    for (const Clock::time_point& at : sent_) {
      rec->Record(lost, Nanos(Clock::now() - at));
      --rec->in_flight;
    }
    if (!status_.ok() && sent_.empty()) rec->Record(status_, 0);
    sent_.clear();
    finished_ = true;
    std::lock_guard<std::mutex> l(sh_->mu);
    if (--sh_->live == 0) sh_->cv.notify_all();
  }

  StreamShared* const sh_;
  grpc::GenericStub* const stub_;
  grpc::CompletionQueue* const cq_;
  const int index_;
  Tag tags_[kKinds];
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> rw_;
  grpc::ByteBuffer in_;
  grpc::Slice slice_;                // in_'s only slice (Contiguous)
  std::vector<grpc::Slice> slices_;  // in_'s slices (Contiguous)
  std::string scratch_;              // in_'s bytes when it has several slices
  grpc::Status status_;
  grpc::Alarm alarm_;
  Clock::time_point alarm_at_;
  int64_t next_slot_ = 0;
  std::deque<Clock::time_point> sent_;  // unanswered batches' send times
  std::deque<Clock::time_point> due_;   // open loop: due, not yet sent
  bool started_ = false, writing_ = false, writes_done_ = false;
  bool wd_pending_ = false, read_closed_ = false, finish_called_ = false;
  bool finished_ = false, broken_ = false, alarm_pending_ = false;
  bool schedule_over_ = false;
};

void Poll(grpc::CompletionQueue* cq) {
  void* tag = nullptr;
  bool ok = false;
  while (cq->Next(&tag, &ok)) {
    auto* t = static_cast<AsyncStream::Tag*>(tag);
    t->stream->OnEvent(t->kind, ok);
  }
}

std::vector<grpc::ByteBuffer> Serialize(
    const std::vector<v1::DetectionBatch>& batches) {
  std::vector<grpc::ByteBuffer> out;
  for (const v1::DetectionBatch& b : batches) {
    grpc::ByteBuffer bb;
    bool own = false;
    if (grpc::GenericSerialize<grpc::ProtoBufferWriter, v1::DetectionBatch>(
            b, &bb, &own)
            .ok()) {
      out.push_back(std::move(bb));
    }
  }
  return out;
}

}  // namespace

void RunStreams(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                const std::vector<v1::DetectionBatch>& batches,
                const StreamOptions& options, Limits* limits, Recorder* rec) {
  StreamShared sh;
  sh.batches = Serialize(batches);
  sh.options = options;
  sh.limits = limits;
  sh.rec = rec;
  sh.live = options.streams;
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs;
  for (const auto& c : channels)
    stubs.push_back(std::make_unique<grpc::GenericStub>(c));
  const int threads = std::clamp(options.threads, 1, options.streams);
  std::vector<std::unique_ptr<grpc::CompletionQueue>> cqs;
  for (int t = 0; t < threads; ++t)
    cqs.push_back(std::make_unique<grpc::CompletionQueue>());
  std::vector<std::unique_ptr<AsyncStream>> streams;
  for (int s = 0; s < options.streams; ++s) {
    streams.push_back(std::make_unique<AsyncStream>(
        &sh, stubs[s % stubs.size()].get(), cqs[s % cqs.size()].get(), s));
  }
  sh.t0 = Clock::now();
  for (auto& s : streams) s->Start();
  std::vector<std::thread> pollers;
  for (auto& cq : cqs) pollers.emplace_back(Poll, cq.get());
  {
    std::unique_lock<std::mutex> l(sh.mu);
    sh.cv.wait(l, [&] { return sh.live == 0; });
  }
  for (auto& cq : cqs) cq->Shutdown();
  for (std::thread& t : pollers) t.join();
}

}  // namespace gridroute::load

// Copyright 2026 gridroute authors.
//
// RouteStream memory when clients do not read (issue 17, item 2): a stream
// whose client never reads holds its one answer and nothing else of the
// server's (the per-batch working sets are pooled, at most
// StreamWorkPool::kMaxIdle whatever the number of streams); cancelling
// gives every answer back (the counters return to zero) and the freed
// memory is trimmed; past ServiceOptions::max_pending_answer_bytes, a
// stream's next batch is refused before anything is routed.
//
// Fault guarded: a RouteStream whose client never read held ~35 MiB (60
// streams: 1.96 GB; per-stream arena, parsed batch, routing buffers and
// gRPC's probed receive window) and did not give it back after cancel.
//
// Measured with the service's own counters (GridrouteService::stream_stats),
// not time or RSS. Over loopback TCP (flow control is what stops the
// answers); the waits are hang guards only.
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "service/grpc_service.h"
#include "service/service_fixture.h"

namespace gridroute {
namespace {

// Polls `done` until it holds; false after a minute (a hang guard).
template <typename F>
bool WaitFor(F done) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

v1::DetectionBatch Batch(int n) {
  v1::DetectionBatch b;
  for (int i = 0; i < n; ++i) {
    v1::Detection* d = b.add_detections();
    d->set_correlation_id(absl::StrCat("c", i));
    d->set_camera_id("cam-1");
    d->mutable_point()->set_x(120.0008);
    d->mutable_point()->set_y(31.0008);
    d->set_category("0102");
    testing::SetWednesday10am(d->mutable_frame_time());
  }
  return b;  // FULL view: the biggest answers
}

class StreamMemoryTest : public ::testing::Test {
 protected:
  void Start(ServiceOptions o = {}) {
    ASSERT_TRUE(store_.Load(testing::WriteRoutingPack("A")).ok());
    service_ = std::make_unique<GridrouteService>(&store_, o);
    ServerOptions so;
    so.listen = "127.0.0.1:0";
    int port = 0;
    std::string error;
    server_ = StartServer(so, service_.get(), &port, &error);
    ASSERT_NE(server_, nullptr) << error;
    address_ = absl::StrCat("127.0.0.1:", port);
    stub_ = v1::RoutingService::NewStub(
        grpc::CreateChannel(address_, grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    streams_.clear();
    contexts_.clear();
    if (server_ != nullptr) server_->Shutdown();
  }
  // Opens a stream (its own connection: a fresh channel) that sends one
  // batch and never reads.
  void OpenSilentStream(const v1::DetectionBatch& batch, const std::string& address) {
    grpc::ChannelArguments args;
    args.SetInt("grpc.channel_id", static_cast<int>(contexts_.size()));  // no sharing
    // A client that buffers little (a fixed 64 KiB window, as gRPC's default
    // without bandwidth probing): an answer bigger than that waits in the
    // server until the client reads, which it never does.
    args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
    args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 64 << 10);
    auto stub = v1::RoutingService::NewStub(
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
    contexts_.push_back(std::make_unique<grpc::ClientContext>());
    streams_.push_back(stub->RouteStream(contexts_.back().get()));
    stubs_.push_back(std::move(stub));
    ASSERT_TRUE(streams_.back()->Write(batch));
  }

  SnapshotStore store_;
  std::string address_;
  std::unique_ptr<GridrouteService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::RoutingService::Stub> stub_;
  std::vector<std::unique_ptr<v1::RoutingService::Stub>> stubs_;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts_;
  std::vector<std::unique_ptr<grpc::ClientReaderWriter<v1::DetectionBatch, v1::DecisionBatch>>>
      streams_;
};

TEST_F(StreamMemoryTest, SilentClientsHoldOneAnswerEachAndCancelGivesEverythingBack) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const int kStreams = 24;  // more than the pool keeps (16)
  const v1::DetectionBatch batch = Batch(5000);
  // The answer one such batch gets, for the bound below.
  v1::DecisionBatch one;
  ASSERT_TRUE(service_->RouteDetections(absl::InfiniteFuture(), batch, &one).ok());
  const int64_t answer = static_cast<int64_t>(one.ByteSizeLong());
  ASSERT_GT(answer, 1 << 20);  // bigger than any window: the write cannot complete

  for (int i = 0; i < kStreams; ++i) ASSERT_NO_FATAL_FAILURE(OpenSilentStream(batch, address_));
  ASSERT_TRUE(WaitFor([&] { return service_->stream_stats().answers_waiting == kStreams; }))
      << "answers waiting: " << service_->stream_stats().answers_waiting;
  StreamStats s = service_->stream_stats();
  EXPECT_EQ(s.open, kStreams);
  // Each stream holds its answer (about the size of the serialized message)...
  EXPECT_LE(s.answer_bytes, kStreams * (answer + answer / 8)) << s.answer_bytes;
  EXPECT_GE(s.answer_bytes, kStreams * (answer - answer / 8)) << s.answer_bytes;
  // ...and no working set: those are pooled, bounded whatever the streams.
  EXPECT_LE(s.work_sets, 16) << s.work_sets;
  EXPECT_LT(s.work_sets, kStreams);

  for (auto& c : contexts_) c->TryCancel();
  ASSERT_TRUE(WaitFor([&] {
    const StreamStats t = service_->stream_stats();
    return t.open == 0 && t.answers_waiting == 0 && t.answer_bytes == 0;
  })) << "open " << service_->stream_stats().open;
  // 24 abandoned answers of > 1 MiB: the freed memory was trimmed.
  EXPECT_TRUE(WaitFor([&] { return service_->stream_stats().memory_trims >= 1; }));
  EXPECT_LE(service_->stream_stats().work_sets, 16);
}

TEST_F(StreamMemoryTest, PastThePendingAnswerBudgetANewBatchIsRefusedUnrouted) {
  ServiceOptions o;
  o.max_pending_answer_bytes = 1;  // one unread answer is over it
  ASSERT_NO_FATAL_FAILURE(Start(o));
  const v1::DetectionBatch batch = Batch(5000);
  ASSERT_NO_FATAL_FAILURE(OpenSilentStream(batch, address_));
  ASSERT_TRUE(WaitFor([&] { return service_->stream_stats().answers_waiting == 1; }));
  // A reading client now gets RESOURCE_EXHAUSTED for its batch.
  grpc::ClientContext ctx;
  auto stream = stub_->RouteStream(&ctx);
  ASSERT_TRUE(stream->Write(Batch(1)));
  v1::DecisionBatch answer;
  EXPECT_FALSE(stream->Read(&answer));
  const grpc::Status st = stream->Finish();
  EXPECT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << st.error_message();
  EXPECT_TRUE(absl::StrContains(st.error_message(), "nothing of this batch was routed"));
  // Once the silent stream is cancelled, batches are answered again.
  contexts_[0]->TryCancel();
  ASSERT_TRUE(WaitFor([&] { return service_->stream_stats().answer_bytes == 0; }));
  grpc::ClientContext ctx2;
  auto again = stub_->RouteStream(&ctx2);
  ASSERT_TRUE(again->Write(Batch(1)));
  ASSERT_TRUE(again->Read(&answer));
  EXPECT_EQ(answer.results_size(), 1);
  again->WritesDone();
  EXPECT_TRUE(again->Finish().ok());
}

// A client that never reads is cut off after ServiceOptions::
// stream_write_timeout (1 s here): the stream is cancelled, its answer and
// budget given back, and the client's call ends CANCELLED. Fault guarded:
// with no write limit a silent client (whose transport still answers
// pings) pinned its answer and its share of the budget for as long as its
// connection lived. The outcome is asserted, not the duration (60 s guard).
TEST_F(StreamMemoryTest, ASilentClientIsCancelledAfterTheWriteTimeout) {
  ServiceOptions o;
  o.stream_write_timeout = absl::Seconds(1);
  ASSERT_NO_FATAL_FAILURE(Start(o));
  ASSERT_NO_FATAL_FAILURE(OpenSilentStream(Batch(5000), address_));
  ASSERT_TRUE(WaitFor([&] { return service_->stream_stats().write_stalls == 1; }))
      << "answers waiting: " << service_->stream_stats().answers_waiting;
  ASSERT_TRUE(WaitFor([&] {
    const StreamStats t = service_->stream_stats();
    return t.open == 0 && t.answers_waiting == 0 && t.answer_bytes == 0;
  })) << "open " << service_->stream_stats().open;
  // When the client reads at last, the stream has ended (the status comes
  // after what was received: drain first).
  v1::DecisionBatch answer;
  while (streams_[0]->Read(&answer)) {
  }
  const grpc::Status st = streams_[0]->Finish();
  EXPECT_EQ(st.error_code(), grpc::StatusCode::CANCELLED) << st.error_message();
  // A client that reads is not affected: its answers leave at once.
  grpc::ClientContext ctx;
  auto stream = stub_->RouteStream(&ctx);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(stream->Write(Batch(100)));
    ASSERT_TRUE(stream->Read(&answer));
    EXPECT_EQ(answer.results_size(), 100);
  }
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_EQ(service_->stream_stats().write_stalls, 1);
}

}  // namespace
}  // namespace gridroute

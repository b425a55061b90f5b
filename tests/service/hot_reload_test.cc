// Copyright 2026 gridroute authors.
//
// Hot reload under continuous traffic: client threads route the same point
// without pause (unary Route from three threads, RouteStream batches from a
// fourth) while the main thread reloads 24 times over AdminService.Reload,
// alternating packs A and B and trying an invalid pack every third time.
// Asserts zero failed requests, that every answer is consistent with the
// snapshot it names (A routes the point to D2, B to D3; the generation maps
// to the version the reload reported), and that the invalid loads changed
// nothing.
//
// No timing: between two reloads the main thread waits (condition variable)
// until the clients have completed at least kCallsBetweenReloads more calls,
// so every snapshot serves traffic. Everything is bounded by counts.
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "service/service_fixture.h"

namespace gridroute {
namespace {

constexpr int kReloads = 24;
constexpr int kCallsBetweenReloads = 40;
constexpr int kUnaryThreads = 3;
constexpr int kStreamBatch = 16;

struct Shared {
  std::mutex mu;
  std::condition_variable cv;
  int64_t completed = 0;                        // calls (or stream items) answered OK
  int64_t failed = 0;                           // anything else
  std::vector<std::string> failures;            // first few, for the message
  std::map<uint64_t, std::string> seen;         // generation -> version as answered
  std::map<std::string, int64_t> per_version;   // answers per version
  bool stop = false;

  void Fail(const std::string& why) {
    std::lock_guard<std::mutex> l(mu);
    ++failed;
    if (failures.size() < 5) failures.push_back(why);
  }
  // Checks one answer: the lead must be the one of the version it names.
  void Answer(const v1::SnapshotRef& snap, const std::string& lead, int n) {
    const std::string expected = snap.version() == "A" ? "D2" : snap.version() == "B" ? "D3" : "?";
    std::lock_guard<std::mutex> l(mu);
    if (lead != expected) {
      ++failed;
      if (failures.size() < 5) {
        failures.push_back("version " + snap.version() + " answered lead " + lead);
      }
    }
    auto [it, inserted] = seen.emplace(snap.generation(), snap.version());
    if (!inserted && it->second != snap.version()) {
      ++failed;
      failures.push_back("generation " + std::to_string(snap.generation()) +
                         " named two versions");
    }
    per_version[snap.version()] += n;
    completed += n;
    cv.notify_all();
  }
  bool stopped() {
    std::lock_guard<std::mutex> l(mu);
    return stop;
  }
};

TEST(HotReloadTest, ZeroFailedRequestsAndEveryAnswerMatchesItsVersion) {
  const std::string pack_a = testing::WriteRoutingPack("A");
  // B: a grid rule for 0102 at g1 sends the same point to D3 instead of D2.
  const std::string pack_b =
      testing::WriteRoutingPack("B", "r-g1-0102,grid:g1,event,0102,D3,,*=1h,\n");
  const std::string bad =
      testing::WriteRoutingPack("BAD", "r-bad,city,event,0504,NO_SUCH_DEPT,,*=1h,\n");

  SnapshotStore store;
  ASSERT_TRUE(store.Load(pack_a).ok());
  testing::InProcessServer server(&store);
  Shared shared;

  std::vector<std::thread> clients;
  for (int t = 0; t < kUnaryThreads; ++t) {
    clients.emplace_back([&] {
      const v1::RouteRequest req = testing::HotlineReport(120.0008, 31.0008, "0102");
      uint64_t last_generation = 0;
      // Bounded: at most 1e6 calls even if the main thread never stops us.
      for (int i = 0; i < 1'000'000 && !shared.stopped(); ++i) {
        grpc::ClientContext ctx;
        v1::RouteResponse resp;
        grpc::Status s = server.routing->Route(&ctx, req, &resp);
        if (!s.ok()) {
          shared.Fail("Route: " + s.error_message());
          continue;
        }
        if (resp.snapshot().generation() < last_generation) shared.Fail("generation went back");
        last_generation = resp.snapshot().generation();
        shared.Answer(resp.snapshot(), resp.decision().lead().code(), 1);
      }
    });
  }
  clients.emplace_back([&] {
    grpc::ClientContext ctx;
    auto stream = server.routing->RouteStream(&ctx);
    v1::DetectionBatch batch;
    for (int i = 0; i < kStreamBatch; ++i) {
      v1::Detection* d = batch.add_detections();
      d->set_correlation_id(absl::StrCat("d", i));
      d->set_camera_id("cam-1");
      d->mutable_point()->set_x(120.0008);
      d->mutable_point()->set_y(31.0008);
      d->set_category("0102");
      testing::SetWednesday10am(d->mutable_frame_time());
    }
    v1::DecisionBatch out;
    for (int i = 0; i < 100'000 && !shared.stopped(); ++i) {
      if (!stream->Write(batch) || !stream->Read(&out)) {
        shared.Fail("stream broke");
        break;
      }
      if (out.results_size() != kStreamBatch) shared.Fail("stream: wrong batch size");
      for (int k = 0; k < out.results_size(); ++k) {
        const v1::DetectionResult& r = out.results(k);
        if (r.has_error()) shared.Fail("stream item: " + r.error().message());
        if (r.correlation_id() != absl::StrCat("d", k)) {
          shared.Fail("stream: correlation id out of order");
        }
        // All items of one batch come from one snapshot.
        shared.Answer(out.snapshot(), r.decision().lead().code(), 1);
      }
    }
    stream->WritesDone();
    grpc::Status s = stream->Finish();
    if (!s.ok()) shared.Fail("stream finish: " + s.error_message());
  });

  auto wait_for_traffic = [&] {
    std::unique_lock<std::mutex> l(shared.mu);
    const int64_t target = shared.completed + kCallsBetweenReloads;
    shared.cv.wait(l, [&] { return shared.completed >= target || shared.failed > 0; });
  };

  std::map<uint64_t, std::string> published;  // generation -> version, per Reload
  published[1] = "A";
  int ok_reloads = 0, rejected = 0;
  bool next_is_b = true;
  for (int i = 1; i <= kReloads; ++i) {
    wait_for_traffic();
    v1::ReloadRequest req;
    const bool invalid = i % 3 == 0;
    req.set_pack_dir(invalid ? bad : next_is_b ? pack_b : pack_a);
    grpc::ClientContext ctx;
    v1::ReloadResponse resp;
    grpc::Status s = server.admin->Reload(&ctx, req, &resp);
    if (invalid) {
      EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
      ++rejected;
    } else {
      ASSERT_TRUE(s.ok()) << s.error_message();
      EXPECT_EQ(resp.snapshot().version(), next_is_b ? "B" : "A");
      EXPECT_EQ(resp.previous().version(), next_is_b ? "A" : "B");
      published[resp.snapshot().generation()] = resp.snapshot().version();
      next_is_b = !next_is_b;
      ++ok_reloads;
    }
  }
  wait_for_traffic();
  {
    std::lock_guard<std::mutex> l(shared.mu);
    shared.stop = true;
  }
  for (std::thread& t : clients) t.join();

  EXPECT_EQ(ok_reloads, 16);
  EXPECT_EQ(rejected, 8);
  EXPECT_EQ(shared.failed, 0) << (shared.failures.empty() ? "" : shared.failures[0]);
  EXPECT_GT(shared.per_version["A"], 0);
  EXPECT_GT(shared.per_version["B"], 0);
  EXPECT_GE(shared.completed, (kReloads + 1) * kCallsBetweenReloads);
  // Every generation an answer named is one a reload published, with the
  // same version.
  for (const auto& [generation, version] : shared.seen) {
    ASSERT_TRUE(published.count(generation)) << generation;
    EXPECT_EQ(published[generation], version) << generation;
  }
  EXPECT_EQ(store.loads_failed(), 8);
}

}  // namespace
}  // namespace gridroute

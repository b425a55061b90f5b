// Copyright 2026 gridroute authors.
//
// Hot reload under continuous traffic, between pack directories and between
// compiled snapshot files: client threads route the same point
// without pause (unary Route from three threads, RouteStream batches from a
// fourth) while the main thread reloads 24 times over AdminService.Reload,
// alternating packs A and B and trying an invalid pack every third time.
// Asserts zero failed requests, that every answer is consistent with the
// snapshot it names (A routes the point to D2, B to D3; the generation maps
// to the version the reload reported), and that the invalid loads changed
// nothing.
//
// ReloadTimeoutTest: loads that hang (a loader blocked until the test
// releases it, standing in for a hung file system) time out into a failed
// reload while the old snapshot serves, a second reload meanwhile gets
// ABORTED at once, and Shutdown() releases a waiting load.
//
// No timing: between two reloads the main thread waits (condition variable)
// until the clients have completed at least kCallsBetweenReloads more calls,
// so every snapshot serves traffic. Everything is bounded by counts.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "gtest/gtest.h"
#include "service/service_fixture.h"
#include "snapshot/snapshot.h"

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

// B: a grid rule for 0102 at g1 sends the same point to D3 instead of D2.
constexpr char kRulesOfB[] = "r-g1-0102,grid:g1,event,0102,D3,,*=1h,\n";

// Serves `pack_a`, then reloads kReloads times under traffic, alternating
// `pack_b` and `pack_a` and trying `bad` (which must be refused with
// INVALID_ARGUMENT) every third time. The packs are directories or compiled
// snapshot files alike.
void ReloadUnderTraffic(const std::string& pack_a, const std::string& pack_b,
                        const std::string& bad) {
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

TEST(HotReloadTest, ZeroFailedRequestsAndEveryAnswerMatchesItsVersion) {
  ReloadUnderTraffic(
      testing::WriteRoutingPack("A"), testing::WriteRoutingPack("B", kRulesOfB),
      testing::WriteRoutingPack("BAD", "r-bad,city,event,0504,NO_SUCH_DEPT,,*=1h,\n"));
}

// The same between compiled snapshot files (`gridroute compile`); the
// refused one is a copy of B's file cut short by one byte.
TEST(HotReloadTest, BetweenSnapshotFilesZeroFailedRequests) {
  const std::string root = testing::MakeTempDir("hot_reload_grsnap");
  auto compile = [&](const std::string& dir, const std::string& name) {
    absl::StatusOr<std::shared_ptr<const Snapshot>> s = LoadPack(dir);
    EXPECT_TRUE(s.ok()) << s.status();
    const std::string out = root + "/" + name;
    EXPECT_TRUE(s.ok() && CompileSnapshot(**s, dir, out).ok()) << out;
    return out;
  };
  const std::string a = compile(testing::WriteRoutingPack("A"), "a.grsnap");
  const std::string b = compile(testing::WriteRoutingPack("B", kRulesOfB), "b.grsnap");
  const std::string bad = root + "/short.grsnap";
  std::filesystem::copy_file(b, bad);
  std::filesystem::resize_file(bad, std::filesystem::file_size(b) - 1);
  ReloadUnderTraffic(a, b, bad);
}

// Loads that hang. A loader stands in for a pack on a hung file system: it
// blocks, for one directory, until the test releases it. No timing: the
// blocked load never ends on its own, so a timeout always fires, and the
// test waits for events (entered, released), never for durations.
class BlockingLoader {
 public:
  explicit BlockingLoader(std::string block_dir) : block_dir_(std::move(block_dir)) {}
  absl::StatusOr<std::shared_ptr<const Snapshot>> Load(const std::string& dir,
                                                       const LoadOptions& o) {
    if (dir == block_dir_) {
      std::unique_lock<std::mutex> l(mu_);
      ++entered_;
      cv_.notify_all();
      cv_.wait(l, [&] { return released_; });
    }
    if (auto it = preloaded_.find(dir); it != preloaded_.end()) return it->second;
    return LoadPack(dir, o);
  }
  // Answers `dir` with this snapshot instead of loading it.
  void Preload(const std::string& dir) { preloaded_[dir] = *LoadPack(dir); }
  void WaitEntered(int n) {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return entered_ >= n; });
  }
  void Release() {
    std::lock_guard<std::mutex> l(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  const std::string block_dir_;
  // Filled before the store exists; read-only after.
  std::map<std::string, std::shared_ptr<const Snapshot>> preloaded_;
  std::mutex mu_;
  std::condition_variable cv_;
  int entered_ = 0;
  bool released_ = false;
};

SnapshotStoreOptions BlockingStore(std::shared_ptr<BlockingLoader> loader,
                                   absl::Duration timeout) {
  SnapshotStoreOptions o;
  o.load_timeout = timeout;
  o.load_pack = [loader](const std::string& dir, const LoadOptions& lo) {
    return loader->Load(dir, lo);
  };
  return o;
}



// Hang guard: true once the store's abandoned worker has ended.
bool WaitIdle(const SnapshotStore& store) {
  for (int i = 0; i < 60'000 && store.loading(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return !store.loading();
}

TEST(ReloadTimeoutTest, ALoadPastTheTimeoutFailsAndTheOldSnapshotKeepsServing) {
  const std::string pack_a = testing::WriteRoutingPack("A");
  const std::string stuck = testing::WriteRoutingPack("STUCK");
  auto loader = std::make_shared<BlockingLoader>(stuck);
  // Every load but the stuck one answers in microseconds: 1 s is ample.
  loader->Preload(pack_a);
  loader->Preload(stuck);
  SnapshotStore store(BlockingStore(loader, absl::Seconds(1)));
  ASSERT_TRUE(store.Load(pack_a).ok());

  absl::StatusOr<ReloadResult> r = store.Load(stuck);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded) << r.status();
  EXPECT_TRUE(absl::StrContains(r.status().message(), "took longer than the load timeout"));
  EXPECT_EQ(store.Current()->snapshot->manifest().version, "A");
  EXPECT_EQ(store.loads_failed(), 1);
  EXPECT_TRUE(absl::StrContains(store.last_error(), "took longer than the load timeout"));
  // The worker cannot be interrupted: until it ends, a reload is refused.
  EXPECT_TRUE(store.loading());
  r = store.Load(pack_a);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted) << r.status();
  EXPECT_TRUE(absl::StrContains(r.status().message(), "a reload is in progress"));
  EXPECT_TRUE(absl::StrContains(r.status().message(), "still running in the background"));

  // Once it ends, its result is dropped, and loads work again.
  loader->Release();
  ASSERT_TRUE(WaitIdle(store));
  EXPECT_EQ(store.Current()->snapshot->manifest().version, "A");
  r = store.Load(stuck);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->current->snapshot->manifest().version, "STUCK");
  EXPECT_EQ(r->current->generation, 2u);
}

// A pack file truncated while the reload reads it (an operator rewriting
// the pack in place): the load fails with an error naming the file, and the
// old snapshot keeps serving. Fault guarded: teams.csv and components.csv
// were mmapped; the truncation raised SIGBUS in the parse and killed the
// server. The hook truncates teams.csv once, after it was opened and sized.
std::atomic<bool> truncate_teams{false};
void TruncateTeamsOnce(const std::string& path) {
  if (!absl::EndsWith(path, "/teams.csv") || !truncate_teams.exchange(false)) return;
  ASSERT_EQ(::truncate(path.c_str(), 0), 0);  // mapped, its first page raised SIGBUS
}

TEST(ReloadTruncatedFileTest, TheLoadFailsNamingTheFileAndTheOldSnapshotKeepsServing) {
  const std::string pack_a = testing::WriteRoutingPack("A");
  const std::string pack_b = testing::WriteRoutingPack("B");
  absl::StatusOr<std::string> teams = ReadFile(pack_b + "/teams.csv");
  ASSERT_TRUE(teams.ok()) << teams.status();
  SnapshotStore store;
  ASSERT_TRUE(store.Load(pack_a).ok());
  truncate_teams = true;
  SetOpenHookForTest(&TruncateTeamsOnce);
  absl::StatusOr<ReloadResult> r = store.Load(pack_b);
  SetOpenHookForTest(nullptr);
  EXPECT_FALSE(truncate_teams.load()) << "the hook never saw teams.csv";
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::StrContains(r.status().message(), pack_b + "/teams.csv")) << r.status();
  EXPECT_EQ(store.Current()->snapshot->manifest().version, "A");
  testing::InProcessServer server(&store, ServiceOptions());
  grpc::ClientContext ctx;
  v1::RouteResponse resp;
  ASSERT_TRUE(server.routing->Route(&ctx, testing::HotlineReport(120.0005, 31.0005, "0102"), &resp)
                  .ok());
  EXPECT_EQ(resp.snapshot().version(), "A");
  // The file back whole: the same reload succeeds.
  testing::WriteText(pack_b + "/teams.csv", *teams);
  r = store.Load(pack_b);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(store.Current()->snapshot->manifest().version, "B");
}

TEST(ReloadTimeoutTest, ASecondReloadWhileOneRunsIsAbortedAtOnce) {
  const std::string pack_a = testing::WriteRoutingPack("A");
  const std::string slow = testing::WriteRoutingPack("B");
  auto loader = std::make_shared<BlockingLoader>(slow);
  SnapshotStore store(BlockingStore(loader, absl::Minutes(10)));
  ASSERT_TRUE(store.Load(pack_a).ok());
  testing::InProcessServer server(&store);

  absl::StatusOr<ReloadResult> first = absl::UnknownError("not run");
  std::thread t([&] { first = store.Load(slow); });
  loader->WaitEntered(1);
  // The store, and the Reload RPC, answer at once instead of queueing.
  EXPECT_EQ(store.Load(pack_a).status().code(), absl::StatusCode::kAborted);
  grpc::ClientContext ctx;
  v1::ReloadRequest req;
  v1::ReloadResponse resp;
  const grpc::Status s = server.admin->Reload(&ctx, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED) << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "a reload is in progress")) << s.error_message();
  // Routing goes on, on the old snapshot.
  grpc::ClientContext rctx;
  v1::RouteResponse route;
  ASSERT_TRUE(server.routing->Route(&rctx, testing::HotlineReport(120.0008, 31.0008, "0102"),
                                    &route)
                  .ok());
  EXPECT_EQ(route.snapshot().version(), "A");
  loader->Release();
  t.join();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(store.Current()->snapshot->manifest().version, "B");
  EXPECT_EQ(store.loads_failed(), 0);
}

TEST(ReloadTimeoutTest, ShutdownReleasesAWaitingLoadAtOnce) {
  const std::string pack_a = testing::WriteRoutingPack("A");
  const std::string stuck = testing::WriteRoutingPack("STUCK");
  auto loader = std::make_shared<BlockingLoader>(stuck);
  SnapshotStore store(BlockingStore(loader, absl::InfiniteDuration()));
  ASSERT_TRUE(store.Load(pack_a).ok());
  absl::StatusOr<ReloadResult> r = absl::UnknownError("not run");
  std::thread t([&] { r = store.Load(stuck); });
  loader->WaitEntered(1);
  store.Shutdown();
  t.join();  // would never return without Shutdown(): the load never ends
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
  EXPECT_EQ(store.Load(pack_a).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store.Current()->snapshot->manifest().version, "A");
  loader->Release();  // the abandoned worker ends; it holds nothing of the store
  ASSERT_TRUE(WaitIdle(store));
}

}  // namespace
}  // namespace gridroute

// Copyright 2026 gridroute authors.
//
// CaseDesk group commit: concurrent Intake calls share fdatasyncs, every
// acknowledged report is in the journal after reopening it, a failed sync
// refuses its group and every batch decided after it (and rolls them back),
// and IntakeAsync answers from the commit thread. No timing assertions: the
// "several batches in one sync" case holds the first sync in a JournalEnv
// until the others have queued.
#include <errno.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "intake/case_desk.h"
#include "journal/journal_env.h"
#include "service/service_fixture.h"
#include "service/snapshot_store.h"
#include "testing/report_slot.h"

// Every operator new in this binary is counted (the allocation test). Not
// under AddressSanitizer: it replaces new/delete itself, and memory from
// its operator new must not reach our free().
std::atomic<uint64_t> g_news{0};
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kCountingNew = false;
#else
constexpr bool kCountingNew = true;
// (malloc/free behind new/delete: GCC's -Wmismatched-new-delete cannot see
// that the pair is consistent, so it is silenced for these definitions.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(size_t n) {
  g_news.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop
#endif

namespace gridroute {
namespace {

// Counts data syncs; the first `hold` of them wait until Release(); the
// next `fail` ones fail with EIO.
class GateEnv : public JournalEnv {
 public:
  int Sync(int fd) override {
    std::unique_lock<std::mutex> l(mu_);
    const int n = ++syncs_;
    cv_.notify_all();
    if (n <= hold_) cv_.wait(l, [&] { return released_; });
    if (fail_ > 0) {
      --fail_;
      errno = EIO;
      return -1;
    }
    l.unlock();
    return JournalEnv::Sync(fd);
  }
  void Hold(int n) {
    std::lock_guard<std::mutex> l(mu_);
    hold_ = n;
  }
  void FailNext(int n) {
    std::lock_guard<std::mutex> l(mu_);
    fail_ = n;
  }
  void WaitForSyncs(int n) {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return syncs_ >= n; });
  }
  void Release() {
    std::lock_guard<std::mutex> l(mu_);
    released_ = true;
    cv_.notify_all();
  }
  int syncs() {
    std::lock_guard<std::mutex> l(mu_);
    return syncs_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int syncs_ = 0, hold_ = 0, fail_ = 0;
  bool released_ = false;
};

// A report of event 0102 at point number `spot` (spots 1 km apart: each its
// own case; the same spot folds within the 60-minute window).
void MakeSlot(int spot, int minute, ReportSlot* slot) {
  static const absl::TimeZone kCity = absl::FixedTimeZone(8 * 3600);
  testing::EventReportSlot(120.0 + 0.01 * (spot % 100), 31.0 + 0.01 * (spot / 100),
                           absl::FromCivil(absl::CivilMinute(2026, 11, 27, 10, minute), kCity),
                           slot);
}

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pack_ = testing::WriteRoutingPack("A");
    ASSERT_TRUE(store_.Load(pack_).ok());
    journal_dir_ = testing::MakeTempDir("group_commit") + "/journal";
  }
  void Open(JournalEnv* env = nullptr, uint64_t compact_after_bytes = uint64_t{256} << 20) {
    CaseDeskOptions o;
    o.journal_dir = journal_dir_;
    o.journal.env = env;
    o.log = [](absl::string_view) {};
    o.now = [this] { return absl::FromUnixNanos(clock_ns_.load()); };
    o.compact_after_bytes = compact_after_bytes;
    std::shared_ptr<const ServedSnapshot> s = store_.Current();
    absl::StatusOr<std::unique_ptr<CaseDesk>> d = CaseDesk::Open(o, *s->snapshot, s->pack_dir);
    ASSERT_TRUE(d.ok()) << d.status();
    desk_ = *std::move(d);
  }
  // One Intake of the reports at `spots`.
  absl::Status IntakeSpots(const std::vector<int>& spots, int minute,
                           std::vector<CaseOutcome>* out,
                           absl::Time deadline = absl::InfiniteFuture()) {
    std::vector<ReportSlot> slots(spots.size());
    for (size_t i = 0; i < spots.size(); ++i) MakeSlot(spots[i], minute, &slots[i]);
    return desk_->Intake(slots, out, deadline);
  }
  absl::Time Clock() const { return absl::FromUnixNanos(clock_ns_.load()); }
  void Advance(absl::Duration d) { clock_ns_ += absl::ToInt64Nanoseconds(d); }
  void WaitQueued(size_t n) {
    while (desk_->info().queued_batches < n) std::this_thread::yield();
  }

  std::string pack_;
  SnapshotStore store_;
  std::string journal_dir_;
  std::unique_ptr<CaseDesk> desk_;
  // The desk's clock (deadlines, receive times): 2026-11-27 10:30 +08:00.
  std::atomic<int64_t> clock_ns_{absl::ToUnixNanos(absl::FromCivil(
      absl::CivilMinute(2026, 11, 27, 10, 30), absl::FixedTimeZone(8 * 3600)))};
};

TEST_F(GroupCommitTest, EveryAcknowledgedReportSurvivesReopen) {
  ASSERT_NO_FATAL_FAILURE(Open());
  constexpr int kThreads = 8, kCalls = 40;
  std::mutex mu;
  std::map<std::string, int64_t> acked;  // case id -> highest count acknowledged
  int64_t acked_reports = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<CaseOutcome> out;
      for (int c = 0; c < kCalls; ++c) {
        // Three reports at the thread's spot of this call (a new case and
        // two folds) and one at a spot shared by all threads (folds across
        // threads and batches).
        const int spot = 1 + t * kCalls + c;
        absl::Status s = IntakeSpots({spot, spot, 0, spot}, c % 50, &out);
        ASSERT_TRUE(s.ok()) << s;
        ASSERT_EQ(out.size(), 4u);
        std::lock_guard<std::mutex> l(mu);
        for (const CaseOutcome& o : out) {
          ASSERT_TRUE(o.status.ok()) << o.status;
          int64_t& n = acked[o.case_id];
          n = std::max(n, o.report_count);
          ++acked_reports;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const CaseDesk::Info info = desk_->info();
  EXPECT_EQ(info.intake_batches, uint64_t{kThreads * kCalls});
  EXPECT_LE(info.commit_groups, info.intake_batches);
  EXPECT_EQ(info.journal.fsyncs, info.commit_groups);
  desk_.reset();

  ASSERT_NO_FATAL_FAILURE(Open());
  int64_t total = 0;
  for (const auto& [id, count] : acked) {
    CaseView c;
    ASSERT_TRUE(desk_->Get(id, &c).ok()) << id << " acknowledged but not restored";
    EXPECT_EQ(c.report_count, count) << id;
    total += c.report_count;
  }
  EXPECT_EQ(total, acked_reports);
  EXPECT_EQ(desk_->info().cases, acked.size());
}

TEST_F(GroupCommitTest, ConcurrentIntakesShareOneSync) {
  GateEnv env;
  env.Hold(1);
  ASSERT_NO_FATAL_FAILURE(Open(&env));
  std::vector<CaseOutcome> first;
  std::thread leader([&] { EXPECT_TRUE(IntakeSpots({1}, 0, &first).ok()); });
  env.WaitForSyncs(1);  // the commit thread is inside the first fdatasync
  constexpr int kFollowers = 7;
  std::vector<std::thread> followers;
  std::vector<std::vector<CaseOutcome>> outs(kFollowers);
  for (int i = 0; i < kFollowers; ++i) {
    followers.emplace_back([&, i] { EXPECT_TRUE(IntakeSpots({10 + i, 1}, 1, &outs[i]).ok()); });
  }
  WaitQueued(kFollowers);  // all applied, waiting for the next group
  env.Release();
  leader.join();
  for (std::thread& t : followers) t.join();
  const CaseDesk::Info info = desk_->info();
  EXPECT_EQ(info.intake_batches, uint64_t{1 + kFollowers});
  EXPECT_EQ(info.commit_groups, 2u);
  EXPECT_EQ(info.journal.fsyncs, 2u);
  EXPECT_EQ(env.syncs(), 2);
  EXPECT_LT(env.syncs(), 1 + kFollowers);
  // Spot 1 was filed by the first call and folded by each follower.
  std::vector<int64_t> counts;
  for (const auto& o : outs) {
    EXPECT_TRUE(o[1].folded);
    EXPECT_EQ(o[1].case_id, first[0].case_id);
    counts.push_back(o[1].report_count);
  }
  std::sort(counts.begin(), counts.end());
  for (int i = 0; i < kFollowers; ++i) EXPECT_EQ(counts[i], i + 2);
}

TEST_F(GroupCommitTest, FailedSyncRefusesItsGroupAndEveryBatchDecidedAfter) {
  GateEnv env;
  env.Hold(1);
  env.FailNext(1);
  ASSERT_NO_FATAL_FAILURE(Open(&env));
  std::vector<CaseOutcome> a, b;
  absl::Status sa, sb;
  std::thread ta([&] { sa = IntakeSpots({1}, 0, &a); });
  env.WaitForSyncs(1);
  // Decided while the first batch is being synced: folds into its case.
  std::thread tb([&] { sb = IntakeSpots({1, 2}, 1, &b); });
  WaitQueued(1);
  env.Release();
  ta.join();
  tb.join();
  EXPECT_EQ(sa.code(), absl::StatusCode::kUnavailable) << sa;
  EXPECT_EQ(sb.code(), absl::StatusCode::kUnavailable) << sb;
  EXPECT_TRUE(absl::StrContains(sa.message(), "could not be made durable")) << sa;
  EXPECT_TRUE(absl::StrContains(sb.message(), "earlier batch")) << sb;
  EXPECT_EQ(desk_->info().cases, 0u);  // both rolled back

  std::vector<CaseOutcome> c;
  ASSERT_TRUE(IntakeSpots({1}, 2, &c).ok());
  EXPECT_FALSE(c[0].folded);
  EXPECT_EQ(c[0].report_count, 1);
  const std::string id = c[0].case_id;
  desk_.reset();
  ASSERT_NO_FATAL_FAILURE(Open());
  EXPECT_EQ(desk_->info().cases, 1u);
  CaseView v;
  ASSERT_TRUE(desk_->Get(id, &v).ok());
  EXPECT_EQ(v.report_count, 1);
}

TEST_F(GroupCommitTest, IntakeAsyncAnswersOnceDurable) {
  ASSERT_NO_FATAL_FAILURE(Open());
  std::vector<ReportSlot> slots(2);
  MakeSlot(5, 0, &slots[0]);
  MakeSlot(5, 1, &slots[1]);
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::vector<CaseOutcome> got;
  desk_->IntakeAsync(slots, [&](const absl::Status& s, const std::vector<CaseOutcome>& out) {
    EXPECT_TRUE(s.ok()) << s;
    std::lock_guard<std::mutex> l(mu);
    got = out;
    done = true;
    cv.notify_one();
  });
  std::unique_lock<std::mutex> l(mu);
  cv.wait(l, [&] { return done; });
  l.unlock();
  EXPECT_EQ(desk_->info().journal.fsyncs, 1u);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_FALSE(got[0].folded);
  EXPECT_TRUE(got[1].folded);
  EXPECT_EQ(got[1].case_id, got[0].case_id);
  EXPECT_EQ(got[1].report_count, 2);
}

// Issue 17: a RouteBatch whose deadline had passed was still filed (8,697
// cases for a 10,000-report batch with a 50 ms deadline). A batch whose
// deadline passes before its journal write begins is not filed: here it
// waits behind a group held in its fdatasync while the clock passes its
// deadline; it is undone, the batch decided after it (which folded into
// its case) is decided again and filed on its own, and a reopen shows
// exactly the acknowledged cases.
TEST_F(GroupCommitTest, ABatchWhoseDeadlinePassedBeforeItsWriteIsNotFiled) {
  GateEnv env;
  env.Hold(1);
  ASSERT_NO_FATAL_FAILURE(Open(&env));
  // Already late when it arrives: refused at once, nothing applied.
  std::vector<CaseOutcome> late;
  absl::Status st = IntakeSpots({7}, 0, &late, Clock());
  EXPECT_EQ(st.code(), absl::StatusCode::kDeadlineExceeded) << st;
  EXPECT_EQ(desk_->info().cases, 0u);

  std::vector<CaseOutcome> a, b, c;
  absl::Status sa, sb, sc;
  std::thread ta([&] { sa = IntakeSpots({1}, 0, &a); });
  env.WaitForSyncs(1);  // a's group is in its fdatasync
  const absl::Time deadline = Clock() + absl::Seconds(10);
  std::thread tb([&] { sb = IntakeSpots({2, 3}, 1, &b, deadline); });
  WaitQueued(1);
  std::thread tc([&] { sc = IntakeSpots({2}, 2, &c); });  // folds into b's spot-2 case
  WaitQueued(2);
  EXPECT_EQ(desk_->info().cases, 3u);  // applied (c folded into b's), not yet durable
  Advance(absl::Seconds(11));          // b's deadline passes while it waits
  env.Release();
  ta.join();
  tb.join();
  tc.join();
  ASSERT_TRUE(sa.ok()) << sa;
  EXPECT_EQ(sb.code(), absl::StatusCode::kDeadlineExceeded) << sb;
  EXPECT_TRUE(absl::StrContains(sb.message(), "nothing of it was filed")) << sb;
  ASSERT_TRUE(sc.ok()) << sc;
  ASSERT_EQ(c.size(), 1u);
  EXPECT_FALSE(c[0].folded);  // b's case is gone: c files its own
  EXPECT_EQ(c[0].report_count, 1);
  EXPECT_EQ(desk_->info().cases, 2u);
  const std::string a_id = a[0].case_id, c_id = c[0].case_id;
  desk_.reset();
  ASSERT_NO_FATAL_FAILURE(Open());
  EXPECT_EQ(desk_->info().cases, 2u);
  CaseView v;
  ASSERT_TRUE(desk_->Get(a_id, &v).ok());
  ASSERT_TRUE(desk_->Get(c_id, &v).ok());
  EXPECT_EQ(v.report_count, 1);
}

// A re-sent report (same key) is answered with the first answer, and never
// before that first answer is durable: while the first report's group is
// in its fdatasync the duplicate waits in the queue, and when that sync
// fails the duplicate is refused with it. Keys survive a reopen, also from
// a compacted journal.
TEST_F(GroupCommitTest, ADuplicateIsAnsweredOnlyOnceItsFirstReportIsDurable) {
  GateEnv env;
  env.Hold(1);
  ASSERT_NO_FATAL_FAILURE(Open(&env, /*compact_after_bytes=*/1));
  auto keyed = [&](const std::string& key, int spot, std::vector<CaseOutcome>* out) {
    std::vector<ReportSlot> slots(1);
    MakeSlot(spot, 0, &slots[0]);
    slots[0].report.key = key;
    return desk_->Intake(slots, out);
  };
  std::vector<CaseOutcome> a, b;
  absl::Status sa, sb;
  std::thread ta([&] { sa = keyed("det-1", 1, &a); });
  env.WaitForSyncs(1);
  std::thread tb([&] { sb = keyed("det-1", 1, &b); });
  WaitQueued(1);  // the duplicate waits for the first report's sync
  env.Release();
  ta.join();
  tb.join();
  ASSERT_TRUE(sa.ok() && sb.ok()) << sa << sb;
  EXPECT_FALSE(a[0].duplicate);
  EXPECT_TRUE(b[0].duplicate);
  EXPECT_EQ(b[0].case_id, a[0].case_id);
  EXPECT_FALSE(b[0].folded);
  EXPECT_EQ(b[0].report_count, 1);
  // Once durable, a duplicate is answered at once (nothing to wait for).
  const uint64_t groups = desk_->info().commit_groups;
  ASSERT_TRUE(keyed("det-1", 1, &b).ok());
  EXPECT_TRUE(b[0].duplicate);
  EXPECT_EQ(desk_->info().commit_groups, groups);
  CaseView v;
  ASSERT_TRUE(desk_->Get(a[0].case_id, &v).ok());
  EXPECT_EQ(v.report_count, 1);
  EXPECT_GT(desk_->info().journal.compactions, 0u);
  desk_.reset();
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_TRUE(keyed("det-1", 1, &b).ok());
  EXPECT_TRUE(b[0].duplicate);
  EXPECT_EQ(b[0].case_id, a[0].case_id);
}

TEST_F(GroupCommitTest, ADuplicateOfAReportWhoseSyncFailedIsRefusedWithIt) {
  GateEnv env;
  env.Hold(1);
  env.FailNext(1);
  ASSERT_NO_FATAL_FAILURE(Open(&env));
  auto keyed = [&](std::vector<CaseOutcome>* out) {
    std::vector<ReportSlot> slots(1);
    MakeSlot(1, 0, &slots[0]);
    slots[0].report.key = "ticket-9";
    slots[0].report.source = ReportSource::kHotline;
    slots[0].report.source_id = "";
    return desk_->Intake(slots, out);
  };
  std::vector<CaseOutcome> a, b;
  absl::Status sa, sb;
  std::thread ta([&] { sa = keyed(&a); });
  env.WaitForSyncs(1);
  std::thread tb([&] { sb = keyed(&b); });
  WaitQueued(1);
  env.Release();
  ta.join();
  tb.join();
  EXPECT_EQ(sa.code(), absl::StatusCode::kUnavailable) << sa;
  EXPECT_EQ(sb.code(), absl::StatusCode::kUnavailable) << sb;
  // Never filed: sent again, it is filed now (not a duplicate).
  ASSERT_TRUE(keyed(&b).ok());
  EXPECT_FALSE(b[0].duplicate);
  EXPECT_EQ(desk_->info().cases, 1u);
}

// Folding reports into open cases allocates nothing once the desk's and
// the journal's buffers are warm (neither per report nor per batch).
TEST_F(GroupCommitTest, FoldsAllocateNothingPerReport) {
  if (!kCountingNew) GTEST_SKIP() << "allocations are not counted under AddressSanitizer";
  ASSERT_NO_FATAL_FAILURE(Open());
  constexpr int kReports = 256, kBatches = 10;
  std::vector<ReportSlot> slots(kReports);
  std::vector<CaseOutcome> out;
  for (int i = 0; i < kReports; ++i) MakeSlot(i % 8, 0, &slots[i]);  // 8 cases
  for (int warm = 0; warm < 3; ++warm) ASSERT_TRUE(desk_->Intake(slots, &out).ok());
  const uint64_t before = g_news.load();
  for (int b = 0; b < kBatches; ++b) {
    for (int i = 0; i < kReports; ++i) MakeSlot(i % 8, 1 + b, &slots[i]);
    ASSERT_TRUE(desk_->Intake(slots, &out).ok());
  }
  const uint64_t per_batch = (g_news.load() - before) / kBatches;
  EXPECT_EQ(per_batch, 0u) << "allocations per batch of " << kReports << " folds";
  EXPECT_TRUE(out[0].folded);
  EXPECT_EQ(out[kReports - 1].report_count, 3 * kReports / 8 + (kBatches * kReports) / 8);
}

}  // namespace
}  // namespace gridroute

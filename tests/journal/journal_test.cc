// Copyright 2026 gridroute authors.
//
// Journal: replay equals what was acknowledged, group commit, rotation, torn
// tails at every byte, corruption, compaction with crashes at every step,
// unwritable directories and a full disk (injected, and a real RLIMIT_FSIZE).
#include "journal/journal.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "common/crc32c.h"

namespace gridroute {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// ---------------------------------------------------------------- CRC32C

TEST(Crc32cTest, KnownVectors) {
  // RFC 3720 (iSCSI) B.4 and the classic check value.
  EXPECT_EQ(Crc32c("123456789", 9), 0xE3069283u);
  std::string zeros(32, '\0'), ones(32, '\xff'), inc(32, 0), dec(32, 0);
  for (int i = 0; i < 32; ++i) {
    inc[i] = static_cast<char>(i);
    dec[i] = static_cast<char>(31 - i);
  }
  EXPECT_EQ(Crc32c(zeros.data(), 32), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(ones.data(), 32), 0x62A8AB43u);
  EXPECT_EQ(Crc32c(inc.data(), 32), 0x46DD794Eu);
  EXPECT_EQ(Crc32c(dec.data(), 32), 0x113FDB5Cu);
  EXPECT_EQ(Crc32c("", 0), 0u);
}

TEST(Crc32cTest, HardwareAndTableAgreeAndExtendComposes) {
  std::mt19937_64 rng(7);
  std::string data(4096 + 13, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  for (size_t start = 0; start < 9; ++start) {
    for (size_t n : {0, 1, 7, 8, 9, 63, 64, 65, 1000, 4096}) {
      const char* p = data.data() + start;
      uint32_t table = internal::Crc32cPortable(0, p, n);
      if (internal::Crc32cHardwareAvailable()) {
        EXPECT_EQ(internal::Crc32cHardware(0, p, n), table)
            << start << " " << n;
      }
      EXPECT_EQ(Crc32c(p, n), table);
      for (size_t cut : {size_t{0}, n / 3, n}) {
        EXPECT_EQ(Crc32cExtend(Crc32c(p, cut), p + cut, n - cut), table);
      }
    }
  }
  EXPECT_EQ(internal::Crc32cPortable(0, "123456789", 9), 0xE3069283u);
}

// ---------------------------------------------------------------- helpers

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/journal_test.XXXXXX";
    char* d = ::mkdtemp(tmpl);
    EXPECT_NE(d, nullptr);
    path_ = d;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct Rec {
  uint64_t seq;
  std::string payload;
  bool operator==(const Rec& o) const {
    return seq == o.seq && payload == o.payload;
  }
};

std::ostream& operator<<(std::ostream& os, const Rec& r) {
  return os << "{" << r.seq << ", " << r.payload << "}";
}

struct Opened {
  std::unique_ptr<Journal> journal;
  std::vector<Rec> replayed;
};

Opened OpenOrDie(const std::string& dir, JournalOptions options = {}) {
  Opened o;
  auto j = Journal::Open(dir, options, [&](uint64_t seq, std::string_view p) {
    o.replayed.push_back({seq, std::string(p)});
    return absl::OkStatus();
  });
  EXPECT_TRUE(j.ok()) << j.status();
  if (j.ok()) o.journal = std::move(*j);
  return o;
}

// Replays `dir` (then closes it).
absl::StatusOr<std::vector<Rec>> ReplayAll(const std::string& dir) {
  std::vector<Rec> out;
  auto j = Journal::Open(dir, {}, [&](uint64_t seq, std::string_view p) {
    out.push_back({seq, std::string(p)});
    return absl::OkStatus();
  });
  if (!j.ok()) return j.status();
  return out;
}

std::vector<std::string> Files(const std::string& dir,
                               const std::string& suffix) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string n = e.path().filename().string();
    if (n.size() >= suffix.size() &&
        n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(e.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

void CopyDir(const std::string& from, const std::string& to) {
  fs::remove_all(to);
  fs::create_directories(to);
  for (const auto& e : fs::directory_iterator(from)) {
    if (!e.is_regular_file() || e.path().filename() == "LOCK") continue;
    fs::copy_file(e.path(), to + "/" + e.path().filename().string());
  }
}

void FlipByte(const std::string& path, uint64_t offset) {
  int fd = ::open(path.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  char c;
  ASSERT_EQ(::pread(fd, &c, 1, offset), 1);
  c ^= 0x5A;
  ASSERT_EQ(::pwrite(fd, &c, 1, offset), 1);
  ::close(fd);
}

std::vector<std::string_view> Views(const std::vector<std::string>& v) {
  return std::vector<std::string_view>(v.begin(), v.end());
}

constexpr uint64_t kHeader = 16;

// ---------------------------------------------------------------- basics

TEST(JournalTest, AppendReopenReplayEqual) {
  TempDir t;
  std::vector<Rec> expected;
  {
    Opened o = OpenOrDie(t.path());
    EXPECT_TRUE(o.replayed.empty());
    EXPECT_EQ(o.journal->next_seq(), 1u);
    for (int b = 0; b < 20; ++b) {
      std::vector<std::string> batch;
      for (int i = 0; i <= b % 4; ++i)
        batch.push_back(absl::StrCat("batch ", b, " rec ", i));
      if (b == 7) batch.push_back("");  // empty payloads are records too
      if (b == 9)
        batch.push_back(std::string(100000, 'x'));  // larger than a page
      auto seq = o.journal->Append(Views(batch));
      ASSERT_TRUE(seq.ok()) << seq.status();
      EXPECT_EQ(*seq, expected.size() + 1);
      for (const auto& p : batch) expected.push_back({expected.size() + 1, p});
    }
    EXPECT_EQ(o.journal->next_seq(), expected.size() + 1);
    Journal::Stats s = o.journal->stats();
    EXPECT_EQ(s.records, expected.size());
    EXPECT_EQ(s.batches, 20u);
    EXPECT_EQ(s.fsyncs, 20u);  // one thread: nothing to group
    EXPECT_EQ(s.segments, 1u);
  }
  Opened o = OpenOrDie(t.path());
  EXPECT_EQ(o.replayed, expected);
  EXPECT_EQ(o.journal->stats().replayed, expected.size());
  EXPECT_EQ(o.journal->stats().dropped_tail_bytes, 0u);
  auto seq = o.journal->Append({"after reopen"});
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq, expected.size() + 1);
  o.journal.reset();
  expected.push_back({expected.size() + 1, "after reopen"});
  EXPECT_EQ(*ReplayAll(t.path()), expected);
}

TEST(JournalTest, RejectsBadBatches) {
  TempDir t;
  Opened o = OpenOrDie(t.path());
  auto empty = o.journal->Append({});
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  std::string big(Journal::kMaxRecordBytes + 1, 'b');
  auto too_big = o.journal->Append({"ok", big});
  EXPECT_EQ(too_big.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(too_big.status().message(), HasSubstr("record 1"));
  EXPECT_EQ(o.journal->next_seq(), 1u);  // nothing consumed a seq
}

TEST(JournalTest, ReplayErrorFailsOpen) {
  TempDir t;
  { ASSERT_TRUE(OpenOrDie(t.path()).journal->Append({"a", "b", "c"}).ok()); }
  auto j = Journal::Open(t.path(), {}, [](uint64_t seq, std::string_view) {
    return seq == 2 ? absl::InvalidArgumentError("bad case record")
                    : absl::OkStatus();
  });
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(j.status().message(), HasSubstr("seq 2"));
  EXPECT_THAT(j.status().message(), HasSubstr("bad case record"));
}

TEST(JournalTest, SecondOpenOfSameDirectoryIsRefused) {
  TempDir t;
  Opened o = OpenOrDie(t.path());
  auto second = Journal::Open(t.path(), {}, [](uint64_t, std::string_view) {
    return absl::OkStatus();
  });
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.status().message(), HasSubstr("in use"));
}

TEST(JournalTest, UnwritableDirectoryIsAClearError) {
  TempDir t;
  // A path below a regular file cannot be created, even by root.
  std::string file = t.sub("plain_file");
  {
    std::FILE* f = std::fopen(file.c_str(), "w");
    std::fclose(f);
  }
  std::string dir = file + "/journal";
  auto j = Journal::Open(
      dir, {}, [](uint64_t, std::string_view) { return absl::OkStatus(); });
  ASSERT_FALSE(j.ok());
  EXPECT_THAT(j.status().message(), HasSubstr(dir));
  EXPECT_THAT(j.status().message(), HasSubstr("cannot be created"));

  // The path is a file, not a directory.
  auto k = Journal::Open(
      file, {}, [](uint64_t, std::string_view) { return absl::OkStatus(); });
  ASSERT_FALSE(k.ok());
  EXPECT_THAT(k.status().message(), HasSubstr(file));

  // Permissions (meaningless for root, who bypasses them).
  if (::geteuid() != 0) {
    std::string ro = t.sub("readonly");
    fs::create_directories(ro);
    ::chmod(ro.c_str(), 0500);
    auto r = Journal::Open(
        ro, {}, [](uint64_t, std::string_view) { return absl::OkStatus(); });
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied);
    EXPECT_THAT(r.status().message(), HasSubstr(ro));
    ::chmod(ro.c_str(), 0700);
  }
}

// ---------------------------------------------------------------- concurrency

void ConcurrentAppends(int max_batch_wait_us) {
  TempDir t;
  constexpr int kThreads = 8, kPerThread = 150;
  std::mutex mu;
  std::map<uint64_t, std::string>
      acked;  // seq -> payload, from Append's answers
  Journal::Stats stats;
  {
    JournalOptions options;
    options.segment_bytes = 16 << 10;  // rotate while appending concurrently
    options.max_batch_wait_us = max_batch_wait_us;
    Opened o = OpenOrDie(t.path(), options);
    std::vector<std::thread> threads;
    for (int t_i = 0; t_i < kThreads; ++t_i) {
      threads.emplace_back([&, t_i] {
        for (int k = 0; k < kPerThread; ++k) {
          std::vector<std::string> batch;
          for (int r = 0; r <= (t_i + k) % 4; ++r)
            batch.push_back(absl::StrCat(t_i, "/", k, "/", r));
          auto seq = o.journal->Append(Views(batch));
          ASSERT_TRUE(seq.ok()) << seq.status();
          std::lock_guard<std::mutex> l(mu);
          for (size_t r = 0; r < batch.size(); ++r) {
            ASSERT_TRUE(acked.emplace(*seq + r, batch[r]).second)
                << "seq given twice";
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    stats = o.journal->stats();
  }
  EXPECT_EQ(stats.batches, uint64_t{kThreads * kPerThread});
  EXPECT_EQ(stats.records, acked.size());
  EXPECT_LE(stats.fsyncs, stats.batches);
  EXPECT_EQ(stats.fsyncs, stats.groups);
  EXPECT_GT(stats.segments, 1u);
  auto replayed = ReplayAll(t.path());
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  ASSERT_EQ(replayed->size(), acked.size());
  uint64_t want = 1;
  for (const Rec& r : *replayed) {
    ASSERT_EQ(r.seq, want++);  // dense, increasing, each once
    EXPECT_EQ(r.payload, acked[r.seq]);
  }
}

TEST(JournalTest, ConcurrentAppendsReplayedOnceInSeqOrder) {
  ConcurrentAppends(0);
}

TEST(JournalTest, ConcurrentAppendsWithBatchWaitReplayedOnceInSeqOrder) {
  ConcurrentAppends(500);
}

// Holds the first commit leader until every thread's batch is queued, so the
// group is known without any timing: N batches, one write, one fsync.
class HoldLeaderEnv : public JournalEnv {
 public:
  explicit HoldLeaderEnv(uint64_t wait_for) : wait_for_(wait_for) {}
  void Hook(const char* point) override {
    if (std::strcmp(point, "commit:gather") != 0 || held_.exchange(true))
      return;
    while (journal.load()->stats().queued_batches < wait_for_)
      std::this_thread::yield();
  }
  std::atomic<Journal*> journal{nullptr};

 private:
  const uint64_t wait_for_;
  std::atomic<bool> held_{false};
};

TEST(JournalTest, GroupCommitOneFsyncCoversEveryWaitingBatch) {
  TempDir t;
  constexpr int kThreads = 8;
  HoldLeaderEnv env(kThreads);
  JournalOptions options;
  options.env = &env;
  Opened o = OpenOrDie(t.path(), options);
  env.journal = o.journal.get();
  std::vector<std::thread> threads;
  std::vector<uint64_t> seqs(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto s = o.journal->Append({absl::StrCat("a", i), absl::StrCat("b", i)});
      ASSERT_TRUE(s.ok());
      seqs[i] = *s;
    });
  }
  for (auto& th : threads) th.join();
  Journal::Stats s = o.journal->stats();
  EXPECT_EQ(s.batches, uint64_t{kThreads});
  EXPECT_EQ(s.groups, 1u);
  EXPECT_EQ(s.fsyncs, 1u);
  std::sort(seqs.begin(), seqs.end());
  for (int i = 0; i < kThreads; ++i) EXPECT_EQ(seqs[i], 1u + 2 * i);
  o.journal.reset();
  auto replayed = ReplayAll(t.path());
  ASSERT_TRUE(replayed.ok());
  EXPECT_EQ(replayed->size(), 2u * kThreads);
}

TEST(JournalTest, RotatesSegmentsAndReplaysAcrossThem) {
  TempDir t;
  JournalOptions options;
  options.segment_bytes = 200;
  std::vector<Rec> expected;
  {
    Opened o = OpenOrDie(t.path(), options);
    for (int i = 0; i < 50; ++i) {
      std::string p = absl::StrCat("record number ", i);
      ASSERT_TRUE(o.journal->Append({p}).ok());
      expected.push_back({expected.size() + 1, p});
    }
    EXPECT_EQ(o.journal->stats().segments, Files(t.path(), ".log").size());
  }
  std::vector<std::string> logs = Files(t.path(), ".log");
  EXPECT_GT(logs.size(), 5u);
  for (const auto& f : logs) EXPECT_LE(fs::file_size(f), 200u);
  // Files are named by their first seq.
  EXPECT_EQ(fs::path(logs[0]).filename(), "00000000000000000001.log");
  Opened o = OpenOrDie(t.path(), options);
  EXPECT_EQ(o.replayed, expected);
  ASSERT_TRUE(o.journal->Append({"more"}).ok());
}

// ---------------------------------------------------------------- torn tails

// Writes `n` single-record appends; returns the last record's offset in the
// (only) segment.
uint64_t WriteRecords(const std::string& dir, int n,
                      std::vector<Rec>* expected) {
  Opened o = OpenOrDie(dir);
  uint64_t offset = 0;
  for (int i = 0; i < n; ++i) {
    std::string p = absl::StrCat("payload-", i, "-", std::string(i % 5, 'z'));
    if (i + 1 < n) offset += kHeader + p.size();
    EXPECT_TRUE(o.journal->Append({p}).ok());
    expected->push_back({expected->size() + 1, p});
  }
  return offset;
}

TEST(JournalTest, TornTailAtEveryByteIsDroppedAndAppendsContinue) {
  TempDir t;
  std::string base = t.sub("base");
  std::vector<Rec> expected;
  uint64_t last_at = WriteRecords(base, 6, &expected);
  std::string seg_name = fs::path(Files(base, ".log")[0]).filename();
  uint64_t size = fs::file_size(base + "/" + seg_name);
  std::vector<Rec> kept(expected.begin(), expected.end() - 1);
  for (uint64_t cut = last_at; cut < size; ++cut) {
    SCOPED_TRACE(absl::StrCat("cut at ", cut));
    std::string dir = t.sub("cut");
    CopyDir(base, dir);
    fs::resize_file(dir + "/" + seg_name, cut);
    {
      Opened o = OpenOrDie(dir);
      EXPECT_EQ(o.replayed, kept);
      EXPECT_EQ(o.journal->stats().dropped_tail_bytes, cut - last_at);
      if (cut > last_at) {
        EXPECT_THAT(o.journal->open_report(), HasSubstr("torn tail"));
      }
      auto seq = o.journal->Append({"next"});
      ASSERT_TRUE(seq.ok());
      EXPECT_EQ(*seq, kept.size() + 1);
    }
    std::vector<Rec> want = kept;
    want.push_back({kept.size() + 1, "next"});
    EXPECT_EQ(*ReplayAll(dir), want);
  }
  for (uint64_t at = last_at; at < size; ++at) {
    SCOPED_TRACE(absl::StrCat("flip at ", at));
    std::string dir = t.sub("flip");
    CopyDir(base, dir);
    FlipByte(dir + "/" + seg_name, at);
    Opened o = OpenOrDie(dir);
    EXPECT_EQ(o.replayed, kept);
    EXPECT_EQ(o.journal->stats().dropped_tail_bytes, size - last_at);
    ASSERT_TRUE(o.journal->Append({"next"}).ok());
  }
}

TEST(JournalTest, TornLastGroupKeepsItsIntactPrefix) {
  // A crash mid-write can tear a multi-record group anywhere; its records
  // were never acknowledged, so dropping from the damage on is correct.
  TempDir t;
  {
    Opened o = OpenOrDie(t.path());
    ASSERT_TRUE(o.journal->Append({"acked"}).ok());
    ASSERT_TRUE(o.journal->Append({"g1", "g2", "g3"}).ok());
  }
  std::string seg = Files(t.path(), ".log")[0];
  FlipByte(seg, (kHeader + 5) + (kHeader + 2) + 3);  // inside g2's header
  Opened o = OpenOrDie(t.path());
  EXPECT_EQ(o.replayed, (std::vector<Rec>{{1, "acked"}, {2, "g1"}}));
  EXPECT_EQ(o.journal->next_seq(), 3u);
}

TEST(JournalTest, DamageBeforeALaterGroupInLastSegmentIsDataLoss) {
  TempDir t;
  std::vector<Rec> expected;
  WriteRecords(t.path(), 6, &expected);
  std::string seg = Files(t.path(), ".log")[0];
  const uint64_t size = fs::file_size(seg);
  FlipByte(
      seg,
      kHeader + 3);  // first record's payload; five acknowledged groups follow
  auto r = ReplayAll(t.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(), HasSubstr(seg));
  EXPECT_THAT(r.status().message(), HasSubstr("offset 0"));
  EXPECT_EQ(fs::file_size(seg), size);  // not truncated
}

TEST(JournalTest, CorruptionInOlderSegmentIsDataLoss) {
  TempDir t;
  JournalOptions options;
  options.segment_bytes = 100;
  {
    Opened o = OpenOrDie(t.path(), options);
    for (int i = 0; i < 20; ++i)
      ASSERT_TRUE(o.journal->Append({absl::StrCat("rec", i)}).ok());
  }
  std::vector<std::string> logs = Files(t.path(), ".log");
  ASSERT_GE(logs.size(), 3u);
  std::string base = t.sub("base");
  CopyDir(t.path(), base);

  // A flipped byte in the last record of the first segment.
  FlipByte(logs[0], fs::file_size(logs[0]) - 1);
  auto r = ReplayAll(t.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(), HasSubstr(logs[0]));

  // A truncated middle segment.
  std::string dir = t.sub("trunc");
  CopyDir(base, dir);
  std::string mid = dir + "/" + fs::path(logs[1]).filename().string();
  fs::resize_file(mid, fs::file_size(mid) - 1);
  r = ReplayAll(dir);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);

  // A missing middle segment.
  CopyDir(base, dir);
  fs::remove(mid);
  r = ReplayAll(dir);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(), HasSubstr("next segment"));

  // A missing first segment.
  CopyDir(base, dir);
  fs::remove(dir + "/" + fs::path(logs[0]).filename().string());
  r = ReplayAll(dir);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(), HasSubstr("missing"));
}

// ---------------------------------------------------------------- compaction

// A tiny key-value state whose records are "key=value": applying a record
// and a snapshot record are the same operation.
struct KvState {
  std::map<std::string, std::string> kv;
  void Apply(std::string_view rec) {
    size_t eq = rec.find('=');
    kv[std::string(rec.substr(0, eq))] = std::string(rec.substr(eq + 1));
  }
  void Emit(const Journal::EmitFn& emit) const {
    for (const auto& [k, v] : kv) emit(absl::StrCat(k, "=", v));
  }
};

struct Recovered {
  KvState state;
  uint64_t snapshot_records = 0;
  std::vector<uint64_t> log_seqs;
};

absl::StatusOr<Recovered> Recover(const std::string& dir) {
  Recovered r;
  bool in_log = false;
  auto j = Journal::Open(dir, {}, [&](uint64_t seq, std::string_view p) {
    if (seq == Journal::kSnapshotSeq) {
      if (in_log)
        return absl::InternalError("snapshot record after log records");
      ++r.snapshot_records;
    } else {
      in_log = true;
      r.log_seqs.push_back(seq);
    }
    r.state.Apply(p);
    return absl::OkStatus();
  });
  if (!j.ok()) return j.status();
  return r;
}

void AppendKv(Journal* j, KvState* model, int i) {
  std::string rec = absl::StrCat("k", i % 7, "=v", i);
  ASSERT_TRUE(j->Append({rec}).ok());
  model->Apply(rec);
}

TEST(JournalTest, CompactReplacesCoveredSegmentsWithASnapshot) {
  TempDir t;
  JournalOptions options;
  options.segment_bytes = 128;
  KvState model;
  {
    Opened o = OpenOrDie(t.path(), options);
    for (int i = 0; i < 40; ++i) AppendKv(o.journal.get(), &model, i);
    EXPECT_GT(Files(t.path(), ".log").size(), 3u);
    uint64_t through = o.journal->next_seq();
    ASSERT_TRUE(
        o.journal->Compact([&](const auto& emit) { model.Emit(emit); }).ok());
    EXPECT_EQ(o.journal->stats().segments, 1u);
    EXPECT_EQ(Files(t.path(), ".log").size(), 1u);
    EXPECT_EQ(Files(t.path(), ".snap").size(), 1u);
    EXPECT_EQ(o.journal->stats().snapshot_records, 7u);
    EXPECT_EQ(o.journal->next_seq(), through);
    for (int i = 40; i < 50; ++i) AppendKv(o.journal.get(), &model, i);
    // A second compaction replaces the first snapshot.
    ASSERT_TRUE(
        o.journal->Compact([&](const auto& emit) { model.Emit(emit); }).ok());
    EXPECT_EQ(Files(t.path(), ".snap").size(), 1u);
    for (int i = 50; i < 53; ++i) AppendKv(o.journal.get(), &model, i);
  }
  auto r = Recover(t.path());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->state.kv, model.kv);
  EXPECT_EQ(r->snapshot_records, 7u);
  EXPECT_EQ(r->log_seqs, (std::vector<uint64_t>{51, 52, 53}));
}

TEST(JournalTest, LeftoverSnapshotTempFileIsIgnoredAndRemoved) {
  TempDir t;
  KvState model;
  {
    Opened o = OpenOrDie(t.path());
    for (int i = 0; i < 10; ++i) AppendKv(o.journal.get(), &model, i);
  }
  std::string tmp = t.sub("00000000000000000011.snap.tmp");
  {
    std::FILE* f = std::fopen(tmp.c_str(), "w");
    std::fputs("half a snapshot", f);
    std::fclose(f);
  }
  auto r = Recover(t.path());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->state.kv, model.kv);
  EXPECT_EQ(r->snapshot_records, 0u);
  EXPECT_FALSE(fs::exists(tmp));
}

// Ends the process at one named point of Compact: a crash there.
class CrashEnv : public JournalEnv {
 public:
  explicit CrashEnv(std::string point, int nth = 1)
      : point_(std::move(point)), nth_(nth) {}
  void Hook(const char* point) override {
    if (point_ == point && --nth_ == 0) ::_exit(0);
  }

 private:
  std::string point_;
  int nth_;
};

TEST(JournalTest, CompactionSurvivesACrashAtEveryStep) {
  const std::vector<std::pair<std::string, int>> points = {
      {"compact:snapshot_written", 1}, {"compact:snapshot_synced", 1},
      {"compact:renamed", 1},          {"compact:dir_synced", 1},
      {"compact:segment_deleted", 1},  {"compact:segment_deleted", 3},
      {"compact:segment_deleted", 99},  // finishes: crash-free reference
  };
  for (const auto& [point, nth] : points) {
    SCOPED_TRACE(absl::StrCat(point, " #", nth));
    TempDir t;
    KvState
        model;  // what the child acknowledged: same in parent (deterministic)
    for (int i = 0; i < 60; ++i) model.Apply(absl::StrCat("k", i % 7, "=v", i));
    // A first compaction and some more records, so a crash can also leave
    // two snapshots behind.
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      CrashEnv env(point, nth);
      JournalOptions options;
      options.segment_bytes = 128;
      auto j = Journal::Open(t.path(), options, [](uint64_t, std::string_view) {
        return absl::OkStatus();
      });
      if (!j.ok()) ::_exit(2);
      KvState child;
      for (int i = 0; i < 30; ++i) {
        std::string rec = absl::StrCat("k", i % 7, "=v", i);
        if (!(*j)->Append({rec}).ok()) ::_exit(3);
        child.Apply(rec);
      }
      if (!(*j)->Compact([&](const auto& emit) { child.Emit(emit); }).ok())
        ::_exit(4);
      options.env = &env;
      j->reset();
      j = Journal::Open(t.path(), options, [](uint64_t, std::string_view) {
        return absl::OkStatus();
      });
      if (!j.ok()) ::_exit(5);
      for (int i = 30; i < 60; ++i) {
        std::string rec = absl::StrCat("k", i % 7, "=v", i);
        if (!(*j)->Append({rec}).ok()) ::_exit(6);
        child.Apply(rec);
      }
      (*j)->Compact([&](const auto& emit) { child.Emit(emit); }).IgnoreError();
      ::_exit(nth == 99 ? 0 : 7);  // the crash point was never reached
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
    auto r = Recover(t.path());
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->state.kv, model.kv);
    // Nothing is replayed twice: log records start at the snapshot's coverage.
    for (size_t i = 1; i < r->log_seqs.size(); ++i)
      EXPECT_EQ(r->log_seqs[i], r->log_seqs[i - 1] + 1);
    if (point != "compact:snapshot_written" &&
        point != "compact:snapshot_synced") {
      EXPECT_TRUE(r->log_seqs.empty());  // the new snapshot covers all 60
      EXPECT_EQ(r->snapshot_records, 7u);
    }
    // After recovery, only one snapshot and no temp files remain.
    EXPECT_LE(Files(t.path(), ".snap").size(), 1u);
    EXPECT_TRUE(Files(t.path(), ".tmp").empty());
  }
}

TEST(JournalTest, CompactWithConcurrentAppendsAppliedOnDurable) {
  // The documented rule: apply in on_durable, and Compact sees exactly the
  // acknowledged records. Many appenders, repeated compactions.
  TempDir t;
  JournalOptions options;
  options.segment_bytes = 4 << 10;
  std::mutex mu;
  KvState state;  // protected by mu
  {
    Opened o = OpenOrDie(t.path(), options);
    std::atomic<bool> stop{false};
    std::thread compactor([&] {
      while (!stop.load()) {
        ASSERT_TRUE(o.journal
                        ->Compact([&](const auto& emit) {
                          std::lock_guard<std::mutex> l(mu);
                          state.Emit(emit);
                        })
                        .ok());
      }
    });
    std::vector<std::thread> threads;
    for (int th = 0; th < 4; ++th) {
      threads.emplace_back([&, th] {
        for (int i = 0; i < 300; ++i) {
          std::string rec = absl::StrCat("t", th, "k", i % 11, "=", i);
          auto s = o.journal->Append({rec}, [&](uint64_t) {
            std::lock_guard<std::mutex> l(mu);
            state.Apply(rec);
          });
          ASSERT_TRUE(s.ok());
        }
      });
    }
    for (auto& th : threads) th.join();
    stop = true;
    compactor.join();
    EXPECT_GT(o.journal->stats().compactions, 0u);
  }
  auto r = Recover(t.path());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->state.kv, state.kv);
}

TEST(JournalTest, CompactAtKeepsTheSegmentHoldingItsCoverage) {
  TempDir t;
  KvState model, at6;
  {
    Opened o = OpenOrDie(t.path());
    for (int i = 0; i < 10; ++i) {
      AppendKv(o.journal.get(), &model, i);
      if (i == 4) at6 = model;  // records 1..5
    }
    EXPECT_EQ(o.journal->CompactAt(12, [](const auto&) {}).code(),
              absl::StatusCode::kInvalidArgument);
    ASSERT_TRUE(
        o.journal->CompactAt(6, [&](const auto& emit) { at6.Emit(emit); })
            .ok());
    EXPECT_EQ(o.journal->CompactAt(5, [](const auto&) {}).code(),
              absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(o.journal->stats().segments, 1u);  // it holds seq 6..10
    AppendKv(o.journal.get(), &model, 10);
  }
  auto r = Recover(t.path());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->state.kv, model.kv);
  EXPECT_EQ(r->log_seqs, (std::vector<uint64_t>{6, 7, 8, 9, 10, 11}));
}

TEST(JournalTest, DamagedSnapshotIsDataLoss) {
  TempDir t;
  KvState model;
  {
    Opened o = OpenOrDie(t.path());
    for (int i = 0; i < 10; ++i) AppendKv(o.journal.get(), &model, i);
    ASSERT_TRUE(
        o.journal->Compact([&](const auto& emit) { model.Emit(emit); }).ok());
  }
  std::string snap = Files(t.path(), ".snap")[0];
  fs::resize_file(snap, fs::file_size(snap) - 1);
  auto r = Recover(t.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(), HasSubstr(snap));
}

// ---------------------------------------------------------------- I/O errors

// Lets `budget` bytes through, then fails writes with `err` (a short write
// first, as a real full disk does); can also fail fdatasync or ftruncate.
class FailingEnv : public JournalEnv {
 public:
  ssize_t Write(int fd, const void* buf, size_t n, off_t off) override {
    if (budget < 0) return JournalEnv::Write(fd, buf, n, off);
    if (budget == 0) {
      errno = err;
      return -1;
    }
    size_t k = std::min<size_t>(n, static_cast<size_t>(budget));
    budget -= static_cast<int64_t>(k);
    return JournalEnv::Write(fd, buf, k, off);
  }
  int Sync(int fd) override {
    if (fail_sync) {
      errno = EIO;
      return -1;
    }
    return JournalEnv::Sync(fd);
  }
  int Truncate(int fd, off_t size) override {
    if (fail_truncate) {
      errno = EIO;
      return -1;
    }
    return JournalEnv::Truncate(fd, size);
  }
  int64_t budget = -1;  // -1: unlimited
  int err = ENOSPC;
  bool fail_sync = false;
  bool fail_truncate = false;
};

uint64_t LogBytes(const std::string& dir) {
  uint64_t n = 0;
  for (const auto& f : Files(dir, ".log")) n += fs::file_size(f);
  return n;
}

TEST(JournalTest, DiskFullRejectsTheBatchAndLeavesNothingHalfWritten) {
  TempDir t;
  FailingEnv env;
  JournalOptions options;
  options.env = &env;
  std::vector<Rec> acked;
  uint64_t acked_bytes = 0;
  {
    Opened o = OpenOrDie(t.path(), options);
    for (int i = 0; i < 5; ++i) {
      std::string p = absl::StrCat("before-", i);
      ASSERT_TRUE(o.journal->Append({p}).ok());
      acked.push_back({acked.size() + 1, p});
      acked_bytes += kHeader + p.size();
    }
    env.budget = 50;  // the next batch (3 x 24 bytes) fits only partly
    auto s = o.journal->Append({"full-000", "full-001", "full-002"});
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), absl::StatusCode::kUnavailable);
    EXPECT_THAT(s.status().message(), HasSubstr("No space left on device"));
    EXPECT_THAT(s.status().message(), HasSubstr("not acknowledged"));
    EXPECT_EQ(LogBytes(t.path()), acked_bytes);  // the partial write is gone
    auto again = o.journal->Append({"still full"});
    EXPECT_EQ(again.status().code(), absl::StatusCode::kUnavailable);
    EXPECT_EQ(LogBytes(t.path()), acked_bytes);
    EXPECT_EQ(o.journal->next_seq(), acked.size() + 1);
    EXPECT_EQ(o.journal->stats().failed_batches, 2u);

    env.budget = -1;  // space is back
    auto ok = o.journal->Append({"after", "space"});
    ASSERT_TRUE(ok.ok()) << ok.status();
    EXPECT_EQ(*ok, acked.size() + 1);  // no seq was burnt by the failures
    acked.push_back({acked.size() + 1, "after"});
    acked.push_back({acked.size() + 1, "space"});

    env.fail_sync = true;  // EIO on fdatasync: same contract
    auto eio = o.journal->Append({"lost"});
    EXPECT_EQ(eio.status().code(), absl::StatusCode::kUnavailable);
    EXPECT_THAT(eio.status().message(), HasSubstr("fdatasync"));
    env.fail_sync = false;
    ASSERT_TRUE(o.journal->Append({"last"}).ok());
    acked.push_back({acked.size() + 1, "last"});
  }
  EXPECT_EQ(*ReplayAll(t.path()), acked);
}

TEST(JournalTest, FailedUndoLeavesTheJournalFailedUntilReopened) {
  TempDir t;
  FailingEnv env;
  JournalOptions options;
  options.env = &env;
  {
    Opened o = OpenOrDie(t.path(), options);
    ASSERT_TRUE(o.journal->Append({"kept"}).ok());
    env.budget = 20;
    env.fail_truncate = true;
    auto s = o.journal->Append({"torn by a full disk"});
    EXPECT_EQ(s.status().code(), absl::StatusCode::kUnavailable);
    EXPECT_THAT(s.status().message(), HasSubstr("reopened"));
    env.budget = -1;
    env.fail_truncate = false;
    EXPECT_EQ(o.journal->Append({"x"}).status().code(),
              absl::StatusCode::kUnavailable);
    EXPECT_EQ(o.journal->Compact([](const auto&) {}).code(),
              absl::StatusCode::kUnavailable);
  }
  Opened o = OpenOrDie(t.path());  // drops the 20 torn bytes
  EXPECT_EQ(o.replayed, (std::vector<Rec>{{1, "kept"}}));
  EXPECT_EQ(o.journal->stats().dropped_tail_bytes, 20u);
  ASSERT_TRUE(o.journal->Append({"again"}).ok());
}

TEST(JournalTest, CompactionOnAFullDiskFailsCleanly) {
  TempDir t;
  FailingEnv env;
  JournalOptions options;
  options.env = &env;
  KvState model;
  {
    Opened o = OpenOrDie(t.path(), options);
    for (int i = 0; i < 10; ++i) AppendKv(o.journal.get(), &model, i);
    env.budget = 30;
    absl::Status s =
        o.journal->Compact([&](const auto& emit) { model.Emit(emit); });
    EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
    EXPECT_TRUE(Files(t.path(), ".tmp").empty());
    EXPECT_TRUE(Files(t.path(), ".snap").empty());
    env.budget = -1;
    AppendKv(o.journal.get(), &model, 10);
  }
  auto r = Recover(t.path());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->state.kv, model.kv);
}

// A real file-size limit: write(2) returns a short count, then EFBIG.
TEST(JournalTest, FileSizeLimitInAChildProcessIsUnavailableAndRecoverable) {
  TempDir t;
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    ::signal(SIGXFSZ, SIG_IGN);
    auto j = Journal::Open(t.path(), {}, [](uint64_t, std::string_view) {
      return absl::OkStatus();
    });
    if (!j.ok()) ::_exit(2);
    struct rlimit old_limit, limit;
    ::getrlimit(RLIMIT_FSIZE, &old_limit);
    limit = old_limit;
    limit.rlim_cur = 1050;
    ::setrlimit(RLIMIT_FSIZE, &limit);
    std::string seg = Files(t.path(), ".log")[0];
    uint64_t acked = 0, acked_bytes = 0;
    std::string payload(84, 'p');  // 100 bytes a record: the 11th crosses 1050
    absl::Status failure;
    while (failure.ok()) {
      auto s = (*j)->Append({payload});
      if (s.ok()) {
        ++acked;
        acked_bytes += 100;
      } else {
        failure = s.status();
      }
    }
    if (failure.code() != absl::StatusCode::kUnavailable) ::_exit(3);
    if (failure.message().find("File too large") == std::string_view::npos)
      ::_exit(4);
    if (fs::file_size(seg) != acked_bytes) ::_exit(5);  // nothing half-written
    ::setrlimit(RLIMIT_FSIZE, &old_limit);
    for (int i = 0; i < 3; ++i) {
      if (!(*j)->Append({payload}).ok()) ::_exit(6);
      ++acked;
    }
    if (::write(fds[1], &acked, sizeof acked) != sizeof acked) ::_exit(7);
    ::_exit(0);
  }
  ::close(fds[1]);
  uint64_t acked = 0;
  ASSERT_EQ(::read(fds[0], &acked, sizeof acked),
            static_cast<ssize_t>(sizeof acked));
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(acked, 10u + 3u);
  auto r = ReplayAll(t.path());
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), acked);
  for (size_t i = 0; i < r->size(); ++i) EXPECT_EQ((*r)[i].seq, i + 1);
}

}  // namespace
}  // namespace gridroute

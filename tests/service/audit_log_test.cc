// Copyright 2026 gridroute authors.
//
// AuditLog rotation (issue 16 item 6; 等保 2.0 keeps audit records): the log
// survives logrotate (rename, then Reopen() — the server calls it on SIGHUP)
// and rotates itself with AuditLogOptions::max_bytes. Lines stay whole JSON
// and none is lost, with writers running while the file is renamed.
// tests/tools/audit_rotate_test.sh does the same through a real server and
// SIGHUP.
#include "service/audit_log.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace gridroute {
namespace {

std::string TempDir() {
  std::string tmpl = "/tmp/gridroute_audit_log_XXXXXX";
  const char* d = mkdtemp(tmpl.data());
  return d != nullptr ? d : "";
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The "target" of every line of `path`, checking each line is one whole
// JSON object of the AuditLog's shape.
std::vector<std::string> Targets(const std::string& path) {
  const std::string text = ReadAll(path);
  EXPECT_TRUE(text.empty() || text.back() == '\n') << path << " ends inside a line";
  std::vector<std::string> out;
  for (absl::string_view l : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    EXPECT_TRUE(absl::StartsWith(l, "{\"time\":\"")) << l;
    EXPECT_TRUE(absl::EndsWith(l, "\"outcome\":\"OK\"}")) << l;
    const size_t t = l.find("\"target\":\"");
    if (t == absl::string_view::npos) {
      ADD_FAILURE() << l;
      continue;
    }
    const absl::string_view rest = l.substr(t + 10);
    out.emplace_back(rest.substr(0, rest.find('"')));
  }
  return out;
}

TEST(AuditLogRotationTest, RenamedThenReopenedLinesGoToANewFileAndNoneIsLost) {
  const std::string dir = TempDir();
  const std::string path = dir + "/audit.jsonl";
  auto log = AuditLog::Open(path);
  ASSERT_TRUE(log.ok()) << log.status();
  // Each writer's lines come in kRotations + 1 phases; phase p starts only
  // after rotation p, and rotation r happens once half of phase r - 1 is
  // written (the other half races the rename and reopen). So every file
  // gets lines whatever the scheduling (no test of timing), and rotations
  // still run while lines are being written.
  constexpr int kThreads = 4, kRotations = 5, kPerPhase = 40;
  constexpr int kLines = kPerPhase * (kRotations + 1);
  std::atomic<int> written{0};
  std::atomic<int> rotated{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kLines; ++i) {
        while (rotated.load() < i / kPerPhase) std::this_thread::yield();
        const std::string target = absl::StrCat("t", t, "-", i);
        EXPECT_TRUE((*log)->Write({.principal = "p", .peer = "local", .method = "m",
                                   .target = target, .outcome = "OK"}));
        written.fetch_add(1);
      }
    });
  }
  // What logrotate does (rename, then the server's SIGHUP → Reopen), while
  // the writers run.
  std::vector<std::string> files;
  for (int r = 1; r <= kRotations; ++r) {
    while (written.load() < (r - 1) * kThreads * kPerPhase + kThreads * kPerPhase / 2) {
      std::this_thread::yield();
    }
    files.push_back(absl::StrCat(path, ".", r));
    const bool renamed = std::rename(path.c_str(), files.back().c_str()) == 0;
    const bool reopened = (*log)->Reopen().ok();
    rotated.store(r);  // before any ASSERT: the writers must not wait forever
    ASSERT_TRUE(renamed);
    ASSERT_TRUE(reopened);
  }
  for (std::thread& w : writers) w.join();
  files.push_back(path);

  std::multiset<std::string> seen;
  for (const std::string& f : files) {
    const std::vector<std::string> t = Targets(f);
    EXPECT_FALSE(t.empty()) << f << " got no line";
    seen.insert(t.begin(), t.end());
  }
  ASSERT_EQ(seen.size(), size_t{kThreads * kLines});
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kLines; ++i) {
      EXPECT_EQ(seen.count(absl::StrCat("t", t, "-", i)), 1u) << t << "-" << i;
    }
  }
  EXPECT_EQ((*log)->failures(), 0);
  std::filesystem::remove_all(dir);
}

TEST(AuditLogRotationTest, AReopenThatFailsKeepsWritingThePreviousFile) {
  const std::string dir = TempDir();
  const std::string path = dir + "/sub/audit.jsonl";
  std::filesystem::create_directory(dir + "/sub");
  auto log = AuditLog::Open(path);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_TRUE((*log)->Write({.target = "one", .outcome = "OK"}));
  // The directory moves away: the path cannot be opened again.
  std::filesystem::rename(dir + "/sub", dir + "/moved");
  const absl::Status st = (*log)->Reopen();
  EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StrContains(st.message(), path)) << st;
  ASSERT_TRUE((*log)->Write({.target = "two", .outcome = "OK"}));
  EXPECT_EQ(Targets(dir + "/moved/audit.jsonl"), (std::vector<std::string>{"one", "two"}));
  std::filesystem::remove_all(dir);
}

TEST(AuditLogRotationTest, MaxBytesRotatesToNumberedFilesKeepingTheNewest) {
  const std::string dir = TempDir();
  const std::string path = dir + "/audit.jsonl";
  AuditLogOptions o;
  o.max_bytes = 1000;  // ~7 lines of ~140 bytes
  o.keep = 3;
  auto log = AuditLog::Open(path, o);
  ASSERT_TRUE(log.ok()) << log.status();
  constexpr int kLines = 100;
  for (int i = 0; i < kLines; ++i) {
    ASSERT_TRUE((*log)->Write({.principal = "p", .target = absl::StrCat(i), .outcome = "OK"}));
  }
  EXPECT_FALSE(std::filesystem::exists(path + ".4"));
  // Oldest first: FILE.3, FILE.2, FILE.1, FILE hold the last lines in order,
  // each file over max_bytes by less than one line (FILE: under it).
  std::vector<std::string> all;
  for (const std::string f : {path + ".3", path + ".2", path + ".1", path}) {
    ASSERT_TRUE(std::filesystem::exists(f)) << f;
    const uint64_t size = std::filesystem::file_size(f);
    if (f != path) {
      EXPECT_GE(size, o.max_bytes) << f;
      EXPECT_LT(size, o.max_bytes + 200) << f;
    } else {
      EXPECT_LT(size, o.max_bytes) << f;
    }
    const std::vector<std::string> t = Targets(f);
    all.insert(all.end(), t.begin(), t.end());
  }
  ASSERT_FALSE(all.empty());
  const int first = std::stoi(all.front());
  EXPECT_GT(first, 0);  // older lines went with the files past keep
  for (size_t k = 0; k < all.size(); ++k) EXPECT_EQ(all[k], absl::StrCat(first + k));
  EXPECT_EQ(all.back(), absl::StrCat(kLines - 1));
  EXPECT_EQ((*log)->failures(), 0);

  EXPECT_EQ(AuditLog::Open(path, {.max_bytes = 0, .keep = 0}).status().code(),
            absl::StatusCode::kInvalidArgument);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gridroute

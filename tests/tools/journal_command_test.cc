// Copyright 2026 gridroute authors.
//
// `gridroute journal check|repair` (cli/journal_command.h): exit codes and
// output on a journal of case records written by the real Journal, and the
// one-line description of each case record kind. The binary itself, with a
// real gridroute-server, is exercised by tests/tools/journal_cli_test.sh.
#include "cli/journal_command.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cases/case_record.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "journal/journal.h"
#include "testing/test_pack.h"

namespace gridroute {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

struct CliRun {
  int code = -1;
  std::string out, err;
};

std::string ReadAll(std::FILE* f) {
  std::rewind(f);
  std::string s;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  std::fclose(f);
  return s;
}

CliRun RunCli(const std::string& sub, const std::string& dir, bool truncate = false) {
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  JournalCommandOptions o;
  o.dir = dir;
  o.truncate_after_damage = truncate;
  CliRun r;
  r.code = RunJournalCommand(sub, o, out, err);
  r.out = ReadAll(out);
  r.err = ReadAll(err);
  return r;
}

CaseRecord NewCase(int i) {
  CaseRecord r;
  r.kind = RecordKind::kNewCase;
  r.case_id = absl::StrCat("320501-20260417-", 100000 + i);
  r.c.id = r.case_id;
  r.c.category = "0102";
  r.c.grid = "320501001001010";
  r.c.district = "320501";
  r.c.first_report = absl::FromUnixSeconds(1776400000 + i);
  r.c.last_report = r.c.first_report;
  r.c.report_count = 1;
  return r;
}

// Ten new cases, one Append each; returns the segment path.
std::string WriteCases(const std::string& dir) {
  auto j = Journal::Open(dir, {}, [](uint64_t, std::string_view) {
    return absl::OkStatus();
  });
  EXPECT_TRUE(j.ok()) << j.status();
  for (int i = 0; i < 10; ++i) {
    std::string bytes;
    NewCase(i).Encode(&bytes);
    EXPECT_TRUE((*j)->Append({bytes}).ok());
  }
  return dir + "/00000000000000000001.log";
}

void Flip(const std::string& path, uint64_t at) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(at);
  char c;
  f.get(c);
  f.seekp(at);
  f.put(static_cast<char>(c ^ 0x5A));
}

TEST(JournalCommandTest, ExitCodesAndReports) {
  const std::string dir = testing::MakeTempDir("journal_cli");
  const std::string log = WriteCases(dir);
  const uint64_t size = fs::file_size(log);
  const uint64_t rec = size / 10;  // every record has the same size here
  ASSERT_EQ(rec * 10, size);

  CliRun clean = RunCli("check", dir);
  EXPECT_EQ(clean.code, 0) << clean.err;
  EXPECT_THAT(clean.out, HasSubstr("clean"));
  EXPECT_THAT(clean.out, HasSubstr("10 records (seq 1..10)"));

  // A torn tail: exit 3, and the server would start.
  {
    std::ofstream(log, std::ios::app | std::ios::binary) << "torn";
    CliRun torn = RunCli("check", dir);
    EXPECT_EQ(torn.code, 3) << torn.out;
    EXPECT_THAT(torn.out, HasSubstr("torn tail only"));
    fs::resize_file(log, size);
  }

  // A flipped byte in record 4's payload: exit 1, named offset and records,
  // and the dropped records described as cases.
  Flip(log, 3 * rec + 20);
  CliRun bad = RunCli("check", dir);
  EXPECT_EQ(bad.code, 1);
  EXPECT_THAT(bad.out, HasSubstr("DAMAGED"));
  EXPECT_THAT(bad.out, HasSubstr(absl::StrCat("at offset ", 3 * rec, " of ", size,
                                              " bytes (seq 4 expected there): checksum mismatch")));
  EXPECT_THAT(bad.out, HasSubstr("records: 3 replayable before the damage"));
  EXPECT_THAT(bad.out, HasSubstr(absl::StrCat("last good record: seq 3, ends at offset ", 3 * rec)));
  EXPECT_THAT(bad.out, HasSubstr("seq 5 at 00000000000000000001.log:" + std::to_string(4 * rec)));
  EXPECT_THAT(bad.out, HasSubstr("new case 320501-20260417-100004 (0102, grid 320501001001010"));
  EXPECT_THAT(bad.out, HasSubstr("--truncate-after-damage"));

  // repair needs the flag; then keeps records 1..3.
  CliRun no_flag = RunCli("repair", dir);
  EXPECT_EQ(no_flag.code, 2);
  EXPECT_THAT(no_flag.err, HasSubstr("--truncate-after-damage"));
  EXPECT_EQ(fs::file_size(log), size);
  CliRun fixed = RunCli("repair", dir, true);
  EXPECT_EQ(fixed.code, 0) << fixed.err;
  EXPECT_THAT(fixed.out, HasSubstr("repaired"));
  EXPECT_THAT(fixed.out, HasSubstr("kept: every record before seq 4 (3 replayable)"));
  EXPECT_THAT(fixed.out, HasSubstr("6 intact record(s) (seq 5..10)"));
  EXPECT_EQ(fs::file_size(log), 3 * rec);
  EXPECT_EQ(RunCli("check", dir).code, 0);
  CliRun again = RunCli("repair", dir, true);
  EXPECT_EQ(again.code, 0);
  EXPECT_THAT(again.out, HasSubstr("clean, nothing to repair"));
}

TEST(JournalCommandTest, UsageErrorsAndRefusals) {
  const std::string dir = testing::MakeTempDir("journal_cli_usage");
  EXPECT_EQ(RunCli("", dir).code, 2);
  EXPECT_EQ(RunCli("fix", dir).code, 2);
  EXPECT_EQ(RunCli("check", "").code, 2);
  CliRun missing = RunCli("check", dir + "/nope");
  EXPECT_EQ(missing.code, 2);
  EXPECT_THAT(missing.err, HasSubstr(dir + "/nope"));
  // A running journal holds the directory: repair refuses with exit 1.
  WriteCases(dir);
  auto j = Journal::Open(dir, {}, [](uint64_t, std::string_view) {
    return absl::OkStatus();
  });
  ASSERT_TRUE(j.ok());
  Flip(dir + "/00000000000000000001.log", 3);
  CliRun busy = RunCli("repair", dir, true);
  EXPECT_EQ(busy.code, 1);
  EXPECT_THAT(busy.err, HasSubstr("stop gridroute-server"));
  CliRun check = RunCli("check", dir);
  EXPECT_THAT(check.out, HasSubstr("in use"));
}

TEST(JournalCommandTest, DescribesEveryCaseRecordKind) {
  std::string b;
  NewCase(7).Encode(&b);
  EXPECT_EQ(DescribeCaseRecord(b),
            "new case 320501-20260417-100007 (0102, grid 320501001001010, reported "
            "2026-04-17T04:26:47+00:00)");
  CaseRecord f;
  f.kind = RecordKind::kFold;
  f.case_id = "X-1";
  f.report_count = 3;
  f.reported_at = absl::FromUnixSeconds(0);
  b.clear();
  f.Encode(&b);
  EXPECT_EQ(DescribeCaseRecord(b), "report 3 folded into X-1 (reported 1970-01-01T00:00:00+00:00)");
  CaseRecord t;
  t.kind = RecordKind::kTransition;
  t.case_id = "X-1";
  t.from = CaseState::kDispatched;
  t.to = CaseState::kAccepted;
  t.actor = "王五";
  t.at = absl::FromUnixSeconds(60);
  b.clear();
  t.Encode(&b);
  EXPECT_EQ(DescribeCaseRecord(b), "X-1: dispatched -> accepted by 王五 at 1970-01-01T00:01:00+00:00");
  CaseRecord w;
  w.kind = RecordKind::kWatermark;
  w.watermark = absl::FromUnixSeconds(120);
  b.clear();
  w.Encode(&b);
  EXPECT_EQ(DescribeCaseRecord(b), "report-time watermark 1970-01-01T00:02:00+00:00");
  EXPECT_THAT(DescribeCaseRecord("\x07garbage"), ::testing::StartsWith("not a case record: "));
  // A long id is cut (Echo), not printed whole.
  f.case_id = std::string(500, 'z');
  b.clear();
  f.Encode(&b);
  EXPECT_LT(DescribeCaseRecord(b).size(), 150u);
}

}  // namespace
}  // namespace gridroute

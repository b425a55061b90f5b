// Copyright 2026 gridroute authors.
//
// A case desk serving a compiled snapshot (.grsnap) folds by the pack's
// folding.csv, which travels in the file (there is no directory to read it
// from): two reports 19 m and a minute apart fold under the default rules
// (50 m, 60 min) and do not under a folding.csv of 5 m; a bad compiled
// folding.csv is refused naming the file and line.
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "intake/case_desk.h"
#include "service/service_fixture.h"
#include "snapshot/snapshot.h"
#include "testing/report_slot.h"

namespace gridroute {
namespace {

void MakeSlot(double lon, int minute, ReportSlot* slot) {
  testing::EventReportSlot(lon, 31.0, absl::FromUnixSeconds(1795000000 + 60 * minute), slot);
}

class CompiledFoldRulesTest : public ::testing::Test {
 protected:
  // Compiles the routing pack, with `folding` as its folding.csv unless
  // empty, into a .grsnap and loads it.
  std::shared_ptr<const Snapshot> Compile(const std::string& folding) {
    const std::string pack = testing::WriteRoutingPack("A");
    if (!folding.empty()) std::ofstream(pack + "/folding.csv") << folding;
    absl::StatusOr<std::shared_ptr<const Snapshot>> dir = LoadPack(pack);
    EXPECT_TRUE(dir.ok()) << dir.status();
    grsnap_ = pack + ".grsnap";
    EXPECT_TRUE(CompileSnapshot(**dir, pack, grsnap_).ok());
    absl::StatusOr<std::shared_ptr<const Snapshot>> file = LoadPack(grsnap_);
    EXPECT_TRUE(file.ok()) << file.status();
    return file.ok() ? *file : nullptr;
  }
  absl::StatusOr<std::unique_ptr<CaseDesk>> Open(const Snapshot& s) {
    CaseDeskOptions o;
    o.journal_dir = testing::MakeTempDir("compiled_fold_rules") + "/journal";
    o.log = [](absl::string_view) {};
    o.now = [] { return absl::FromUnixSeconds(1795000000 + 120); };
    return CaseDesk::Open(o, s, grsnap_);
  }
  // Whether the second of two reports 0.0002 degrees (19 m) and a minute
  // apart folds into the first's case.
  bool SecondFolds(CaseDesk& desk) {
    std::vector<ReportSlot> slots(1);
    std::vector<CaseOutcome> out;
    MakeSlot(120.0, 0, &slots[0]);
    EXPECT_TRUE(desk.Intake(slots, &out).ok());
    MakeSlot(120.0002, 1, &slots[0]);
    EXPECT_TRUE(desk.Intake(slots, &out).ok());
    EXPECT_TRUE(out.at(0).status.ok()) << out.at(0).status;
    return out.at(0).folded;
  }
  std::string grsnap_;
};

TEST_F(CompiledFoldRulesTest, WithoutFoldingCsvTheDefaultsFold) {
  std::shared_ptr<const Snapshot> s = Compile("");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->folding_csv(), nullptr);
  absl::StatusOr<std::unique_ptr<CaseDesk>> desk = Open(*s);
  ASSERT_TRUE(desk.ok()) << desk.status();
  EXPECT_TRUE(SecondFolds(**desk));
}

TEST_F(CompiledFoldRulesTest, TheCompiledFoldingCsvDecides) {
  const std::string text =
      "category_type,category,radius_m,window_min\n"
      "event,0102,5,60\n";
  std::shared_ptr<const Snapshot> s = Compile(text);
  ASSERT_NE(s, nullptr);
  ASSERT_NE(s->folding_csv(), nullptr);
  EXPECT_EQ(*s->folding_csv(), text);
  absl::StatusOr<std::unique_ptr<CaseDesk>> desk = Open(*s);
  ASSERT_TRUE(desk.ok()) << desk.status();
  EXPECT_FALSE(SecondFolds(**desk));  // 19 m is beyond the pack's 5 m
}

TEST_F(CompiledFoldRulesTest, ABadCompiledFoldingCsvIsRefusedNamingTheLine) {
  std::shared_ptr<const Snapshot> s = Compile(
      "category_type,category,radius_m,window_min\n"
      "event,0102,-3,60\n");
  ASSERT_NE(s, nullptr);
  absl::StatusOr<std::unique_ptr<CaseDesk>> desk = Open(*s);
  ASSERT_FALSE(desk.ok());
  EXPECT_TRUE(absl::StrContains(desk.status().message(), ".grsnap:folding.csv:2: radius_m '-3'"))
      << desk.status();
}

}  // namespace
}  // namespace gridroute

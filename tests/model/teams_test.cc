// Copyright 2026 gridroute authors.
//
// Teams: Resolve() and person() against the rows written, on a file big
// enough for two chunks; errors worded as a sequential read.
#include "model/teams.h"

#include <fstream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "testing/test_pack.h"

namespace gridroute {
namespace {

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

class TeamsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("teams");
    auto h = Hierarchy::Build({"district", "street", "community"},
                              {{"D1", "区", "district", "", 2},
                               {"S1", "街道", "street", "D1", 3},
                               {"C1", "社区", "community", "S1", 4}},
                              "regions.csv");
    ASSERT_TRUE(h.ok()) << h.status();
    h_ = std::move(*h);
  }
  // Grids "G000000".."G<n-1>", all in community C1.
  std::function<uint32_t(absl::string_view)> FindGrid() {
    return [](absl::string_view code) -> uint32_t {
      uint32_t v = 0;
      if (code.size() != 7 || code[0] != 'G') return ~0u;
      for (char ch : code.substr(1)) v = v * 10 + (ch - '0');
      return v;
    };
  }
  std::string dir_;
  Hierarchy h_;
};

TEST_F(TeamsTest, ResolveAndPeopleOverTwoChunks) {
  constexpr uint32_t kGrids = 40'000;
  std::string csv = "scope,role,specialty,person,name,phone\n";
  absl::StrAppend(&csv, "region:D1,instructor,,P-D1,区指导员,13000000000\n");
  absl::StrAppend(&csv, "region:C1,leader,,P-C1,社区长,13000000001\n");
  absl::StrAppend(&csv, "region:C1,specialist,lighting,P-L,灯工,13000000002\n");
  for (uint32_t g = 0; g < kGrids; ++g) {
    const std::string code = absl::StrCat("G", 1000000 + g).substr(0, 7);
    char buf[8];
    std::snprintf(buf, sizeof buf, "G%06u", g);
    absl::StrAppend(&csv, "grid:", buf, ",member,,P", g, ",员", g % 7,
                    ",1390000", g % 10000, "\n");
    // One person covering many grids (一人多格): leader of every 10th grid,
    // rows far apart in the file, so in both chunks.
    if (g % 10 == 0)
      absl::StrAppend(&csv, "grid:", buf, ",leader,,P", g / 10, ",员",
                      (g / 10) % 7, ",1390000", (g / 10) % 10000, "\n");
    if (g % 1000 == 7)
      absl::StrAppend(&csv, "grid:", buf, ",specialist,sanitation,S", g, ",洁",
                      g, ",1", "\n");
  }
  Write(dir_ + "/teams.csv", csv);
  for (int threads : {1, 2}) {
    auto t = Teams::Load(dir_ + "/teams.csv", h_, kGrids, FindGrid(), threads);
    ASSERT_TRUE(t.ok()) << t.status();
    ASSERT_EQ(t->specialties().size(), 2u);
    EXPECT_EQ(t->specialties()[0], "lighting");
    const int32_t sanitation = t->FindSpecialty("sanitation");
    const int32_t lighting = t->FindSpecialty("lighting");
    EXPECT_EQ(t->num_people(), 3 + static_cast<int32_t>(kGrids) + 40);
    const int32_t c1 = h_.Find("C1");
    for (uint32_t g : {0u, 7u, 1007u, 20'000u, 39'999u}) {
      std::vector<TeamAssignment> out;
      t->Resolve(g, c1, g % 1000 == 7 ? sanitation : lighting, &out);
      std::vector<std::string> got;
      for (const TeamAssignment& a : out) {
        const Person p = t->person(a.person);
        got.push_back(absl::StrCat(TeamRoleName(a.role), ":", p.id, ":", p.name,
                                   ":", p.phone, ":", a.from_grid, ":",
                                   a.specialty));
      }
      std::vector<std::string> want;
      want.push_back(absl::StrCat("member:P", g, ":员", g % 7, ":1390000",
                                  g % 10000, ":1:-1"));
      if (g % 10 == 0) {
        want.push_back(absl::StrCat("leader:P", g / 10, ":员", (g / 10) % 7,
                                    ":1390000", (g / 10) % 10000, ":1:-1"));
      }
      if (g % 1000 == 7) {
        want.push_back(
            absl::StrCat("specialist:S", g, ":洁", g, ":1:1:", sanitation));
      }
      if (g % 10 != 0) want.push_back("leader:P-C1:社区长:13000000001:0:-1");
      want.push_back("instructor:P-D1:区指导员:13000000000:0:-1");
      if (g % 1000 != 7)
        want.push_back(
            absl::StrCat("specialist:P-L:灯工:13000000002:0:", lighting));
      // Resolve's order: the grid's rows in file order, then each region's.
      std::sort(got.begin(), got.end());
      std::sort(want.begin(), want.end());
      EXPECT_EQ(got, want) << "grid " << g << " threads " << threads;
    }
    EXPECT_GT(t->MemoryBytes(), 0u);
  }
}

TEST_F(TeamsTest, ErrorsAreWordedAsASequentialRead) {
  std::string csv = "scope,role,specialty,person,name,phone\n";
  for (uint32_t g = 0; g < 40'000; ++g) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "G%06u", g);
    absl::StrAppend(&csv, "grid:", buf, ",member,,P", g, ",员", g % 7,
                    ",139\n");
  }
  absl::StrAppend(&csv, "grid:G000003,member,,P3,别名,139\n");  // line 40002
  absl::StrAppend(&csv, "grid:X,member,,Q1,a,1\n");             // 40003
  absl::StrAppend(&csv, "region:NO,member,,Q2,a,1\n");          // 40004
  absl::StrAppend(&csv, "street:S1,member,,Q3,a,1\n");          // 40005
  absl::StrAppend(&csv, "region:S1,boss,,Q4,a,1\n");            // 40006
  absl::StrAppend(&csv, "region:S1,specialist,,Q5,a,1\n");      // 40007
  absl::StrAppend(&csv, "region:S1,member,,,a,1\n");            // 40008
  const std::string f = dir_ + "/teams.csv";
  Write(f, csv);
  const std::string want = absl::StrCat(
      f, ":40002: person 'P3' is named '别名' here but '员3' before\n", f,
      ":40003: scope 'grid:X': no such grid\n", f,
      ":40004: scope 'region:NO': no such region\n", f,
      ":40005: scope 'street:S1' is not grid:<code> or region:<code>\n", f,
      ":40006: role 'boss' is not leader, instructor, member or specialist\n",
      f, ":40007: specialist 'Q5' has no specialty\n", f,
      ":40008: empty person id");
  for (int threads : {1, 2}) {
    auto t = Teams::Load(f, h_, 40'000, FindGrid(), threads);
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(t.status().message(), want);
  }
}

// The first 50 errors, then how many more (as components and rules report).
TEST_F(TeamsTest, ErrorsStopAtFiftyAndCountTheRest) {
  std::string csv = "scope,role,specialty,person,name,phone\n";
  for (int i = 0; i < 53; ++i) absl::StrAppend(&csv, "grid:X,member,,Q", i, ",a,1\n");
  const std::string f = dir_ + "/teams.csv";
  Write(f, csv);
  auto t = Teams::Load(f, h_, 10, FindGrid(), 2);
  ASSERT_FALSE(t.ok());
  const std::string msg(t.status().message());
  EXPECT_NE(msg.find(absl::StrCat(f, ":51: scope 'grid:X': no such grid\n... and 3 more")),
            std::string::npos)
      << msg;
  EXPECT_EQ(msg.find(absl::StrCat(f, ":52:")), std::string::npos) << msg;
}

// A row's values are repeated at most 64 bytes each (Echo), so 50 errors
// about 60 KiB fields stay a few KiB.
TEST_F(TeamsTest, ErrorsEchoAtMost64BytesOfAValue) {
  std::string csv = "scope,role,specialty,person,name,phone\n";
  const std::string huge(60000, 'x');
  for (int i = 0; i < 50; ++i) absl::StrAppend(&csv, "grid:", huge, ",member,,Q", i, ",a,1\n");
  const std::string f = dir_ + "/teams.csv";
  Write(f, csv);
  auto t = Teams::Load(f, h_, 10, FindGrid(), 2);
  ASSERT_FALSE(t.ok());
  const std::string msg(t.status().message());
  EXPECT_LT(msg.size(), 50u * (f.size() + 120)) << msg.size();
  EXPECT_NE(msg.find("scope 'grid:" + std::string(59, 'x') + "\xE2\x80\xA6': no such grid"),
            std::string::npos)
      << msg.substr(0, 300);
}

}  // namespace
}  // namespace gridroute

// Copyright 2026 gridroute authors.
#include "model/hierarchy.h"

#include "gtest/gtest.h"

namespace gridroute {
namespace {

std::vector<std::string> Levels() { return {"district", "street", "community"}; }

TEST(HierarchyTest, BuildsChainsWhateverTheRowOrder) {
  auto h = Hierarchy::Build(Levels(),
                            {{"110101001001", "多福巷社区", "community", "110101001", 2},
                             {"110101", "东城区", "district", "", 3},
                             {"110101001", "东华门街道", "street", "110101", 4}},
                            "regions.csv");
  ASSERT_TRUE(h.ok()) << h.status();
  std::vector<int32_t> chain(3);
  h->Chain(h->Find("110101001001"), chain);
  EXPECT_EQ(h->region(chain[0]).code, "110101");
  EXPECT_EQ(h->region(chain[1]).name, "东华门街道");
  EXPECT_EQ(h->region(chain[2]).code, "110101001001");
  EXPECT_EQ(h->Find("nope"), -1);
}

TEST(HierarchyTest, YanjiStyleLevelsAreData) {
  auto h = Hierarchy::Build({"first", "second", "third"},
                            {{"1", "一级网格", "first", "", 2},
                             {"1-1", "二级网格", "second", "1", 3},
                             {"1-1-1", "三级网格", "third", "1-1", 4}},
                            "r.csv");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->levels().size(), 3u);
}

void ExpectError(const absl::StatusOr<Hierarchy>& h, const std::string& needle1,
                 const std::string& needle2) {
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(h.status().message().find(needle1), std::string::npos) << h.status();
  EXPECT_NE(h.status().message().find(needle2), std::string::npos) << h.status();
}

TEST(HierarchyTest, RejectsCycleNamingTheCodes) {
  ExpectError(Hierarchy::Build(Levels(),
                               {{"a", "A", "street", "b", 2}, {"b", "B", "street", "a", 3}},
                               "regions.csv"),
              "cycle", "regions.csv:");
}

TEST(HierarchyTest, RejectsMissingParentWithLine) {
  ExpectError(Hierarchy::Build(Levels(), {{"s1", "S", "street", "ghost", 7}}, "regions.csv"),
              "regions.csv:7", "'ghost' does not exist");
}

TEST(HierarchyTest, RejectsDuplicateCodeAndUnknownLevel) {
  ExpectError(Hierarchy::Build(Levels(),
                               {{"d", "D", "district", "", 2}, {"d", "D2", "district", "", 3}},
                               "regions.csv"),
              "regions.csv:3: region 'd'", "duplicate");
  ExpectError(Hierarchy::Build(Levels(), {{"x", "X", "county", "", 2}}, "regions.csv"),
              "'x'", "unknown level 'county'");
}

TEST(HierarchyTest, RejectsParentAtSameOrLowerLevel) {
  ExpectError(Hierarchy::Build(Levels(),
                               {{"d", "D", "district", "", 2},
                                {"s", "S", "street", "d", 3},
                                {"s2", "S2", "street", "s", 4}},
                               "regions.csv"),
              "'s2'", "not higher");
}

}  // namespace
}  // namespace gridroute

// Copyright 2026 gridroute authors.
#include "cli/locate_command.h"

#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "common/csv.h"
#include "geo/crs.h"
#include "gtest/gtest.h"
#include "testing/test_pack.h"

namespace gridroute {
namespace {

using testing::TestPack;

std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  auto r = CsvReader::Open(path);
  EXPECT_TRUE(r.ok());
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  while (r->Next(row)) rows.push_back(row);
  return rows;
}

TEST(LocateCommandTest, KeepsRowsAndOrderAndReportsBadRows) {
  TestPack p;
  const std::string c = p.AddChain("320501");
  p.AddGrid("g1", c, TestPack::Square(120.000, 31.0, 0.001));
  p.AddGrid("g2", c, TestPack::Square(120.001, 31.0, 0.001));
  auto snapshot = LoadPack(p.Write());
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  const std::string dir = testing::MakeTempDir("cli");
  testing::WriteText(dir + "/in.csv",
                     "id,x,y,note\n"
                     "1,120.0005,31.0005,\"in g1, west\"\n"
                     "2,120.001,31.0005,shared edge\n"
                     "3,abc,31.0005,bad lon\n"
                     "4,120.0025,31.0005,20 m east of g2\n"
                     "5,120.0015,95,bad lat\n"
                     "6,121,31,far\n");
  LocateCommandOptions o;
  o.in = dir + "/in.csv";
  o.out = dir + "/out.csv";
  o.lon_col = "x";
  o.lat_col = "y";
  o.snap_m = 100;
  auto stats = RunLocate(**snapshot, o);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->rows, 6);
  EXPECT_EQ(stats->bad_rows, 2);
  auto rows = ReadCsv(o.out);
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"id", "x", "y", "note", "grid", "how",
                                               "distance_m", "district", "street",
                                               "community", "error"}));
  EXPECT_EQ(rows[1][3], "in g1, west");
  EXPECT_EQ(rows[1][4], "g1");
  EXPECT_EQ(rows[1][5], "inside");
  EXPECT_EQ(rows[1][7], "320501");
  EXPECT_EQ(rows[1][9], "3205010101");
  EXPECT_EQ(rows[2][4], "g1");  // smallest code on the shared edge
  EXPECT_EQ(rows[2][5], "on_edge");
  EXPECT_EQ(rows[3][5], "error");
  EXPECT_NE(rows[3][10].find("x 'abc'"), std::string::npos) << rows[3][10];
  EXPECT_EQ(rows[4][4], "g2");
  EXPECT_EQ(rows[4][5], "snapped");
  EXPECT_NEAR(std::stod(rows[4][6]), 0.0005 * 111319.49 * std::cos(31.0005 * M_PI / 180) * 0.9983, 1.0);
  EXPECT_EQ(rows[5][5], "error");
  EXPECT_NE(rows[5][10].find("y 95"), std::string::npos) << rows[5][10];
  EXPECT_EQ(rows[6][5], "outside");
  EXPECT_EQ(rows[6][4], "");
}

TEST(LocateCommandTest, MissingColumnIsAnErrorNamingIt) {
  TestPack p;
  p.AddGrid("g1", p.AddChain("320501"), TestPack::Square(120.000, 31.0, 0.001));
  auto snapshot = LoadPack(p.Write());
  ASSERT_TRUE(snapshot.ok());
  const std::string dir = testing::MakeTempDir("cli");
  testing::WriteText(dir + "/in.csv", "lng,lat\n1,2\n");
  LocateCommandOptions o;
  o.in = dir + "/in.csv";
  o.out = dir + "/out.csv";
  auto stats = RunLocate(**snapshot, o);
  ASSERT_FALSE(stats.ok());
  EXPECT_NE(stats.status().message().find("'lon'"), std::string::npos) << stats.status();
}

// --crs gcj02 on a WGS-84 pack: each point is converted as the server does.
// Oracle: WGS-84 points well inside each grid, shifted to GCJ-02 with the
// forward formula, must come back to their grids (the inverse is accurate
// to centimetres; the points are metres from any edge).
TEST(LocateCommandTest, ConvertsTheInputCrs) {
  TestPack p;
  const std::string c = p.AddChain("320501");
  p.AddGrid("g1", c, TestPack::Square(120.000, 31.0, 0.001));
  p.AddGrid("g2", c, TestPack::Square(120.001, 31.0, 0.001));
  auto snapshot = LoadPack(p.Write());
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  const std::string dir = testing::MakeTempDir("cli");
  const LonLat a = Wgs84ToGcj02({120.0004, 31.0006});
  const LonLat b = Wgs84ToGcj02({120.0016, 31.0003});
  testing::WriteText(dir + "/in.csv",
                     absl::StrFormat("lon,lat\n%.9f,%.9f\n%.9f,%.9f\n", a.lon, a.lat, b.lon, b.lat));
  LocateCommandOptions o;
  o.in = dir + "/in.csv";
  o.out = dir + "/out.csv";
  o.crs = "gcj02";
  auto stats = RunLocate(**snapshot, o);
  ASSERT_TRUE(stats.ok()) << stats.status();
  auto rows = ReadCsv(o.out);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1][2], "g1");
  EXPECT_EQ(rows[2][2], "g2");
  // Read as WGS-84, the same numbers are ~500 m off: not in these grids.
  o.crs = "wgs84";
  ASSERT_TRUE(RunLocate(**snapshot, o).ok());
  rows = ReadCsv(o.out);
  EXPECT_EQ(rows[1][3], "outside");
  o.crs = "mars";
  auto bad = RunLocate(**snapshot, o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("--crs"), std::string::npos) << bad.status();
}

}  // namespace
}  // namespace gridroute

// Copyright 2026 gridroute authors.
#include "cli/locate_command.h"

#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "common/csv.h"
#include "common/file_util.h"
#include "gmock/gmock.h"
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

// ---------------------------------------------------------------- input safety

std::string Slurp(const std::string& path) {
  auto s = ReadFile(path);
  return s.ok() ? *s : "<unreadable>";
}

// A one-grid pack and a directory for the files of one test.
struct Fixture {
  Fixture() {
    TestPack p;
    p.AddGrid("g1", p.AddChain("320501"), TestPack::Square(120.000, 31.0, 0.001));
    auto s = LoadPack(p.Write());
    EXPECT_TRUE(s.ok()) << s.status();
    snapshot = *std::move(s);
    dir = testing::MakeTempDir("cli_safety");
  }
  absl::StatusOr<LocateCommandStats> Run(const std::string& in, const std::string& out) {
    LocateCommandOptions o;
    o.in = in;
    o.out = out;
    return RunLocate(*snapshot, o);
  }
  std::shared_ptr<const Snapshot> snapshot;
  std::string dir;
};

// Regression: `--in X --out X` truncated X to 0 bytes before reading it.
TEST(LocateCommandTest, OutputThatIsTheInputIsRefusedInAnySpelling) {
  Fixture f;
  const std::string in = f.dir + "/in.csv";
  const std::string text = "lon,lat\n120.0005,31.0005\n";
  testing::WriteText(in, text);
  ASSERT_EQ(::symlink(in.c_str(), (f.dir + "/sym.csv").c_str()), 0);
  ASSERT_EQ(::link(in.c_str(), (f.dir + "/hard.csv").c_str()), 0);
  for (const std::string& out :
       {in, f.dir + "/./in.csv", f.dir + "/sym.csv", f.dir + "/hard.csv"}) {
    SCOPED_TRACE(out);
    auto stats = f.Run(in, out);
    ASSERT_FALSE(stats.ok());
    EXPECT_EQ(stats.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(stats.status().message()), ::testing::HasSubstr("same file as --in"));
    EXPECT_EQ(Slurp(in), text);
  }
  // Through the symlink as input too.
  EXPECT_FALSE(f.Run(f.dir + "/sym.csv", in).ok());
  EXPECT_EQ(Slurp(in), text);
  // A different file is fine.
  ASSERT_TRUE(f.Run(in, f.dir + "/out.csv").ok());
}

// Regression: the output was created (truncated) before the input was
// checked, so a typo in --in or a wrong header destroyed the old output.
TEST(LocateCommandTest, OutputIsNotTouchedWhenTheInputIsBad) {
  Fixture f;
  const std::string out = f.dir + "/out.csv";
  testing::WriteText(out, "previous results\n");
  testing::WriteText(f.dir + "/nolon.csv", "x,lat\n1,2\n");
  testing::WriteText(f.dir + "/empty.csv", "");
  EXPECT_EQ(f.Run(f.dir + "/missing.csv", out).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(f.Run(f.dir + "/nolon.csv", out).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(f.Run(f.dir + "/empty.csv", out).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Slurp(out), "previous results\n");
}

// Regression: fields beyond the header's were silently dropped.
TEST(LocateCommandTest, ExtraFieldsPassThroughAfterTheErrorColumn) {
  Fixture f;
  testing::WriteText(f.dir + "/in.csv",
                     "id,lon,lat\n"
                     "1,120.0005,31.0005\n"
                     "2,120.0005,31.0005,note, with comma\n"
                     "3,120.0005,31.0005,,\n");  // empty trailing fields: fine
  auto stats = f.Run(f.dir + "/in.csv", f.dir + "/out.csv");
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->rows, 3);
  EXPECT_EQ(stats->bad_rows, 1);
  auto rows = ReadCsv(f.dir + "/out.csv");
  ASSERT_EQ(rows.size(), 4u);
  // id,lon,lat,grid,how,distance_m,district,street,community,error
  ASSERT_EQ(rows[0].size(), 10u);
  EXPECT_EQ(rows[1][3], "g1");
  EXPECT_EQ(rows[1].size(), 10u);
  EXPECT_EQ(rows[2][4], "error");
  EXPECT_THAT(rows[2][9], ::testing::HasSubstr("row has 5 fields but the header names 3"));
  EXPECT_EQ(rows[2].size(), 12u);
  EXPECT_EQ(rows[2][10], "note");
  EXPECT_EQ(rows[2][11], " with comma");
  EXPECT_EQ(rows[3][3], "g1");
  EXPECT_EQ(rows[3].size(), 10u);
}

// Regression: a UTF-8 BOM made locate say "no column 'lon'"; CR-only line
// endings made the whole file one header row.
TEST(LocateCommandTest, ByteOrderMarkAndEveryLineEnding) {
  Fixture f;
  for (const std::string eol : {"\n", "\r\n", "\r"}) {
    for (const std::string bom : {"", "\xEF\xBB\xBF"}) {
      SCOPED_TRACE(::testing::PrintToString(bom + eol));
      testing::WriteText(f.dir + "/in.csv", bom + "lon,lat,note" + eol + "120.0005,31.0005,a" +
                                                eol + eol + "120.0006,31.0005,\"two" + eol +
                                                "lines\"" + eol + "x,31,c" + eol);
      auto stats = f.Run(f.dir + "/in.csv", f.dir + "/out.csv");
      ASSERT_TRUE(stats.ok()) << stats.status();
      EXPECT_EQ(stats->rows, 3);
      EXPECT_EQ(stats->bad_rows, 1);
      auto rows = ReadCsv(f.dir + "/out.csv");
      ASSERT_EQ(rows.size(), 4u);
      EXPECT_EQ(rows[0][0], "lon");  // the BOM is not part of the name
      EXPECT_EQ(rows[1][3], "g1");
      EXPECT_EQ(rows[2][2], "two" + eol + "lines");
      EXPECT_EQ(rows[2][3], "g1");
      EXPECT_EQ(rows[3][4], "error");
    }
  }
}

// Regression: one unbalanced quote swallowed the rest of the file.
TEST(LocateCommandTest, UnbalancedQuoteIsAnErrorNamingItsLine) {
  Fixture f;
  testing::WriteText(f.dir + "/in.csv",
                     "lon,lat,note\n120.0005,31.0005,a\n120.0005,31.0005,\"open\n"
                     "120.0005,31.0005,b\n");
  auto stats = f.Run(f.dir + "/in.csv", f.dir + "/out.csv");
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(stats.status().message()),
              ::testing::StartsWith(f.dir + "/in.csv:3: unterminated quoted field"));
}

}  // namespace
}  // namespace gridroute

// Copyright 2026 gridroute authors.
#include "cli/route_command.h"

#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/csv.h"
#include "common/file_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/routing_pack.h"
#include "testing/test_pack.h"

namespace gridroute {
namespace {

TEST(RouteCommandTest, RoutesRowsInOrderAndReportsBadRowsWithoutStopping) {
  testing::TestPack p;
  testing::MakeRoutingPack(p);
  auto snapshot = LoadPack(p.Write());
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  const std::string dir = testing::MakeTempDir("route");
  testing::WriteText(dir + "/events.csv",
                     "id,lon,lat,category_type,category,urgency,reported_at,component_code\n"
                     "1,120.0008,31.0008,event,0102,urgent,2026-03-06T16:30:00+08:00,\n"
                     "2,120.0008,31.0008,event,0102,,2026-03-04 10:00,\n"
                     "3,abc,31.0008,event,0102,,2026-03-04 10:00,\n"
                     "4,120.0008,31.0008,event,0102,,yesterday,\n"
                     "5,,,component,0101,,2026-03-04T10:00:00+08:00,3205010101000001\n"
                     "6,121.5,31.5,event,0102,,2026-03-04T10:00:00+08:00,\n"
                     "7,120.0008,31.0008,event,9901,,2026-03-04T10:00:00+08:00,\n"
                     "8,120.0008,31.0008,event,0102,,2026-03-04T10:00:00+08:00,\n");
  Router router(*snapshot);
  RouteCommandOptions o;
  o.in = dir + "/events.csv";
  o.out = dir + "/out.csv";
  o.quiet = true;
  auto stats = RunRoute(router, o);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->rows, 8);
  EXPECT_EQ(stats->outcomes["routed/inside"], 4);
  EXPECT_EQ(stats->outcomes["invalid"], 2);
  EXPECT_EQ(stats->outcomes["not_found"], 1);
  EXPECT_EQ(stats->outcomes["outside_coverage"], 1);

  auto r = CsvReader::Open(o.out);
  ASSERT_TRUE(r.ok());
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  while (r->Next(row)) rows.push_back(row);
  ASSERT_EQ(rows.size(), 9u);
  const auto& h = rows[0];
  auto col = [&](const std::string& name) {
    return static_cast<size_t>(std::find(h.begin(), h.end(), name) - h.begin());
  };
  ASSERT_LT(col("error"), h.size());
  for (size_t i = 1; i < rows.size(); ++i) EXPECT_EQ(rows[i][0], std::to_string(i));
  EXPECT_EQ(rows[1][col("lead_dept")], "D2");
  EXPECT_EQ(rows[1][col("deadline")], "2026-03-09T09:30:00+08:00");
  EXPECT_EQ(rows[2][col("deadline")], "2026-03-05T10:00:00+08:00");  // zone-less time: local
  EXPECT_EQ(rows[3][col("outcome")], "invalid");
  EXPECT_NE(rows[3][col("error")].find("lon/lat"), std::string::npos);
  EXPECT_NE(rows[4][col("error")].find("reported_at: 'yesterday'"), std::string::npos);
  EXPECT_EQ(rows[5][col("lead_dept")], "W2");
  EXPECT_EQ(rows[5][col("component")], "3205010101000001");
  EXPECT_EQ(rows[6][col("outcome")], "outside_coverage");
  EXPECT_EQ(rows[7][col("outcome")], "not_found");
  EXPECT_EQ(rows[8][col("member")], "P4");
  EXPECT_EQ(rows[8][col("specialist")], "P2");
}

// Issue 17: years -99999 and 292277026596 were routed (the second with the
// deadline "infinite-future"); a time more than 15 minutes ahead of the
// clock, or before 2000, is an invalid row, as the server refuses it.
TEST(RouteCommandTest, TimesFromAWrongClockAreInvalidRows) {
  testing::TestPack p;
  testing::MakeRoutingPack(p);
  auto snapshot = LoadPack(p.Write());
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  const std::string dir = testing::MakeTempDir("route_times");
  testing::WriteText(dir + "/events.csv",
                     "id,lon,lat,category,reported_at\n"
                     "1,120.0008,31.0008,0102,292277026596-12-04T15:30:07Z\n"
                     "2,120.0008,31.0008,0102,-99999-01-01T00:00:00Z\n"
                     "3,120.0008,31.0008,0102,2199-12-31T23:00:00+08:00\n"
                     "4,120.0008,31.0008,0102,1999-12-31T23:59:59Z\n"
                     "5,120.0008,31.0008,0102,2026-03-04T10:14:00+08:00\n"
                     "6,120.0008,31.0008,0102,2026-03-04T10:16:00+08:00\n"
                     "7,120.0008,31.0008,0102,2000-01-01T00:00:00Z\n");
  Router router(*snapshot);
  RouteCommandOptions o;
  o.in = dir + "/events.csv";
  o.out = dir + "/out.csv";
  o.quiet = true;
  o.now = absl::FromCivil(absl::CivilMinute(2026, 3, 4, 10, 0), absl::FixedTimeZone(8 * 3600));
  auto stats = RunRoute(router, o);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->outcomes["invalid"], 5);
  EXPECT_EQ(stats->outcomes["routed/inside"], 2);
  auto r = CsvReader::Open(o.out);
  ASSERT_TRUE(r.ok());
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  while (r->Next(row)) rows.push_back(row);
  ASSERT_EQ(rows.size(), 8u);
  const size_t error = rows[0].size() - 1, outcome = rows[0].size() - 2;
  for (int i : {1, 2, 3, 4, 6}) {
    EXPECT_EQ(rows[i][outcome], "invalid") << i;
    EXPECT_EQ(rows[i][error].rfind("reported_at: ", 0), 0u) << rows[i][error];
  }
  EXPECT_NE(rows[3][error].find("more than 15m ahead"), std::string::npos) << rows[3][error];
  EXPECT_NE(rows[4][error].find("before 2000-01-01T00:00:00Z"), std::string::npos)
      << rows[4][error];
  EXPECT_EQ(rows[5][outcome], "routed/inside");
  EXPECT_EQ(rows[7][outcome], "routed/inside");
}

TEST(RouteCommandTest, ParseReportTimeAcceptsOffsetsAndLocalTimes) {
  absl::Time t;
  const absl::TimeZone z = absl::FixedTimeZone(8 * 3600);
  ASSERT_TRUE(ParseReportTime("2026-03-04T10:00:00+08:00", z, &t));
  EXPECT_EQ(t, absl::FromCivil(absl::CivilMinute(2026, 3, 4, 10, 0), z));
  ASSERT_TRUE(ParseReportTime("2026-03-04T02:00:00Z", z, &t));
  EXPECT_EQ(t, absl::FromCivil(absl::CivilMinute(2026, 3, 4, 10, 0), z));
  ASSERT_TRUE(ParseReportTime("2026-03-04 10:00", z, &t));
  EXPECT_FALSE(ParseReportTime("04/03/2026", z, &t));
  EXPECT_FALSE(ParseReportTime("", z, &t));
}

// ---------------------------------------------------------------- input safety

std::string Slurp(const std::string& path) {
  auto s = ReadFile(path);
  return s.ok() ? *s : "<unreadable>";
}

std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  auto r = CsvReader::Open(path);
  EXPECT_TRUE(r.ok());
  if (!r.ok()) return rows;
  std::vector<std::string> row;
  while (r->Next(row)) rows.push_back(row);
  return rows;
}

struct Fixture {
  Fixture() {
    testing::TestPack p;
    testing::MakeRoutingPack(p);
    auto s = LoadPack(p.Write());
    EXPECT_TRUE(s.ok()) << s.status();
    router = std::make_unique<Router>(*s);
    dir = testing::MakeTempDir("route_safety");
  }
  absl::StatusOr<RouteCommandStats> Run(const std::string& in, const std::string& out) {
    RouteCommandOptions o;
    o.in = in;
    o.out = out;
    o.quiet = true;
    return RunRoute(*router, o);
  }
  std::unique_ptr<Router> router;
  std::string dir;
};

constexpr char kHeader[] = "id,lon,lat,category,reported_at";
constexpr char kRow[] = "120.0008,31.0008,0102,2026-03-04T10:00:00+08:00";

// Regression: `--in X --out X` truncated X to 0 bytes before reading it.
TEST(RouteCommandTest, OutputThatIsTheInputIsRefusedAndInputKept) {
  Fixture f;
  const std::string in = f.dir + "/in.csv";
  const std::string text = absl::StrCat(kHeader, "\n1,", kRow, "\n");
  testing::WriteText(in, text);
  ASSERT_EQ(::symlink(in.c_str(), (f.dir + "/sym.csv").c_str()), 0);
  ASSERT_EQ(::link(in.c_str(), (f.dir + "/hard.csv").c_str()), 0);
  for (const std::string& out :
       {in, f.dir + "//in.csv", f.dir + "/sym.csv", f.dir + "/hard.csv"}) {
    SCOPED_TRACE(out);
    auto stats = f.Run(in, out);
    ASSERT_FALSE(stats.ok());
    EXPECT_EQ(stats.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(stats.status().message()), ::testing::HasSubstr("same file as --in"));
    EXPECT_EQ(Slurp(in), text);
  }
  // The output is not created before the header is checked either.
  testing::WriteText(f.dir + "/old.csv", "keep\n");
  testing::WriteText(f.dir + "/nocat.csv", "lon,lat,reported_at\n1,2,3\n");
  EXPECT_FALSE(f.Run(f.dir + "/nocat.csv", f.dir + "/old.csv").ok());
  EXPECT_EQ(Slurp(f.dir + "/old.csv"), "keep\n");
}

// Regressions: a BOM, CR-only or CRLF line endings; extra fields dropped.
TEST(RouteCommandTest, ByteOrderMarkLineEndingsAndExtraFields) {
  Fixture f;
  for (const std::string eol : {"\n", "\r\n", "\r"}) {
    SCOPED_TRACE(::testing::PrintToString(eol));
    testing::WriteText(f.dir + "/in.csv",
                       absl::StrCat("\xEF\xBB\xBF", kHeader, eol, "1,", kRow, eol, "2,", kRow,
                                    ",extra,more", eol, "3,", kRow, ",", eol));
    auto stats = f.Run(f.dir + "/in.csv", f.dir + "/out.csv");
    ASSERT_TRUE(stats.ok()) << stats.status();
    EXPECT_EQ(stats->rows, 3);
    EXPECT_EQ(stats->outcomes["routed/inside"], 2);
    EXPECT_EQ(stats->outcomes["invalid"], 1);
    auto rows = ReadCsv(f.dir + "/out.csv");
    ASSERT_EQ(rows.size(), 4u);
    const auto& h = rows[0];
    EXPECT_EQ(h[0], "id");
    const size_t error = std::find(h.begin(), h.end(), "error") - h.begin();
    ASSERT_EQ(error, h.size() - 1);
    const size_t outcome = error - 1;
    EXPECT_EQ(rows[1][outcome], "routed/inside");
    EXPECT_EQ(rows[1].size(), h.size());
    EXPECT_EQ(rows[2][0], "2");
    EXPECT_EQ(rows[2][outcome], "invalid");
    EXPECT_THAT(rows[2][error], ::testing::HasSubstr("row has 7 fields but the header names 5"));
    ASSERT_EQ(rows[2].size(), h.size() + 2);
    EXPECT_EQ(rows[2][h.size()], "extra");
    EXPECT_EQ(rows[2][h.size() + 1], "more");
    EXPECT_EQ(rows[3][outcome], "routed/inside");  // a trailing comma is fine
  }
}

// Regression: one unbalanced quote swallowed the rest of the file.
TEST(RouteCommandTest, UnbalancedQuoteIsAnErrorNamingItsLine) {
  Fixture f;
  testing::WriteText(f.dir + "/in.csv", absl::StrCat(kHeader, "\n1,", kRow, "\n\"2,", kRow,
                                                     "\n3,", kRow, "\n"));
  auto stats = f.Run(f.dir + "/in.csv", f.dir + "/out.csv");
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(stats.status().message()),
              ::testing::StartsWith(f.dir + "/in.csv:3: unterminated quoted field"));
}

}  // namespace
}  // namespace gridroute

// Copyright 2026 gridroute authors.
//
// What LoadPack reads, and how: only regular files, each within its size
// limit checked before its first byte; every string UTF-8, or the CSV files
// converted from the manifest's `encoding`. Each test is the regression of
// one fault: a FIFO hung the load, a symlink to /dev/zero grew memory
// without limit, a 2 GB sparse teams.csv cost 10 GB before "too big", a bad
// 400 MB teams.csv peaked at 5x its size and echoed its whole first line,
// and GBK names loaded fine and then broke every answer at the client.
#include <iconv.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/process_memory.h"
#include "common/text_encoding.h"
#include "gtest/gtest.h"
#include "snapshot/snapshot.h"
#include "testing/routing_pack.h"
#include "testing/test_pack.h"

namespace gridroute {
namespace {

using testing::TestPack;

std::string RoutingPackDir() {
  TestPack p;
  testing::MakeRoutingPack(p);
  return p.Write();
}

std::string ReadText(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// The load's error message; "" if it loaded.
std::string LoadError(const std::string& dir, const LoadOptions& o = {}) {
  absl::StatusOr<std::shared_ptr<const Snapshot>> s = LoadPack(dir, o);
  return s.ok() ? "" : std::string(s.status().message());
}

TEST(PackFilesTest, AFifoIsRefusedInsteadOfHangingTheLoad) {
  for (const char* name : {"teams.csv", "grids.geojson", "calendar.json", "manifest.json"}) {
    const std::string dir = RoutingPackDir();
    const std::string path = dir + "/" + name;
    ASSERT_EQ(unlink(path.c_str()), 0);
    ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
    const std::string e = LoadError(dir);
    EXPECT_TRUE(absl::StrContains(e, path + ": not a regular file (a FIFO)")) << e;
  }
}

TEST(PackFilesTest, ASymlinkToDevZeroIsRefused) {
  for (const char* name : {"components.csv", "layers.geojson", "regions.csv"}) {
    const std::string dir = RoutingPackDir();
    const std::string path = dir + "/" + name;
    ASSERT_EQ(unlink(path.c_str()), 0);
    ASSERT_EQ(symlink("/dev/zero", path.c_str()), 0);
    const std::string e = LoadError(dir);
    EXPECT_TRUE(absl::StrContains(e, path + ": not a regular file (a character device)")) << e;
  }
}

TEST(PackFilesTest, AFileOverItsLimitIsRefusedBeforeItIsRead) {
  // 5 GB of sparse teams.csv: refused by its size, with no memory spent.
  const std::string dir = RoutingPackDir();
  ASSERT_EQ(truncate((dir + "/teams.csv").c_str(), int64_t{5000} << 20), 0);
  const size_t before = ResidentBytes();
  const std::string e = LoadError(dir);
  EXPECT_TRUE(absl::StrContains(e, dir + "/teams.csv: 5242880000 bytes, more than the limit of "
                                         "4294967296 bytes"))
      << e;
  EXPECT_LT(ResidentBytes(), before + (size_t{64} << 20));
  // Every kind of file has its limit (PACK.md "Limits").
  LoadOptions o;
  o.limits.regions_bytes = 64;
  EXPECT_TRUE(absl::StrContains(LoadError(RoutingPackDir(), o), "regions.csv: "));
  o = LoadOptions();
  o.limits.calendar_bytes = 64;
  EXPECT_TRUE(absl::StrContains(LoadError(RoutingPackDir(), o), "calendar.json: "));
  o = LoadOptions();
  o.limits.grids_bytes = 64;
  EXPECT_TRUE(absl::StrContains(LoadError(RoutingPackDir(), o), "grids.geojson: "));
}

TEST(PackFilesTest, AHugeBadLineGivesAShortErrorNamingIt) {
  // One 20 MB line where teams.csv's rows should be: the field limit stops
  // the read at 64 KiB, and the message does not repeat the line.
  const std::string dir = RoutingPackDir();
  const std::string teams = ReadText(dir + "/teams.csv");
  testing::WriteText(dir + "/teams.csv",
                     teams + "grid:g1,member,," + std::string(20 << 20, 'P') + ",x,1\n");
  const std::string e = LoadError(dir);
  EXPECT_TRUE(absl::StrContains(e, "teams.csv:10: field 4 longer than 65536 bytes")) << e;
  EXPECT_LT(e.size(), 1024u);
}

TEST(PackFilesTest, NonUtf8NamesAreALoadErrorNamingFileLineAndColumn) {
  // 张网格长 in GBK, as a spreadsheet saved as "ANSI" on a Chinese Windows.
  const std::string gbk = "\xD5\xC5\xCD\xF8\xB8\xF1\xB3\xA4";
  {
    const std::string dir = RoutingPackDir();
    std::string teams = ReadText(dir + "/teams.csv");
    teams.replace(teams.find("张网格长"), std::string("张网格长").size(), gbk);
    testing::WriteText(dir + "/teams.csv", teams);
    const std::string e = LoadError(dir);
    EXPECT_TRUE(absl::StrContains(e, dir + "/teams.csv:2: column 'name': not valid UTF-8 "
                                           "(bytes \\xD5\\xC5\\xCD\\xF8)"))
        << e;
  }
  {
    TestPack p;
    p.AddRegion("320501", gbk, "district", "");
    p.AddRegion("32050101", "s", "street", "320501");
    p.AddRegion("3205010101", "c", "community", "32050101");
    p.AddGrid("g1", "3205010101", TestPack::Square(120, 31, 0.001));
    const std::string dir = p.Write();
    const std::string e = LoadError(dir);
    EXPECT_TRUE(absl::StrContains(e, dir + "/regions.csv:2: column 'name': not valid UTF-8")) << e;
  }
  {
    // JSON must be UTF-8: the message names the line of the bad bytes.
    TestPack p;
    const std::string c = p.AddChain("320501");
    p.AddGrid("g1", c, TestPack::Square(120, 31, 0.001));
    p.AddRawFeature(absl::StrCat(
        R"({"type":"Feature","properties":{"code":"g2","parent":")", c, R"(","name":")", gbk,
        R"("},"geometry":{"type":"Polygon","coordinates":)", TestPack::Square(120.001, 31, 0.001),
        "}}"));
    const std::string dir = p.Write();
    const std::string e = LoadError(dir);
    EXPECT_TRUE(absl::StrContains(e, dir + "/grids.geojson:3: not valid UTF-8 (bytes \\xD5")) << e;
  }
}

// UTF-8 -> `encoding` (the test's way to write a legacy file).
std::string Encode(const std::string& utf8, const char* encoding) {
  iconv_t cd = iconv_open(encoding, "UTF-8");
  std::string out(utf8.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(utf8.data());
  size_t in_left = utf8.size(), out_left = out.size();
  char* o = out.data();
  EXPECT_NE(iconv(cd, &in, &in_left, &o, &out_left), static_cast<size_t>(-1));
  iconv_close(cd);
  out.resize(out.size() - out_left);
  return out;
}

TEST(PackFilesTest, TheManifestsEncodingConvertsEveryCsvFile) {
  TestPack p;
  testing::MakeRoutingPack(p);
  p.SetManifestExtra(R"("encoding":"GB18030")");
  const std::string dir = p.Write();
  for (const char* f : {"regions.csv", "departments.csv", "categories.csv", "rules.csv",
                        "teams.csv", "components.csv"}) {
    const std::string path = dir + "/" + f;
    testing::WriteText(path, Encode(ReadText(path), "GB18030"));
  }
  ASSERT_FALSE(IsValidUtf8(ReadText(dir + "/teams.csv")));
  absl::StatusOr<std::shared_ptr<const Snapshot>> s = LoadPack(dir);
  ASSERT_TRUE(s.ok()) << s.status();
  const Snapshot& snap = **s;
  EXPECT_EQ(snap.manifest().encoding, "GB18030");
  EXPECT_EQ(snap.teams().person(0).name, "张网格长");
  EXPECT_EQ(snap.departments().at(0).name, "城管局");
  EXPECT_EQ(snap.categories().at(0).name, "暴露垃圾");
  EXPECT_EQ(snap.components().state(0), "破损");
  // The same bytes without the declaration are refused, naming the file.
  TestPack q;
  testing::MakeRoutingPack(q);
  const std::string plain = q.Write();
  testing::WriteText(plain + "/departments.csv", ReadText(dir + "/departments.csv"));
  EXPECT_TRUE(absl::StrContains(LoadError(plain), "departments.csv:2: column 'name': not valid "
                                                  "UTF-8"));
}

TEST(PackFilesTest, AnUnknownEncodingIsAManifestError) {
  TestPack p;
  testing::MakeRoutingPack(p);
  p.SetManifestExtra(R"("encoding":"KLINGON-8")");
  const std::string e = LoadError(p.Write());
  EXPECT_TRUE(absl::StrContains(e, "manifest.json: field 'encoding': unknown encoding "
                                   "'KLINGON-8'"))
      << e;
}

}  // namespace
}  // namespace gridroute

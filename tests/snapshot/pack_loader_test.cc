// Copyright 2026 gridroute authors.
//
// One test per kind of bad pack: each asserts that loading fails and that the
// message names the offending file, location and code.
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "snapshot/snapshot.h"
#include "snapshot/validate.h"
#include "testing/routing_pack.h"
#include "testing/test_pack.h"

namespace gridroute {
namespace {

using testing::TestPack;

// Two unit squares side by side, sharing the edge x = 120.001.
TestPack GoodPack() {
  TestPack p;
  const std::string c = p.AddChain("320501");
  p.AddGrid("g2", c, TestPack::Square(120.001, 31.0, 0.001));
  p.AddGrid("g1", c, TestPack::Square(120.000, 31.0, 0.001));
  return p;
}

void ExpectLoadError(TestPack& p, std::initializer_list<std::string> needles) {
  auto s = LoadPack(p.Write());
  ASSERT_FALSE(s.ok()) << "a bad pack loaded";
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << s.status();
  for (const auto& n : needles) {
    EXPECT_NE(s.status().message().find(n), std::string::npos)
        << "missing '" << n << "' in: " << s.status().message();
  }
}

TEST(PackLoaderTest, GoodPackLoadsSortedByCode) {
  TestPack p = GoodPack();
  auto s = LoadPack(p.Write());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ((*s)->num_grids(), 2u);
  EXPECT_EQ((*s)->grid_code(0), "g1");
  EXPECT_EQ((*s)->FindGrid("g2"), 1u);
  EXPECT_EQ((*s)->FindGrid("g3"), kNoGrid);
  EXPECT_EQ((*s)->hierarchy().region((*s)->grid_parent(0)).code, "3205010101");
  EXPECT_GT((*s)->MemoryBytes(), 0u);
}

TEST(PackLoaderTest, InvalidJson) {
  TestPack p = GoodPack();
  p.AddRawFeature(R"({"type":"Feature","properties":{"code":"g9",)");
  ExpectLoadError(p, {"grids.geojson", "invalid JSON"});
}

// Regression (fuzz_layers): a feature without 'properties' crashed the load
// (the loader indexed the record's empty property list before reporting the
// error), in the grids file and in the layers file alike.
TEST(PackLoaderTest, FeatureWithoutPropertiesIsAnErrorNotACrash) {
  TestPack p = GoodPack();
  p.AddRawFeature(absl::StrCat(R"({"type":"Feature","geometry":{"type":"Polygon",)",
                               R"("coordinates":)", TestPack::Square(120.002, 31.0, 0.001), "}}"));
  ExpectLoadError(p, {"grids.geojson", "missing 'properties' object"});

  TestPack r;
  testing::MakeRoutingPack(r);
  r.RemoveFile("layers");
  r.AddFile("layers", "layers.geojson",
            absl::StrCat(R"({"type":"FeatureCollection","features":[{"type":"Feature",)",
                         R"("geometry":{"type":"Polygon","coordinates":)",
                         TestPack::Square(120.0002, 31.0002, 0.0002), "}}]}"));
  ExpectLoadError(r, {"layers.geojson", "missing 'properties' object"});
}

TEST(PackLoaderTest, InvalidManifestJsonAndMissingFields) {
  TestPack p = GoodPack();
  p.SetManifestOverride("{\"format\": ");
  ExpectLoadError(p, {"manifest.json", "invalid JSON"});
  TestPack q = GoodPack();
  q.SetManifestOverride(R"({"format":"gridroute-pack","format_version":1,"name":"x","version":"1","levels":["a"]})");
  ExpectLoadError(q, {"manifest.json", "'files'"});
}

TEST(PackLoaderTest, ManifestFilesMustStayInsideThePack) {
  const std::string head =
      R"({"format":"gridroute-pack","format_version":1,"name":"x","version":"1","levels":["a"],)";
  TestPack p = GoodPack();
  p.SetManifestOverride(head + R"("files":{"regions":"../../etc/regions.csv","grids":"grids.geojson"}})");
  ExpectLoadError(p, {"manifest.json", "files.regions", "'..'"});
  TestPack q = GoodPack();
  q.SetManifestOverride(head + R"("files":{"regions":"regions.csv","grids":"/etc/passwd"}})");
  ExpectLoadError(q, {"manifest.json", "files.grids", "absolute"});
  TestPack r = GoodPack();
  r.SetManifestOverride(head + R"("files":{"regions":"regions.csv","grids":"grids.geojson","teams":"sub/../../t.csv"}})");
  ExpectLoadError(r, {"files.teams", "'..'"});
}

TEST(PackLoaderTest, UnclosedRing) {
  TestPack p = GoodPack();
  p.AddGrid("g3", "3205010101", "[[[121,31],[121.001,31],[121.001,31.001],[121,31.001]]]");
  ExpectLoadError(p, {"grids.geojson:4", "feature #2", "code g3", "not closed"});
}

TEST(PackLoaderTest, SelfIntersectingRing) {
  TestPack p = GoodPack();
  // A bow tie.
  p.AddGrid("g3", "3205010101",
            "[[[121,31],[121.001,31.001],[121.001,31],[121,31.001],[121,31]]]");
  ExpectLoadError(p, {"feature #2", "code g3", "self-intersects"});
}

TEST(PackLoaderTest, FewerThanThreeDistinctVertices) {
  TestPack p = GoodPack();
  p.AddGrid("g3", "3205010101", "[[[121,31],[121.001,31],[121.001,31],[121,31]]]");
  ExpectLoadError(p, {"code g3", "fewer than 3 distinct vertices"});
}

TEST(PackLoaderTest, DuplicateGridCodes) {
  TestPack p = GoodPack();
  p.AddGrid("g1", "3205010101", TestPack::Square(121, 31, 0.001));
  ExpectLoadError(p, {"code g1", "duplicate grid code", "feature #1"});
}

TEST(PackLoaderTest, GridWhoseParentDoesNotExist) {
  TestPack p = GoodPack();
  p.AddGrid("g3", "9999", TestPack::Square(121, 31, 0.001));
  ExpectLoadError(p, {"feature #2", "code g3", "parent '9999' does not exist"});
}

TEST(PackLoaderTest, GridAttachedToAStreet) {
  TestPack p = GoodPack();
  p.AddGrid("g3", "32050101", TestPack::Square(121, 31, 0.001));
  ExpectLoadError(p, {"code g3", "level 'street'", "lowest level 'community'"});
}

TEST(PackLoaderTest, HierarchyCycle) {
  TestPack p = GoodPack();
  p.AddRegion("x1", "X1", "street", "x2");
  p.AddRegion("x2", "X2", "street", "x1");
  ExpectLoadError(p, {"regions.csv", "cycle in hierarchy", "x1"});
}

TEST(PackLoaderTest, OverlappingGrids) {
  TestPack p = GoodPack();
  // Overlaps g2 by half its area (~5,000 m²).
  p.AddGrid("g3", "3205010101", TestPack::Square(120.0015, 31.0, 0.001));
  ExpectLoadError(p, {"code g2", "overlaps", "code g3", "m²"});
}

TEST(PackLoaderTest, IdenticalDuplicateGeometryIsAnOverlap) {
  TestPack p = GoodPack();
  p.AddGrid("g3", "3205010101", TestPack::Square(120.001, 31.0, 0.001));
  ExpectLoadError(p, {"code g2", "overlaps", "code g3"});
}

TEST(PackLoaderTest, GridInsideAnotherIsAnOverlap) {
  TestPack p = GoodPack();
  p.AddGrid("g3", "3205010101", TestPack::Square(120.0002, 31.0002, 0.0003));
  ExpectLoadError(p, {"code g1", "overlaps", "code g3"});
}

TEST(PackLoaderTest, OverlapBelowToleranceIsAccepted) {
  TestPack p = GoodPack();
  p.SetTolerance(1.0);
  // A sliver 1e-7 deg (~1 cm) wide along the shared edge: ~1 m².
  p.AddGrid("g3", "3205010101",
            "[[[120.002,31.0],[120.0030,31.0],[120.0030,31.001],[120.0019999,31.001],"
            "[120.002,31.0]]]");
  auto s = LoadPack(p.Write());
  // g3 overlaps g2 in a triangle of 0.5 * 1e-7 deg * 0.001 deg ≈ 0.5 m².
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_GT((*s)->load_stats().suspicious_pairs, 0);
}

TEST(PackLoaderTest, CoordinatesOutsideTheCrsRange) {
  TestPack p = GoodPack();
  p.AddGrid("g3", "3205010101", TestPack::Square(181, 31, 0.001));
  ExpectLoadError(p, {"code g3", "outside the valid range of CRS wgs84"});
}

TEST(PackLoaderTest, EveryErrorIsReportedNotJustTheFirst) {
  TestPack p = GoodPack();
  p.AddGrid("g3", "nope", TestPack::Square(121, 31, 0.001));
  p.AddGrid("g4", "3205010101", "[[[121,31],[121.001,31],[121,31]]]");
  ExpectLoadError(p, {"code g3", "code g4", "2 error(s)"});
}

TEST(PackLoaderTest, HolesMultipolygonsAndNumericCodes) {
  TestPack p;
  const std::string c = p.AddChain("320501");
  p.AddGrid("100", c,
            "[[[0,0],[0.003,0],[0.003,0.003],[0,0.003],[0,0]],"
            "[[0.001,0.001],[0.001,0.002],[0.002,0.002],[0.002,0.001],[0.001,0.001]]]");
  p.AddRawFeature(
      R"({"type":"Feature","properties":{"code":200,"parent":"3205010101"},)"
      R"("geometry":{"type":"MultiPolygon","coordinates":[)"
      R"([[[0.0012,0.0012],[0.0018,0.0012],[0.0018,0.0018],[0.0012,0.0018],[0.0012,0.0012]]],)"
      R"([[[0.004,0],[0.005,0],[0.005,0.001],[0.004,0.001],[0.004,0]]]]}})");
  auto s = LoadPack(p.Write());
  ASSERT_TRUE(s.ok()) << s.status();
  const Snapshot& snap = **s;
  ASSERT_EQ(snap.num_grids(), 2u);
  EXPECT_EQ(snap.grid_code(1), "200");
  const Quantizer& q = snap.quantizer();
  auto locate = [&](double x, double y) { return snap.locator().Locate(q.Quantize(x, y)); };
  EXPECT_EQ(locate(0.0005, 0.0005).grid, 0u);
  EXPECT_EQ(locate(0.0011, 0.0015).how, How::kOutside);  // in the hole, not in the exclave
  EXPECT_EQ(locate(0.0015, 0.0015).grid, 1u);            // exclave part of 200
  EXPECT_EQ(locate(0.0045, 0.0005).grid, 1u);            // other part of 200
  EXPECT_EQ(locate(0.001, 0.0015).how, How::kOnEdge);    // hole edge: grid 100's boundary
  EXPECT_EQ(locate(0.001, 0.0015).grid, 0u);
}

TEST(PackLoaderTest, HoleOutsideItsShell) {
  TestPack p = GoodPack();
  p.AddGrid("g3", "3205010101",
            "[[[0,0],[0.001,0],[0.001,0.001],[0,0.001],[0,0]],"
            "[[0.002,0.002],[0.002,0.003],[0.003,0.003],[0.003,0.002],[0.002,0.002]]]");
  ExpectLoadError(p, {"code g3", "hole is not inside"});
}

TEST(CleanRingTest, DropsClosingAndRepeatedVertices) {
  std::vector<IPoint> r = {{0, 0}, {4, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}};
  EXPECT_EQ(CleanRing(r), "");
  EXPECT_EQ(r.size(), 4u);
  std::vector<IPoint> spike = {{0, 0}, {4, 0}, {8, 0}, {4, 0}, {4, 4}, {0, 0}};
  EXPECT_NE(CleanRing(spike), "");
}

}  // namespace
}  // namespace gridroute

namespace gridroute {
namespace {

// Regression: malformed JSON once crashed the on-demand parser's caller.
// Every truncation of a valid grids file must load cleanly or fail cleanly.
TEST(PackLoaderTest, TruncatedGridsFileNeverCrashes) {
  TestPack p = GoodPack();
  p.AddGrid("g3", "3205010101",
            "[[[0,0],[0.003,0],[0.003,0.003],[0,0.003],[0,0]],"
            "[[0.001,0.001],[0.001,0.002],[0.002,0.002],[0.002,0.001],[0.001,0.001]]]");
  const std::string dir = p.Write();
  std::string full;
  {
    std::ifstream f(dir + "/grids.geojson");
    full.assign(std::istreambuf_iterator<char>(f), {});
  }
  int failures = 0;
  for (size_t cut = 0; cut < full.size(); ++cut) {
    testing::WriteText(dir + "/grids.geojson", full.substr(0, cut));
    auto s = LoadPack(dir);
    if (!s.ok()) ++failures;
  }
  EXPECT_GT(failures, static_cast<int>(full.size()) - 10);
}

#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
// After a load, a block of kLargeBlockBytes or more is mapped on its own even
// when a bigger block freed earlier has raised glibc's dynamic threshold
// (which would put it in an arena, where the snapshot's arrays fragmented it).
TEST(PackLoaderTest, LargeBlocksAreMappedOnTheirOwnAfterALoad) {
  static void* volatile sink;
  sink = std::malloc(32 * kLargeBlockBytes);  // raises a dynamic threshold
  std::free(sink);
  TestPack p = GoodPack();
  ASSERT_TRUE(LoadPack(p.Write()).ok());
  const size_t mapped_before = mallinfo2().hblks;
  sink = std::malloc(kLargeBlockBytes + 4096);
  ASSERT_NE(sink, nullptr);
  EXPECT_EQ(mallinfo2().hblks, mapped_before + 1);
  std::free(sink);
  EXPECT_EQ(mallinfo2().hblks, mapped_before);
}
#endif

}  // namespace
}  // namespace gridroute

namespace gridroute {
namespace {

// LoadOptions::max_errors caps the lines of every loader, the routing files'
// too (rules.csv, teams.csv, components.csv each hard-coded 50 before).
int CountLines(absl::string_view text, absl::string_view needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != absl::string_view::npos;
       at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

TEST(PackLoaderTest, MaxErrorsCapsTheRulesTeamsAndComponentsErrors) {
  struct Case {
    const char* key;
    const char* file;
    std::string text;
  };
  std::string rules, teams = "scope,role,specialty,person,name,phone\n",
                     components = "code,category,lon,lat,owner,property,maintainer,state\n";
  for (int i = 0; i < 10; ++i) {
    absl::StrAppend(&rules, "bad-", i, ",region:nope", i, ",event,*,D1,,*=1h,\n");
    absl::StrAppend(&teams, "region:nope", i, ",leader,,P", i, ",x,1\n");
    absl::StrAppend(&components, "c", i, ",9999,120.0005,31.0005,W1,,,ok\n");
  }
  for (const Case& c : {Case{"rules", "rules.csv", ""}, Case{"teams", "teams.csv", teams},
                        Case{"components", "components.csv", components}}) {
    SCOPED_TRACE(c.file);
    TestPack p;
    testing::MakeRoutingPack(p, c.key == std::string("rules") ? rules : "");
    if (!c.text.empty()) {
      p.RemoveFile(c.key);
      p.AddFile(c.key, c.file, c.text);
    }
    const std::string dir = p.Write();
    const std::string needle = absl::StrCat(c.file, ":");
    LoadOptions capped;
    capped.max_errors = 3;
    auto s = LoadPack(dir, capped);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << s.status();
    EXPECT_EQ(CountLines(s.status().message(), needle), 3) << s.status().message();
    EXPECT_NE(s.status().message().find("... and 7 more"), std::string::npos)
        << s.status().message();
    auto all = LoadPack(dir);  // the default, 50
    ASSERT_FALSE(all.ok());
    EXPECT_EQ(CountLines(all.status().message(), needle), 10) << all.status().message();
    EXPECT_EQ(all.status().message().find("more"), std::string::npos) << all.status().message();
  }
}

}  // namespace
}  // namespace gridroute

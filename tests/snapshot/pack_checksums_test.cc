// Copyright 2026 gridroute authors.
//
// The manifest's `checksums`: written by WritePackChecksums (checked against
// coreutils' sha256sum, an independent implementation), checked by LoadPack.
// The regression: a pack's teams.csv cut at a row boundary loaded with rows
// silently missing.
#include "snapshot/pack_checksums.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "snapshot/snapshot.h"
#include "testing/routing_pack.h"
#include "testing/test_pack.h"

namespace gridroute {
namespace {

using testing::TestPack;

std::string ReadText(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// SHA-256 by coreutils, or "" if sha256sum is not there.
std::string Sha256Sum(const std::string& path) {
  FILE* p = popen(("sha256sum '" + path + "' 2>/dev/null").c_str(), "r");
  if (p == nullptr) return "";
  char buf[65] = {};
  const size_t n = fread(buf, 1, 64, p);
  pclose(p);
  return n == 64 ? std::string(buf, 64) : "";
}

std::string SealedRoutingPack() {
  TestPack p;
  testing::MakeRoutingPack(p);
  p.SetChecksums(true);
  return p.Write();
}

std::string LoadError(const std::string& dir, const LoadOptions& o = {}) {
  absl::StatusOr<std::shared_ptr<const Snapshot>> s = LoadPack(dir, o);
  return s.ok() ? "" : std::string(s.status().message());
}

TEST(PackChecksumsTest, WrittenForEveryFileAndEqualToSha256sum) {
  const std::string dir = SealedRoutingPack();
  testing::WriteText(dir + "/folding.csv", "category_type,category,radius_m,window_min\n");
  ASSERT_TRUE(WritePackChecksums(dir).ok());
  absl::StatusOr<PackManifest> m = ReadPackManifest(dir, PackLimits{});
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_TRUE(m->has_checksums);
  // The other members are kept.
  EXPECT_EQ(m->name, "test");
  EXPECT_EQ(m->teams_file, "teams.csv");
  std::vector<std::string> files;
  for (const FileChecksum& c : m->checksums) files.push_back(c.file);
  EXPECT_EQ(files, (std::vector<std::string>{"regions.csv", "grids.geojson", "departments.csv",
                                             "categories.csv", "rules.csv", "teams.csv",
                                             "components.csv", "layers.geojson", "calendar.json",
                                             "folding.csv"}));
  for (const FileChecksum& c : m->checksums) {
    const std::string path = dir + "/" + c.file;
    EXPECT_EQ(c.bytes, ReadText(path).size()) << c.file;
    const std::string oracle = Sha256Sum(path);
    if (oracle.empty()) GTEST_SKIP() << "no sha256sum";
    EXPECT_EQ(c.sha256, oracle) << c.file;
  }
  absl::StatusOr<std::shared_ptr<const Snapshot>> s = LoadPack(dir);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE((*s)->warnings().empty());
}

TEST(PackChecksumsTest, TeamsCutAtARowBoundaryIsALoadErrorNamingIt) {
  const std::string dir = SealedRoutingPack();
  const std::string teams = ReadText(dir + "/teams.csv");
  ASSERT_TRUE(LoadError(dir).empty());
  // Drop the last two rows: still a perfectly valid teams.csv.
  size_t cut = teams.rfind('\n', teams.size() - 2);
  cut = teams.rfind('\n', cut - 1) + 1;
  testing::WriteText(dir + "/teams.csv", teams.substr(0, cut));
  const std::string e = LoadError(dir);
  EXPECT_TRUE(absl::StrContains(e, absl::StrCat(dir, "/teams.csv: ", cut,
                                                " bytes, but manifest.json says ", teams.size(),
                                                ": the file was cut short")))
      << e;
}

TEST(PackChecksumsTest, AChangedByteOutranksTheErrorItCauses) {
  const std::string dir = SealedRoutingPack();
  std::string teams = ReadText(dir + "/teams.csv");
  teams[teams.find("leader")] = 'L';  // same size; alone, "role 'Leader' is not ..."
  testing::WriteText(dir + "/teams.csv", teams);
  const std::string e = LoadError(dir);
  EXPECT_TRUE(absl::StrContains(e, dir + "/teams.csv: SHA-256 ")) << e;
  EXPECT_TRUE(absl::StrContains(e, "the file changed after the pack was written")) << e;
  EXPECT_FALSE(absl::StrContains(e, "Leader")) << e;
  // folding.csv, read by the case desk, is checked at load too once listed.
  const std::string dir2 = SealedRoutingPack();
  testing::WriteText(dir2 + "/folding.csv", "category_type,category,radius_m,window_min\n");
  ASSERT_TRUE(WritePackChecksums(dir2).ok());
  testing::WriteText(dir2 + "/folding.csv", "category_type,category,radius_m,window_miN\n");
  EXPECT_TRUE(absl::StrContains(LoadError(dir2), "folding.csv: SHA-256"));
}

TEST(PackChecksumsTest, AnOldManifestLoadsWithAWarningUnlessChecksumsAreRequired) {
  TestPack p;
  testing::MakeRoutingPack(p);
  const std::string dir = p.Write();
  absl::StatusOr<std::shared_ptr<const Snapshot>> s = LoadPack(dir);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_FALSE((*s)->warnings().empty());
  EXPECT_TRUE(absl::StrContains((*s)->warnings().back(), "manifest.json has no 'checksums'"))
      << (*s)->warnings().back();
  LoadOptions strict;
  strict.require_checksums = true;
  s = LoadPack(dir, strict);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(s.status().message(), "checksums are required")) << s.status();
  EXPECT_TRUE(LoadPack(SealedRoutingPack(), strict).ok());
}

TEST(PackChecksumsTest, MalformedOrIncompleteChecksumsAreManifestErrors) {
  auto with = [](const std::string& checksums) {
    TestPack p;
    testing::MakeRoutingPack(p);
    p.SetManifestExtra(R"("checksums":)" + checksums);
    return LoadError(p.Write());
  };
  EXPECT_TRUE(absl::StrContains(with("[]"), "field 'checksums' must be an object"));
  EXPECT_TRUE(absl::StrContains(with(R"({"regions.csv":{"bytes":1,"sha256":"xyz"}})"),
                                "checksums['regions.csv']: sha256 must be 64 hex digits"));
  EXPECT_TRUE(absl::StrContains(with(R"({"regions.csv":{"bytes":-1,"sha256":"00"}})"),
                                "expected {\"bytes\""));
  const std::string zero(64, '0');
  EXPECT_TRUE(absl::StrContains(
      with(R"({"regions.csv":{"bytes":1,"sha256":")" + zero + R"("}})"),
      "field 'checksums' has no entry for 'grids.geojson' (files.grids)"));
  EXPECT_TRUE(absl::StrContains(
      with(R"({"../x":{"bytes":1,"sha256":")" + zero + R"("}})"), "'..' is not allowed"));
}

}  // namespace
}  // namespace gridroute

// Copyright 2026 gridroute authors.
#include "testing/test_pack.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "snapshot/pack_checksums.h"

namespace gridroute::testing {
namespace fs = std::filesystem;

namespace {
struct Cleanup {
  std::vector<std::string> dirs;
  ~Cleanup() {
    std::error_code ec;
    for (const auto& d : dirs) fs::remove_all(d, ec);
  }
};
Cleanup& cleanup() {
  static Cleanup c;
  return c;
}
}  // namespace

std::string MakeTempDir(const std::string& tag) {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string tmpl = absl::StrCat(base ? base : "/tmp", "/gridroute-", tag, "-XXXXXX");
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  char* dir = mkdtemp(buf.data());
  if (dir == nullptr) std::abort();
  cleanup().dirs.push_back(dir);
  return dir;
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
}

TestPack::TestPack() = default;

void TestPack::AddRegion(const std::string& code, const std::string& name,
                         const std::string& level, const std::string& parent) {
  regions_.push_back(absl::StrCat(code, ",", name, ",", level, ",", parent));
}

std::string TestPack::AddChain(const std::string& d) {
  AddRegion(d, d + " district", "district", "");
  AddRegion(d + "01", d + " street", "street", d);
  AddRegion(d + "0101", d + " community", "community", d + "01");
  return d + "0101";
}

void TestPack::AddGrid(const std::string& code, const std::string& parent,
                       const std::string& coordinates, bool multi) {
  features_.push_back(absl::StrCat(
      R"({"type":"Feature","properties":{"code":")", code, R"(","parent":")", parent,
      R"(","name":"grid )", code, R"("},"geometry":{"type":")",
      multi ? "MultiPolygon" : "Polygon", R"(","coordinates":)", coordinates, "}}"));
}

std::string TestPack::Square(double x0, double y0, double s) {
  // StrCat prints doubles with 6 significant digits; coordinates need more.
  auto p = [](double x, double y) { return absl::StrFormat("[%.10g,%.10g]", x, y); };
  return absl::StrCat("[[", p(x0, y0), ",", p(x0 + s, y0), ",", p(x0 + s, y0 + s),
                      ",", p(x0, y0 + s), ",", p(x0, y0), "]]");
}

std::string TestPack::Write() {
  const std::string dir = MakeTempDir("pack");
  std::vector<std::string> quoted;
  for (const auto& l : levels_) quoted.push_back(absl::StrCat("\"", l, "\""));
  std::string files = R"("regions":"regions.csv","grids":"grids.geojson")";
  for (const ExtraFile& f : extra_files_) {
    absl::StrAppend(&files, ",\"", f.key, "\":\"", f.name, "\"");
    WriteText(dir + "/" + f.name, f.text);
  }
  WriteText(dir + "/manifest.json",
            manifest_override_.empty()
                ? absl::StrCat(R"({"format":"gridroute-pack","format_version":1,)",
                               R"("name":"test","version":"t1","crs":")", crs_,
                               R"(","levels":[)", absl::StrJoin(quoted, ","),
                               R"(],"files":{)", files, "},",
                               manifest_extra_.empty() ? "" : manifest_extra_ + ",",
                               R"("overlap_tolerance_m2":)", tolerance_m2_, "}")
                : manifest_override_);
  WriteText(dir + "/regions.csv",
            absl::StrCat("code,name,level,parent\n", absl::StrJoin(regions_, "\n"), "\n"));
  WriteText(dir + "/grids.geojson",
            grids_override_.empty()
                ? absl::StrCat("{\"type\":\"FeatureCollection\",\"features\":[\n",
                               absl::StrJoin(features_, ",\n"), "\n]}\n")
                : grids_override_);
  if (checksums_) {
    absl::Status st = WritePackChecksums(dir);
    if (!st.ok()) {
      std::fprintf(stderr, "TestPack::Write: %s\n", std::string(st.message()).c_str());
      std::abort();
    }
  }
  return dir;
}

}  // namespace gridroute::testing

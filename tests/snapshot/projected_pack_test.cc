// Copyright 2026 gridroute authors.
//
// A pack whose geometry is in a projected CRS (CGCS2000 3-degree Gauss-Krüger
// zone 40, EPSG:4547) answers like its WGS-84 twin: the generated city is
// rewritten vertex by vertex through PROJ, and WGS-84 query points (converted
// by the engine on the way in) land in the same grids.
#include <cstdio>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "index/snap.h"
#include "route/router.h"
#include "testing/generated_city.h"
#include "testing/test_pack.h"

namespace gridroute {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(ProjectedPackTest, Epsg4547TwinAnswersLikeTheWgs84Pack) {
  const auto& c = testing::GetGeneratedCity(2000, 5);
  auto crs4547 = ParseCrs("EPSG:4547");
  ASSERT_TRUE(crs4547.ok()) << crs4547.status();
  auto to_gk = CrsTransform::Create(Crs(), *crs4547);
  ASSERT_TRUE(to_gk.ok()) << to_gk.status();

  // Rewrite grids.geojson: every [lon,lat] becomes [easting,northing].
  const std::string grids = ReadAll(c.dir + "/grids.geojson");
  std::regex pos(R"(\[(-?[0-9]+\.[0-9]+),(-?[0-9]+\.[0-9]+)\])");
  std::string out;
  out.reserve(grids.size());
  auto it = std::sregex_iterator(grids.begin(), grids.end(), pos);
  size_t last = 0;
  int converted = 0;
  for (; it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    out.append(grids, last, m.position() - last);
    auto en = (*to_gk)->Apply(std::stod(m[1]), std::stod(m[2]));
    ASSERT_TRUE(en.ok()) << en.status();
    char buf[64];
    std::snprintf(buf, sizeof buf, "[%.4f,%.4f]", en->lon, en->lat);
    out += buf;
    last = m.position() + m.length();
    ++converted;
  }
  out.append(grids, last, std::string::npos);
  ASSERT_GT(converted, 4000);
  const std::string dir = testing::MakeTempDir("gk");
  testing::WriteText(dir + "/grids.geojson", out);
  testing::WriteText(dir + "/regions.csv", ReadAll(c.dir + "/regions.csv"));
  testing::WriteText(dir + "/manifest.json",
                     R"({"format":"gridroute-pack","format_version":1,"name":"twin","version":"gk-1",)"
                     R"("crs":"EPSG:4547","levels":["district","street","community"],)"
                     R"("files":{"regions":"regions.csv","grids":"grids.geojson"}})");
  auto projected = LoadPack(dir);
  ASSERT_TRUE(projected.ok()) << projected.status();
  ASSERT_FALSE((*projected)->quantizer().geographic());
  EXPECT_GT((*projected)->quantizer().ToX((*projected)->geometry().box(0).min_x), 100'000);

  Router wgs(c.snapshot), gk(*projected);
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> lon(c.city.bbox_min.lon * 1e-7, c.city.bbox_max.lon * 1e-7);
  std::uniform_real_distribution<double> lat(c.city.bbox_min.lat * 1e-7, c.city.bbox_max.lat * 1e-7);
  int compared = 0, inside = 0, snapped = 0;
  for (int i = 0; i < 20'000; ++i) {
    const double x = lon(rng), y = lat(rng);
    LocateResult a, b;
    ASSERT_TRUE(wgs.Locate(true, x, y, Crs(), {.snap_m = 20}, &a).ok());
    ASSERT_TRUE(gk.Locate(true, x, y, Crs(), {.snap_m = 20}, &b).ok());
    // Edges are straight in each pack's own plane, so within a few cm of a
    // boundary the twins may legitimately differ; skip those points.
    const IPoint q = c.snapshot->quantizer().Quantize(x, y);
    bool near_edge = false;
    if (a.grid != kNoGrid && a.how != How::kSnapped) {
      near_edge = DistanceToGridM(c.snapshot->geometry(), c.snapshot->quantizer(), a.grid, q) < 0.05;
    }
    // Gauss-Krüger distances carry the projection's scale factor (EPSG:4547
    // has its central meridian at 114E; at 120.6E k = 1.0048): snaps close to
    // the 20 m limit may fall either side.
    if (a.how == How::kSnapped && std::abs(a.distance_m - 20) < 0.2) near_edge = true;
    if (near_edge) continue;
    ++compared;
    ASSERT_EQ(a.how, b.how) << x << "," << y;
    if (a.grid == kNoGrid) continue;
    EXPECT_EQ(c.snapshot->grid_code(a.grid), (*projected)->grid_code(b.grid));
    inside += a.how == How::kInside;
    if (a.how == How::kSnapped) {
      ++snapped;
      EXPECT_NEAR(b.distance_m / a.distance_m, 1.0048, 0.001);  // the scale factor
    }
  }
  EXPECT_GT(compared, 19'000);
  EXPECT_GT(inside, 10'000);
  EXPECT_GT(snapped, 10);
}

}  // namespace
}  // namespace gridroute

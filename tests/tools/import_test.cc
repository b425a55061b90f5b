// Copyright 2026 gridroute authors.
//
// gridroute-import (tools/import): generated cities are exported at test time
// with GDAL's own C++ API (a GBK Shapefile in EPSG:4547, a GeoPackage in
// CGCS2000, a GCJ-02 GeoJSON), imported back, and checked against the
// generator's city: every grid answers a point inside it (converted into the
// file's CRS by OGR, independently of the engine), the hierarchy is the
// generator's, a Shapefile round trip answers 100,000 points exactly like the
// original pack. Bad inputs are small GeoJSON texts whose features carry
// explicit ids, so each message can be checked for the feature id.
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "calendars/national_calendars.h"
#include "geo/crs.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "import/importer.h"
#include "import/source_reader.h"
#include "route/router.h"
#include "snapshot/manifest.h"
#include "snapshot/validate.h"
#include "testing/generated_city.h"
#include "testing/test_pack.h"

namespace gridroute::import {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

// ---------------------------------------------------------------------------
// Writing inputs with GDAL.

struct DatasetCloser {
  void operator()(GDALDataset* d) const { GDALClose(d); }
};

struct Fields {
  std::string code = "WGBM", name = "WGMC";
  std::string community = "SQDM", community_name = "SQMC";
  std::string street = "JDDM", street_name = "JDMC";
  std::string district = "QDM", district_name = "QMC";
};

using ToFile = std::function<XY(double lon, double lat)>;

// How a file is written beyond its format: some GIS pipelines wind shells
// clockwise (Esri, and GEOS's overlay output that shapely hands on), and a
// grid may carry extra parts.
struct ExportStyle {
  bool clockwise = false;  // shells clockwise, holes counter-clockwise
  // Extra polygon parts (closed rings, file coordinates) by grid index.
  std::map<size_t, std::vector<Ring>> extra_parts;
};

// Twice the signed area of a closed ring (> 0: counter-clockwise).
double Twice(const std::vector<XY>& ring) {
  double a = 0;
  for (size_t i = 0; i + 1 < ring.size(); ++i) {
    a += ring[i].x * ring[i + 1].y - ring[i + 1].x * ring[i].y;
  }
  return a;
}

void AddRing(std::vector<XY> points, bool outer, const ExportStyle& style,
             OGRPolygon* poly) {
  if ((Twice(points) > 0) != (outer != style.clockwise)) {
    std::reverse(points.begin(), points.end());
  }
  OGRLinearRing lr;
  for (const XY& p : points) lr.addPoint(p.x, p.y);
  poly->addRing(&lr);
}

// Writes every grid of `city` as one feature of layer "grids", with its code,
// name and ancestors as attributes. `to` maps WGS-84 lon/lat to the file's
// coordinates (called once per vertex of each ring); `epsg` is the SRS the
// file declares (0: none).
void ExportCity(const gen::City& city, const std::string& driver,
                const std::string& path, int epsg, const ToFile& to,
                const Fields& f,
                const std::vector<std::string>& layer_options = {},
                const ExportStyle& style = {}) {
  GDALAllRegister();
  GDALDriver* drv = GetGDALDriverManager()->GetDriverByName(driver.c_str());
  ASSERT_NE(drv, nullptr) << driver;
  std::unique_ptr<GDALDataset, DatasetCloser> ds(
      drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  ASSERT_NE(ds, nullptr) << path;
  OGRSpatialReference srs;
  if (epsg != 0) {
    ASSERT_EQ(srs.importFromEPSG(epsg), OGRERR_NONE);
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  }
  CPLStringList lco;
  for (const std::string& o : layer_options) lco.AddString(o.c_str());
  OGRLayer* layer = ds->CreateLayer(
      "grids", epsg != 0 ? &srs : nullptr,
      driver == "ESRI Shapefile" ? wkbPolygon : wkbUnknown, lco.List());
  ASSERT_NE(layer, nullptr);
  for (const std::string& name :
       {f.code, f.name, f.community, f.community_name, f.street, f.street_name,
        f.district, f.district_name}) {
    OGRFieldDefn fd(name.c_str(), OFTString);
    fd.SetWidth(64);
    ASSERT_EQ(layer->CreateField(&fd), OGRERR_NONE) << name;
  }
  for (size_t g = 0; g < city.grids.size(); ++g) {
    const gen::Grid& grid = city.grids[g];
    OGRFeatureUniquePtr feature(
        OGRFeature::CreateFeature(layer->GetLayerDefn()));
    const gen::Region& community = city.regions[grid.community];
    const gen::Region& street = city.regions[community.parent];
    const gen::Region& district = city.regions[street.parent];
    const std::string values[] = {
        city.GridCode(g), city.GridName(g), community.code, community.name,
        street.code,      street.name,      district.code,  district.name};
    for (int i = 0; i < 8; ++i) feature->SetField(i, values[i].c_str());
    OGRMultiPolygon multi;
    std::unique_ptr<OGRPolygon> poly;
    for (uint32_t r = grid.first_ring; r < grid.first_ring + grid.num_rings;
         ++r) {
      const gen::Ring& ring = city.rings[r];
      if (!ring.is_hole) {
        if (poly) multi.addGeometryDirectly(poly.release());
        poly = std::make_unique<OGRPolygon>();
      }
      std::vector<XY> points;
      for (uint32_t k = 0; k < ring.size; ++k) {
        const gen::LonLatE7 v = city.RingVertex(ring, k);
        points.push_back(to(v.lon * 1e-7, v.lat * 1e-7));
      }
      points.push_back(points.front());
      AddRing(std::move(points), !ring.is_hole, style, poly.get());
    }
    if (auto it = style.extra_parts.find(g); it != style.extra_parts.end()) {
      for (const Ring& part : it->second) {
        multi.addGeometryDirectly(poly.release());
        poly = std::make_unique<OGRPolygon>();
        AddRing(part, true, style, poly.get());
      }
    }
    if (multi.getNumGeometries() == 0) {
      feature->SetGeometryDirectly(poly.release());
    } else {
      multi.addGeometryDirectly(poly.release());
      feature->SetGeometry(&multi);
    }
    ASSERT_EQ(layer->CreateFeature(feature.get()), OGRERR_NONE);
  }
}

XY Identity(double lon, double lat) { return {lon, lat}; }

// WGS-84 -> EPSG:n by OGR (x = easting), independent of the engine's PROJ use.
class OgrTransform {
 public:
  explicit OgrTransform(int epsg) {
    GDALAllRegister();
    from_.importFromEPSG(4326);
    from_.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    to_.importFromEPSG(epsg);
    to_.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    t_.reset(OGRCreateCoordinateTransformation(&from_, &to_));
  }
  XY operator()(double lon, double lat) const {
    double x = lon, y = lat;
    EXPECT_TRUE(t_->Transform(1, &x, &y));
    return {x, y};
  }

 private:
  OGRSpatialReference from_, to_;
  std::unique_ptr<OGRCoordinateTransformation> t_;
};

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
}

std::string ReadText(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// ---------------------------------------------------------------------------
// Checking imports against the generator's city.

ImportOptions CityImportOptions(const std::string& grids,
                                const std::string& out, const Fields& f = {}) {
  ImportOptions o;
  o.grids = grids;
  o.code_attr = f.code;
  o.name_attr = f.name;
  o.levels = {{"community", f.community, f.community_name},
              {"street", f.street, f.street_name},
              {"district", f.district, f.district_name}};
  o.name = "imported";
  o.version = "test-1";
  o.out = out;
  return o;
}

std::string Errors(const ImportReport& r) {
  return absl::StrJoin(r.errors, "\n");
}

// A WGS-84 point strictly inside each grid: its Voronoi seed, or 15 m east of
// it when a hole was cut around the seed (GENERATOR.md step 8). Checked
// against the original pack.
std::vector<XY> InsidePoints(const testing::GeneratedCity& c) {
  std::vector<XY> out;
  const Snapshot& s = *c.snapshot;
  for (size_t g = 0; g < c.city.grids.size(); ++g) {
    XY p{c.city.grids[g].seed.lon * 1e-7, c.city.grids[g].seed.lat * 1e-7};
    LocateResult r = s.locator().Locate(s.quantizer().Quantize(p.x, p.y));
    if (r.grid != g) {
      p.x += 15.0 / (111320.0 * std::cos(p.y * M_PI / 180));
      r = s.locator().Locate(s.quantizer().Quantize(p.x, p.y));
    }
    EXPECT_EQ(r.grid, g) << c.city.GridCode(g);
    EXPECT_EQ(r.how, How::kInside) << c.city.GridCode(g);
    out.push_back(p);
  }
  return out;
}

// Every grid's inside point, converted by `to`, lands in that grid of the
// imported pack (located on its own lattice: no engine CRS code involved).
void ExpectEveryGridAnswers(const testing::GeneratedCity& c,
                            const Snapshot& imported, const ToFile& to) {
  ASSERT_EQ(imported.num_grids(), c.city.grids.size());
  std::vector<XY> points = InsidePoints(c);
  for (size_t g = 0; g < points.size(); ++g) {
    const XY p = to(points[g].x, points[g].y);
    LocateResult r =
        imported.locator().Locate(imported.quantizer().Quantize(p.x, p.y));
    ASSERT_NE(r.grid, kNoGrid) << c.city.GridCode(g);
    EXPECT_EQ(imported.grid_code(r.grid), c.city.GridCode(g));
    EXPECT_EQ(r.how, How::kInside);
  }
}

// The hierarchy, names and parents are the generator's.
void ExpectHierarchy(const gen::City& city, const Snapshot& s) {
  const Hierarchy& h = s.hierarchy();
  EXPECT_EQ(h.levels(),
            (std::vector<std::string>{"district", "street", "community"}));
  ASSERT_EQ(h.num_regions(), static_cast<int32_t>(city.regions.size()));
  for (const gen::Region& r : city.regions) {
    const int32_t i = h.Find(r.code);
    ASSERT_GE(i, 0) << r.code;
    EXPECT_EQ(h.region(i).name, r.name);
    EXPECT_EQ(h.levels()[h.region(i).level], gen::RegionLevelName(r.level));
    const std::string parent = r.parent < 0 ? "" : city.regions[r.parent].code;
    EXPECT_EQ(h.region(i).parent < 0 ? "" : h.region(h.region(i).parent).code,
              parent);
  }
  for (size_t g = 0; g < city.grids.size(); ++g) {
    const uint32_t id = s.FindGrid(city.GridCode(g));
    ASSERT_NE(id, kNoGrid);
    EXPECT_EQ(s.grid_name(id), city.GridName(g));
    EXPECT_EQ(h.region(s.grid_parent(id)).code, city.GridParent(g));
  }
}

std::shared_ptr<const Snapshot> Load(const std::string& dir) {
  auto s = LoadPack(dir);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : nullptr;
}

// ---------------------------------------------------------------------------
// Real inputs.

TEST(ImportTest, GbkShapefileInEpsg4547) {
  const auto& c = testing::GetGeneratedCity(300, 7);
  const std::string dir = testing::MakeTempDir("imp-shp");
  Fields f;
  f.code = "网格编码";  // 8 bytes in GBK: fits a DBF field name (10 bytes)
  f.name = "网格名称";
  const OgrTransform gk(4547);
  ExportCity(c.city, "ESRI Shapefile", dir + "/grids.shp", 4547, std::cref(gk),
             f, {"ENCODING=GBK"});
  ASSERT_EQ(absl::StripAsciiWhitespace(ReadText(dir + "/grids.cpg")), "GBK");
  // The DBF holds GBK: 网格编码 is CD F8 B8 F1 B1 E0 C2 EB.
  EXPECT_NE(
      ReadText(dir + "/grids.dbf").find("\xCD\xF8\xB8\xF1\xB1\xE0\xC2\xEB"),
      std::string::npos);
  // The .prj is Esri WKT without an authority; the import must identify it.
  EXPECT_THAT(ReadText(dir + "/grids.prj"),
              HasSubstr("CGCS2000_3_Degree_GK_CM_114E"));

  // 1. With the .cpg in place, no flag is needed.
  {
    ImportOptions o =
        CityImportOptions(dir + "/grids.shp", dir + "/pack-cpg", f);
    auto r = RunImport(o);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_TRUE(r->written) << Errors(*r);
    EXPECT_EQ(r->crs_out, "EPSG:4547");
    EXPECT_THAT(r->encoding, HasSubstr(".cpg"));
  }
  // 2. Without the .cpg, field names and values are undecodable...
  fs::remove(dir + "/grids.cpg");
  {
    ImportOptions o =
        CityImportOptions(dir + "/grids.shp", dir + "/pack-none", f);
    auto r = RunImport(o);
    ASSERT_FALSE(r.ok());
    EXPECT_THAT(r.status().message(), HasSubstr("网格编码"));
    EXPECT_THAT(r.status().message(), HasSubstr("--encoding GBK"));
    EXPECT_FALSE(fs::exists(dir + "/pack-none"));
  }
  // ... until --encoding GBK says what they are.
  ImportOptions o = CityImportOptions(dir + "/grids.shp", dir + "/pack", f);
  o.encoding = "GBK";
  auto r = RunImport(o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->written) << Errors(*r);
  EXPECT_TRUE(r->fixes.empty());
  EXPECT_EQ(r->crs_out, "EPSG:4547");
  EXPECT_EQ(r->crs_how, "from the layer");
  EXPECT_EQ(r->features, 300);
  EXPECT_EQ(r->grids, 300);
  EXPECT_NEAR(r->mean_area_m2, 10000 * 1.0048 * 1.0048,
              600);  // GK scale at 120.6E
  auto s = Load(dir + "/pack");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->manifest().crs, "EPSG:4547");
  EXPECT_FALSE(s->quantizer().geographic());
  ExpectEveryGridAnswers(c, *s, std::cref(gk));
  ExpectHierarchy(c.city, *s);
  // Through the engine's own CRS path too: WGS-84 queries on the GK pack.
  Router router(s);
  std::vector<XY> points = InsidePoints(c);
  for (size_t g = 0; g < points.size(); ++g) {
    LocateResult lr;
    ASSERT_TRUE(
        router.Locate(true, points[g].x, points[g].y, Crs(), {}, &lr).ok());
    ASSERT_NE(lr.grid, kNoGrid);
    EXPECT_EQ(s->grid_code(lr.grid), c.city.GridCode(g));
  }
}

TEST(ImportTest, GeoPackageInCgcs2000) {
  const auto& c = testing::GetGeneratedCity(300, 8);
  const std::string dir = testing::MakeTempDir("imp-gpkg");
  ExportCity(c.city, "GPKG", dir + "/city.gpkg", 4490, Identity, Fields());
  ImportOptions o = CityImportOptions(dir + "/city.gpkg", dir + "/pack");
  auto r = RunImport(o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->written) << Errors(*r);
  EXPECT_EQ(r->crs_out, "cgcs2000");
  EXPECT_THAT(r->source, HasSubstr("GPKG"));
  EXPECT_EQ(r->levels,
            (std::vector<std::string>{"district", "street", "community"}));
  auto s = Load(dir + "/pack");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->manifest().crs, "cgcs2000");
  ExpectEveryGridAnswers(c, *s, Identity);
  ExpectHierarchy(c.city, *s);
  // GeoPackage FIDs start at 1: the summary counts match the generator's.
  int64_t communities = 0;
  for (const gen::Region& reg : c.city.regions) {
    communities += reg.level == gen::RegionLevel::kCommunity;
  }
  EXPECT_EQ(r->level_counts.back(), communities);
}

TEST(ImportTest, CalendarByNameIsTheShippedNationalCalendar) {
  const auto& c = testing::GetGeneratedCity(300, 8);
  const std::string dir = testing::MakeTempDir("imp-cal");
  ExportCity(c.city, "GPKG", dir + "/city.gpkg", 4490, Identity, Fields());
  ImportOptions o = CityImportOptions(dir + "/city.gpkg", dir + "/pack");
  o.routing_files.push_back({"calendar", "CN-2026"});
  auto r = RunImport(o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->written) << Errors(*r);
  const std::string_view shipped = *NationalCalendarJson("CN-2026");
  EXPECT_EQ(ReadText(dir + "/pack/calendar.json"), std::string(shipped));
  auto s = Load(dir + "/pack");
  ASSERT_NE(s, nullptr);
  // 2026-09-27 (a Sunday of 中秋) is off, 2026-09-20 (a make-up Sunday) works.
  const absl::TimeZone utc8 = absl::FixedTimeZone(8 * 3600);
  EXPECT_FALSE(s->calendar().IsWorkingTime(
      absl::FromCivil(absl::CivilMinute(2026, 9, 27, 10, 0), utc8)));
  EXPECT_TRUE(s->calendar().IsWorkingTime(
      absl::FromCivil(absl::CivilMinute(2026, 9, 20, 10, 0), utc8)));
  // Any other name is a path, and a missing one says so.
  ImportOptions bad = CityImportOptions(dir + "/city.gpkg", dir + "/pack2");
  bad.routing_files.push_back({"calendar", "CN-1999"});
  auto e = RunImport(bad);
  ASSERT_FALSE(e.ok());
  EXPECT_THAT(std::string(e.status().message()), HasSubstr("--calendar CN-1999: no such file"));
}

TEST(ImportTest, Gcj02GeoJsonFromAWebMap) {
  const auto& c = testing::GetGeneratedCity(300, 9);
  const std::string dir = testing::MakeTempDir("imp-gcj");
  auto to_gcj = [](double lon, double lat) {
    const LonLat g = Wgs84ToGcj02({lon, lat});
    return XY{g.lon, g.lat};
  };
  // Web exports claim WGS 84 while holding GCJ-02: --crs says what they are.
  ExportCity(c.city, "GeoJSON", dir + "/city.geojson", 4326, to_gcj, Fields());
  ImportOptions o = CityImportOptions(dir + "/city.geojson", dir + "/pack");
  o.crs = "gcj02";
  auto r = RunImport(o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->written) << Errors(*r);
  EXPECT_EQ(r->crs_out, "gcj02");
  EXPECT_THAT(r->crs_how, HasSubstr("overrides the layer's wgs84"));
  auto s = Load(dir + "/pack");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->manifest().crs, "gcj02");
  ExpectEveryGridAnswers(c, *s, to_gcj);
  ExpectHierarchy(c.city, *s);
  // A phone's WGS-84 point goes through the engine's GCJ-02 conversion.
  Router router(s);
  std::vector<XY> points = InsidePoints(c);
  for (size_t g = 0; g < points.size(); g += 7) {
    LocateResult lr;
    ASSERT_TRUE(
        router.Locate(true, points[g].x, points[g].y, Crs(), {}, &lr).ok());
    ASSERT_NE(lr.grid, kNoGrid);
    EXPECT_EQ(s->grid_code(lr.grid), c.city.GridCode(g));
  }
}

TEST(ImportTest, ShapefileRoundTripAnswersIdenticallyAndRoutesWithTheTemplate) {
  const auto& c = testing::GetGeneratedCity(2000, 3);
  const std::string dir = testing::MakeTempDir("imp-rt");
  ExportCity(c.city, "ESRI Shapefile", dir + "/grids.shp", 4326, Identity,
             Fields(), {"ENCODING=UTF-8"});
  ImportOptions o = CityImportOptions(dir + "/grids.shp", dir + "/pack");
  // Routing files from a pack whose codes are the same city's.
  const std::string tmpl = testing::MakeTempDir("imp-tmpl");
  ASSERT_TRUE(gen::WriteCityPack(
                  c.city, {.out_dir = tmpl, .num_points = 0, .num_events = 0})
                  .ok());
  o.template_dir = tmpl;
  auto r = RunImport(o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->written) << Errors(*r);
  EXPECT_TRUE(r->fixes.empty()) << absl::StrJoin(r->fixes, "\n");
  EXPECT_EQ(r->tiny_overlaps, 0);
  EXPECT_EQ(r->crs_out, "wgs84");
  // GDAL wrote the Esri convention (shells clockwise, holes
  // counter-clockwise): every ring was turned, without a flag or a warning.
  EXPECT_EQ(r->reversed_rings, static_cast<int64_t>(c.city.rings.size()));
  EXPECT_EQ(r->slivers, 0);
  // The only warning is the loader's about the template's rules, naming the
  // template's file (not the temporary pack's copy).
  for (const std::string& w : r->warnings) {
    EXPECT_THAT(w, ::testing::StartsWith(tmpl + "/rules.csv: ")) << w;
    EXPECT_THAT(w, HasSubstr("covered by no rule")) << w;
  }
  // The gap check finds the generator's ponds and nothing else.
  EXPECT_TRUE(r->gaps_checked);
  EXPECT_EQ(r->gaps, 0);
  EXPECT_EQ(r->uncovered_areas, c.city.stats.ponds);
  EXPECT_NEAR(r->uncovered_area_m2, 400.0 * c.city.stats.ponds,
              2.0 * c.city.stats.ponds);
  auto s = Load(dir + "/pack");
  ASSERT_NE(s, nullptr);
  const Snapshot& a = *c.snapshot;
  const Snapshot& b = *s;
  ASSERT_EQ(a.num_grids(), b.num_grids());

  std::mt19937_64 rng(11);
  const double lon0 = c.city.bbox_min.lon * 1e-7,
               lon1 = c.city.bbox_max.lon * 1e-7;
  const double lat0 = c.city.bbox_min.lat * 1e-7,
               lat1 = c.city.bbox_max.lat * 1e-7;
  std::uniform_real_distribution<double> lon(lon0 - 0.002, lon1 + 0.002);
  std::uniform_real_distribution<double> lat(lat0 - 0.002, lat1 + 0.002);
  int inside = 0, outside = 0, snapped = 0, on_edge = 0;
  for (int i = 0; i < 100'000; ++i) {
    // A tenth of the points on the original's vertices: every edge case.
    IPoint p;
    if (i % 10 == 0) {
      const gen::LonLatE7 v = c.city.vertices[rng() % c.city.vertices.size()];
      p = a.quantizer().Quantize(v.lon * 1e-7, v.lat * 1e-7);
    } else {
      p = a.quantizer().Quantize(lon(rng), lat(rng));
    }
    const LocateOptions lo{.snap_m = i % 2 ? 30.0 : 0.0};
    const LocateResult x = a.locator().Locate(p, lo);
    const LocateResult y = b.locator().Locate(p, lo);
    ASSERT_EQ(x.how, y.how) << i;
    ASSERT_EQ(x.grid == kNoGrid, y.grid == kNoGrid);
    if (x.grid != kNoGrid) {
      ASSERT_EQ(a.grid_code(x.grid), b.grid_code(y.grid)) << i;
    }
    EXPECT_NEAR(x.distance_m, y.distance_m, 1e-6);
    inside += x.how == How::kInside;
    outside += x.how == How::kOutside;
    snapped += x.how == How::kSnapped;
    on_edge += x.how == How::kOnEdge;
  }
  EXPECT_GT(inside, 50'000);
  EXPECT_GT(outside, 1'000);
  EXPECT_GT(snapped, 100);
  EXPECT_GT(on_edge, 9'000);

  // The template's routing files came along and route like the original.
  ASSERT_TRUE(b.routes());
  EXPECT_EQ(ReadText(dir + "/pack/rules.csv"), ReadText(tmpl + "/rules.csv"));
  auto original = LoadPack(tmpl);
  ASSERT_TRUE(original.ok()) << original.status();
  Router ra(*original), rb(s);
  std::vector<XY> points = InsidePoints(c);
  int routed = 0;
  for (size_t g = 0; g < points.size(); g += 5) {
    Event e;
    e.x = points[g].x;
    e.y = points[g].y;
    e.category = "0102";
    e.reported_at = absl::FromUnixSeconds(1780000000);
    Decision da, db;
    ASSERT_TRUE(ra.Route(e, {}, &da).ok());
    ASSERT_TRUE(rb.Route(e, {}, &db).ok());
    EXPECT_EQ(da.rule, db.rule);
    EXPECT_EQ(da.lead, db.lead);
    EXPECT_EQ(da.deadline, db.deadline);
    routed += db.outcome == Outcome::kRouted;
  }
  EXPECT_EQ(routed, 400);
}

// ---------------------------------------------------------------------------
// Real exports as they come: the way shapely writes GeoJSON (GEOS's overlay
// output winds shells clockwise; float arithmetic leaves shared vertices a
// little apart) and the slivers a real district's grid layer had.

// Metres per degree east and north at `lat` (WGS-84, local plane).
XY MetresPerDegree(double lat) {
  constexpr double a = 6378137.0, e2 = 0.00669437999014132;
  const double phi = lat * M_PI / 180, s = std::sin(phi), w = 1 - e2 * s * s;
  return {a / std::sqrt(w) * std::cos(phi) * M_PI / 180,
          a * (1 - e2) / (w * std::sqrt(w)) * M_PI / 180};
}

// A w x h metre rectangle with its south-west corner at (lon, lat).
Ring MetreRect(double lon, double lat, double w, double h) {
  const XY m = MetresPerDegree(lat);
  const double x1 = lon + w / m.x, y1 = lat + h / m.y;
  return {{lon, lat}, {x1, lat}, {x1, y1}, {lon, y1}, {lon, lat}};
}

// The first `n` grids of `city` that are one polygon without holes.
std::vector<size_t> PlainGrids(const gen::City& city, size_t n) {
  std::vector<size_t> out;
  for (size_t g = 0; g < city.grids.size() && out.size() < n; ++g) {
    if (city.grids[g].num_rings == 1) out.push_back(g);
  }
  return out;
}

// Writes city `c` as shapely would: clockwise shells, every vertex moved by
// up to 1e-9° (0.1 mm) independently in each feature, and two slivers (0.375
// m² and 1.34 m², as in the real district) as second parts of two grids,
// east of the city. Returns the two grids' indexes.
std::vector<size_t> ExportShapelyStyle(const testing::GeneratedCity& c,
                                       const std::string& path) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> noise(-1e-9, 1e-9);
  auto jitter = [&](double lon, double lat) {
    return XY{lon + noise(rng), lat + noise(rng)};
  };
  const std::vector<size_t> hosts = PlainGrids(c.city, 2);
  const double east = c.city.bbox_max.lon * 1e-7 + 0.01;
  const double mid = (c.city.bbox_min.lat + c.city.bbox_max.lat) * 0.5e-7;
  ExportStyle style;
  style.clockwise = true;
  style.extra_parts[hosts[0]] = {MetreRect(east, mid, 0.25, 1.5)};
  style.extra_parts[hosts[1]] = {MetreRect(east, mid + 0.001, 0.1, 13.4)};
  ExportCity(c.city, "GeoJSON", path, 4326, jitter, Fields(), {"RFC7946=NO"},
             style);
  return hosts;
}

TEST(ImportRealExportTest, ShapelyStyleGeoJsonImportsWithoutFlags) {
  // 2,000 grids: enough shared edges (~6,000) that float noise on them
  // meets every case of the engine's overlap check.
  const auto& c = testing::GetGeneratedCity(2000, 9);
  const std::string dir = testing::MakeTempDir("imp-shapely");
  const std::vector<size_t> hosts =
      ExportShapelyStyle(c, dir + "/city.geojson");
  ASSERT_EQ(hosts.size(), 2u);
  // The file is what the test means: the first shell is clockwise.
  {
    std::unique_ptr<GDALDataset, DatasetCloser> ds(GDALDataset::Open(
        (dir + "/city.geojson").c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    ASSERT_NE(ds, nullptr);
    OGRFeatureUniquePtr f(ds->GetLayer(0)->GetNextFeature());
    const OGRGeometry* g = f->GetGeometryRef();
    const OGRPolygon* p = wkbFlatten(g->getGeometryType()) == wkbPolygon
                              ? g->toPolygon()
                              : g->toMultiPolygon()->getGeometryRef(0);
    EXPECT_TRUE(p->getExteriorRing()->isClockwise());
  }
  ImportOptions o = CityImportOptions(dir + "/city.geojson", dir + "/pack");
  auto r = RunImport(o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->written) << Errors(*r);
  EXPECT_EQ(r->reversed_rings, static_cast<int64_t>(c.city.rings.size()) + 2);
  EXPECT_EQ(r->slivers, 2);
  const std::string warnings = absl::StrJoin(r->warnings, "\n");
  EXPECT_THAT(warnings,
              HasSubstr(absl::StrCat("FID ", hosts[0], " code ",
                                     c.city.GridCode(hosts[0]),
                                     ": polygon 1 is a sliver: 0.375 m², mean "
                                     "width 0.214 m, at (")));
  EXPECT_THAT(warnings,
              HasSubstr(absl::StrCat("FID ", hosts[1], " code ",
                                     c.city.GridCode(hosts[1]),
                                     ": polygon 1 is a sliver: 1.34 m², mean "
                                     "width 0.0993 m, at (")));
  // The noise: overlaps of a fraction of a square metre (a warning), and no
  // gap between grids; the generator's ponds are uncovered areas.
  EXPECT_GT(r->tiny_overlaps, 0);
  EXPECT_TRUE(r->gaps_checked);
  EXPECT_EQ(r->gaps, 0) << warnings;
  EXPECT_EQ(r->uncovered_areas, c.city.stats.ponds);
  auto s = Load(dir + "/pack");
  ASSERT_NE(s, nullptr);
  ExpectEveryGridAnswers(c, *s, Identity);
  ExpectHierarchy(c.city, *s);
}

TEST(ImportRealExportTest, StrictRefusesSliversAndTinyOverlaps) {
  const auto& c = testing::GetGeneratedCity(300, 9);
  const std::string dir = testing::MakeTempDir("imp-strict");
  const std::vector<size_t> hosts =
      ExportShapelyStyle(c, dir + "/city.geojson");
  ImportOptions o = CityImportOptions(dir + "/city.geojson", dir + "/pack");
  o.strict = true;
  auto r = RunImport(o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->written);
  EXPECT_FALSE(fs::exists(o.out));
  const std::string errors = Errors(*r);
  for (size_t g : hosts) {
    EXPECT_THAT(errors, HasSubstr(absl::StrCat("FID ", g, " code ",
                                               c.city.GridCode(g),
                                               ": polygon 1 is a sliver: ")));
  }
  EXPECT_THAT(errors, HasSubstr(" m², below the tolerance (1 m²); refused by "
                                "--strict, --fix snaps it"));
  // Orientation is never a problem, strict or not.
  EXPECT_THAT(errors, Not(HasSubstr("clockwise")));
  // With --fix the overlaps are left to it; the slivers still stop it.
  o.fix = true;
  r = RunImport(o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->written);
  EXPECT_EQ(r->errors.size(), 2u) << Errors(*r);
  // A clockwise file without noise or slivers passes --strict.
  const std::string clean = testing::MakeTempDir("imp-strict-clean");
  ExportStyle clockwise;
  clockwise.clockwise = true;
  ExportCity(c.city, "GeoJSON", clean + "/city.geojson", 4326, Identity,
             Fields(), {"RFC7946=NO"}, clockwise);
  ImportOptions ok = CityImportOptions(clean + "/city.geojson", clean + "/p");
  ok.strict = true;
  r = RunImport(ok);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->written) << Errors(*r);
}

// ---------------------------------------------------------------------------
// Bad inputs: GeoJSON texts, features with explicit ids (the OGR FID).

std::string Feature(int id, const std::string& code,
                    const std::string& community, const std::string& street,
                    const std::string& coordinates,
                    const char* type = "Polygon") {
  return absl::StrCat(
      R"({"type":"Feature","id":)", id, R"(,"properties":{"WGBM":)",
      code.empty() ? "null" : absl::StrCat("\"", code, "\""), R"(,"SQDM":")",
      community, R"(","JDDM":")", street, R"("},"geometry":{"type":")", type,
      R"(","coordinates":)", coordinates, "}}");
}

// A coordinate as text, exactly (absl::StrCat keeps only 6 digits).
std::string D(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.12g", v);
  return buf;
}

// "[x,y]" for a position.
std::string P(double x, double y) {
  return absl::StrCat("[", D(x), ",", D(y), "]");
}

// A square of side s degrees at (x0, y0), counter-clockwise.
std::string Square(double x0, double y0, double s = 0.001) {
  return absl::StrCat("[[", P(x0, y0), ",", P(x0 + s, y0), ",",
                      P(x0 + s, y0 + s), ",", P(x0, y0 + s), ",", P(x0, y0),
                      "]]");
}

struct SmallImport {
  std::string dir;
  ImportOptions options;
};

SmallImport Small(const std::vector<std::string>& features) {
  SmallImport s;
  s.dir = testing::MakeTempDir("imp-bad");
  WriteText(s.dir + "/in.geojson",
            absl::StrCat(R"({"type":"FeatureCollection","features":[)",
                         absl::StrJoin(features, ",\n"), "]}"));
  s.options.grids = s.dir + "/in.geojson";
  s.options.code_attr = "WGBM";
  s.options.levels = {{"community", "SQDM", ""}, {"street", "JDDM", ""}};
  s.options.name = "small";
  s.options.out = s.dir + "/pack";
  return s;
}

ImportReport RunFailing(const SmallImport& s) {
  auto r = RunImport(s.options);
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return {};
  EXPECT_FALSE(r->written);
  EXPECT_FALSE(fs::exists(s.options.out))
      << "a failed import must not write --out";
  // No temporary directory is left behind.
  for (const auto& e : fs::directory_iterator(s.dir)) {
    EXPECT_EQ(e.path().filename().string().find(".pack.import-"),
              std::string::npos);
  }
  return *r;
}

constexpr double kX = 120.6, kY = 31.3;

TEST(ImportBadInputTest, InvalidGeometryNamesTheFeatureAndGeosReason) {
  SmallImport s = Small(
      {Feature(11, "g1", "c1", "s1", Square(kX, kY)),
       // A bow-tie: edges 0 and 2 cross.
       Feature(
           12, "g2", "c1", "s1",
           absl::StrCat("[[", P(kX + 0.002, kY), ",", P(kX + 0.003, kY + 0.001),
                        ",", P(kX + 0.003, kY), ",", P(kX + 0.002, kY + 0.0005),
                        ",", P(kX + 0.002, kY), "]]"))});
  ImportReport r = RunFailing(s);
  ASSERT_EQ(r.errors.size(), 1u) << Errors(r);
  EXPECT_THAT(
      r.errors[0],
      HasSubstr("FID 12 code g2: invalid geometry: Self-intersection at ("));
}

TEST(ImportBadInputTest, OverlapAboveToleranceNamesBothFeatures) {
  SmallImport s =
      Small({Feature(21, "g1", "c1", "s1", Square(kX, kY)),
             Feature(22, "g2", "c1", "s1", Square(kX + 0.0005, kY)),
             Feature(23, "g3", "c1", "s1", Square(kX + 0.003, kY))});
  ImportReport r = RunFailing(s);
  ASSERT_EQ(r.errors.size(), 1u) << Errors(r);
  // The loader's message, with the temporary pack's file, line and feature
  // index replaced by the source's feature id.
  EXPECT_THAT(r.errors[0],
              ::testing::MatchesRegex(
                  "FID 21 code g1 overlaps FID 22 code g2 by 527[0-9.]* m² "
                  "\\(tolerance 1 m²\\)"));
}

TEST(ImportBadInputTest, DuplicateCodeNamesBothFeatures) {
  SmallImport s =
      Small({Feature(31, "g1", "c1", "s1", Square(kX, kY)),
             Feature(32, "g2", "c1", "s1", Square(kX + 0.001, kY)),
             Feature(33, "g1", "c1", "s1", Square(kX + 0.002, kY))});
  ImportReport r = RunFailing(s);
  ASSERT_EQ(r.errors.size(), 1u) << Errors(r);
  EXPECT_EQ(r.errors[0], "FID 33 code g1: duplicate grid code (also FID 31)");
}

TEST(ImportBadInputTest, MissingAttributesNameTheFeatureAndAttribute) {
  SmallImport s = Small({Feature(41, "g1", "c1", "s1", Square(kX, kY)),
                         Feature(42, "g2", "", "s1", Square(kX + 0.001, kY)),
                         Feature(43, "", "c1", "s1", Square(kX + 0.002, kY))});
  ImportReport r = RunFailing(s);
  EXPECT_THAT(
      r.errors,
      ::testing::UnorderedElementsAre(
          "FID 42 code g2: missing community code (attribute SQDM is empty)",
          "FID 43 (no code): missing grid code (attribute WGBM is empty)"));
}

TEST(ImportBadInputTest, HierarchyContradictionNamesBothFeatures) {
  SmallImport s =
      Small({Feature(51, "g1", "c1", "s1", Square(kX, kY)),
             Feature(52, "g2", "c2", "s2", Square(kX + 0.001, kY)),
             Feature(53, "g3", "c1", "s2", Square(kX + 0.002, kY)),
             Feature(54, "g4", "c1", "s2", Square(kX + 0.003, kY))});
  ImportReport r = RunFailing(s);
  ASSERT_EQ(r.errors.size(), 1u)
      << Errors(r);  // reported once, not per feature
  EXPECT_EQ(r.errors[0],
            "community c1 has two streets: s1 at FID 51 code g1 and s2 at FID "
            "53 code g3");
}

std::string NamedFeature(int id, const std::string& code,
                         const std::string& community,
                         const std::string& community_name,
                         const std::string& street, double x) {
  return absl::StrCat(
      R"({"type":"Feature","id":)", id, R"(,"properties":{"WGBM":")", code,
      R"(","SQDM":")", community, R"(","SQMC":")", community_name,
      R"(","JDDM":")", street,
      R"("},"geometry":{"type":"Polygon","coordinates":)", Square(x, kY), "}}");
}

TEST(ImportBadInputTest, NamesAndLevelsMustAgreeToo) {
  SmallImport s = Small(
      {NamedFeature(1, "g1", "c1", "新桥社区", "s1", kX),
       NamedFeature(2, "g2", "c1", "", "s1", kX + 0.001),  // missing: fine
       NamedFeature(3, "g3", "c1", "新桥", "s1", kX + 0.002),
       NamedFeature(4, "g4", "s1", "", "s5", kX + 0.003)});
  s.options.levels[0].name_attr = "SQMC";
  ImportReport r = RunFailing(s);
  EXPECT_THAT(
      r.errors,
      ::testing::ElementsAre(
          "community c1 has two names: '新桥社区' at FID 1 code g1 and '新桥' "
          "at "
          "FID 3 code g3",
          "FID 4 code g4: community code s1 is also a street code at FID 1 "
          "code g1 (region codes must be unique across levels)"));
}

TEST(ImportBadInputTest, NonPolygonAndBadCoordinates) {
  SmallImport s = Small({Feature(61, "g1", "c1", "s1", Square(kX, kY)),
                         Feature(63, "g3", "c1", "s1", P(kX, kY), "Point"),
                         Feature(64, "g4", "c1", "s1", Square(181, kY))});
  ImportReport r = RunFailing(s);
  // Reading problems come first, then the geometry checks in file order.
  ASSERT_EQ(r.errors.size(), 2u) << Errors(r);
  EXPECT_EQ(r.errors[0],
            "FID 63 code g3: geometry is a POINT, expected a Polygon or "
            "MultiPolygon");
  EXPECT_THAT(r.errors[1],
              HasSubstr("FID 64 code g4: coordinate (181, 31.3) outside"));
}

// 111 m long, 1 mm wide (1e-8 degree).
std::string Strip(double x) {
  return absl::StrCat("[[", P(x, kY), ",", P(x + 1e-8, kY), ",",
                      P(x + 1e-8, kY + 0.001), ",", P(x, kY + 0.001), ",",
                      P(x, kY), "]]");
}

TEST(ImportGeometryTest, SliversAreWarningsUnlessStrict) {
  // g2 is a sliver on its own; g3 a real grid with a sliver second part.
  SmallImport s = Small(
      {Feature(61, "g1", "c1", "s1", Square(kX, kY)),
       Feature(62, "g2", "c1", "s1", Strip(kX + 0.002)),
       Feature(63, "g3", "c1", "s1",
               absl::StrCat("[", Square(kX + 0.004, kY), ",",
                            Strip(kX + 0.006), "]"),
               "MultiPolygon")});
  auto r = RunImport(s.options);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->written) << Errors(*r);
  EXPECT_EQ(r->slivers, 2);
  // 1e-8 degree east x 0.001 north at 31.3 N: 0.0952 mm x 111 m.
  const XY m = MetresPerDegree(kY);
  const double area = 1e-8 * m.x * 0.001 * m.y;
  char size[64];
  std::snprintf(size, sizeof size, "%.3g m², mean width %.3g m", area,
                2 * area / (2 * 1e-8 * m.x + 2 * 0.001 * m.y));
  EXPECT_THAT(r->warnings,
              ::testing::ElementsAre(
                  absl::StrCat("FID 62 code g2: polygon 0 is a sliver: ", size,
                               ", at (120.602, 31.3005) (limits "
                               "--min-area-m2 1, --min-width-m 0.5)"),
                  absl::StrCat("FID 63 code g3: polygon 1 is a sliver: ", size,
                               ", at (120.606, 31.3005) (limits "
                               "--min-area-m2 1, --min-width-m 0.5)")));
  auto snap = Load(s.options.out);
  ASSERT_NE(snap, nullptr);
  EXPECT_EQ(snap->num_grids(), 3u);
  // --strict: the same messages are errors, and nothing is written.
  fs::remove_all(s.options.out);
  s.options.strict = true;
  ImportReport strict = RunFailing(s);
  EXPECT_THAT(strict.errors,
              ::testing::ElementsAre(
                  HasSubstr("FID 62 code g2: polygon 0 is a sliver: "),
                  HasSubstr("FID 63 code g3: polygon 1 is a sliver: ")));
  // Limits of 0 turn the check off.
  s.options.min_area_m2 = 0;
  s.options.min_width_m = 0;
  r = RunImport(s.options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->written) << Errors(*r);
  EXPECT_EQ(r->slivers, 0);
}

TEST(ImportBadInputTest, ReportsEveryProblemInOneRun) {
  SmallImport s = Small(
      {Feature(71, "g1", "c1", "s1", Square(kX, kY)),
       Feature(72, "g2", "c1", "s1", Square(kX + 0.0005, kY)),  // overlap
       Feature(73, "g1", "c1", "s1", Square(kX + 0.004, kY)),   // duplicate
       Feature(74, "g4", "c1", "s9",
               Square(kX + 0.006, kY))});  // contradiction
  ImportReport r = RunFailing(s);
  const std::string all = Errors(r);
  EXPECT_THAT(all,
              HasSubstr("FID 73 code g1: duplicate grid code (also FID 71)"));
  EXPECT_THAT(all, HasSubstr("community c1 has two streets: s1 at FID 71 code "
                             "g1 and s9 at FID 74"));
  EXPECT_THAT(all, HasSubstr("FID 71 code g1 overlaps FID 72"));
}

TEST(ImportBadInputTest, FlagsThatDoNotFitTheLayerAreStatusErrors) {
  SmallImport s = Small({Feature(1, "g1", "c1", "s1", Square(kX, kY))});
  s.options.code_attr = "GRIDCODE";
  auto r = RunImport(s.options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      r.status().message(),
      HasSubstr(
          "--code-attr: attribute 'GRIDCODE' is not in layer 'in' (its fields: "
          "WGBM, SQDM, JDDM)"));
  s.options.code_attr = "WGBM";
  s.options.crs = "EPSG:999999";
  r = RunImport(s.options);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("--crs"));
  // A directory that is not a pack is never replaced.
  s.options.crs = "";
  fs::create_directories(s.options.out);
  WriteText(s.options.out + "/precious.txt", "x");
  r = RunImport(s.options);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("refusing to replace"));
  EXPECT_TRUE(fs::exists(s.options.out + "/precious.txt"));
}

TEST(ImportBadInputTest, RoutingFileProblemsNameTheSourceFile) {
  SmallImport s = Small({Feature(1, "g1", "c1", "s1", Square(kX, kY))});
  WriteText(s.dir + "/depts.csv",
            "code,name,kind,parent,channel\nHW,环卫处,处置,,hw\n");
  WriteText(s.dir + "/cats.csv",
            "type,code,name,major,standard,urgencies,specialty\n"
            "event,0102,暴露垃圾,01,CJ/T 214-2007,normal,sanitation\n");
  WriteText(s.dir + "/my_rules.csv",
            "id,scope,category_type,category,lead,helpers,deadlines,window\n"
            "r1,city,event,*,HW,,*=1wd,\n"
            "r2,region:c9,event,0102,HW,,*=2wh,\n");
  s.options.routing_files = {{"departments", s.dir + "/depts.csv", ""},
                             {"categories", s.dir + "/cats.csv", ""},
                             {"rules", s.dir + "/my_rules.csv", ""}};
  ImportReport r = RunFailing(s);
  ASSERT_EQ(r.errors.size(), 1u) << Errors(r);
  EXPECT_THAT(r.errors[0], ::testing::StartsWith(s.dir + "/my_rules.csv:3: "));
  EXPECT_THAT(r.errors[0], HasSubstr("c9"));
  // With the rule's region present, the same files route.
  WriteText(s.dir + "/my_rules.csv",
            "id,scope,category_type,category,lead,helpers,deadlines,window\n"
            "r1,city,event,*,HW,,*=1wd,\n"
            "r2,region:c1,event,0102,HW,,*=2wh,\n");
  auto ok = RunImport(s.options);
  ASSERT_TRUE(ok.ok()) << ok.status();
  ASSERT_TRUE(ok->written) << Errors(*ok);
  auto snap = Load(s.options.out);
  ASSERT_NE(snap, nullptr);
  EXPECT_TRUE(snap->routes());
  EXPECT_TRUE(fs::exists(s.options.out + "/rules.csv"));
}

// Routing CSV files in GB18030 (a spreadsheet's "ANSI" export): converted to
// UTF-8 as they are copied in with --routing-encoding, refused without it;
// and the written pack lists every file's size and SHA-256.
TEST(ImportTest, RoutingFilesInGb18030AreConvertedAndThePackHasChecksums) {
  SmallImport s = Small({Feature(1, "g1", "c1", "s1", Square(kX, kY))});
  // 环卫处 and 暴露垃圾 in GB18030.
  WriteText(s.dir + "/depts.csv",
            "code,name,kind,parent,channel\nHW,\xBB\xB7\xCE\xC0\xB4\xA6,x,,hw\n");
  WriteText(s.dir + "/cats.csv",
            "type,code,name,major,standard,urgencies,specialty\n"
            "event,0102,\xB1\xA9\xC2\xB6\xC0\xAC\xBB\xF8,01,CJ/T 214-2007,normal,sanitation\n");
  WriteText(s.dir + "/rules.csv",
            "id,scope,category_type,category,lead,helpers,deadlines,window\n"
            "r1,city,event,*,HW,,*=1wd,\n");
  s.options.routing_files = {{"departments", s.dir + "/depts.csv", ""},
                             {"categories", s.dir + "/cats.csv", ""},
                             {"rules", s.dir + "/rules.csv", ""}};
  ImportReport bad = RunFailing(s);
  ASSERT_EQ(bad.errors.size(), 1u) << Errors(bad);
  EXPECT_THAT(bad.errors[0], HasSubstr("/depts.csv:2: column 'name': not valid UTF-8"));
  EXPECT_THAT(bad.errors[0], HasSubstr("--routing-encoding"));

  s.options.routing_encoding = "GB18030";
  auto r = RunImport(s.options);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->written) << Errors(*r);
  auto snap = Load(s.options.out);
  ASSERT_NE(snap, nullptr);
  EXPECT_EQ(snap->departments().at(0).name, "环卫处");
  EXPECT_EQ(snap->categories().at(0).name, "暴露垃圾");
  EXPECT_TRUE(snap->warnings().empty()) << absl::StrJoin(snap->warnings(), "\n");
  absl::StatusOr<PackManifest> m = ReadPackManifest(s.options.out, PackLimits{});
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_TRUE(m->has_checksums);
  EXPECT_EQ(m->checksums.size(), 5u);  // regions, grids, departments, categories, rules
  EXPECT_TRUE(m->encoding.empty());    // the pack itself is UTF-8
  s.options.routing_encoding = "NO-SUCH";
  EXPECT_EQ(RunImport(s.options).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ImportTest, OtherFormatsAreRecodedByTheImporter) {
  // A CSV with WKT geometry whose strings are GBK (新桥社区 = D0C2 C7C5 C9E7
  // C7F8): the CSV driver passes the bytes through, the importer recodes.
  const std::string dir = testing::MakeTempDir("imp-csv");
  WriteText(dir + "/grids.csv",
            "WKT,WGBM,SQDM,SQMC\n\"POLYGON((120.6 31.3,120.601 31.3,120.601 "
            "31.301,120.6 31.301,120.6 31.3))\",g1,c1,\xD0\xC2\xC7\xC5\xC9\xE7"
            "\xC7\xF8\n");
  ImportOptions o;
  o.grids = dir + "/grids.csv";
  o.code_attr = "WGBM";
  o.levels = {{"community", "SQDM", "SQMC"}};
  o.crs = "wgs84";
  o.name = "csv";
  o.out = dir + "/pack";
  auto r = RunImport(o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_FALSE(r->written);
  EXPECT_THAT(Errors(*r),
              HasSubstr("FID 1 code g1: attribute SQMC is not valid "
                        "UTF-8"));
  o.encoding = "GBK";
  r = RunImport(o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->written) << Errors(*r);
  auto s = Load(o.out);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->hierarchy().region(s->hierarchy().Find("c1")).name, "新桥社区");
}

TEST(ImportBadInputTest, ALayerWithoutCrsNeedsTheFlag) {
  const auto& c = testing::GetGeneratedCity(300, 7);
  const std::string dir = testing::MakeTempDir("imp-noprj");
  ExportCity(c.city, "ESRI Shapefile", dir + "/grids.shp", 0, Identity,
             Fields(), {"ENCODING=UTF-8"});
  ASSERT_FALSE(fs::exists(dir + "/grids.prj"));
  ImportOptions o = CityImportOptions(dir + "/grids.shp", dir + "/pack");
  auto r = RunImport(o);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(),
              HasSubstr("no coordinate system (no .prj); pass --crs"));
  o.crs = "wgs84";
  r = RunImport(o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->written) << Errors(*r);
}

// ---------------------------------------------------------------------------
// --fix.

TEST(ImportGeometryTest, OrientationAndRepeatedVerticesAreNormalisedAndCounted) {
  // g1: a clockwise shell (RFC 7946 asks for counter-clockwise, and says
  // parsers SHOULD NOT reject the other). g2: a repeated vertex.
  const std::string cw = absl::StrCat("[[", P(kX, kY), ",", P(kX, kY + 0.001),
                                      ",", P(kX + 0.001, kY + 0.001), ",",
                                      P(kX + 0.001, kY), ",", P(kX, kY), "]]");
  const std::string dup =
      absl::StrCat("[[", P(kX + 0.001, kY), ",", P(kX + 0.002, kY), ",",
                   P(kX + 0.002, kY), ",", P(kX + 0.002, kY + 0.001), ",",
                   P(kX + 0.001, kY + 0.001), ",", P(kX + 0.001, kY), "]]");
  SmallImport s = Small(
      {Feature(81, "g1", "c1", "s1", cw), Feature(82, "g2", "c1", "s1", dup)});
  for (bool strict : {false, true}) {
    fs::remove_all(s.options.out);
    s.options.strict = strict;
    auto r = RunImport(s.options);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_TRUE(r->written) << Errors(*r);
    EXPECT_TRUE(r->fixes.empty());
    EXPECT_TRUE(r->warnings.empty()) << absl::StrJoin(r->warnings, "\n");
    EXPECT_EQ(r->reversed_rings, 1);
    EXPECT_EQ(r->removed_vertices, 1);
    // The written rings: g1 counter-clockwise, g2 without the repeat.
    const std::string grids = ReadText(s.options.out + "/grids.geojson");
    EXPECT_THAT(grids, HasSubstr(absl::StrCat("[[", P(kX, kY), ",",
                                              P(kX + 0.001, kY), ",")));
    EXPECT_THAT(grids, HasSubstr(absl::StrCat("[[", P(kX + 0.001, kY), ",",
                                              P(kX + 0.002, kY), ",",
                                              P(kX + 0.002, kY + 0.001), ",")));
    EXPECT_NE(Load(s.options.out), nullptr);
  }
}

TEST(ImportFixTest, TinyOverlapIsSnappedToTheNeighboursEdge) {
  // g2 reaches 4e-8 degree (~3.8 mm) into g1 along 111 m (~0.42 m², below
  // the 1 m² tolerance), and g3 as far into g2.
  const double eps = 4e-8;
  SmallImport s =
      Small({Feature(91, "g1", "c1", "s1", Square(kX, kY)),
             Feature(92, "g2", "c1", "s1", Square(kX + 0.001 - eps, kY)),
             Feature(93, "g3", "c1", "s1", Square(kX + 0.002 - 2 * eps, kY))});
  // Without --fix the pack is written (the loader accepts it) with a warning.
  {
    auto r = RunImport(s.options);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_TRUE(r->written) << Errors(*r);
    EXPECT_EQ(r->tiny_overlaps, 2);
    EXPECT_TRUE(r->fixes.empty());
    EXPECT_THAT(absl::StrJoin(r->warnings, "\n"),
                HasSubstr("2 pair(s) of grids overlap"));
  }
  s.options.fix = true;
  auto r = RunImport(s.options);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->written) << Errors(*r);
  ASSERT_EQ(r->fixes.size(), 2u);
  EXPECT_THAT(r->fixes[0], HasSubstr("FID 92 code g2: gave the 0.4"));
  EXPECT_THAT(r->fixes[0],
              HasSubstr("m² it overlapped with FID 91 code g1 to that grid"));
  EXPECT_THAT(r->fixes[1], HasSubstr("FID 93 code g3: gave the 0.4"));
  EXPECT_THAT(r->fixes[1], HasSubstr("with FID 92 code g2"));
  auto snap = Load(s.options.out);
  ASSERT_NE(snap, nullptr);
  EXPECT_TRUE(
      FindOverlaps(snap->geometry(), snap->quantizer(), 0.0).overlaps.empty());
  // The contested strip still answers g1 (the smaller code answered before).
  const IPoint in_strip =
      snap->quantizer().Quantize(kX + 0.001 - eps / 2, kY + 0.0005);
  LocateResult lr = snap->locator().Locate(in_strip);
  EXPECT_EQ(snap->grid_code(lr.grid), "g1");
  EXPECT_EQ(lr.how, How::kInside);
  EXPECT_NEAR(
      GridAreaM2(snap->geometry(), snap->quantizer(), snap->FindGrid("g2")),
      GridAreaM2(snap->geometry(), snap->quantizer(), snap->FindGrid("g1")) -
          0.42,
      0.05);
}

TEST(ImportFixTest, SlantedTinyOverlapEndsOnTheNeighboursVertices) {
  // g2's west edge runs parallel to g1's slanted east edge, 4e-8 degree
  // inside it.
  const double eps = 4e-8;
  SmallImport s = Small(
      {Feature(1, "g1", "c1", "s1",
               absl::StrCat("[[", P(kX, kY), ",", P(kX + 0.0013, kY), ",",
                            P(kX + 0.0007, kY + 0.001), ",", P(kX, kY + 0.001),
                            ",", P(kX, kY), "]]")),
       Feature(2, "g2", "c1", "s1",
               absl::StrCat("[[", P(kX + 0.0013 - eps, kY), ",",
                            P(kX + 0.002, kY), ",", P(kX + 0.002, kY + 0.001),
                            ",", P(kX + 0.0007 - eps, kY + 0.001), ",",
                            P(kX + 0.0013 - eps, kY), "]]"))});
  s.options.fix = true;
  auto r = RunImport(s.options);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->written) << Errors(*r);
  ASSERT_EQ(r->fixes.size(), 1u);
  // The new boundary is g1's own edge, vertices printed as the lattice has
  // them.
  const std::string grids = ReadText(s.options.out + "/grids.geojson");
  EXPECT_THAT(grids, HasSubstr(P(kX + 0.0007, kY + 0.001)));
  EXPECT_THAT(grids, HasSubstr(P(kX + 0.0013, kY)));
  auto snap = Load(s.options.out);
  ASSERT_NE(snap, nullptr);
  EXPECT_TRUE(
      FindOverlaps(snap->geometry(), snap->quantizer(), 0.0).overlaps.empty());
}

// ---------------------------------------------------------------------------
// Gaps between grids.

// A 3 x 3 block of 0.001° squares, FIDs 1..9 row by row from the south-west;
// the centre one (FID 5) ends `d` degrees short of its east neighbour.
// Counter-clockwise, or clockwise as shapely and Shapefiles have them.
SmallImport GappedBlock(double d, bool clockwise = false) {
  std::vector<std::string> features;
  for (int j = 0; j < 3; ++j) {
    for (int i = 0; i < 3; ++i) {
      const int fid = j * 3 + i + 1;
      const double x0 = kX + i * 0.001, y0 = kY + j * 0.001;
      const double x1 = x0 + 0.001 - (fid == 5 ? d : 0), y1 = y0 + 0.001;
      features.push_back(Feature(
          fid, absl::StrCat("g", fid), "c1", "s1",
          clockwise ? absl::StrCat("[[", P(x0, y0), ",", P(x0, y1), ",",
                                   P(x1, y1), ",", P(x1, y0), ",", P(x0, y0),
                                   "]]")
                    : absl::StrCat("[[", P(x0, y0), ",", P(x1, y0), ",",
                                   P(x1, y1), ",", P(x0, y1), ",", P(x0, y0),
                                   "]]")));
    }
  }
  return Small(features);
}

TEST(ImportGapTest, AGapBetweenGridsIsAWarningWithAreaAndLocation) {
  // A strip 5e-6° (0.476 m) x 0.001° (111 m) between g5 and g6.
  SmallImport s = GappedBlock(5e-6);
  auto r = RunImport(s.options);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->written) << Errors(*r);
  EXPECT_TRUE(r->gaps_checked);
  EXPECT_EQ(r->gaps, 1);
  const XY m = MetresPerDegree(kY);
  const double w = 5e-6 * m.x, h = 0.001 * m.y;
  char size[64];
  std::snprintf(size, sizeof size, "%.1f m², mean width %.3g m", w * h,
                2 * w * h / (2 * w + 2 * h));
  // Its neighbours are g5 and g6 beside it, g2, g3, g8, g9 at its ends.
  ASSERT_EQ(r->warnings.size(), 1u) << absl::StrJoin(r->warnings, "\n");
  EXPECT_EQ(r->warnings[0],
            absl::StrCat("gap between grids: ", size,
                         ", at (120.6019975, 31.3015), beside FID 2 code g2, "
                         "FID 3 code g3, FID 5 code g5, FID 6 code g6 and 2 "
                         "more (limits --gap-area-m2 100, --gap-width-m 2)"));
  EXPECT_EQ(r->uncovered_areas, 0);
  // --strict: the same message is an error.
  fs::remove_all(s.options.out);
  s.options.strict = true;
  ImportReport strict = RunFailing(s);
  ASSERT_EQ(strict.errors.size(), 1u) << Errors(strict);
  EXPECT_EQ(strict.errors[0], r->warnings[0]);
  // Limits of 0 turn the check off.
  s.options.gap_area_m2 = 0;
  s.options.gap_width_m = 0;
  r = RunImport(s.options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->written) << Errors(*r);
  EXPECT_FALSE(r->gaps_checked);
}

TEST(ImportGapTest, AWideHoleIsAnUncoveredAreaNotAGap) {
  // A 0.0005° (48 m) strip: wider than --gap-width-m, larger than
  // --gap-area-m2; a lake or an area nobody manages.
  SmallImport s = GappedBlock(0.0005);
  auto r = RunImport(s.options);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->written) << Errors(*r);
  EXPECT_EQ(r->gaps, 0);
  EXPECT_TRUE(r->warnings.empty()) << absl::StrJoin(r->warnings, "\n");
  EXPECT_EQ(r->uncovered_areas, 1);
  const XY m = MetresPerDegree(kY);
  EXPECT_NEAR(r->uncovered_area_m2, 0.0005 * m.x * 0.001 * m.y, 1.0);
}

// ---------------------------------------------------------------------------
// Pieces.

TEST(ImportPiecesTest, ParseLevels) {
  auto l = ParseLevels("community=SQDM:SQMC, street=JDDM:JDMC,district=QDM");
  ASSERT_TRUE(l.ok()) << l.status();
  ASSERT_EQ(l->size(), 3u);
  EXPECT_EQ((*l)[0].level, "community");
  EXPECT_EQ((*l)[0].code_attr, "SQDM");
  EXPECT_EQ((*l)[0].name_attr, "SQMC");
  EXPECT_EQ((*l)[1].level, "street");
  EXPECT_EQ((*l)[2].code_attr, "QDM");
  EXPECT_EQ((*l)[2].name_attr, "");
  for (const char* bad :
       {"", "community", "community=", "=SQDM", "c=A:", "c=A,c=B"}) {
    EXPECT_FALSE(ParseLevels(bad).ok()) << bad;
  }
  EXPECT_THAT(ParseLevels("c=A,c=B").status().message(),
              HasSubstr("'c' twice"));
}

TEST(ImportPiecesTest, CrsFromTheLayersSpatialReference) {
  EXPECT_EQ(*EngineCrsFromSrsText("EPSG:4326"), "wgs84");
  EXPECT_EQ(*EngineCrsFromSrsText("EPSG:4490"), "cgcs2000");
  EXPECT_EQ(*EngineCrsFromSrsText("EPSG:4547"), "EPSG:4547");
  // An ArcGIS .prj: Esri WKT without any authority code.
  EXPECT_EQ(
      *EngineCrsFromSrsText(
          R"(PROJCS["CGCS2000_3_Degree_GK_CM_114E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",114.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]])"),
      "EPSG:4547");
  EXPECT_EQ(
      *EngineCrsFromSrsText(
          R"(GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]])"),
      "wgs84");
  // A local projection nobody registered: the user must say.
  auto local = EngineCrsFromSrsText(
      "+proj=tmerc +lon_0=117.37 +x_0=123456 +ellps=GRS80 +units=m");
  ASSERT_FALSE(local.ok());
  EXPECT_THAT(local.status().message(), HasSubstr("pass --crs"));
}

// ---------------------------------------------------------------------------
// The binary: exit codes and what it prints.

struct BinaryRun {
  int exit_code = -1;
  std::string out, err;
};

BinaryRun RunBinary(const std::string& args) {
  const std::string bin =
      (fs::read_symlink("/proc/self/exe").parent_path() / "gridroute-import")
          .string();
  const std::string dir = testing::MakeTempDir("imp-bin");
  const std::string cmd =
      absl::StrCat(bin, " ", args, " >", dir, "/out 2>", dir, "/err");
  BinaryRun r;
  const int status = std::system(cmd.c_str());
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadText(dir + "/out");
  r.err = ReadText(dir + "/err");
  return r;
}

TEST(ImportBinaryTest, ExitCodesAndSummary) {
  BinaryRun bad =
      RunBinary("--grids x.shp --code-attr A --name n --out /tmp/x");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--levels is required"));

  SmallImport s = Small({Feature(1, "g1", "c1", "s1", Square(kX, kY)),
                         Feature(2, "g1", "c1", "s1", Square(kX + 0.001, kY))});
  const std::string common =
      absl::StrCat("--grids ", s.options.grids,
                   " --code-attr WGBM --levels community=SQDM,"
                   "street=JDDM --name small --out ",
                   s.options.out);
  BinaryRun failed = RunBinary(common);
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_THAT(failed.err, HasSubstr("1 problem(s)"));
  EXPECT_THAT(failed.err,
              HasSubstr("FID 2 code g1: duplicate grid code (also FID 1)"));
  EXPECT_FALSE(fs::exists(s.options.out));

  BinaryRun missing = RunBinary(absl::StrCat(common, " --code-attr NOPE"));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("'NOPE' is not in layer"));

  SmallImport ok =
      Small({Feature(1, "g1", "c1", "s1", Square(kX, kY)),
             Feature(2, "g2", "c1", "s1", Square(kX + 0.001, kY))});
  BinaryRun good = RunBinary(
      absl::StrCat("--grids ", ok.options.grids,
                   " --code-attr WGBM --levels community=SQDM,street=JDDM "
                   "--name small --out ",
                   ok.options.out, " --progress"));
  EXPECT_EQ(good.exit_code, 0) << good.err;
  EXPECT_THAT(good.out, HasSubstr("gridroute-import: 2 grids -> "));
  EXPECT_THAT(good.out, HasSubstr("levels   : street 1, community 1"));
  EXPECT_THAT(good.out,
              HasSubstr("crs      : in EPSG:4326 (WGS 84) -> out wgs84"));
  EXPECT_THAT(good.out, HasSubstr("mean grid 1"));
  EXPECT_THAT(good.err, HasSubstr("read     ["));
  EXPECT_NE(Load(ok.options.out), nullptr);
}

TEST(ImportBinaryTest, SummaryCountsReversedRingsAndWarnings) {
  // Nine clockwise squares with a gap, one of them with a sliver part.
  SmallImport s = GappedBlock(5e-6, /*clockwise=*/true);
  const std::string flags =
      absl::StrCat("--grids ", s.options.grids,
                   " --code-attr WGBM --levels community=SQDM,street=JDDM "
                   "--name small --out ",
                   s.options.out);
  BinaryRun run = RunBinary(flags);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("gridroute-import: 9 grids -> "));
  EXPECT_THAT(run.out,
              HasSubstr("  rings    : 9 reversed to RFC 7946 orientation "
                        "(outer rings counter-clockwise), 0 repeated "
                        "vertex(es) dropped\n"));
  EXPECT_THAT(run.out, HasSubstr("  slivers  : 0\n"));
  EXPECT_THAT(run.out,
              HasSubstr("  holes    : 1 gap(s) between grids (warnings above); "
                        "0 uncovered area(s) inside the coverage; 0 below "
                        "0.01 m² or 1 mm wide (float noise, not listed)\n"));
  EXPECT_THAT(run.out, HasSubstr("  warnings : 1\n"));
  EXPECT_THAT(run.err, HasSubstr("warning: gap between grids: 52.8 m², mean "
                                 "width 0.474 m, at (120.6019975, 31.3015)"));
  // --strict refuses it (exit 1, the gap listed as the problem).
  BinaryRun strict = RunBinary(absl::StrCat(flags, " --strict"));
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_THAT(strict.err, HasSubstr("1 problem(s)"));
  EXPECT_THAT(strict.err, HasSubstr("\n  gap between grids: 52.8 m²"));
  // --max-messages caps the warnings printed too.
  BinaryRun quiet = RunBinary(absl::StrCat(flags, " --max-messages 0"));
  EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_THAT(quiet.err, Not(HasSubstr("warning: gap")));
  EXPECT_THAT(quiet.err, HasSubstr("warning: ... and 1 more warning(s)"));
  EXPECT_THAT(quiet.out, HasSubstr("  warnings : 1\n"));
}

}  // namespace
}  // namespace gridroute::import

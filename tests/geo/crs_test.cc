#include "geo/crs.h"

#include <algorithm>
#include <cmath>
#include <latch>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridroute {
namespace {

using ::testing::HasSubstr;

constexpr double kPi = 3.14159265358979323846;

// Metres between two nearby geographic points: local equirectangular
// approximation on a sphere of radius 6378137 m (exact to << 1% at these
// separations, which is all a centimetre threshold needs).
double DistanceMetres(LonLat a, LonLat b) {
  constexpr double kMetresPerDegree = 6378137.0 * kPi / 180.0;
  const double mean_lat = (a.lat + b.lat) / 2.0 * kPi / 180.0;
  const double dx = (a.lon - b.lon) * std::cos(mean_lat) * kMetresPerDegree;
  const double dy = (a.lat - b.lat) * kMetresPerDegree;
  return std::hypot(dx, dy);
}

// Every 0.25 deg over lon 73..135, lat 18..53.5, points not OutOfChina.
std::vector<LonLat> ChinaLattice() {
  std::vector<LonLat> points;
  for (int i = 0; 73.0 + 0.25 * i <= 135.0; ++i) {
    for (int j = 0; 18.0 + 0.25 * j <= 53.5; ++j) {
      const LonLat p{73.0 + 0.25 * i, 18.0 + 0.25 * j};
      if (!OutOfChina(p)) points.push_back(p);
    }
  }
  return points;
}

// Oracle: the public GCJ-02 forward formula written out literally, as the
// open-source libraries (eviltransform, coordtransform) publish it.
double LiteralTransformLat(double x, double y) {
  double ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y +
               0.2 * std::sqrt(std::fabs(x));
  ret += (20.0 * std::sin(6.0 * x * kPi) + 20.0 * std::sin(2.0 * x * kPi)) *
         2.0 / 3.0;
  ret +=
      (20.0 * std::sin(y * kPi) + 40.0 * std::sin(y / 3.0 * kPi)) * 2.0 / 3.0;
  ret += (160.0 * std::sin(y / 12.0 * kPi) + 320 * std::sin(y * kPi / 30.0)) *
         2.0 / 3.0;
  return ret;
}
double LiteralTransformLon(double x, double y) {
  double ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y +
               0.1 * std::sqrt(std::fabs(x));
  ret += (20.0 * std::sin(6.0 * x * kPi) + 20.0 * std::sin(2.0 * x * kPi)) *
         2.0 / 3.0;
  ret +=
      (20.0 * std::sin(x * kPi) + 40.0 * std::sin(x / 3.0 * kPi)) * 2.0 / 3.0;
  ret += (150.0 * std::sin(x / 12.0 * kPi) + 300.0 * std::sin(x / 30.0 * kPi)) *
         2.0 / 3.0;
  return ret;
}
LonLat LiteralWgs84ToGcj02(LonLat p) {
  const double a = 6378245.0;
  const double ee = 0.00669342162296594323;
  double dlat = LiteralTransformLat(p.lon - 105.0, p.lat - 35.0);
  double dlon = LiteralTransformLon(p.lon - 105.0, p.lat - 35.0);
  const double rad_lat = p.lat / 180.0 * kPi;
  double magic = std::sin(rad_lat);
  magic = 1 - ee * magic * magic;
  const double sqrt_magic = std::sqrt(magic);
  dlat = (dlat * 180.0) / ((a * (1 - ee)) / (magic * sqrt_magic) * kPi);
  dlon = (dlon * 180.0) / (a / sqrt_magic * std::cos(rad_lat) * kPi);
  return LonLat{p.lon + dlon, p.lat + dlat};
}

std::unique_ptr<CrsTransform> MustCreate(absl::string_view from,
                                         absl::string_view to) {
  absl::StatusOr<Crs> f = ParseCrs(from);
  absl::StatusOr<Crs> t = ParseCrs(to);
  EXPECT_TRUE(f.ok()) << f.status();
  EXPECT_TRUE(t.ok()) << t.status();
  if (!f.ok() || !t.ok()) return nullptr;
  absl::StatusOr<std::unique_ptr<CrsTransform>> tr =
      CrsTransform::Create(*f, *t);
  EXPECT_TRUE(tr.ok()) << tr.status();
  return tr.ok() ? std::move(tr).value() : nullptr;
}

// --- Forward formulas against published values -----------------------------

// Published values for the point (116.404, 39.915) in central Beijing, from
// the result comments of wandergis/coordtransform's test/app.js (the most
// copied GCJ-02 library). Its gcj02towgs84 is the one-step approximation
// 2p - Forward(p), not an exact inverse.
constexpr LonLat kBeijing{116.404, 39.915};
constexpr LonLat kBeijingWgs84ToGcj02{116.41024449916938, 39.91640428150164};
constexpr LonLat kBeijingGcj02ToWgs84OneStep{116.39775550083061,
                                             39.91359571849836};
constexpr LonLat kBeijingGcj02ToBd09{116.41036949371029, 39.92133699351021};
constexpr LonLat kBeijingBd09ToGcj02ClosedForm{116.39762729119315,
                                               39.90865673957631};

TEST(Gcj02Test, ForwardMatchesPublishedBeijingExample) {
  const LonLat g = Wgs84ToGcj02(kBeijing);
  EXPECT_NEAR(g.lon, kBeijingWgs84ToGcj02.lon, 1e-11);
  EXPECT_NEAR(g.lat, kBeijingWgs84ToGcj02.lat, 1e-11);
  // The GCJ-02 offset in Beijing is a few hundred metres.
  const double offset = DistanceMetres(g, kBeijing);
  EXPECT_GT(offset, 300.0);
  EXPECT_LT(offset, 800.0);
}

TEST(Gcj02Test, InverseRefinesThePublishedOneStepApproximation) {
  const LonLat w = Gcj02ToWgs84(kBeijing);
  // Within a metre of the one-step answer, but not equal to it ...
  EXPECT_LT(DistanceMetres(w, kBeijingGcj02ToWgs84OneStep), 1.0);
  EXPECT_GT(DistanceMetres(w, kBeijingGcj02ToWgs84OneStep), 0.01);
  // ... because it actually inverts the forward formula.
  EXPECT_LT(DistanceMetres(Wgs84ToGcj02(w), kBeijing), 0.001);
  EXPECT_GT(DistanceMetres(Wgs84ToGcj02(kBeijingGcj02ToWgs84OneStep), kBeijing),
            0.01);
}

TEST(Gcj02Test, ForwardMatchesLiteralFormulaOverChina) {
  for (const LonLat& p : ChinaLattice()) {
    const LonLat fast = Wgs84ToGcj02(p);
    const LonLat literal = LiteralWgs84ToGcj02(p);
    ASSERT_NEAR(fast.lon, literal.lon, 1e-11) << p.lon << "," << p.lat;
    ASSERT_NEAR(fast.lat, literal.lat, 1e-11) << p.lon << "," << p.lat;
    const double offset = DistanceMetres(fast, p);
    ASSERT_GT(offset, 1.0) << p.lon << "," << p.lat;
    ASSERT_LT(offset, 1500.0) << p.lon << "," << p.lat;
  }
}

TEST(Bd09Test, ForwardMatchesPublishedBeijingExample) {
  const LonLat b = Gcj02ToBd09(kBeijing);
  EXPECT_NEAR(b.lon, kBeijingGcj02ToBd09.lon, 1e-11);
  EXPECT_NEAR(b.lat, kBeijingGcj02ToBd09.lat, 1e-11);
  // Baidu's offset from GCJ-02 is ~1 km north-east.
  EXPECT_GT(DistanceMetres(b, kBeijing), 500.0);
  EXPECT_LT(DistanceMetres(b, kBeijing), 1500.0);
}

TEST(Bd09Test, InverseRefinesThePublishedClosedForm) {
  const LonLat g = Bd09ToGcj02(kBeijing);
  EXPECT_LT(DistanceMetres(g, kBeijingBd09ToGcj02ClosedForm), 1.0);
  EXPECT_LT(DistanceMetres(Gcj02ToBd09(g), kBeijing), 0.001);
  EXPECT_GT(
      DistanceMetres(Gcj02ToBd09(kBeijingBd09ToGcj02ClosedForm), kBeijing),
      0.01);
}

// --- Round trips ------------------------------------------------------------

TEST(Gcj02Test, RoundTripWithinOneCentimetreOverChina) {
  double worst = 0.0;
  for (const LonLat& p : ChinaLattice()) {
    const LonLat back = Gcj02ToWgs84(Wgs84ToGcj02(p));
    worst = std::max(worst, DistanceMetres(back, p));
  }
  EXPECT_LE(worst, 0.01) << "worst round-trip error (m)";
}

TEST(Gcj02Test, InverseThenForwardWithinOneCentimetreOverChina) {
  double worst = 0.0;
  for (const LonLat& g : ChinaLattice()) {
    const LonLat again = Wgs84ToGcj02(Gcj02ToWgs84(g));
    worst = std::max(worst, DistanceMetres(again, g));
  }
  EXPECT_LE(worst, 0.01) << "worst residual (m)";
}

// Regression: the formula has sqrt(|lon - 105|) terms whose derivative is
// unbounded at lon 105, which the Newton Jacobian leaves out.
TEST(Gcj02Test, InverseConvergesAtTheLon105Cusp) {
  const double deltas[] = {0.0,  1e-12, -1e-12, 1e-9,  -1e-9, 1e-7, -1e-7,
                           1e-6, -1e-6, 1e-5,   -1e-5, 1e-3,  -1e-3};
  double worst = 0.0;
  for (double d : deltas) {
    for (double lat = 18.0; lat <= 53.5; lat += 0.5) {
      const LonLat p{105.0 + d, lat};
      worst = std::max(worst, DistanceMetres(Gcj02ToWgs84(Wgs84ToGcj02(p)), p));
      worst = std::max(worst, DistanceMetres(Wgs84ToGcj02(Gcj02ToWgs84(p)), p));
    }
  }
  EXPECT_LE(worst, 0.001) << "worst error near lon 105 (m)";
}

TEST(Bd09Test, RoundTripWithinOneCentimetreOverChina) {
  double worst_wgs = 0.0;
  double worst_gcj = 0.0;
  for (const LonLat& p : ChinaLattice()) {
    worst_wgs =
        std::max(worst_wgs, DistanceMetres(Bd09ToWgs84(Wgs84ToBd09(p)), p));
    // The closed-form inverse alone errs by up to ~1 m: this guards the
    // iterative refinement in Bd09ToGcj02.
    worst_gcj =
        std::max(worst_gcj, DistanceMetres(Bd09ToGcj02(Gcj02ToBd09(p)), p));
  }
  EXPECT_LE(worst_wgs, 0.01) << "wgs84 -> bd09 -> wgs84, worst (m)";
  EXPECT_LE(worst_gcj, 0.01) << "gcj02 -> bd09 -> gcj02, worst (m)";
}

// --- Outside China ----------------------------------------------------------

TEST(Gcj02Test, OutsideChinaIsIdentity) {
  const LonLat outside[] = {{139.6917, 35.6895},   // Tokyo.
                            {-0.1276, 51.5072},    // London.
                            {37.6173, 55.7558},    // Moscow.
                            {151.2093, -33.8688},  // Sydney.
                            {0.0, 0.0},
                            {72.0039, 30.0},    // Just west of the box.
                            {100.0, 55.8272}};  // Just north of the box.
  for (const LonLat& p : outside) {
    ASSERT_TRUE(OutOfChina(p)) << p.lon << "," << p.lat;
    const LonLat g = Wgs84ToGcj02(p);
    EXPECT_EQ(g.lon, p.lon);
    EXPECT_EQ(g.lat, p.lat);
    const LonLat w = Gcj02ToWgs84(p);
    EXPECT_EQ(w.lon, p.lon);
    EXPECT_EQ(w.lat, p.lat);
  }
  EXPECT_TRUE(OutOfChina(LonLat{139.6917, 35.6895}));
  EXPECT_TRUE(OutOfChina(LonLat{37.6173, 55.7558}));
  EXPECT_TRUE(OutOfChina(LonLat{72.0039, 30.0}));
  EXPECT_TRUE(OutOfChina(LonLat{100.0, 55.8272}));
  EXPECT_TRUE(OutOfChina(LonLat{100.0, 0.8292}));
  EXPECT_TRUE(OutOfChina(LonLat{137.8348, 40.0}));
  EXPECT_FALSE(OutOfChina(LonLat{116.4, 39.9}));
  EXPECT_FALSE(OutOfChina(LonLat{72.004, 0.8293}));
  EXPECT_FALSE(OutOfChina(LonLat{137.8347, 55.8271}));
}

// --- ParseCrs ---------------------------------------------------------------

TEST(ParseCrsTest, AcceptsNamesAndEpsgCodes) {
  struct Case {
    const char* text;
    CrsKind kind;
    int epsg;
    bool geographic;
    const char* canonical;
  };
  const Case cases[] = {
      {"wgs84", CrsKind::kWgs84, 0, true, "wgs84"},
      {"WGS84", CrsKind::kWgs84, 0, true, "wgs84"},
      {"CGCS2000", CrsKind::kCgcs2000, 0, true, "cgcs2000"},
      {"Gcj02", CrsKind::kGcj02, 0, true, "gcj02"},
      {"bd09", CrsKind::kBd09, 0, true, "bd09"},
      {"EPSG:4326", CrsKind::kWgs84, 0, true, "wgs84"},
      {"epsg:4490", CrsKind::kCgcs2000, 0, true, "cgcs2000"},
      {"EPSG:4547", CrsKind::kEpsg, 4547, false, "EPSG:4547"},
      {"Epsg:3857", CrsKind::kEpsg, 3857, false, "EPSG:3857"},
      {"EPSG:4610", CrsKind::kEpsg, 4610, true, "EPSG:4610"},  // Xian 1980.
  };
  for (const Case& c : cases) {
    absl::StatusOr<Crs> crs = ParseCrs(c.text);
    ASSERT_TRUE(crs.ok()) << c.text << ": " << crs.status();
    EXPECT_EQ(crs->kind, c.kind) << c.text;
    EXPECT_EQ(crs->epsg, c.epsg) << c.text;
    EXPECT_EQ(crs->geographic(), c.geographic) << c.text;
    EXPECT_EQ(crs->ToString(), c.canonical) << c.text;
    absl::StatusOr<Crs> again = ParseCrs(crs->ToString());
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(*again, *crs) << c.text;
  }
}

TEST(ParseCrsTest, RejectsBadTextNamingIt) {
  const char* bad[] = {"",
                       "wgs-84",
                       " wgs84",
                       "wgs84 ",
                       "gcj",
                       "EPSG:",
                       "EPSG:abc",
                       "EPSG:-4326",
                       "EPSG:+4326",
                       "EPSG:4326x",
                       "EPSG:0",
                       "EPSG:999999",
                       "EPSG:12345678901",
                       "EPSG:4978" /* geocentric */,
                       "EPSG:5773" /* vertical */,
                       "EPSG:6326" /* a datum */,
                       "4326"};
  for (const char* text : bad) {
    absl::StatusOr<Crs> crs = ParseCrs(text);
    ASSERT_FALSE(crs.ok()) << "accepted '" << text << "'";
    EXPECT_EQ(crs.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(std::string(crs.status().message()),
                HasSubstr(std::string("'") + text + "'"));
  }
}

TEST(ParseCrsTest, EpsgCrsMatchesParse) {
  absl::StatusOr<Crs> a = EpsgCrs(4547);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->kind, CrsKind::kEpsg);
  EXPECT_FALSE(a->geographic());
  absl::StatusOr<Crs> w = EpsgCrs(4326);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->kind, CrsKind::kWgs84);
  EXPECT_FALSE(EpsgCrs(-1).ok());
}

// --- CheckCoordinate --------------------------------------------------------

TEST(CheckCoordinateTest, RejectsNonFiniteAndOutOfRangeNamingTheField) {
  const Crs wgs84;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  struct Case {
    double x, y;
    const char* field;
    const char* value;
  };
  const Case cases[] = {
      {nan, 30.0, "lon", "nan"},  {116.0, inf, "lat", "inf"},
      {116.0, 91.0, "lat", "91"}, {-180.5, 0.0, "lon", "-180.5"},
      {0.0, -inf, "lat", "-inf"}, {0.0, -90.25, "lat", "-90.25"}};
  for (const Case& c : cases) {
    const absl::Status s = CheckCoordinate(wgs84, c.x, c.y);
    ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.field));
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.value));
  }
  EXPECT_TRUE(CheckCoordinate(wgs84, 180.0, 90.0).ok());
  EXPECT_TRUE(CheckCoordinate(wgs84, -180.0, -90.0).ok());
}

TEST(CheckCoordinateTest, ProjectedUsesXYAndMetreBound) {
  absl::StatusOr<Crs> gk = ParseCrs("EPSG:4547");
  ASSERT_TRUE(gk.ok()) << gk.status();
  EXPECT_TRUE(CheckCoordinate(*gk, 500000.0, 3.3e6).ok());
  const absl::Status sx =
      CheckCoordinate(*gk, std::numeric_limits<double>::quiet_NaN(), 0.0);
  EXPECT_EQ(sx.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(sx.message()), HasSubstr("x "));
  const absl::Status sy = CheckCoordinate(*gk, 0.0, 2e8);
  EXPECT_EQ(sy.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(sy.message()), HasSubstr("y "));
  EXPECT_THAT(std::string(sy.message()), HasSubstr("200000000"));
}

// --- CrsTransform without PROJ ---------------------------------------------

TEST(CrsTransformTest, BuiltinPairsUseTheOffsetFunctions) {
  const LonLat p{121.4737, 31.2304};  // Shanghai.
  auto same = MustCreate("wgs84", "cgcs2000");
  ASSERT_NE(same, nullptr);
  EXPECT_TRUE(same->is_identity());
  auto gcj_gcj = MustCreate("gcj02", "gcj02");
  ASSERT_NE(gcj_gcj, nullptr);
  EXPECT_TRUE(gcj_gcj->is_identity());

  auto to_bd = MustCreate("gcj02", "bd09");
  ASSERT_NE(to_bd, nullptr);
  EXPECT_FALSE(to_bd->is_identity());
  absl::StatusOr<LonLat> b = to_bd->Apply(p.lon, p.lat);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->lon, Gcj02ToBd09(p).lon);
  EXPECT_EQ(b->lat, Gcj02ToBd09(p).lat);

  auto cgcs_to_gcj = MustCreate("cgcs2000", "gcj02");
  ASSERT_NE(cgcs_to_gcj, nullptr);
  absl::StatusOr<LonLat> g = cgcs_to_gcj->Apply(p.lon, p.lat);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->lon, Wgs84ToGcj02(p).lon);
  EXPECT_EQ(g->lat, Wgs84ToGcj02(p).lat);

  absl::StatusOr<LonLat> bad = cgcs_to_gcj->Apply(p.lon, 95.0);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("lat"));
}

// --- CrsTransform through PROJ ---------------------------------------------

// Meridian arc length from the equator to `lat_deg` on the GRS80/CGCS2000
// ellipsoid, by Simpson's rule: an oracle independent of PROJ. On the central
// meridian of a Gauss-Krueger zone (scale 1) the northing equals this.
double MeridianArcMetres(double lat_deg) {
  const double a = 6378137.0;
  const double f = 1.0 / 298.257222101;
  const double e2 = f * (2.0 - f);
  const int n = 2000;  // Even.
  const double phi = lat_deg * kPi / 180.0;
  const double h = phi / n;
  auto m = [&](double t) {
    const double s = std::sin(t);
    return a * (1.0 - e2) / std::pow(1.0 - e2 * s * s, 1.5);
  };
  double sum = m(0.0) + m(phi);
  for (int i = 1; i < n; ++i) sum += (i % 2 == 1 ? 4.0 : 2.0) * m(i * h);
  return sum * h / 3.0;
}

TEST(CrsTransformProjTest, Epsg4547RoundTripNear114E30N) {
  auto fwd = MustCreate("wgs84", "EPSG:4547");
  auto inv = MustCreate("EPSG:4547", "wgs84");
  ASSERT_NE(fwd, nullptr);
  ASSERT_NE(inv, nullptr);
  EXPECT_FALSE(fwd->is_identity());

  // On the central meridian: easting 500000, northing = meridian arc.
  absl::StatusOr<LonLat> cm = fwd->Apply(114.0, 30.0);
  ASSERT_TRUE(cm.ok()) << cm.status();
  EXPECT_NEAR(cm->lon, 500000.0, 1e-3);
  EXPECT_NEAR(cm->lat, MeridianArcMetres(30.0), 1e-3);

  for (const LonLat& p : {LonLat{114.0, 30.0}, LonLat{114.3, 30.6},
                          LonLat{112.6, 29.1}, LonLat{115.4, 31.2}}) {
    absl::StatusOr<LonLat> en = fwd->Apply(p.lon, p.lat);
    ASSERT_TRUE(en.ok()) << en.status();
    // 1 deg of longitude at 30N is ~96 km.
    EXPECT_NEAR(en->lon, 500000.0 + (p.lon - 114.0) * 96486.0, 2000.0);
    absl::StatusOr<LonLat> back = inv->Apply(en->lon, en->lat);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_LE(DistanceMetres(*back, p), 0.001) << p.lon << "," << p.lat;
  }
}

TEST(CrsTransformProjTest, Wgs84AndCgcs2000AreTheSameAndGcj02PivotsOnWgs84) {
  auto from_wgs = MustCreate("wgs84", "EPSG:4547");
  auto from_cgcs = MustCreate("cgcs2000", "EPSG:4547");
  auto from_gcj = MustCreate("gcj02", "EPSG:4547");
  auto from_bd = MustCreate("bd09", "EPSG:4547");
  auto to_gcj = MustCreate("EPSG:4547", "gcj02");
  ASSERT_TRUE(from_wgs && from_cgcs && from_gcj && from_bd && to_gcj);
  const LonLat p{114.3, 30.6};  // Wuhan, WGS-84.
  absl::StatusOr<LonLat> a = from_wgs->Apply(p.lon, p.lat);
  absl::StatusOr<LonLat> b = from_cgcs->Apply(p.lon, p.lat);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->lon, b->lon);
  EXPECT_EQ(a->lat, b->lat);

  const LonLat g = Wgs84ToGcj02(p);
  absl::StatusOr<LonLat> c = from_gcj->Apply(g.lon, g.lat);
  ASSERT_TRUE(c.ok());
  EXPECT_NEAR(c->lon, a->lon, 0.01);
  EXPECT_NEAR(c->lat, a->lat, 0.01);

  const LonLat bd = Wgs84ToBd09(p);
  absl::StatusOr<LonLat> d = from_bd->Apply(bd.lon, bd.lat);
  ASSERT_TRUE(d.ok());
  EXPECT_NEAR(d->lon, a->lon, 0.01);
  EXPECT_NEAR(d->lat, a->lat, 0.01);

  absl::StatusOr<LonLat> e = to_gcj->Apply(a->lon, a->lat);
  ASSERT_TRUE(e.ok());
  EXPECT_LE(DistanceMetres(*e, g), 0.001);
}

TEST(CrsTransformProjTest, WebMercatorMatchesClosedForm) {
  auto t = MustCreate("wgs84", "EPSG:3857");
  ASSERT_NE(t, nullptr);
  const double r = 6378137.0;
  for (const LonLat& p : {LonLat{116.4, 39.9}, LonLat{-73.98, 40.75}}) {
    absl::StatusOr<LonLat> xy = t->Apply(p.lon, p.lat);
    ASSERT_TRUE(xy.ok()) << xy.status();
    EXPECT_NEAR(xy->lon, r * p.lon * kPi / 180.0, 1e-3);
    EXPECT_NEAR(xy->lat, r * std::log(std::tan(kPi / 4 + p.lat * kPi / 360.0)),
                1e-3);
  }
}

TEST(CrsTransformProjTest, ApplyRejectsOutOfRangeInput) {
  auto t = MustCreate("EPSG:4547", "wgs84");
  ASSERT_NE(t, nullptr);
  absl::StatusOr<LonLat> r = t->Apply(2e8, 3.3e6);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("x "));
  r = t->Apply(500000.0, std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("y "));
}

TEST(CrsTransformProjTest, CreateRejectsUnknownHandBuiltCode) {
  Crs bogus;
  bogus.kind = CrsKind::kEpsg;
  bogus.epsg = 999999;
  absl::StatusOr<std::unique_ptr<CrsTransform>> t =
      CrsTransform::Create(Crs(), bogus);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(t.status().message()), HasSubstr("EPSG:999999"));
}

// Regression: a thread's cached PROJ operation belongs to one transform; a new
// transform created after the old one died must not pick it up.
TEST(CrsTransformProjTest, RecreatedTransformDoesNotReuseStaleOperation) {
  for (int i = 0; i < 3; ++i) {
    auto gk = MustCreate("wgs84", "EPSG:4547");
    ASSERT_NE(gk, nullptr);
    absl::StatusOr<LonLat> a = gk->Apply(114.0, 30.0);
    ASSERT_TRUE(a.ok());
    EXPECT_NEAR(a->lon, 500000.0, 1e-3);
    gk.reset();
    auto merc = MustCreate("wgs84", "EPSG:3857");
    ASSERT_NE(merc, nullptr);
    absl::StatusOr<LonLat> b = merc->Apply(114.0, 30.0);
    ASSERT_TRUE(b.ok());
    EXPECT_NEAR(b->lon, 6378137.0 * 114.0 * kPi / 180.0, 1e-3);
  }
}

TEST(CrsTransformProjTest, ConcurrentApplyMatchesSingleThreaded) {
  std::vector<std::unique_ptr<CrsTransform>> transforms;
  transforms.push_back(MustCreate("wgs84", "EPSG:4547"));
  transforms.push_back(MustCreate("EPSG:4547", "gcj02"));
  transforms.push_back(MustCreate("bd09", "EPSG:3857"));
  transforms.push_back(MustCreate("bd09", "wgs84"));
  for (const auto& t : transforms) ASSERT_NE(t, nullptr);

  // Inputs per transform: a lattice around Wuhan in the source system.
  std::vector<std::vector<LonLat>> inputs(transforms.size());
  for (int i = 0; i < 40; ++i) {
    for (int j = 0; j < 40; ++j) {
      const LonLat p{112.5 + 0.075 * i, 29.0 + 0.075 * j};
      inputs[0].push_back(p);
      inputs[1].push_back(LonLat{400000.0 + 2000.0 * i, 3.2e6 + 2000.0 * j});
      inputs[2].push_back(Wgs84ToBd09(p));
      inputs[3].push_back(Wgs84ToBd09(p));
    }
  }
  auto run = [&](std::vector<std::vector<LonLat>>* out) {
    out->assign(transforms.size(), {});
    for (int rep = 0; rep < 5; ++rep) {
      for (size_t k = 0; k < transforms.size(); ++k) {
        (*out)[k].clear();
        for (const LonLat& p : inputs[k]) {
          absl::StatusOr<LonLat> r = transforms[k]->Apply(p.lon, p.lat);
          (*out)[k].push_back(r.ok() ? *r : LonLat{NAN, NAN});
        }
      }
    }
  };
  // The threads start together before any of them has PROJ objects for these
  // transforms, so first use (building per-thread PROJ state) also races;
  // the single-threaded reference runs afterwards.
  constexpr int kThreads = 4;
  std::vector<std::vector<std::vector<LonLat>>> got(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      run(&got[t]);
    });
  }
  for (std::thread& t : threads) t.join();
  std::vector<std::vector<LonLat>> expected;
  run(&expected);

  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(got[t].size(), expected.size());
    for (size_t k = 0; k < expected.size(); ++k) {
      ASSERT_EQ(got[t][k].size(), expected[k].size());
      int mismatches = 0;
      for (size_t i = 0; i < expected[k].size(); ++i) {
        mismatches += got[t][k][i].lon != expected[k][i].lon ||
                      got[t][k][i].lat != expected[k][i].lat;
      }
      EXPECT_EQ(mismatches, 0) << "thread " << t << " transform " << k;
      EXPECT_FALSE(std::isnan(expected[k][0].lon)) << "transform " << k;
    }
  }
}

// A valid code PROJ resolves but cannot convert to or from WGS-84 (EPSG:3144
// has no inverse operation; found by fuzz_convert) is the caller's bad CRS:
// INVALID_ARGUMENT naming both systems, never INTERNAL.
TEST(CrsTransformTest, AnInconvertibleEpsgCodeIsInvalidArgument) {
  absl::StatusOr<Crs> from = ParseCrs("EPSG:3144");
  ASSERT_TRUE(from.ok()) << from.status();
  absl::StatusOr<Crs> to = ParseCrs("wgs84");
  ASSERT_TRUE(to.ok());
  absl::StatusOr<std::unique_ptr<CrsTransform>> t = CrsTransform::Create(*from, *to);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument) << t.status();
  EXPECT_THAT(std::string(t.status().message()), ::testing::HasSubstr("EPSG:3144"));
}

}  // namespace
}  // namespace gridroute

// Copyright 2026 gridroute authors.
//
// ReadGeoJsonPolygons in pieces (threads > 1) against the sequential read as
// the oracle: the same records, lines, feature numbers, polygons, errors and
// status for clean files (where the pieces must actually be used), files with
// cut-like text inside strings and nested values, other top-level members,
// data errors, and every truncation and many one-byte corruptions of a file.
#include "snapshot/geojson_reader.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "testing/test_pack.h"

namespace gridroute {
namespace {

struct Result {
  std::string status;
  std::string errors;
  std::vector<std::string> records;  // props, feature, line
  std::vector<int64_t> geometry;     // every array of the built geometry
  int pieces = 0;
};

Result Read(const std::string& path, int threads, size_t chunk_bytes) {
  GeoJsonReadOptions o;
  o.properties = {"code", "parent", "name"};
  o.required = {true, true, false};
  o.threads = threads;
  o.chunk_bytes = chunk_bytes;
  Result r;
  o.pieces_read = &r.pieces;
  ErrorList errors(50);
  std::vector<FeatureRecord> records;
  GridGeometryBuilder builder;
  r.status = ReadGeoJsonPolygons(path, o, errors, &records, &builder).ToString();
  r.errors = errors.empty() ? "" : errors.ToStatus("read").ToString();
  for (const FeatureRecord& f : records) {
    r.records.push_back(absl::StrCat(f.props.size() > 0 ? f.props[0] : "-", "|",
                                     f.props.size() > 2 ? f.props[2] : "-", "|", f.feature,
                                     "|", f.line));
  }
  const GridGeometry g = std::move(builder).Build();
  for (const IPoint& p : g.points()) {
    r.geometry.push_back(p.x);
    r.geometry.push_back(p.y);
  }
  for (uint32_t i = 0; i < g.num_rings(); ++i) {
    r.geometry.push_back(g.ring_begin(i + 1));
    r.geometry.push_back(g.ring_is_hole(i));
  }
  for (uint32_t i = 0; i < g.num_grids(); ++i) {
    r.geometry.push_back(g.grid_ring_begin(i + 1));
    const IBox& b = g.box(i);
    r.geometry.insert(r.geometry.end(), {b.min_x, b.min_y, b.max_x, b.max_y});
  }
  return r;
}

// Pieces of several sizes give what the sequential read gives; returns the
// most pieces any of them used.
int ExpectSameAsSequential(const std::string& path, const std::string& what) {
  const Result want = Read(path, 1, size_t{16} << 20);
  EXPECT_EQ(want.pieces, 0);
  int most = 0;
  for (size_t chunk : {size_t{1}, size_t{50}, size_t{333}, size_t{4096}}) {
    const Result got = Read(path, 2, chunk);
    EXPECT_EQ(got.status, want.status) << what << ", chunk " << chunk;
    EXPECT_EQ(got.errors, want.errors) << what << ", chunk " << chunk;
    EXPECT_EQ(got.records, want.records) << what << ", chunk " << chunk;
    EXPECT_EQ(got.geometry, want.geometry) << what << ", chunk " << chunk;
    most = std::max(most, got.pieces);
  }
  return most;
}

std::string Square(double x, double y, double s) {
  return absl::StrCat("[[", x, ",", y, "],[", x + s, ",", y, "],[", x + s, ",", y + s, "],[",
                      x, ",", y + s, "],[", x, ",", y, "]]");
}

// n grids in a row; `name(i)` is the JSON of the name property; `nl` between
// tokens ("" for one line, "\n" or "\r\n" for one member a line).
std::string City(int n, const std::string& nl, const std::string& before,
                 const std::string& after,
                 const std::function<std::string(int)>& name) {
  std::string s = absl::StrCat("{", before, "\"type\":\"FeatureCollection\",", nl,
                               "\"features\": [", nl);
  for (int i = 0; i < n; ++i) {
    // Short decimals: StrCat prints 6 significant digits.
    const double x = 10.0 + i;
    std::string geom =
        i % 5 == 3
            ? absl::StrCat("{\"type\":\"MultiPolygon\",\"coordinates\":[[", Square(x, 31, 0.25),
                           "],[", Square(x + 0.5, 31, 0.25), "]]}")
            : absl::StrCat("{\"type\":\"Polygon\",\"coordinates\":[", Square(x, 31, 1),
                           i % 7 == 2 ? absl::StrCat(",", Square(x + 0.25, 31.25, 0.5))
                                      : std::string(),
                           "]}");
    absl::StrAppend(&s, i ? absl::StrCat(",", nl) : std::string(), "  {\"type\":\"Feature\",", nl,
                    "   \"properties\":{\"code\":\"G", 1000 + i, "\",\"parent\":\"C1\",\"name\":",
                    name(i), "},", nl, "   \"geometry\":", geom, "}");
  }
  absl::StrAppend(&s, nl, "]", after, "}", nl);
  return s;
}

class GeoJsonPiecesTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& text) {
    const std::string path = absl::StrCat(dir_, "/f", n_++, ".geojson");
    testing::WriteText(path, text);
    return path;
  }
  std::string dir_ = testing::MakeTempDir("geojson");
  int n_ = 0;
};

TEST_F(GeoJsonPiecesTest, CleanFilesAreReadInPiecesWithTheSameResult) {
  auto plain = [](int i) { return absl::StrCat("\"网格", i, "\""); };
  for (const std::string nl : {"", "\n", "\r\n"}) {
    const std::string path = Write(City(60, nl, "", "", plain));
    EXPECT_GT(ExpectSameAsSequential(path, "nl " + std::to_string(nl.size())), 10);
  }
  // Other top-level members before and after the array, with brackets.
  const std::string path =
      Write(City(40, "\n", "\"name\":\"x]\",\"crs\":{\"type\":\"name\",\"properties\":{}},",
                 ",\"bbox\":[120,31,121,32],\"note\":\"[\"", plain));
  EXPECT_GT(ExpectSameAsSequential(path, "members"), 10);
}

TEST_F(GeoJsonPiecesTest, CutLikeTextInsideStringsAndValuesFallsBackOrMatches) {
  const std::vector<std::string> names = {
      "\"a},{b\"", "\"x},{\\\"type\\\":\\\"Feature\\\"\"", "\"\\\"features\\\": [\"",
      "\"back\\\\\"", "{\"k\":[{\"a\":1},{\"b\":2}]}", "[{\"a\":\"]\"},{\"b\":\"}\"}]", "12.5",
      "null"};
  for (size_t k = 0; k < names.size(); ++k) {
    auto name = [&](int i) { return i % 3 == 1 ? names[k] : absl::StrCat("\"n", i, "\""); };
    ExpectSameAsSequential(Write(City(30, k % 2 ? "\n" : "", "", "", name)),
                           "name " + names[k]);
  }
  // "features" also in an earlier string and a nested object.
  ExpectSameAsSequential(
      Write(City(20, "", "\"s\":\"\\\"features\\\": [\",\"o\":{\"features\":[1]},", "",
                 [](int i) { return absl::StrCat("\"n", i, "\""); })),
      "features elsewhere");
  // Two top-level "features": the first is read, in pieces or not.
  ExpectSameAsSequential(
      Write(City(20, "", "", ",\"features\":[]", [](int i) { return absl::StrCat("\"n", i, "\""); })),
      "features twice");
}

TEST_F(GeoJsonPiecesTest, DataErrorsAreReportedAsSequentially) {
  std::string text = City(30, "\n", "", "", [](int i) { return absl::StrCat("\"n", i, "\""); });
  const size_t p = text.find("\"code\":\"G1010\"");
  ASSERT_NE(p, std::string::npos);
  text.replace(p, 14, "\"codex\":\"G1010\"");  // missing property
  const size_t q = text.find("[30,31]");
  ASSERT_NE(q, std::string::npos);
  text.replace(q, 7, "[930,31]");  // out of range
  EXPECT_EQ(ExpectSameAsSequential(Write(text), "data errors"), 0);
}

TEST_F(GeoJsonPiecesTest, TruncatedAndCorruptedFilesMatchTheSequentialRead) {
  const std::string full =
      City(12, "\n", "", "", [](int i) { return absl::StrCat("\"n", i, "\""); });
  const std::string path = absl::StrCat(dir_, "/cut.geojson");
  for (size_t cut = 0; cut < full.size(); cut += 5) {
    testing::WriteText(path, full.substr(0, cut));
    ExpectSameAsSequential(path, absl::StrCat("cut at ", cut));
  }
  for (size_t at = 0; at < full.size(); at += 3) {
    for (char c : {'}', ']', '[', '"', ',', '{', 'x', '\\'}) {
      std::string bad = full;
      bad[at] = c;
      testing::WriteText(path, bad);
      ExpectSameAsSequential(path, absl::StrCat("byte ", at, " -> ", std::string(1, c)));
    }
  }
}

// Regressions found by fuzz_geojson.

// A feature without a 'properties' object is an error, and its record still
// holds one (empty) value per property: LoadPack reads them before it looks
// at the errors, and an empty record made it index an empty vector (a crash
// loading a grids or layers file with such a feature).
TEST_F(GeoJsonPiecesTest, FeatureWithoutPropertiesKeepsAValuePerProperty) {
  const std::string path = Write(absl::StrCat(
      R"({"type":"FeatureCollection","features":[{"type":"Feature",)",
      R"("geometry":{"type":"Polygon","coordinates":[)", Square(10, 31, 1), "]}}]}"));
  GeoJsonReadOptions o;
  o.properties = {"code", "parent", "name"};
  o.required = {true, true, false};
  ErrorList errors(50);
  std::vector<FeatureRecord> records;
  GridGeometryBuilder builder;
  ASSERT_TRUE(ReadGeoJsonPolygons(path, o, errors, &records, &builder).ok());
  EXPECT_NE(errors.Lines().find("missing 'properties' object"), std::string::npos)
      << errors.Lines();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].props, (std::vector<std::string>{"", "", ""}));
}

// A malformed value in 'properties' ("priority":""1, no comma) followed by a
// lookup of 'geometry' made simdjson's unordered search wrap around over
// fields it does not check (SIMDJSON_ASSUME: undefined behaviour, reported
// by the sanitizer build). Now a clean result, in either read.
TEST_F(GeoJsonPiecesTest, MalformedPropertiesThenALaterLookupIsClean) {
  const std::string text =
      R"({"features":[{"properties":{"code":"","name":"","kind":"","owner":"",)"
      R"("owner_contact":"","priority":""1}})";
  const std::string path = Write(text);
  GeoJsonReadOptions o;
  o.properties = {"code", "name", "kind", "owner", "owner_contact", "priority"};
  o.required = {true, false, false, true, false, false};
  for (int threads : {1, 2}) {
    o.threads = threads;
    o.chunk_bytes = 32;
    ErrorList errors(50);
    std::vector<FeatureRecord> records;
    GridGeometryBuilder builder;
    const absl::Status s = ReadGeoJsonPolygons(path, o, errors, &records, &builder);
    EXPECT_TRUE(!s.ok() || !errors.empty()) << "threads " << threads;
  }
  ExpectSameAsSequential(path, "malformed properties");
}

// A ring of more vertices than options.max_ring_vertices is reported with
// the feature, its code, the part, the ring and the count; at the limit it is
// read. (The loader's limit, kMaxRingVertices, is 2e6: the same code.)
TEST_F(GeoJsonPiecesTest, RingOverTheVertexLimitIsAnErrorNamingTheGrid) {
  auto ring = [](int n) {  // a regular n-gon, closed
    std::string s = "[";
    for (int i = 0; i <= n; ++i) {
      const double a = 2 * 3.14159265358979 * (i % n) / n;
      absl::StrAppend(&s, i ? "," : "", "[", 10 + std::cos(a), ",", 31 + std::sin(a), "]");
    }
    return s + "]";
  };
  auto read = [&](int n, std::string* errors) {
    const std::string path = Write(absl::StrCat(
        R"({"type":"FeatureCollection","features":[)",
        R"({"type":"Feature","properties":{"code":"G1","parent":"C1"},"geometry":)",
        R"({"type":"Polygon","coordinates":[)", Square(0, 0, 1), ",", ring(n), "]}}]}"));
    GeoJsonReadOptions o;
    o.properties = {"code", "parent"};
    o.required = {true, true};
    o.max_ring_vertices = 100;
    ErrorList list(50);
    std::vector<FeatureRecord> records;
    GridGeometryBuilder builder;
    const absl::Status st = ReadGeoJsonPolygons(path, o, list, &records, &builder);
    *errors = list.empty() ? "" : list.ToStatus("read").ToString();
    return st;
  };
  std::string errors;
  ASSERT_TRUE(read(100, &errors).ok());
  // At the limit: read (the hole is outside its shell, which says it was).
  EXPECT_EQ(errors.find("more than the limit"), std::string::npos) << errors;
  EXPECT_NE(errors.find("ring 1: hole is not inside"), std::string::npos) << errors;
  ASSERT_TRUE(read(101, &errors).ok());
  EXPECT_NE(errors.find("feature #0 code G1: part 0 ring 1: ring has 101 vertices, more than "
                        "the limit of 100"),
            std::string::npos)
      << errors;
}

}  // namespace
}  // namespace gridroute

// Copyright 2026 gridroute authors.
//
// Components: lookups against brute-force oracles, the packed storage's
// accessors, the sequential wording of errors whatever the thread count.
#include "model/components.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "geo/metric.h"
#include "gtest/gtest.h"
#include "testing/test_pack.h"

namespace gridroute {
namespace {

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

class ComponentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("components");
    Write(dir_ + "/categories.csv",
          "type,code,name,major,standard,urgencies,specialty\n"
          "component,0118,井盖,01,CJ/T 214-2007,normal,municipal\n"
          "component,0201,路灯,02,CJ/T 214-2007,normal,lighting\n"
          "event,0101,私搭乱建,01,CJ/T 214-2007,normal,enforcement\n");
    Write(dir_ + "/departments.csv",
          "code,name,kind,parent,channel\nD01,城管局,主管,,c1\nD07,市政,养护,"
          "D01,c7\n"
          "D08,供电,权属,,c8\n");
    auto c = Categories::Load(dir_ + "/categories.csv");
    auto d = Departments::Load(dir_ + "/departments.csv");
    ASSERT_TRUE(c.ok()) << c.status();
    ASSERT_TRUE(d.ok()) << d.status();
    cats_ = std::move(*c);
    deps_ = std::move(*d);
  }
  std::string dir_;
  Categories cats_;
  Departments deps_;
  Quantizer q_{true};
};

struct Row {
  std::string code, category;
  double lon, lat;
  std::string owner, property, maintainer, state;
};

std::string Num(double v) { return absl::StrFormat("%.7f", v); }

std::string ToCsv(const std::vector<Row>& rows) {
  std::string s = "code,category,lon,lat,owner,property,maintainer,state\n";
  for (const Row& r : rows) {
    absl::StrAppend(&s, r.code, ",", r.category, ",", Num(r.lon), ",",
                    Num(r.lat), ",", r.owner, ",", r.property, ",",
                    r.maintainer, ",", r.state, "\n");
  }
  return s;
}

std::vector<Row> RandomRows(size_t n, std::mt19937& rng) {
  std::uniform_real_distribution<double> lon(120.60, 120.64), lat(31.28, 31.31);
  const char* states[] = {"完好", "破损", ""};
  std::vector<Row> rows;
  for (size_t i = 0; i < n; ++i) {
    // Mostly 16-digit codes; some text codes and other lengths.
    std::string code = i % 97 == 5 ? absl::StrCat("LAMP-", i)
                                   : absl::StrCat(3205080101000000 + i);
    rows.push_back(
        Row{code, rng() % 3 ? "0118" : "0201", std::round(lon(rng) * 1e7) / 1e7,
            std::round(lat(rng) * 1e7) / 1e7, "D01", rng() % 2 ? "D08" : "",
            rng() % 2 ? "D07" : "", states[rng() % 3]});
  }
  return rows;
}

TEST_F(ComponentsTest, AccessorsFindCodeAndNearestMatchOracles) {
  std::mt19937 rng(11);
  // ~60k rows: > 2 MB, so two threads read two chunks.
  const std::vector<Row> rows = RandomRows(60'000, rng);
  Write(dir_ + "/components.csv", ToCsv(rows));
  for (int threads : {1, 2}) {
    auto c =
        Components::Load(dir_ + "/components.csv", cats_, deps_, q_, threads);
    ASSERT_TRUE(c.ok()) << c.status();
    ASSERT_EQ(c->size(), static_cast<int32_t>(rows.size()));
    // Components are numbered in cell order, not file order: every row is
    // found by its code, at a distinct index.
    std::vector<bool> seen(rows.size());
    for (const Row& r : rows) {
      const int32_t i = c->FindCode(r.code);
      ASSERT_GE(i, 0) << r.code;
      ASSERT_FALSE(seen[i]) << r.code;
      seen[i] = true;
      const Component comp = c->at(i);
      ASSERT_EQ(c->code(i), r.code);
      EXPECT_EQ(c->state(i), r.state);
      EXPECT_EQ(comp.category,
                cats_.Find(CategoryType::kComponent, r.category));
      EXPECT_EQ(comp.point, q_.Quantize(r.lon, r.lat));
      EXPECT_EQ(comp.owner, deps_.Find(r.owner));
      EXPECT_EQ(comp.property,
                r.property.empty() ? -1 : deps_.Find(r.property));
      EXPECT_EQ(comp.maintainer,
                r.maintainer.empty() ? -1 : deps_.Find(r.maintainer));
    }
    EXPECT_EQ(c->FindCode("3205080101999999"), -1);
    EXPECT_EQ(c->FindCode(""), -1);
    EXPECT_EQ(c->FindCode("LAMP-x"), -1);
    // Nearest against a scan of every component.
    std::uniform_real_distribution<double> lon(120.59, 120.65),
        lat(31.27, 31.32);
    const int32_t well = cats_.Find(CategoryType::kComponent, "0118");
    std::vector<IPoint> wells;  // (point, index) of category `well`
    std::vector<int32_t> well_index;
    for (int32_t i = 0; i < c->size(); ++i) {
      if (c->at(i).category != well) continue;
      wells.push_back(c->at(i).point);
      well_index.push_back(i);
    }
    for (int k = 0; k < 1000; ++k) {
      const IPoint p = q_.Quantize(lon(rng), lat(rng));
      const double radius = k % 2 ? 30.0 : 120.0;
      const MetricFrame frame(q_, p);
      int32_t want = -1;
      double want_d = 0;
      for (size_t j = 0; j < wells.size(); ++j) {
        const double dx = frame.X(wells[j]), dy = frame.Y(wells[j]);
        const double d = std::sqrt(dx * dx + dy * dy);
        if (d <= radius && (want < 0 || d < want_d)) {
          want = well_index[j];
          want_d = d;
        }
      }
      double got_d = -1;
      const int32_t got = c->Nearest(p, well, radius, &got_d);
      ASSERT_EQ(got, want) << k;
      if (want >= 0) {
        EXPECT_EQ(got_d, want_d);
      }
    }
  }
}

TEST_F(ComponentsTest, ErrorsAreWordedAsASequentialRead) {
  std::mt19937 rng(5);
  std::vector<Row> rows = RandomRows(60'000, rng);
  rows[10].category = "9999";
  rows[20].lon = 500;
  rows[30].owner = "D99";
  rows[30].maintainer = "D98";
  rows[40].code = "";
  rows[59'000].code = rows[100].code;  // a duplicate in the other chunk
  rows[59'001].code = rows[59'002].code;
  Write(dir_ + "/components.csv", ToCsv(rows));
  const std::string f = dir_ + "/components.csv";
  auto line = [&](size_t i) {
    return absl::StrCat(f, ":", i + 2, ": component '", rows[i].code, "': ");
  };
  const std::string want = absl::StrCat(
      line(10), "unknown component category '9999'\n", line(20), "position (",
      Num(500), ", ", Num(rows[20].lat), ") is not a valid coordinate\n",
      line(30), "department 'D99' does not exist\n", line(30),
      "department 'D98' does not exist\n", line(40), "empty code\n",
      line(59'000), "duplicate component code\n", line(59'002),
      "duplicate component code");
  for (int threads : {1, 2}) {
    auto c = Components::Load(f, cats_, deps_, q_, threads);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(c.status().message(), want);
  }
}

TEST_F(ComponentsTest, ADuplicateAcrossChunksAlone) {
  std::mt19937 rng(9);
  std::vector<Row> rows = RandomRows(60'000, rng);
  rows[59'500].code = rows[3].code;
  const std::string f = dir_ + "/components.csv";
  Write(f, ToCsv(rows));
  for (int threads : {1, 2}) {
    auto c = Components::Load(f, cats_, deps_, q_, threads);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.status().message(), absl::StrCat(f, ":59502: component '", rows[3].code,
                                                 "': duplicate component code"));
  }
}

TEST_F(ComponentsTest, EmptyFileAndFarApartPoints) {
  Write(dir_ + "/none.csv",
        "code,category,lon,lat,owner,property,maintainer,state\n");
  auto none = Components::Load(dir_ + "/none.csv", cats_, deps_, q_);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->size(), 0);
  EXPECT_EQ(none->FindCode("1"), -1);
  EXPECT_EQ(none->Nearest(q_.Quantize(120, 30), 0, 50, nullptr), -1);
  // Points wider apart than 2^32 lattice units (4.3 degrees) stay exact.
  Write(dir_ + "/far.csv",
        ToCsv({{"1", "0118", -170.5, -80.25, "D01", "", "", "a"},
               {"2", "0118", 170.5, 80.25, "D01", "", "", "b"},
               {"3", "0118", 170.5001, 80.25, "D01", "", "", "c"}}));
  auto far = Components::Load(dir_ + "/far.csv", cats_, deps_, q_);
  ASSERT_TRUE(far.ok()) << far.status();
  const int32_t one = far->FindCode("1"), two = far->FindCode("2"), three = far->FindCode("3");
  EXPECT_EQ(far->at(one).point, q_.Quantize(-170.5, -80.25));
  EXPECT_EQ(far->at(three).point, q_.Quantize(170.5001, 80.25));
  const int32_t well = cats_.Find(CategoryType::kComponent, "0118");
  EXPECT_EQ(far->Nearest(q_.Quantize(170.50008, 80.25), well, 50, nullptr), three);
  EXPECT_EQ(far->Nearest(q_.Quantize(-170.5, -80.2501), well, 50, nullptr), one);
  EXPECT_EQ(far->state(two), "b");
}

// Regression (fuzz_convert): a component_radius_m of 1e300 overflowed the
// lattice units of the cell range (undefined behaviour; in practice nothing
// was found). A radius wider than the lattice finds the nearest anywhere.
TEST_F(ComponentsTest, HugeRadiusFindsTheNearestAnywhere) {
  Write(dir_ + "/far.csv",
        ToCsv({{"1", "0118", -170.5, -80.25, "D01", "", "", "a"},
               {"2", "0118", 170.5, 80.25, "D01", "", "", "b"}}));
  auto far = Components::Load(dir_ + "/far.csv", cats_, deps_, q_);
  ASSERT_TRUE(far.ok()) << far.status();
  const int32_t well = cats_.Find(CategoryType::kComponent, "0118");
  double d = 0;
  EXPECT_EQ(far->Nearest(q_.Quantize(-160, -80), well, 1e300, &d), 0);
  EXPECT_GT(d, 100'000);
  EXPECT_EQ(far->Nearest(q_.Quantize(160, 80), well, std::numeric_limits<double>::max(), &d), 1);
}

}  // namespace
}  // namespace gridroute

// Copyright 2026 gridroute authors.
#include "route/router.h"

#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "testing/routing_pack.h"
#include "testing/test_pack.h"

namespace gridroute {
namespace {

using testing::TestPack;

absl::Time Local(int y, int mo, int d, int h, int mi) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), absl::FixedTimeZone(8 * 3600));
}

// A 0102 report inside g1 on a Wednesday morning, for the tests that load
// their own variant of the routing pack.
Event G1Report0102() {
  Event e;
  e.x = 120.0008;
  e.y = 31.0008;
  e.category = "0102";
  e.reported_at = Local(2026, 3, 4, 10, 0);
  return e;
}

class RouterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    TestPack p;
    testing::MakeRoutingPack(p);
    p.SetChecksums(true);  // so the load has no warning
    auto s = LoadPack(p.Write());
    ASSERT_TRUE(s.ok()) << s.status();
    snapshot_ = new std::shared_ptr<const Snapshot>(*s);
  }
  static void TearDownTestSuite() { delete snapshot_; }

  Event MakeEvent(double lon, double lat, const std::string& category,
                  CategoryType type = CategoryType::kEvent) {
    Event e;
    e.x = lon;
    e.y = lat;
    e.category_type = type;
    e.category = category;
    e.reported_at = Local(2026, 3, 4, 10, 0);  // a Wednesday morning
    return e;
  }
  std::string Dept(int32_t i) { return i < 0 ? "" : (*snapshot_)->departments().at(i).code; }
  std::string RuleId(const Decision& d) { return (*snapshot_)->rules().rule(d.rule).id; }

  absl::Status Route(const Event& e, Decision* d, RouteOptions o = {}) {
    Router router(*snapshot_);
    return router.Route(e, o, d);
  }

  static std::shared_ptr<const Snapshot>* snapshot_;
};
std::shared_ptr<const Snapshot>* RouterTest::snapshot_ = nullptr;

TEST_F(RouterTest, CityDefaultForAnExactCategory) {
  Decision d;
  ASSERT_TRUE(Route(MakeEvent(120.0008, 31.0008, "0102"), &d).ok());
  EXPECT_EQ(d.outcome, Outcome::kRouted);
  EXPECT_EQ((*snapshot_)->grid_code(d.location.grid), "g1");
  EXPECT_EQ(RuleId(d), "r-city-0102");
  EXPECT_EQ(Dept(d.lead), "D2");
  ASSERT_EQ(d.helpers.size(), 1u);
  EXPECT_EQ(Dept(d.helpers[0]), "D1");
  // normal = 1 working day: Wednesday 10:00 -> Thursday 10:00.
  EXPECT_EQ(d.deadline, Local(2026, 3, 5, 10, 0));
}

TEST_F(RouterTest, DistrictExceptionOverridesCityDefault) {
  Decision d;
  ASSERT_TRUE(Route(MakeEvent(120.0025, 31.0005, "0102"), &d).ok());
  EXPECT_EQ(RuleId(d), "r-district-0102");
  EXPECT_EQ(Dept(d.lead), "D3");
  EXPECT_EQ(d.chain.size(), 3u);
  EXPECT_EQ((*snapshot_)->hierarchy().region(d.chain[0]).code, "320502");
}

TEST_F(RouterTest, GridRuleForAnyCategoryOutranksCityExact) {
  Decision d;
  ASSERT_TRUE(Route(MakeEvent(120.0015, 31.0005, "0102"), &d).ok());
  EXPECT_EQ(RuleId(d), "r-grid-g2-any");
  EXPECT_EQ(d.deadline, Local(2026, 3, 4, 14, 0));  // calendar hours
}

TEST_F(RouterTest, MajorClassRuleAndNightWindow) {
  Decision d;
  ASSERT_TRUE(Route(MakeEvent(120.0008, 31.0008, "0501"), &d).ok());
  EXPECT_EQ(RuleId(d), "r-city-05");  // 10:00: outside the night window
  Event night = MakeEvent(120.0008, 31.0008, "0501");
  night.reported_at = Local(2026, 3, 4, 23, 15);
  ASSERT_TRUE(Route(night, &d).ok());
  EXPECT_EQ(RuleId(d), "r-night-0501");
  EXPECT_EQ(Dept(d.lead), "D4");
  EXPECT_EQ(d.deadline, Local(2026, 3, 4, 23, 45));
  night.reported_at = Local(2026, 3, 5, 6, 0);  // window end is exclusive
  ASSERT_TRUE(Route(night, &d).ok());
  EXPECT_EQ(RuleId(d), "r-city-05");
  ASSERT_TRUE(Route(MakeEvent(120.0008, 31.0008, "0504"), &d).ok());
  EXPECT_EQ(RuleId(d), "r-city-05");
}

TEST_F(RouterTest, LayerRuleOutranksAreaRulesAndOwnersAreReported) {
  Decision d;
  ASSERT_TRUE(Route(MakeEvent(120.00021, 31.00021, "0102"), &d).ok());
  EXPECT_EQ(RuleId(d), "r-park-0102");
  EXPECT_EQ(Dept(d.lead), "D5");
  ASSERT_EQ(d.layers.size(), 2u);
  EXPECT_EQ((*snapshot_)->layers().at(d.layers[0]).code, "park1");  // higher priority first
  EXPECT_EQ((*snapshot_)->layers().at(d.layers[1]).owner, "7号店");
  // Outside the park the city default applies.
  ASSERT_TRUE(Route(MakeEvent(120.0007, 31.0007, "0102"), &d).ok());
  EXPECT_EQ(RuleId(d), "r-city-0102");
  EXPECT_TRUE(d.layers.empty());
}

TEST_F(RouterTest, WorkingHoursDeadlineAcrossTheWeekend) {
  Event e = MakeEvent(120.0008, 31.0008, "0102");
  e.urgency = "urgent";
  e.reported_at = Local(2026, 3, 6, 16, 30);  // Friday
  Decision d;
  ASSERT_TRUE(Route(e, &d).ok());
  EXPECT_EQ(d.deadline, Local(2026, 3, 9, 9, 30));  // 1 h Friday + 1 h Monday
}

TEST_F(RouterTest, DeadlineSkipsPackHolidaysAndCountsMakeUpDays) {
  Event e = MakeEvent(120.0008, 31.0008, "0102");
  e.reported_at = Local(2026, 9, 30, 10, 0);  // Wednesday before National Day
  Decision d;
  ASSERT_TRUE(Route(e, &d).ok());
  // 1 working day: Oct 1, 2 holidays, 3-4 weekend, 5 holiday -> Tue Oct 6.
  EXPECT_EQ(d.deadline, Local(2026, 10, 6, 10, 0));
  e.reported_at = Local(2026, 10, 9, 10, 0);  // Friday; Saturday Oct 10 works
  ASSERT_TRUE(Route(e, &d).ok());
  EXPECT_EQ(d.deadline, Local(2026, 10, 10, 10, 0));
}

TEST_F(RouterTest, GridTeamBySpecialtyWithInheritance) {
  Decision d;
  ASSERT_TRUE(Route(MakeEvent(120.0008, 31.0008, "0102"), &d).ok());  // g1, sanitation
  std::vector<std::string> got;
  for (const TeamAssignment& t : d.team) {
    got.push_back(std::string(TeamRoleName(t.role)) + ":" + (*snapshot_)->teams().person(t.person).id);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"member:P4", "leader:P1", "specialist:P2"}));
  // g2 has its own two sanitation specialists (一格多人); P4 covers g1 and g2.
  Event e = MakeEvent(120.0015, 31.0005, "0102");
  ASSERT_TRUE(Route(e, &d).ok());
  got.clear();
  for (const TeamAssignment& t : d.team) {
    got.push_back(std::string(TeamRoleName(t.role)) + ":" + (*snapshot_)->teams().person(t.person).id);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"member:P4", "specialist:P5", "specialist:P6", "leader:P1"}));
  // Municipal comes from the district's roster.
  ASSERT_TRUE(Route(MakeEvent(120.0008, 31.0008, "0401"), &d).ok());
  bool municipal = false;
  for (const TeamAssignment& t : d.team) {
    municipal |= t.role == TeamRole::kSpecialist && (*snapshot_)->teams().person(t.person).id == "P9";
  }
  EXPECT_TRUE(municipal);
}

TEST_F(RouterTest, ComponentByCodeGoesToItsOwnDepartments) {
  Event e = MakeEvent(0, 0, "0101", CategoryType::kComponent);
  e.has_point = false;
  e.component_code = "3205010101000001";
  Decision d;
  ASSERT_TRUE(Route(e, &d).ok());
  EXPECT_TRUE(d.component_by_code);
  EXPECT_EQ((*snapshot_)->components().code(d.component), "3205010101000001");
  EXPECT_EQ(Dept(d.lead), "W2");  // maintainer leads
  ASSERT_EQ(d.helpers.size(), 1u);
  EXPECT_EQ(Dept(d.helpers[0]), "W1");
  EXPECT_EQ((*snapshot_)->grid_code(d.location.grid), "g1");
  EXPECT_EQ(RuleId(d), "r-city-comp");
}

TEST_F(RouterTest, ComponentByNearestPointOfItsCategory) {
  Decision d;
  // 10 m east of component ...0002 (0101); the 0118 lamp is elsewhere.
  Event e = MakeEvent(120.0016, 31.0005, "0101", CategoryType::kComponent);
  ASSERT_TRUE(Route(e, &d).ok());
  ASSERT_GE(d.component, 0);
  EXPECT_EQ((*snapshot_)->components().code(d.component), "3205010101000002");
  EXPECT_NEAR(d.component_distance_m, 9.55, 0.1);
  EXPECT_EQ(Dept(d.lead), "W1");  // no maintainer: the owner leads
  // Beyond the radius: no component, the rule's lead.
  ASSERT_TRUE(Route(e, &d, RouteOptions{.component_radius_m = 5}).ok());
  EXPECT_EQ(d.component, -1);
  EXPECT_EQ(Dept(d.lead), "M1");
}

// Regression (fuzz_convert): radii of 1e300 m (finite, so accepted) made the
// search boxes overflow int64: the component search read out of bounds and
// crashed the process, and snapping found nothing.
TEST_F(RouterTest, HugeRadiiFindTheNearestComponentAndGrid) {
  Decision d;
  Event e = MakeEvent(120.0016, 31.0005, "0101", CategoryType::kComponent);
  ASSERT_TRUE(Route(e, &d, RouteOptions{.component_radius_m = 1e300}).ok());
  ASSERT_GE(d.component, 0);
  EXPECT_EQ((*snapshot_)->components().code(d.component), "3205010101000002");
  e = MakeEvent(120.01, 31.0005, "0102");  // ~770 m east of g3
  ASSERT_TRUE(Route(e, &d, RouteOptions{.snap_m = 1e300}).ok());
  EXPECT_EQ(d.location.how, How::kSnapped);
  EXPECT_EQ((*snapshot_)->grid_code(d.location.grid), "g3");
}

TEST_F(RouterTest, OutsideCoverageIsAResultNotAnError) {
  Decision d;
  ASSERT_TRUE(Route(MakeEvent(121.5, 31.5, "0102"), &d).ok());
  EXPECT_EQ(d.outcome, Outcome::kOutsideCoverage);
  EXPECT_EQ(d.location.how, How::kOutside);
  EXPECT_EQ(d.lead, -1);
  // Snapping brings a point 20 m east of g3 back.
  ASSERT_TRUE(Route(MakeEvent(120.0032, 31.0005, "0102"), &d, RouteOptions{.snap_m = 50}).ok());
  EXPECT_EQ(d.location.how, How::kSnapped);
  EXPECT_EQ(RuleId(d), "r-district-0102");
}

TEST_F(RouterTest, CategoryWithoutARuleHereIsNotFound) {
  Decision d;
  // 9901 has only the grid-g2 catch-all: routed in g2, NOT_FOUND in g1.
  absl::Status s = Route(MakeEvent(120.0008, 31.0008, "9901"), &d);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
  EXPECT_NE(s.message().find("no rule applying at grid g1"), std::string::npos) << s;
  ASSERT_TRUE(Route(MakeEvent(120.0015, 31.0005, "9901"), &d).ok());
  EXPECT_EQ(RuleId(d), "r-grid-g2-any");
  EXPECT_TRUE((*snapshot_)->warnings().empty());
}

TEST(RuleLoadTest, UncoveredCategoryIsWarnedAtLoadAndNotFoundEverywhere) {
  TestPack p;
  testing::MakeRoutingPack(p, "", /*grid_any_rule=*/false);
  p.SetChecksums(true);  // so the rules' warning is the only one
  auto s = LoadPack(p.Write());
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ((*s)->warnings().size(), 1u);
  EXPECT_NE((*s)->warnings()[0].find("1 categories are covered by no rule"), std::string::npos)
      << (*s)->warnings()[0];
  EXPECT_NE((*s)->warnings()[0].find("event:9901"), std::string::npos);
  Router router(*s);
  Event e;
  e.x = 120.0015;
  e.y = 31.0005;
  e.category = "9901";
  e.reported_at = absl::Now();
  Decision d;
  absl::Status r = router.Route(e, {}, &d);
  EXPECT_EQ(r.code(), absl::StatusCode::kNotFound) << r;
  EXPECT_NE(r.message().find("covered by no rule"), std::string::npos) << r;
}

TEST_F(RouterTest, BadInputNamesTheField) {
  Decision d;
  auto expect = [&](const Event& e, const std::string& needle) {
    absl::Status s = Route(e, &d);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_NE(s.message().find(needle), std::string::npos) << s;
  };
  expect(MakeEvent(120.0008, 31.0008, "7777"), "category: unknown event category '7777'");
  Event e = MakeEvent(120.0008, 31.0008, "0504");
  e.urgency = "urgent";
  expect(e, "urgency: 'urgent' is not allowed for category 0504");
  e = MakeEvent(std::nan(""), 31.0008, "0102");
  expect(e, "lon");
  e = MakeEvent(120.0008, 91, "0102");
  expect(e, "lat");
  e = MakeEvent(120.0008, 31.0008, "0102");
  e.reported_at = absl::InfinitePast();
  expect(e, "reported_at");
  e = MakeEvent(120.0008, 31.0008, "0101", CategoryType::kComponent);
  e.component_code = "999";
  expect(e, "component_code: unknown component '999'");
  e.component_code = "3205010118000001";  // a lamp, not a manhole cover
  expect(e, "is of category 0118");
}

// The router is called directly by tools and tests, without the service's
// field limits: a caller's value is still echoed at most 64 bytes ("…" when
// cut), non-UTF-8 bytes escaped.
TEST_F(RouterTest, EchoesOfTheCallersValuesAreShortAndPrintable) {
  Decision d;
  auto expect = [&](const Event& e, const std::string& needle) {
    absl::Status s = Route(e, &d);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_NE(s.message().find(needle), std::string::npos) << s;
    EXPECT_LT(s.message().size(), 200u) << s;
  };
  expect(MakeEvent(120.0008, 31.0008, std::string(20000, 'x')),
         "'" + std::string(64, 'x') + "\xE2\x80\xA6'");
  Event e = MakeEvent(120.0008, 31.0008, "0102");
  e.urgency = std::string(5000, 'u');
  expect(e, std::string(64, 'u') + "\xE2\x80\xA6' is not allowed");
  e = MakeEvent(120.0008, 31.0008, "\xFF\xFE");
  expect(e, "category '\\xff\\xfe'");
  e = MakeEvent(120.0008, 31.0008, "0101", CategoryType::kComponent);
  e.component_code = std::string(100000, '9');
  expect(e, "unknown component '" + std::string(64, '9') + "\xE2\x80\xA6'");
}

TEST_F(RouterTest, Gcj02InputIsConvertedBeforeLocating) {
  Decision wgs, gcj;
  ASSERT_TRUE(Route(MakeEvent(120.0008, 31.0008, "0102"), &wgs).ok());
  const LonLat shifted = Wgs84ToGcj02({120.0008, 31.0008});
  Event e = MakeEvent(shifted.lon, shifted.lat, "0102");
  e.crs.kind = CrsKind::kGcj02;
  ASSERT_TRUE(Route(e, &gcj).ok());
  EXPECT_EQ(gcj.location.grid, wgs.location.grid);
  // The raw GCJ-02 coordinates, read as WGS-84, land hundreds of metres away.
  Decision raw;
  ASSERT_TRUE(Route(MakeEvent(shifted.lon, shifted.lat, "0102"), &raw).ok());
  EXPECT_NE(raw.location.grid, wgs.location.grid);
}

TEST(RuleLoadTest, TiesAreLoadErrorsNamingBothRules) {
  TestPack p;
  testing::MakeRoutingPack(p, "r-dup,city,event,0102,D1,,*=1wd,\n");
  auto s = LoadPack(p.Write());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("'r-city-0102'"), std::string::npos) << s.status();
  EXPECT_NE(s.status().message().find("'r-dup'"), std::string::npos) << s.status();
  EXPECT_NE(s.status().message().find("tie"), std::string::npos) << s.status();
}

TEST(RuleLoadTest, WindowedRuleBesideAnUnwindowedOneIsNotATie) {
  TestPack p;
  testing::MakeRoutingPack(p, "r-day-0102,city,event,0102,D4,,*=1h,09:00-11:00\n");
  auto s = LoadPack(p.Write());
  ASSERT_TRUE(s.ok()) << s.status();
  Router router(*s);
  Event e = G1Report0102();
  Decision d;
  ASSERT_TRUE(router.Route(e, {}, &d).ok());
  EXPECT_EQ((*s)->rules().rule(d.rule).id, "r-day-0102");
  e.reported_at = Local(2026, 3, 4, 11, 0);
  ASSERT_TRUE(router.Route(e, {}, &d).ok());
  EXPECT_EQ((*s)->rules().rule(d.rule).id, "r-city-0102");
}

TEST(RuleLoadTest, OverlappingWindowsTieButDisjointOnesDoNot) {
  TestPack ok;
  testing::MakeRoutingPack(ok, "r-day-0501,city,event,0501,D1,,*=1h,08:00-20:00\n");
  EXPECT_TRUE(LoadPack(ok.Write()).ok());
  TestPack bad;
  testing::MakeRoutingPack(bad, "r-late-0501,city,event,0501,D1,,*=1h,05:00-07:00\n");
  auto s = LoadPack(bad.Write());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("'r-night-0501'"), std::string::npos) << s.status();
}

TEST(RuleLoadTest, MissingDeadlineForAnAllowedUrgency) {
  TestPack p;
  testing::MakeRoutingPack(p, "r-cave,region:320501,event,0401,M1,,normal=1wd;urgent=2wh,\n");
  auto s = LoadPack(p.Write());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("no deadline for urgency 'emergency'"), std::string::npos)
      << s.status();
}

TEST(RuleLoadTest, UnknownReferencesAreReportedWithLine) {
  TestPack p;
  testing::MakeRoutingPack(p,
                           "r-x,region:nowhere,event,0102,D1,,*=1h,\n"
                           "r-y,city,event,0102,NOPE,,*=1h,\n"
                           "r-z,city,event,0102,D1,,*=1 fortnight,\n");
  auto s = LoadPack(p.Write());
  ASSERT_FALSE(s.ok());
  const std::string m(s.status().message());
  EXPECT_NE(m.find("rules.csv:10: rule 'r-x': scope 'region:nowhere'"), std::string::npos) << m;
  EXPECT_NE(m.find("rule 'r-y': lead department 'NOPE'"), std::string::npos) << m;
  EXPECT_NE(m.find("rule 'r-z'"), std::string::npos) << m;
}

}  // namespace
// A pack with rules but no teams.csv routes with an empty team (it crashed
// in Teams::Resolve before).
TEST(RouterNoTeamsTest, PackWithoutTeamsRoutesWithAnEmptyTeam) {
  TestPack p;
  testing::MakeRoutingPack(p);
  p.RemoveFile("teams");
  auto s = LoadPack(p.Write());
  ASSERT_TRUE(s.ok()) << s.status();
  Router router(*s);
  Event e = G1Report0102();
  Decision d;
  ASSERT_TRUE(router.Route(e, {}, &d).ok());
  EXPECT_EQ(d.outcome, Outcome::kRouted);
  EXPECT_TRUE(d.team.empty());
  EXPECT_EQ((*s)->departments().at(d.lead).code, "D2");
}

}  // namespace gridroute

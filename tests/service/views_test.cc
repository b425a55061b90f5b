// Copyright 2026 gridroute authors.
//
// The CODES view and AdminService.Directory, through the handlers (no
// network) and once through the in-process channel:
//   - CODES and FULL agree on every code, on the routing test pack with cases
//     on (two CaseDesks fed the same reports, so case refs must match too)
//     and on the generated sample city (2,000 grids, seed 1) with random
//     reports of every category, for Route, RouteBatch and RouteDetections;
//   - every code a CODES decision carries that the Directory lists (regions,
//     departments, persons, specialties, layers, categories, urgencies) is
//     in the Directory fetched page by page with a small page size;
//   - Directory paging: tokens, bad tokens, page_size limits, a stale
//     snapshot after a reload;
//   - a CODES message holds no person name, phone or department name;
//   - an unknown view number is INVALID_ARGUMENT naming `view`.
// Prints the serialized bytes per routed decision in FULL and CODES on the
// sample city (quoted in routing.proto's DecisionView comment).
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "intake/case_desk.h"
#include "service/directory.h"
#include "service/grpc_service.h"
#include "service/service_fixture.h"
#include "testing/generated_city.h"

namespace gridroute {
namespace {

using testing::HotlineReport;

#define EXPECT_STATUS(status, code_, text)                                      \
  do {                                                                          \
    const grpc::Status s_ = (status);                                           \
    EXPECT_EQ(s_.error_code(), grpc::StatusCode::code_) << s_.error_message();  \
    EXPECT_TRUE(absl::StrContains(s_.error_message(), text)) << s_.error_message(); \
  } while (0)

const absl::Time kNever = absl::InfiniteFuture();

const char* RoleName(v1::TeamRole r) {
  switch (r) {
    case v1::TEAM_ROLE_LEADER: return "leader";
    case v1::TEAM_ROLE_INSTRUCTOR: return "instructor";
    case v1::TEAM_ROLE_MEMBER: return "member";
    case v1::TEAM_ROLE_SPECIALIST: return "specialist";
    default: return "?";
  }
}

void ExpectTeamAgrees(const v1::Decision& f, const v1::DecisionCodes& c) {
  ASSERT_EQ(f.team_size(), c.team_size());
  for (int i = 0; i < f.team_size(); ++i) {
    EXPECT_EQ(f.team(i).role(), RoleName(c.team(i).role()));
    EXPECT_EQ(f.team(i).specialty(), c.team(i).specialty());
    EXPECT_EQ(f.team(i).person_id(), c.team(i).person_id());
    EXPECT_EQ(f.team(i).inherited(), c.team(i).inherited());
  }
}

// Every code of the FULL decision `f` equals the CODES decision `c`'s.
void ExpectAgree(const v1::Decision& f, const v1::DecisionCodes& c) {
  SCOPED_TRACE(f.ShortDebugString());
  EXPECT_EQ(f.outcome(), c.outcome());
  EXPECT_EQ(f.location().grid_code(), c.grid_code());
  EXPECT_EQ(f.location().how(), c.how());
  EXPECT_EQ(f.location().distance_m(), c.distance_m());
  ASSERT_EQ(f.location().chain_size(), c.region_codes_size());
  for (int i = 0; i < c.region_codes_size(); ++i) {
    EXPECT_EQ(f.location().chain(i).code(), c.region_codes(i));
  }
  EXPECT_EQ(f.rule_id(), c.rule_id());
  EXPECT_EQ(f.lead().code(), c.lead());
  ASSERT_EQ(f.helpers_size(), c.helpers_size());
  for (int i = 0; i < c.helpers_size(); ++i) EXPECT_EQ(f.helpers(i).code(), c.helpers(i));
  ExpectTeamAgrees(f, c);
  ASSERT_EQ(f.layers_size(), c.layer_codes_size());
  for (int i = 0; i < c.layer_codes_size(); ++i) {
    EXPECT_EQ(f.layers(i).layer_code(), c.layer_codes(i));
  }
  EXPECT_EQ(f.component().code(), c.component_code());
  EXPECT_EQ(f.component().by_code() ? 0.0 : f.component().distance_m(),
            c.component_distance_m());
  EXPECT_EQ(f.category(), c.category());
  EXPECT_EQ(f.urgency(), c.urgency());
  EXPECT_EQ(f.has_deadline(), c.has_deadline());
  EXPECT_EQ(f.deadline().SerializeAsString(), c.deadline().SerializeAsString());
  EXPECT_EQ(f.has_case_ref(), c.has_case_ref());
  EXPECT_EQ(f.case_ref().SerializeAsString(), c.case_ref().SerializeAsString());
}

template <typename Result>
void ExpectResultsAgree(const Result& f, const Result& c) {
  ASSERT_EQ(f.has_error(), c.has_error());
  if (f.has_error()) {
    EXPECT_EQ(f.error().SerializeAsString(), c.error().SerializeAsString());
    return;
  }
  ASSERT_TRUE(f.has_decision()) << f.ShortDebugString();
  ASSERT_TRUE(c.has_codes()) << c.ShortDebugString();
  ExpectAgree(f.decision(), c.codes());
}

std::string TempDir(const char* name) {
  std::string tmpl = (std::filesystem::temp_directory_path() / name).string() + "_XXXXXX";
  EXPECT_NE(mkdtemp(tmpl.data()), nullptr);
  return tmpl;
}

// Every page of the Directory with `page_size`; *pages counts them.
v1::DirectoryResponse WholeDirectory(GridrouteService& svc, int page_size, int* pages = nullptr) {
  v1::DirectoryResponse all, page;
  v1::DirectoryRequest req;
  req.set_page_size(page_size);
  int n = 0;
  do {
    page.Clear();
    const grpc::Status s = svc.Directory(kNever, req, &page);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (!s.ok() || ++n > 100000) break;
    EXPECT_EQ(page.departments_size() > 0, req.page_token().empty());
    EXPECT_LE(page.regions_size() + page.persons_size(), page_size);
    req.set_page_token(page.next_page_token());
    all.MergeFrom(page);
  } while (!req.page_token().empty());
  if (pages != nullptr) *pages = n;
  return all;
}


// ------------------------------------------------ the routing test pack

// Two services over one store, each with its own CaseDesk on a fresh
// journal: fed the same reports in the same order they file the same cases.
class ViewsPackTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pack_ = new std::string(testing::WriteRoutingPack("A")); }
  static void TearDownTestSuite() { delete pack_; }

  void SetUp() override {
    ASSERT_TRUE(store_.Load(*pack_).ok());
    dir_ = TempDir("views_test");
    for (int i = 0; i < 2; ++i) {
      CaseDeskOptions o;
      o.journal_dir = absl::StrCat(dir_, "/journal", i);
      o.log = [](absl::string_view) {};
      std::shared_ptr<const ServedSnapshot> s = store_.Current();
      absl::StatusOr<std::unique_ptr<CaseDesk>> desk = CaseDesk::Open(o, *s->snapshot, s->pack_dir);
      ASSERT_TRUE(desk.ok()) << desk.status();
      desks_[i] = *std::move(desk);
      ServiceOptions so;
      so.cases = desks_[i].get();
      svc_[i] = std::make_unique<GridrouteService>(&store_, so);
    }
  }
  void TearDown() override {
    for (int i = 0; i < 2; ++i) {
      svc_[i].reset();
      desks_[i].reset();
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  GridrouteService& full() { return *svc_[0]; }
  GridrouteService& codes() { return *svc_[1]; }

  // Reports covering every part of a decision: layers, helpers, inherited and
  // own team members, specialists, components by code and nearest, the
  // night window, snapped and outside points, a grid-scope rule, errors.
  static std::vector<v1::RouteRequest> Reports() {
    std::vector<v1::RouteRequest> r = {
        HotlineReport(120.0008, 31.0008, "0102"), HotlineReport(120.0003, 31.0003, "0102"),
        HotlineReport(120.00022, 31.00022, "0102"), HotlineReport(120.0015, 31.0008, "0501"),
        HotlineReport(120.0025, 31.0005, "0102"), HotlineReport(120.0015, 31.0005, "9901"),
        HotlineReport(120.0031, 31.0005, "0102"), HotlineReport(120.0031, 31.0005, "0102"),
        HotlineReport(120.0008, 31.0008, "0401"), HotlineReport(120.0008, 31.0008, "7777"),
        HotlineReport(120.00051, 31.00051, "0101"), HotlineReport(0, 0, "0101"),
        HotlineReport(120.0015, 31.0006, "0102")};
    r[0].set_urgency("urgent");
    r[7].set_snap_m(20);
    r[8].set_urgency("emergency");
    r[10].set_category_type(v1::CATEGORY_TYPE_COMPONENT);
    r[11].set_category_type(v1::CATEGORY_TYPE_COMPONENT);
    r[11].clear_point();
    r[11].set_component_code("3205010101000001");
    r[12].mutable_reported_at()->set_seconds(r[12].reported_at().seconds() + 13 * 3600);  // 23:00
    return r;
  }

  // RouteDetectionsWire (of codes()) equals RouteDetections (of full())
  // byte for byte in `view` (see the tests below).
  void ExpectDetectionWireBytesEqualTheMessages(v1::DecisionView view) {
    GridrouteService& messages_svc = full();
    GridrouteService& wire_svc = codes();
    const std::vector<v1::RouteRequest> reports = Reports();
    v1::DetectionBatch detections;
    for (const v1::RouteRequest& r : reports) AddDetection(r, &detections);
    detections.add_detections()->set_correlation_id("no point");
    detections.set_view(view);
    const bool codes = view == v1::DECISION_VIEW_CODES;
    int folded = 0, duplicates = 0;
    // Round 1 sends the same detections under new correlation ids: they fold
    // into round 0's cases; round 2 re-sends round 1: duplicates.
    for (int round = 0; round < 3; ++round) {
      if (round == 1) {
        for (v1::Detection& d : *detections.mutable_detections()) {
          d.set_correlation_id(d.correlation_id() + "/again");
        }
      }
      v1::DecisionBatch messages;
      ASSERT_TRUE(messages_svc.RouteDetections(kNever, detections, &messages).ok());
      std::string wire;
      ASSERT_TRUE(wire_svc.RouteDetectionsWire(kNever, detections, &wire).ok());
      ASSERT_EQ(wire, messages.SerializeAsString()) << "round " << round;
      for (const v1::DetectionResult& r : messages.results()) {
        const v1::CaseRef& ref = codes ? r.codes().case_ref() : r.decision().case_ref();
        if (round == 1) folded += ref.folded();
        if (round == 2) duplicates += ref.duplicate();
        if (round < 2) {
          EXPECT_FALSE(ref.duplicate());
        }
      }
    }
    EXPECT_GE(folded, 3);  // round 1's reports that fold into round 0's cases
    EXPECT_GE(duplicates, 8);
  }

  // The report as a camera detection (correlation id c<n>, camera cam-1).
  static void AddDetection(const v1::RouteRequest& r, v1::DetectionBatch* detections) {
    v1::Detection* d = detections->add_detections();
    d->set_correlation_id(absl::StrCat("c", detections->detections_size()));
    d->set_camera_id("cam-1");
    *d->mutable_frame_time() = r.reported_at();
    d->set_category(r.category());
    d->set_category_type(r.category_type());
    if (r.has_point()) *d->mutable_point() = r.point();
    d->set_urgency(r.urgency());
  }

  static std::string* pack_;
  std::string dir_;
  SnapshotStore store_;
  std::unique_ptr<CaseDesk> desks_[2];
  std::unique_ptr<GridrouteService> svc_[2];
};
std::string* ViewsPackTest::pack_ = nullptr;

TEST_F(ViewsPackTest, RouteCodesAgreeWithFullIncludingCaseRefs) {
  int routed = 0, cased = 0;
  for (int round = 0; round < 2; ++round) {  // the second round folds
    for (v1::RouteRequest req : Reports()) {
      v1::RouteResponse f, c;
      const grpc::Status sf = full().Route(kNever, req, &f);
      req.set_view(v1::DECISION_VIEW_CODES);
      const grpc::Status sc = codes().Route(kNever, req, &c);
      ASSERT_EQ(sf.error_code(), sc.error_code()) << sf.error_message();
      EXPECT_EQ(sf.error_message(), sc.error_message());
      if (!sf.ok()) continue;
      EXPECT_FALSE(f.has_codes());
      EXPECT_FALSE(c.has_decision());
      ExpectAgree(f.decision(), c.codes());
      EXPECT_EQ(f.snapshot().SerializeAsString(), c.snapshot().SerializeAsString());
      routed += f.decision().outcome() == v1::OUTCOME_ROUTED;
      cased += c.codes().has_case_ref() && c.codes().case_ref().folded();
    }
  }
  EXPECT_GE(routed, 16);
  EXPECT_GE(cased, 5);  // the second round folded into the first's cases
}

TEST_F(ViewsPackTest, RouteBatchAndDetectionsCodesAgreeWithFull) {
  v1::RouteBatchRequest batch;
  v1::DetectionBatch detections;
  for (const v1::RouteRequest& r : Reports()) {
    *batch.add_events() = r;
    AddDetection(r, &detections);
  }
  v1::RouteBatchResponse bf, bc;
  ASSERT_TRUE(full().RouteBatch(kNever, batch, &bf).ok());
  batch.set_view(v1::DECISION_VIEW_CODES);
  ASSERT_TRUE(codes().RouteBatch(kNever, batch, &bc).ok());
  ASSERT_EQ(bf.results_size(), bc.results_size());
  for (int i = 0; i < bf.results_size(); ++i) ExpectResultsAgree(bf.results(i), bc.results(i));
  v1::DecisionBatch df, dc;
  ASSERT_TRUE(full().RouteDetections(kNever, detections, &df).ok());
  detections.set_view(v1::DECISION_VIEW_CODES);
  ASSERT_TRUE(codes().RouteDetections(kNever, detections, &dc).ok());
  ASSERT_EQ(df.results_size(), dc.results_size());
  int with_case = 0;
  for (int i = 0; i < df.results_size(); ++i) {
    EXPECT_EQ(df.results(i).correlation_id(), dc.results(i).correlation_id());
    ExpectResultsAgree(df.results(i), dc.results(i));
    with_case += dc.results(i).codes().has_case_ref();
  }
  EXPECT_GE(with_case, 8);
}

// The stream's answer written as wire bytes (service/codes_wire.h,
// service/full_wire.h) is byte for byte the serialized DecisionBatch the
// messages give, cases, folds and duplicates included (each service files
// into its own desk: the same case ids). One view per test: a fixture's
// desks start empty.
TEST_F(ViewsPackTest, DetectionWireBytesEqualTheMessages) {
  ExpectDetectionWireBytesEqualTheMessages(v1::DECISION_VIEW_CODES);
}

TEST_F(ViewsPackTest, FullDetectionWireBytesEqualTheMessages) {
  ExpectDetectionWireBytesEqualTheMessages(v1::DECISION_VIEW_FULL);
}

// Unary Route's wire answer (RouteWire, the gRPC handler's path) is byte
// for byte the serialized RouteResponse of Route, in both views, with new
// cases, folds (round 1: new report ids) and duplicates (round 2: round 1's
// ids again), and the same error for every refused report. Each service
// files into its own desk: the same case ids.
TEST_F(ViewsPackTest, UnaryWireBytesEqualTheMessages) {
  int compared = 0, folded = 0, duplicates = 0, errors = 0;
  for (int round = 0; round < 3; ++round) {
    int i = 0;
    for (v1::RouteRequest req : Reports()) {
      ++i;
      req.set_report_id(absl::StrCat("r", i, round == 0 ? "" : "/again"));
      req.set_view(i % 2 ? v1::DECISION_VIEW_CODES : v1::DECISION_VIEW_FULL);
      v1::RouteResponse messages;
      const grpc::Status sm = full().Route(kNever, req, &messages);
      std::string wire = "stale";
      const grpc::Status sw = codes().RouteWire(kNever, req, &wire);
      ASSERT_EQ(sm.error_code(), sw.error_code()) << sm.error_message();
      EXPECT_EQ(sm.error_message(), sw.error_message());
      if (!sm.ok()) {
        ++errors;
        continue;
      }
      ASSERT_TRUE(wire == messages.SerializeAsString()) << "round " << round << " report " << i;
      const v1::CaseRef& ref =
          messages.has_codes() ? messages.codes().case_ref() : messages.decision().case_ref();
      folded += ref.folded();
      duplicates += ref.duplicate();
      ++compared;
    }
  }
  EXPECT_GE(compared, 30);
  EXPECT_GE(errors, 3);
  EXPECT_GE(folded, 3);
  EXPECT_GE(duplicates, 8);
}

// The gRPC Route handler takes raw bytes: one that does not parse as a
// RouteRequest is INVALID_ARGUMENT naming the request, and the channel's
// typed answer is the service's.
TEST_F(ViewsPackTest, RouteThroughTheChannelIsTheServicesAnswer) {
  testing::InProcessServer server(&store_);
  for (v1::RouteRequest req : Reports()) {
    req.set_dry_run(true);
    for (v1::DecisionView view : {v1::DECISION_VIEW_FULL, v1::DECISION_VIEW_CODES}) {
      req.set_view(view);
      grpc::ClientContext ctx;
      v1::RouteResponse got, want;
      const grpc::Status sg = server.routing->Route(&ctx, req, &got);
      const grpc::Status sw = full().Route(kNever, req, &want);
      ASSERT_EQ(sg.error_code(), sw.error_code()) << sg.error_message();
      EXPECT_EQ(sg.error_message(), sw.error_message());
      if (sw.ok()) {
        EXPECT_EQ(got.SerializeAsString(), want.SerializeAsString());
      }
    }
  }
  std::string answer;
  // A varint that never ends.
  const grpc::Status st = testing::RawUnaryCall(
      server.channel(), "/gridroute.v1.RoutingService/Route", "\xff\xff\xff", &answer);
  EXPECT_STATUS(st, INVALID_ARGUMENT, "request: the message does not parse as a RouteRequest");
}

TEST_F(ViewsPackTest, UnknownViewIsInvalidArgumentNamingView) {
  v1::RouteRequest req = HotlineReport(120.0008, 31.0008, "0102");
  req.set_view(static_cast<v1::DecisionView>(7));
  v1::RouteResponse resp;
  EXPECT_STATUS(full().Route(kNever, req, &resp), INVALID_ARGUMENT, "view");
  v1::RouteBatchRequest batch;
  *batch.add_events() = HotlineReport(120.0008, 31.0008, "0102");
  batch.set_view(static_cast<v1::DecisionView>(2));
  v1::RouteBatchResponse bresp;
  EXPECT_STATUS(full().RouteBatch(kNever, batch, &bresp), INVALID_ARGUMENT, "view");
  v1::DetectionBatch det;
  det.add_detections()->set_category("0102");  // not empty: the view is what is wrong
  det.set_view(static_cast<v1::DecisionView>(-1));
  v1::DecisionBatch dresp;
  EXPECT_STATUS(full().RouteDetections(kNever, det, &dresp), INVALID_ARGUMENT, "view");
}

// Names, phones, channels and owners are FULL-only: none may appear anywhere
// in the bytes of a CODES answer.
TEST_F(ViewsPackTest, CodesCarryNoNamesPhonesOrChannels) {
  std::string bytes;
  v1::RouteBatchRequest batch;
  batch.set_view(v1::DECISION_VIEW_CODES);
  for (v1::RouteRequest r : Reports()) {
    *batch.add_events() = r;
    r.set_view(v1::DECISION_VIEW_CODES);
    v1::RouteResponse resp;
    if (codes().Route(kNever, r, &resp).ok()) bytes += resp.SerializeAsString();
  }
  v1::RouteBatchResponse bresp;
  ASSERT_TRUE(codes().RouteBatch(kNever, batch, &bresp).ok());
  bytes += bresp.SerializeAsString();
  const Snapshot& s = *store_.Current()->snapshot;
  std::vector<std::string> secret;
  for (int32_t i = 0; i < s.teams().num_people(); ++i) {
    secret.emplace_back(s.teams().person_name(i));
    secret.emplace_back(s.teams().person_phone(i));
  }
  for (int32_t i = 0; i < s.departments().size(); ++i) {
    secret.push_back(s.departments().at(i).name);
    secret.push_back(s.departments().at(i).channel);
  }
  for (int32_t i = 0; i < s.layers().size(); ++i) {
    for (absl::string_view v : {s.layers().name(i), s.layers().owner(i), s.layers().owner_contact(i)}) {
      secret.emplace_back(v);
    }
  }
  for (int32_t i = 0; i < s.categories().size(); ++i) secret.push_back(s.categories().at(i).name);
  ASSERT_GT(bytes.size(), 500u);
  int checked = 0;
  for (const std::string& x : secret) {
    if (x.size() < 4) continue;  // "139": too short to mean anything in binary
    ++checked;
    EXPECT_FALSE(absl::StrContains(bytes, x)) << x;
  }
  EXPECT_GE(checked, 30);
}

// ------------------------------------------------ Directory on the test pack

TEST_F(ViewsPackTest, DirectoryFirstPageHoldsTheSmallSections) {
  v1::DirectoryRequest req;
  v1::DirectoryResponse resp;
  ASSERT_TRUE(full().Directory(kNever, req, &resp).ok());
  const Snapshot& s = *store_.Current()->snapshot;
  EXPECT_EQ(resp.snapshot().version(), "A");
  EXPECT_EQ(resp.snapshot().generation(), 1u);
  EXPECT_EQ(resp.departments_size(), s.departments().size());
  EXPECT_EQ(resp.categories_size(), s.categories().size());
  EXPECT_EQ(resp.layers_size(), s.layers().size());
  EXPECT_EQ(resp.levels_size(), static_cast<int>(s.hierarchy().levels().size()));
  EXPECT_EQ(resp.total_regions(), s.hierarchy().num_regions());
  EXPECT_EQ(resp.total_persons(), s.teams().num_people());
  EXPECT_EQ(resp.regions_size(), resp.total_regions());  // default page: all
  EXPECT_EQ(resp.persons_size(), resp.total_persons());
  EXPECT_TRUE(resp.next_page_token().empty());
  std::map<std::string, std::string> dept;
  for (const v1::Department& d : resp.departments()) dept[d.code()] = d.name() + "|" + d.channel();
  EXPECT_EQ(dept["D2"], "环卫处|ch-d2");
  EXPECT_EQ(dept["D3"], "320502 执法中队|");
  bool saw0401 = false, saw0118 = false;
  for (const v1::DirectoryCategory& c : resp.categories()) {
    if (c.code() == "0401") {
      saw0401 = c.type() == v1::CATEGORY_TYPE_EVENT && c.name() == "路面塌陷" && c.major() == "04" &&
                c.standard() == "CJ/T 214-2007" && c.specialty() == "municipal" &&
                absl::StrJoin(c.urgencies(), "|") == "normal|urgent|emergency";
    }
    if (c.code() == "0118") saw0118 = c.type() == v1::CATEGORY_TYPE_COMPONENT;
  }
  EXPECT_TRUE(saw0401 && saw0118) << resp.ShortDebugString();
  bool park = false, p2 = false, community = false;
  for (const v1::DirectoryLayer& l : resp.layers()) {
    park |= l.code() == "park1" && l.owner() == "公园管理处" && l.owner_contact() == "0512-1";
  }
  for (const v1::DirectoryPerson& p : resp.persons()) {
    p2 |= p.person_id() == "P2" && p.name() == "李环卫" && p.phone() == "13800000002";
  }
  for (const v1::DirectoryRegion& r : resp.regions()) {
    community |= r.code() == "3205010101" && r.level() == "community" && !r.parent().empty();
  }
  EXPECT_TRUE(park && p2 && community) << resp.ShortDebugString();
  EXPECT_TRUE(absl::c_linear_search(resp.specialties(), "sanitation"));
}

TEST_F(ViewsPackTest, DirectoryPagesCoverEachRegionAndPersonOnce) {
  const Snapshot& s = *store_.Current()->snapshot;
  const int total = s.hierarchy().num_regions() + s.teams().num_people();
  for (int size : {1, 2, 5, 20000}) {
    int pages = 0;
    const v1::DirectoryResponse all = WholeDirectory(full(), size, &pages);
    EXPECT_EQ(pages, (total + size - 1) / size) << size;
    std::set<std::string> regions, persons;
    for (const auto& r : all.regions()) EXPECT_TRUE(regions.insert(r.code()).second) << r.code();
    for (const auto& p : all.persons()) EXPECT_TRUE(persons.insert(p.person_id()).second);
    EXPECT_EQ(static_cast<int>(regions.size()), s.hierarchy().num_regions());
    EXPECT_EQ(static_cast<int>(persons.size()), s.teams().num_people());
    EXPECT_EQ(all.departments_size(), s.departments().size());  // first page only
  }
}

TEST_F(ViewsPackTest, DirectoryPageSizeLimits) {
  v1::DirectoryRequest req;
  v1::DirectoryResponse resp;
  for (int bad : {-1, 20001, 1 << 30}) {
    req.set_page_size(bad);
    EXPECT_STATUS(full().Directory(kNever, req, &resp), INVALID_ARGUMENT, "page_size");
  }
  req.set_page_size(20000);
  EXPECT_TRUE(full().Directory(kNever, req, &resp).ok());
}

TEST_F(ViewsPackTest, DirectoryBadTokensAreInvalidArgumentWithAShortEcho) {
  const std::shared_ptr<const ServedSnapshot> served = store_.Current();
  const std::string long_junk(100, 'x');
  const std::string tokens[] = {
      "!!not base64!!", long_junk, absl::WebSafeBase64Escape("cases.1.2"),
      absl::WebSafeBase64Escape("dir1.1.x.A"), DirectoryPageToken(*served, 10000),
      DirectoryPageToken(*served, 0)};
  for (const std::string& t : tokens) {
    v1::DirectoryRequest req;
    req.set_page_size(1);
    req.set_page_token(t);
    v1::DirectoryResponse resp;
    const grpc::Status s = full().Directory(kNever, req, &resp);
    EXPECT_STATUS(s, INVALID_ARGUMENT, "page_token");
    EXPECT_TRUE(absl::StrContains(s.error_message(), t.substr(0, 32))) << s.error_message();
    if (t.size() > 32) {
      EXPECT_FALSE(absl::StrContains(s.error_message(), t.substr(0, 33))) << s.error_message();
    }
  }
}

TEST_F(ViewsPackTest, DirectoryOfAReplacedSnapshotIsFailedPrecondition) {
  v1::DirectoryRequest req;
  req.set_page_size(1);
  v1::DirectoryResponse first;
  ASSERT_TRUE(full().Directory(kNever, req, &first).ok());
  ASSERT_FALSE(first.next_page_token().empty());
  ASSERT_TRUE(store_.Load(*pack_).ok());  // generation 2, same version
  v1::DirectoryResponse resp;
  req.set_page_token(first.next_page_token());
  EXPECT_STATUS(full().Directory(kNever, req, &resp), FAILED_PRECONDITION, "generation 2");
  req.set_generation(2);  // the token is generation 1's: the request contradicts it
  EXPECT_STATUS(full().Directory(kNever, req, &resp), INVALID_ARGUMENT, "page_token");
  req.clear_page_token();
  req.set_generation(1);
  EXPECT_STATUS(full().Directory(kNever, req, &resp), FAILED_PRECONDITION, "generation 2");
  req.set_generation(0);
  req.set_version("B");
  EXPECT_STATUS(full().Directory(kNever, req, &resp), FAILED_PRECONDITION, "version 'A'");
  req.set_version("A");
  req.set_generation(2);
  EXPECT_TRUE(full().Directory(kNever, req, &resp).ok());
}

TEST_F(ViewsPackTest, DirectoryWithoutPersonalDataHasIdsOnly) {
  v1::DirectoryResponse resp;
  ASSERT_TRUE(full().Directory(kNever, v1::DirectoryRequest(), &resp, false).ok());
  ASSERT_GT(resp.persons_size(), 0);
  for (const v1::DirectoryPerson& p : resp.persons()) {
    EXPECT_FALSE(p.person_id().empty());
    EXPECT_TRUE(p.name().empty() && p.phone().empty()) << p.ShortDebugString();
  }
}

TEST_F(ViewsPackTest, DirectoryAndCodesThroughTheChannel) {
  testing::InProcessServer server(&store_);
  grpc::ClientContext ctx;
  v1::DirectoryRequest req;
  req.set_page_size(3);
  v1::DirectoryResponse resp;
  ASSERT_TRUE(server.admin->Directory(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.regions_size() + resp.persons_size(), 3);
  EXPECT_FALSE(resp.next_page_token().empty());
  grpc::ClientContext ctx2;
  v1::RouteRequest r = HotlineReport(120.0008, 31.0008, "0102");
  r.set_view(v1::DECISION_VIEW_CODES);
  v1::RouteResponse route;
  ASSERT_TRUE(server.routing->Route(&ctx2, r, &route).ok());
  EXPECT_EQ(route.codes().grid_code(), "g1");
  EXPECT_FALSE(route.has_decision());
}

// ------------------------------------------------ the generated sample city

// The sample city of tools/sample.sh (2,000 grids, seed 1), without cases.
class ViewsCityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    store_ = new SnapshotStore();
    ASSERT_TRUE(store_->Load(testing::GetGeneratedCity(2000, 1).dir).ok());
    svc_ = new GridrouteService(store_, ServiceOptions());
    batch_ = new v1::RouteBatchRequest(RandomReports(*store_->Current()->snapshot, 6000));
  }
  static void TearDownTestSuite() {
    delete svc_;
    delete store_;
    delete batch_;
  }

  // Random reports of every category over the city's box, a third of them
  // near components (component categories there; some named by code), at
  // random minutes of a week, some with an explicit allowed urgency.
  static v1::RouteBatchRequest RandomReports(const Snapshot& s, int n) {
    const auto& city = testing::GetGeneratedCity(2000, 1).city;
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> lon(city.bbox_min.lon * 1e-7, city.bbox_max.lon * 1e-7);
    std::uniform_real_distribution<double> lat(city.bbox_min.lat * 1e-7, city.bbox_max.lat * 1e-7);
    const Categories& cats = s.categories();
    v1::RouteBatchRequest batch;
    for (int i = 0; i < n; ++i) {
      v1::RouteRequest* r = batch.add_events();
      int32_t ci = static_cast<int32_t>(rng() % cats.size());
      double x = lon(rng), y = lat(rng);
      std::string component_code;
      if (i % 3 == 0 && s.components().size() > 0) {
        const int32_t k = static_cast<int32_t>(rng() % s.components().size());
        const Component comp = s.components().at(k);
        x = s.quantizer().ToX(comp.point.x) + (static_cast<int>(rng() % 201) - 100) * 1e-7;
        y = s.quantizer().ToY(comp.point.y) + (static_cast<int>(rng() % 201) - 100) * 1e-7;
        ci = comp.category;
        if (i % 6 == 0) component_code = std::string(s.components().code(k));
      }
      const Category& c = cats.at(ci);
      *r = HotlineReport(x, y, c.code);
      r->set_component_code(component_code);
      r->set_category_type(c.type == CategoryType::kComponent ? v1::CATEGORY_TYPE_COMPONENT
                                                              : v1::CATEGORY_TYPE_EVENT);
      r->mutable_reported_at()->set_seconds(r->reported_at().seconds() +
                                            static_cast<int64_t>(rng() % (7 * 1440)) * 60);
      for (int32_t u = static_cast<int32_t>(rng() % 4); u < kMaxUrgencies && i % 4 == 0; ++u) {
        if (c.AllowsUrgency(u)) {
          r->set_urgency(cats.urgencies()[u]);
          break;
        }
      }
      if (i % 10 == 0) r->set_snap_m(30);
    }
    return batch;
  }

  static SnapshotStore* store_;
  static GridrouteService* svc_;
  static v1::RouteBatchRequest* batch_;
};
SnapshotStore* ViewsCityTest::store_ = nullptr;
GridrouteService* ViewsCityTest::svc_ = nullptr;
v1::RouteBatchRequest* ViewsCityTest::batch_ = nullptr;

TEST_F(ViewsCityTest, BatchCodesAgreeWithFullAndPrintBytesPerDecision) {
  v1::RouteBatchRequest req = *batch_;
  v1::RouteBatchResponse f, c;
  ASSERT_TRUE(svc_->RouteBatch(kNever, req, &f).ok());
  req.set_view(v1::DECISION_VIEW_CODES);
  ASSERT_TRUE(svc_->RouteBatch(kNever, req, &c).ok());
  ASSERT_EQ(f.results_size(), c.results_size());
  int64_t routed = 0, full_bytes = 0, codes_bytes = 0, layers = 0, components = 0;
  for (int i = 0; i < f.results_size(); ++i) {
    ExpectResultsAgree(f.results(i), c.results(i));
    if (f.results(i).has_error() || f.results(i).decision().outcome() != v1::OUTCOME_ROUTED) continue;
    ++routed;
    full_bytes += f.results(i).ByteSizeLong();  // as a RouteResult: the batch's per-item cost
    codes_bytes += c.results(i).ByteSizeLong();
    layers += c.results(i).codes().layer_codes_size() > 0;
    components += !c.results(i).codes().component_code().empty();
  }
  ASSERT_GT(routed, 1000);
  EXPECT_GT(layers, 10);
  EXPECT_GT(components, 100);
  const double per_full = static_cast<double>(full_bytes) / routed;
  const double per_codes = static_cast<double>(codes_bytes) / routed;
  std::printf("bytes per routed decision on the sample city (2000 grids, seed 1; %lld routed of %d): "
              "FULL %.1f, CODES %.1f (%.0f%%); whole batch FULL %zu, CODES %zu\n",
              static_cast<long long>(routed), f.results_size(), per_full, per_codes,
              100.0 * per_codes / per_full, f.ByteSizeLong(), c.ByteSizeLong());
  RecordProperty("full_bytes_per_decision", absl::StrCat(per_full));
  RecordProperty("codes_bytes_per_decision", absl::StrCat(per_codes));
  EXPECT_LT(per_codes, per_full / 1.5);
}

TEST_F(ViewsCityTest, DetectionCodesAgreeWithFull) {
  v1::DetectionBatch det;
  for (int i = 0; i < 3000; ++i) {
    const v1::RouteRequest& r = batch_->events(i);
    v1::Detection* d = det.add_detections();
    d->set_correlation_id(absl::StrCat(i));
    *d->mutable_frame_time() = r.reported_at();
    d->set_category(r.category());
    d->set_category_type(r.category_type());
    *d->mutable_point() = r.point();
    d->set_urgency(r.urgency());
  }
  det.set_snap_m(20);
  v1::DecisionBatch f, c;
  ASSERT_TRUE(svc_->RouteDetections(kNever, det, &f).ok());
  det.set_view(v1::DECISION_VIEW_CODES);
  ASSERT_TRUE(svc_->RouteDetections(kNever, det, &c).ok());
  ASSERT_EQ(f.results_size(), c.results_size());
  for (int i = 0; i < f.results_size(); ++i) ExpectResultsAgree(f.results(i), c.results(i));
}

TEST_F(ViewsCityTest, DetectionWireBytesEqualTheMessages) {
  v1::DetectionBatch det;
  for (int i = 0; i < 6000; ++i) {
    const v1::RouteRequest& r = batch_->events(i);
    v1::Detection* d = det.add_detections();
    d->set_correlation_id(absl::StrCat(i));
    d->set_camera_id(i % 7 == 0 ? "" : "cam");
    *d->mutable_frame_time() = r.reported_at();
    d->set_category(i % 97 == 0 ? "bad" : r.category());
    d->set_category_type(r.category_type());
    if (i % 101 != 0) *d->mutable_point() = r.point();
    d->set_urgency(r.urgency());
  }
  for (v1::DecisionView view : {v1::DECISION_VIEW_CODES, v1::DECISION_VIEW_FULL}) {
    det.set_view(view);
    for (double snap : {0.0, 20.0}) {
      det.set_snap_m(snap);
      v1::DecisionBatch messages;
      ASSERT_TRUE(svc_->RouteDetections(kNever, det, &messages).ok());
      std::string wire;
      ASSERT_TRUE(svc_->RouteDetectionsWire(kNever, det, &wire).ok());
      ASSERT_EQ(wire.size(), messages.ByteSizeLong());
      ASSERT_TRUE(wire == messages.SerializeAsString()) << "view " << view << " snap " << snap;
    }
  }
}

// Unary Route's wire answer equals Route's serialized message on 6,000
// random reports (components, snapping, urgencies, errors), in both views,
// for a caller with and without the personal role.
TEST_F(ViewsCityTest, UnaryWireBytesEqualTheMessages) {
  Principal plain{"plain", kRoleRoute, {}};
  Principal personal{"personal", kRoleRoute | kRolePersonal, {}};
  int compared = 0, errors = 0, components = 0;
  for (int i = 0; i < batch_->events_size(); ++i) {
    v1::RouteRequest req = batch_->events(i);
    if (i % 97 == 0) req.set_category("bad");
    req.set_view(i % 2 ? v1::DECISION_VIEW_CODES : v1::DECISION_VIEW_FULL);
    const Principal* who = i % 3 == 0 ? nullptr : i % 3 == 1 ? &plain : &personal;
    v1::RouteResponse messages;
    const grpc::Status sm = svc_->Route(kNever, req, &messages, who);
    std::string wire;
    const grpc::Status sw = svc_->RouteWire(kNever, req, &wire, who);
    ASSERT_EQ(sm.error_code(), sw.error_code()) << sm.error_message();
    ASSERT_EQ(sm.error_message(), sw.error_message());
    if (!sm.ok()) {
      ++errors;
      continue;
    }
    ASSERT_TRUE(wire == messages.SerializeAsString()) << "report " << i;
    components += messages.decision().has_component() || !messages.codes().component_code().empty();
    ++compared;
  }
  EXPECT_GE(compared, 4000);
  EXPECT_GE(errors, 60);
  EXPECT_GE(components, 100);
}

// Every code of every CODES decision that names a directory entry resolves
// in the Directory read page by page (700 regions/persons a page). Grid
// codes, rule ids and component codes are identifiers the Directory does
// not list (a grid resolves through its region codes).
TEST_F(ViewsCityTest, DirectoryResolvesEveryCodeOfTheCodesView) {
  v1::RouteBatchRequest req = *batch_;
  req.set_view(v1::DECISION_VIEW_CODES);
  v1::RouteBatchResponse c;
  ASSERT_TRUE(svc_->RouteBatch(kNever, req, &c).ok());
  int pages = 0;
  const v1::DirectoryResponse dir = WholeDirectory(*svc_, 700, &pages);
  EXPECT_EQ(pages, (dir.total_regions() + dir.total_persons() + 699) / 700);
  EXPECT_EQ(dir.regions_size(), dir.total_regions());
  EXPECT_EQ(dir.persons_size(), dir.total_persons());
  std::set<std::string> regions, depts, persons, specialties, layers;
  std::map<std::pair<int, std::string>, std::set<std::string>> urgencies;  // (type, code)
  for (const auto& r : dir.regions()) regions.insert(r.code());
  for (const auto& d : dir.departments()) depts.insert(d.code());
  for (const auto& p : dir.persons()) persons.insert(p.person_id());
  for (const auto& sp : dir.specialties()) specialties.insert(sp);
  for (const auto& l : dir.layers()) layers.insert(l.code());
  for (const auto& k : dir.categories()) {
    urgencies[{k.type(), k.code()}].insert(k.urgencies().begin(), k.urgencies().end());
  }
  int64_t checked = 0;
  auto in = [&checked](const std::set<std::string>& set, const std::string& code, const char* what) {
    ++checked;
    EXPECT_TRUE(set.count(code)) << what << " " << code << " not in the Directory";
  };
  for (int i = 0; i < c.results_size(); ++i) {
    if (!c.results(i).has_codes()) continue;
    const v1::DecisionCodes& d = c.results(i).codes();
    for (const std::string& r : d.region_codes()) in(regions, r, "region");
    if (d.outcome() != v1::OUTCOME_ROUTED) continue;
    in(depts, d.lead(), "lead");
    for (const std::string& h : d.helpers()) in(depts, h, "helper");
    for (const v1::TeamRef& t : d.team()) {
      in(persons, t.person_id(), "person");
      if (!t.specialty().empty()) in(specialties, t.specialty(), "specialty");
    }
    for (const std::string& l : d.layer_codes()) in(layers, l, "layer");
    const auto cat = urgencies.find({req.events(i).category_type(), d.category()});
    ASSERT_NE(cat, urgencies.end()) << "category " << d.category();
    in(cat->second, d.urgency(), "urgency");
  }
  EXPECT_GT(checked, 10000);
}
}  // namespace
}  // namespace gridroute

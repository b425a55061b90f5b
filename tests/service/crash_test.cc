// Copyright 2026 gridroute authors.
//
// Crash test of the durable case intake (issue 9): a client streams
// detections of a few dozen recurring problems to a real gridroute-server
// process (--journal-dir, fsync on) while the server is killed with SIGKILL
// at random moments, restarted on the same journal, and the client goes on.
// At the end every case the server ever acknowledged must exist exactly once
// with at least the report count it acknowledged, and the cases may hold no
// report the client never sent (nothing unacknowledged was acknowledged;
// a report made durable just before a kill, whose answer was lost, may be
// there without an acknowledgement — that is the only slack).
//
// No timing is asserted: the kill moments are random, the checks are about
// what was acknowledged.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gridroute/v1/cases.grpc.pb.h"
#include "gridroute/v1/routing.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "service/server_process.h"

namespace gridroute {
namespace {

using testing::GenerateCity;
using testing::ReadSites;
using testing::Server;
using testing::Site;
using testing::SiteReport;
using testing::TempDir;

TEST(CaseCrashTest, EveryAcknowledgedCaseSurvivesSigkillExactlyOnce) {
  const std::string dir = TempDir("gridroute_crash");
  ASSERT_FALSE(dir.empty());
  const std::string pack = dir + "/city";
  ASSERT_TRUE(GenerateCity(pack));
  std::vector<Site> sites = ReadSites(pack + "/events.csv", 40);
  ASSERT_GE(sites.size(), 20u);
  const std::string journal = dir + "/journal";

  std::mt19937_64 rng(20261129);
  std::uniform_int_distribution<int> pick(0,
                                          static_cast<int>(sites.size()) - 1);
  std::uniform_real_distribution<double> jitter(-2e-5, 2e-5);  // ~2 m
  std::uniform_int_distribution<int> kill_after_ms(30, 400);

  // What the server acknowledged: case id -> highest report count.
  std::map<std::string, int64_t> acked;
  std::set<std::string> acked_new;  // ids acknowledged as new cases
  int64_t sent = 0, acked_reports = 0, kills = 0, errors = 0, routed = 0;
  absl::Time frame = absl::FromCivil(absl::CivilSecond(2026, 3, 2, 9, 0, 0),
                                     absl::UTCTimeZone());

  constexpr int kKills = 12;
  for (int round = 0; round <= kKills; ++round) {
    Server server;
    ASSERT_TRUE(
        server.Start(pack, journal + ".server.log", {"--journal-dir", journal}))
        << "server did not start; log: " << server.log;
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server.port),
                                       grpc::InsecureChannelCredentials());
    auto stub = v1::RoutingService::NewStub(channel);
    if (round == 0) {
      // Keep the sites whose category routes there (the generated events
      // include deliberately bad rows and categories no rule covers); their
      // cases count as acknowledged like any other.
      std::vector<Site> ok;
      for (const Site& s : sites) {
        frame += absl::Seconds(1);
        const v1::RouteRequest req = SiteReport(s, frame);
        grpc::ClientContext rctx;
        v1::RouteResponse resp;
        ++sent;
        if (!stub->Route(&rctx, req, &resp).ok() ||
            !resp.decision().has_case_ref())
          continue;
        ok.push_back(s);
        ++acked_reports;
        const v1::CaseRef& c = resp.decision().case_ref();
        acked[c.case_id()] = std::max(acked[c.case_id()], c.report_count());
        if (!c.folded()) acked_new.insert(c.case_id());
      }
      sites = ok;
      ASSERT_GE(sites.size(), 10u);
      pick = std::uniform_int_distribution<int>(
          0, static_cast<int>(sites.size()) - 1);
    }
    grpc::ClientContext ctx;
    auto stream = stub->RouteStream(&ctx);
    // The last round runs without a kill and ends cleanly.
    std::thread killer;
    if (round < kKills) {
      const int ms = kill_after_ms(rng);
      const pid_t pid = server.pid;
      killer = std::thread([ms, pid] {
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        kill(pid, SIGKILL);
      });
    }
    const int batches = round < kKills ? 1000000 : 20;
    for (int b = 0; b < batches; ++b) {
      v1::DetectionBatch batch;
      for (int i = 0; i < 16; ++i) {
        const Site& s = sites[pick(rng)];
        v1::Detection* d = batch.add_detections();
        d->set_camera_id(absl::StrCat("cam", b % 7));
        d->set_correlation_id(absl::StrCat(sent + i));
        d->set_category(s.category);
        d->mutable_point()->set_x(s.lon + jitter(rng));
        d->mutable_point()->set_y(s.lat + jitter(rng));
        frame += absl::Seconds(1);
        d->mutable_frame_time()->set_seconds(absl::ToUnixSeconds(frame));
      }
      if (!stream->Write(batch)) break;
      sent += batch.detections_size();
      v1::DecisionBatch answer;
      if (!stream->Read(&answer))
        break;  // killed: this batch is unacknowledged
      ASSERT_EQ(answer.results_size(), batch.detections_size());
      for (const v1::DetectionResult& r : answer.results()) {
        if (!r.has_decision()) {
          ++errors;
          continue;
        }
        if (!r.decision().has_case_ref()) continue;  // outside coverage
        ++routed;
        const v1::CaseRef& c = r.decision().case_ref();
        ++acked_reports;
        int64_t& best = acked[c.case_id()];
        best = std::max(best, c.report_count());
        if (!c.folded()) {
          EXPECT_TRUE(acked_new.insert(c.case_id()).second)
              << c.case_id() << " acknowledged as new twice";
          EXPECT_EQ(c.report_count(), 1);
        }
      }
    }
    if (round < kKills) {
      killer.join();
      ++kills;
      stream->WritesDone();
      ctx.TryCancel();
    } else {
      stream->WritesDone();
      EXPECT_TRUE(stream->Finish().ok());
    }
    if (round == kKills) {
      // Final check against the restarted server's CaseService.
      auto cases = v1::CaseService::NewStub(channel);
      std::map<std::string, int64_t> stored;
      v1::ListCasesRequest req;
      req.set_page_size(1000);
      for (;;) {
        grpc::ClientContext lctx;
        v1::ListCasesResponse page;
        ASSERT_TRUE(cases->List(&lctx, req, &page).ok());
        for (const v1::Case& c : page.cases()) {
          EXPECT_TRUE(stored.emplace(c.case_id(), c.report_count()).second)
              << c.case_id() << " listed twice";
        }
        if (page.next_page_token().empty()) break;
        req.set_page_token(page.next_page_token());
      }
      int64_t stored_reports = 0;
      for (const auto& [id, n] : stored) stored_reports += n;
      for (const auto& [id, n] : acked) {
        auto it = stored.find(id);
        ASSERT_NE(it, stored.end()) << "acknowledged case " << id << " lost";
        EXPECT_GE(it->second, n) << id << ": acknowledged " << n << " reports";
      }
      // Each acknowledged report is in some case; no case holds more reports
      // than were sent.
      EXPECT_GE(stored_reports, acked_reports);
      EXPECT_LE(stored_reports, sent);
      std::printf(
          "crash test: %lld SIGKILLs, %lld detections sent, %lld acknowledged "
          "with a case "
          "(%zu distinct cases acknowledged), %lld item errors; after restart "
          "%zu cases holding "
          "%lld reports (%lld durable but unacknowledged at a kill)\n",
          static_cast<long long>(kills), static_cast<long long>(sent),
          static_cast<long long>(acked_reports), acked.size(),
          static_cast<long long>(errors), stored.size(),
          static_cast<long long>(stored_reports),
          static_cast<long long>(stored_reports - acked_reports));
    }
  }
  EXPECT_EQ(kills, kKills);
  EXPECT_GT(acked_reports, 0);
  EXPECT_EQ(errors, 0);
  std::system(("rm -rf " + dir).c_str());
}

}  // namespace
}  // namespace gridroute

// Copyright 2026 gridroute authors.
//
// End-to-end test of case dispatch: a real gridroute-server process
// (--journal-dir, --nats) routes events over gRPC while a real
// `nats-server -js` (tests/dispatch/nats_test_server.h) is up, then stopped
// and started again on the same port and store. An independent cnats durable
// pull consumer on the dispatch stream is the oracle: every case that Route
// acknowledged as new must reach the subject of its lead department under
// exactly one Nats-Msg-Id "<case id>/reported/0" (redeliveries of the same
// stream sequence are at-least-once delivery, not a second dispatch); a
// report that folded into an open case sends nothing; no message names a case
// Route never acknowledged; a CaseService.Update to DISPATCHED sends
// "<case id>/dispatched/1".
//
// No timing is asserted: waits are bounded conditions (fetch until every
// expected message arrived), the bounds only turn a hang into a failure.
#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "dispatch/nats_consumer.h"
#include "dispatch/nats_dispatcher.h"
#include "dispatch/nats_test_server.h"
#include "gridroute/v1/cases.grpc.pb.h"
#include "gridroute/v1/routing.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "service/server_process.h"

namespace gridroute {
namespace {

using testing::Consumer;
using testing::GenerateCity;
using testing::NatsTestServer;
using testing::ReadSites;
using testing::Received;
using testing::Server;
using testing::Site;
using testing::SiteReport;
using testing::TempDir;

constexpr absl::Duration kBound = absl::Seconds(60);  // a failure guard only
const char kStream[] = "GRIDROUTE_DISPATCH";
const char kPrefix[] = "gridroute.dispatch";

// What a dispatch message must look like.
struct Expected {
  std::string case_id, lead, event;
};

TEST(DispatchE2eTest,
     EveryNewCaseReachesItsLeadDepartmentOnceAcrossANatsRestart) {
  if (NatsTestServer::FindBinary().empty()) {
    GTEST_SKIP() << "nats-server is not installed (Debian package nats-server)";
  }
  const std::string dir = TempDir("gridroute_dispatch_e2e");
  ASSERT_FALSE(dir.empty());
  const std::string pack = dir + "/city";
  ASSERT_TRUE(GenerateCity(pack));
  std::vector<Site> sites = ReadSites(pack + "/events.csv", 400);
  ASSERT_GE(sites.size(), 100u);

  NatsTestServer nats;
  ASSERT_TRUE(nats.Start().ok()) << nats.log();
  Server server;
  ASSERT_TRUE(
      server.Start(pack, dir + "/journal.server.log",
                   {"--journal-dir", dir + "/journal", "--nats", nats.url()}))
      << "server did not start; log: " << server.log;
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server.port),
                                     grpc::InsecureChannelCredentials());
  auto routing = v1::RoutingService::NewStub(channel);
  auto cases = v1::CaseService::NewStub(channel);

  std::map<std::string, Expected> expected;  // msg id -> message
  std::set<std::string> acked_cases;  // every case id Route answered with
  std::map<std::string, std::string> lead_of;
  int folds = 0, routed = 0;
  absl::Time frame = absl::FromCivil(absl::CivilSecond(2026, 3, 2, 9, 0, 0),
                                     absl::UTCTimeZone());
  std::vector<Site> used;  // sites that made a new case, for the repeats

  // Routes one report; returns true if it was answered with a case.
  auto route = [&](const Site& s, bool* folded) -> bool {
    frame += absl::Seconds(1);
    const v1::RouteRequest req = SiteReport(s, frame);
    grpc::ClientContext ctx;
    v1::RouteResponse resp;
    const grpc::Status st = routing->Route(&ctx, req, &resp);
    if (!st.ok() || !resp.decision().has_case_ref()) return false;
    ++routed;
    const v1::CaseRef& c = resp.decision().case_ref();
    acked_cases.insert(c.case_id());
    *folded = c.folded();
    if (c.folded()) {
      ++folds;
      return true;
    }
    EXPECT_FALSE(resp.decision().lead().code().empty()) << c.case_id();
    EXPECT_TRUE(
        lead_of.emplace(c.case_id(), resp.decision().lead().code()).second)
        << c.case_id() << " acknowledged as new twice";
    expected[c.case_id() + "/reported/0"] = {
        c.case_id(), resp.decision().lead().code(), "new"};
    return true;
  };
  // Routes the next sites until `want` new cases were made.
  size_t next = 0;
  auto route_new = [&](int want) {
    int made = 0;
    while (made < want && next < sites.size()) {
      bool folded = false;
      if (route(sites[next], &folded) && !folded) {
        ++made;
        used.push_back(sites[next]);
      }
      ++next;
    }
    ASSERT_EQ(made, want) << "ran out of routable sites";
  };
  // Repeats of sites that made a case a moment ago: they fold.
  auto route_repeats = [&](int n) {
    for (int i = 0; i < n; ++i) {
      bool folded = false;
      ASSERT_TRUE(route(used[used.size() - 1 - i], &folded));
      EXPECT_TRUE(folded) << "an exact repeat a few seconds later did not fold";
    }
  };

  // Phase 1: nats-server up.
  ASSERT_NO_FATAL_FAILURE(route_new(30));
  ASSERT_NO_FATAL_FAILURE(route_repeats(4));

  // Phase 2: nats-server stopped; cases are filed while it is down and
  // dispatched once it is back.
  nats.Kill(SIGTERM);
  ASSERT_NO_FATAL_FAILURE(route_new(30));
  ASSERT_NO_FATAL_FAILURE(route_repeats(3));
  ASSERT_TRUE(nats.Start().ok()) << nats.log();
  ASSERT_NO_FATAL_FAILURE(route_new(5));

  // One case moved to DISPATCHED by an operator.
  const std::string updated = expected.begin()->second.case_id;
  {
    v1::UpdateCaseRequest req;
    req.set_case_id(updated);
    req.set_state(v1::CASE_STATE_DISPATCHED);
    req.set_actor("e2e-operator");
    req.set_note("sent to the lead department");
    grpc::ClientContext ctx;
    v1::Case c;
    const grpc::Status st = cases->Update(&ctx, req, &c);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(c.lead(), lead_of[updated]);
    expected[updated + "/dispatched/1"] = {updated, lead_of[updated], "state"};
  }

  // The oracle: a durable pull consumer on everything the stream holds.
  std::set<std::string> want;
  for (const auto& [id, e] : expected) want.insert(id);
  const std::string durable = "e2e";
  Consumer consumer;
  ASSERT_NO_FATAL_FAILURE(
      consumer.Open(nats.url(), kStream, std::string(kPrefix) + ".>", durable));
  std::vector<Received> got = consumer.FetchAll(want, kBound);
  // Anything else the stream holds (there should be nothing).
  for (Received& r : consumer.Drain(kStream, durable, kBound))
    got.push_back(std::move(r));

  // gridroute-server exits cleanly on SIGTERM (flushing what is left).
  const int status = server.Stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "gridroute-server exit status " << status << "; log: " << server.log;

  std::map<std::string, std::set<uint64_t>> seqs;  // msg id -> stream sequences
  size_t redelivered = 0;
  for (const Received& r : got) {
    redelivered += r.delivered > 1;
    auto it = expected.find(r.msg_id);
    ASSERT_NE(it, expected.end()) << "unexpected msg id '" << r.msg_id
                                  << "' on " << r.subject << ": " << r.payload;
    const Expected& e = it->second;
    EXPECT_EQ(acked_cases.count(e.case_id), 1u);
    EXPECT_EQ(r.subject, DispatchSubject(kPrefix, e.lead)) << r.msg_id;
    EXPECT_EQ(r.subject, absl::StrCat(kPrefix, ".", EscapeSubjectToken(e.lead)))
        << r.msg_id;
    EXPECT_TRUE(absl::StrContains(r.payload,
                                  absl::StrCat("\"event\":\"", e.event, "\"")))
        << r.msg_id << ": " << r.payload;
    EXPECT_TRUE(absl::StrContains(
        r.payload, absl::StrCat("\"case_id\":\"", e.case_id, "\"")))
        << r.msg_id << ": " << r.payload;
    EXPECT_TRUE(
        absl::StrContains(r.payload, absl::StrCat("\"lead\":\"", e.lead, "\"")))
        << r.msg_id << ": " << r.payload;
    EXPECT_NE(r.stream_seq, 0u);
    seqs[r.msg_id].insert(r.stream_seq);
  }
  for (const auto& [id, e] : expected) {
    ASSERT_EQ(seqs.count(id), 1u)
        << "never received " << id << " (stream holds "
        << consumer.StreamMessages(kStream) << " messages)";
    EXPECT_EQ(seqs[id].size(), 1u)
        << id << " stored " << seqs[id].size() << " times";
  }
  // Every case has exactly one "reported" message; folds sent nothing.
  std::map<std::string, int> reported_per_case;
  for (const auto& [id, s] : seqs) {
    if (absl::StrContains(id, "/reported/"))
      ++reported_per_case[id.substr(0, id.find('/'))];
  }
  EXPECT_EQ(reported_per_case.size(), lead_of.size());
  for (const auto& [id, n] : reported_per_case) EXPECT_EQ(n, 1) << id;
  EXPECT_EQ(consumer.StreamMessages(kStream), expected.size());
  EXPECT_EQ(folds, 7);
  std::printf(
      "dispatch e2e: %d reports routed with a case (%zu new cases, %d folds), "
      "%zu messages "
      "expected, %zu received (%zu redeliveries)\n",
      routed, lead_of.size(), folds, expected.size(), got.size(), redelivered);
  consumer.Close();
  std::system(("rm -rf " + dir).c_str());
}

}  // namespace
}  // namespace gridroute

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
#include <fcntl.h>
#include <nats/nats.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "dispatch/nats_dispatcher.h"
#include "dispatch/nats_test_server.h"
#include "gridroute/v1/cases.grpc.pb.h"
#include "gridroute/v1/routing.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"

namespace gridroute {
namespace {

using testing::NatsTestServer;

constexpr absl::Duration kBound = absl::Seconds(60);  // a failure guard only
const char kStream[] = "GRIDROUTE_DISPATCH";
const char kPrefix[] = "gridroute.dispatch";

std::string BinDir() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  std::string self(buf, n > 0 ? n : 0);
  return self.substr(0, self.rfind('/'));
}

std::string TempDir() {
  char tmpl[] = "/tmp/gridroute_dispatch_e2e_XXXXXX";
  const char* d = mkdtemp(tmpl);
  return d != nullptr ? d : "";
}

// A gridroute-server child process; its stdout is read until it says which
// port it serves on.
struct Server {
  pid_t pid = -1;
  int port = 0;
  std::string log;

  bool Start(const std::string& pack, const std::string& journal,
             const std::string& nats) {
    int out[2];
    if (pipe(out) != 0) return false;
    log = journal + ".server.log";
    const pid_t parent = getpid();
    pid = fork();
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(127);
      dup2(out[1], 1);
      const int err = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (err >= 0) dup2(err, 2);
      close(out[0]);
      const std::string bin = BinDir() + "/gridroute-server";
      execl(bin.c_str(), bin.c_str(), "--pack", pack.c_str(), "--listen",
            "127.0.0.1:0", "--journal-dir", journal.c_str(), "--nats",
            nats.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    std::string line;
    char c;
    while (read(out[0], &c, 1) == 1) {
      if (c != '\n') {
        line.push_back(c);
        continue;
      }
      const size_t at = line.find("(port ");
      if (at != std::string::npos) {
        port = std::atoi(line.c_str() + at + 6);
        break;
      }
      line.clear();
    }
    close(out[0]);
    return port > 0;
  }
  // SIGTERM (drain, flush dispatch) and wait; returns the exit status.
  int Stop() {
    int status = -1;
    if (pid > 0) {
      kill(pid, SIGTERM);
      waitpid(pid, &status, 0);
      pid = -1;
    }
    return status;
  }
  ~Server() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
};

struct Site {
  double lon, lat;
  std::string category;
};

// Event sites of the generated city (wgs84 event rows).
std::vector<Site> ReadSites(const std::string& events_csv, size_t want) {
  std::ifstream in(events_csv);
  std::string line;
  std::getline(
      in,
      line);  // id,lon,lat,crs,category_type,category,urgency,reported_at,component_code
  std::vector<Site> sites;
  while (sites.size() < want && std::getline(in, line)) {
    std::vector<std::string> f = absl::StrSplit(line, ',');
    if (f.size() < 8 || f[3] != "wgs84" || f[4] != "event") continue;
    Site s;
    if (!absl::SimpleAtod(f[1], &s.lon) || !absl::SimpleAtod(f[2], &s.lat) ||
        !std::isfinite(s.lon) || !std::isfinite(s.lat)) {
      continue;
    }
    s.category = f[5];
    sites.push_back(s);
  }
  return sites;
}

struct Received {
  std::string subject, msg_id, payload;
  uint64_t stream_seq = 0;
  uint64_t delivered = 0;  // NumDelivered: > 1 is a redelivery
};

// An independent JetStream client: a durable pull consumer (as in
// tests/dispatch/nats_dispatcher_test.cc).
class Consumer {
 public:
  ~Consumer() { Close(); }

  void Open(const std::string& url, const std::string& stream,
            const std::string& filter, const std::string& durable,
            absl::Duration ack_wait = absl::Minutes(5)) {
    ASSERT_EQ(natsConnection_ConnectTo(&nc_, url.c_str()), NATS_OK)
        << nats_GetLastError(nullptr);
    ASSERT_EQ(natsConnection_JetStream(&js_, nc_, nullptr), NATS_OK);
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = stream.c_str();
    so.Config.AckWait = absl::ToInt64Nanoseconds(ack_wait);
    jsErrCode jerr = static_cast<jsErrCode>(0);
    ASSERT_EQ(js_PullSubscribe(&sub_, js_, filter.c_str(), durable.c_str(),
                               nullptr, &so, &jerr),
              NATS_OK)
        << nats_GetLastError(nullptr) << " jerr=" << jerr;
  }

  void Close() {
    if (sub_ != nullptr) natsSubscription_Destroy(sub_);
    if (js_ != nullptr) jsCtx_Destroy(js_);
    if (nc_ != nullptr) natsConnection_Destroy(nc_);
    sub_ = nullptr;
    js_ = nullptr;
    nc_ = nullptr;
  }

  // Fetches (and acks) until every msg_id of `want` arrived or `bound` passed.
  std::vector<Received> FetchAll(std::set<std::string> want,
                                 absl::Duration bound = kBound) {
    std::vector<Received> out;
    const absl::Time deadline = absl::Now() + bound;
    while (!want.empty() && absl::Now() < deadline) {
      for (Received& r : FetchBatch()) {
        want.erase(r.msg_id);
        out.push_back(std::move(r));
      }
    }
    return out;
  }

  // Fetches and acks until nothing is pending or awaiting an ack.
  std::vector<Received> Drain(const std::string& stream,
                              const std::string& durable,
                              absl::Duration bound = kBound) {
    std::vector<Received> out;
    const absl::Time deadline = absl::Now() + bound;
    while (Pending(stream, durable) != std::pair<uint64_t, int64_t>{0, 0} &&
           absl::Now() < deadline) {
      for (Received& r : FetchBatch()) out.push_back(std::move(r));
    }
    return out;
  }

  std::pair<uint64_t, int64_t> Pending(const std::string& stream,
                                       const std::string& durable) {
    jsConsumerInfo* ci = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    EXPECT_EQ(js_GetConsumerInfo(&ci, js_, stream.c_str(), durable.c_str(),
                                 nullptr, &jerr),
              NATS_OK);
    if (ci == nullptr) return {~uint64_t{0}, -1};
    std::pair<uint64_t, int64_t> r{ci->NumPending, ci->NumAckPending};
    jsConsumerInfo_Destroy(ci);
    return r;
  }

  uint64_t StreamMessages(const std::string& stream) {
    jsStreamInfo* si = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    EXPECT_EQ(js_GetStreamInfo(&si, js_, stream.c_str(), nullptr, &jerr),
              NATS_OK);
    if (si == nullptr) return ~uint64_t{0};
    const uint64_t n = si->State.Msgs;
    jsStreamInfo_Destroy(si);
    return n;
  }

 private:
  std::vector<Received> FetchBatch() {
    std::vector<Received> out;
    natsMsgList list{};
    jsErrCode jerr = static_cast<jsErrCode>(0);
    if (natsSubscription_Fetch(&list, sub_, 128, 1000, &jerr) != NATS_OK)
      return out;
    for (int i = 0; i < list.Count; ++i) {
      natsMsg* m = list.Msgs[i];
      Received r;
      r.subject = natsMsg_GetSubject(m);
      r.payload.assign(natsMsg_GetData(m), natsMsg_GetDataLength(m));
      const char* id = nullptr;
      if (natsMsgHeader_Get(m, "Nats-Msg-Id", &id) == NATS_OK) r.msg_id = id;
      jsMsgMetaData* meta = nullptr;
      if (natsMsg_GetMetaData(&meta, m) == NATS_OK) {
        r.stream_seq = meta->Sequence.Stream;
        r.delivered = meta->NumDelivered;
        jsMsgMetaData_Destroy(meta);
      }
      EXPECT_EQ(natsMsg_AckSync(m, nullptr, nullptr), NATS_OK);
      out.push_back(std::move(r));
    }
    natsMsgList_Destroy(&list);
    return out;
  }

  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
  natsSubscription* sub_ = nullptr;
};

// What a dispatch message must look like.
struct Expected {
  std::string case_id, lead, event;
};

TEST(DispatchE2eTest,
     EveryNewCaseReachesItsLeadDepartmentOnceAcrossANatsRestart) {
  if (NatsTestServer::FindBinary().empty()) {
    GTEST_SKIP() << "nats-server is not installed (Debian package nats-server)";
  }
  const std::string dir = TempDir();
  ASSERT_FALSE(dir.empty());
  const std::string pack = dir + "/city";
  const std::string gen = BinDir() + "/gridroute-gen";
  ASSERT_EQ(std::system((gen + " --grids 2000 --seed 3 --events 3000 --out " +
                         pack + " >/dev/null 2>&1")
                            .c_str()),
            0);
  std::vector<Site> sites = ReadSites(pack + "/events.csv", 400);
  ASSERT_GE(sites.size(), 100u);

  NatsTestServer nats;
  ASSERT_TRUE(nats.Start().ok()) << nats.log();
  Server server;
  ASSERT_TRUE(server.Start(pack, dir + "/journal", nats.url()))
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
    v1::RouteRequest req;
    req.mutable_point()->set_x(s.lon);
    req.mutable_point()->set_y(s.lat);
    req.set_category(s.category);
    frame += absl::Seconds(1);
    req.mutable_reported_at()->set_seconds(absl::ToUnixSeconds(frame));
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
  std::vector<Received> got = consumer.FetchAll(want);
  // Anything else the stream holds (there should be nothing).
  for (Received& r : consumer.Drain(kStream, durable))
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

// Copyright 2026 gridroute authors.
//
// NatsDispatcher against a real `nats-server -js` (a child process per test,
// tests/dispatch/nats_test_server.h). The oracle is an independent cnats
// consumer: a durable pull consumer on the dispatch stream that fetches and
// acks every message, plus the stream's and the consumer's own counters
// (stream messages, consumer pending). "Exactly once" means: every msg_id
// enqueued is received, each msg_id is stored under exactly one stream
// sequence, the stream holds exactly as many messages as distinct msg_ids,
// and nothing is left for the consumer.
//
// No timing assertions: waits are bounded conditions (Flush, fetch until
// all expected ids arrived), never sleeps that a test result depends on.
#include "dispatch/nats_dispatcher.h"

#include <nats/nats.h>
#include <signal.h>

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "dispatch/nats_consumer.h"
#include "dispatch/nats_test_server.h"
#include "gtest/gtest.h"

namespace gridroute {
namespace {

using testing::Consumer;
using testing::NatsTestServer;
using testing::Received;

constexpr absl::Duration kBound =
    absl::Seconds(120);  // an upper bound, not a timing claim

#define SKIP_WITHOUT_NATS_SERVER()                                        \
  do {                                                                    \
    if (NatsTestServer::FindBinary().empty()) {                           \
      GTEST_SKIP()                                                        \
          << "nats-server is not installed (Debian package nats-server)"; \
    }                                                                     \
  } while (0)

NatsDispatcherOptions TestOptions(const std::string& url) {
  NatsDispatcherOptions o;
  o.url = url;
  o.ack_timeout = absl::Seconds(1);  // a lost PubAck is retried after 1 s
  o.retry_backoff_min = absl::Milliseconds(20);
  o.retry_backoff_max = absl::Milliseconds(250);
  return o;
}

// Departments whose codes need escaping in a subject token.
const std::vector<std::string>& Departments() {
  static const auto* d = new std::vector<std::string>{
      "D0107", "城管 局", "water.works", "*", ">", "a%2E", "a.",
  };
  return *d;
}

// Every expected msg_id received, with its subject and payload; each msg_id
// under exactly one stream sequence (a redelivery repeats the sequence).
void ExpectExactlyOnce(const std::vector<Received>& got,
                       const std::map<std::string, DispatchMessage>& expected,
                       const std::string& prefix) {
  std::map<std::string, std::set<uint64_t>> seqs;
  for (const Received& r : got) {
    auto it = expected.find(r.msg_id);
    ASSERT_NE(it, expected.end()) << "unexpected msg_id " << r.msg_id;
    EXPECT_EQ(r.subject, DispatchSubject(prefix, it->second.department_code))
        << r.msg_id;
    EXPECT_EQ(r.payload, it->second.payload) << r.msg_id;
    EXPECT_NE(r.stream_seq, 0u);
    seqs[r.msg_id].insert(r.stream_seq);
  }
  for (const auto& [id, m] : expected) {
    ASSERT_EQ(seqs.count(id), 1u) << "never received " << id;
    EXPECT_EQ(seqs[id].size(), 1u)
        << id << " stored " << seqs[id].size() << " times";
  }
}

std::set<std::string> Keys(const std::map<std::string, DispatchMessage>& m) {
  std::set<std::string> keys;
  for (const auto& [k, v] : m) keys.insert(k);
  return keys;
}

// Decodes EscapeSubjectToken's output, to check it is reversible.
std::string Unescape(const std::string& token) {
  std::string out;
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '%' && i + 2 < token.size()) {
      out.push_back(
          static_cast<char>(std::stoi(token.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(token[i]);
    }
  }
  return out;
}

TEST(DispatchSubjectTest, EscapesEveryByteNotAllowedInAToken) {
  EXPECT_EQ(EscapeSubjectToken("D0107"), "D0107");
  EXPECT_EQ(EscapeSubjectToken("a_b-C9"), "a_b-C9");
  EXPECT_EQ(EscapeSubjectToken("water.works"), "water%2Eworks");
  EXPECT_EQ(EscapeSubjectToken("*"), "%2A");
  EXPECT_EQ(EscapeSubjectToken(">"), "%3E");
  EXPECT_EQ(EscapeSubjectToken("a b"), "a%20b");
  EXPECT_EQ(EscapeSubjectToken("a%2E"),
            "a%252E");  // '%' itself is escaped: no collision
  EXPECT_EQ(EscapeSubjectToken("城管"), "%E5%9F%8E%E7%AE%A1");
  EXPECT_EQ(DispatchSubject("gridroute.dispatch", "城管.A"),
            "gridroute.dispatch.%E5%9F%8E%E7%AE%A1%2EA");
}

TEST(DispatchSubjectTest, IsInjectiveAndValidOverAllShortCodes) {
  // Every code of length <= 2 over bytes that matter (token bytes, the
  // separators and wildcards, '%', a space, a control byte, a high byte).
  const std::string alphabet = std::string("aZ0_-.*>% \t\xe5", 12);
  std::vector<std::string> codes = {""};
  for (char a : alphabet) {
    codes.push_back(std::string(1, a));
    for (char b : alphabet) codes.push_back(std::string{a, b});
  }
  std::set<std::string> tokens;
  for (const std::string& c : codes) {
    const std::string t = EscapeSubjectToken(c);
    for (char ch : t) {
      ASSERT_TRUE(absl::ascii_isalnum(ch) || ch == '_' || ch == '-' ||
                  ch == '%')
          << "token of \"" << c << "\" has '" << ch << "'";
    }
    EXPECT_EQ(Unescape(t), c);
    EXPECT_TRUE(tokens.insert(t).second) << "collision on " << t;
  }
}

TEST(NatsDispatcherTest, BadUrlIsAClearInvalidArgument) {
  for (const std::string url :
       {"", "   ", "http://127.0.0.1:4222", "nats://", "nats://:4222",
        "nats://host:99999", "nats://host:port", "nats://ho st:4222",
        "nats://127.0.0.1:4222,ftp://x:1"}) {
    absl::StatusOr<std::unique_ptr<NatsDispatcher>> d =
        NatsDispatcher::Create(TestOptions(url));
    ASSERT_FALSE(d.ok()) << url;
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << url;
    EXPECT_TRUE(
        absl::StrContains(d.status().message(), "NatsDispatcherOptions.url"))
        << d.status();
  }
}

TEST(NatsDispatcherTest, BadStreamOrPrefixIsInvalidArgument) {
  NatsDispatcherOptions o = TestOptions("nats://127.0.0.1:4222");
  o.stream = "GRID.ROUTE";
  EXPECT_TRUE(absl::StrContains(NatsDispatcher::Create(o).status().message(),
                                "NatsDispatcherOptions.stream"));
  o = TestOptions("nats://127.0.0.1:4222");
  o.subject_prefix = "gridroute.*";
  EXPECT_TRUE(absl::StrContains(NatsDispatcher::Create(o).status().message(),
                                "NatsDispatcherOptions.subject_prefix"));
  o = TestOptions("nats://127.0.0.1:4222");
  o.subject_prefix = "gridroute..dispatch";
  EXPECT_EQ(NatsDispatcher::Create(o).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(NatsDispatcherTest, NoServerIsUnavailableNamingTheUrl) {
  const int port = NatsTestServer::PickFreePort();
  const std::string url = absl::StrCat("nats://127.0.0.1:", port);
  absl::StatusOr<std::unique_ptr<NatsDispatcher>> d =
      NatsDispatcher::Create(TestOptions(url));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kUnavailable) << d.status();
  EXPECT_TRUE(absl::StrContains(d.status().message(), url)) << d.status();
}

TEST(NatsDispatcherTest, ServerWithoutJetStreamIsFailedPrecondition) {
  SKIP_WITHOUT_NATS_SERVER();
  NatsTestServer server(/*jetstream=*/false);
  ASSERT_TRUE(server.Start().ok());
  absl::StatusOr<std::unique_ptr<NatsDispatcher>> d =
      NatsDispatcher::Create(TestOptions(server.url()));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kFailedPrecondition)
      << d.status();
  EXPECT_TRUE(absl::StrContains(d.status().message(), "-js")) << d.status();
}

// Without a server (require_server_at_start = false): Create succeeds,
// messages wait, the queue bound holds, bad messages are rejected, and the
// destructor reports what was never acknowledged.
TEST(NatsDispatcherTest, WithoutServerMessagesWaitAndTheQueueIsBounded) {
  std::vector<std::string> lines;
  std::mutex lines_mu;
  {
    NatsDispatcherOptions o = TestOptions(
        absl::StrCat("nats://127.0.0.1:", NatsTestServer::PickFreePort()));
    o.require_server_at_start = false;
    o.max_queue = 3;
    o.log = [&](absl::string_view l) {
      std::lock_guard<std::mutex> g(lines_mu);
      lines.emplace_back(l);
    };
    absl::StatusOr<std::unique_ptr<NatsDispatcher>> d =
        NatsDispatcher::Create(o);
    ASSERT_TRUE(d.ok()) << d.status();
    NatsDispatcher& dispatcher = **d;

    EXPECT_EQ(dispatcher.Enqueue({"", "id", "p"}).code(),
              absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StrContains(dispatcher.Enqueue({"", "id", "p"}).message(),
                                  "department_code"));
    EXPECT_TRUE(absl::StrContains(dispatcher.Enqueue({"D1", "", "p"}).message(),
                                  "msg_id"));
    EXPECT_TRUE(absl::StrContains(
        dispatcher.Enqueue({"D1", "a\r\nb", "p"}).message(), "control byte"));
    EXPECT_TRUE(absl::StrContains(
        dispatcher.Enqueue({"D1", "big", std::string(2 << 20, 'x')}).message(),
        "payload"));

    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(dispatcher.Enqueue({"D1", absl::StrCat("q/", i), "p"}).ok());
    }
    const absl::Status full = dispatcher.Enqueue({"D1", "q/3", "p"});
    EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted) << full;
    EXPECT_FALSE(
        dispatcher.Flush(absl::Milliseconds(50)));  // nothing can be acked
    const NatsDispatcher::Stats s = dispatcher.stats();
    EXPECT_EQ(s.enqueued, 3u);
    EXPECT_EQ(s.pending, 3u);
    EXPECT_EQ(s.acked, 0u);
    EXPECT_FALSE(s.connected);
  }
  bool reported = false;
  for (const std::string& l : lines)
    reported = reported || absl::StrContains(l, "closing with 3");
  EXPECT_TRUE(reported)
      << "no shutdown line about the 3 unacknowledged messages";
}

TEST(NatsDispatcherTest, EveryMessageReachesItsDepartmentExactlyOnce) {
  SKIP_WITHOUT_NATS_SERVER();
  NatsTestServer server;
  ASSERT_TRUE(server.Start().ok());
  NatsDispatcherOptions o = TestOptions(server.url());
  std::mutex acks_mu;
  std::map<std::string, uint64_t> acked_seq;
  o.on_ack = [&](const DispatchAck& a) {
    std::lock_guard<std::mutex> l(acks_mu);
    EXPECT_TRUE(acked_seq.emplace(a.msg_id, a.stream_sequence).second)
        << a.msg_id;
    EXPECT_FALSE(a.duplicate);
  };
  absl::StatusOr<std::unique_ptr<NatsDispatcher>> d = NatsDispatcher::Create(o);
  ASSERT_TRUE(d.ok()) << d.status();

  constexpr int kMessages = 1400;
  std::map<std::string, DispatchMessage> expected;
  std::map<std::string, std::set<std::string>> per_department;
  for (int i = 0; i < kMessages; ++i) {
    const std::string& dept = Departments()[i % Departments().size()];
    DispatchMessage m{
        dept, absl::StrFormat("CJ320508-20260312-%06d/filed/1", i),
        absl::StrCat("{\"case\":", i, ",\"dept\":\"", dept, "\"}")};
    expected.emplace(m.msg_id, m);
    per_department[dept].insert(m.msg_id);
    ASSERT_TRUE((*d)->Enqueue(m).ok());
  }
  ASSERT_TRUE((*d)->Flush(kBound));
  const NatsDispatcher::Stats s = (*d)->stats();
  EXPECT_EQ(s.enqueued, uint64_t{kMessages});
  EXPECT_EQ(s.acked, uint64_t{kMessages});
  EXPECT_EQ(s.duplicates, 0u);
  EXPECT_EQ(s.pending, 0u);
  d->reset();  // delivers the last on_ack calls
  EXPECT_EQ(acked_seq.size(), size_t{kMessages});

  // One consumer for everything.
  Consumer all;
  ASSERT_NO_FATAL_FAILURE(
      all.Open(server.url(), o.stream, o.subject_prefix + ".>", "all"));
  std::vector<Received> got = all.FetchAll(Keys(expected));
  ASSERT_EQ(got.size(), size_t{kMessages});
  ExpectExactlyOnce(got, expected, o.subject_prefix);
  for (const Received& r : got)
    EXPECT_EQ(acked_seq[r.msg_id], r.stream_seq) << r.msg_id;
  EXPECT_EQ(all.StreamMessages(o.stream), uint64_t{kMessages});
  EXPECT_EQ(all.Pending(o.stream, "all"), (std::pair<uint64_t, int64_t>{0, 0}));

  // A department's own durable consumer sees its messages only.
  for (const std::string& dept : {std::string("城管 局"), std::string("*")}) {
    Consumer one;
    ASSERT_NO_FATAL_FAILURE(one.Open(server.url(), o.stream,
                                     DispatchSubject(o.subject_prefix, dept),
                                     dept == "*" ? "dept-star" : "dept-cg"));
    std::vector<Received> mine = one.FetchAll(per_department[dept]);
    EXPECT_EQ(mine.size(), per_department[dept].size());
    for (const Received& r : mine)
      EXPECT_EQ(expected.at(r.msg_id).department_code, dept);
  }
}

TEST(NatsDispatcherTest, SameMsgIdTwiceIsStoredOnce) {
  SKIP_WITHOUT_NATS_SERVER();
  NatsTestServer server;
  ASSERT_TRUE(server.Start().ok());
  const NatsDispatcherOptions o = TestOptions(server.url());
  std::map<std::string, DispatchMessage> expected;
  {
    absl::StatusOr<std::unique_ptr<NatsDispatcher>> d =
        NatsDispatcher::Create(o);
    ASSERT_TRUE(d.ok()) << d.status();
    const DispatchMessage a{"D0107", "CJ-1/filed/1", "first"};
    const DispatchMessage b{"D0107", "CJ-1/dispatched/2", "second"};
    ASSERT_TRUE((*d)->Enqueue(a).ok());
    ASSERT_TRUE((*d)->Flush(kBound));
    ASSERT_TRUE(
        (*d)->Enqueue({"D0107", "CJ-1/filed/1", "first, sent again"}).ok());
    ASSERT_TRUE((*d)->Enqueue(b).ok());
    ASSERT_TRUE((*d)->Flush(kBound));
    EXPECT_EQ((*d)->stats().acked, 3u);
    EXPECT_EQ((*d)->stats().duplicates, 1u);
    expected.emplace(a.msg_id, a);
    expected.emplace(b.msg_id, b);
  }
  {
    // A second dispatcher (gridroute restarted and replaying its journal).
    absl::StatusOr<std::unique_ptr<NatsDispatcher>> d =
        NatsDispatcher::Create(o);
    ASSERT_TRUE(d.ok()) << d.status();
    ASSERT_TRUE((*d)->Enqueue({"D0107", "CJ-1/filed/1", "replayed"}).ok());
    ASSERT_TRUE((*d)->Flush(kBound));
    EXPECT_EQ((*d)->stats().duplicates, 1u);
  }
  Consumer c;
  ASSERT_NO_FATAL_FAILURE(
      c.Open(server.url(), o.stream, o.subject_prefix + ".>", "dedupe"));
  std::vector<Received> got = c.FetchAll(Keys(expected));
  ASSERT_EQ(got.size(), 2u);
  ExpectExactlyOnce(got, expected,
                    o.subject_prefix);  // payload "first": the copy stored
  EXPECT_EQ(c.StreamMessages(o.stream), 2u);
  EXPECT_EQ(c.Pending(o.stream, "dedupe"),
            (std::pair<uint64_t, int64_t>{0, 0}));
}

std::string Describe(const NatsDispatcher::Stats& s) {
  return absl::StrCat("enqueued=", s.enqueued, " published=", s.published,
                      " acked=", s.acked, " duplicates=", s.duplicates,
                      " retries=", s.retries, " pending=", s.pending,
                      " in_flight=", s.in_flight, " queued=", s.queued,
                      " backoff=", s.backoff, " connected=", s.connected,
                      " last_error=\"", s.last_error, "\"");
}

// require_server_at_start = false and the server appears later: the client
// connects in the background, creates the stream and publishes the queue.
TEST(NatsDispatcherTest, ServerStartedAfterTheDispatcherGetsEverything) {
  SKIP_WITHOUT_NATS_SERVER();
  NatsTestServer server;
  server.set_port(NatsTestServer::PickFreePort());
  NatsDispatcherOptions o = TestOptions(server.url());
  o.require_server_at_start = false;
  absl::StatusOr<std::unique_ptr<NatsDispatcher>> d = NatsDispatcher::Create(o);
  ASSERT_TRUE(d.ok()) << d.status();
  std::map<std::string, DispatchMessage> expected;
  for (int i = 0; i < 50; ++i) {
    DispatchMessage m{Departments()[i % Departments().size()],
                      absl::StrCat("late/", i), absl::StrCat("p", i)};
    expected.emplace(m.msg_id, m);
    ASSERT_TRUE((*d)->Enqueue(m).ok());
  }
  EXPECT_FALSE((*d)->Flush(absl::Milliseconds(100)));  // no server yet
  ASSERT_TRUE(server.Start().ok()) << server.log();
  ASSERT_TRUE((*d)->Flush(kBound)) << Describe((*d)->stats());
  Consumer c;
  ASSERT_NO_FATAL_FAILURE(
      c.Open(server.url(), o.stream, o.subject_prefix + ".>", "late"));
  ExpectExactlyOnce(c.FetchAll(Keys(expected)), expected, o.subject_prefix);
  EXPECT_EQ(c.StreamMessages(o.stream), expected.size());
}

// The stream is deleted under a running dispatcher (an operator mistake, or
// a server that lost its store): publishes find no stream, the dispatcher
// creates it again and the messages are stored.
TEST(NatsDispatcherTest, DeletedStreamIsCreatedAgain) {
  SKIP_WITHOUT_NATS_SERVER();
  NatsTestServer server;
  ASSERT_TRUE(server.Start().ok());
  const NatsDispatcherOptions o = TestOptions(server.url());
  absl::StatusOr<std::unique_ptr<NatsDispatcher>> d = NatsDispatcher::Create(o);
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_TRUE((*d)->Enqueue({"D1", "before/1", "x"}).ok());
  ASSERT_TRUE((*d)->Flush(kBound));

  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  ASSERT_EQ(natsConnection_ConnectTo(&nc, server.url().c_str()), NATS_OK);
  ASSERT_EQ(natsConnection_JetStream(&js, nc, nullptr), NATS_OK);
  EXPECT_EQ(js_DeleteStream(js, o.stream.c_str(), nullptr, nullptr), NATS_OK);
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);

  std::map<std::string, DispatchMessage> expected;
  for (int i = 0; i < 20; ++i) {
    DispatchMessage m{"D1", absl::StrCat("after/", i), absl::StrCat("p", i)};
    expected.emplace(m.msg_id, m);
    ASSERT_TRUE((*d)->Enqueue(m).ok());
  }
  ASSERT_TRUE((*d)->Flush(kBound)) << Describe((*d)->stats());
  Consumer c;
  ASSERT_NO_FATAL_FAILURE(
      c.Open(server.url(), o.stream, o.subject_prefix + ".>", "after"));
  ExpectExactlyOnce(c.FetchAll(Keys(expected)), expected, o.subject_prefix);
  EXPECT_EQ(c.StreamMessages(o.stream), expected.size());
}

// nats-server is stopped three times (SIGKILL, SIGTERM, SIGKILL) just after a
// batch was enqueued (so publishes are in flight), another batch is enqueued
// during each outage, and the server is started again on the same port and
// store directory. Every message must end up acknowledged and stored exactly
// once, and the durable consumer (file storage) must survive the restarts
// and receive every message. After a SIGKILL the server may have lost acks
// the consumer sent; those messages are delivered again after the consumer's
// AckWait with the same stream sequence, which is JetStream's at-least-once
// delivery and not a second dispatch (ExpectExactlyOnce checks sequences).
TEST(NatsDispatcherTest, ServerRestartsLoseAndDuplicateNothing) {
  SKIP_WITHOUT_NATS_SERVER();
  NatsTestServer server;
  ASSERT_TRUE(server.Start().ok());
  const NatsDispatcherOptions o = TestOptions(server.url());
  absl::StatusOr<std::unique_ptr<NatsDispatcher>> d = NatsDispatcher::Create(o);
  ASSERT_TRUE(d.ok()) << d.status();
  NatsDispatcher& dispatcher = **d;

  constexpr int kBatch = 300;
  constexpr int kRestarts = 3;
  const std::string durable = "restart";
  const std::string filter = o.subject_prefix + ".>";
  const absl::Duration ack_wait = absl::Seconds(2);
  std::map<std::string, DispatchMessage> expected;
  std::vector<Received> got;
  std::set<std::string> not_consumed;  // enqueued, not yet received
  int next = 0;
  auto enqueue_batch = [&] {
    for (int i = 0; i < kBatch; ++i, ++next) {
      const std::string& dept = Departments()[next % Departments().size()];
      DispatchMessage m{dept, absl::StrFormat("CJ-%06d/filed/1", next),
                        absl::StrCat("p", next)};
      expected.emplace(m.msg_id, m);
      not_consumed.insert(m.msg_id);
      ASSERT_TRUE(dispatcher.Enqueue(m).ok());
    }
  };
  auto consume = [&] {
    Consumer
        c;  // a new connection each time: the durable state is the server's
    ASSERT_NO_FATAL_FAILURE(
        c.Open(server.url(), o.stream, filter, durable, ack_wait));
    for (Received& r : c.FetchAll(not_consumed)) {
      not_consumed.erase(r.msg_id);
      got.push_back(std::move(r));
    }
    ASSERT_TRUE(not_consumed.empty())
        << not_consumed.size() << " messages never consumed; first "
        << *not_consumed.begin();
  };

  ASSERT_NO_FATAL_FAILURE(enqueue_batch());
  ASSERT_TRUE(dispatcher.Flush(kBound)) << Describe(dispatcher.stats());
  ASSERT_NO_FATAL_FAILURE(consume());
  for (int round = 0; round < kRestarts; ++round) {
    SCOPED_TRACE(absl::StrCat("restart ", round));
    ASSERT_NO_FATAL_FAILURE(enqueue_batch());  // in flight when it dies
    server.Kill(round % 2 == 0 ? SIGKILL : SIGTERM);
    ASSERT_NO_FATAL_FAILURE(enqueue_batch());  // enqueued during the outage
    // The outage batch cannot be acknowledged while the server is down.
    EXPECT_FALSE(dispatcher.Flush(absl::Milliseconds(100)));
    ASSERT_TRUE(server.Start().ok()) << server.log();
    ASSERT_TRUE(dispatcher.Flush(kBound)) << Describe(dispatcher.stats());
    ASSERT_NO_FATAL_FAILURE(consume());
  }
  const NatsDispatcher::Stats s = dispatcher.stats();
  EXPECT_EQ(s.enqueued, expected.size());
  EXPECT_EQ(s.acked, expected.size()) << Describe(s);
  EXPECT_EQ(s.pending, 0u);

  // Take the redeliveries of acks the server lost, until the consumer has
  // nothing pending and nothing awaiting an ack.
  Consumer check;
  ASSERT_NO_FATAL_FAILURE(
      check.Open(server.url(), o.stream, filter, durable, ack_wait));
  for (Received& r : check.Drain(o.stream, durable))
    got.push_back(std::move(r));
  EXPECT_EQ(check.Pending(o.stream, durable),
            (std::pair<uint64_t, int64_t>{0, 0}));
  EXPECT_EQ(check.StreamMessages(o.stream), expected.size());
  ExpectExactlyOnce(got, expected, o.subject_prefix);
  size_t redelivered = 0;
  for (const Received& r : got) redelivered += r.delivered > 1;
  std::printf("restarts=%d messages=%zu %s consumer_redeliveries=%zu\n",
              kRestarts, expected.size(), Describe(s).c_str(), redelivered);
}

}  // namespace
}  // namespace gridroute

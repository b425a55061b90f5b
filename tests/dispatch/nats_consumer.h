// Copyright 2026 gridroute authors.
//
// Consumer: an independent JetStream client for tests, a durable pull
// consumer on a stream that fetches and acks (synchronously) every message,
// plus the stream's and the consumer's own counters (stream messages,
// consumer pending). It is the oracle of the dispatch tests
// (tests/dispatch/nats_dispatcher_test.cc, tests/service/dispatch_e2e_test.cc):
//
//   Consumer c;
//   ASSERT_NO_FATAL_FAILURE(c.Open(url, "STREAM", "prefix.>", "durable"));
//   std::vector<Received> got = c.FetchAll({"id/1", "id/2"});
//   for (Received& r : c.Drain("STREAM", "durable")) got.push_back(r);
//
// Waits are bounded conditions (fetch until every expected id arrived, or
// until nothing is pending); the bounds only turn a hang into a failure.
// Header-only so that tests use it without a library.
#ifndef GRIDROUTE_TESTS_DISPATCH_NATS_CONSUMER_H_
#define GRIDROUTE_TESTS_DISPATCH_NATS_CONSUMER_H_

#include <nats/nats.h>

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace gridroute {
namespace testing {

// The default bound of Consumer's waits: an upper bound, not a timing claim.
inline constexpr absl::Duration kConsumerBound = absl::Seconds(120);

// One message as the consumer received it.
struct Received {
  std::string subject, msg_id, payload;
  uint64_t stream_seq = 0;
  uint64_t delivered =
      0;  // NumDelivered: > 1 means a redelivery of the same stored message
};

// An independent JetStream client: a durable pull consumer.
class Consumer {
 public:
  ~Consumer() { Close(); }

  // `ack_wait`: after this, a message delivered but not acknowledged (for
  // instance because nats-server was SIGKILLed before it persisted the ack)
  // is delivered again.
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

  // Destroys the subscription without deleting the durable consumer.
  void Close() {
    if (sub_ != nullptr) natsSubscription_Destroy(sub_);
    if (js_ != nullptr) jsCtx_Destroy(js_);
    if (nc_ != nullptr) natsConnection_Destroy(nc_);
    sub_ = nullptr;
    js_ = nullptr;
    nc_ = nullptr;
  }

  // Fetches (and acks, synchronously) until every msg_id of `want` has
  // arrived or `bound` passed; returns every message received (redeliveries
  // of earlier messages included).
  std::vector<Received> FetchAll(std::set<std::string> want,
                                 absl::Duration bound = kConsumerBound) {
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

  // Fetches and acks until the consumer has nothing pending and nothing
  // awaiting an ack (redeliveries included), or `bound` passed.
  std::vector<Received> Drain(const std::string& stream,
                              const std::string& durable,
                              absl::Duration bound = kConsumerBound) {
    std::vector<Received> out;
    const absl::Time deadline = absl::Now() + bound;
    while (Pending(stream, durable) != std::pair<uint64_t, int64_t>{0, 0} &&
           absl::Now() < deadline) {
      for (Received& r : FetchBatch()) out.push_back(std::move(r));
    }
    return out;
  }

  // Messages of the stream not yet delivered to this consumer, and delivered
  // but unacknowledged.
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

  // Messages the stream holds.
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
  // One fetch of up to 128 messages (waits at most 1 s), each acked
  // synchronously.
  std::vector<Received> FetchBatch() {
    std::vector<Received> out;
    natsMsgList list{};
    jsErrCode jerr = static_cast<jsErrCode>(0);
    if (natsSubscription_Fetch(&list, sub_, 128, 1000, &jerr) != NATS_OK) {
      return out;  // NATS_TIMEOUT: nothing yet
    }
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

}  // namespace testing
}  // namespace gridroute

#endif  // GRIDROUTE_TESTS_DISPATCH_NATS_CONSUMER_H_

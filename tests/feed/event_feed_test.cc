// Copyright 2026 gridroute authors.
//
// EventFeed: sampling by an injected clock, bounded queues and subscribers,
// close; FeedEventJson's fields from a real decision.
#include "feed/event_feed.h"

#include <simdjson.h>

#include <atomic>
#include <thread>

#include "feed/feed_event.h"
#include "gtest/gtest.h"
#include "route/router.h"
#include "testing/routing_pack.h"
#include "testing/test_pack.h"

namespace gridroute {
namespace {

struct FakeClock {
  std::shared_ptr<std::atomic<int64_t>> ns = std::make_shared<std::atomic<int64_t>>(0);
  std::function<int64_t()> fn() const {
    auto p = ns;
    return [p] { return p->load(); };
  }
  void Advance(double seconds) { ns->fetch_add(static_cast<int64_t>(seconds * 1e9)); }
};

FeedOptions Options(const FakeClock& clock, double rate, int burst) {
  FeedOptions o;
  o.max_events_per_second = rate;
  o.burst = burst;
  o.now_ns = clock.fn();
  return o;
}

std::vector<std::string> Drain(FeedSubscription* sub, uint64_t* dropped = nullptr) {
  std::vector<std::string> events;
  uint64_t d = 0;
  sub->Next(absl::ZeroDuration(), &events, &d);
  if (dropped != nullptr) *dropped = d;
  return events;
}

TEST(EventFeedTest, InactiveWithoutSubscribers) {
  EventFeed feed;
  EXPECT_FALSE(feed.active());
  {
    auto sub = feed.Subscribe();
    ASSERT_TRUE(sub.ok());
    EXPECT_TRUE(feed.active());
    EXPECT_EQ(feed.stats().subscribers, 1);
  }
  EXPECT_FALSE(feed.active());
  EXPECT_EQ(feed.stats().subscribers, 0);
}

// With the clock standing still, exactly `burst` events pass; each interval
// of 1/rate seconds lets one more through.
TEST(EventFeedTest, SamplerLetsRateAndBurstThrough) {
  FakeClock clock;
  EventFeed feed(Options(clock, /*rate=*/10, /*burst=*/5));
  int admitted = 0;
  for (int i = 0; i < 100; ++i) admitted += feed.Admit();
  EXPECT_EQ(admitted, 5);
  EXPECT_EQ(feed.stats().sampled_out, 95u);
  clock.Advance(0.1);
  EXPECT_TRUE(feed.Admit());
  EXPECT_FALSE(feed.Admit());
  // Over 10 simulated seconds at 1,000 offers a second: ~rate * 10 pass.
  admitted = 0;
  for (int step = 0; step < 10000; ++step) {
    clock.Advance(0.001);
    admitted += feed.Admit();
  }
  EXPECT_GE(admitted, 99);
  EXPECT_LE(admitted, 101 + 5);
}

TEST(EventFeedTest, EverySubscriberGetsEveryPublishedEvent) {
  EventFeed feed;
  auto a = feed.Subscribe();
  auto b = feed.Subscribe();
  ASSERT_TRUE(a.ok() && b.ok());
  for (int i = 0; i < 3; ++i) feed.Publish("{\"i\":" + std::to_string(i) + "}");
  EXPECT_EQ(Drain(a->get()), (std::vector<std::string>{"{\"i\":0}", "{\"i\":1}", "{\"i\":2}"}));
  EXPECT_EQ(Drain(b->get()).size(), 3u);
  EXPECT_TRUE(Drain(a->get()).empty());
}

// A reader that does not read loses the newest events beyond its queue, and
// is told how many.
TEST(EventFeedTest, FullQueueDropsAndCounts) {
  FeedOptions o;
  o.queue_events = 4;
  EventFeed feed(o);
  auto slow = feed.Subscribe();
  auto fast = feed.Subscribe();
  ASSERT_TRUE(slow.ok() && fast.ok());
  for (int i = 0; i < 10; ++i) {
    feed.Publish(std::to_string(i));
    Drain(fast->get());
  }
  uint64_t dropped = 0;
  std::vector<std::string> got = Drain(slow->get(), &dropped);
  EXPECT_EQ(got, (std::vector<std::string>{"0", "1", "2", "3"}));
  EXPECT_EQ(dropped, 6u);
  EXPECT_EQ(feed.stats().dropped, 6u);
  EXPECT_EQ(feed.stats().published, 10u);
  Drain(slow->get(), &dropped);
  EXPECT_EQ(dropped, 0u);  // reported once
}

TEST(EventFeedTest, SubscribersAreBounded) {
  FeedOptions o;
  o.max_subscribers = 2;
  EventFeed feed(o);
  auto a = feed.Subscribe();
  auto b = feed.Subscribe();
  ASSERT_TRUE(a.ok() && b.ok());
  auto c = feed.Subscribe();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(c.status().message().find("maximum is 2"), std::string::npos);
  a->reset();
  EXPECT_TRUE(feed.Subscribe().ok());
}

// Next() waits for an event published on another thread (the generous
// timeout is only a hang guard) and returns false after Close().
TEST(EventFeedTest, NextWakesOnPublishAndClose) {
  EventFeed feed;
  auto sub = feed.Subscribe();
  ASSERT_TRUE(sub.ok());
  std::thread t([&] { feed.Publish("x"); });
  std::vector<std::string> events;
  uint64_t dropped;
  while (events.empty()) ASSERT_TRUE((*sub)->Next(absl::Seconds(60), &events, &dropped));
  EXPECT_EQ(events, std::vector<std::string>{"x"});
  t.join();
  std::thread closer([&] { feed.Close(); });
  bool open = true;
  while (open) open = (*sub)->Next(absl::Seconds(60), &events, &dropped);
  closer.join();
  EXPECT_FALSE(feed.Subscribe().ok());
}

TEST(EventFeedTest, OfferToFeedBuildsNothingWithoutSubscribers) {
  testing::TestPack pack;
  testing::MakeRoutingPack(pack);
  auto s = LoadPack(pack.Write());
  ASSERT_TRUE(s.ok()) << s.status();
  Router router(*s);
  Event e;
  e.x = 120.0005, e.y = 31.0005;  // grid g1
  e.category = "0102";
  e.reported_at = absl::FromUnixSeconds(1765000000);
  Decision d;
  ASSERT_TRUE(router.Route(e, {}, &d).ok());
  FakeClock clock;
  EventFeed feed(Options(clock, 10, 1));
  OfferToFeed(&feed, e, d, "c-1");
  EXPECT_EQ(feed.stats().published, 0u);
  EXPECT_EQ(feed.stats().sampled_out, 0u);  // the sampler was not even asked
  auto sub = feed.Subscribe();
  ASSERT_TRUE(sub.ok());
  OfferToFeed(&feed, e, d, "c-1");
  OfferToFeed(&feed, e, d, "c-2");  // sampled out (burst 1, clock still)
  std::vector<std::string> got = Drain(sub->get());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(feed.stats().sampled_out, 1u);

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(got[0]).get(doc), simdjson::SUCCESS) << got[0];
  EXPECT_EQ(std::string(std::string_view(doc["grid"])), std::string((*s)->grid_code(d.location.grid)));
  EXPECT_EQ(std::string_view(doc["lead"]), (*s)->departments().at(d.lead).code);
  EXPECT_EQ(std::string_view(doc["category"]), "0102");
  EXPECT_EQ(std::string_view(doc["outcome"]), "routed");
  EXPECT_EQ(std::string_view(doc["case"]), "c-1");
  EXPECT_EQ(int64_t(doc["t"]), int64_t{1765000000000});
  EXPECT_DOUBLE_EQ(double(doc["lon"]), 120.0005);
  EXPECT_EQ(std::string_view(doc["grid"]), "g1");
}

// A GCJ-02 point is shown where it really is (WGS-84).
TEST(EventFeedTest, FeedPointIsWgs84) {
  testing::TestPack pack;
  testing::MakeRoutingPack(pack);
  auto s = LoadPack(pack.Write());
  ASSERT_TRUE(s.ok()) << s.status();
  Event e;
  e.x = 120.6, e.y = 31.3;
  e.crs.kind = CrsKind::kGcj02;
  e.category = "0102";
  e.reported_at = absl::FromUnixSeconds(1765000000);
  Decision d;
  d.outcome = Outcome::kOutsideCoverage;
  d.snapshot = s->get();
  const std::string json = FeedEventJson(e, d, "");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  const LonLat w = Gcj02ToWgs84({120.6, 31.3});
  EXPECT_NEAR(double(doc["lon"]), w.lon, 1e-7);
  EXPECT_NEAR(double(doc["lat"]), w.lat, 1e-7);
  EXPECT_EQ(std::string_view(doc["outcome"]), "outside_coverage");
  EXPECT_TRUE(doc["grid"].error());
  EXPECT_TRUE(doc["case"].error());
}

}  // namespace
}  // namespace gridroute

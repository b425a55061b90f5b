// Copyright 2026 gridroute authors.
//
// EventFeed: a bounded, sampled broadcast of small JSON events (one per
// routed report) to a few live subscribers, e.g. the console's Server-Sent
// Events stream GET /v1/events:stream.
//
//   EventFeed feed(FeedOptions{});
//   // served path (any thread):
//   if (feed.active() && feed.Admit()) feed.Publish(FeedEventJson(e, d, case_id));
//   // a subscriber (its own thread):
//   ASSIGN_OR_RETURN(std::unique_ptr<FeedSubscription> sub, feed.Subscribe());
//   std::vector<std::string> events; uint64_t dropped;
//   while (sub->Next(absl::Seconds(15), &events, &dropped)) Send(events);
//
// The served path never waits on a subscriber:
// - with no subscriber, active() is one relaxed atomic load and nothing else
//   runs (no formatting, no clock read);
// - Admit() samples: at most `max_events_per_second` events a second pass
//   (with bursts of `burst`), for the whole feed, so every subscriber gets
//   at most that rate; the rest are counted in sampled_out. It is a
//   lock-free GCRA (one clock read and one compare-exchange);
// - Publish() appends to each subscriber's bounded queue under that
//   subscriber's own mutex, which either side holds only for an O(1) push
//   or swap (never while waiting or writing to a socket); a full queue (a
//   slow reader) drops the event for that subscriber and counts it; Next()
//   reports the count so the reader can say "N events not shown".
// At most `max_subscribers` subscriptions exist at once; one more is
// RESOURCE_EXHAUSTED.
//
// Memory: at most max_subscribers * queue_events events of ~200 bytes.
// Thread-safety: every method may be called from any thread. A
// FeedSubscription is used by one thread at a time.
// Lifetime: the feed must outlive its subscriptions. Close() (at shutdown)
// wakes every Next(), which then returns false.
#ifndef GRIDROUTE_FEED_EVENT_FEED_H_
#define GRIDROUTE_FEED_EVENT_FEED_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gridroute {

struct FeedOptions {
  // Subscribers at once (SSE clients). Default 16: an operations centre's
  // screens, with room.
  int max_subscribers = 16;
  // Events a second the feed lets through (all subscribers see the same
  // sample). Default 50: a browser draws 50 fading dots a second easily; a
  // camera stream routes 100,000.
  double max_events_per_second = 50;
  // Events that may pass at once after a quiet spell. Default 50.
  int burst = 50;
  // Events queued per subscriber before new ones are dropped for it.
  // Default 256 (5 s at the default rate).
  size_t queue_events = 256;
  // The clock the sampler reads, in nanoseconds (tests inject one). Default:
  // std::chrono::steady_clock.
  std::function<int64_t()> now_ns;
};

struct FeedStats {
  uint64_t published = 0;    // events given to Publish()
  uint64_t sampled_out = 0;  // events Admit() refused
  uint64_t dropped = 0;      // deliveries dropped (a full queue)
  int subscribers = 0;
};

class EventFeed;

// One subscriber's queue. Destroying it unsubscribes.
class FeedSubscription {
 public:
  ~FeedSubscription();
  FeedSubscription(const FeedSubscription&) = delete;
  FeedSubscription& operator=(const FeedSubscription&) = delete;

  // Waits up to `timeout` for events, then moves every queued event into
  // *events (replacing its contents) and the number dropped for this
  // subscriber since the last call into *dropped. Returns false once the feed
  // is closed (events queued before are still returned first).
  bool Next(absl::Duration timeout, std::vector<std::string>* events, uint64_t* dropped);

  struct Queue;  // shared with the feed

 private:
  friend class EventFeed;
  FeedSubscription(EventFeed* feed, std::shared_ptr<Queue> q)
      : feed_(feed), q_(std::move(q)) {}
  EventFeed* feed_;
  std::shared_ptr<Queue> q_;
};

class EventFeed {
 public:
  explicit EventFeed(FeedOptions options = {});
  ~EventFeed();
  EventFeed(const EventFeed&) = delete;
  EventFeed& operator=(const EventFeed&) = delete;

  // True while someone subscribes. One relaxed load: the served path's whole
  // cost when no one watches.
  bool active() const { return active_.load(std::memory_order_relaxed) != 0; }
  // The sampler: true if this event may be published now (count it and build
  // it), false if it is sampled out (counted).
  bool Admit();
  // Queues `json` for every subscriber (see the class comment); never blocks.
  void Publish(std::string json);

  // Errors: ResourceExhausted when max_subscribers are subscribed;
  // Unavailable after Close().
  absl::StatusOr<std::unique_ptr<FeedSubscription>> Subscribe();
  // Wakes every subscriber; Next() returns false from then on.
  void Close();

  FeedStats stats() const;
  const FeedOptions& options() const { return options_; }

 private:
  friend class FeedSubscription;
  using List = std::vector<std::shared_ptr<FeedSubscription::Queue>>;
  void Unsubscribe(const FeedSubscription::Queue* q);

  // Constant after construction.
  const FeedOptions options_;
  const int64_t interval_ns_;   // 1e9 / max_events_per_second
  const int64_t tolerance_ns_;  // (burst - 1) * interval_ns_

  std::atomic<int> active_{0};
  std::atomic<int64_t> tat_ns_{0};  // GCRA's theoretical arrival time
  std::atomic<uint64_t> published_{0}, sampled_out_{0}, dropped_{0};
  // The subscriber list, replaced whole under list_mu_ (control path only);
  // Publish() reads it with one atomic load.
  std::atomic<std::shared_ptr<const List>> list_;
  mutable std::mutex list_mu_;
  bool closed_ = false;  // guarded by list_mu_
};

}  // namespace gridroute

#endif  // GRIDROUTE_FEED_EVENT_FEED_H_

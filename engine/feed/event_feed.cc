// Copyright 2026 gridroute authors.
#include "feed/event_feed.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"

namespace gridroute {

struct FeedSubscription::Queue {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> events;  // guarded by mu
  uint64_t dropped = 0;             // guarded by mu
  bool closed = false;              // guarded by mu
};

namespace {

int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

FeedOptions Normalized(FeedOptions o) {
  o.max_subscribers = std::max(o.max_subscribers, 0);
  o.max_events_per_second = std::max(o.max_events_per_second, 1e-3);
  o.burst = std::max(o.burst, 1);
  o.queue_events = std::max<size_t>(o.queue_events, 1);
  if (!o.now_ns) o.now_ns = SteadyNowNs;
  return o;
}

}  // namespace

FeedSubscription::~FeedSubscription() { feed_->Unsubscribe(q_.get()); }

bool FeedSubscription::Next(absl::Duration timeout, std::vector<std::string>* events,
                            uint64_t* dropped) {
  events->clear();
  std::unique_lock<std::mutex> lock(q_->mu);
  if (q_->events.empty() && !q_->closed) {
    q_->cv.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                    [&] { return !q_->events.empty() || q_->closed; });
  }
  events->swap(q_->events);
  *dropped = std::exchange(q_->dropped, 0);
  return !q_->closed || !events->empty();
}

EventFeed::EventFeed(FeedOptions options)
    : options_(Normalized(std::move(options))),
      interval_ns_(static_cast<int64_t>(1e9 / options_.max_events_per_second)),
      tolerance_ns_(static_cast<int64_t>(options_.burst - 1) * interval_ns_),
      list_(std::make_shared<const List>()) {}

EventFeed::~EventFeed() { Close(); }

bool EventFeed::Admit() {
  // GCRA: an event conforms if the theoretical arrival time is at most
  // tolerance ahead of now; each admitted event moves it on by one interval.
  const int64_t now = options_.now_ns();
  int64_t tat = tat_ns_.load(std::memory_order_relaxed);
  for (;;) {
    const int64_t start = std::max(tat, now);
    if (start - now > tolerance_ns_) {
      sampled_out_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    if (tat_ns_.compare_exchange_weak(tat, start + interval_ns_, std::memory_order_relaxed)) {
      return true;
    }
  }
}

void EventFeed::Publish(std::string json) {
  published_.fetch_add(1, std::memory_order_relaxed);
  std::shared_ptr<const List> list = list_.load(std::memory_order_acquire);
  for (size_t i = 0; i < list->size(); ++i) {
    FeedSubscription::Queue& q = *(*list)[i];
    {
      std::lock_guard<std::mutex> lock(q.mu);
      if (q.events.size() >= options_.queue_events) {
        ++q.dropped;
        dropped_.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      // The last subscriber takes the string itself, the others a copy.
      q.events.push_back(i + 1 == list->size() ? std::move(json) : json);
    }
    q.cv.notify_one();
  }
}

absl::StatusOr<std::unique_ptr<FeedSubscription>> EventFeed::Subscribe() {
  std::lock_guard<std::mutex> lock(list_mu_);
  if (closed_) return absl::UnavailableError("events: the server is shutting down");
  std::shared_ptr<const List> old = list_.load();
  if (static_cast<int>(old->size()) >= options_.max_subscribers) {
    return absl::ResourceExhaustedError(
        absl::StrCat("events: ", old->size(), " subscribers already; the maximum is ",
                     options_.max_subscribers, " (close another console)"));
  }
  auto q = std::make_shared<FeedSubscription::Queue>();
  auto next = std::make_shared<List>(*old);
  next->push_back(q);
  list_.store(std::move(next), std::memory_order_release);
  active_.fetch_add(1, std::memory_order_relaxed);
  return std::unique_ptr<FeedSubscription>(new FeedSubscription(this, std::move(q)));
}

void EventFeed::Unsubscribe(const FeedSubscription::Queue* q) {
  std::lock_guard<std::mutex> lock(list_mu_);
  std::shared_ptr<const List> old = list_.load();
  auto next = std::make_shared<List>();
  for (const auto& s : *old) {
    if (s.get() != q) next->push_back(s);
  }
  if (next->size() == old->size()) return;
  list_.store(std::move(next), std::memory_order_release);
  active_.fetch_sub(1, std::memory_order_relaxed);
}

void EventFeed::Close() {
  std::shared_ptr<const List> list;
  {
    std::lock_guard<std::mutex> lock(list_mu_);
    closed_ = true;
    list = list_.load();
  }
  for (const auto& q : *list) {
    {
      std::lock_guard<std::mutex> lock(q->mu);
      q->closed = true;
    }
    q->cv.notify_all();
  }
}

FeedStats EventFeed::stats() const {
  FeedStats s;
  s.published = published_.load(std::memory_order_relaxed);
  s.sampled_out = sampled_out_.load(std::memory_order_relaxed);
  s.dropped = dropped_.load(std::memory_order_relaxed);
  s.subscribers = active_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace gridroute

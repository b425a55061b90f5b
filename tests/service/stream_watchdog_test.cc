// Copyright 2026 gridroute authors.
//
// StreamWatchdog on a fake clock, scanned by hand (no thread, no timing):
// a write pending past the timeout is cancelled once; a completed write,
// a closed stream or a disabled watchdog never is.
#include "service/stream_watchdog.h"

#include <memory>

#include "gtest/gtest.h"

namespace gridroute {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

TEST(StreamWatchdogTest, AWritePendingPastTheTimeoutIsCancelledOnce) {
  int64_t now = 100 * kSecond;
  StreamWatchdog dog(absl::Seconds(60), [&] { return now; }, /*thread=*/false);
  int cancels = 0;
  std::shared_ptr<StreamWatchdog::Watch> w = dog.Add([&] { ++cancels; });
  ASSERT_NE(w, nullptr);
  dog.Scan();  // no write yet
  w->WriteStarted();
  now += 59 * kSecond;
  dog.Scan();
  EXPECT_EQ(cancels, 0);
  now += 1 * kSecond;
  dog.Scan();
  EXPECT_EQ(cancels, 1);
  EXPECT_TRUE(w->stalled());
  EXPECT_EQ(dog.stalls(), 1);
  now += 100 * kSecond;
  dog.Scan();  // cancelled already
  EXPECT_EQ(cancels, 1);
}

TEST(StreamWatchdogTest, CompletedWritesAndClosedStreamsAreLeftAlone) {
  int64_t now = 1;
  StreamWatchdog dog(absl::Seconds(1), [&] { return now; }, /*thread=*/false);
  int cancels = 0;
  auto reading = dog.Add([&] { ++cancels; });
  auto closed = dog.Add([&] { ++cancels; });
  for (int i = 0; i < 10; ++i) {  // a client that reads: each write completes
    reading->WriteStarted();
    now += kSecond / 2;
    dog.Scan();
    reading->WriteDone();
    now += 10 * kSecond;  // idle between batches is not a stall
    dog.Scan();
  }
  closed->WriteStarted();
  closed->Close();
  now += 10 * kSecond;
  dog.Scan();
  EXPECT_EQ(cancels, 0);
  EXPECT_EQ(dog.stalls(), 0);
  // A stream gone (its Watch released) is forgotten.
  closed.reset();
  dog.Scan();
}

TEST(StreamWatchdogTest, ACancelMayCloseItsStreamInline) {
  int64_t now = 1;
  StreamWatchdog dog(absl::Seconds(1), [&] { return now; }, /*thread=*/false);
  std::shared_ptr<StreamWatchdog::Watch> w;
  w = dog.Add([&] { w->Close(); });  // as gRPC may run OnDone inside TryCancel
  w->WriteStarted();
  now += 2 * kSecond;
  dog.Scan();
  EXPECT_EQ(dog.stalls(), 1);
}

TEST(StreamWatchdogTest, ZeroTimeoutDisables) {
  StreamWatchdog dog(absl::ZeroDuration());
  EXPECT_EQ(dog.Add([] {}), nullptr);
}

}  // namespace
}  // namespace gridroute

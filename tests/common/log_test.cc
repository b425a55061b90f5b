// Copyright 2026 gridroute authors.
//
// common/log.h: the default line on stderr, a sink set by the embedding
// binary, the level filter, and the engine's callers going through it.
#include "common/log.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace gridroute {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void TearDown() override {
    SetLogSink(nullptr);
    SetMinLogLevel(LogLevel::kInfo);
  }
};

TEST_F(LogTest, DefaultSinkWritesOneLineOnStderr) {
  ::testing::internal::CaptureStderr();
  Log(LogLevel::kWarning, "cases", "journal fsync took 2.1 s");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(),
            "gridroute cases: journal fsync took 2.1 s\n");
}

TEST_F(LogTest, SinkReceivesLevelComponentAndMessage) {
  std::vector<std::string> lines;
  SetLogSink([&](LogLevel level, absl::string_view component, absl::string_view message) {
    lines.push_back(absl::StrCat(LogLevelName(level), " ", component, " ", message));
  });
  ::testing::internal::CaptureStderr();
  Log(LogLevel::kError, "dispatch", "cannot reach nats://127.0.0.1:1");
  Log(LogLevel::kInfo, "cases", "replayed 3 records");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");  // the sink took them
  EXPECT_EQ(lines, (std::vector<std::string>{"error dispatch cannot reach nats://127.0.0.1:1",
                                             "info cases replayed 3 records"}));
}

TEST_F(LogTest, LinesBelowTheMinimumLevelAreDropped) {
  std::vector<std::string> lines;
  SetLogSink([&](LogLevel, absl::string_view, absl::string_view message) {
    lines.emplace_back(message);
  });
  Log(LogLevel::kDebug, "cases", "dropped by default");
  SetMinLogLevel(LogLevel::kWarning);
  Log(LogLevel::kInfo, "cases", "dropped");
  Log(LogLevel::kWarning, "cases", "kept");
  SetMinLogLevel(LogLevel::kDebug);
  Log(LogLevel::kDebug, "cases", "kept too");
  EXPECT_EQ(lines, (std::vector<std::string>{"kept", "kept too"}));
}

}  // namespace
}  // namespace gridroute

// Copyright 2026 gridroute authors.
#include "common/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <utility>

namespace gridroute {
namespace {

struct LogState {
  std::mutex mu;
  LogSink sink;  // empty: stderr
};

LogState& State() {
  static LogState* state = new LogState();  // never destroyed: logging at exit
  return *state;
}

std::atomic<int> min_level{static_cast<int>(LogLevel::kInfo)};

}  // namespace

const char* LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "info";
}

void SetLogSink(LogSink sink) {
  LogState& s = State();
  std::lock_guard<std::mutex> lock(s.mu);
  s.sink = std::move(sink);
}

void SetMinLogLevel(LogLevel level) {
  min_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

void Log(LogLevel level, absl::string_view component, absl::string_view message) {
  if (static_cast<int>(level) < min_level.load(std::memory_order_relaxed)) return;
  LogState& s = State();
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.sink) {
    s.sink(level, component, message);
    return;
  }
  std::fprintf(stderr, "gridroute %.*s: %.*s\n", static_cast<int>(component.size()),
               component.data(), static_cast<int>(message.size()), message.data());
  std::fflush(stderr);
}

}  // namespace gridroute

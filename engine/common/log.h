// Copyright 2026 gridroute authors.
//
// The engine's one logging interface. Engine code logs through Log(); the
// binary that embeds the engine decides where lines go (gridroute-server:
// stderr, the default) with SetLogSink, and how much with SetMinLogLevel.
// Tools print their own output to stdout/stderr directly.
//
//   Log(LogLevel::kWarning, "dispatch", absl::StrCat("NATS reconnecting to ", url));
//   // default sink, on stderr: "gridroute dispatch: NATS reconnecting to ..."
//
//   SetLogSink([](LogLevel level, absl::string_view component, absl::string_view msg) {
//     ...  // e.g. a test collecting lines
//   });
//
// Thread-safety: Log() may be called from any thread; the sink is called
// under a mutex, one line at a time. Set the sink and level before starting
// the threads that log (SetLogSink(nullptr) restores the default).
#ifndef GRIDROUTE_COMMON_LOG_H_
#define GRIDROUTE_COMMON_LOG_H_

#include <functional>

#include "absl/strings/string_view.h"

namespace gridroute {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// "debug", "info", "warning", "error".
const char* LogLevelName(LogLevel level);

// Receives one line: its level, the component that logged it ("cases",
// "dispatch", ...) and the message, without a trailing newline.
using LogSink =
    std::function<void(LogLevel level, absl::string_view component, absl::string_view message)>;

// Where lines go; nullptr: the default, "gridroute <component>: <message>\n"
// on stderr (flushed).
void SetLogSink(LogSink sink);
// Lines below `level` are dropped before the sink. Default kInfo.
void SetMinLogLevel(LogLevel level);

void Log(LogLevel level, absl::string_view component, absl::string_view message);

}  // namespace gridroute

#endif  // GRIDROUTE_COMMON_LOG_H_

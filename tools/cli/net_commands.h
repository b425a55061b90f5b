// Copyright 2026 gridroute authors.
//
// The network subcommands of `gridroute`: the same tool, talking to a
// gridroute-server instead of loading a pack.
//
//   gridroute info   --server HOST:PORT [--json]
//   gridroute locate --server HOST:PORT --lon X --lat Y [--crs wgs84] [--snap-m M] [--json]
//   gridroute route  --server HOST:PORT --lon X --lat Y --category 0102
//                    [--category-type event|component] [--urgency U]
//                    [--reported-at 2026-03-04T10:00:00+08:00] [--component-code C]
//                    [--crs wgs84] [--snap-m M] [--view full|codes] [--json]
//   gridroute stream --server HOST:PORT --in detections.csv [--batch 256]
//                    [--view full|codes] [--json]
//   gridroute reload --server HOST:PORT [--pack-dir DIR] [--json]
//   gridroute directory --server HOST:PORT [--page-size N] [--all-pages] [--json]
//
// Without --server, `locate` and `route` stay the offline CSV commands.
// Human-readable output by default; --json prints the response messages as
// JSON (proto field names; `stream` prints one JSON object per detection).
// Exit codes: 0 ok, 1 the server answered an error, 2 bad usage or input.
#ifndef GRIDROUTE_TOOLS_CLI_NET_COMMANDS_H_
#define GRIDROUTE_TOOLS_CLI_NET_COMMANDS_H_

#include <string>

namespace gridroute {

// True when `command` goes over the network: info, stream, reload and
// directory always;
// locate and route when --server is given. Call after flag parsing.
bool IsNetCommand(const std::string& command);

// Runs a network command; returns the process exit code.
int RunNetCommand(const std::string& command);

// Usage lines for the network commands.
extern const char kNetUsage[];

}  // namespace gridroute

#endif  // GRIDROUTE_TOOLS_CLI_NET_COMMANDS_H_

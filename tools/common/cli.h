// Copyright 2026 gridroute authors.
//
// The command-line convention every gridroute tool follows (README
// "Command-line tools"), in one place:
//
//   int main(int argc, char** argv) {
//     gridroute::cli::SetUsage("gridroute-gen", "Writes a synthetic city ...");
//     std::vector<char*> positional = gridroute::cli::ParseFlags(argc, argv);
//     if (out.empty()) return gridroute::cli::UsageError("gridroute-gen", "--out DIR is required");
//     ...
//     if (!written.ok()) return gridroute::cli::Failure("gridroute-gen", written.status().message());
//     return gridroute::cli::kExitOk;
//   }
//
// - Flags are spelled with dashes (--snap-m, --center-lon); the underscore
//   spellings Abseil declares (--snap_m, --center_lon) keep working.
// - "--flag -" means "--flag=-" (stdin or stdout).
// - --help (or -h) prints the usage message and the tool's own flags on
//   stdout and exits 0.
// - Exit codes: the table below; a tool-specific code (3 and up) is listed in
//   that tool's --help.
// - Messages go to stderr as "<tool>: <message>"; a usage error adds
//   "Try --help.".
//
// Thread-safety: call these from main() before starting threads.
#ifndef GRIDROUTE_TOOLS_COMMON_CLI_H_
#define GRIDROUTE_TOOLS_COMMON_CLI_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace gridroute::cli {

// Exit codes shared by every tool.
inline constexpr int kExitOk = 0;       // done
inline constexpr int kExitFailure = 1;  // ran and failed: bad data, I/O, an RPC error
inline constexpr int kExitUsage = 2;    // bad or missing flags: nothing was done

// The exit-code table as the tools' --help prints it.
inline constexpr char kExitCodesHelp[] =
    "Exit codes: 0 ok, 1 failure (bad data, I/O or RPC error), 2 usage error "
    "(bad or missing flags; nothing done).\n"
    "Flags may be written with dashes or underscores (--snap-m or --snap_m).";

// argv with every "--flag-name[=value]" spelled "--flag_name[=value]" (the
// value untouched) and "--flag -" joined into "--flag=-" (Abseil would read
// the lone dash as a mistake). argv[0] is kept; arguments before `first`
// (a subcommand word) are dropped; nothing after a lone "--" is changed.
// The pointers point into *storage.
std::vector<char*> DashedFlags(int argc, char** argv, std::vector<std::string>* storage,
                               int first = 1);

// Sets the usage message --help prints (with kExitCodesHelp after it) and
// makes --help list the flags defined in tools/ (Abseil's default matches
// only a source file named like the binary).
void SetUsage(absl::string_view usage);

// DashedFlags, then absl::ParseCommandLine. --help/-h prints the usage and
// the flags defined in tools/ on stdout and exits kExitOk; an unknown flag, a
// flag without its value or a value that does not parse exits kExitUsage
// (Abseil alone would exit 1). Returns the positional arguments, argv[0]
// first. Call SetUsage() first.
std::vector<char*> ParseFlags(int argc, char** argv, int first = 1);

// Prints "<tool>: <message>\nTry --help." on stderr; returns kExitUsage.
int UsageError(absl::string_view tool, absl::string_view message);
// Prints "<tool>: <message>" on stderr; returns kExitFailure.
int Failure(absl::string_view tool, absl::string_view message);

}  // namespace gridroute::cli

#endif  // GRIDROUTE_TOOLS_COMMON_CLI_H_

// Copyright 2026 gridroute authors.
#include "common/cli.h"

#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/internal/program_name.h"
#include "absl/flags/internal/usage.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace gridroute::cli {
namespace {

// Abseil's own flags, which the tools do not declare.
bool IsBuiltinFlag(absl::string_view name) {
  for (const char* b : {"help", "helpfull", "helpshort", "helppackage", "helpmatch", "helpon",
                        "version", "only_check_args", "flagfile", "fromenv", "tryfromenv",
                        "undefok"}) {
    if (name == b) return true;
  }
  return false;
}

bool InTools(absl::string_view file) { return absl::StrContains(file, "tools/"); }

// The binary's name (argv[0] without its directory), for messages.
std::string& ProgramNameStorage() {
  static std::string* name = new std::string("gridroute");
  return *name;
}
const std::string& ProgramName() { return ProgramNameStorage(); }

// Abseil exits 1 on an unknown flag or a bad value; the convention says 2.
// So the flags are checked first: the name must exist, and a value given must
// parse (ParseFrom sets it; ParseCommandLine then sets the same value again).
void CheckFlagsOrExit(const std::vector<char*>& args) {
  for (size_t i = 1; i < args.size(); ++i) {
    const absl::string_view a = args[i];
    if (a == "--") return;
    if (a.size() < 2 || a[0] != '-' || a == "-") continue;
    absl::string_view body = a.substr(a[1] == '-' ? 2 : 1);
    const size_t eq = body.find('=');
    const absl::string_view name = body.substr(0, eq);
    if (IsBuiltinFlag(name)) continue;
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr && absl::StartsWith(name, "no")) {
      absl::CommandLineFlag* positive = absl::FindCommandLineFlag(name.substr(2));
      if (positive != nullptr && positive->IsOfType<bool>() && eq == absl::string_view::npos) {
        continue;
      }
    }
    if (flag == nullptr) {
      std::exit(UsageError(ProgramName(),
                           absl::StrCat("unknown flag --", name)));
    }
    absl::string_view value;
    if (eq != absl::string_view::npos) {
      value = body.substr(eq + 1);
    } else if (flag->IsOfType<bool>()) {
      continue;
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      std::exit(UsageError(ProgramName(), absl::StrCat("--", name, " needs a value")));
    }
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      std::exit(UsageError(ProgramName(), absl::StrCat("--", name, ": ", error)));
    }
  }
}

bool WantsHelp(const std::vector<char*>& args) {
  for (size_t i = 1; i < args.size(); ++i) {
    const absl::string_view a = args[i];
    if (a == "--") return false;
    if (a == "--help" || a == "-h" || a == "-help") return true;
  }
  return false;
}

}  // namespace


std::vector<char*> DashedFlags(int argc, char** argv, std::vector<std::string>* storage,
                               int first) {
  storage->clear();
  storage->emplace_back(argc > 0 ? argv[0] : "");
  bool flags = true;
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") flags = false;
    if (flags && a.size() > 2 && a[0] == '-' && a[1] == '-') {
      const size_t eq = a.find('=');
      for (size_t k = 2; k < std::min(eq, a.size()); ++k) {
        if (a[k] == '-') a[k] = '_';
      }
      if (eq == std::string::npos && i + 1 < argc && std::string(argv[i + 1]) == "-") {
        a += "=-";
        ++i;
      }
    }
    storage->push_back(std::move(a));
  }
  std::vector<char*> out;
  for (std::string& a : *storage) out.push_back(a.data());
  return out;
}

void SetUsage(absl::string_view usage) {
  absl::SetProgramUsageMessage(absl::StrCat(usage, "\n\n", kExitCodesHelp));
  absl::FlagsUsageConfig config;
  config.contains_help_flags = InTools;
  config.contains_helpshort_flags = InTools;
  absl::SetFlagsUsageConfig(config);
}

std::vector<char*> ParseFlags(int argc, char** argv, int first) {
  static std::vector<std::string>* storage = new std::vector<std::string>();
  if (argc > 0) {
    const absl::string_view self = argv[0];
    ProgramNameStorage() = std::string(self.substr(self.rfind('/') + 1));
    // What --help prints before the usage (ParseCommandLine would set it
    // only after --help is handled).
    absl::flags_internal::SetProgramInvocationName(self);
  }
  std::vector<char*> args = DashedFlags(argc, argv, storage, first);
  if (WantsHelp(args)) {
    absl::flags_internal::FlagsHelp(std::cout, "tools/",
                                    absl::flags_internal::HelpFormat::kHumanReadable,
                                    absl::ProgramUsageMessage());
    std::exit(kExitOk);
  }
  CheckFlagsOrExit(args);
  return absl::ParseCommandLine(static_cast<int>(args.size()), args.data());
}

int UsageError(absl::string_view tool, absl::string_view message) {
  std::fprintf(stderr, "%.*s: %.*s\nTry --help.\n", static_cast<int>(tool.size()), tool.data(),
               static_cast<int>(message.size()), message.data());
  return kExitUsage;
}

int Failure(absl::string_view tool, absl::string_view message) {
  std::fprintf(stderr, "%.*s: %.*s\n", static_cast<int>(tool.size()), tool.data(),
               static_cast<int>(message.size()), message.data());
  return kExitFailure;
}

}  // namespace gridroute::cli

// Copyright 2026 gridroute authors.
#include "common/process_memory.h"

#include <unistd.h>

#include <fstream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"

namespace gridroute {

size_t ResidentBytes() {
  std::ifstream f("/proc/self/statm");
  size_t pages = 0, resident = 0;
  if (!(f >> pages >> resident)) return 0;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

size_t PeakResidentBytes() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    size_t kib = 0;
    if (absl::StartsWith(line, "VmHWM:") &&
        absl::SimpleAtoi(absl::StripAsciiWhitespace(absl::StripSuffix(
                             absl::StripAsciiWhitespace(line.substr(6)), "kB")),
                         &kib)) {
      return kib * 1024;
    }
  }
  return 0;
}

void ResetPeakResident() {
  std::ofstream f("/proc/self/clear_refs");
  f << "5";
}

}  // namespace gridroute

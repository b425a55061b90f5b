// Copyright 2026 gridroute authors.
//
// This process's resident memory, read from /proc (Linux), for logs and
// benchmarks:
//
//   const size_t before = ResidentBytes();
//   ResetPeakResident();
//   ... load ...
//   size_t added = ResidentBytes() - before, peak = PeakResidentBytes() - before;
//
// Each returns 0 where /proc cannot tell.
#ifndef GRIDROUTE_COMMON_PROCESS_MEMORY_H_
#define GRIDROUTE_COMMON_PROCESS_MEMORY_H_

#include <cstddef>

namespace gridroute {

// Resident bytes now (/proc/self/statm).
size_t ResidentBytes();
// The peak since the process started or since ResetPeakResident() (VmHWM).
size_t PeakResidentBytes();
// Restarts the peak at the current resident size (writes 5 to
// /proc/self/clear_refs; Linux >= 4.0).
void ResetPeakResident();

}  // namespace gridroute

#endif  // GRIDROUTE_COMMON_PROCESS_MEMORY_H_

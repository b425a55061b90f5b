// Copyright 2026 gridroute authors.
//
// Small file helpers shared by the loader and the tools.
#ifndef GRIDROUTE_COMMON_FILE_UTIL_H_
#define GRIDROUTE_COMMON_FILE_UTIL_H_

#include <string>

#include "absl/status/statusor.h"

namespace gridroute {

// Reads a whole file. NotFound if it does not exist or cannot be read.
absl::StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace gridroute

#endif  // GRIDROUTE_COMMON_FILE_UTIL_H_

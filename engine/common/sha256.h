// Copyright 2026 gridroute authors.
//
// SHA-256 of data files, for the checksums a pack's manifest lists
// (engine/snapshot/PACK.md "checksums"). OpenSSL's libcrypto, the library
// the token check (engine/service/auth.cc) hashes with; no gRPC.
//
//   ASSIGN_OR_RETURN(RegularFile f, RegularFile::Open(path, limit));
//   ASSIGN_OR_RETURN(std::string hex, Sha256File(f));  // 64 lowercase hex digits
//
// Thread-safety: pure functions; any number of threads. Cost: O(bytes),
// reading 1 MiB at a time (the file is not held in memory); speed:
// PACK.md, "Checksums".
#ifndef GRIDROUTE_COMMON_SHA256_H_
#define GRIDROUTE_COMMON_SHA256_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/file_util.h"

namespace gridroute {

// Lowercase hex SHA-256 of the file's size() bytes (read with pread, so it
// may run beside other readers of the same RegularFile). DataLoss if the file
// shrank meanwhile.
absl::StatusOr<std::string> Sha256File(const RegularFile& file);

// True if `s` looks like a SHA-256 in hex: 64 hex digits, lowercase.
bool IsSha256Hex(absl::string_view s);

}  // namespace gridroute

#endif  // GRIDROUTE_COMMON_SHA256_H_

// Copyright 2026 gridroute authors.
//
// Echo: the short, safe form of a caller's value inside an error message.
//
// Every error that repeats what the caller sent goes through Echo, so a
// 100 kB category cannot become a 100 kB grpc-message (which some clients
// never receive) and bytes that are not UTF-8 cannot make the status itself
// unparsable:
//
//   return absl::InvalidArgumentError(
//       absl::StrCat("category: unknown event category '", Echo(e.category), "'"));
//
// At most `max_bytes` (default 64) bytes of the value are kept, cut at a
// UTF-8 character boundary, and "…" is appended when anything was cut.
// Control characters, and bytes that are not valid UTF-8, are written as
// \xNN, so the echo is always printable, valid UTF-8.
#ifndef GRIDROUTE_COMMON_ECHO_H_
#define GRIDROUTE_COMMON_ECHO_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace gridroute {

inline constexpr size_t kEchoMaxBytes = 64;

std::string Echo(std::string_view value, size_t max_bytes = kEchoMaxBytes);
// Debian's absl::string_view is not std::string_view: the same for it (and,
// so that neither conversion is ambiguous, for std::string and C strings).
#ifndef ABSL_USES_STD_STRING_VIEW
inline std::string Echo(absl::string_view value, size_t max_bytes = kEchoMaxBytes) {
  return Echo(std::string_view(value.data(), value.size()), max_bytes);
}
#endif
inline std::string Echo(const std::string& value, size_t max_bytes = kEchoMaxBytes) {
  return Echo(std::string_view(value), max_bytes);
}
inline std::string Echo(const char* value, size_t max_bytes = kEchoMaxBytes) {
  return Echo(std::string_view(value), max_bytes);
}

// Cuts a whole error message (which may hold several echoes and a file path)
// to at most `max_bytes` bytes at a UTF-8 boundary, appending "…" when cut.
// The gRPC layer applies it to every status message it sends (1 KiB).
std::string CapMessage(std::string_view message, size_t max_bytes);

}  // namespace gridroute

#endif  // GRIDROUTE_COMMON_ECHO_H_

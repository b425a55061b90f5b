// Copyright 2026 gridroute authors.
//
// Text encodings of data files: the UTF-8 check every string of a pack goes
// through, and conversion to UTF-8 from a legacy encoding (glibc iconv).
//
//   const size_t bad = FindInvalidUtf8(field);
//   if (bad != kAllValidUtf8) return Error(..., HexBytes(field, bad));
//   size_t at = 0;
//   absl::StatusOr<std::string> utf8 = TranscodeToUtf8(raw, "GB18030", &at);
//
// Why: every string the server answers with lands in a protobuf `string`
// field, which a client refuses to parse unless it is UTF-8. A GBK name in a
// pack used to load fine, and then every Route/Locate answer naming it
// failed at the client while health stayed green. So a pack's text is either
// UTF-8 (checked at load) or declared in another encoding and converted.
//
// Thread-safety: pure functions. Cost: FindInvalidUtf8 O(bytes), 8 ASCII
// bytes per step, no allocation; TranscodeToUtf8 is iconv's, O(bytes)
// (figures: PACK.md, "Encodings").
#ifndef GRIDROUTE_COMMON_TEXT_ENCODING_H_
#define GRIDROUTE_COMMON_TEXT_ENCODING_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gridroute {

inline constexpr size_t kAllValidUtf8 = static_cast<size_t>(-1);

// The offset of the first byte of `text` that does not start or continue a
// valid UTF-8 character (overlong forms, surrogates and code points above
// U+10FFFF are invalid), or kAllValidUtf8.
size_t FindInvalidUtf8(absl::string_view text);
inline bool IsValidUtf8(absl::string_view text) {
  return FindInvalidUtf8(text) == kAllValidUtf8;
}

// True for the names that mean "no conversion": "", "UTF-8", "UTF8" in any
// case.
bool IsUtf8Encoding(absl::string_view encoding);

// OK if iconv can convert from `encoding` to UTF-8, else InvalidArgument
// "unknown encoding '<name>'".
absl::Status CheckEncoding(const std::string& encoding);

// `text` converted from `encoding` (an iconv name: GB18030, GBK, BIG5, ...)
// to UTF-8. If a byte sequence is not valid in `encoding` (or is cut off at
// the end), InvalidArgument "not valid <encoding> (bytes \xNN...)" with
// *bad_offset set to where it starts in `text`.
absl::StatusOr<std::string> TranscodeToUtf8(absl::string_view text, const std::string& encoding,
                                            size_t* bad_offset);

// Up to `n` bytes of `text` from `offset`, each as \xNN (for messages).
std::string HexBytes(absl::string_view text, size_t offset, size_t n = 4);

}  // namespace gridroute

#endif  // GRIDROUTE_COMMON_TEXT_ENCODING_H_

// Copyright 2026 gridroute authors.
//
// The one UTF-8 decoder step the validators share (text_encoding.cc's
// FindInvalidUtf8, echo.cc's Echo):
//
//   for (size_t i = 0; i < s.size();) {
//     const size_t n = Utf8SequenceLength(s, i);
//     if (n == 0) return i;  // invalid here
//     i += n;
//   }
//
// Thread-safe; no allocation.
#ifndef GRIDROUTE_COMMON_UTF8_H_
#define GRIDROUTE_COMMON_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gridroute {

// Length (1-4) of the valid UTF-8 sequence starting at s[i], or 0 if it is
// not one: overlong forms, surrogates, code points above U+10FFFF and a
// sequence cut by the end of `s` are invalid. REQUIRES: i < s.size().
inline size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t c = b(i);
  if (c < 0x80) return 1;
  size_t n;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

}  // namespace gridroute

#endif  // GRIDROUTE_COMMON_UTF8_H_

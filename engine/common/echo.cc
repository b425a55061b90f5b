// Copyright 2026 gridroute authors.
#include "common/echo.h"

#include <cstdint>

namespace gridroute {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not one
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t c = b(i);
  if (c < 0x80) return 1;
  size_t n;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; }
  else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0F; }
  else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; }
  else return 0;
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

void AppendHex(std::string& out, uint8_t c) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\x";
  out += kHex[c >> 4];
  out += kHex[c & 0xF];
}

}  // namespace

std::string Echo(std::string_view value, size_t max_bytes) {
  std::string out;
  size_t i = 0;
  while (i < value.size()) {
    const size_t n = Utf8SequenceLength(value, i);
    const uint8_t c = static_cast<uint8_t>(value[i]);
    const bool control = n == 1 && (c < 0x20 || c == 0x7F);
    const size_t cost = (n == 0 || control) ? 4 : n;
    if (out.size() + cost > max_bytes) break;
    if (n == 0 || control) {
      AppendHex(out, c);
      i += 1;
    } else {
      out.append(value.substr(i, n));
      i += n;
    }
  }
  if (i < value.size()) out += "\xE2\x80\xA6";  // …
  return out;
}

std::string CapMessage(std::string_view message, size_t max_bytes) {
  if (message.size() <= max_bytes) return std::string(message);
  size_t cut = max_bytes;
  // Back up to the start of a UTF-8 character.
  while (cut > 0 && (static_cast<uint8_t>(message[cut]) & 0xC0) == 0x80) --cut;
  std::string out(message.substr(0, cut));
  out += "\xE2\x80\xA6";
  return out;
}

}  // namespace gridroute

// Copyright 2026 gridroute authors.
#include "common/echo.h"

#include <cstdint>

#include "common/utf8.h"

namespace gridroute {
namespace {

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
    // C0 controls and DEL; C1 controls (U+0080..U+009F, UTF-8 C2 80..C2 9F)
    // are valid UTF-8 but not printable either.
    const bool control = (n == 1 && (c < 0x20 || c == 0x7F)) ||
                         (n == 2 && c == 0xC2 && static_cast<uint8_t>(value[i + 1]) < 0xA0);
    const size_t cost = n == 0 ? 4 : control ? 4 * n : n;
    if (out.size() + cost > max_bytes) break;
    if (n == 0) {
      AppendHex(out, c);
      i += 1;
    } else if (control) {
      for (size_t k = 0; k < n; ++k) AppendHex(out, static_cast<uint8_t>(value[i + k]));
      i += n;
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

// Copyright 2026 gridroute authors.
#include "common/text_encoding.h"

#include <iconv.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/utf8.h"

namespace gridroute {
namespace {

// iconv_t owned for one conversion.
class Iconv {
 public:
  explicit Iconv(const std::string& from) : cd_(iconv_open("UTF-8", from.c_str())) {}
  ~Iconv() {
    if (ok()) iconv_close(cd_);
  }
  Iconv(const Iconv&) = delete;
  Iconv& operator=(const Iconv&) = delete;
  bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }
  iconv_t get() const { return cd_; }

 private:
  iconv_t cd_;
};

}  // namespace

size_t FindInvalidUtf8(absl::string_view text) {
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    // Eight ASCII bytes at a time (most of a CSV's bytes).
    if (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, text.data() + i, 8);
      if ((w & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    }
    const size_t len = Utf8SequenceLength(std::string_view(text.data(), text.size()), i);
    if (len == 0) return i;
    i += len;
  }
  return kAllValidUtf8;
}

bool IsUtf8Encoding(absl::string_view encoding) {
  return encoding.empty() || absl::EqualsIgnoreCase(encoding, "UTF-8") ||
         absl::EqualsIgnoreCase(encoding, "UTF8");
}

absl::Status CheckEncoding(const std::string& encoding) {
  if (IsUtf8Encoding(encoding)) return absl::OkStatus();
  Iconv cd(encoding);
  if (!cd.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown encoding '", encoding.substr(0, 64),
        "' (an iconv name such as GB18030, GBK or BIG5 is expected; `iconv -l` lists them)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> TranscodeToUtf8(absl::string_view text, const std::string& encoding,
                                            size_t* bad_offset) {
  *bad_offset = 0;
  Iconv cd(encoding);
  if (!cd.ok()) return CheckEncoding(encoding);
  std::string out;
  // GB18030 -> UTF-8 grows Chinese text by 1.5x; ASCII stays the same.
  out.resize(text.size() + text.size() / 2 + 16);
  char* in = const_cast<char*>(text.data());
  size_t in_left = text.size();
  size_t used = 0;
  while (in_left > 0) {
    char* dst = out.data() + used;
    size_t out_left = out.size() - used;
    const size_t r = iconv(cd.get(), &in, &in_left, &dst, &out_left);
    used = out.size() - out_left;
    if (r != static_cast<size_t>(-1)) break;
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    // EILSEQ: an invalid sequence; EINVAL: one cut off at the end.
    *bad_offset = static_cast<size_t>(in - text.data());
    return absl::InvalidArgumentError(
        absl::StrCat("not valid ", encoding.substr(0, 64), " (bytes ",
                     HexBytes(text, *bad_offset), errno == EINVAL ? " at the end of the file" : "",
                     ")"));
  }
  out.resize(used);
  return out;
}

std::string HexBytes(absl::string_view text, size_t offset, size_t n) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (size_t i = offset; i < text.size() && i < offset + n; ++i) {
    const uint8_t c = static_cast<uint8_t>(text[i]);
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 0xF];
  }
  return out;
}

}  // namespace gridroute

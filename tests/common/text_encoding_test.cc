// Copyright 2026 gridroute authors.
//
// The UTF-8 check against glibc's own UTF-8 decoder (iconv UTF-8 -> UTF-16,
// an independent implementation) on random and crafted byte strings, and
// the conversion from GB18030 on known characters.
#include "common/text_encoding.h"

#include <iconv.h>

#include <random>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace gridroute {
namespace {

// The oracle: offset of the first byte glibc's iconv refuses as UTF-8, or
// kAllValidUtf8.
size_t OracleFirstInvalid(const std::string& s) {
  iconv_t cd = iconv_open("UTF-16LE", "UTF-8");
  char* in = const_cast<char*>(s.data());
  size_t in_left = s.size();
  std::string out(4 * s.size() + 16, '\0');
  char* o = out.data();
  size_t out_left = out.size();
  const size_t r = iconv(cd, &in, &in_left, &o, &out_left);
  iconv_close(cd);
  return r == static_cast<size_t>(-1) ? static_cast<size_t>(in - s.data()) : kAllValidUtf8;
}

TEST(FindInvalidUtf8Test, AgreesWithGlibcOnRandomBytes) {
  std::mt19937 rng(11);
  // Bytes drawn mostly from valid UTF-8 pieces, with stray bytes mixed in.
  const std::string pieces[] = {"a", "z", ",", "\n", "\xC3\xA9", "\xE4\xB8\xAD",
                                "\xF0\x9F\x98\x80", "\x80", "\xC0\xAF", "\xED\xA0\x80",
                                "\xF4\x90\x80\x80", "\xE4\xB8", "\xFF", "\xC2"};
  for (int k = 0; k < 20000; ++k) {
    std::string s;
    const int n = static_cast<int>(rng() % 24);
    for (int i = 0; i < n; ++i) {
      // Mostly valid pieces, so that the invalid one lands anywhere.
      const size_t p = rng() % 10 < 8 ? rng() % 7 : 7 + rng() % 7;
      s += pieces[p];
    }
    ASSERT_EQ(FindInvalidUtf8(s), OracleFirstInvalid(s)) << "case " << k;
  }
}

TEST(FindInvalidUtf8Test, LongAsciiRunsAndTheBytesAfterThem) {
  std::string s(1000, 'x');
  EXPECT_TRUE(IsValidUtf8(s));
  s += "\xD5\xC5";  // GBK 张
  EXPECT_EQ(FindInvalidUtf8(s), 1000u);
  EXPECT_EQ(HexBytes(s, 1000), "\\xD5\\xC5");
}

TEST(TranscodeTest, Gb18030ToUtf8) {
  size_t bad = 0;
  // 张三 in GB18030 / GBK, ASCII, € (two bytes) and 😀 (four bytes, GB18030
  // only).
  absl::StatusOr<std::string> u =
      TranscodeToUtf8("\xD5\xC5\xC8\xFD,a\n\xA2\xE3\x94\x39\xFC\x36", "GB18030", &bad);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(*u, "\xE5\xBC\xA0\xE4\xB8\x89,a\n\xE2\x82\xAC\xF0\x9F\x98\x80");
  EXPECT_TRUE(IsValidUtf8(*u));
}

TEST(TranscodeTest, InvalidSequenceNamesItsOffset) {
  size_t bad = 0;
  absl::StatusOr<std::string> u = TranscodeToUtf8("ok,\xD5\xC5\n\x81\x20", "GB18030", &bad);
  EXPECT_EQ(u.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad, 6u);
  EXPECT_TRUE(absl::StrContains(u.status().message(), "not valid GB18030 (bytes \\x81\\x20)"))
      << u.status();
  u = TranscodeToUtf8("cut \xD5", "GBK", &bad);  // a lead byte at the very end
  EXPECT_EQ(bad, 4u);
  EXPECT_TRUE(absl::StrContains(u.status().message(), "at the end of the file")) << u.status();
}

TEST(TranscodeTest, EncodingNames) {
  EXPECT_TRUE(IsUtf8Encoding(""));
  EXPECT_TRUE(IsUtf8Encoding("utf-8"));
  EXPECT_TRUE(IsUtf8Encoding("UTF8"));
  EXPECT_FALSE(IsUtf8Encoding("GBK"));
  EXPECT_TRUE(CheckEncoding("GB18030").ok());
  const absl::Status st = CheckEncoding("NO-SUCH-ENCODING");
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(st.message(), "unknown encoding 'NO-SUCH-ENCODING'")) << st;
}

}  // namespace
}  // namespace gridroute

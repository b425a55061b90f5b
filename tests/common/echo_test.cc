// Copyright 2026 gridroute authors.
#include "common/echo.h"

#include <string>

#include "gtest/gtest.h"

namespace gridroute {
namespace {

const std::string kEllipsis = "\xE2\x80\xA6";

TEST(EchoTest, ShortPrintableValuesAreUnchanged) {
  EXPECT_EQ(Echo("0101"), "0101");
  EXPECT_EQ(Echo("东城区"), "东城区");
  EXPECT_EQ(Echo(""), "");
}

TEST(EchoTest, LongValuesAreCutTo64BytesWithAnEllipsis) {
  const std::string big(20000, 'x');
  const std::string e = Echo(big);
  EXPECT_EQ(e, std::string(64, 'x') + kEllipsis);
}

TEST(EchoTest, CutsAtACharacterBoundary) {
  std::string han;
  for (int i = 0; i < 30; ++i) han += "网";  // 3 bytes each: 90 bytes
  const std::string e = Echo(han);
  // 21 characters = 63 bytes fit, the 22nd would make 66.
  std::string want;
  for (int i = 0; i < 21; ++i) want += "网";
  EXPECT_EQ(e, want + kEllipsis);
}

TEST(EchoTest, ControlAndInvalidBytesAreHexEscaped) {
  EXPECT_EQ(Echo(std::string("a\nb\0c", 5)), "a\\x0ab\\x00c");
  EXPECT_EQ(Echo("\xC4\xE3\xBA\xC3"), "\\xc4\\xe3\\xba\\xc3");  // GBK 你好
  EXPECT_EQ(Echo("\xED\xA0\x80"), "\\xed\\xa0\\x80");              // a surrogate
  EXPECT_EQ(Echo("\xC0\xAF"), "\\xc0\\xaf");                       // overlong '/'
  EXPECT_EQ(Echo("\xE7\xBD"), "\\xe7\\xbd");                       // cut sequence
}

// echo.h promises a printable echo: C1 controls (U+0080..U+009F, e.g. NEL
// U+0085, CSI U+009B of a terminal escape) are valid UTF-8 but not
// printable, so both of their bytes are escaped; U+00A0 onwards pass.
TEST(EchoTest, C1ControlCharactersAreHexEscaped) {
  EXPECT_EQ(Echo("a\xC2\x85" "b"), "a\\xc2\\x85b");
  EXPECT_EQ(Echo("\xC2\x9B" "31m"), "\\xc2\\x9b31m");
  EXPECT_EQ(Echo("\xC2\x80\xC2\x9F"), "\\xc2\\x80\\xc2\\x9f");
  EXPECT_EQ(Echo("\xC2\xA0\xC2\xA9"), "\xC2\xA0\xC2\xA9");  // NBSP, ©: printable
  // Each escaped C1 character costs 8 bytes of the limit.
  EXPECT_EQ(Echo(std::string(40, 'x') + "\xC2\x85\xC2\x85\xC2\x85"),
            std::string(40, 'x') + "\\xc2\\x85\\xc2\\x85\\xc2\\x85");
  EXPECT_EQ(Echo(std::string(50, 'x') + "\xC2\x85\xC2\x85"),
            std::string(50, 'x') + "\\xc2\\x85" + kEllipsis);
}

TEST(EchoTest, EscapesCountTowardsTheLimit) {
  const std::string e = Echo(std::string(100, '\x01'));
  EXPECT_EQ(e.size(), 16 * 4 + kEllipsis.size());
}

TEST(CapMessageTest, CutsLongMessagesAtACharacterBoundary) {
  EXPECT_EQ(CapMessage("short", 1024), "short");
  std::string m = "ab";
  for (int i = 0; i < 10; ++i) m += "网";
  EXPECT_EQ(CapMessage(m, 4), "ab" + kEllipsis);  // "网" does not fit in 2 bytes
  EXPECT_EQ(CapMessage(m, 5), "ab网" + kEllipsis);
}

}  // namespace
}  // namespace gridroute

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

#include "domain/text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace reg = expo::registration;

namespace {

TEST(Utf8, DecodesEveryLength) {
  // "A", "é" (2 bytes), "王" (3 bytes), "😀" (4 bytes).
  const auto decoded = reg::decode_utf8("A\xC3\xA9\xE7\x8E\x8B\xF0\x9F\x98\x80");
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, (std::u32string{U'A', U'\u00E9', U'\u738B', U'\U0001F600'}));
  EXPECT_EQ(reg::decode_utf8(""), std::u32string{});
}

TEST(Utf8, RejectsIllFormedSequences) {
  struct Case { const char* what; std::string bytes; };
  const std::vector<Case> cases = {
      {"lone continuation byte", "\x80"},
      {"0xFF never occurs", "a\xFF"},
      {"0xFE never occurs", "\xFE"},
      {"truncated 2-byte sequence", "Bud\xC3"},
      {"truncated 3-byte sequence", "\xE7\x8E"},
      {"truncated 4-byte sequence", "\xF0\x9F\x98"},
      {"overlong '/' (2 bytes)", "\xC0\xAF"},
      {"overlong NUL (2 bytes)", "\xC1\x80"},
      {"overlong '/' (3 bytes)", "\xE0\x80\xAF"},
      {"overlong (4 bytes)", "\xF0\x80\x80\xAF"},
      {"surrogate U+D800", "\xED\xA0\x80"},
      {"surrogate U+DFFF", "\xED\xBF\xBF"},
      {"above U+10FFFF", "\xF4\x90\x80\x80"},
      {"5-byte lead", "\xF8\x88\x80\x80\x80"},
      {"ASCII where a continuation byte belongs", "\xC3" "A"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_FALSE(reg::decode_utf8(c.bytes).has_value());
  }
  // The boundaries just inside the valid ranges.
  EXPECT_TRUE(reg::decode_utf8("\xED\x9F\xBF").has_value());      // U+D7FF
  EXPECT_TRUE(reg::decode_utf8("\xEE\x80\x80").has_value());      // U+E000
  EXPECT_TRUE(reg::decode_utf8("\xF4\x8F\xBF\xBF").has_value());  // U+10FFFF
}

TEST(Text, ClassifiesSpacesAndControls) {
  for (char32_t c : {U'\t', U'\n', U'\r', U' ', U'\u0085', U'\u00A0', U'\u2003', U'\u202F', U'\u3000'}) {
    EXPECT_TRUE(reg::is_unicode_space(c)) << static_cast<unsigned>(c);
  }
  for (char32_t c : {U'A', U'\u200B', U'\u738B', U'_'}) EXPECT_FALSE(reg::is_unicode_space(c));
  for (char32_t c : {U'\0', U'\x1B', U'\x7F', U'\u0080', U'\u009F', U'\u2028', U'\u2029', U'\u202E', U'\u2066'}) {
    EXPECT_TRUE(reg::is_control(c)) << static_cast<unsigned>(c);
  }
  for (char32_t c : {U' ', U'~', U'\u00A0', U'\u00E9'}) EXPECT_FALSE(reg::is_control(c));
}

TEST(Text, TrimsUnicodeSpaceAtBothEnds) {
  struct Case { std::string in, out; };
  const std::vector<Case> cases = {
      {"Budi", "Budi"},
      {"  Budi  ", "Budi"},
      {"\tBudi\r\n", "Budi"},
      {"\xC2\xA0" "Budi" "\xE3\x80\x80", "Budi"},                  // U+00A0 ... U+3000
      {"\xE2\x80\x83 Siti Nurhaliza \xE2\x80\xAF", "Siti Nurhaliza"},  // U+2003, U+202F
      {"Siti  Nurhaliza", "Siti  Nurhaliza"},                         // inside: kept
      {" \xC2\xA0 \xE3\x80\x80", ""},
      {"", ""},
      {" \xFF ", "\xFF"},  // invalid bytes stop trimming and stay for the caller to reject
      {" \xA0", "\xA0"},   // a stray continuation byte is not U+00A0
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    EXPECT_EQ(reg::trim_unicode_space(c.in), c.out);
  }
}

}  // namespace

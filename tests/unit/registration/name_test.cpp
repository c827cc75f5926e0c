#include "domain/name.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace reg = expo::registration;

namespace {

std::string repeat(std::string_view piece, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += piece;
  return out;
}

TEST(Name, AcceptsAnyScriptTrimmed) {
  struct Case { std::string in, out; };
  const std::vector<Case> cases = {
      {"Siti Nurhaliza", "Siti Nurhaliza"},
      {"\xC4\x90\xE1\xBA\xB7ng", "\xC4\x90\xE1\xBA\xB7ng"},  // Đặng
      {"\xE7\x8E\x8B\xE5\xB0\x8F\xE6\x98\x8E", "\xE7\x8E\x8B\xE5\xB0\x8F\xE6\x98\x8E"},  // 王小明
      {"Ni Luh Putu Ayu", "Ni Luh Putu Ayu"},
      {"\xD9\x85\xD8\xAD\xD9\x85\xD8\xAF", "\xD9\x85\xD8\xAD\xD9\x85\xD8\xAF"},  // محمد
      {"O'Brien-Putri", "O'Brien-Putri"},
      {"A", "A"},
      {"Budi \xF0\x9F\x98\x80", "Budi \xF0\x9F\x98\x80"},  // an emoji is a code point like any other
      {"  Siti Nurhaliza  ", "Siti Nurhaliza"},
      {"\tBudi Santoso\t", "Budi Santoso"},
      {"\xC2\xA0" "Budi" "\xE3\x80\x80", "Budi"},  // U+00A0, U+3000
      {"Budi\n", "Budi"},                          // a trailing newline is trimmed, not refused
      {"Siti  Nurhaliza", "Siti  Nurhaliza"},      // inside: kept as typed
      {repeat("a", 100), repeat("a", 100)},
      {" " + repeat("\xE7\x8E\x8B", 100) + " ", repeat("\xE7\x8E\x8B", 100)},  // 100 code points, 300 bytes
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    const auto result = reg::normalize_name(c.in);
    ASSERT_TRUE(std::holds_alternative<std::string>(result));
    EXPECT_EQ(std::get<std::string>(result), c.out);
  }
}

TEST(Name, RefusesWithTheReason) {
  using P = reg::NameProblem;
  struct Case { std::string what, in; P problem; };
  const std::vector<Case> cases = {
      {"empty", "", P::empty},
      {"spaces only", "   ", P::empty},
      {"ideographic space only", "\xE3\x80\x80", P::empty},
      {"101 letters", repeat("a", 101), P::too_long},
      {"101 CJK characters", repeat("\xE7\x8E\x8B", 101), P::too_long},
      {"newline inside", "Budi\nSantoso", P::control_character},
      {"tab inside", "Budi\tSantoso", P::control_character},
      {"NUL inside", std::string("Budi\0Santoso", 12), P::control_character},
      {"ESC", "Budi\x1B[31m", P::control_character},
      {"DEL", "Budi\x7F", P::control_character},
      {"C1 U+0085 inside", "Budi\xC2\x85Santoso", P::control_character},
      {"C1 U+009B", "Budi\xC2\x9B", P::control_character},
      {"U+2028 inside", "Budi\xE2\x80\xA8Santoso", P::control_character},
      {"U+2029 inside", "Budi\xE2\x80\xA9Santoso", P::control_character},
      {"U+202E (right-to-left override) inside", "Budi\xE2\x80\xAESantoso", P::control_character},
      {"U+2066 (isolate) inside", "Budi\xE2\x81\xA6Santoso", P::control_character},
      {"invalid byte", "Bud\xFF", P::invalid_utf8},
      {"truncated sequence", "Bud\xC3", P::invalid_utf8},
      {"overlong", "\xC0\xAF" "Budi", P::invalid_utf8},
      {"surrogate", "Budi\xED\xA0\x80", P::invalid_utf8},
      {"invalid byte among spaces", "  \xA0  ", P::invalid_utf8},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    const auto result = reg::normalize_name(c.in);
    ASSERT_TRUE(std::holds_alternative<P>(result));
    EXPECT_EQ(std::get<P>(result), c.problem);
  }
}

}  // namespace

#pragma once
// The visitor's name as printed on the badge: any script, trimmed, 1-100 code points, no control
// characters.
//
// Thread-safety: pure function; call from any thread.

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

namespace expo::registration {

inline constexpr std::size_t kMaxNameCodePoints = 100;

enum class NameProblem {
  empty,              // nothing left after trimming
  too_long,           // more than kMaxNameCodePoints code points after trimming
  invalid_utf8,       // not well-formed UTF-8
  control_character,  // C0, DEL, C1, U+2028 or U+2029 inside the name
};

// The name trimmed of Unicode White_Space at both ends (the inside is kept as typed), or why it is
// not acceptable. Counting code points, not bytes or grapheme clusters, keeps the limit simple and
// script-neutral: "王小明" is 3, "Đặng" 4 (or 5 when typed with a combining mark).
std::variant<std::string, NameProblem> normalize_name(std::string_view raw);

}  // namespace expo::registration

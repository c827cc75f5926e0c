#include "domain/name.hpp"

#include <algorithm>

#include "domain/text.hpp"

namespace expo::registration {

std::variant<std::string, NameProblem> normalize_name(std::string_view raw) {
  // Validate the whole input first: trimming stops at invalid bytes, but a name with invalid bytes
  // anywhere is rejected, not trimmed around.
  const auto all = decode_utf8(raw);
  if (!all) return NameProblem::invalid_utf8;
  const std::string_view trimmed = trim_unicode_space(raw);
  if (trimmed.empty()) return NameProblem::empty;
  const auto code_points = decode_utf8(trimmed);  // valid: a substring on code point boundaries
  if (!code_points) return NameProblem::invalid_utf8;
  if (std::any_of(code_points->begin(), code_points->end(), [](char32_t c) { return is_control(c); })) {
    return NameProblem::control_character;
  }
  if (code_points->size() > kMaxNameCodePoints) return NameProblem::too_long;
  return std::string(trimmed);
}

}  // namespace expo::registration

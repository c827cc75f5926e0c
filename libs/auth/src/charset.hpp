#pragma once
// The character set of every identifier the auth tokens carry: URL-safe, QR-friendly, no separators.

#include <cstddef>
#include <string_view>

namespace expo::auth::detail {

inline bool is_id_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

inline bool is_id(std::string_view s, std::size_t max_length) {
  if (s.empty() || s.size() > max_length) return false;
  for (const char c : s) {
    if (!is_id_char(c)) return false;
  }
  return true;
}

}  // namespace expo::auth::detail

#include "domain/text.hpp"

#include <cstddef>
#include <cstdint>

namespace expo::registration {

namespace {

struct Decoded {
  char32_t code_point;
  std::size_t length;  // bytes consumed; 0 means invalid at this position
};

std::uint8_t byte_at(std::string_view s, std::size_t i) { return static_cast<std::uint8_t>(s[i]); }

// Decodes one code point starting at s[i]. The lead byte fixes the length and the first
// continuation byte's range, which is what excludes overlongs, surrogates and > U+10FFFF
// (RFC 3629, section 4, table of well-formed byte sequences).
Decoded decode_one(std::string_view s, std::size_t i) {
  const std::uint8_t b0 = byte_at(s, i);
  if (b0 < 0x80) return {b0, 1};
  std::size_t length = 0;
  std::uint8_t low = 0x80, high = 0xBF;  // allowed range of the second byte
  char32_t cp = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2; cp = b0 & 0x1Fu;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3; cp = b0 & 0x0Fu;
    if (b0 == 0xE0) low = 0xA0;   // overlong
    if (b0 == 0xED) high = 0x9F;  // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4; cp = b0 & 0x07u;
    if (b0 == 0xF0) low = 0x90;   // overlong
    if (b0 == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return {0, 0};
  }
  if (s.size() - i < length) return {0, 0};
  for (std::size_t k = 1; k < length; ++k) {
    const std::uint8_t b = byte_at(s, i + k);
    const std::uint8_t lo = k == 1 ? low : 0x80, hi = k == 1 ? high : 0xBF;
    if (b < lo || b > hi) return {0, 0};
    cp = (cp << 6) | (b & 0x3Fu);
  }
  return {cp, length};
}

// The start of the last code point before `end`, if the bytes there are one valid sequence.
std::optional<Decoded> decode_last(std::string_view s, std::size_t end) {
  std::size_t start = end;
  for (std::size_t n = 0; n < 4 && start > 0; ++n) {
    --start;
    if ((byte_at(s, start) & 0xC0u) != 0x80u) break;  // found a lead (or ASCII) byte
  }
  if (start == end) return std::nullopt;
  const Decoded d = decode_one(s, start);
  if (d.length == 0 || start + d.length != end) return std::nullopt;
  return d;
}

}  // namespace

std::optional<std::u32string> decode_utf8(std::string_view bytes) {
  std::u32string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    const Decoded d = decode_one(bytes, i);
    if (d.length == 0) return std::nullopt;
    out.push_back(d.code_point);
    i += d.length;
  }
  return out;
}

bool is_unicode_space(char32_t c) noexcept {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

bool is_control(char32_t c) noexcept {
  // Also the bidirectional overrides and isolates: on a printed badge they could make a name read
  // as something else.
  return c <= 0x1F || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029 || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

std::string_view trim_unicode_space(std::string_view text) noexcept {
  std::size_t begin = 0;
  while (begin < text.size()) {
    const Decoded d = decode_one(text, begin);
    if (d.length == 0 || !is_unicode_space(d.code_point)) break;
    begin += d.length;
  }
  std::size_t end = text.size();
  while (end > begin) {
    const auto d = decode_last(text, end);
    if (!d || !is_unicode_space(d->code_point)) break;
    end -= d->length;
  }
  return text.substr(begin, end - begin);
}

}  // namespace expo::registration

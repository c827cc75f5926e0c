#include "expo/auth/ids.hpp"

#include "expo/crypto/encoding.hpp"
#include "expo/crypto/random.hpp"

namespace expo::auth {

std::string new_visitor_id() { return "v" + crypto::base32_encode(crypto::random_bytes(12)); }

std::string new_short_code() {
  // Rejection sampling keeps every character equally likely: 248 = 8 * 31 is the largest multiple
  // of the alphabet size a byte can hold, so bytes 248..255 are drawn again.
  constexpr unsigned kLimit = 256 - 256 % kShortCodeAlphabet.size();
  std::string code;
  code.reserve(kShortCodeLength);
  while (code.size() < kShortCodeLength) {
    for (const char ch : crypto::random_bytes(kShortCodeLength)) {
      const auto b = static_cast<unsigned char>(ch);
      if (b >= kLimit) continue;
      code += kShortCodeAlphabet[b % kShortCodeAlphabet.size()];
      if (code.size() == kShortCodeLength) break;
    }
  }
  return code;
}

std::optional<std::string> normalize_short_code(std::string_view typed) {
  // Generous bound for spaces and dashes people add; anything longer is not a code.
  if (typed.size() > 4 * kShortCodeLength) return std::nullopt;
  std::string code;
  code.reserve(kShortCodeLength);
  for (char c : typed) {
    if (c == ' ' || c == '-') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (kShortCodeAlphabet.find(c) == std::string_view::npos) return std::nullopt;
    if (code.size() == kShortCodeLength) return std::nullopt;
    code += c;
  }
  if (code.size() != kShortCodeLength) return std::nullopt;
  return code;
}

}  // namespace expo::auth

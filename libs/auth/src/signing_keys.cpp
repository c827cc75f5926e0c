#include <string>
#include <utility>

#include "expo/auth/badge.hpp"
#include "expo/crypto/encoding.hpp"

namespace expo::auth {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Settings come from env files with a trailing newline, and people put spaces after commas.
std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

Error invalid(std::size_t position, std::string_view what) {
  return Error::permanent("invalid_signing_keys", "signing keys, entry " + std::to_string(position) + ": " +
                                                      std::string(what));
}

}  // namespace

Result<std::vector<SigningKey>> parse_signing_keys(std::string_view spec) {
  if (trim_spaces(spec).empty()) {
    return Error::permanent("invalid_signing_keys",
                            "signing keys: none configured (expected \"<key id>:<base64url secret>,...\")");
  }
  std::vector<SigningKey> keys;
  std::size_t position = 0;
  while (true) {
    ++position;
    const auto comma = spec.find(',');
    const std::string_view entry = trim_spaces(spec.substr(0, comma));
    const auto colon = entry.find(':');
    if (colon == std::string_view::npos) return invalid(position, "expected \"<key id>:<base64url secret>\"");
    const std::string_view kid = entry.substr(0, colon);
    if (!is_valid_key_id(kid)) return invalid(position, "key id must be 1-16 characters of A-Z a-z 0-9 _ -");
    for (const auto& k : keys) {
      if (k.id == kid) return invalid(position, "duplicate key id");
    }
    auto secret = crypto::base64url_decode(entry.substr(colon + 1));
    if (!secret) return invalid(position, "secret is not unpadded base64url");
    if (secret->size() < kMinSigningSecretSize) {
      return invalid(position, "secret decodes to fewer than " + std::to_string(kMinSigningSecretSize) + " bytes");
    }
    keys.push_back(SigningKey{std::string(kid), std::move(*secret)});
    if (comma == std::string_view::npos) break;
    spec.remove_prefix(comma + 1);
  }
  return keys;
}

}  // namespace expo::auth

#include "expo/auth/badge_settings.hpp"

#include <algorithm>

#include "expo/config/config.hpp"

namespace expo::auth {

void add_badge_settings(config::Schema& schema) {
  using config::Field;
  using config::Type;
  schema
      .add(Field{.key = "badge.signing_keys", .type = Type::string, .default_value = std::string(),
                 .help = "badge signing keys, 'kid:base64url-secret[,kid:secret]' (32+ random bytes each); the same "
                         "in every service that issues or verifies badges",
                 .extra_env = {"BADGE_SIGNING_KEYS"}})
      .add(Field{.key = "badge.current_key_id", .type = Type::string, .default_value = std::string(),
                 .help = "the key id new badges are signed with; empty: the first key"});
}

Result<BadgeSettings> read_badge_settings(const config::Settings& settings) {
  const auto invalid = [](std::string message) { return Error::permanent("config_invalid", std::move(message)); };
  const auto spec = settings.str("badge.signing_keys");
  if (spec.empty()) return invalid("badge.signing_keys is required (BADGE_SIGNING_KEYS=kid:base64url-secret)");
  auto keys = parse_signing_keys(spec);
  if (!keys) return invalid("badge.signing_keys: " + keys.error().message);
  BadgeSettings out{std::move(*keys), settings.str("badge.current_key_id")};
  if (out.current_key_id.empty()) out.current_key_id = out.keys.front().id;
  const bool known = std::any_of(out.keys.begin(), out.keys.end(),
                                 [&](const SigningKey& k) { return k.id == out.current_key_id; });
  if (!known) return invalid("badge.current_key_id names no key of badge.signing_keys");
  return out;
}

}  // namespace expo::auth

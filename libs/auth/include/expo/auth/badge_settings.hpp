#pragma once
// The badge settings every service that issues or verifies badges shares, declared once:
//   badge.signing_keys   (BADGE_SIGNING_KEYS)  "kid:base64url-secret[,kid:secret]", 32+ bytes each
//   badge.current_key_id                       the key new badges are signed with; empty: the first

#include <string>
#include <vector>

#include "expo/auth/badge.hpp"
#include "expo/core/result.hpp"

namespace expo::config {
class Schema;
class Settings;
}  // namespace expo::config

namespace expo::auth {

struct BadgeSettings {
  std::vector<SigningKey> keys;
  std::string current_key_id;
};

void add_badge_settings(config::Schema& schema);
// Errors (code "config_invalid") name the key and never echo a secret.
Result<BadgeSettings> read_badge_settings(const config::Settings& settings);

}  // namespace expo::auth

#pragma once
// The registration service's own settings, on top of the common ones (libs/service).

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "expo/auth/badge_settings.hpp"
#include "expo/core/result.hpp"

namespace expo::config {
class Schema;
class Settings;
}  // namespace expo::config

namespace expo::registration {

struct Settings {
  auth::BadgeSettings badge;                 // badge.signing_keys, badge.current_key_id
  std::string lookup_pepper;                 // raw bytes: keyed hashes of phones and e-mails
  std::string wrapping_key_id;               // wraps each visitor's data key before it goes to Kafka
  std::string wrapping_key;                  // 32 raw bytes
  std::int64_t rate_limit_per_minute = 10;
  std::chrono::seconds idempotency_ttl{86400};
  std::filesystem::path web_dir;
  std::string vote_base_url;
  std::string consumer_group;  // of the projection; a new group replays the topics from the start
};

void add_settings(config::Schema& schema);
// Errors (code "config_invalid") name the key and never echo a secret.
Result<Settings> read_settings(const config::Settings& settings);

}  // namespace expo::registration

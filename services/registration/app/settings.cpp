#include "app/settings.hpp"

#include <algorithm>

#include "expo/config/config.hpp"
#include "expo/crypto/encoding.hpp"

#ifndef EXPO_REGISTRATION_WEB_DIR
#error "EXPO_REGISTRATION_WEB_DIR must name the source folder of the registration pages"
#endif

namespace expo::registration {

void add_settings(config::Schema& schema) {
  using config::Field;
  using config::Type;
  schema
      .add(Field{.key = "badge.signing_keys", .type = Type::string, .default_value = std::string(),
                 .help = "badge signing keys, 'kid:base64url-secret[,kid:secret]' (32+ random bytes each); shared "
                         "with every service that verifies badges",
                 .extra_env = {"BADGE_SIGNING_KEYS"}})
      .add(Field{.key = "badge.current_key_id", .type = Type::string, .default_value = std::string(),
                 .help = "the key id new badges are signed with; empty: the first key"})
      .add(Field{.key = "privacy.lookup_pepper", .type = Type::string, .default_value = std::string(),
                 .help = "base64url secret (32+ bytes) keying the hashes phones and e-mails are looked up by"})
      .add(Field{.key = "privacy.wrapping_key", .type = Type::string, .default_value = std::string(),
                 .help = "'kid:base64url-32-bytes': wraps each visitor's data key before it is written to Kafka"})
      .add(Field{.key = "registration.rate_limit_per_minute", .type = Type::integer,
                 .default_value = std::int64_t{10}, .help = "sign-ups per client address per minute; beyond: 429",
                 .min = 1, .max = 1000000})
      .add(Field{.key = "registration.idempotency_ttl_s", .type = Type::integer, .default_value = std::int64_t{86400},
                 .help = "how long an Idempotency-Key replays its first answer", .min = 60, .max = 7 * 86400})
      .add(Field{.key = "web.dir", .type = Type::string, .default_value = std::string(EXPO_REGISTRATION_WEB_DIR),
                 .help = "folder of the page templates, strings and assets"})
      .add(Field{.key = "links.vote_base_url", .type = Type::string,
                 .default_value = std::string("http://127.0.0.1:8083"),
                 .help = "where visitors vote; the badge links to <this>/vote?token=..."})
      .add(Field{.key = "registration.consumer_group", .type = Type::string,
                 .default_value = std::string("registration"),
                 .help = "consumer group of the projection into Redis; a new group rebuilds from the start"});
}

namespace {

Error invalid(std::string message) { return Error::permanent("config_invalid", std::move(message)); }

Result<std::string> decode_secret(const config::Settings& s, const std::string& key, std::size_t min_bytes) {
  const auto text = s.str(key);
  if (text.empty()) return invalid(key + " is required (" + config::env_name(key) + ")");
  auto bytes = crypto::base64url_decode(text);
  if (!bytes || bytes->size() < min_bytes) {
    return invalid(key + " must be base64url of at least " + std::to_string(min_bytes) + " bytes (value hidden)");
  }
  return std::move(*bytes);
}

}  // namespace

Result<Settings> read_settings(const config::Settings& s) {
  Settings out;
  const auto spec = s.str("badge.signing_keys");
  if (spec.empty()) return invalid("badge.signing_keys is required (BADGE_SIGNING_KEYS=kid:base64url-secret)");
  auto keys = auth::parse_signing_keys(spec);
  if (!keys) return invalid("badge.signing_keys: " + keys.error().message);
  out.badge_keys = std::move(*keys);
  out.badge_current_key = s.str("badge.current_key_id");
  if (out.badge_current_key.empty()) out.badge_current_key = out.badge_keys.front().id;
  const bool known = std::any_of(out.badge_keys.begin(), out.badge_keys.end(),
                                 [&](const auth::SigningKey& k) { return k.id == out.badge_current_key; });
  if (!known) return invalid("badge.current_key_id names no key of badge.signing_keys");

  auto pepper = decode_secret(s, "privacy.lookup_pepper", 32);
  if (!pepper) return pepper.error();
  out.lookup_pepper = std::move(*pepper);

  const auto wrapping = s.str("privacy.wrapping_key");
  const auto colon = wrapping.find(':');
  if (wrapping.empty() || colon == std::string::npos || colon == 0) {
    return invalid("privacy.wrapping_key is required as kid:base64url-32-bytes (EXPO_PRIVACY_WRAPPING_KEY)");
  }
  auto key = crypto::base64url_decode(std::string_view(wrapping).substr(colon + 1));
  if (!key || key->size() != 32) return invalid("privacy.wrapping_key must hold exactly 32 bytes (value hidden)");
  out.wrapping_key_id = wrapping.substr(0, colon);
  out.wrapping_key = std::move(*key);

  out.rate_limit_per_minute = s.integer("registration.rate_limit_per_minute");
  out.idempotency_ttl = std::chrono::seconds(s.integer("registration.idempotency_ttl_s"));
  out.web_dir = s.str("web.dir");
  out.vote_base_url = s.str("links.vote_base_url");
  out.consumer_group = s.str("registration.consumer_group");
  return out;
}

}  // namespace expo::registration

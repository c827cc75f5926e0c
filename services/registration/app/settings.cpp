#include "app/settings.hpp"

#include "expo/config/config.hpp"
#include "expo/crypto/encoding.hpp"
#include "expo/privacy/personal_data.hpp"

#ifndef EXPO_REGISTRATION_WEB_DIR
#error "EXPO_REGISTRATION_WEB_DIR must name the source folder of the registration pages"
#endif

namespace expo::registration {

void add_settings(config::Schema& schema) {
  using config::Field;
  using config::Type;
  auth::add_badge_settings(schema);
  privacy::add_wrapping_key_setting(schema);
  schema
      .add(Field{.key = "privacy.lookup_pepper", .type = Type::string, .default_value = std::string(),
                 .help = "base64url secret (32+ bytes) keying the hashes phones and e-mails are looked up by"})
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
  auto badge = auth::read_badge_settings(s);
  if (!badge) return badge.error();
  out.badge = std::move(*badge);

  auto pepper = decode_secret(s, "privacy.lookup_pepper", 32);
  if (!pepper) return pepper.error();
  out.lookup_pepper = std::move(*pepper);

  auto wrapping = privacy::parse_wrapping_key(s.str("privacy.wrapping_key"));
  if (!wrapping) return wrapping.error();
  out.wrapping_key_id = std::move(wrapping->id);
  out.wrapping_key = std::move(wrapping->key);

  out.rate_limit_per_minute = s.integer("registration.rate_limit_per_minute");
  out.idempotency_ttl = std::chrono::seconds(s.integer("registration.idempotency_ttl_s"));
  out.web_dir = s.str("web.dir");
  out.vote_base_url = s.str("links.vote_base_url");
  out.consumer_group = s.str("registration.consumer_group");
  return out;
}

}  // namespace expo::registration

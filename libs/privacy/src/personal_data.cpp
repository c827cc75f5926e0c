#include "expo/privacy/personal_data.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "expo/config/config.hpp"
#include "expo/crypto/aead.hpp"
#include "expo/crypto/encoding.hpp"

namespace expo::privacy {
namespace {

std::string personal_aad(std::string_view visitor_id) { return "personal|" + std::string(visitor_id); }
std::string key_aad(std::string_view visitor_id) { return "data-key|" + std::string(visitor_id); }

Error unreadable() { return Error::permanent("personal_data_unreadable", "the personal data cannot be read"); }

}  // namespace

std::string seal_personal(const PersonalData& data, std::string_view data_key, std::string_view visitor_id) {
  boost::json::object fields;
  fields["name"] = data.name;
  if (data.phone) fields["phone"] = *data.phone;
  if (data.email) fields["email"] = *data.email;
  return crypto::base64url_encode(crypto::seal(data_key, boost::json::serialize(fields), personal_aad(visitor_id)));
}

Result<PersonalData> open_personal(std::string_view sealed, std::string_view data_key, std::string_view visitor_id) {
  const auto bytes = crypto::base64url_decode(sealed);
  if (!bytes) return unreadable();
  auto plain = crypto::open(data_key, *bytes, personal_aad(visitor_id));
  if (!plain) return unreadable();
  boost::system::error_code ec;
  const auto value = boost::json::parse(*plain, ec);
  if (ec || !value.is_object()) return unreadable();
  const auto& fields = value.as_object();
  PersonalData out;
  if (const auto* name = fields.if_contains("name"); name && name->is_string()) out.name = name->as_string();
  if (const auto* phone = fields.if_contains("phone"); phone && phone->is_string()) out.phone = std::string(phone->as_string());
  if (const auto* email = fields.if_contains("email"); email && email->is_string()) out.email = std::string(email->as_string());
  return out;
}

std::string wrap_data_key(std::string_view wrapping_key, std::string_view data_key, std::string_view visitor_id) {
  return crypto::base64url_encode(crypto::seal(wrapping_key, data_key, key_aad(visitor_id)));
}

Result<std::string> unwrap_data_key(std::string_view wrapping_key, std::string_view wrapped,
                                    std::string_view visitor_id) {
  const auto bytes = crypto::base64url_decode(wrapped);
  if (!bytes) return unreadable();
  auto key = crypto::open(wrapping_key, *bytes, key_aad(visitor_id));
  if (!key || key->size() != 32) return unreadable();
  return std::move(*key);
}

std::string first_name(std::string_view name) {
  const auto space = name.find(' ');
  return std::string(name.substr(0, space));
}

void add_wrapping_key_setting(config::Schema& schema) {
  schema.add(config::Field{.key = "privacy.wrapping_key", .type = config::Type::string,
                           .default_value = std::string(),
                           .help = "'kid:base64url-32-bytes': wraps each visitor's data key (visitor-keys.v1)"});
}

Result<WrappingKey> parse_wrapping_key(std::string_view setting) {
  const auto colon = setting.find(':');
  if (setting.empty() || colon == std::string_view::npos || colon == 0) {
    return Error::permanent("config_invalid",
                            "privacy.wrapping_key is required as kid:base64url-32-bytes (EXPO_PRIVACY_WRAPPING_KEY)");
  }
  auto key = crypto::base64url_decode(setting.substr(colon + 1));
  if (!key || key->size() != 32) {
    return Error::permanent("config_invalid", "privacy.wrapping_key must hold exactly 32 bytes (value hidden)");
  }
  return WrappingKey{std::string(setting.substr(0, colon)), std::move(*key)};
}

}  // namespace expo::privacy

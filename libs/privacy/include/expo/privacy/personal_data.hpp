#pragma once
// Personal data is encrypted with a key of its visitor's own (crypto-shredding): the sealed fields
// travel in visitors.v1 and sit in Redis, the visitor's data key travels wrapped in the compacted
// topic visitor-keys.v1. Erasure deletes the key (a tombstone in Kafka, DEL in Redis), after which
// neither the log nor a rebuild from it can reveal the name, phone or e-mail.

#include <optional>
#include <string>
#include <string_view>

#include "expo/core/result.hpp"

namespace expo::privacy {

struct PersonalData {
  std::string name;
  std::optional<std::string> phone;  // E.164
  std::optional<std::string> email;
};

// base64url(AES-256-GCM(data_key, {"name","phone","email"})), bound to the visitor id.
std::string seal_personal(const PersonalData& data, std::string_view data_key, std::string_view visitor_id);
Result<PersonalData> open_personal(std::string_view sealed, std::string_view data_key, std::string_view visitor_id);

// The data key sealed with the service's wrapping key, bound to the visitor id (base64url).
std::string wrap_data_key(std::string_view wrapping_key, std::string_view data_key, std::string_view visitor_id);
Result<std::string> unwrap_data_key(std::string_view wrapping_key, std::string_view wrapped,
                                    std::string_view visitor_id);

// The first word of a name, for a greeting ("Siti" of "Siti Nurhaliza").
std::string first_name(std::string_view name);

// The wrapping key setting, "kid:base64url-32-bytes". Errors (code "config_invalid") never echo it.
struct WrappingKey {
  std::string id;
  std::string key;  // 32 raw bytes
};
Result<WrappingKey> parse_wrapping_key(std::string_view setting);

}  // namespace expo::privacy

namespace expo::config {
class Schema;
}

namespace expo::privacy {

// Declares privacy.wrapping_key (EXPO_PRIVACY_WRAPPING_KEY) for services that seal or open personal data.
void add_wrapping_key_setting(config::Schema& schema);

}  // namespace expo::privacy

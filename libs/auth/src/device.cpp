#include "expo/auth/device.hpp"

#include "expo/crypto/encoding.hpp"
#include "expo/crypto/hash.hpp"
#include "expo/crypto/random.hpp"

namespace expo::auth {

DeviceCredential new_device_credential() {
  DeviceCredential c;
  c.device_id = "d" + crypto::base32_encode(crypto::random_bytes(10));
  c.key = "dk_" + crypto::base64url_encode(crypto::random_bytes(32));
  c.key_hash = device_key_hash(c.key);
  return c;
}

std::string device_key_hash(std::string_view key) { return crypto::hex_encode(crypto::sha256(key)); }

}  // namespace expo::auth

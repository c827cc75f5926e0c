#include "expo/auth/lookup_hash.hpp"

#include <stdexcept>

#include "expo/crypto/encoding.hpp"
#include "expo/crypto/hash.hpp"

namespace expo::auth {

std::string lookup_hash(std::string_view pepper, std::string_view purpose, std::string_view value) {
  if (pepper.empty()) throw std::invalid_argument("lookup_hash: empty pepper");
  if (purpose.empty() || purpose.find('\n') != std::string_view::npos) {
    throw std::invalid_argument("lookup_hash: purpose must be non-empty and free of newlines");
  }
  std::string message;
  message.reserve(purpose.size() + 1 + value.size());
  message.append(purpose).append("\n").append(value);
  return crypto::hex_encode(std::string_view(crypto::hmac_sha256(pepper, message)).substr(0, 16));
}

}  // namespace expo::auth

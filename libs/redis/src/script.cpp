#include "expo/redis/script.hpp"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace expo::redis {
namespace {

std::string sha1_hex(const std::string& text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  // EVP rather than SHA1(): the low-level digest functions are deprecated in OpenSSL 3.
  if (EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha1(), nullptr) != 1) {
    // Only possible when OpenSSL cannot allocate; a Script without its SHA is unusable.
    throw std::runtime_error("SHA1 of a Redis script failed");
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0x0f];
  }
  return out;
}

}  // namespace

Script::Script(std::string source) {
  auto sha = sha1_hex(source);
  body_ = std::make_shared<const Body>(Body{std::move(source), std::move(sha)});
}

}  // namespace expo::redis

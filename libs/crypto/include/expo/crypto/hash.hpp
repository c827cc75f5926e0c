#pragma once
// SHA-256, HMAC-SHA256 and constant-time comparison. Inputs and outputs are raw bytes in
// std::string; use expo/crypto/encoding.hpp for text forms.
//
// Thread-safety: all functions are reentrant and may be called concurrently.

#include <string>
#include <string_view>

namespace expo::crypto {

// 32 raw bytes.
std::string sha256(std::string_view data);

// 32 raw bytes (RFC 2104 / RFC 4231). Any key length works, including empty.
std::string hmac_sha256(std::string_view key, std::string_view data);

// Compares contents in time that depends only on the length (CRYPTO_memcmp). Different lengths give
// false at once: lengths are not secret for the values compared here (MAC tags, key hashes).
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace expo::crypto

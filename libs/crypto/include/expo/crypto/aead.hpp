#pragma once
// Authenticated encryption with AES-256-GCM, for small values such as personal fields encrypted with
// a per-visitor key.
//
// Sealed format: nonce (12 random bytes) || ciphertext (as long as the plaintext) || tag (16 bytes).
// The nonce is random per call, so one key must not seal more than about 2^32 messages (NIST SP
// 800-38D); per-visitor and per-purpose keys stay far below that.
//
// Thread-safety: both functions are reentrant and may be called concurrently.

#include <cstddef>
#include <string>
#include <string_view>

#include "expo/core/result.hpp"

namespace expo::crypto {

inline constexpr std::size_t kAeadKeySize = 32;
inline constexpr std::size_t kAeadNonceSize = 12;
inline constexpr std::size_t kAeadTagSize = 16;
inline constexpr std::size_t kAeadOverhead = kAeadNonceSize + kAeadTagSize;

// A fresh random 32-byte key.
std::string new_aead_key();

// aad (associated data) is authenticated but not encrypted: bind the context (e.g. "visitor|<id>")
// so a sealed value cannot be moved to another record. Throws std::invalid_argument if key32 is not
// 32 bytes (a programming error).
std::string seal(std::string_view key32, std::string_view plaintext, std::string_view aad);

// The plaintext, or Error code "crypto_open_failed" (not retryable) when the key or aad differ, any
// byte was changed, or the input is shorter than the overhead. The message never says which.
// Throws std::invalid_argument if key32 is not 32 bytes.
Result<std::string> open(std::string_view key32, std::string_view sealed, std::string_view aad);

}  // namespace expo::crypto

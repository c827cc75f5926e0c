#pragma once
// Cryptographically secure random bytes: the one place the project draws randomness from.
//
// Thread-safety: safe to call from any thread (OpenSSL 3's default RAND is thread-safe).

#include <cstddef>
#include <string>

namespace expo::crypto {

// n bytes from OpenSSL's CSPRNG (RAND_bytes). If the generator fails (it cannot seed, which leaves
// no safe way to issue ids, keys or nonces) the process writes a message to stderr and aborts:
// that is not a condition a caller can recover from, and carrying on would risk predictable secrets.
std::string random_bytes(std::size_t n);

}  // namespace expo::crypto

#pragma once
// Keyed lookup hashes, so phones and e-mails can be found (dedupe) without ever being stored as plain
// Redis keys. Keyed, not a bare hash: phone numbers are few enough to enumerate, so whoever reads
// Redis without the pepper learns nothing.
//
// Thread-safety: pure; may be called concurrently.

#include <string>
#include <string_view>

namespace expo::auth {

// hex(first 16 bytes of HMAC-SHA256(pepper, purpose + "\n" + value)): 32 lowercase hex characters.
// purpose separates uses ("phone", "email") so equal values in different roles do not collide.
// Throws std::invalid_argument for an empty pepper or a purpose that is empty or holds '\n' (that
// would make the input ambiguous); both come from code and configuration, not from users.
// value should already be normalised (E.164 phone, lowercased e-mail) by the caller.
std::string lookup_hash(std::string_view pepper, std::string_view purpose, std::string_view value);

}  // namespace expo::auth

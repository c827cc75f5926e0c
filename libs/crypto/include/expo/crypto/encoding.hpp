#pragma once
// Text encodings of raw bytes. Decoders are strict so one byte string has exactly one accepted text
// form: a token that differs in any character is a different (and for MACs, invalid) token.
//
// Thread-safety: all functions are pure and may be called concurrently.

#include <optional>
#include <string>
#include <string_view>

namespace expo::crypto {

// RFC 4648 section 5 ("base64url"), without '=' padding.
std::string base64url_encode(std::string_view bytes);
// Rejects padding, any character outside [A-Za-z0-9_-], a length of 1 modulo 4, and non-zero unused
// trailing bits (non-canonical forms).
std::optional<std::string> base64url_decode(std::string_view text);

// Lowercase hex.
std::string hex_encode(std::string_view bytes);
// Accepts upper and lower case; rejects odd lengths and non-hex characters.
std::optional<std::string> hex_decode(std::string_view text);

// RFC 4648 section 6 bit grouping (5 bits a character, most significant first, the last character
// zero-filled) with Crockford's alphabet in lowercase ("0123456789abcdefghjkmnpqrstvwxyz"), no
// padding: ceil(8 * n / 5) characters. For opaque ids; nothing parses them back.
std::string base32_encode(std::string_view bytes);

}  // namespace expo::crypto

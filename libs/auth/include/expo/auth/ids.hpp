#pragma once
// Random identifiers handed to visitors: the opaque visitor id and the short code people type when a
// camera cannot read the QR.
//
// Thread-safety: all functions may be called concurrently (randomness from expo::crypto).

#include <optional>
#include <string>
#include <string_view>

namespace expo::auth {

// "v" + 20 lowercase Crockford base32 characters of 96 random bits, e.g. "v3k9x0c8m2q4r7t1b5n6p".
// Opaque: it encodes nothing about the visitor.
std::string new_visitor_id();

// The 31 characters a short code is made of: no 0/O, 1/I/L, so a typed code is never ambiguous.
inline constexpr std::string_view kShortCodeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
inline constexpr std::size_t kShortCodeLength = 8;

// 8 characters drawn uniformly from kShortCodeAlphabet (31^8, about 2^39.6 codes). Not unique by
// itself: the issuer must check for a collision before handing one out.
std::string new_short_code();

// What a person typed, as the canonical code: letters uppercased, spaces and dashes dropped.
// nullopt unless exactly 8 characters of kShortCodeAlphabet remain.
std::optional<std::string> normalize_short_code(std::string_view typed);

}  // namespace expo::auth

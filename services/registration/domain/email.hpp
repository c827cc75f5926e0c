#pragma once
// E-mail addresses: a practical subset of RFC 5321/5322 that every mail system delivers to, so a typo
// is caught at the desk rather than by a bounce.
//
// Thread-safety: pure function; call from any thread.

#include <optional>
#include <string>
#include <string_view>

namespace expo::registration {

// After trimming Unicode spaces at both ends:
// - at most 254 characters (RFC 5321's path limit minus the angle brackets), ASCII only;
// - exactly one '@';
// - local part 1-64 characters of RFC 5322 dot-atom: letters, digits and ! # $ % & ' * + - / = ? ^ _ `
//   { | } ~, with dots only between them (no leading, trailing or double dot). Quoted local parts,
//   spaces, quotes and brackets are refused: legal in theory, but almost always a paste error;
// - domain: at least two labels separated by dots, each 1-63 of [A-Za-z0-9-] not starting or ending
//   with '-'; the last (the TLD) alphabetic, at least 2 letters. No IP literals, no trailing dot;
//   internationalised domains must be given in their xn-- form.
// Returns the address with the domain lower-cased (domains are case-insensitive) and the local part
// kept as typed (it may be case-sensitive on the receiving server); nullopt if not acceptable.
std::optional<std::string> normalize_email(std::string_view typed);

}  // namespace expo::registration

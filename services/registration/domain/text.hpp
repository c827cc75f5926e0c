#pragma once
// UTF-8 helpers for the visitor's free-text fields: strict decoding, Unicode whitespace trimming and
// the control characters a name must not carry (they break badges, logs and CSV exports).
//
// Thread-safety: pure functions over their arguments; call from any thread.

#include <optional>
#include <string>
#include <string_view>

namespace expo::registration {

// Strict UTF-8 (RFC 3629): rejects overlong forms, surrogates (U+D800-DFFF), code points above
// U+10FFFF and truncated or stray continuation bytes. nullopt for anything invalid.
std::optional<std::u32string> decode_utf8(std::string_view bytes);

// Unicode White_Space: U+0009-000D, U+0020, U+0085, U+00A0, U+1680, U+2000-200A, U+2028, U+2029,
// U+202F, U+205F, U+3000.
bool is_unicode_space(char32_t c) noexcept;

// C0 (U+0000-001F), DEL (U+007F), C1 (U+0080-009F), the line/paragraph separators U+2028/2029,
// and the bidirectional overrides and isolates U+202A-202E, U+2066-2069.
bool is_control(char32_t c) noexcept;

// Drops whole, validly encoded White_Space characters from both ends; stops at the first byte that
// is not one (so invalid UTF-8 is left in place for the caller to reject). The result views `text`.
std::string_view trim_unicode_space(std::string_view text) noexcept;

}  // namespace expo::registration

#pragma once
// Phone numbers as people type them in Indonesia, normalised to E.164 ("+6281234567890") so the
// same phone written two ways is one phone (duplicate sign-ups are found by it).
//
// Thread-safety: pure function; call from any thread.

#include <optional>
#include <string>
#include <string_view>

namespace expo::registration {

// Accepts, after trimming Unicode spaces at both ends and ignoring ASCII spaces, '-', '.', '(' and ')':
//   0<NSN>   Indonesian national form ("0812-3456-7890", "(0341) 591234")      -> +62<NSN>
//   62<NSN>  Indonesian number without the plus ("6281234567890")              -> +62<NSN>
//   +62<NSN> international form, also with the trunk 0 ("+62 (0)812 3456 7890") or in parentheses
//            ("(+62) 812-3456-7890")                                            -> +62<NSN>
//   +<cc><n> any other country: first digit 1-9, 8-15 digits in all (E.164)   -> +<cc><n>
// where an Indonesian national significant number (NSN) is either
//   mobile:   8, then 1-9 (080x is toll-free/premium, not a subscriber), 9-12 digits in all;
//   landline: area code starting 2-7 or 9 (e.g. 21 Jakarta, 341 Malang), 8-11 digits in all.
// Anything else is nullopt: letters, other symbols, a '+' after a digit or a second '+', a bare NSN
// ("812...", ambiguous), international call prefixes ("00", "001"), more than 40 characters of input.
std::optional<std::string> normalize_phone(std::string_view typed);

}  // namespace expo::registration

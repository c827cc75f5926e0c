#pragma once
// The audit of the boards: the final tally, the topic offsets it covers, and a SHA-256 over a
// canonical text of both, so anyone can recount from the Kafka log and compare one hash.
//
// Canonical text (format "expo-leaderboard-audit-v1"; README.md has a worked example and Python):
//   one line per fact, each ending with "\n", fields separated by one space:
//     offset <topic> <partition> <next_offset>
//     innovation <innovation_id> <period> <votes> <voided>
//     booth <booth_id> <period> <checkins> <unique_visitors>
//   - numbers in decimal, no leading zeros or '+' ('-' only if a count were ever negative);
//   - <period> is an event day "YYYY-MM-DD" or "all" (the whole event);
//   - <next_offset> is the offset of the first message NOT covered (last applied offset + 1);
//   - text fields keep the bytes A-Z a-z 0-9 . _ - and write any other byte as %XX (uppercase hex),
//     so a field never holds a space or a newline (event ids and topic names never need it);
//   - a line whose numbers are all 0 is left out: "nothing counted" and "not listed" are one fact,
//     however the counter stored it;
//   - the lines are sorted bytewise (so "booth" < "innovation" < "offset") and concatenated;
//     an empty tally is the empty text.
// The hash is SHA-256 over the text's bytes, in lowercase hex.
//
// Thread-safety: pure functions.

#include <compare>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace expo::leaderboard {

inline constexpr std::string_view kAuditFormat = "expo-leaderboard-audit-v1";
inline constexpr std::string_view kWholeEvent = "all";  // the period of whole-event counts

struct Tally {
  struct Partition {
    std::string topic;
    std::int32_t partition = 0;
    friend auto operator<=>(const Partition&, const Partition&) = default;
  };
  struct Key {
    std::string id;
    std::string period;  // "YYYY-MM-DD" (an event day) or kWholeEvent
    friend auto operator<=>(const Key&, const Key&) = default;
  };
  struct Votes {
    std::int64_t votes = 0;   // votes that count (voided ones excluded)
    std::int64_t voided = 0;  // votes cast in the period that a void took off
    bool all_zero() const { return votes == 0 && voided == 0; }  // such facts are left out
  };
  struct Visits {
    std::int64_t checkins = 0;
    std::int64_t unique_visitors = 0;
    bool all_zero() const { return checkins == 0 && unique_visitors == 0; }  // such facts are left out
  };

  std::map<Partition, std::int64_t> offsets;  // -> next offset (first message not covered)
  std::map<Key, Votes> innovations;           // innovation id and the day the vote was cast
  std::map<Key, Visits> booths;               // booth id and the day of the check-in
};

// The facts the text and hash cover, in a form a report can show: the non-zero ones, each as its line
// without the "\n", in canonical (sorted) order.
std::vector<std::string> canonical_lines(const Tally& tally);
std::string canonical_text(const Tally& tally);
// Lowercase hex SHA-256 of canonical_text(tally).
std::string audit_hash(const Tally& tally);

// A text field as the canonical form writes it: bytes outside [A-Za-z0-9._-] as %XX.
std::string canonical_field(std::string_view text);

}  // namespace expo::leaderboard

#pragma once
// The vote ledger: how a projection of votes.v1 (and the voids on admin.v1) counts votes in Redis.
// The voting service keeps one (audits, exports), the leaderboard one per board generation; both
// count with this one Lua text, so a vote is counted, voided or repeated the same way everywhere.
//
// All keys of a ledger live under one prefix, which carries the hash tag (e.g. "{vote-ledger}:" or
// "{lb}:g7:"): a void rewrites many votes in one atomic script, so they share a slot.
//   <prefix>votes                hash: vote_id -> "state|at_ms|day|innovation|visitor|device|reason"
//                                (state counted | voided | repeat; reason only when voided)
//   <prefix>first                hash: "<visitor>|<innovation>" -> the vote_id that counts for the pair
//   <prefix>by-visitor           hash: visitor -> its first votes' ids, space-separated (a set: order means nothing)
//                                (one hash: visitors are many with a few votes each, and a rebuild
//                                writes it a thousand fields a command instead of a key a visitor)
//   <prefix>by-device:<id>       set of the tablet's first votes (tablets are few with many votes each)
//   <prefix>voids                hash: "visitor:<id>" | "device:<id>" -> "<at_ms>|<reason>" (latest void)
//   a counts hash, named by the user: "votes|<innovation>|<period>" and "voided|<innovation>|<period>",
//                                period = the vote's event day "YYYY-MM-DD" and "all" (whole event)
//
// Vote ids are plain (events::is_plain_id, checked by events::votes::read), so a space separates them.
//
// Rules (events::votes::voids() states the voiding rule): a vote_id seen before changes nothing; the
// first vote of a visitor for an innovation counts, a later one with another id is a repeat and counts
// nowhere; a void covers its target's first votes cast at or before it, whichever arrives first.
//
// Use: the script's effect is `lua_functions()` followed by the user's dispatch, which calls
// `ledger(KEYS, ARGV)` for the 'cast' and 'void' entries made here (see BatchScript in
// expo/projection/batch_apply.hpp); the finish chunk is `lua_finish()` (plus the user's own). The
// functions defined:
//   count(key, field, delta)   adds to the batch's sums (written once per field by lua_finish())
//   count_period(key, what, id, day, delta)   count() for "<what>|<id>|<day>" and "<what>|<id>|all"
//   ledger(KEYS, ARGV)         applies a cast or void entry; answers the new vote's state for a cast
//                              ('counted' | 'voided' | 'repeat'), nil for a vote seen before or a void
// A user may append keys and arguments after an entry's own (its effect sees them at the positions
// cast_keys/void_keys and cast_args/void_args give).
//
// The leaderboard's services/leaderboard/domain/board_model.hpp keeps the same keys in memory, by these
// rules, for its bulk rebuild: a change to the Lua is a change there too.
//
// Thread-safety: pure functions.

#include <cstddef>
#include <string>
#include <string_view>

#include "expo/events/votes.hpp"
#include "expo/projection/batch_encoding.hpp"

namespace expo::kafka {
struct Message;
}

namespace expo::vote_ledger {

// KEYS and ARGV counts of the entries below (an effect finds appended ones after these).
inline constexpr std::size_t cast_keys = 6, cast_args = 7;
inline constexpr std::size_t void_keys = 4, void_args = 4;

std::string_view lua_functions();
std::string_view lua_finish();

// The entries for a vote and a void read from `message` (a view of its topic: use while it is valid).
// `counts_key` is the hash the counts go to (under the same hash tag as `prefix`).
projection::Entry cast_entry(const std::string& prefix, const std::string& counts_key, const kafka::Message& message,
                             const events::votes::Cast& vote);
projection::Entry void_entry(const std::string& prefix, const std::string& counts_key, const kafka::Message& message,
                             const events::votes::Voided& v);

// The counts hash's field for `what` ("votes" | "voided"), an innovation and a period.
std::string count_field(std::string_view what, std::string_view id, std::string_view period);

// The ledger's key names under `prefix` (the layout above): the entries above name their keys with
// these, and so does a writer that fills a ledger in bulk (the leaderboard's rebuild).
namespace keys {
std::string votes(std::string_view prefix);
std::string first(std::string_view prefix);
std::string by_visitor(std::string_view prefix);
std::string by_device(std::string_view prefix, std::string_view device_id);
std::string voids(std::string_view prefix);
}  // namespace keys

}  // namespace expo::vote_ledger

#pragma once
// The body of GET /v1/leaderboards/audit (callers may add members, e.g. the event id or whether the
// boards are frozen):
//   {"format":"expo-leaderboard-audit-v1", "sha256":"<hex>",
//    "offsets":[{topic, partition, next_offset}],
//    "innovations":[{innovation_id, day, votes, voided}],
//    "booths":[{booth_id, day, checkins, unique_visitors}],
//    "canonical_text":"<the hashed text>"}
// `day` is "YYYY-MM-DD" or "all". The arrays list exactly the facts the hash covers (all-zero ones are
// left out, as in the canonical text), ordered by key (topic then partition; id then day).
//
// Thread-safety: pure function.

#include <boost/json/object.hpp>

#include "domain/audit.hpp"

namespace expo::leaderboard {

boost::json::object audit_json(const Tally& tally);

}  // namespace expo::leaderboard

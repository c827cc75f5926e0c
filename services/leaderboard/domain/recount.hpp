#pragma once
// The audit's tally (audit.hpp) recounted in memory from the Kafka log: an implementation of the
// counting rules independent of the live Redis projection, so a recount of checkins.v1, votes.v1
// and admin.v1 can be compared with GET /v1/leaderboards/audit by one hash. The two must agree on
// every rule (README.md, "What a recount counts"):
//   - a check-in counts once per (visitor, booth, day); a day's unique visitors are its check-ins,
//     the whole event's are the distinct visitors of the booth over all days;
//   - a vote_cast whose vote_id was seen changes nothing; only the first vote of a (visitor,
//     innovation) pair counts, a later one with another vote_id counts nowhere;
//   - a void covers the votes of its visitor or device cast at or before it (as instants), whichever
//     arrives first: a covered vote moves from `votes` to `voided` on its day and on "all".
// Events are applied in the order given; the result does not depend on whether a vote or a void
// covering it comes first.
//
// Thread-safety: a Recount is a plain value, not synchronised: one thread at a time.
// apply_record is reentrant over distinct Recounts.

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "domain/audit.hpp"
#include "expo/core/result.hpp"
#include "expo/events/votes.hpp"

namespace expo::leaderboard {

class Recount {
 public:
  // Every message read from checkins.v1, votes.v1 or admin.v1, whatever its content (an event not
  // counted, a malformed one): the tally covers it. next_offset = offset + 1, the max per partition.
  void note_position(std::string_view topic, std::int32_t partition, std::int64_t offset);

  // A checked_in event of checkins.v1. A repeat of the same triple (a producer retry written twice)
  // counts once.
  void checked_in(std::string_view visitor_id, std::string_view booth_id, std::string_view day);

  // A vote_cast of votes.v1. Its time is events::votes::instant_ms(vote.at); a vote whose time does
  // not parse is never covered by a void (as events::votes::voids).
  void vote_cast(const events::votes::Cast& vote);

  // A votes_voided of admin.v1: its targets are "visitor:<visitor_id>" and "device:<device_id>",
  // each when set (events::votes::read lets exactly one through). A void whose time does not parse
  // covers nothing.
  void votes_voided(const events::votes::Voided& void_event);

  const Tally& tally() const { return tally_; }

 private:
  // A first vote of its (visitor, innovation) pair that was counted; `voided` once a void took it off.
  struct CountedVote {
    std::string innovation_id;
    std::string day;
    std::int64_t at_ms = 0;
    bool voided = false;
  };

  void add_vote(const std::string& innovation_id, const std::string& day, std::int64_t votes, std::int64_t voided);
  bool covered(const events::votes::Cast& vote, std::int64_t at_ms) const;
  void void_target(const std::string& target, std::int64_t at_ms);

  Tally tally_;
  std::set<std::tuple<std::string, std::string, std::string>, std::less<>> checkins_;  // visitor, booth, day
  std::set<std::pair<std::string, std::string>, std::less<>> booth_visitors_;          // booth, visitor
  std::set<std::string, std::less<>> vote_ids_;
  std::set<std::pair<std::string, std::string>, std::less<>> voted_pairs_;             // visitor, innovation
  std::map<std::string, std::int64_t, std::less<>> latest_void_ms_;                    // target -> max time
  std::vector<CountedVote> counted_;
  // target -> indices into counted_ of its votes still counting (pruned as voids take them off, so a
  // target's later voids only look at what is left).
  std::map<std::string, std::vector<std::size_t>, std::less<>> counting_by_target_;
};

// One raw record of the log applied to a Recount, the decoding the recount tool and the tests share:
//   - records of topics other than checkins.v1, votes.v1 and admin.v1 change nothing (the audit
//     covers those three); every record of these three has its position noted, whatever follows;
//   - checkins.v1: events::checkins::read; a checked_in (visitor_id, booth_id, day) counts, other
//     types are noted only;
//   - votes.v1 and admin.v1: events::votes::read; vote_cast and votes_voided count (from either
//     topic, as the voting service's ledger reads them), other types (voting_opened/closed, the
//     devices' events) are noted only;
//   - a day must read YYYY-MM-DD (digits and '-'), so no record can write into the "all" lines.
// Errors: code "event_invalid" for a malformed record (not an envelope, a required field missing or
// empty, a day not YYYY-MM-DD); it is skipped, its position noted, and the recount goes on. Messages
// name fields, never contents; the caller counts them and logs topic/partition/offset.
Result<void> apply_record(Recount& recount, std::string_view topic, std::int32_t partition, std::int64_t offset,
                          std::string_view value);

}  // namespace expo::leaderboard

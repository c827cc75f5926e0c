#pragma once
// The voting messages, written by the voting service and read by every projection of them (the
// voting service's own ledger, the leaderboard), built and read in this one place.
//   votes.v1  vote_cast {vote_id, visitor_id, innovation_id, booth_id, region_id, day, device_id,
//             client_event_id}; occurred_at is the time the vote was accepted
//   admin.v1  voting_opened {}, voting_closed {}: operations switch voting on and off;
//             votes_voided {void_id, visitor_id | device_id, reason}: every vote of that visitor or
//             device cast at or before the void's occurred_at stops counting (see voids())
// Thread-safe: plain functions.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "expo/core/result.hpp"
#include "expo/events/envelope.hpp"

namespace expo::events::votes {

struct Cast {
  std::string vote_id, visitor_id, innovation_id, booth_id, region_id, day, device_id, client_event_id;
  std::string at;  // occurred_at
};
struct VotingSwitched {
  bool open = false;
};
struct Voided {
  std::string void_id;
  std::string visitor_id;  // exactly one of visitor_id and device_id is set
  std::string device_id;
  std::string reason;
  std::string at;  // occurred_at
};

Envelope cast(const Cast& vote);
Envelope voting_switched(bool open, std::string occurred_at);
Envelope voided(const Voided& void_event);

// Another type (e.g. the devices' events on admin.v1) reads as monostate.
using Message = std::variant<std::monostate, Cast, VotingSwitched, Voided>;
// Errors: "event_invalid" for a value that is not an envelope, or a vote/void missing a field.
Result<Message> read(std::string_view value);
// The same for an envelope a reader has already decoded (admin.v1 carries other events too).
Result<Message> read(const Envelope& event);

// The voiding rule every projection applies, whatever order it sees the two in: a void covers the
// votes of its visitor or device that were cast at or before it. Times are compared as instants
// (milliseconds since the epoch of their occurred_at).
std::int64_t instant_ms(std::string_view rfc3339);  // -1 when the text is not an RFC 3339 time
bool voids(const Voided& void_event, const Cast& vote);

}  // namespace expo::events::votes

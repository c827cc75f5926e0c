#pragma once
// The voting rules, pure: no Kafka, Redis or HTTP. Given what is known about a visitor and the
// moment, a vote is accepted or refused with a stable code. The service applies the same decision
// atomically in Redis (one script per vote); this module is its specification and is table-tested.
//
// Checks, in order: the innovation exists; voting is open (not closed by operations, an event day,
// within opening hours); the visitor has not voted for it before (whole event); the visitor has
// checked in at its booth (any day so far); the visitor has votes left today (event days are cut at
// local midnight).

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <variant>

namespace expo::model {
struct Event;
}

namespace expo::voting {

enum class Refusal { unknown_innovation, voting_closed, already_voted, not_checked_in, daily_quota_exhausted };

// The stable code of a refusal, as the API answers it ("already_voted", ...).
std::string_view code(Refusal refusal);

// What is known about one visitor when they vote.
struct VoterState {
  std::set<std::string, std::less<>> booths_visited;      // booth ids checked in at, any day
  std::set<std::string, std::less<>> innovations_voted;   // the whole event
  std::map<std::size_t, int> votes_by_day;                // event day index -> votes cast that day
};

struct Accepted {
  std::size_t day = 0;      // the event day the vote counts on
  int remaining_today = 0;  // after this vote
};

using Decision = std::variant<Accepted, Refusal>;

Decision decide(const model::Event& event, bool closed_by_operations, const VoterState& voter,
                std::string_view innovation_id, std::chrono::system_clock::time_point now);

}  // namespace expo::voting

#pragma once
// What one visitor sees when voting: the day, the votes left, the booths they checked in at and the
// innovations they already voted for. Answered by GET /v1/votes/me and rendered by GET /vote.

#include <optional>
#include <set>
#include <string>

namespace expo::voting {

struct Ballot {
  std::string visitor_id;
  std::string badge_token;             // the page sends it back with each vote
  std::optional<std::size_t> day;      // today's event day index; none outside the event's days
  bool open = false;                   // voting open right now (an event day, opening hours, not closed)
  int votes_per_day = 0;
  int remaining_today = 0;             // 0 outside the event's days
  std::set<std::string, std::less<>> booths_visited;     // booth ids, any day so far
  std::set<std::string, std::less<>> innovations_voted;  // the whole event
};

}  // namespace expo::voting

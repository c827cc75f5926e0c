#include "domain/rules.hpp"

#include "expo/event_model/event.hpp"

namespace expo::voting {

std::string_view code(Refusal refusal) {
  switch (refusal) {
    case Refusal::unknown_innovation: return "unknown_innovation";
    case Refusal::voting_closed: return "voting_closed";
    case Refusal::already_voted: return "already_voted";
    case Refusal::not_checked_in: return "not_checked_in";
    case Refusal::daily_quota_exhausted: return "daily_quota_exhausted";
  }
  return "voting_closed";
}

Decision decide(const model::Event& event, bool closed_by_operations, const VoterState& voter,
                std::string_view innovation_id, std::chrono::system_clock::time_point now) {
  const auto* innovation = event.find_innovation(innovation_id);
  if (innovation == nullptr) return Refusal::unknown_innovation;
  const auto day = event.day_index(now);
  // is_open covers both: an event day, and opening hours on it.
  if (closed_by_operations || !day || !event.is_open(now)) return Refusal::voting_closed;
  if (voter.innovations_voted.contains(innovation_id)) return Refusal::already_voted;
  if (!voter.booths_visited.contains(innovation->booth_id)) return Refusal::not_checked_in;
  const auto cast = voter.votes_by_day.find(*day);
  const int today = cast == voter.votes_by_day.end() ? 0 : cast->second;
  if (today >= event.votes_per_day) return Refusal::daily_quota_exhausted;
  return Accepted{*day, event.votes_per_day - today - 1};
}

}  // namespace expo::voting

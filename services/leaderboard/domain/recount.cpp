#include "domain/recount.hpp"

#include <algorithm>
#include <variant>

#include "expo/events/checkins.hpp"
#include "expo/events/topics.hpp"

namespace expo::leaderboard {
namespace {

std::string visitor_target(std::string_view id) { return "visitor:" + std::string(id); }
std::string device_target(std::string_view id) { return "device:" + std::string(id); }

}  // namespace

void Recount::note_position(std::string_view topic, std::int32_t partition, std::int64_t offset) {
  auto& next = tally_.offsets[{std::string(topic), partition}];
  next = std::max(next, offset + 1);
}

void Recount::checked_in(std::string_view visitor_id, std::string_view booth_id, std::string_view day) {
  if (!checkins_.emplace(std::string(visitor_id), std::string(booth_id), std::string(day)).second) return;
  auto& on_day = tally_.booths[{std::string(booth_id), std::string(day)}];
  on_day.checkins += 1;
  on_day.unique_visitors += 1;  // the triple is new, so the visitor is new at this booth that day
  auto& whole = tally_.booths[{std::string(booth_id), std::string(kWholeEvent)}];
  whole.checkins += 1;
  if (booth_visitors_.emplace(std::string(booth_id), std::string(visitor_id)).second) whole.unique_visitors += 1;
}

void Recount::add_vote(const std::string& innovation_id, const std::string& day, std::int64_t votes,
                       std::int64_t voided) {
  for (const auto& period : {day, std::string(kWholeEvent)}) {
    auto& line = tally_.innovations[{innovation_id, period}];
    line.votes += votes;
    line.voided += voided;
  }
}

bool Recount::covered(const events::votes::Cast& vote, std::int64_t at_ms) const {
  if (at_ms < 0) return false;
  const auto covers = [&](const std::string& target) {
    const auto found = latest_void_ms_.find(target);
    return found != latest_void_ms_.end() && found->second >= at_ms;
  };
  return covers(visitor_target(vote.visitor_id)) || (!vote.device_id.empty() && covers(device_target(vote.device_id)));
}

void Recount::vote_cast(const events::votes::Cast& vote) {
  if (!vote_ids_.insert(vote.vote_id).second) return;                           // the same vote again
  if (!voted_pairs_.emplace(vote.visitor_id, vote.innovation_id).second) return;  // a repeat: counts nowhere
  const auto at_ms = events::votes::instant_ms(vote.at);
  if (covered(vote, at_ms)) {
    add_vote(vote.innovation_id, vote.day, 0, 1);
    return;
  }
  add_vote(vote.innovation_id, vote.day, 1, 0);
  if (at_ms < 0) return;  // no void can ever cover it, so no target needs to find it
  const auto index = counted_.size();
  counted_.push_back({vote.innovation_id, vote.day, at_ms, false});
  counting_by_target_[visitor_target(vote.visitor_id)].push_back(index);
  if (!vote.device_id.empty()) counting_by_target_[device_target(vote.device_id)].push_back(index);
}

void Recount::void_target(const std::string& target, std::int64_t at_ms) {
  auto [latest, inserted] = latest_void_ms_.try_emplace(target, at_ms);
  if (!inserted) latest->second = std::max(latest->second, at_ms);  // a late void with an earlier time lowers nothing
  const auto found = counting_by_target_.find(target);
  if (found == counting_by_target_.end()) return;
  std::erase_if(found->second, [&](std::size_t index) {
    auto& vote = counted_[index];
    if (vote.voided) return true;  // taken off through its other target (visitor or device)
    if (vote.at_ms > latest->second) return false;
    vote.voided = true;
    add_vote(vote.innovation_id, vote.day, -1, 1);
    return true;
  });
  if (found->second.empty()) counting_by_target_.erase(found);
}

void Recount::votes_voided(const events::votes::Voided& void_event) {
  const auto at_ms = events::votes::instant_ms(void_event.at);
  if (at_ms < 0) return;
  if (!void_event.visitor_id.empty()) void_target(visitor_target(void_event.visitor_id), at_ms);
  if (!void_event.device_id.empty()) void_target(device_target(void_event.device_id), at_ms);
}

Result<void> apply_record(Recount& recount, std::string_view topic, std::int32_t partition, std::int64_t offset,
                          std::string_view value) {
  const bool checkins = topic == events::topics::checkins;
  if (!checkins && topic != events::topics::votes && topic != events::topics::admin) return {};
  recount.note_position(topic, partition, offset);

  if (checkins) {
    auto checkin = events::checkins::read(value);
    if (!checkin) return checkin.error();
    if (!*checkin) return {};  // another type of event: covered, not counted
    const auto& c = **checkin;
    recount.checked_in(c.visitor_id, c.booth_id, c.day);
    return {};
  }
  auto message = events::votes::read(value);
  if (!message) return message.error();
  if (const auto* vote = std::get_if<events::votes::Cast>(&*message)) {
    recount.vote_cast(*vote);
  } else if (const auto* void_event = std::get_if<events::votes::Voided>(&*message)) {
    recount.votes_voided(*void_event);
  }
  return {};
}

}  // namespace expo::leaderboard

#include "domain/board_model.hpp"

#include <array>
#include <charconv>
#include <optional>
#include <variant>

#include "expo/events/topics.hpp"

namespace expo::leaderboard {
namespace {

// "YYYY-MM-DDTHH:MM..." cut to `length` bytes ("unknown" for a shorter text), appended to `out`.
void append_cut(std::string& out, std::string_view at, std::size_t length) {
  out.append(at.size() >= length ? at.substr(0, length) : std::string_view("unknown"));
}

std::string cut(std::string_view at, std::size_t length) {
  std::string out;
  append_cut(out, at, length);
  return out;
}

// The votes hash's value, as the Lua's table.concat writes it.
std::string vote_record(std::string_view state, std::string_view at_ms, std::string_view day,
                        std::string_view innovation, std::string_view visitor, std::string_view device,
                        std::string_view reason) {
  std::string out;
  out.reserve(state.size() + at_ms.size() + day.size() + innovation.size() + visitor.size() + device.size() +
              reason.size() + 6);
  for (const auto part : {state, at_ms, day, innovation, visitor, device}) out.append(part).append("|");
  out.append(reason);
  return out;
}

bool letters(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  }
  return true;
}

// A vote record as the void's Lua reads it back:
//   string.match(record, '^(%a+)|(%-?%d+)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|')
// i.e. the first six '|'-separated fields, a seventh '|' required, the state letters only and the
// time an optionally negative integer. The views point into `record`.
struct VoteFields {
  std::string_view state, at, day, innovation, visitor, device;
  std::int64_t at_ms = 0;
};

std::optional<VoteFields> read_vote_record(std::string_view record) {
  std::array<std::string_view, 6> parts;
  std::size_t pos = 0;
  for (auto& part : parts) {
    const auto bar = record.find('|', pos);
    if (bar == std::string_view::npos) return std::nullopt;
    part = record.substr(pos, bar - pos);
    pos = bar + 1;
  }
  VoteFields f{parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]};
  if (!letters(f.state)) return std::nullopt;
  const auto digits = f.at.substr(!f.at.empty() && f.at.front() == '-' ? 1 : 0);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  // The records hold std::to_string of an int64, so the number always fits.
  if (std::from_chars(f.at.data(), f.at.data() + f.at.size(), f.at_ms).ec != std::errc()) return std::nullopt;
  return f;
}

}  // namespace

std::string activity_hour(std::string_view at) { return cut(at, 13); }
std::string activity_minute(std::string_view at) { return cut(at, 16); }

std::string BoardModel::Void::value() const { return std::to_string(at_ms) + "|" + reason; }

BoardModel::Guard& BoardModel::guard_of(std::string_view topic) {
  return topic == events::topics::checkins ? checkins_guard_ : ledger_guard_;
}

BoardModel::Guard BoardModel::guard() const {
  auto guard = checkins_guard_;
  guard.insert(ledger_guard_.begin(), ledger_guard_.end());  // other topics: the two never share a key
  return guard;
}

void BoardModel::note_position(std::string_view topic, std::int32_t partition, std::int64_t offset) {
  auto [last, inserted] = guard_of(topic).try_emplace(Tally::Partition{std::string(topic), partition}, offset);
  if (!inserted && offset > last->second) last->second = offset;
}

std::int64_t BoardModel::applied(std::string_view topic, std::int32_t partition) const {
  const auto& guard = topic == events::topics::checkins ? checkins_guard_ : ledger_guard_;
  const auto found = guard.find(Tally::Partition{std::string(topic), partition});
  return found == guard.end() ? -1 : found->second;
}

void BoardModel::count(Counters& counters, const std::string& field, std::int64_t delta) {
  auto found = counters.find(std::string_view(field));
  if (found == counters.end()) {
    if (delta != 0) counters.emplace(field, delta);
    return;
  }
  found->second += delta;
  if (found->second == 0) counters.erase(found);
}

void BoardModel::count_period(std::string_view what, std::string_view id, std::string_view day, std::int64_t delta) {
  for (const auto period : {day, kWholeEvent}) {
    ledger_scratch_.assign(what).append("|").append(id).append("|").append(period);
    count(vote_counts_, ledger_scratch_, delta);
  }
}

std::uint32_t BoardModel::visitor_index(std::string_view id) {
  const auto found = visitor_index_.find(id);
  if (found != visitor_index_.end()) return found->second;
  const auto index = static_cast<std::uint32_t>(visitors_.size());
  visitors_.emplace_back(id);
  visitor_index_.emplace(std::string_view(visitors_.back()), index);
  return index;
}

std::uint32_t BoardModel::add_set(std::string booth, std::string period) {
  checkin_sets_.push_back({std::move(booth), std::move(period), {}});
  return static_cast<std::uint32_t>(checkin_sets_.size() - 1);
}

bool BoardModel::add_to_set(std::uint32_t set, std::uint32_t visitor) {
  if (!members_.insert(std::uint64_t{set} << 32 | visitor).second) return false;
  checkin_sets_[set].visitors.push_back(visitor);
  return true;
}

void BoardModel::checked_in(const events::checkins::CheckedIn& c) {
  // The Lua: SADD ck:<booth>:<day>; only when the visitor is new there, +1 to checkins|<booth>|<day>,
  // checkins|<booth>|all and unique|<booth>|<day>, then SADD ck:<booth>:all (+1 to unique|<booth>|all
  // when new there) and +1 to the hour's activity. The counters are kept with their sets and booths
  // (the fields are named once, by counts() and activity()); a "day" of "all" meets the whole
  // event's set and counters, as the Lua's keys and fields would.
  auto booth = booths_.find(std::string_view(c.booth_id));
  if (booth == booths_.end()) {
    booth = booths_.emplace(c.booth_id, Booth{}).first;
    booth->second.whole_event = add_set(c.booth_id, std::string(kWholeEvent));
    booth->second.sets.emplace(std::string(kWholeEvent), booth->second.whole_event);
  }
  auto day = booth->second.sets.find(std::string_view(c.day));
  if (day == booth->second.sets.end()) day = booth->second.sets.emplace(c.day, add_set(c.booth_id, c.day)).first;
  const auto visitor = visitor_index(c.visitor_id);
  if (!add_to_set(day->second, visitor)) return;
  auto& on_day = checkin_sets_[day->second];
  on_day.checkins += 1;
  on_day.unique += 1;
  auto& whole = checkin_sets_[booth->second.whole_event];
  whole.checkins += 1;
  if (add_to_set(booth->second.whole_event, visitor)) whole.unique += 1;
  checkin_scratch_.clear();
  append_cut(checkin_scratch_, c.at, 13);
  count(booth->second.hours, checkin_scratch_, 1);
}

BoardModel::Counters BoardModel::counts() const {
  auto counts = vote_counts_;
  // Fields are summed: two sets could name one field only through ids holding '|', as in Redis.
  const auto add = [&](std::string_view what, const CheckInSet& set, std::int64_t value) {
    if (value != 0) counts[std::string(what).append("|").append(set.booth).append("|").append(set.period)] += value;
  };
  for (const auto& set : checkin_sets_) {
    add("checkins", set, set.checkins);
    add("unique", set, set.unique);
  }
  return counts;
}

BoardModel::Counters BoardModel::activity() const {
  auto activity = minutes_;
  for (const auto& [booth, b] : booths_) {
    for (const auto& [hour, count] : b.hours) activity["hour|" + booth + "|" + hour] += count;
  }
  return activity;
}

const std::string* BoardModel::covering(std::int64_t at_ms) const {
  const auto found = voids_.find(std::string_view(ledger_scratch_));
  if (found == voids_.end() || found->second.at_ms < at_ms) return nullptr;
  return &found->second.reason;
}

void BoardModel::vote_cast(const events::votes::Cast& v) {
  // One lookup a table (try_emplace copies the key only when it is new); the record is filled last.
  const auto [vote, fresh] = votes_.try_emplace(v.vote_id);
  if (!fresh) return;  // HEXISTS: the same vote again
  const auto at_ms = events::votes::instant_ms(v.at);
  std::string_view state = "counted";
  std::string reason;
  ledger_scratch_.assign(v.visitor_id).append("|").append(v.innovation_id);
  if (!first_.try_emplace(ledger_scratch_, v.vote_id).second) {
    state = "repeat";  // HSETNX first found the pair: counts nowhere, in no set
  } else {
    ledger_scratch_.assign("visitor:").append(v.visitor_id);
    const std::string* why = covering(at_ms);
    if (!why && !v.device_id.empty()) {
      ledger_scratch_.assign("device:").append(v.device_id);
      why = covering(at_ms);
    }
    if (why) {
      state = "voided";
      reason = *why;
    }
    by_visitor_.try_emplace(v.visitor_id).first->second.push_back(v.vote_id);
    if (!v.device_id.empty()) by_device_.try_emplace(v.device_id).first->second.push_back(v.vote_id);
  }
  vote->second = vote_record(state, std::to_string(at_ms), v.day, v.innovation_id, v.visitor_id, v.device_id, reason);
  if (state == "counted") count_period("votes", v.innovation_id, v.day, 1);
  if (state == "voided") count_period("voided", v.innovation_id, v.day, 1);
  ledger_scratch_.assign("minute|");
  append_cut(ledger_scratch_, v.at, 16);
  count(minutes_, ledger_scratch_, 1);  // every new vote_id, a repeat too
}

void BoardModel::votes_voided(const events::votes::Voided& v) {
  const bool of_visitor = !v.visitor_id.empty();
  const auto target = of_visitor ? "visitor:" + v.visitor_id : "device:" + v.device_id;
  const auto at_ms = events::votes::instant_ms(v.at);
  // The latest void is kept: replaced only by a strictly later one.
  auto [latest, inserted] = voids_.try_emplace(target, Void{at_ms, v.reason});
  if (!inserted && at_ms > latest->second.at_ms) latest->second = Void{at_ms, v.reason};
  const auto& sets = of_visitor ? by_visitor_ : by_device_;
  const auto set = sets.find(of_visitor ? v.visitor_id : v.device_id);
  if (set == sets.end()) return;
  // Every first vote of the target still counting and cast at or before this void (its own time, as
  // the Lua compares; a later void already took off what an earlier-timed one would).
  for (const auto& id : set->second) {
    const auto vote = votes_.find(id);
    if (vote == votes_.end()) continue;
    const auto f = read_vote_record(vote->second);
    if (!f || f->state != "counted" || f->at_ms > at_ms) continue;
    auto rewritten = vote_record("voided", f->at, f->day, f->innovation, f->visitor, f->device, v.reason);
    count_period("votes", f->innovation, f->day, -1);
    count_period("voided", f->innovation, f->day, 1);
    vote->second = std::move(rewritten);  // last: the fields viewed the old record
  }
}

Tally BoardModel::tally() const {
  Tally tally;
  for (const auto& [position, last] : guard()) tally.offsets[position] = last + 1;
  // "<what>|<id>|<period>", split at the first and the last '|' as app/boards_view.cpp reads Redis.
  for (const auto& [field, value] : counts()) {
    const auto first = field.find('|');
    const auto last = field.rfind('|');
    if (first == std::string::npos || first == last) continue;
    const std::string_view what(field.data(), first);
    Tally::Key key{field.substr(first + 1, last - first - 1), field.substr(last + 1)};
    if (what == "votes") tally.innovations[key].votes = value;
    if (what == "voided") tally.innovations[key].voided = value;
    if (what == "checkins") tally.booths[key].checkins = value;
    if (what == "unique") tally.booths[key].unique_visitors = value;
  }
  return tally;
}

bool BoardModel::apply(const BoardRecord& record) {
  if (record.offset <= applied(record.topic, record.partition)) return false;  // the guard: applied already
  note_position(record.topic, record.partition, record.offset);
  if (const auto* checkin = std::get_if<events::checkins::CheckedIn>(&record.event)) {
    checked_in(*checkin);
  } else if (const auto* vote = std::get_if<events::votes::Cast>(&record.event)) {
    vote_cast(*vote);
  } else if (const auto* void_event = std::get_if<events::votes::Voided>(&record.event)) {
    votes_voided(*void_event);
  }
  return true;
}

std::optional<BoardRecord> decode_record(std::string_view topic, std::int32_t partition, std::int64_t offset,
                                         std::string_view value) {
  BoardRecord record{.topic = {}, .partition = partition, .offset = offset};
  if (topic == events::topics::checkins) {
    record.topic = events::topics::checkins;
    auto checkin = events::checkins::read(value);
    if (!checkin) {
      record.malformed = checkin.error();
    } else if (*checkin) {
      record.event = std::move(**checkin);
    }  // else another type of event: covered, not counted
    return record;
  }
  if (topic == events::topics::votes) {
    record.topic = events::topics::votes;
  } else if (topic == events::topics::admin) {
    record.topic = events::topics::admin;
  } else {
    return std::nullopt;
  }
  auto message = events::votes::read(value);
  if (!message) {
    record.malformed = message.error();
  } else if (auto* vote = std::get_if<events::votes::Cast>(&*message)) {
    record.event = std::move(*vote);
  } else if (auto* void_event = std::get_if<events::votes::Voided>(&*message)) {
    record.event = std::move(*void_event);
  }
  return record;
}

Result<void> apply_record(BoardModel& model, std::string_view topic, std::int32_t partition, std::int64_t offset,
                          std::string_view value) {
  // The guard first: a record applied already is not even decoded.
  if (offset <= model.applied(topic, partition)) return {};
  const auto record = decode_record(topic, partition, offset, value);
  if (!record || !model.apply(*record)) return {};
  if (record->malformed) return *record->malformed;
  return {};
}

}  // namespace expo::leaderboard

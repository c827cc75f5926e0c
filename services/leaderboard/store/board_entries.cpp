#include "store/board_entries.hpp"

#include "domain/board_model.hpp"
#include "expo/core/log.hpp"
#include "expo/events/topics.hpp"
#include "expo/kafka/consumer.hpp"
#include "expo/kafka/tracing.hpp"
#include "expo/vote_ledger/ledger.hpp"

namespace expo::leaderboard {
namespace {

// Every entry ends with KEYS {lb}:current and ARGV the generation it writes ('' for a rebuild's):
// once per script call (all of whose entries write one generation) the projection's writes check that
// their generation is still live, so nothing is counted into a generation a rebuild just replaced.
//   checkin  KEYS: the booth's visitors that day, over the event, counts, activity, current.
//            ARGV: 'checkin', visitor, booth, day, hour ("YYYY-MM-DDTHH", local), generation.
//   cast     the vote ledger's KEYS and ARGV, then KEYS activity, current; ARGV minute, generation.
//   void     the vote ledger's, then KEYS current; ARGV generation.
//   skip     KEYS current; ARGV 'skip', generation (a message that counts nothing).
// domain/board_model.hpp keeps exactly what this (and the vote ledger's Lua) writes, in memory, for
// the rebuild's bulk write: a change here is a change there (tests/integration/leaderboard_bulk).
constexpr std::string_view dispatch_lua = R"lua(
if not batch.checked then
  local expected = ARGV[#ARGV]
  if expected ~= '' and call('GET', KEYS[#KEYS]) ~= expected then error('generation_changed') end
  batch.checked = true
end
local kind = ARGV[1]
if kind == 'checkin' then
  local visitor, booth, day = ARGV[2], ARGV[3], ARGV[4]
  if call('SADD', KEYS[1], visitor) == 1 then
    count_period(KEYS[3], 'checkins', booth, day, 1)
    count(KEYS[3], 'unique|' .. booth .. '|' .. day, 1)
    if call('SADD', KEYS[2], visitor) == 1 then count(KEYS[3], 'unique|' .. booth .. '|all', 1) end
    count(KEYS[4], 'hour|' .. booth .. '|' .. ARGV[5], 1)
  end
elseif kind == 'cast' or kind == 'void' then
  local state = ledger(KEYS, ARGV)
  if state and kind == 'cast' then count(KEYS[7], 'minute|' .. ARGV[8], 1) end
end
)lua";

void skip(const kafka::Message& message, const Error& error) { kafka::log_skipped(message, error.message); }

std::string generation_arg(const Generation& g) { return g.must_be_live ? std::to_string(g.number) : std::string(); }

}  // namespace

std::vector<BoardMessage> decode_board_messages(std::span<const kafka::Message> messages) {
  std::vector<BoardMessage> out;
  out.reserve(messages.size());
  for (const auto& message : messages) {
    BoardMessage decoded{.message = &message};
    if (message.topic == events::topics::checkins) {
      auto read = events::checkins::read(message.value);
      if (!read) {
        skip(message, read.error());
      } else if (*read) {
        decoded.event = std::move(**read);
      }
    } else if (message.topic == events::topics::votes || message.topic == events::topics::admin) {
      auto read = events::votes::read(message.value);
      if (!read) {
        skip(message, read.error());
      } else if (auto* cast = std::get_if<events::votes::Cast>(&*read)) {
        decoded.event = std::move(*cast);
      } else if (auto* voided = std::get_if<events::votes::Voided>(&*read)) {
        decoded.event = std::move(*voided);
      }
    }
    out.push_back(std::move(decoded));
  }
  return out;
}

std::vector<projection::Entry> board_entries(std::span<const BoardMessage> messages, const Generation& generation) {
  const auto prefix = generation.prefix();
  const auto counts = keys::counts(generation);
  const auto activity = keys::activity(generation);
  const auto current = keys::current();
  const auto gen = generation_arg(generation);
  std::vector<projection::Entry> entries;
  entries.reserve(messages.size());
  for (const auto& m : messages) {
    const auto& message = *m.message;
    if (const auto* c = std::get_if<events::checkins::CheckedIn>(&m.event)) {
      entries.push_back(projection::entry_for(
          message,
          {keys::visitors_of(generation, c->booth_id, c->day), keys::visitors_of(generation, c->booth_id, "all"),
           counts, activity, current},
          {"checkin", c->visitor_id, c->booth_id, c->day, activity_hour(c->at), gen}));
    } else if (const auto* vote = std::get_if<events::votes::Cast>(&m.event)) {
      auto entry = vote_ledger::cast_entry(prefix, counts, message, *vote);
      entry.keys.push_back(activity);
      entry.keys.push_back(current);
      entry.args.push_back(activity_minute(vote->at));
      entry.args.push_back(gen);
      entries.push_back(std::move(entry));
    } else if (const auto* voided = std::get_if<events::votes::Voided>(&m.event)) {
      auto entry = vote_ledger::void_entry(prefix, counts, message, *voided);
      entry.keys.push_back(current);
      entry.args.push_back(gen);
      entries.push_back(std::move(entry));
    } else {
      entries.push_back(projection::entry_for(message, {current}, {"skip", gen}));
    }
  }
  return entries;
}

const projection::BatchScript& board_script() {
  static const projection::BatchScript script(std::string(vote_ledger::lua_functions()) + std::string(dispatch_lua),
                                              vote_ledger::lua_finish());
  return script;
}

}  // namespace expo::leaderboard

#include "expo/vote_ledger/ledger.hpp"

#include "expo/kafka/consumer.hpp"
#include "expo/projection/batch_apply.hpp"

namespace expo::vote_ledger {
namespace {

// Sums per counts key and field live in `batch` (the batched script's per-call table) until
// lua_finish() writes them: one HINCRBY per field and call instead of one per vote.
constexpr std::string_view functions_lua = R"lua(
local call = redis.call
local function count(key, field, delta)
  local sums = batch.counts
  if not sums then sums = {}; batch.counts = sums end
  local fields = sums[key]
  if not fields then fields = {}; sums[key] = fields end
  fields[field] = (fields[field] or 0) + delta
end
local function count_period(key, what, id, day, delta)
  count(key, what .. '|' .. id .. '|' .. day, delta)
  count(key, what .. '|' .. id .. '|all', delta)
end
local function ledger(KEYS, ARGV)
  if ARGV[1] == 'cast' then
    -- KEYS: votes, first, by-visitor (hash), the tablet's set, voids, counts.
    -- ARGV: 'cast', vote_id, visitor, device ('' from a phone), innovation, day, at_ms.
    local vote_id, visitor, device, innovation, day, at_text = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
    if call('HEXISTS', KEYS[1], vote_id) == 1 then return nil end
    local at = tonumber(at_text)
    local state, reason = 'counted', ''
    if call('HSETNX', KEYS[2], visitor .. '|' .. innovation, vote_id) == 0 then
      state = 'repeat'
    else
      -- The latest void of the visitor or the tablet covers the vote when it is not earlier.
      local function covering(target)
        local v = call('HGET', KEYS[5], target)
        if not v then return nil end
        local void_at, why = string.match(v, '^(%-?%d+)|(.*)$')
        if tonumber(void_at) >= at then return why end
        return nil
      end
      local why = covering('visitor:' .. visitor)
      if not why and device ~= '' then why = covering('device:' .. device) end
      if why then state, reason = 'voided', why end
      -- Only first votes are listed: a void has nothing to take off a repeat. A visitor's few ids
      -- are one field of one hash (a key per visitor would cost a rebuild a command each).
      local listed = call('HGET', KEYS[3], visitor)
      call('HSET', KEYS[3], visitor, listed and (listed .. ' ' .. vote_id) or vote_id)
      if device ~= '' then call('SADD', KEYS[4], vote_id) end
    end
    call('HSET', KEYS[1], vote_id, table.concat({state, at_text, day, innovation, visitor, device, reason}, '|'))
    if state == 'counted' then count_period(KEYS[6], 'votes', innovation, day, 1)
    elseif state == 'voided' then count_period(KEYS[6], 'voided', innovation, day, 1) end
    return state
  elseif ARGV[1] == 'void' then
    -- KEYS: voids, the target's votes (by-visitor hash | the tablet's set), votes, counts.
    -- ARGV: 'void', target ("visitor:<id>" | "device:<id>"), at_ms, reason.
    local at = tonumber(ARGV[3])
    local current = call('HGET', KEYS[1], ARGV[2])
    local current_at = current and tonumber(string.match(current, '^(%-?%d+)|')) or nil
    if not current_at or at > current_at then call('HSET', KEYS[1], ARGV[2], ARGV[3] .. '|' .. ARGV[4]) end
    local ids
    if string.sub(ARGV[2], 1, 8) == 'visitor:' then
      ids = {}
      for id in string.gmatch(call('HGET', KEYS[2], string.sub(ARGV[2], 9)) or '', '%S+') do ids[#ids + 1] = id end
    else
      ids = call('SMEMBERS', KEYS[2])
    end
    for _, id in ipairs(ids) do
      local state, at_text, day, innovation, visitor, device =
        string.match(call('HGET', KEYS[3], id) or '', '^(%a+)|(%-?%d+)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|')
      if state == 'counted' and tonumber(at_text) <= at then
        call('HSET', KEYS[3], id, table.concat({'voided', at_text, day, innovation, visitor, device, ARGV[4]}, '|'))
        count_period(KEYS[4], 'votes', innovation, day, -1)
        count_period(KEYS[4], 'voided', innovation, day, 1)
      end
    end
  end
  return nil
end
)lua";

constexpr std::string_view finish_lua = R"lua(
local sums = batch.counts
if sums then
  for key, fields in pairs(sums) do
    for field, delta in pairs(fields) do
      if delta ~= 0 then redis.call('HINCRBY', key, field, delta) end
    end
  end
end
)lua";

}  // namespace

std::string_view lua_functions() { return functions_lua; }
std::string_view lua_finish() { return finish_lua; }

projection::Entry cast_entry(const std::string& prefix, const std::string& counts_key, const kafka::Message& message,
                             const events::votes::Cast& v) {
  // A vote from a phone has no device: its by-device key is never written (the effect checks), but a
  // key must still stand at that position.
  return projection::entry_for(message,
                               {keys::votes(prefix), keys::first(prefix), keys::by_visitor(prefix),
                                keys::by_device(prefix, v.device_id), keys::voids(prefix), counts_key},
                               {"cast", v.vote_id, v.visitor_id, v.device_id, v.innovation_id, v.day,
                                std::to_string(events::votes::instant_ms(v.at))});
}

projection::Entry void_entry(const std::string& prefix, const std::string& counts_key, const kafka::Message& message,
                             const events::votes::Voided& v) {
  const bool by_visitor = !v.visitor_id.empty();
  const auto target = by_visitor ? "visitor:" + v.visitor_id : "device:" + v.device_id;
  const auto listed = by_visitor ? keys::by_visitor(prefix) : keys::by_device(prefix, v.device_id);
  return projection::entry_for(message, {keys::voids(prefix), listed, keys::votes(prefix), counts_key},
                               {"void", target, std::to_string(events::votes::instant_ms(v.at)), v.reason});
}

std::string count_field(std::string_view what, std::string_view id, std::string_view period) {
  std::string field;
  field.reserve(what.size() + id.size() + period.size() + 2);
  field.append(what).append("|").append(id).append("|").append(period);
  return field;
}

namespace keys {
std::string votes(std::string_view prefix) { return std::string(prefix) + "votes"; }
std::string first(std::string_view prefix) { return std::string(prefix) + "first"; }
std::string by_visitor(std::string_view prefix) { return std::string(prefix) + "by-visitor"; }
std::string by_device(std::string_view prefix, std::string_view device_id) {
  return std::string(prefix).append("by-device:").append(device_id);
}
std::string voids(std::string_view prefix) { return std::string(prefix) + "voids"; }
}  // namespace keys

}  // namespace expo::vote_ledger

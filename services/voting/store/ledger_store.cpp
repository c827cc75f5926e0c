#include "store/ledger_store.hpp"

#include "expo/kafka/consumer.hpp"
#include "expo/projection/batch_apply.hpp"
#include "expo/redis/client.hpp"

namespace expo::voting {
namespace {

const std::string prefix = "{vote-ledger}:";
const std::string guard_key = prefix + "applied";
const std::string voids_key = prefix + "voids";
const std::string tally_key = prefix + "tally";
const std::string voided_key = prefix + "voided";
const std::string order_key = prefix + "order";
const std::string vote_prefix = prefix + "vote:";
const std::string flagged_key = "vote:flagged";

std::string device_badges_key(const std::string& device_id) { return "vote:{dev:" + device_id + "}:badges"; }

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One effect for both kinds of ledger message (ARGV[1]: 'cast' or 'void'), run per message by the
// batched guard (libs/projection batch_apply.hpp).
//  cast  KEYS: vote, first, by-visitor, by-device, voids, tally, voided, order.
//        ARGV: 'cast', vote_id, visitor, device ('' from a phone), innovation, booth, region, day, at, at_ms.
//        The voiding test follows events::votes::voids(): a void at or after the vote covers it.
//  void  KEYS: voids, the target's vote set, tally, voided. ARGV: 'void', target ("visitor:<id>" |
//        "device:<id>"), at_ms, reason, the vote key prefix. The votes' keys are named from the set:
//        they share its slot.
const projection::BatchScript& ledger_script() {
  static const projection::BatchScript script(R"lua(
if ARGV[1] == 'cast' then
  local vote_id, visitor, device, innovation, at = ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[10])
  if redis.call('EXISTS', KEYS[1]) == 1 then return end
  local state, reason = 'counted', ''
  local first = redis.call('HGET', KEYS[2], innovation)
  if first and first ~= vote_id then
    state = 'repeat'
  else
    redis.call('HSET', KEYS[2], innovation, vote_id)
    local function covering(target)
      local v = redis.call('HGET', KEYS[5], target)
      if not v then return nil end
      local void_at, why = string.match(v, '^(%-?%d+)|(.*)$')
      if tonumber(void_at) >= at then return why end
      return nil
    end
    local why = covering('visitor:' .. visitor)
    if not why and device ~= '' then why = covering('device:' .. device) end
    if why then state, reason = 'voided', why end
  end
  redis.call('HSET', KEYS[1], 'visitor', visitor, 'device', device, 'innovation', innovation, 'booth', ARGV[6],
             'region', ARGV[7], 'day', ARGV[8], 'at', ARGV[9], 'at_ms', ARGV[10], 'state', state, 'reason', reason)
  redis.call('SADD', KEYS[3], vote_id)
  if device ~= '' then redis.call('SADD', KEYS[4], vote_id) end
  redis.call('RPUSH', KEYS[8], vote_id)
  if state == 'counted' then redis.call('HINCRBY', KEYS[6], innovation, 1)
  elseif state == 'voided' then redis.call('HINCRBY', KEYS[7], innovation, 1) end
elseif ARGV[1] == 'void' then
  local at = tonumber(ARGV[3])
  local current = redis.call('HGET', KEYS[1], ARGV[2])
  local current_at = current and tonumber(string.match(current, '^(%-?%d+)|')) or nil
  if not current_at or at > current_at then redis.call('HSET', KEYS[1], ARGV[2], ARGV[3] .. '|' .. ARGV[4]) end
  for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
    local k = ARGV[5] .. id
    local v = redis.call('HMGET', k, 'state', 'at_ms', 'innovation')
    if v[1] == 'counted' and tonumber(v[2]) <= at then
      redis.call('HSET', k, 'state', 'voided', 'reason', ARGV[4])
      redis.call('HINCRBY', KEYS[3], v[3], -1)
      redis.call('HINCRBY', KEYS[4], v[3], 1)
    end
  end
end
)lua");
  return script;
}

// KEYS: tally, voided. Both hashes at one moment.
const redis::Script& tally_script() {
  static const redis::Script script("return {redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2])}");
  return script;
}

// KEYS: the device's badges. ARGV: visitor, now_ms, window_ms. Returns the distinct badges in the window.
const redis::Script& device_vote_script() {
  static const redis::Script script(R"lua(
local now, window = tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('PEXPIRE', KEYS[1], window)
return redis.call('ZCARD', KEYS[1])
)lua");
  return script;
}

}  // namespace

LedgerStore::LedgerStore(std::shared_ptr<redis::Client> redis, std::shared_ptr<redis::Client> sync_redis)
    : redis_(std::move(redis)), sync_redis_(std::move(sync_redis)) {}

projection::Entry LedgerStore::cast_entry(const kafka::Message& message, const events::votes::Cast& v) {
  const auto by_device = v.device_id.empty() ? prefix + "by-device:" : prefix + "by-device:" + v.device_id;
  return projection::entry_for(
      message,
      {vote_prefix + v.vote_id, prefix + "first:" + v.visitor_id, prefix + "by-visitor:" + v.visitor_id, by_device,
       voids_key, tally_key, voided_key, order_key},
      {"cast", v.vote_id, v.visitor_id, v.device_id, v.innovation_id, v.booth_id, v.region_id, v.day, v.at,
       std::to_string(events::votes::instant_ms(v.at))});
}

projection::Entry LedgerStore::voided_entry(const kafka::Message& message, const events::votes::Voided& v) {
  const bool by_visitor = !v.visitor_id.empty();
  const auto target = by_visitor ? "visitor:" + v.visitor_id : "device:" + v.device_id;
  const auto set = by_visitor ? prefix + "by-visitor:" + v.visitor_id : prefix + "by-device:" + v.device_id;
  return projection::entry_for(message, {voids_key, set, tally_key, voided_key},
                               {"void", target, std::to_string(events::votes::instant_ms(v.at)), v.reason, vote_prefix});
}

Result<void> LedgerStore::apply_sync(std::span<const projection::Entry> entries) {
  if (entries.empty()) return {};
  auto applied = projection::apply_batch_sync(*sync_redis_, ledger_script(), guard_key, entries);
  if (!applied) return applied.error();
  return {};
}

void LedgerStore::tally(std::function<void(Result<Tally>)> done) {
  redis_->eval(tally_script(), {tally_key, voided_key}, {}, [done = std::move(done)](Result<redis::Reply> reply) {
    if (!reply) return done(reply.error());
    if (reply->elements.size() != 2) {
      return done(Error::permanent("redis_unexpected_reply", "unexpected reply from the tally script"));
    }
    Tally t;
    for (int which = 0; which < 2; ++which) {
      const auto& e = reply->elements[which].elements;
      for (std::size_t i = 0; i + 1 < e.size(); i += 2) {
        auto& row = t.innovations[e[i].str];
        (which == 0 ? row.votes : row.voided) = std::stoll(e[i + 1].str);
      }
    }
    done(std::move(t));
  });
}

void LedgerStore::note_device_vote(const std::string& device_id, const std::string& visitor_id,
                                   std::chrono::seconds window, int threshold,
                                   std::function<void(Result<std::int64_t>)> done) {
  const auto now = now_ms();
  redis_->eval(device_vote_script(), {device_badges_key(device_id)},
               {visitor_id, std::to_string(now), std::to_string(window.count() * 1000)},
               [self = redis_, device_id, threshold, now, done = std::move(done)](Result<redis::Reply> reply) {
                 if (!reply) return done(reply.error());
                 const auto distinct = static_cast<std::int64_t>(reply->integer);
                 if (distinct < threshold) return done(distinct);
                 self->command({"HSET", flagged_key, device_id, std::to_string(distinct) + "|" + std::to_string(now)},
                               [distinct, done](Result<redis::Reply> flagged) {
                                 if (!flagged) return done(flagged.error());
                                 done(distinct);
                               });
               });
}

void LedgerStore::flagged(std::function<void(Result<std::vector<FlaggedDevice>>)> done) {
  redis_->command({"HGETALL", flagged_key}, [done = std::move(done)](Result<redis::Reply> reply) {
    if (!reply) return done(reply.error());
    std::vector<FlaggedDevice> out;
    const auto& e = reply->elements;
    for (std::size_t i = 0; i + 1 < e.size(); i += 2) {
      const auto& value = e[i + 1].str;
      const auto bar = value.find('|');
      if (bar == std::string::npos) continue;
      out.push_back({e[i].str, std::stoll(value.substr(0, bar)), std::stoll(value.substr(bar + 1))});
    }
    done(std::move(out));
  });
}

}  // namespace expo::voting

#include "store/ledger_store.hpp"

#include "expo/kafka/consumer.hpp"
#include "expo/projection/batch_apply.hpp"
#include "expo/redis/client.hpp"
#include "expo/vote_ledger/ledger.hpp"

namespace expo::voting {
namespace {

const std::string prefix = "{vote-ledger}:";
const std::string guard_key = prefix + "applied";
const std::string counts_key = prefix + "counts";
const std::string flagged_key = "vote:flagged";

std::string device_badges_key(const std::string& device_id) { return "vote:{dev:" + device_id + "}:badges"; }

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const projection::BatchScript& ledger_script() {
  static const projection::BatchScript script(std::string(vote_ledger::lua_functions()) + "ledger(KEYS, ARGV)\n",
                                              vote_ledger::lua_finish());
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
  return vote_ledger::cast_entry(prefix, counts_key, message, v);
}

projection::Entry LedgerStore::voided_entry(const kafka::Message& message, const events::votes::Voided& v) {
  return vote_ledger::void_entry(prefix, counts_key, message, v);
}

Result<void> LedgerStore::apply_sync(std::span<const projection::Entry> entries) {
  if (entries.empty()) return {};
  auto applied = projection::apply_batch_sync(*sync_redis_, ledger_script(), guard_key, entries);
  if (!applied) return applied.error();
  return {};
}

void LedgerStore::tally(std::function<void(Result<Tally>)> done) {
  redis_->command({"HGETALL", counts_key}, [done = std::move(done)](Result<redis::Reply> reply) {
    if (!reply) return done(reply.error());
    // Fields "votes|<innovation>|<period>" and "voided|...": the whole event's are the tally.
    constexpr std::string_view whole_event = "|all";
    Tally t;
    const auto& e = reply->elements;
    for (std::size_t i = 0; i + 1 < e.size(); i += 2) {
      std::string_view field = e[i].str;
      if (!field.ends_with(whole_event)) continue;
      field.remove_suffix(whole_event.size());
      const auto bar = field.find('|');
      if (bar == std::string_view::npos) continue;
      const auto what = field.substr(0, bar);
      auto& row = t.innovations[std::string(field.substr(bar + 1))];
      (what == "votes" ? row.votes : row.voided) = std::stoll(e[i + 1].str);
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

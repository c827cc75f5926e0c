#include "store/checkin_store.hpp"

#include "expo/kafka/consumer.hpp"
#include "expo/redis/client.hpp"

namespace expo::checkin {
namespace {

const std::string prefix = "{chk}:";
const std::string guard_key = prefix + "applied";
constexpr std::chrono::hours answer_ttl{24 * 7};  // longer than any offline queue waits

std::string visitor_key(const std::string& id) { return prefix + "visitor:" + id; }
std::string code_key(const std::string& code) { return prefix + "code:" + code; }
std::string seen_key(const ScanKey& k) { return prefix + "seen:" + k.visitor_id + ":" + k.booth_id + ":" + k.day; }
std::string answer_key(const ScanKey& k) { return prefix + "answer:" + k.device_id + ":" + k.client_event_id; }
std::string count_key(const std::string& booth, const std::string& day) { return prefix + "count:" + booth + ":" + day; }
std::string device_key(const std::string& id) { return prefix + "device:" + id; }

// KEYS: visitor, answer, seen, count. ARGV: client_event_id, pending ttl.
// Returns {kind, data, count, personal, wrapped, erased}.
const redis::Script& decide_script() {
  static const redis::Script script(R"lua(
local v = redis.call('HMGET', KEYS[1], 'personal', 'wrapped', 'erased')
local personal, wrapped, erased = v[1] or '', v[2] or '', v[3] or '0'
local answer = redis.call('GET', KEYS[2])
if answer then return {'replay', answer, 0, personal, wrapped, erased} end
local seen = redis.call('GET', KEYS[3])
if seen then
  if string.sub(seen, 1, 8) == 'pending:' then return {'busy', '', 0, personal, wrapped, erased} end
  return {'already', seen, tonumber(redis.call('GET', KEYS[4]) or '0'), personal, wrapped, erased}
end
redis.call('SET', KEYS[3], 'pending:' .. ARGV[1], 'EX', tonumber(ARGV[2]))
return {'reserved', '', 0, personal, wrapped, erased}
)lua");
  return script;
}

// KEYS: seen, answer, count. ARGV: first time, status, the answer's JSON up to its count, answer ttl.
// The kept answer ends with the count this check-in made, so a resend gets exactly the same body.
const redis::Script& commit_script() {
  static const redis::Script script(R"lua(
redis.call('SET', KEYS[1], ARGV[1])
local n = redis.call('INCR', KEYS[3])
redis.call('SET', KEYS[2], ARGV[2] .. '|' .. ARGV[3] .. n .. '}', 'EX', tonumber(ARGV[4]))
return n
)lua");
  return script;
}

// KEYS: seen. ARGV: client_event_id.
const redis::Script& release_script() {
  static const redis::Script script(R"lua(
if redis.call('GET', KEYS[1]) == 'pending:' .. ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
)lua");
  return script;
}

const projection::GuardedScript& projected_registered() {
  // KEYS: visitor, code. ARGV: visitor_id, personal. An erased visitor stays erased.
  static const projection::GuardedScript script(R"lua(
if redis.call('HGET', KEYS[1], 'erased') ~= '1' then
  redis.call('HSET', KEYS[1], 'personal', ARGV[2])
end
redis.call('SET', KEYS[2], ARGV[1])
)lua");
  return script;
}

const projection::GuardedScript& projected_erased() {
  static const projection::GuardedScript script(R"lua(
redis.call('HDEL', KEYS[1], 'personal', 'wrapped')
redis.call('HSET', KEYS[1], 'erased', '1')
)lua");
  return script;
}

const projection::GuardedScript& projected_data_key() {
  // KEYS: visitor. ARGV: wrapped key ('' for a tombstone).
  static const projection::GuardedScript script(R"lua(
if ARGV[1] == '' then
  redis.call('HDEL', KEYS[1], 'wrapped')
elseif redis.call('HGET', KEYS[1], 'erased') ~= '1' then
  redis.call('HSET', KEYS[1], 'wrapped', ARGV[1])
end
)lua");
  return script;
}

Error unexpected_reply() { return Error::permanent("redis_unexpected_reply", "unexpected reply from a check-in script"); }

}  // namespace

CheckinStore::CheckinStore(std::shared_ptr<redis::Client> redis, std::shared_ptr<redis::Client> sync_redis)
    : redis_(std::move(redis)), sync_redis_(std::move(sync_redis)) {}

void CheckinStore::resolve_code(const std::string& code,
                                std::function<void(Result<std::optional<std::string>>)> done) {
  redis_->command({"GET", code_key(code)}, [done = std::move(done)](Result<redis::Reply> reply) {
    if (!reply) return done(reply.error());
    if (reply->type != redis::Reply::Type::string) return done(std::optional<std::string>{});
    done(std::optional<std::string>(std::move(reply->str)));
  });
}

void CheckinStore::decide(const ScanKey& key, std::chrono::seconds pending_ttl,
                          std::function<void(Result<Decision>)> done) {
  redis_->eval(decide_script(),
               {visitor_key(key.visitor_id), answer_key(key), seen_key(key), count_key(key.booth_id, key.day)},
               {key.client_event_id, std::to_string(pending_ttl.count())},
               [done = std::move(done)](Result<redis::Reply> reply) {
                 if (!reply) return done(reply.error());
                 const auto& e = reply->elements;
                 if (e.size() != 6) return done(unexpected_reply());
                 Decision d;
                 const auto& kind = e[0].str;
                 if (kind == "replay") d.kind = Decision::Kind::replay;
                 else if (kind == "already") d.kind = Decision::Kind::already;
                 else if (kind == "busy") d.kind = Decision::Kind::busy;
                 else if (kind != "reserved") return done(unexpected_reply());
                 d.data = e[1].str;
                 d.count = e[2].integer;
                 d.visitor = VisitorSeen{e[3].str, e[4].str, e[5].str == "1"};
                 done(std::move(d));
               });
}

void CheckinStore::commit(const ScanKey& key, const std::string& at, int status, const std::string& body_before_count,
                          std::function<void(Result<std::int64_t>)> done) {
  redis_->eval(commit_script(), {seen_key(key), answer_key(key), count_key(key.booth_id, key.day)},
               {at, std::to_string(status), body_before_count,
                std::to_string(std::chrono::duration_cast<std::chrono::seconds>(answer_ttl).count())},
               [done = std::move(done)](Result<redis::Reply> reply) {
                 if (!reply) return done(reply.error());
                 done(reply->integer);
               });
}

void CheckinStore::remember(const ScanKey& key, int status, const std::string& body,
                            std::function<void(Result<void>)> done) {
  redis_->command({"SET", answer_key(key), std::to_string(status) + "|" + body, "EX",
                   std::to_string(std::chrono::duration_cast<std::chrono::seconds>(answer_ttl).count())},
                  [done = std::move(done)](Result<redis::Reply> reply) {
                    if (!reply) return done(reply.error());
                    done({});
                  });
}

void CheckinStore::release(const ScanKey& key, std::function<void(Result<void>)> done) {
  redis_->eval(release_script(), {seen_key(key)}, {key.client_event_id},
               [done = std::move(done)](Result<redis::Reply> reply) {
                 if (!reply) return done(reply.error());
                 done({});
               });
}

void CheckinStore::count(const std::string& booth_id, const std::string& day,
                         std::function<void(Result<std::int64_t>)> done) {
  redis_->command({"GET", count_key(booth_id, day)}, [done = std::move(done)](Result<redis::Reply> reply) {
    if (!reply) return done(reply.error());
    done(reply->type == redis::Reply::Type::string ? std::stoll(reply->str) : 0);
  });
}

void CheckinStore::save_heartbeat(const std::string& device_id, const std::map<std::string, std::string>& fields,
                                  std::function<void(Result<void>)> done) {
  std::vector<std::string> args{"HSET", device_key(device_id)};
  for (const auto& [name, value] : fields) {
    args.push_back(name);
    args.push_back(value);
  }
  redis_->command(std::move(args), [done = std::move(done)](Result<redis::Reply> reply) {
    if (!reply) return done(reply.error());
    done({});
  });
}

void CheckinStore::device_states(const std::vector<std::string>& device_ids,
                                 std::function<void(Result<std::vector<std::map<std::string, std::string>>>)> done) {
  struct Join {
    std::vector<std::map<std::string, std::string>> states;
    std::size_t pending;
    std::optional<Error> failure;
  };
  auto join = std::make_shared<Join>(Join{std::vector<std::map<std::string, std::string>>(device_ids.size()),
                                          device_ids.size(), std::nullopt});
  if (device_ids.empty()) return done(std::move(join->states));
  auto shared_done = std::make_shared<decltype(done)>(std::move(done));
  for (std::size_t i = 0; i < device_ids.size(); ++i) {
    // Pipelined on the one connection: a fleet of tablets is a handful of round trips' time.
    redis_->command({"HGETALL", device_key(device_ids[i])}, [join, i, shared_done](Result<redis::Reply> reply) {
      if (!reply) {
        join->failure = reply.error();
      } else {
        const auto& e = reply->elements;
        for (std::size_t j = 0; j + 1 < e.size(); j += 2) join->states[i][e[j].str] = e[j + 1].str;
      }
      if (--join->pending > 0) return;
      if (join->failure) return (*shared_done)(*join->failure);
      (*shared_done)(std::move(join->states));
    });
  }
}

Result<projection::Outcome> CheckinStore::apply_registered_sync(const kafka::Message& message,
                                                                const std::string& visitor_id,
                                                                const std::string& code,
                                                                const std::string& personal) {
  return projection::apply_sync(*sync_redis_, projected_registered(), guard_key, message,
                                {visitor_key(visitor_id), code_key(code)}, {visitor_id, personal});
}

Result<projection::Outcome> CheckinStore::apply_erased_sync(const kafka::Message& message,
                                                            const std::string& visitor_id) {
  return projection::apply_sync(*sync_redis_, projected_erased(), guard_key, message, {visitor_key(visitor_id)}, {});
}

Result<projection::Outcome> CheckinStore::apply_data_key_sync(const kafka::Message& message,
                                                              const std::string& visitor_id,
                                                              const std::string& wrapped_key) {
  return projection::apply_sync(*sync_redis_, projected_data_key(), guard_key, message, {visitor_key(visitor_id)},
                                {wrapped_key});
}

}  // namespace expo::checkin

#include "store/vote_store.hpp"

#include "expo/redis/client.hpp"
#include "store/committed_here.hpp"

namespace expo::voting {
namespace {

constexpr std::chrono::hours answer_ttl{24 * 7};  // longer than any client keeps a vote to resend
// Votes committed here and not yet read back from votes.v1: the projection is a batch (250 ms at most)
// behind, so this covers seconds of a 10,000 votes/s peak in ~5 MB.
constexpr std::size_t committed_held = 32768;
const std::string position_key = "vote:checkins-position";

std::string visitor_key(const std::string& visitor_id) { return "vote:{" + visitor_id + "}"; }
std::string answer_key(const VoteKey& k) { return visitor_key(k.visitor_id) + ":answer:" + k.client_event_id; }

std::int64_t now_ms() {
  // Reservations expire by the machines' real time (the same on every instance), not the event clock.
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Reads the visitor's hash into `state` (field -> value) with one HGETALL, dropping expired
// reservations (giving their day's vote back) on the way, so the decision needs no other read. Shared
// by the scripts that read a visitor's state. Expects `h` (the visitor hash) and `now` (ms) in scope.
const std::string read_state_lua = R"lua(
local state, given_back = {}, {}
local fields = redis.call('HGETALL', h)
for i = 1, #fields, 2 do
  local f, v = fields[i], fields[i + 1]
  state[f] = v
  if string.sub(f, 1, 2) == 'i:' and string.sub(v, 1, 2) == 'p:' then
    local day, expires = string.match(v, '^p:[^:]+:([^:]+):(%d+)$')
    if expires and tonumber(expires) < now then
      redis.call('HDEL', h, f)
      redis.call('HINCRBY', h, 'd:' .. day, -1)
      state[f] = nil
      given_back[day] = (given_back[day] or 0) + 1
    end
  end
end
for day, n in pairs(given_back) do state['d:' .. day] = tostring(tonumber(state['d:' .. day] or '0') - n) end
)lua";

// KEYS: visitor hash, answer key. ARGV: innovation, booth, day, quota, vote_id, now_ms, pending_ms.
const redis::Script& reserve_script() {
  static const redis::Script script(R"lua(
local answer = redis.call('GET', KEYS[2])
if answer == 'pending' then return {'busy'} end
if answer then return {'replay', answer} end
local h, now = KEYS[1], tonumber(ARGV[6])
)lua" + read_state_lua + R"lua(
local voted = state['i:' .. ARGV[1]] and 1 or 0
local visited = state['b:' .. ARGV[2]] and 1 or 0
local today = tonumber(state['d:' .. ARGV[3]] or '0')
-- The acceptance condition of the rules (domain/rules.hpp); which refusal it is, the service
-- decides from the facts returned, with the same rules.
if voted == 1 or visited == 0 or today >= tonumber(ARGV[4]) then
  return {'refused', voted, visited, today}
end
local expires = now + tonumber(ARGV[7])
redis.call('HSET', h, 'i:' .. ARGV[1], 'p:' .. ARGV[5] .. ':' .. ARGV[3] .. ':' .. expires)
redis.call('HINCRBY', h, 'd:' .. ARGV[3], 1)
redis.call('SET', KEYS[2], 'pending', 'PX', tonumber(ARGV[7]))
return {'reserved', today + 1}
)lua");
  return script;
}

// Makes a vote durable in the visitor's state: its reservation becomes the vote, or (the reservation
// expired, or Redis was rebuilt) the vote is written and counted. Another vote already holding the
// innovation stays. KEYS: visitor hash [, answer key]. ARGV: innovation, vote_id, day [, answer, ttl].
const redis::Script& record_script() {
  static const redis::Script script(R"lua(
local h = KEYS[1]
local f = 'i:' .. ARGV[1]
local current = redis.call('HGET', h, f)
if not current then
  redis.call('HSET', h, f, ARGV[2])
  redis.call('HINCRBY', h, 'd:' .. ARGV[3], 1)
elseif string.sub(current, 1, 3 + #ARGV[2]) == 'p:' .. ARGV[2] .. ':' then
  redis.call('HSET', h, f, ARGV[2])
end
if KEYS[2] then redis.call('SET', KEYS[2], ARGV[4], 'EX', tonumber(ARGV[5])) end
return 1
)lua");
  return script;
}

// KEYS: visitor hash, answer key. ARGV: innovation, vote_id, day.
const redis::Script& release_script() {
  static const redis::Script script(R"lua(
local f = 'i:' .. ARGV[1]
local current = redis.call('HGET', KEYS[1], f)
if current and string.sub(current, 1, 3 + #ARGV[2]) == 'p:' .. ARGV[2] .. ':' then
  redis.call('HDEL', KEYS[1], f)
  redis.call('HINCRBY', KEYS[1], 'd:' .. ARGV[3], -1)
end
if redis.call('GET', KEYS[2]) == 'pending' then redis.call('DEL', KEYS[2]) end
return 1
)lua");
  return script;
}

// KEYS: visitor hash. ARGV: now_ms. The visitor's fields, expired reservations dropped first.
const redis::Script& ballot_script() {
  static const redis::Script script("local h, now = KEYS[1], tonumber(ARGV[1])\n" + read_state_lua + R"lua(
local out = {}
for f, v in pairs(state) do out[#out + 1] = f; out[#out + 1] = v end
return out
)lua");
  return script;
}

// KEYS: position hash. ARGV: partition, next offset. Only forward: a rebalance may replay a little.
const redis::Script& advance_script() {
  static const redis::Script script(R"lua(
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
if tonumber(ARGV[2]) > current then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 1
)lua");
  return script;
}

Error unexpected_reply() { return Error::permanent("redis_unexpected_reply", "unexpected reply from a voting script"); }

std::function<void(Result<redis::Reply>)> ignore_reply(std::function<void(Result<void>)> done) {
  return [done = std::move(done)](Result<redis::Reply> reply) {
    if (!reply) return done(reply.error());
    done({});
  };
}

std::string seconds(std::chrono::seconds s) { return std::to_string(s.count()); }

}  // namespace

VoteStore::VoteStore(std::shared_ptr<redis::Client> redis, std::shared_ptr<redis::Client> sync_redis)
    : redis_(std::move(redis)),
      sync_redis_(std::move(sync_redis)),
      committed_here_(std::make_shared<CommittedHere>(committed_held)) {}

void VoteStore::reserve(const VoteKey& key, int votes_per_day, std::chrono::milliseconds pending_for,
                        std::function<void(Result<Reservation>)> done) {
  redis_->eval(reserve_script(), {visitor_key(key.visitor_id), answer_key(key)},
               {key.innovation_id, key.booth_id, key.day, std::to_string(votes_per_day), key.vote_id,
                std::to_string(now_ms()), std::to_string(pending_for.count())},
               [done = std::move(done)](Result<redis::Reply> reply) {
                 if (!reply) return done(reply.error());
                 const auto& e = reply->elements;
                 if (e.empty()) return done(unexpected_reply());
                 Reservation r;
                 const auto& kind = e[0].str;
                 if (kind == "busy") {
                   r.kind = Reservation::Kind::busy;
                 } else if (kind == "replay" && e.size() == 2) {
                   r.kind = Reservation::Kind::replay;
                   r.answer = e[1].str;
                 } else if (kind == "refused" && e.size() == 4) {
                   r.kind = Reservation::Kind::refused;
                   r.facts = {e[1].integer == 1, e[2].integer == 1, static_cast<int>(e[3].integer)};
                 } else if (kind == "reserved" && e.size() == 2) {
                   r.kind = Reservation::Kind::reserved;
                   r.today = static_cast<int>(e[1].integer);
                 } else {
                   return done(unexpected_reply());
                 }
                 done(std::move(r));
               });
}

void VoteStore::commit(const VoteKey& key, int status, const std::string& body,
                       std::function<void(Result<void>)> done) {
  redis_->eval(record_script(), {visitor_key(key.visitor_id), answer_key(key)},
               {key.innovation_id, key.vote_id, key.day, std::to_string(status) + "|" + body,
                seconds(answer_ttl)},
               [committed = committed_here_, vote_id = key.vote_id, done = std::move(done)](Result<redis::Reply> reply) {
                 if (!reply) return done(reply.error());
                 committed->add(vote_id);
                 done({});
               });
}

void VoteStore::release(const VoteKey& key, std::function<void(Result<void>)> done) {
  redis_->eval(release_script(), {visitor_key(key.visitor_id), answer_key(key)},
               {key.innovation_id, key.vote_id, key.day}, ignore_reply(std::move(done)));
}

void VoteStore::remember(const VoteKey& key, int status, const std::string& body,
                         std::function<void(Result<void>)> done) {
  redis_->command({"SET", answer_key(key), std::to_string(status) + "|" + body, "EX", seconds(answer_ttl)},
                  ignore_reply(std::move(done)));
}

void VoteStore::remember_first(const VoteKey& key, int status, const std::string& body,
                               std::function<void(Result<std::optional<std::string>>)> done) {
  redis_->command({"SET", answer_key(key), std::to_string(status) + "|" + body, "NX", "GET", "EX", seconds(answer_ttl)},
                  [done = std::move(done)](Result<redis::Reply> reply) {
                    if (!reply) return done(reply.error());
                    if (reply->type != redis::Reply::Type::string) return done(std::optional<std::string>{});
                    done(std::optional<std::string>(std::move(reply->str)));
                  });
}

void VoteStore::ballot(const std::string& visitor_id, const std::optional<std::string>& day, int votes_per_day,
                       std::function<void(Result<Ballot>)> done) {
  redis_->eval(ballot_script(), {visitor_key(visitor_id)}, {std::to_string(now_ms())},
               [visitor_id, day, votes_per_day, done = std::move(done)](Result<redis::Reply> reply) {
                 if (!reply) return done(reply.error());
                 Ballot b;
                 b.visitor_id = visitor_id;
                 b.votes_per_day = votes_per_day;
                 int today = 0;
                 const auto& e = reply->elements;
                 for (std::size_t i = 0; i + 1 < e.size(); i += 2) {
                   const std::string_view field = e[i].str;
                   if (field.starts_with("b:")) b.booths_visited.emplace(field.substr(2));
                   else if (field.starts_with("i:")) b.innovations_voted.emplace(field.substr(2));
                   else if (day && field == "d:" + *day) today = std::stoi(e[i + 1].str);
                 }
                 b.remaining_today = day ? std::max(0, votes_per_day - today) : 0;
                 done(std::move(b));
               });
}

void VoteStore::checkins_position(std::size_t partitions,
                                  std::function<void(Result<std::vector<std::int64_t>>)> done) {
  std::vector<std::string> args{"HMGET", position_key};
  for (std::size_t p = 0; p < partitions; ++p) args.push_back(std::to_string(p));
  redis_->command(std::move(args), [partitions, done = std::move(done)](Result<redis::Reply> reply) {
    if (!reply) return done(reply.error());
    if (reply->elements.size() != partitions) return done(unexpected_reply());
    std::vector<std::int64_t> next(partitions, 0);
    for (std::size_t p = 0; p < partitions; ++p) {
      const auto& r = reply->elements[p];
      if (r.type == redis::Reply::Type::string) next[p] = std::stoll(r.str);
    }
    done(std::move(next));
  });
}

namespace {

// KEYS: visitor hash. ARGV: booth.
const redis::Script& checkin_script() {
  static const redis::Script script("redis.call('HSET', KEYS[1], 'b:' .. ARGV[1], '1') return 1");
  return script;
}

Result<void> first_error(const std::vector<Result<redis::Reply>>& answers) {
  for (const auto& a : answers) {
    if (!a) return a.error();
  }
  return {};
}

}  // namespace

Result<void> VoteStore::record_checkins_sync(const std::vector<CheckinSeen>& checkins) {
  std::vector<redis::Client::EvalCall> calls;
  calls.reserve(checkins.size());
  for (const auto& c : checkins) calls.push_back({{visitor_key(c.visitor_id)}, {c.booth_id}});
  return first_error(sync_redis_->eval_all_sync(checkin_script(), std::move(calls)));
}

Result<void> VoteStore::advance_checkins_position_sync(std::int32_t partition, std::int64_t next_offset) {
  auto reply = sync_redis_->eval_sync(advance_script(), {position_key}, {std::to_string(partition), std::to_string(next_offset)});
  if (!reply) return reply.error();
  return {};
}

Result<void> VoteStore::record_votes_sync(const std::vector<VoteSeen>& votes) {
  std::vector<redis::Client::EvalCall> calls;
  calls.reserve(votes.size());
  for (const auto& v : votes) {
    if (committed_here_->take(v.vote_id)) continue;  // commit() ran this very script for it
    calls.push_back({{visitor_key(v.visitor_id)}, {v.innovation_id, v.vote_id, v.day}});
  }
  if (calls.empty()) return {};
  return first_error(sync_redis_->eval_all_sync(record_script(), std::move(calls)));
}

}  // namespace expo::voting

#include "store/visitor_store.hpp"

#include "expo/kafka/consumer.hpp"
#include "expo/redis/client.hpp"

namespace expo::registration {
namespace {

const std::string prefix = "{reg}:";
// Stands in for an absent key so every script has a fixed key list (never written).
const std::string no_key = prefix + "none";

std::string visitor_key(const std::string& id) { return prefix + "visitor:" + id; }
std::string data_key_key(const std::string& id) { return prefix + "datakey:" + id; }
std::string phone_key(const std::string& hash) { return hash.empty() ? no_key : prefix + "phone:" + hash; }
std::string code_key(const std::string& code) { return prefix + "code:" + code; }
std::string idem_key(const std::string& key) { return key.empty() ? no_key : prefix + "idem:" + key; }
const std::string guard_key = prefix + "applied";

// Shared by the commit after a produce and by the projection from visitors.v1, so both write the
// same state. a = {visitor_id, code, visitor_type, origin_region, registered_at, personal,
// phone_hash, email_hash}. An erased visitor stays erased.
constexpr const char* apply_registered_lua = R"lua(
local function apply_registered(visitor_key, phone_key, code_key, a)
  if redis.call('HGET', visitor_key, 'erased') == '1' then return end
  redis.call('HSET', visitor_key, 'code', a[2], 'visitor_type', a[3], 'origin_region', a[4],
             'registered_at', a[5], 'personal', a[6], 'phone_hash', a[7], 'email_hash', a[8], 'erased', '0')
  redis.call('SET', code_key, a[1])
  if a[7] ~= '' then redis.call('SET', phone_key, a[1]) end
end
)lua";

// Shared by the erase command and the projection of visitor_erased. The phone index key is built
// here from the stored hash; it carries the {reg} tag like every key this script touches.
constexpr const char* erase_lua = R"lua(
local function erase(visitor_key, data_key_key, visitor_id)
  if redis.call('EXISTS', visitor_key) == 0 then return 0 end
  local phone_hash = redis.call('HGET', visitor_key, 'phone_hash')
  if phone_hash and phone_hash ~= '' then
    local phone_key = '{reg}:phone:' .. phone_hash
    if redis.call('GET', phone_key) == visitor_id then redis.call('DEL', phone_key) end
  end
  redis.call('HDEL', visitor_key, 'personal', 'phone_hash', 'email_hash')
  redis.call('HSET', visitor_key, 'erased', '1')
  redis.call('DEL', data_key_key)
  return 1
end
)lua";

const redis::Script& count_script() {
  static const redis::Script script(R"lua(
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], 120) end
return n
)lua");
  return script;
}

// KEYS: idem, phone, code. ARGV: visitor_id, pending ttl, fingerprint.
const redis::Script& reserve_script() {
  static const redis::Script script(R"lua(
local vid, ttl, fingerprint = ARGV[1], tonumber(ARGV[2]), ARGV[3]
if KEYS[1] ~= '{reg}:none' then
  local v = redis.call('GET', KEYS[1])
  if v then
    local state, fp = string.match(v, '^(%a+):(%x+)')
    if fp ~= fingerprint then return {'key_reused', ''} end
    if state == 'done' then return {'replay', string.sub(v, #'done:' + #fp + 2)} end
    return {'in_progress', ''}
  end
end
if KEYS[2] ~= '{reg}:none' and redis.call('EXISTS', KEYS[2]) == 1 then return {'duplicate_phone', ''} end
if not redis.call('SET', KEYS[3], 'pending:' .. vid, 'NX', 'EX', ttl) then return {'code_taken', ''} end
if KEYS[1] ~= '{reg}:none' then redis.call('SET', KEYS[1], 'pending:' .. fingerprint, 'EX', ttl) end
if KEYS[2] ~= '{reg}:none' then redis.call('SET', KEYS[2], 'pending:' .. vid, 'EX', ttl) end
return {'reserved', ''}
)lua");
  return script;
}

// KEYS: idem, phone, code. ARGV: visitor_id, fingerprint.
const redis::Script& release_script() {
  static const redis::Script script(R"lua(
local pending = 'pending:' .. ARGV[1]
if KEYS[1] ~= '{reg}:none' and redis.call('GET', KEYS[1]) == 'pending:' .. ARGV[2] then redis.call('DEL', KEYS[1]) end
if KEYS[2] ~= '{reg}:none' and redis.call('GET', KEYS[2]) == pending then redis.call('DEL', KEYS[2]) end
if redis.call('GET', KEYS[3]) == pending then redis.call('DEL', KEYS[3]) end
return 1
)lua");
  return script;
}

// KEYS: visitor, datakey, phone, code, idem. ARGV: the 8 record fields, wrapped key, idem value, idem ttl.
const redis::Script& commit_script() {
  static const redis::Script script(std::string(apply_registered_lua) + R"lua(
apply_registered(KEYS[1], KEYS[3], KEYS[4], ARGV)
if redis.call('HGET', KEYS[1], 'erased') ~= '1' then redis.call('SET', KEYS[2], ARGV[9]) end
if KEYS[5] ~= '{reg}:none' then redis.call('SET', KEYS[5], ARGV[10], 'EX', tonumber(ARGV[11])) end
return 1
)lua");
  return script;
}

const redis::Script& load_script() {
  static const redis::Script script(R"lua(
return {redis.call('HGETALL', KEYS[1]), redis.call('GET', KEYS[2])}
)lua");
  return script;
}

const redis::Script& erase_script() {
  static const redis::Script script(std::string(erase_lua) + R"lua(
return erase(KEYS[1], KEYS[2], ARGV[1])
)lua");
  return script;
}

const projection::GuardedScript& projected_registered() {
  static const projection::GuardedScript script(std::string(apply_registered_lua) +
                                                "apply_registered(KEYS[1], KEYS[2], KEYS[3], ARGV)\n");
  return script;
}

const projection::GuardedScript& projected_erased() {
  static const projection::GuardedScript script(std::string(erase_lua) + "erase(KEYS[1], KEYS[2], ARGV[1])\n");
  return script;
}

// A tombstone (empty value) deletes the key; a key is never restored for an erased visitor.
const projection::GuardedScript& projected_data_key() {
  static const projection::GuardedScript script(R"lua(
if ARGV[1] == '' then
  redis.call('DEL', KEYS[1])
elseif redis.call('HGET', KEYS[2], 'erased') ~= '1' then
  redis.call('SET', KEYS[1], ARGV[1])
end
)lua");
  return script;
}

std::vector<std::string> record_args(const VisitorRecord& r) {
  return {r.visitor_id, r.code, r.visitor_type, r.origin_region, r.registered_at, r.personal, r.phone_hash,
          r.email_hash};
}

Error unexpected_reply() { return Error::permanent("redis_unexpected_reply", "unexpected reply from a registration script"); }

}  // namespace

VisitorStore::VisitorStore(std::shared_ptr<redis::Client> redis, std::shared_ptr<redis::Client> sync_redis)
    : redis_(std::move(redis)), sync_redis_(std::move(sync_redis)) {}

void VisitorStore::count_sign_up(const std::string& client_hash, std::int64_t minute, std::int64_t limit,
                                 std::function<void(Result<bool>)> done) {
  redis_->eval(count_script(), {prefix + "rl:" + client_hash + ":" + std::to_string(minute)}, {},
               [limit, done = std::move(done)](Result<redis::Reply> reply) {
                 if (!reply) return done(reply.error());
                 done(reply->integer <= limit);
               });
}

void VisitorStore::reserve(const Claim& claim, std::chrono::seconds pending_ttl,
                           std::function<void(Result<Reservation>)> done) {
  redis_->eval(reserve_script(), {idem_key(claim.idempotency_key), phone_key(claim.phone_hash), code_key(claim.code)},
               {claim.visitor_id, std::to_string(pending_ttl.count()), claim.fingerprint},
               [done = std::move(done)](Result<redis::Reply> reply) {
                 if (!reply) return done(reply.error());
                 if (reply->elements.size() != 2) return done(unexpected_reply());
                 const auto& kind = reply->elements[0].str;
                 Reservation r{Reservation::Kind::reserved, reply->elements[1].str};
                 if (kind == "replay") r.kind = Reservation::Kind::replay;
                 else if (kind == "in_progress") r.kind = Reservation::Kind::in_progress;
                 else if (kind == "key_reused") r.kind = Reservation::Kind::key_reused;
                 else if (kind == "duplicate_phone") r.kind = Reservation::Kind::duplicate_phone;
                 else if (kind == "code_taken") r.kind = Reservation::Kind::code_taken;
                 else if (kind != "reserved") return done(unexpected_reply());
                 done(std::move(r));
               });
}

void VisitorStore::release(const Claim& claim, std::function<void(Result<void>)> done) {
  redis_->eval(release_script(), {idem_key(claim.idempotency_key), phone_key(claim.phone_hash), code_key(claim.code)},
               {claim.visitor_id, claim.fingerprint}, [done = std::move(done)](Result<redis::Reply> reply) {
                 if (!reply) return done(reply.error());
                 done({});
               });
}

void VisitorStore::commit(const Claim& claim, const VisitorRecord& record, const std::string& wrapped_key,
                          const std::string& body, std::chrono::seconds idempotency_ttl,
                          std::function<void(Result<void>)> done) {
  auto args = record_args(record);
  args.push_back(wrapped_key);
  args.push_back("done:" + claim.fingerprint + ":" + body);
  args.push_back(std::to_string(idempotency_ttl.count()));
  redis_->eval(commit_script(),
               {visitor_key(record.visitor_id), data_key_key(record.visitor_id), phone_key(claim.phone_hash),
                code_key(claim.code), idem_key(claim.idempotency_key)},
               std::move(args), [done = std::move(done)](Result<redis::Reply> reply) {
                 if (!reply) return done(reply.error());
                 done({});
               });
}

void VisitorStore::load(const std::string& visitor_id,
                        std::function<void(Result<std::optional<StoredVisitor>>)> done) {
  redis_->eval(load_script(), {visitor_key(visitor_id), data_key_key(visitor_id)}, {},
               [visitor_id, done = std::move(done)](Result<redis::Reply> reply) {
                 if (!reply) return done(reply.error());
                 if (reply->elements.size() != 2) return done(unexpected_reply());
                 const auto& fields = reply->elements[0].elements;
                 if (fields.empty()) return done(std::optional<StoredVisitor>{});
                 StoredVisitor stored;
                 auto& r = stored.record;
                 r.visitor_id = visitor_id;
                 for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
                   const auto& name = fields[i].str;
                   const auto& value = fields[i + 1].str;
                   if (name == "code") r.code = value;
                   else if (name == "visitor_type") r.visitor_type = value;
                   else if (name == "origin_region") r.origin_region = value;
                   else if (name == "registered_at") r.registered_at = value;
                   else if (name == "personal") r.personal = value;
                   else if (name == "phone_hash") r.phone_hash = value;
                   else if (name == "email_hash") r.email_hash = value;
                   else if (name == "erased") r.erased = value == "1";
                 }
                 if (reply->elements[1].type == redis::Reply::Type::string) stored.wrapped_key = reply->elements[1].str;
                 done(std::optional<StoredVisitor>(std::move(stored)));
               });
}

void VisitorStore::erase(const std::string& visitor_id, std::function<void(Result<bool>)> done) {
  redis_->eval(erase_script(), {visitor_key(visitor_id), data_key_key(visitor_id)}, {visitor_id},
               [done = std::move(done)](Result<redis::Reply> reply) {
                 if (!reply) return done(reply.error());
                 done(reply->integer == 1);
               });
}

Result<projection::Outcome> VisitorStore::apply_registered_sync(const kafka::Message& message,
                                                                const VisitorRecord& record) {
  return projection::apply_sync(*sync_redis_, projected_registered(), guard_key, message,
                                {visitor_key(record.visitor_id), phone_key(record.phone_hash), code_key(record.code)},
                                record_args(record));
}

Result<projection::Outcome> VisitorStore::apply_erased_sync(const kafka::Message& message,
                                                            const std::string& visitor_id) {
  return projection::apply_sync(*sync_redis_, projected_erased(), guard_key, message,
                                {visitor_key(visitor_id), data_key_key(visitor_id)}, {visitor_id});
}

Result<projection::Outcome> VisitorStore::apply_data_key_sync(const kafka::Message& message,
                                                              const std::string& visitor_id,
                                                              const std::string& wrapped_key) {
  return projection::apply_sync(*sync_redis_, projected_data_key(), guard_key, message,
                                {data_key_key(visitor_id), visitor_key(visitor_id)}, {wrapped_key});
}

}  // namespace expo::registration

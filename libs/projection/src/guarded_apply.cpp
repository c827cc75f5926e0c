#include "expo/projection/guarded_apply.hpp"

#include "expo/kafka/consumer.hpp"
#include "expo/redis/client.hpp"

namespace expo::projection {
namespace {

// KEYS[1] guard hash, ARGV[1] field, ARGV[2] offset; the rest belongs to the effect.
std::string wrap(std::string_view effect) {
  std::string lua = R"lua(
local applied = redis.call('HGET', KEYS[1], ARGV[1])
if applied and tonumber(applied) >= tonumber(ARGV[2]) then
  return 0
end
local function effect(KEYS, ARGV)
)lua";
  lua += effect;
  lua += R"lua(
end
local effect_keys = {}
for i = 2, #KEYS do effect_keys[i - 1] = KEYS[i] end
local effect_args = {}
for i = 3, #ARGV do effect_args[i - 2] = ARGV[i] end
effect(effect_keys, effect_args)
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
)lua";
  return lua;
}

}  // namespace

GuardedScript::GuardedScript(std::string_view effect) : script_(wrap(effect)) {}

std::string guard_field(std::string_view topic, int partition) {
  return std::string(topic) + ":" + std::to_string(partition);
}

Result<Outcome> apply_sync(redis::Client& redis, const GuardedScript& script, const std::string& guard_key,
                           const kafka::Message& message, std::vector<std::string> keys,
                           std::vector<std::string> args) {
  keys.insert(keys.begin(), guard_key);
  args.insert(args.begin(), {guard_field(message.topic, message.partition), std::to_string(message.offset)});
  auto reply = redis.eval_sync(script.script(), std::move(keys), std::move(args));
  if (!reply) return reply.error();
  if (reply->type != redis::Reply::Type::integer) {
    return Error::permanent("projection_script", "the guarded script returned an unexpected reply");
  }
  return reply->integer == 1 ? Outcome::applied : Outcome::duplicate;
}

}  // namespace expo::projection

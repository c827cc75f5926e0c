#include "expo/projection/guarded_apply.hpp"

#include "expo/kafka/consumer.hpp"
#include "expo/redis/client.hpp"
#include "lua_wrappers.hpp"

namespace expo::projection {

GuardedScript::GuardedScript(std::string_view effect) : script_(detail::guarded_single_lua(effect)) {}

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

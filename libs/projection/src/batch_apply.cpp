#include "expo/projection/batch_apply.hpp"

#include "expo/kafka/consumer.hpp"
#include "expo/redis/client.hpp"
#include "lua_wrappers.hpp"

namespace expo::projection {

BatchScript::BatchScript(std::string_view effect, std::string_view finish)
    : script_(detail::guarded_batch_lua(effect, finish)) {}

Entry entry_for(const kafka::Message& message, std::vector<std::string> keys, std::vector<std::string> args) {
  return Entry{.topic = message.topic,
               .partition = message.partition,
               .offset = message.offset,
               .keys = std::move(keys),
               .args = std::move(args)};
}

Result<std::vector<Outcome>> apply_batch_sync(redis::Client& redis, const BatchScript& script,
                                              const std::string& guard_key, std::span<const Entry> entries,
                                              std::size_t max_arguments) {
  auto calls = encode_batch(guard_key, entries, max_arguments);
  if (!calls) return calls.error();
  std::vector<Outcome> outcomes;
  outcomes.reserve(entries.size());
  for (auto& call : *calls) {
    const auto expected = call.entries;
    auto reply = redis.eval_sync(script.script(), std::move(call.keys), std::move(call.args));
    if (!reply) return reply.error();
    // One character per entry: '1' applied, '0' already applied.
    if (reply->type != redis::Reply::Type::string || reply->str.size() != expected) {
      return Error::permanent("projection_script", "the batched guarded script returned an unexpected reply");
    }
    for (const char c : reply->str) outcomes.push_back(c == '1' ? Outcome::applied : Outcome::duplicate);
  }
  return outcomes;
}

}  // namespace expo::projection

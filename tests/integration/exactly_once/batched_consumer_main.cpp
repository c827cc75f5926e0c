// The batched consumer under test: reads a topic in batches (Consumer::create_batched) as a member of
// a consumer group and applies each batch to Redis with ONE batched guarded script call (count, sum,
// and how often each event id was applied).
//
//   exactly_once_batched_consumer BROKERS TOPIC GROUP REDIS_PORT NAMESPACE
//
// EXPO_EFFECT=boards swaps the effect for a leaderboard-like one (see below).
// EXPO_CRASH_AFTER_APPLY=N makes it SIGKILL itself right after the batch that brings the events it
// applied to N or more, before the handler returns: none of that batch's offsets is stored or
// committed, the worst moment for exactly-once. It runs until SIGTERM. The process around the consumer:
// consumer_harness.hpp.
#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "consumer_harness.hpp"
#include "expo/projection/batch_apply.hpp"

int main(int argc, char** argv) {
  const auto args = exactly_once::parse_args(argc, argv, "exactly_once_batched_consumer");
  if (!args) return 2;
  exactly_once::ConsumerHarness harness(args->redis_port);
  auto& redis = harness.redis();
  const auto key = [&](std::string_view name) { return args->key(name); };

  // EXPO_EFFECT=boards: a leaderboard-like effect instead, four boards of votes per member, added
  // up per batch in `batch` and written once per member by `finish` (the figure a rebuild cares about).
  const char* effect_env = std::getenv("EXPO_EFFECT");
  const bool boards = effect_env != nullptr && std::string(effect_env) == "boards";
  const expo::projection::BatchScript counts_effect(exactly_once::counts_effect_lua);
  const expo::projection::BatchScript boards_effect(R"lua(
batch.count = (batch.count or 0) + 1
for board = 1, 4 do
  local member = ARGV[board <= 2 and 1 or 2]
  local tally = batch[KEYS[board]]
  if not tally then
    tally = {}
    batch[KEYS[board]] = tally
  end
  tally[member] = (tally[member] or 0) + 1
end
batch.count_key = KEYS[5]
)lua",
                                                    R"lua(
if not batch.count then return end
for key, tally in pairs(batch) do
  if type(tally) == 'table' then
    for member, votes in pairs(tally) do redis.call('ZINCRBY', key, votes, member) end
  end
end
redis.call('INCRBY', batch.count_key, batch.count)
)lua");
  const auto& effect = boards ? boards_effect : counts_effect;
  const std::string guard = key("applied");
  const std::vector<std::string> keys =
      boards ? std::vector<std::string>{key("region:day"), key("region:all"), key("innovation:day"),
                                        key("innovation:all"), key("count")}
             : exactly_once::counts_keys(*args);
  // Boards: event i votes for region "r<i % 38>" and innovation "i<i % 250>".
  const auto args_of = [boards](std::string_view value) -> std::vector<std::string> {
    if (!boards) return {std::string(value)};
    const long i = std::atol(std::string(value).c_str());
    return {"r" + std::to_string(i % 38), "i" + std::to_string(i % 250)};
  };
  long applied_here = 0;
  std::vector<expo::projection::Entry> entries;

  auto consumer = expo::kafka::Consumer::create_batched(
      args->consumer_config("exactly-once-batched-test"),
      [&](std::span<const expo::kafka::Message> messages) -> expo::Result<void> {
        entries.clear();
        for (const auto& m : messages) entries.push_back(expo::projection::entry_for(m, keys, args_of(m.value)));
        auto outcomes = expo::projection::apply_batch_sync(redis, effect, guard, entries);
        if (!outcomes) return outcomes.error();
        const auto applied = std::count(outcomes->begin(), outcomes->end(), expo::projection::Outcome::applied);
        const auto duplicates = static_cast<long>(outcomes->size()) - applied;
        if (duplicates > 0) {
          // Bookkeeping for the test only: proves redelivery happened and was absorbed.
          auto counted = redis.command_sync({"INCRBY", key("duplicates"), std::to_string(duplicates)});
          if (!counted) return counted.error();
        }
        applied_here += applied;
        if (args->crash_after > 0 && applied_here >= args->crash_after) {
          exactly_once::crash(applied_here, "the batch's offsets are stored");
        }
        return {};
      });
  if (!consumer) {
    std::cerr << "consumer: " << consumer.error().message << "\n";
    return 1;
  }
  harness.run_until_signal(**consumer, "consuming " + args->topic + " in batches");
  std::cout << "stopped cleanly after applying " << applied_here << " events" << std::endl;
  return 0;
}

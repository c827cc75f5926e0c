// The consumer under test: reads a topic as a member of a consumer group and applies each event to
// Redis with a guarded script (count, sum, and how often each event id was applied).
//
//   exactly_once_consumer BROKERS TOPIC GROUP REDIS_PORT NAMESPACE
//
// EXPO_CRASH_AFTER_APPLY=N makes it SIGKILL itself right after the N-th effect is applied, before
// the handler returns, so the offset of that message is neither stored nor committed: the worst
// moment for exactly-once. It runs until SIGTERM. The process around the consumer: consumer_harness.hpp.
#include <iostream>

#include "consumer_harness.hpp"
#include "expo/projection/guarded_apply.hpp"

int main(int argc, char** argv) {
  const auto args = exactly_once::parse_args(argc, argv, "exactly_once_consumer");
  if (!args) return 2;
  exactly_once::ConsumerHarness harness(args->redis_port);
  auto& redis = harness.redis();

  const expo::projection::GuardedScript effect(exactly_once::counts_effect_lua);
  const std::string guard = args->key("applied");
  const std::vector<std::string> keys = exactly_once::counts_keys(*args);
  long applied_here = 0;

  auto consumer = expo::kafka::Consumer::create(
      args->consumer_config("exactly-once-test"),
      [&](const expo::kafka::Message& message) -> expo::Result<void> {
        auto outcome = expo::projection::apply_sync(redis, effect, guard, message, keys,
                                                    {std::string(message.value)});
        if (!outcome) return outcome.error();
        if (*outcome == expo::projection::Outcome::duplicate) {
          // Bookkeeping for the test only: proves redelivery happened and was absorbed.
          if (auto counted = redis.command_sync({"INCR", args->key("duplicates")}); !counted) {
            return counted.error();
          }
        } else if (args->crash_after > 0 && ++applied_here == args->crash_after) {
          exactly_once::crash(applied_here, "the offset is stored");
        }
        return {};
      });
  if (!consumer) {
    std::cerr << "consumer: " << consumer.error().message << "\n";
    return 1;
  }
  harness.run_until_signal(**consumer, "consuming " + args->topic);
  std::cout << "stopped cleanly" << std::endl;
  return 0;
}

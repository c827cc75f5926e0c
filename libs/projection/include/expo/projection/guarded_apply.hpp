#pragma once
// Exactly-once effects of Kafka messages on Redis. The consumer is at-least-once (a crash between
// applying a message and committing its offset delivers it again), so each effect runs inside one Lua
// script that first compares the message's offset with the last one applied for its partition, stored
// in a guard hash, and applies the effect and advances the guard together, atomically. A redelivered
// message finds its offset already applied and changes nothing.
//
// On a Redis cluster the guard key and the effect's keys must share a hash tag ("{board}:...") so the
// script's keys live in one slot.
//
// Thread-safety: GuardedScript is immutable. apply_sync() blocks and is for consumer threads only.

#include <string>
#include <string_view>
#include <vector>

#include "expo/core/result.hpp"
#include "expo/redis/script.hpp"

namespace expo::redis {
class Client;
}
namespace expo::kafka {
struct Message;
}

namespace expo::projection {

class GuardedScript {
 public:
  // `effect` is a Lua chunk that sees its own KEYS and ARGV (the guard's are not among them) and may
  // return nothing: the script itself returns 1 when applied, 0 for a message already applied.
  explicit GuardedScript(std::string_view effect);
  const redis::Script& script() const { return script_; }

 private:
  redis::Script script_;
};

enum class Outcome { applied, duplicate };

// Runs the effect for `message` unless the guard says its partition is already past it.
// Errors are the Redis client's (retryable ones mean: try the same message again).
Result<Outcome> apply_sync(redis::Client& redis, const GuardedScript& script, const std::string& guard_key,
                           const kafka::Message& message, std::vector<std::string> keys,
                           std::vector<std::string> args);

// The guard hash's field for a partition: "<topic>:<partition>".
std::string guard_field(std::string_view topic, int partition);

}  // namespace expo::projection

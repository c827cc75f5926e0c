#pragma once
// Exactly-once effects of many Kafka messages in ONE Redis script call: the batched form of
// guarded_apply.hpp, for consumers that take messages in batches (kafka::Consumer::create_batched).
//
// The script reads the guard of every partition in the batch, then walks the messages in order: a
// message at or below its partition's applied offset is a duplicate and changes nothing; any other
// runs its effect, and its partition's applied offset becomes its offset. At the end the guard of
// each partition that moved is set to the highest offset applied. All of it is one atomic step.
// If an effect raises an error, the guard still records the messages applied before it (Redis keeps
// a script's writes up to the error), and the call fails: retrying the same batch skips them.
//
// The effect chunk is written exactly like a GuardedScript effect: it sees its own KEYS and ARGV (the
// message's slice) and runs once per message to apply. Those two tables are shared between messages
// (one ARGV table for all; one KEYS table per shape, see batch_encoding.hpp): read them during the
// call and never keep or change the tables themselves (the strings in them are values, keep freely).
//
// Optional `finish` chunk, for effects that aggregate: it runs once after the messages, and both it
// and the effect see a Lua table `batch`, empty at the start of each call. An effect may add up in
// `batch` (e.g. increments per board member) and `finish` write the sums, one command per distinct
// member instead of one per message: much faster when many messages touch the same keys. When an
// effect fails, `finish` still runs (for the messages applied before it) before the error returns.
// As with direct writes, an effect must check what can fail before it touches `batch` or Redis, and
// `finish` must not fail.
//
// Thread-safety: BatchScript is immutable. apply_batch_sync() blocks and is for consumer threads only.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "expo/core/result.hpp"
#include "expo/projection/batch_encoding.hpp"
#include "expo/projection/guarded_apply.hpp"
#include "expo/redis/script.hpp"

namespace expo::projection {

class BatchScript {
 public:
  explicit BatchScript(std::string_view effect, std::string_view finish = {});
  const redis::Script& script() const { return script_; }

 private:
  redis::Script script_;
};

// The entry for a consumed message (its topic, partition and offset) with the effect's KEYS and ARGV.
// The entry views the message's topic: use it while the message is valid (the handler call).
Entry entry_for(const kafka::Message& message, std::vector<std::string> keys, std::vector<std::string> args);

// Applies `entries` in order, each at most once ever, and answers each one's outcome in the same
// order. Entries of one partition must come in offset order (a consumer's batch does). Batches larger
// than max_arguments (see batch_encoding.hpp) are split over several calls, each atomic: on an error
// the calls before it stay applied and guarded, so retrying the whole batch is safe.
// Errors: the Redis client's (retryable ones mean: try the same batch again); "redis_error" when an
// effect failed (the message names its "<topic>:<partition>@<offset>"); "projection_hash_tag" and
// "projection_script" (permanent) for a key outside the guard's hash tag or an unexpected reply.
Result<std::vector<Outcome>> apply_batch_sync(redis::Client& redis, const BatchScript& script,
                                              const std::string& guard_key, std::span<const Entry> entries,
                                              std::size_t max_arguments = kDefaultMaxBatchArguments);

}  // namespace expo::projection

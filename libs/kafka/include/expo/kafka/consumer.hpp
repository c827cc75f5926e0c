#pragma once
// At-least-once Kafka consumer loop: one thread, in order per partition, one message or one batch of
// messages at a time.
//
// The handler runs only on the consumer's own thread and returns once the effect of what it was
// given is durable (e.g. applied to Redis by a script that also records the offsets). Only then are
// the offsets stored for commit. A failed handler gets the SAME message (or the same batch, same
// messages in the same order) again after an exponential, bounded backoff, until it succeeds or
// stop() is called: a message is never skipped. Offsets are auto-committed every commit_interval,
// committed on partition revocation, and on stop(). After a crash the messages handled since the
// last commit are delivered again, so handlers must be idempotent (which the offset recorded with
// the effect provides).
//
// Thread-safety: start() and stop() from any one thread (not from inside the handler).
// Lifetime: the handler and observer are owned by the Consumer and not called after stop() returns.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "expo/core/result.hpp"
#include "expo/kafka/config.hpp"

namespace expo::kafka {

// Views into librdkafka's buffers: valid only during the handler call.
struct Message {
  std::string_view topic{};
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::string_view key{};
  std::string_view value{};
  std::vector<Header> headers{};
  std::int64_t timestamp_ms = -1;  // -1 when the broker gave none
  bool tombstone = false;          // a null value: the key's record is deleted (compacted topics)
};

struct ConsumerObserver {
  // hi-watermark - (offset + 1), from the consumer's cached watermarks (no network): for every
  // message once the handler call that held it succeeded, and after each failed attempt for the
  // first held message of each partition (where that partition is stuck). Runs on the consumer
  // thread: keep it cheap.
  std::function<void(std::string_view topic, std::int32_t partition, std::int64_t lag)> on_lag{};
};

// One message a call.
using Handler = std::function<Result<void>(const Message&)>;

// Several messages a call, in arrival order (so in offset order within each partition; partitions
// may interleave), never empty. Succeeding means the effect of EVERY message in the span is
// durable: the offsets of all of them are stored together. Failing means the whole span comes again.
using BatchHandler = std::function<Result<void>(std::span<const Message>)>;

// How a batched consumer gathers a batch. After the first message arrives, the loop keeps taking
// messages until it holds max_messages or max_wait has passed since that first message, whichever
// comes first; max_wait = 0 takes only what librdkafka has already fetched. So under a backlog batches
// are full at once, and a lone message waits at most max_wait before its handler call.
struct BatchOptions {
  std::size_t max_messages = 500;
  std::chrono::milliseconds max_wait{20};
};

class Consumer {
 public:
  // Errors: "kafka_config" (permanent) for an invalid config, an empty handler or a property
  // librdkafka rejects.
  static Result<std::unique_ptr<Consumer>> create(ConsumerConfig config, Handler handler,
                                                  ConsumerObserver observer = {});
  // The same loop handing the handler batches (see BatchOptions). A factory of its own rather than a
  // ConsumerConfig member: the handler's type differs, and ConsumerConfig stays the pure description
  // of the librdkafka client. Errors as create(), also for max_messages = 0 or a negative max_wait.
  static Result<std::unique_ptr<Consumer>> create_batched(ConsumerConfig config, BatchHandler handler,
                                                          ConsumerObserver observer = {},
                                                          BatchOptions batch = {});
  ~Consumer();  // stop() if still running
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Subscribes and starts the consumer thread. Once only.
  void start();
  // Lets the current handler call finish, commits the stored offsets, leaves the group, joins the
  // thread. A failing message or batch being retried is abandoned without storing its offsets, and
  // so is a batch still being gathered: the next member of the group gets them again. Idempotent.
  void stop();

 private:
  struct Impl;
  explicit Consumer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace expo::kafka

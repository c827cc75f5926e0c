#pragma once
// At-least-once Kafka consumer loop: one thread, one message at a time, in order per partition.
//
// The handler runs only on the consumer's own thread and returns once the message's effect is
// durable (e.g. applied to Redis by a script that also records the offset). Only then is the
// offset stored for commit. A failed handler gets the SAME message again after an exponential,
// bounded backoff, until it succeeds or stop() is called: a message is never skipped. Offsets are
// auto-committed every commit_interval, committed on partition revocation, and on stop().
// After a crash the messages handled since the last commit are delivered again, so handlers must
// be idempotent (which the offset recorded with the effect provides).
//
// Thread-safety: start() and stop() from any one thread (not from inside the handler).
// Lifetime: the handler and observer are owned by the Consumer and not called after stop() returns.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
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
  // After each handled message and each failed attempt: hi-watermark - (offset + 1), from the
  // consumer's cached watermarks (no network). Runs on the consumer thread: keep it cheap.
  std::function<void(std::string_view topic, std::int32_t partition, std::int64_t lag)> on_lag{};
};

using Handler = std::function<Result<void>(const Message&)>;

class Consumer {
 public:
  // Errors: "kafka_config" (permanent) for an invalid config or a property librdkafka rejects.
  static Result<std::unique_ptr<Consumer>> create(ConsumerConfig config, Handler handler,
                                                  ConsumerObserver observer = {});
  ~Consumer();  // stop() if still running
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Subscribes and starts the consumer thread. Once only.
  void start();
  // Lets the current handler call finish, commits the stored offsets, leaves the group, joins the
  // thread. A failing message being retried is abandoned without storing its offset, so the next
  // member of the group gets it again. Idempotent.
  void stop();


 private:
  struct Impl;
  explicit Consumer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace expo::kafka

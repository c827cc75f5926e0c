#pragma once
// Idempotent Kafka producer (acks=all) whose completion handlers run on an io_context.
//
// Thread-safety: produce(), check_reachable() and end_offsets() may be called from any thread; stop()
// must not run concurrently with them (call it from the io thread that also produces). Every completion handler
// and observer callback runs on the io_context given to create(), never inside produce().
// Lifetime: destroy the Producer before the io_context. Handlers already posted when the Producer is
// destroyed still run (they hold no reference to it) if the io_context keeps running.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "expo/core/result.hpp"
#include "expo/kafka/config.hpp"

namespace boost::asio {
class io_context;
}

namespace expo::kafka {

struct Delivery {
  std::string topic{};
  std::int32_t partition = 0;
  std::int64_t offset = 0;
};

struct ProducerObserver {
  // Per completed message, just before its `done`: for latency histograms and error counters.
  std::function<void(std::string_view topic, std::chrono::microseconds latency, bool ok)> on_delivery{};
};

class Producer {
 public:
  // Errors: "kafka_config" (permanent) for an invalid config or a property librdkafka rejects.
  static Result<std::unique_ptr<Producer>> create(boost::asio::io_context& io, ProducerConfig config,
                                                  ProducerObserver observer = {});
  ~Producer();  // stop(0 ms) if still running
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Never blocks. `done` runs exactly once, posted to the io_context:
  //  - with the Delivery once the broker acknowledged the message (acks=all): it is durable;
  //  - "kafka_queue_full" (retryable) at once when max_in_flight messages are unacknowledged;
  //  - "kafka_unavailable" (retryable) when delivery failed or timed out (delivery_timeout), or the
  //    producer stopped before the broker answered (the message may still have been written);
  //  - "kafka_rejected" (permanent) when retrying the same message cannot succeed (too large,
  //    invalid, not authorised);
  //  - "kafka_fatal" (retryable: another producer instance can succeed) after a fatal idempotence
  //    error, which also makes check_reachable() report false so readiness fails;
  //  - "kafka_stopped" (retryable) after stop().
  // An empty `value` is sent as a null value: a tombstone on a compacted topic.
  void produce(std::string topic, std::string key, std::string value, std::vector<Header> headers,
               std::function<void(Result<Delivery>)> done);

  // Readiness probe: a metadata request with `timeout`, run off the io thread; `done(true)` is posted
  // when a broker answered. Probes requested while one is running share the next request.
  void check_reachable(std::chrono::milliseconds timeout, std::function<void(bool)> done);

  // The end offset (high watermark: the offset the next message will get) of every partition of
  // `topic`, indexed by partition, as the broker reports it now. For a reader that must not answer
  // before its own projection of the topic has caught up. Runs off the io thread (on the thread that
  // serves check_reachable), never blocks the caller; `done` runs once, posted to the io_context.
  // Requests made while a query is running share the NEXT query, so each answer covers every
  // message acknowledged before it was asked for. Errors: "kafka_unavailable" (retryable) when the
  // broker does not answer within `timeout` or the producer is stopped/fatal; "kafka_unknown_topic"
  // (permanent) when the topic does not exist.
  void end_offsets(std::string topic, std::chrono::milliseconds timeout,
                   std::function<void(Result<std::vector<std::int64_t>>)> done);

  // Waits up to `flush_timeout` for unacknowledged messages, fails the rest, stops the threads.
  // Blocks the caller for about flush_timeout + 1 s at most (plus the rest of the broker request a
  // running check_reachable/end_offsets query is waiting for). Every pending `done` is posted before
  // it returns; they run when the io_context next runs handlers. Idempotent.
  void stop(std::chrono::milliseconds flush_timeout);

 private:
  struct Impl;
  explicit Producer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace expo::kafka

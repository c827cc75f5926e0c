#pragma once
// Plain configuration for the producer and the consumer. Values only: validated and mapped to
// librdkafka properties by expo/kafka/properties.hpp when a client is created.
// Every member has a default initializer so designated initializers may omit any of them.

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace expo::kafka {

// Raw librdkafka properties, in the order they are applied.
using Properties = std::vector<std::pair<std::string, std::string>>;

struct Header {
  std::string key{};
  std::string value{};
};

struct ProducerConfig {
  std::string brokers{};  // bootstrap.servers, "host:port,host:port"
  std::string client_id{};
  // message.timeout.ms: how long a message may wait for the broker's acknowledgement before `done`
  // fails. Short on purpose: a down broker must become a prompt 503, not a hanging request.
  std::chrono::milliseconds delivery_timeout{5000};
  // queue.buffering.max.messages: messages not yet acknowledged (queued or in flight). Beyond it
  // produce() fails at once with "kafka_queue_full" instead of growing memory or blocking.
  std::size_t max_in_flight = 100000;
  // Extra librdkafka properties (security.protocol, sasl.*, linger.ms, ...). The ones the delivery
  // guarantee rests on (idempotence, acks, message.timeout.ms, ...) are refused.
  Properties extra{};
};

struct ConsumerConfig {
  std::string brokers{};
  std::string group_id{};
  std::string client_id{};
  std::vector<std::string> topics{};
  std::string auto_offset_reset = "earliest";  // where a group with no committed offset starts
  std::chrono::milliseconds commit_interval{1000};  // auto-commit of offsets stored after success
  // Backoff between attempts when the handler fails: doubles from min up to max.
  std::chrono::milliseconds retry_backoff_min{100};
  std::chrono::milliseconds retry_backoff_max{5000};
  // Extra librdkafka properties; the ones the at-least-once guarantee rests on are refused.
  Properties extra{};
};

}  // namespace expo::kafka

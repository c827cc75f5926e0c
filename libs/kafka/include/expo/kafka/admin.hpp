#pragma once
// Topic administration for start-up, the local stack and tests.
// Blocking (a metadata round trip and the broker's topic creation): never call it on an io thread.
// Thread-safe: each call uses its own short-lived client.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "expo/core/result.hpp"

namespace expo::kafka {

struct TopicSpec {
  std::string name{};
  std::int32_t partitions = 1;
  std::int16_t replication_factor = 1;
};

// Creates the topics that do not exist yet (an existing topic is success, whatever its partition
// count), then waits until every topic has a leader for each partition in the broker's metadata, so
// a producer or a new consumer group can use them at once. Errors: "kafka_unavailable" (retryable)
// when the broker does not answer within `timeout`, "kafka_create_topics" otherwise.
Result<void> create_topics(const std::string& brokers, const std::vector<TopicSpec>& topics,
                           std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace expo::kafka

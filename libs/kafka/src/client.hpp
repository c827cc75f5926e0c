#pragma once
// Shared librdkafka plumbing: RAII for handles and configurations, properties applied with errors
// as values, and the project's logging installed on every handle.

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>

#include "expo/core/result.hpp"
#include "expo/kafka/config.hpp"

namespace expo::kafka::detail {

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

struct HandleDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using HandlePtr = std::unique_ptr<rd_kafka_t, HandleDeleter>;

struct QueueDeleter {
  void operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
};
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, QueueDeleter>;

struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const { rd_kafka_topic_partition_list_destroy(list); }
};
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

// A configuration with `props` applied and the rate-limited log callback installed.
// Errors: "kafka_config" naming the property librdkafka refused.
Result<ConfPtr> make_conf(const Properties& props);

// rd_kafka_new; takes the configuration only on success (librdkafka's own rule).
Result<HandlePtr> make_handle(rd_kafka_type_t type, ConfPtr& conf);

}  // namespace expo::kafka::detail

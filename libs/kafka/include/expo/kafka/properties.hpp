#pragma once
// The exact librdkafka properties a Producer / Consumer is created with. A pure function of the
// config, so the mapping (and the guarantees encoded in it) is unit-tested without a broker.

#include "expo/core/result.hpp"
#include "expo/kafka/config.hpp"

namespace expo::kafka {

// Errors are permanent "kafka_config" with a message naming the offending field.
Result<Properties> producer_properties(const ProducerConfig& config);
Result<Properties> consumer_properties(const ConsumerConfig& config);

}  // namespace expo::kafka

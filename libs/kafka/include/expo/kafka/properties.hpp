#pragma once
// The exact librdkafka properties a Producer / Consumer / topic reader is created with. A pure function of the
// config, so the mapping (and the guarantees encoded in it) is unit-tested without a broker.

#include <string>

#include "expo/core/result.hpp"
#include "expo/kafka/config.hpp"

namespace expo::kafka {

// Errors are permanent "kafka_config" with a message naming the offending field.
Result<Properties> producer_properties(const ProducerConfig& config);
Result<Properties> consumer_properties(const ConsumerConfig& config);
// The group-less client of ranges_to_end and read_ranges (topic_reader.hpp).
Result<Properties> reader_properties(const std::string& brokers, const Properties& extra);

}  // namespace expo::kafka

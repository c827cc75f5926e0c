#pragma once
// Blocking broker round trips that librdkafka 2.0.2 offers only as synchronous calls. Never call
// them on an io thread: QueryThread runs them on its own thread and posts the answers, and
// ranges_to_end (topic_reader.hpp) is documented as blocking, for worker threads and tools.
// Thread-safe as far as librdkafka is (any thread may use the handle).

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "expo/core/result.hpp"

namespace expo::kafka::detail {

using QueryClock = std::chrono::steady_clock;

// True when a broker answered a metadata request (brokers only, no topic) before `deadline`.
bool metadata_answered(rd_kafka_t* rk, QueryClock::time_point deadline);

// The low watermark (first offset still stored) and the high watermark (end offset: the offset the
// next message will get) of one partition.
struct Watermarks {
  std::int64_t low = 0;
  std::int64_t high = 0;
};

// The watermarks of every partition of `topic`, indexed by partition: the partition count from a
// metadata request for that topic, then one watermark request per partition, all before
// `deadline`. Errors that may pass (a leader moving, a topic still being created) are retried from
// fresh metadata until the deadline. `cancelled` is checked between
// requests, so stop() waits for one request at most, not for the whole query.
// Errors: "kafka_unavailable" (retryable) on a timeout, a broker error or cancellation;
// "kafka_unknown_topic" (permanent) when the broker does not know the topic.
Result<std::vector<Watermarks>> query_watermarks(rd_kafka_t* rk, const std::string& topic,
                                                 QueryClock::time_point deadline, const std::atomic<bool>& cancelled);

// query_watermarks reduced to the high watermarks.
Result<std::vector<std::int64_t>> query_end_offsets(rd_kafka_t* rk, const std::string& topic,
                                                    QueryClock::time_point deadline,
                                                    const std::atomic<bool>& cancelled);

}  // namespace expo::kafka::detail

// ranges_to_end (topic_reader.hpp): what a read up to the end of the topics has to cover.

#include <algorithm>
#include <atomic>
#include <set>

#include "broker_queries.hpp"
#include "client.hpp"
#include "expo/kafka/properties.hpp"
#include "expo/kafka/topic_reader.hpp"
#include "log_limiter.hpp"

namespace expo::kafka {
namespace {

std::string where(const std::string& topic, std::int32_t partition) {
  return topic + "/" + std::to_string(partition);
}

// The topics once each, in the order given.
Result<std::vector<std::string>> distinct_topics(const std::vector<std::string>& topics) {
  std::vector<std::string> out;
  for (const auto& topic : topics) {
    if (topic.empty()) return Error::permanent("kafka_config", "topics holds an empty name");
    if (std::find(out.begin(), out.end(), topic) == out.end()) out.push_back(topic);
  }
  return out;
}

// A position the caller gave must name a partition of a listed topic: anything else is a mistake
// the caller would otherwise never hear of (its messages silently not read).
Result<void> check_positions(const PartitionOffsets& positions, const std::vector<std::string>& topics) {
  for (const auto& [key, offset] : positions) {
    const auto& [topic, partition] = key;
    if (std::find(topics.begin(), topics.end(), topic) == topics.end()) {
      return Error::permanent("kafka_config", "position for " + where(topic, partition) + ": topic not listed");
    }
    if (partition < 0 || offset < 0) {
      return Error::permanent("kafka_config", "position for " + where(topic, partition) + ": negative");
    }
  }
  return {};
}

}  // namespace

Result<std::vector<PartitionRange>> ranges_to_end(const std::string& brokers, const std::vector<std::string>& topics,
                                                  const PartitionOffsets& from_positions,
                                                  std::chrono::milliseconds timeout, const Properties& extra) {
  auto props = reader_properties(brokers, extra);
  if (!props) return props.error();
  if (timeout.count() <= 0) return Error::permanent("kafka_config", "timeout must be positive");
  auto names = distinct_topics(topics);
  if (!names) return names.error();
  if (auto checked = check_positions(from_positions, *names); !checked) return checked.error();
  if (names->empty()) return std::vector<PartitionRange>{};

  const auto deadline = detail::QueryClock::now() + timeout;
  // A consumer client, so the watermark queries use the reader's isolation level: the end they
  // answer is the end read_ranges will reach.
  auto conf = detail::make_conf(*props);
  if (!conf) return conf.error();
  rd_kafka_conf_set_error_cb(conf->get(), [](rd_kafka_t* rk, int err, const char* reason, void*) {
    detail::log_client_error(rk, err, reason);
  });
  auto rk = detail::make_handle(RD_KAFKA_CONSUMER, *conf);
  if (!rk) return rk.error();

  const std::atomic<bool> never_cancelled{false};
  std::vector<PartitionRange> ranges;
  std::size_t positions_used = 0;
  for (const auto& topic : *names) {
    auto marks = detail::query_watermarks(rk->get(), topic, deadline, never_cancelled);
    if (!marks) return marks.error();
    for (std::size_t i = 0; i < marks->size(); ++i) {
      const auto partition = static_cast<std::int32_t>(i);
      const auto [low, high] = (*marks)[i];
      std::int64_t from = low;
      if (const auto it = from_positions.find({topic, partition}); it != from_positions.end()) {
        ++positions_used;
        if (it->second > high) {
          return Error::permanent("kafka_offset_out_of_range",
                                  "position " + std::to_string(it->second) + " for " + where(topic, partition) +
                                      " is beyond its end " + std::to_string(high));
        }
        // Below the low watermark the messages are gone (retention): start where the log starts.
        from = std::max(it->second, low);
      }
      ranges.push_back({topic, partition, from, high});
    }
  }
  if (positions_used != from_positions.size()) {
    for (const auto& [key, offset] : from_positions) {
      const auto it = std::find_if(ranges.begin(), ranges.end(), [&](const PartitionRange& r) {
        return r.topic == key.first && r.partition == key.second;
      });
      if (it == ranges.end()) {
        return Error::permanent("kafka_config",
                                "position for " + where(key.first, key.second) + ": no such partition");
      }
    }
  }
  return ranges;
}

}  // namespace expo::kafka

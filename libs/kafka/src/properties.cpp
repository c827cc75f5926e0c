#include "expo/kafka/properties.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace expo::kafka {
namespace {

Error config_error(std::string message) { return Error::permanent("kafka_config", std::move(message)); }

// Properties whose value the library's guarantees depend on: an override would silently weaken
// "201 means durable" or "never skip a message", so it is refused rather than applied.
constexpr std::array<std::string_view, 10> kProducerOwned{
    "bootstrap.servers", "metadata.broker.list", "client.id", "enable.idempotence", "acks",
    "request.required.acks", "message.timeout.ms", "delivery.timeout.ms",
    "queue.buffering.max.messages", "transactional.id"};

constexpr std::array<std::string_view, 9> kConsumerOwned{
    "bootstrap.servers", "metadata.broker.list", "client.id", "group.id", "enable.auto.commit",
    "enable.auto.offset.store", "auto.commit.interval.ms", "auto.offset.reset",
    "partition.assignment.strategy"};

// No group, so nothing to commit, and reads that stop exactly where they were told: the end of a
// partition must be seen (eof), and a start outside the log must fail rather than be moved.
// isolation.level decides where a partition ends (last stable offset or high watermark), which
// must match the watermark query of ranges_to_end made with the same properties.
constexpr std::array<std::string_view, 9> kReaderOwned{
    "bootstrap.servers", "metadata.broker.list", "group.id", "enable.auto.commit",
    "enable.auto.offset.store", "enable.partition.eof", "auto.offset.reset", "isolation.level",
    "allow.auto.create.topics"};

template <std::size_t N>
Result<void> append_extra(Properties& out, const Properties& extra,
                          const std::array<std::string_view, N>& owned) {
  for (const auto& [key, value] : extra) {
    if (key.empty()) return config_error("extra property with an empty name");
    if (std::find(owned.begin(), owned.end(), key) != owned.end()) {
      return config_error("extra property '" + key + "' is set by the library and cannot be overridden");
    }
    out.emplace_back(key, value);
  }
  return {};
}

}  // namespace

Result<Properties> producer_properties(const ProducerConfig& config) {
  if (config.brokers.empty()) return config_error("brokers is empty");
  if (config.delivery_timeout.count() <= 0) return config_error("delivery_timeout must be positive");
  if (config.max_in_flight == 0 || config.max_in_flight > 10'000'000) {
    return config_error("max_in_flight must be between 1 and 10000000");
  }
  Properties props{
      {"bootstrap.servers", config.brokers},
      // Idempotence brings acks=all, retries and ordering; acks is repeated so the intent is explicit
      // and a future librdkafka default cannot change it.
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"message.timeout.ms", std::to_string(config.delivery_timeout.count())},
      {"queue.buffering.max.messages", std::to_string(config.max_in_flight)},
  };
  if (!config.client_id.empty()) props.emplace_back("client.id", config.client_id);
  if (auto r = append_extra(props, config.extra, kProducerOwned); !r) return r.error();
  return props;
}

Result<Properties> consumer_properties(const ConsumerConfig& config) {
  if (config.brokers.empty()) return config_error("brokers is empty");
  if (config.group_id.empty()) return config_error("group_id is empty");
  if (config.topics.empty()) return config_error("topics is empty");
  for (const auto& topic : config.topics) {
    if (topic.empty()) return config_error("topics holds an empty name");
  }
  if (config.auto_offset_reset != "earliest" && config.auto_offset_reset != "latest") {
    return config_error("auto_offset_reset must be 'earliest' or 'latest'");
  }
  if (config.commit_interval.count() <= 0) return config_error("commit_interval must be positive");
  if (config.retry_backoff_min.count() <= 0 || config.retry_backoff_max < config.retry_backoff_min) {
    return config_error("retry backoff must satisfy 0 < retry_backoff_min <= retry_backoff_max");
  }
  Properties props{
      {"bootstrap.servers", config.brokers},
      {"group.id", config.group_id},
      {"partition.assignment.strategy", "cooperative-sticky"},
      {"auto.offset.reset", config.auto_offset_reset},
      // Offsets are stored by the consumer loop only after the handler succeeded; auto commit then
      // only ever commits work that is durable.
      {"enable.auto.offset.store", "false"},
      {"enable.auto.commit", "true"},
      {"auto.commit.interval.ms", std::to_string(config.commit_interval.count())},
      {"enable.partition.eof", "false"},
      // A member that dies without leaving (kill -9, a lost machine) holds its partitions until its
      // session times out: 10 s rather than librdkafka's 45 s keeps boards and views moving.
      {"session.timeout.ms", "10000"},
      {"heartbeat.interval.ms", "2000"},
      // Under a steady stream a fetch answered at its first byte brings a handful of messages, and
      // the broker spends more on fetches than on the writes they read. Waiting for 64 KiB, or at
      // most 100 ms, makes the fetches few and full; a lone event still arrives within 100 ms.
      {"fetch.min.bytes", "65536"},
      {"fetch.wait.max.ms", "100"},
  };
  if (!config.client_id.empty()) props.emplace_back("client.id", config.client_id);
  if (auto r = append_extra(props, config.extra, kConsumerOwned); !r) return r.error();
  return props;
}

Result<Properties> reader_properties(const std::string& brokers, const Properties& extra) {
  if (brokers.empty()) return config_error("brokers is empty");
  Properties props{
      {"bootstrap.servers", brokers},
      {"client.id", "expo-topic-reader"},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"enable.partition.eof", "true"},
      {"auto.offset.reset", "error"},
      {"isolation.level", "read_committed"},
      // A watermark query for a deleted topic must not create it again.
      {"allow.auto.create.topics", "false"},
      // A bulk read of a backlog. librdkafka 2.0.2 stops fetching once its local queue holds
      // queued.min.messages (counted over the reader's one queue) and looks again only when its
      // broker thread next wakes, up to 1 s later (librdkafka #2879; 2.2.0 added
      // fetch.queue.backoff.ms for it). So a handler faster than the queue refills waits for that
      // second, and the read rate is about what the queue holds per second. 300,000 messages keep
      // a no-op handler at ~600,000-700,000 small messages/s with ~120 MB resident (measured: see
      // the README); 1 MiB partition fetches (librdkafka's default) keep fetches flowing while the
      // queue fills, where 8 MiB ones overshoot the queue and double the memory for the same rate.
      // Fetched payload stays bounded by queued.max.messages.kbytes (64 MiB, librdkafka's default).
      {"max.partition.fetch.bytes", "1048576"},
      {"queued.min.messages", "300000"},
      {"queued.max.messages.kbytes", "65536"},
      // The broker answers at once while there is a backlog; at a partition's end it holds an
      // empty fetch at most this long, which bounds how late the end (eof) is seen.
      {"fetch.wait.max.ms", "100"},
  };
  if (auto r = append_extra(props, extra, kReaderOwned); !r) return r.error();
  return props;
}

}  // namespace expo::kafka

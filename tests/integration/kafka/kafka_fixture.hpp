#pragma once
// The fixture shared by the expo::kafka integration tests: fresh topics and groups per test, a
// producer of numbered messages, and a thread-safe record of what handlers saw.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "expo/kafka/admin.hpp"
#include "expo/kafka/consumer.hpp"
#include "expo/kafka/producer.hpp"
#include "expo/testing/io.hpp"

namespace kafka_it {

using namespace std::chrono_literals;
using expo::kafka::Consumer;
using expo::kafka::ConsumerConfig;
using expo::kafka::Delivery;
using expo::kafka::Message;
using expo::kafka::Producer;
using expo::testing::run_until;

struct Record {
  std::int32_t partition;
  std::int64_t offset;
  std::string key;
  std::string value;
  std::string seq_header;
};

// What a consumer's handler saw, shared with the test thread.
struct Seen {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<Record> records;

  void add(const Message& m) {
    Record r{m.partition, m.offset, std::string(m.key), std::string(m.value), {}};
    for (const auto& h : m.headers) {
      if (h.key == "seq") r.seq_header = h.value;
    }
    {
      std::lock_guard lock(mutex);
      records.push_back(std::move(r));
    }
    cv.notify_all();
  }

  template <class Pred>
  bool wait_for(Pred pred, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, timeout, [&] { return pred(records); });
  }

  std::vector<Record> snapshot() {
    std::lock_guard lock(mutex);
    return records;
  }
};

class KafkaIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* env = std::getenv("EXPO_TEST_KAFKA_BROKERS");
    // Failing, not skipping: a skipped integration check would be counted as a pass.
    ASSERT_TRUE(env != nullptr && *env != '\0')
        << "EXPO_TEST_KAFKA_BROKERS is not set: these tests need a real Kafka broker, e.g. "
           "EXPO_TEST_KAFKA_BROKERS=127.0.0.1:29092 (make test starts one and sets it; see tests/integration-env.sh)";
    brokers_ = env;
  }

  std::string fresh_name(const std::string& what) {
    static std::atomic<int> counter{0};
    const auto now = std::chrono::system_clock::now().time_since_epoch().count();
    return "it-kafka-" + what + "-" + std::to_string(::getpid()) + "-" + std::to_string(now) + "-" +
           std::to_string(counter++);
  }

  std::string fresh_topic(const std::string& what, std::int32_t partitions) {
    auto name = fresh_name(what);
    auto created = expo::kafka::create_topics(brokers_, {{name, partitions, 1}}, 30s);
    EXPECT_TRUE(created.ok()) << created.error().code << ": " << created.error().message;
    return name;
  }

  ConsumerConfig consumer_config(const std::string& topic, const std::string& group) {
    ConsumerConfig c;
    c.brokers = brokers_;
    c.group_id = group;
    c.client_id = "kafka-it";
    c.topics = {topic};
    c.commit_interval = 200ms;
    c.retry_backoff_min = 50ms;
    c.retry_backoff_max = 80ms;
    return c;
  }

  // Produces values "0".."n-1" (key visitor-(i % keys), header seq=i); returns each Delivery by i.
  std::vector<Delivery> produce_all(const std::string& topic, int n, int keys) {
    boost::asio::io_context io;
    expo::kafka::ProducerConfig config;
    config.brokers = brokers_;
    config.client_id = "kafka-it";
    config.delivery_timeout = 30s;
    auto producer = Producer::create(io, config);
    EXPECT_TRUE(producer.ok()) << producer.error().message;
    if (!producer.ok()) return {};
    std::vector<Delivery> deliveries(static_cast<std::size_t>(n));
    std::vector<int> calls(static_cast<std::size_t>(n), 0);
    int completed = 0;
    int failed = 0;
    for (int i = 0; i < n; ++i) {
      const auto idx = static_cast<std::size_t>(i);
      (*producer)->produce(topic, "visitor-" + std::to_string(i % keys), std::to_string(i),
                           {{"seq", std::to_string(i)}}, [&, idx](expo::Result<Delivery> r) {
                             ++calls[idx];
                             ++completed;
                             if (r.ok()) {
                               deliveries[idx] = *r;
                             } else {
                               ++failed;
                               ADD_FAILURE() << "message " << idx << ": " << r.error().code << " "
                                             << r.error().message;
                             }
                           });
    }
    EXPECT_TRUE(run_until(io, [&] { return completed == n; }, 60s)) << completed << " of " << n;
    (*producer)->stop(5s);
    io.restart();
    io.poll();
    EXPECT_EQ(failed, 0);
    for (int i = 0; i < n; ++i) EXPECT_EQ(calls[static_cast<std::size_t>(i)], 1) << "done count of message " << i;
    return deliveries;
  }

  std::string brokers_;
};

inline std::map<std::int32_t, std::vector<std::int64_t>> offsets_by_partition(const std::vector<Record>& records) {
  std::map<std::int32_t, std::vector<std::int64_t>> out;
  for (const auto& r : records) out[r.partition].push_back(r.offset);
  return out;
}

// Every message once across the given runs' records, each value a message number below `count`.
inline void expect_each_once(std::initializer_list<const std::vector<Record>*> runs, int count) {
  std::vector<int> times(static_cast<std::size_t>(count), 0);
  for (const auto* records : runs) {
    for (const auto& r : *records) ++times.at(static_cast<std::size_t>(std::stoi(r.value)));
  }
  for (int i = 0; i < count; ++i) EXPECT_EQ(times[static_cast<std::size_t>(i)], 1) << "message " << i;
}

// Per partition, the first run covered offsets 0..last and the second started right at last + 1.
inline void expect_second_run_resumes(const std::vector<Record>& first, const std::vector<Record>& second,
                                      std::initializer_list<std::int32_t> partitions) {
  auto first_offsets = offsets_by_partition(first);
  auto second_offsets = offsets_by_partition(second);
  for (const std::int32_t partition : partitions) {
    const auto& a_off = first_offsets[partition];
    const auto& b_off = second_offsets[partition];
    for (std::size_t j = 0; j < a_off.size(); ++j) ASSERT_EQ(a_off[j], static_cast<std::int64_t>(j));
    const std::int64_t resume_at = a_off.empty() ? 0 : a_off.back() + 1;
    for (std::size_t j = 0; j < b_off.size(); ++j) {
      ASSERT_EQ(b_off[j], resume_at + static_cast<std::int64_t>(j)) << "partition " << partition;
    }
  }
}

}  // namespace kafka_it

// expo::kafka against a real broker (EXPO_TEST_KAFKA_BROKERS). Every test creates its own fresh
// topics and consumer groups, so runs never see each other's messages or offsets.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "expo/kafka/admin.hpp"
#include "expo/kafka/consumer.hpp"
#include "expo/kafka/producer.hpp"
#include "expo/testing/io.hpp"
#include "kafka_fixture.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using expo::kafka::Consumer;
using expo::kafka::ConsumerConfig;
using expo::kafka::Delivery;
using expo::kafka::Message;
using expo::kafka::Producer;

using expo::testing::run_until;
using kafka_it::KafkaIntegration;
using kafka_it::offsets_by_partition;
using kafka_it::Record;
using kafka_it::Seen;

TEST_F(KafkaIntegration, CreateTopicsIsIdempotent) {
  const auto name = fresh_name("create");
  auto first = expo::kafka::create_topics(brokers_, {{name, 2, 1}}, 30s);
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto again = expo::kafka::create_topics(brokers_, {{name, 2, 1}}, 30s);
  EXPECT_TRUE(again.ok()) << again.error().message;
  auto invalid = expo::kafka::create_topics(brokers_, {{fresh_name("bad"), 0, 1}}, 10s);
  ASSERT_FALSE(invalid.ok());
  EXPECT_FALSE(invalid.error().retryable);
}

TEST_F(KafkaIntegration, ProbeSeesTheBroker) {
  boost::asio::io_context io;
  expo::kafka::ProducerConfig config;
  config.brokers = brokers_;
  auto producer = Producer::create(io, config);
  ASSERT_TRUE(producer.ok()) << producer.error().message;
  std::optional<bool> reachable;
  (*producer)->check_reachable(5s, [&](bool ok) { reachable = ok; });
  ASSERT_TRUE(run_until(io, [&] { return reachable.has_value(); }, 10s));
  EXPECT_TRUE(*reachable);
  (*producer)->stop(1s);
}

TEST_F(KafkaIntegration, ProducedMessagesAreConsumedExactlyOnceInPartitionOrder) {
  constexpr int kCount = 1000;
  constexpr std::int32_t kPartitions = 3;
  const auto topic = fresh_topic("exactly-once", kPartitions);

  const auto deliveries = produce_all(topic, kCount, 50);
  ASSERT_EQ(deliveries.size(), static_cast<std::size_t>(kCount));

  // Every acknowledgement names a real position; a fresh topic's offsets are dense from 0.
  std::map<std::int32_t, std::vector<std::int64_t>> produced;
  std::map<std::string, std::vector<std::int64_t>> by_key;
  for (int i = 0; i < kCount; ++i) {
    const auto& d = deliveries[static_cast<std::size_t>(i)];
    ASSERT_EQ(d.topic, topic);
    ASSERT_GE(d.partition, 0);
    ASSERT_LT(d.partition, kPartitions);
    ASSERT_GE(d.offset, 0);
    produced[d.partition].push_back(d.offset);
    by_key["visitor-" + std::to_string(i % 50)].push_back(d.offset);
  }
  for (auto& [partition, offsets] : produced) {
    std::sort(offsets.begin(), offsets.end());
    for (std::size_t j = 0; j < offsets.size(); ++j) {
      ASSERT_EQ(offsets[j], static_cast<std::int64_t>(j)) << "partition " << partition;
    }
  }
  for (const auto& [key, offsets] : by_key) {  // one key, one partition, produce order kept
    EXPECT_TRUE(std::is_sorted(offsets.begin(), offsets.end())) << key;
  }

  Seen seen;
  std::mutex lag_mutex;
  std::map<std::int32_t, std::int64_t> last_lag;
  std::int64_t max_lag = 0;
  expo::kafka::ConsumerObserver observer;
  observer.on_lag = [&](std::string_view t, std::int32_t partition, std::int64_t lag) {
    EXPECT_EQ(t, topic);
    std::lock_guard lock(lag_mutex);
    last_lag[partition] = lag;
    max_lag = std::max(max_lag, lag);
  };
  auto consumer = Consumer::create(
      consumer_config(topic, fresh_name("group")),
      [&](const Message& m) -> expo::Result<void> {
        seen.add(m);
        return {};
      },
      observer);
  ASSERT_TRUE(consumer.ok()) << consumer.error().message;
  (*consumer)->start();
  ASSERT_TRUE(seen.wait_for([](const auto& r) { return r.size() >= kCount; }, 60s))
      << seen.snapshot().size() << " of " << kCount << " consumed";
  (*consumer)->stop();

  const auto records = seen.snapshot();
  ASSERT_EQ(records.size(), static_cast<std::size_t>(kCount)) << "a message was handled twice";
  std::vector<int> times(kCount, 0);
  for (const auto& r : records) {
    const int i = std::stoi(r.value);
    ASSERT_GE(i, 0);
    ASSERT_LT(i, kCount);
    ++times[static_cast<std::size_t>(i)];
    const auto& d = deliveries[static_cast<std::size_t>(i)];
    EXPECT_EQ(r.partition, d.partition) << i;
    EXPECT_EQ(r.offset, d.offset) << i;
    EXPECT_EQ(r.key, "visitor-" + std::to_string(i % 50)) << i;
    EXPECT_EQ(r.seq_header, r.value) << i;
  }
  for (int i = 0; i < kCount; ++i) EXPECT_EQ(times[static_cast<std::size_t>(i)], 1) << "message " << i;
  for (const auto& [partition, offsets] : offsets_by_partition(records)) {
    for (std::size_t j = 0; j < offsets.size(); ++j) {
      ASSERT_EQ(offsets[j], static_cast<std::int64_t>(j)) << "partition " << partition << " out of order";
    }
  }
  std::lock_guard lock(lag_mutex);
  EXPECT_EQ(last_lag.size(), static_cast<std::size_t>(kPartitions));
  for (const auto& [partition, lag] : last_lag) EXPECT_EQ(lag, 0) << "partition " << partition;
  EXPECT_GT(max_lag, 0) << "lag never reflected the backlog of 1000 produced messages";
}

TEST_F(KafkaIntegration, RestartedConsumerResumesRightAfterTheLastHandledMessage) {
  constexpr int kCount = 1000;
  constexpr std::size_t kStopAfter = 300;
  const auto topic = fresh_topic("resume", 2);
  ASSERT_EQ(produce_all(topic, kCount, 20).size(), static_cast<std::size_t>(kCount));
  const auto group = fresh_name("group");

  Seen first;
  std::atomic<std::size_t> handled{0};
  auto a = Consumer::create(consumer_config(topic, group), [&](const Message& m) -> expo::Result<void> {
    first.add(m);
    // Slow down past the stop point so stop() lands mid-topic, typically during a handler call.
    if (++handled > kStopAfter) std::this_thread::sleep_for(5ms);
    return {};
  });
  ASSERT_TRUE(a.ok()) << a.error().message;
  (*a)->start();
  ASSERT_TRUE(first.wait_for([&](const auto& r) { return r.size() >= kStopAfter; }, 60s));
  (*a)->stop();  // mid-way: lets the current handler finish, commits, leaves the group
  const auto before = first.snapshot();
  ASSERT_LT(before.size(), static_cast<std::size_t>(kCount)) << "stopped too late to test resuming";

  Seen second;
  auto b = Consumer::create(consumer_config(topic, group), [&](const Message& m) -> expo::Result<void> {
    second.add(m);
    return {};
  });
  ASSERT_TRUE(b.ok()) << b.error().message;
  (*b)->start();
  const auto remaining = static_cast<std::size_t>(kCount) - before.size();
  EXPECT_TRUE(second.wait_for([&](const auto& r) { return r.size() >= remaining; }, 60s))
      << second.snapshot().size() << " of " << remaining << " consumed after the restart";
  (*b)->stop();
  const auto after = second.snapshot();

  // No loss and no repeat: together the two runs handled each message once.
  kafka_it::expect_each_once({&before, &after}, kCount);
  // Per partition the first run covers 0..last and the second starts at last + 1.
  kafka_it::expect_second_run_resumes(before, after, {0, 1});
}

TEST_F(KafkaIntegration, SecondMemberTakesPartitionsWithoutLossOrRepeat) {
  constexpr int kCount = 1000;
  const auto topic = fresh_topic("rebalance", 4);
  ASSERT_EQ(produce_all(topic, kCount, 40).size(), static_cast<std::size_t>(kCount));
  const auto group = fresh_name("group");

  Seen seen_a;
  Seen seen_b;
  // Slow handlers (about 10 s of work) keep A busy long enough for the cooperative rebalance, which
  // waits for A's next heartbeat, to move partitions to B while A is consuming.
  auto slow = [](Seen& seen) {
    return [&seen](const Message& m) -> expo::Result<void> {
      seen.add(m);
      std::this_thread::sleep_for(10ms);
      return {};
    };
  };
  auto a = Consumer::create(consumer_config(topic, group), slow(seen_a));
  auto b = Consumer::create(consumer_config(topic, group), slow(seen_b));
  ASSERT_TRUE(a.ok() && b.ok());
  (*a)->start();
  ASSERT_TRUE(seen_a.wait_for([](const auto& r) { return r.size() >= 100; }, 60s));
  (*b)->start();
  ASSERT_TRUE(seen_b.wait_for([](const auto& r) { return !r.empty(); }, 60s)) << "B never got a partition";
  const auto total = [&] { return seen_a.snapshot().size() + seen_b.snapshot().size(); };
  const auto deadline = Clock::now() + 60s;
  while (total() < static_cast<std::size_t>(kCount) && Clock::now() < deadline) {
    seen_a.wait_for([](const auto&) { return false; }, 50ms);  // paces the check; not an assertion
  }
  (*a)->stop();
  (*b)->stop();

  const auto records_a = seen_a.snapshot();
  const auto records_b = seen_b.snapshot();
  kafka_it::expect_each_once({&records_a, &records_b}, kCount);
  EXPECT_FALSE(records_b.empty());
  // Per partition, whatever A handled before giving it up is followed exactly by what B handled.
  auto offsets_a = offsets_by_partition(records_a);
  auto offsets_b = offsets_by_partition(records_b);
  for (std::int32_t p = 0; p < 4; ++p) {
    std::vector<std::int64_t> merged = offsets_a[p];
    merged.insert(merged.end(), offsets_b[p].begin(), offsets_b[p].end());
    for (std::size_t j = 0; j < merged.size(); ++j) {
      ASSERT_EQ(merged[j], static_cast<std::int64_t>(j)) << "partition " << p;
    }
  }
}

TEST_F(KafkaIntegration, FailingHandlerGetsTheSameMessageAgainUntilItSucceeds) {
  const auto topic = fresh_topic("retry", 1);
  ASSERT_EQ(produce_all(topic, 5, 1).size(), 5u);

  struct Attempt {
    std::int64_t offset;
    std::string value;
    Clock::time_point at;
  };
  std::mutex mutex;
  std::vector<Attempt> attempts;
  std::condition_variable cv;
  int failures_left = 2;
  auto consumer = Consumer::create(consumer_config(topic, fresh_name("group")),
                                   [&](const Message& m) -> expo::Result<void> {
                                     std::lock_guard lock(mutex);
                                     attempts.push_back({m.offset, std::string(m.value), Clock::now()});
                                     cv.notify_all();
                                     if (m.offset == 2 && failures_left > 0) {
                                       --failures_left;
                                       return expo::Error::retryable_error("redis_unavailable", "test");
                                     }
                                     return {};
                                   });
  ASSERT_TRUE(consumer.ok()) << consumer.error().message;
  (*consumer)->start();
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(cv.wait_for(lock, 60s, [&] { return !attempts.empty() && attempts.back().offset == 4; }));
  }
  (*consumer)->stop();

  std::lock_guard lock(mutex);
  std::vector<std::int64_t> order;
  for (const auto& a : attempts) order.push_back(a.offset);
  EXPECT_EQ(order, (std::vector<std::int64_t>{0, 1, 2, 2, 2, 3, 4}));
  ASSERT_EQ(attempts.size(), 7u);
  for (std::size_t i = 2; i < 5; ++i) EXPECT_EQ(attempts[i].value, "2");
  EXPECT_GE(attempts[3].at - attempts[2].at, 45ms) << "no backoff before the first retry";
  EXPECT_GE(attempts[4].at - attempts[3].at, 75ms) << "backoff did not grow (min 50 ms, max 80 ms)";
}

TEST_F(KafkaIntegration, MessageStillFailingAtStopIsRedeliveredToTheNextConsumer) {
  const auto topic = fresh_topic("abandon", 1);
  ASSERT_EQ(produce_all(topic, 3, 1).size(), 3u);
  const auto group = fresh_name("group");

  Seen first;
  auto a = Consumer::create(consumer_config(topic, group), [&](const Message& m) -> expo::Result<void> {
    first.add(m);
    if (m.offset == 1) return expo::Error::retryable_error("redis_unavailable", "test");
    return {};
  });
  ASSERT_TRUE(a.ok()) << a.error().message;
  (*a)->start();
  ASSERT_TRUE(first.wait_for(
      [](const auto& r) { return std::count_if(r.begin(), r.end(), [](const Record& x) { return x.offset == 1; }) >= 2; },
      60s));
  (*a)->stop();
  for (const auto& r : first.snapshot()) EXPECT_LE(r.offset, 1) << "moved past a failing message";

  Seen second;
  auto b = Consumer::create(consumer_config(topic, group), [&](const Message& m) -> expo::Result<void> {
    second.add(m);
    return {};
  });
  ASSERT_TRUE(b.ok()) << b.error().message;
  (*b)->start();
  ASSERT_TRUE(second.wait_for([](const auto& r) { return r.size() >= 2; }, 60s));
  (*b)->stop();
  const auto offsets = offsets_by_partition(second.snapshot());
  EXPECT_EQ(offsets.at(0), (std::vector<std::int64_t>{1, 2}));
}

}  // namespace

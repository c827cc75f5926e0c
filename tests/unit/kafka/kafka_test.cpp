// expo::kafka without a broker: the config mapping, and how the producer and consumer behave when
// the broker cannot be reached (prompt retryable errors, no blocking, every callback exactly once).

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <optional>
#include <thread>

#include "expo/kafka/consumer.hpp"
#include "expo/testing/io.hpp"
#include "expo/kafka/producer.hpp"
#include "expo/kafka/properties.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using expo::kafka::ConsumerConfig;
using expo::kafka::Delivery;
using expo::kafka::Producer;
using expo::kafka::ProducerConfig;
using expo::kafka::Properties;

// Nothing listens on port 1: connections are refused at once, as with a broker that is down.
constexpr const char* kUnreachable = "127.0.0.1:1";

std::optional<std::string> find(const Properties& props, const std::string& key) {
  for (const auto& [k, v] : props) {
    if (k == key) return v;
  }
  return std::nullopt;
}

using expo::testing::run_until;

ProducerConfig unreachable_producer(std::chrono::milliseconds delivery_timeout, std::size_t max_in_flight = 1000) {
  ProducerConfig config;
  config.brokers = kUnreachable;
  config.client_id = "kafka-unit";
  config.delivery_timeout = delivery_timeout;
  config.max_in_flight = max_in_flight;
  return config;
}

// Per message: how many times `done` ran and with what.
struct Outcomes {
  explicit Outcomes(std::size_t n) : calls(n, 0), codes(n), retryable(n, false) {}
  std::vector<int> calls;
  std::vector<std::string> codes;
  std::vector<bool> retryable;
  std::size_t completed = 0;

  std::function<void(expo::Result<Delivery>)> slot(std::size_t i) {
    return [this, i](expo::Result<Delivery> r) {
      ++calls[i];
      ++completed;
      codes[i] = r.ok() ? "ok" : r.error().code;
      retryable[i] = !r.ok() && r.error().retryable;
    };
  }
};

TEST(KafkaProperties, ProducerEncodesTheDeliveryGuarantee) {
  ProducerConfig config;
  config.brokers = "10.0.0.1:9092,10.0.0.2:9092";
  config.client_id = "checkin-1";
  config.delivery_timeout = 1500ms;
  config.max_in_flight = 42;
  config.extra = {{"linger.ms", "2"}};
  auto props = expo::kafka::producer_properties(config);
  ASSERT_TRUE(props.ok()) << props.error().message;
  EXPECT_EQ(find(*props, "bootstrap.servers"), "10.0.0.1:9092,10.0.0.2:9092");
  EXPECT_EQ(find(*props, "client.id"), "checkin-1");
  EXPECT_EQ(find(*props, "enable.idempotence"), "true");
  EXPECT_EQ(find(*props, "acks"), "all");
  EXPECT_EQ(find(*props, "message.timeout.ms"), "1500");
  EXPECT_EQ(find(*props, "queue.buffering.max.messages"), "42");
  EXPECT_EQ(find(*props, "linger.ms"), "2");
}

TEST(KafkaProperties, ProducerRejectsInvalidConfig) {
  auto expect_config_error = [](ProducerConfig config, const char* what) {
    auto props = expo::kafka::producer_properties(config);
    ASSERT_FALSE(props.ok()) << what;
    EXPECT_EQ(props.error().code, "kafka_config") << what;
    EXPECT_FALSE(props.error().retryable) << what;
  };
  ProducerConfig good;
  good.brokers = "127.0.0.1:9092";
  ASSERT_TRUE(expo::kafka::producer_properties(good).ok());

  auto c = good;
  c.brokers.clear();
  expect_config_error(c, "empty brokers");
  c = good;
  c.delivery_timeout = 0ms;
  expect_config_error(c, "zero delivery timeout");
  c = good;
  c.max_in_flight = 0;
  expect_config_error(c, "unbounded queue");
  for (const char* owned : {"acks", "enable.idempotence", "message.timeout.ms", "queue.buffering.max.messages"}) {
    c = good;
    c.extra = {{owned, "1"}};
    expect_config_error(c, owned);
  }
}

TEST(KafkaProperties, ConsumerStoresOffsetsOnlyAfterTheHandler) {
  ConsumerConfig config;
  config.brokers = "127.0.0.1:9092";
  config.group_id = "leaderboard";
  config.client_id = "leaderboard-1";
  config.topics = {"votes.v1", "checkins.v1"};
  config.auto_offset_reset = "latest";
  config.commit_interval = 250ms;
  auto props = expo::kafka::consumer_properties(config);
  ASSERT_TRUE(props.ok()) << props.error().message;
  EXPECT_EQ(find(*props, "group.id"), "leaderboard");
  EXPECT_EQ(find(*props, "client.id"), "leaderboard-1");
  EXPECT_EQ(find(*props, "partition.assignment.strategy"), "cooperative-sticky");
  EXPECT_EQ(find(*props, "enable.auto.offset.store"), "false");
  EXPECT_EQ(find(*props, "enable.auto.commit"), "true");
  EXPECT_EQ(find(*props, "auto.commit.interval.ms"), "250");
  EXPECT_EQ(find(*props, "auto.offset.reset"), "latest");
}

TEST(KafkaProperties, ConsumerRejectsInvalidConfig) {
  ConsumerConfig good;
  good.brokers = "127.0.0.1:9092";
  good.group_id = "g";
  good.topics = {"t"};
  ASSERT_TRUE(expo::kafka::consumer_properties(good).ok());
  std::vector<std::pair<const char*, ConsumerConfig>> bad;
  auto c = good;
  c.group_id.clear();
  bad.emplace_back("empty group", c);
  c = good;
  c.topics.clear();
  bad.emplace_back("no topics", c);
  c = good;
  c.topics = {""};
  bad.emplace_back("empty topic name", c);
  c = good;
  c.auto_offset_reset = "error";
  bad.emplace_back("unsupported offset reset", c);
  c = good;
  c.commit_interval = 0ms;
  bad.emplace_back("zero commit interval", c);
  c = good;
  c.retry_backoff_min = 500ms;
  c.retry_backoff_max = 100ms;
  bad.emplace_back("backoff min above max", c);
  c = good;
  c.extra = {{"enable.auto.offset.store", "true"}};
  bad.emplace_back("store override", c);
  for (const auto& [what, config] : bad) {
    auto props = expo::kafka::consumer_properties(config);
    ASSERT_FALSE(props.ok()) << what;
    EXPECT_EQ(props.error().code, "kafka_config") << what;
  }
}

TEST(KafkaProducer, CreateReportsPropertiesLibrdkafkaRejects) {
  boost::asio::io_context io;
  auto config = unreachable_producer(5000ms);
  config.extra = {{"no.such.property", "1"}};
  auto unknown = Producer::create(io, config);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, "kafka_config");
  EXPECT_NE(unknown.error().message.find("no.such.property"), std::string::npos);

  // Only rd_kafka_new sees this one: the message timeout must exceed linger.ms.
  config = unreachable_producer(5ms);
  config.extra = {{"linger.ms", "50"}};
  auto inconsistent = Producer::create(io, config);
  ASSERT_FALSE(inconsistent.ok());
  EXPECT_EQ(inconsistent.error().code, "kafka_config");
}

TEST(KafkaProducer, UnreachableBrokerFailsRetryablyAfterDeliveryTimeoutWithoutBlocking) {
  boost::asio::io_context io;
  std::size_t observed_failures = 0;
  expo::kafka::ProducerObserver observer;
  observer.on_delivery = [&](std::string_view topic, std::chrono::microseconds latency, bool ok) {
    EXPECT_EQ(topic, "checkins.v1");
    EXPECT_FALSE(ok);
    EXPECT_GE(latency, 300ms);
    ++observed_failures;
  };
  constexpr auto kTimeout = 400ms;
  auto producer = Producer::create(io, unreachable_producer(kTimeout), observer);
  ASSERT_TRUE(producer.ok()) << producer.error().message;

  constexpr std::size_t kCount = 200;
  Outcomes outcomes(kCount);
  const auto io_thread = std::this_thread::get_id();
  bool inside_produce = false;
  auto longest_call = Clock::duration::zero();
  const auto start = Clock::now();
  for (std::size_t i = 0; i < kCount; ++i) {
    auto record = outcomes.slot(i);
    const auto before = Clock::now();
    inside_produce = true;
    (*producer)->produce("checkins.v1", "visitor-" + std::to_string(i), "{}", {{"type", "checkin"}},
                         [&, record](expo::Result<Delivery> r) {
                           EXPECT_FALSE(inside_produce) << "done ran inside produce()";
                           EXPECT_EQ(std::this_thread::get_id(), io_thread);
                           record(std::move(r));
                         });
    inside_produce = false;
    longest_call = std::max(longest_call, Clock::now() - before);
  }
  EXPECT_LT(longest_call, 50ms) << "produce() blocked the io thread";

  // The io thread stays free while messages wait: a timer keeps firing on time.
  int ticks = 0;
  boost::asio::steady_timer timer(io);
  std::function<void()> arm = [&] {
    timer.expires_after(20ms);
    timer.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      ++ticks;
      arm();
    });
  };
  arm();

  ASSERT_TRUE(run_until(io, [&] { return outcomes.completed == kCount; }, kTimeout + 5s))
      << outcomes.completed << " of " << kCount << " completed";
  const auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, kTimeout - 20ms) << "failed before the delivery timeout: not a timeout";
  EXPECT_GE(ticks, 10) << "the io thread did not run its timer while messages were pending";
  for (std::size_t i = 0; i < kCount; ++i) {
    EXPECT_EQ(outcomes.calls[i], 1) << i;
    EXPECT_EQ(outcomes.codes[i], "kafka_unavailable") << i;
    EXPECT_TRUE(outcomes.retryable[i]) << i;
  }
  timer.cancel();
  run_until(io, [&] { return observed_failures == kCount; }, 1s);
  EXPECT_EQ(observed_failures, kCount);
  (*producer)->stop(0ms);
}

TEST(KafkaProducer, StopCompletesEveryPendingMessage) {
  boost::asio::io_context io;
  auto producer = Producer::create(io, unreachable_producer(60s));
  ASSERT_TRUE(producer.ok()) << producer.error().message;
  constexpr std::size_t kCount = 50;
  Outcomes outcomes(kCount);
  for (std::size_t i = 0; i < kCount; ++i) (*producer)->produce("votes.v1", "k", "v", {}, outcomes.slot(i));

  const auto before = Clock::now();
  (*producer)->stop(200ms);
  EXPECT_LT(Clock::now() - before, 200ms + 3s) << "stop() did not honour its flush timeout";
  EXPECT_EQ(outcomes.completed, 0u) << "done must run on the io_context, not inside stop()";

  ASSERT_TRUE(run_until(io, [&] { return outcomes.completed == kCount; }, 2s));
  for (std::size_t i = 0; i < kCount; ++i) {
    EXPECT_EQ(outcomes.calls[i], 1) << i;
    EXPECT_EQ(outcomes.codes[i], "kafka_unavailable") << i;
    EXPECT_TRUE(outcomes.retryable[i]) << i;
  }

  Outcomes after(1);
  (*producer)->produce("votes.v1", "k", "v", {}, after.slot(0));
  ASSERT_TRUE(run_until(io, [&] { return after.completed == 1; }, 1s));
  EXPECT_EQ(after.codes[0], "kafka_stopped");
  EXPECT_TRUE(after.retryable[0]);
  (*producer)->stop(0ms);  // idempotent
  io.restart();
  io.poll();
  EXPECT_EQ(after.calls[0], 1);
}

TEST(KafkaProducer, DestroyingTheProducerStillCompletesPendingMessages) {
  boost::asio::io_context io;
  constexpr std::size_t kCount = 10;
  Outcomes outcomes(kCount);
  {
    auto producer = Producer::create(io, unreachable_producer(60s));
    ASSERT_TRUE(producer.ok()) << producer.error().message;
    for (std::size_t i = 0; i < kCount; ++i) (*producer)->produce("votes.v1", "k", "v", {}, outcomes.slot(i));
  }
  ASSERT_TRUE(run_until(io, [&] { return outcomes.completed == kCount; }, 2s));
  for (std::size_t i = 0; i < kCount; ++i) {
    EXPECT_EQ(outcomes.calls[i], 1) << i;
    EXPECT_EQ(outcomes.codes[i], "kafka_unavailable") << i;
  }
}

TEST(KafkaProducer, FullLocalQueueFailsAtOnceWithRetryableError) {
  boost::asio::io_context io;
  constexpr std::size_t kBound = 10;
  constexpr std::size_t kCount = 25;
  auto producer = Producer::create(io, unreachable_producer(60s, kBound));
  ASSERT_TRUE(producer.ok()) << producer.error().message;
  Outcomes outcomes(kCount);
  for (std::size_t i = 0; i < kCount; ++i) (*producer)->produce("votes.v1", "k", "v", {}, outcomes.slot(i));

  // The overflow completes at once; the accepted messages stay pending (60 s timeout).
  ASSERT_TRUE(run_until(io, [&] { return outcomes.completed == kCount - kBound; }, 1s));
  io.restart();
  io.poll();
  EXPECT_EQ(outcomes.completed, kCount - kBound);
  for (std::size_t i = 0; i < kCount; ++i) {
    if (i < kBound) {
      EXPECT_EQ(outcomes.calls[i], 0) << i;
    } else {
      EXPECT_EQ(outcomes.codes[i], "kafka_queue_full") << i;
      EXPECT_TRUE(outcomes.retryable[i]) << i;
    }
  }

  (*producer)->stop(0ms);
  ASSERT_TRUE(run_until(io, [&] { return outcomes.completed == kCount; }, 2s));
  for (std::size_t i = 0; i < kCount; ++i) EXPECT_EQ(outcomes.calls[i], 1) << i;
  for (std::size_t i = 0; i < kBound; ++i) EXPECT_EQ(outcomes.codes[i], "kafka_unavailable") << i;
}

TEST(KafkaProducer, ReachabilityProbeFailsWithinItsTimeoutOffTheIoThread) {
  boost::asio::io_context io;
  auto producer = Producer::create(io, unreachable_producer(5s));
  ASSERT_TRUE(producer.ok()) << producer.error().message;
  std::vector<bool> answers;
  bool inside_call = true;
  const auto start = Clock::now();
  for (int i = 0; i < 3; ++i) {
    (*producer)->check_reachable(300ms, [&](bool reachable) {
      EXPECT_FALSE(inside_call);
      answers.push_back(reachable);
    });
  }
  inside_call = false;
  EXPECT_LT(Clock::now() - start, 50ms) << "check_reachable blocked the caller";
  ASSERT_TRUE(run_until(io, [&] { return answers.size() == 3; }, 300ms + 3s));
  EXPECT_EQ(answers, (std::vector<bool>{false, false, false}));

  (*producer)->stop(0ms);
  answers.clear();
  (*producer)->check_reachable(300ms, [&](bool reachable) { answers.push_back(reachable); });
  ASSERT_TRUE(run_until(io, [&] { return answers.size() == 1; }, 1s));
  EXPECT_FALSE(answers[0]);
}

TEST(KafkaConsumer, CreateRejectsInvalidConfig) {
  ConsumerConfig config;
  config.brokers = kUnreachable;
  config.topics = {"votes.v1"};
  auto no_group = expo::kafka::Consumer::create(config, [](const expo::kafka::Message&) -> expo::Result<void> {
    return {};
  });
  ASSERT_FALSE(no_group.ok());
  EXPECT_EQ(no_group.error().code, "kafka_config");

  config.group_id = "g";
  auto no_handler = expo::kafka::Consumer::create(config, {});
  ASSERT_FALSE(no_handler.ok());
  EXPECT_EQ(no_handler.error().code, "kafka_config");
}

TEST(KafkaConsumer, StopsPromptlyWhenTheBrokerIsDown) {
  ConsumerConfig config;
  config.brokers = kUnreachable;
  config.group_id = "unit-down";
  config.topics = {"votes.v1"};
  std::atomic<int> handled{0};
  auto consumer = expo::kafka::Consumer::create(config, [&](const expo::kafka::Message&) -> expo::Result<void> {
    ++handled;
    return {};
  });
  ASSERT_TRUE(consumer.ok()) << consumer.error().message;
  (*consumer)->start();
  std::this_thread::sleep_for(300ms);  // let it try to connect; not an assertion
  const auto before = Clock::now();
  (*consumer)->stop();
  EXPECT_LT(Clock::now() - before, 5s);
  EXPECT_EQ(handled.load(), 0);
  (*consumer)->stop();  // idempotent
}

TEST(KafkaConsumer, DestroyWithoutStartIsClean) {
  ConsumerConfig config;
  config.brokers = kUnreachable;
  config.group_id = "unit-never-started";
  config.topics = {"votes.v1"};
  auto consumer = expo::kafka::Consumer::create(config, [](const expo::kafka::Message&) -> expo::Result<void> {
    return {};
  });
  ASSERT_TRUE(consumer.ok()) << consumer.error().message;
  const auto before = Clock::now();
  consumer->reset();
  EXPECT_LT(Clock::now() - before, 5s);
}

TEST(KafkaConsumer, CreateBatchedRejectsInvalidOptions) {
  ConsumerConfig config;
  config.brokers = kUnreachable;
  config.group_id = "g";
  config.topics = {"votes.v1"};
  const auto handler = [](std::span<const expo::kafka::Message>) -> expo::Result<void> { return {}; };

  auto no_handler = expo::kafka::Consumer::create_batched(config, {});
  ASSERT_FALSE(no_handler.ok());
  EXPECT_EQ(no_handler.error().code, "kafka_config");

  auto empty_batches = expo::kafka::Consumer::create_batched(config, handler, {}, {.max_messages = 0});
  ASSERT_FALSE(empty_batches.ok());
  EXPECT_EQ(empty_batches.error().code, "kafka_config");
  EXPECT_FALSE(empty_batches.error().retryable);

  auto negative_wait = expo::kafka::Consumer::create_batched(config, handler, {}, {.max_wait = -1ms});
  ASSERT_FALSE(negative_wait.ok());
  EXPECT_EQ(negative_wait.error().code, "kafka_config");

  config.group_id.clear();
  auto no_group = expo::kafka::Consumer::create_batched(config, handler);
  ASSERT_FALSE(no_group.ok());
  EXPECT_EQ(no_group.error().code, "kafka_config");

  config.group_id = "g";
  EXPECT_TRUE(expo::kafka::Consumer::create_batched(config, handler, {}, {.max_messages = 1, .max_wait = 0ms}).ok());
}

TEST(KafkaConsumer, BatchedStopsPromptlyWhenTheBrokerIsDown) {
  ConsumerConfig config;
  config.brokers = kUnreachable;
  config.group_id = "unit-down-batched";
  config.topics = {"votes.v1"};
  std::atomic<int> calls{0};
  auto consumer = expo::kafka::Consumer::create_batched(
      config,
      [&](std::span<const expo::kafka::Message>) -> expo::Result<void> {
        ++calls;
        return {};
      },
      {}, {.max_messages = 1000, .max_wait = 2000ms});
  ASSERT_TRUE(consumer.ok()) << consumer.error().message;
  (*consumer)->start();
  std::this_thread::sleep_for(300ms);  // let it try to connect; not an assertion
  const auto before = Clock::now();
  (*consumer)->stop();
  EXPECT_LT(Clock::now() - before, 5s);
  EXPECT_EQ(calls.load(), 0);
  (*consumer)->stop();  // idempotent
}

}  // namespace

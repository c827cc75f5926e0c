// Guarantee 2 of PRODUCT.md at the level of the libraries: events produced through expo::kafka and
// applied to Redis by a consumer count exactly once, although the consumer is SIGKILLed twice between
// applying an event and committing its offset, and restarted.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <iostream>
#include <random>
#include <thread>

#include "expo/kafka/admin.hpp"
#include "expo/kafka/producer.hpp"
#include "expo/redis/client.hpp"
#include "expo/testing/child_process.hpp"
#include "expo/testing/environment.hpp"
#include "expo/testing/io.hpp"
#include "expo/testing/redis_reader.hpp"

using namespace std::chrono_literals;
using expo::testing::ChildProcess;
using expo::testing::RedisReader;
using expo::testing::required_env;

namespace {

constexpr int events = 3000;

void produce_events(const std::string& brokers, const std::string& topic) {
  boost::asio::io_context io;
  auto producer = expo::kafka::Producer::create(io, {.brokers = brokers, .client_id = "exactly-once-test"});
  ASSERT_TRUE(producer.ok()) << producer.error().message;
  int delivered = 0, failed = 0;
  for (int i = 1; i <= events; ++i) {
    (*producer)->produce(topic, "visitor-" + std::to_string(i % 97), std::to_string(i), {},
                         [&](expo::Result<expo::kafka::Delivery> d) { d ? ++delivered : ++failed; });
  }
  expo::testing::run_until(io, [&] { return delivered + failed == events; }, 60s);
  (*producer)->stop(5s);
  io.poll();
  ASSERT_EQ(delivered, events) << failed << " deliveries failed";
}

TEST(ExactlyOnce, SigkillBetweenApplyAndCommitCountsEveryEventOnce) {
  const auto brokers = required_env("EXPO_TEST_KAFKA_BROKERS");
  const int redis_port = std::stoi(required_env("EXPO_TEST_REDIS_PORT"));
  const auto suffix = std::to_string(std::random_device{}());
  const std::string topic = "test.exactly-once." + suffix;
  const std::string ns = "eo" + suffix;
  const std::string group = "exactly-once-" + suffix;

  ASSERT_TRUE(expo::kafka::create_topics(brokers, {{.name = topic, .partitions = 4}}).ok());
  produce_events(brokers, topic);

  const std::vector<std::string> args{brokers, topic, group, std::to_string(redis_port), ns};
  // Two crashes at different points, each right after an effect and before its offset is stored.
  for (const char* crash_after : {"1000", "700"}) {
    ChildProcess consumer(EXPO_EXACTLY_ONCE_CONSUMER, args, {{"EXPO_CRASH_AFTER_APPLY", crash_after}},
                          expo::testing::test_log_path("exactly-once-consumer"));
    EXPECT_EQ(consumer.wait(120s), -SIGKILL) << "the consumer should have killed itself\n" << consumer.log_tail();
  }

  RedisReader redis(redis_port);
  ChildProcess consumer(EXPO_EXACTLY_ONCE_CONSUMER, args, {}, expo::testing::test_log_path("exactly-once-consumer"));
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (redis.integer("{" + ns + "}:count") < events && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(200ms);
  }
  std::this_thread::sleep_for(1s);  // anything counted twice would show up now
  EXPECT_EQ(consumer.stop(SIGTERM), 0) << consumer.log_tail();

  EXPECT_EQ(redis.integer("{" + ns + "}:count"), events);
  EXPECT_EQ(redis.integer("{" + ns + "}:sum"), static_cast<long long>(events) * (events + 1) / 2);
  const auto applies = redis.command({"HGETALL", "{" + ns + "}:applies"});
  ASSERT_EQ(applies.elements.size(), 2u * events) << "every event id applied";
  for (std::size_t i = 1; i < applies.elements.size(); i += 2) {
    ASSERT_EQ(applies.elements[i].str, "1") << "event " << applies.elements[i - 1].str << " applied more than once";
  }
  // The crashes did cause redelivery, which the guard absorbed: the test exercised the hard path.
  const auto duplicates = redis.integer("{" + ns + "}:duplicates");
  EXPECT_GE(duplicates, 2);
  std::cout << "exactly-once: " << events << " events counted once after 2 SIGKILLs; " << duplicates
            << " redelivered events absorbed by the guard\n";
}

}  // namespace

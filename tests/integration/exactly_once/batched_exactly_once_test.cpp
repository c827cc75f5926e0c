// Guarantee 2 of PRODUCT.md for batched projections: 100,000 events consumed in batches
// (Consumer::create_batched) and applied with one batched guarded script call per batch
// (projection::apply_batch_sync) count exactly once, although the consumer is SIGKILLed twice between
// applying a batch and storing its offsets, and restarted; replaying the whole topic changes nothing.
// Also prints how many events a second one batched consumer applies on this machine (a figure, not
// an assertion).
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <map>
#include <random>
#include <thread>
#include <utility>

#include "expo/kafka/admin.hpp"
#include "expo/kafka/producer.hpp"
#include "expo/testing/child_process.hpp"
#include "expo/testing/environment.hpp"
#include "expo/testing/io.hpp"
#include "expo/testing/redis_reader.hpp"

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using expo::testing::ChildProcess;
using expo::testing::RedisReader;
using expo::testing::required_env;

namespace {

constexpr long long events = 100000;

// One topic of 100,000 events ("1".."100000") for the whole suite: producing it is the slow part.
class BatchedExactlyOnce : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* brokers = std::getenv("EXPO_TEST_KAFKA_BROKERS");
    if (brokers == nullptr || *brokers == '\0') return;  // each test then fails on required_env
    const auto suffix = std::to_string(std::random_device{}());
    topic_ = "test.exactly-once-batched." + suffix;
    if (!expo::kafka::create_topics(brokers, {{.name = topic_, .partitions = 4}}).ok()) return;
    boost::asio::io_context io;
    auto producer = expo::kafka::Producer::create(
        io, {.brokers = brokers, .client_id = "exactly-once-batched-test", .delivery_timeout = 60s, .max_in_flight = 200000});
    if (!producer) return;
    long long delivered = 0, failed = 0;
    for (long long i = 1; i <= events; ++i) {
      (*producer)->produce(topic_, "visitor-" + std::to_string(i % 97), std::to_string(i), {},
                           [&](expo::Result<expo::kafka::Delivery> d) { d ? ++delivered : ++failed; });
    }
    expo::testing::run_until(io, [&] { return delivered + failed == events; }, 120s);
    (*producer)->stop(5s);
    io.restart();
    io.poll();
    produced_ = delivered == events;
  }

  void SetUp() override {
    brokers_ = required_env("EXPO_TEST_KAFKA_BROKERS");
    redis_port_ = std::stoi(required_env("EXPO_TEST_REDIS_PORT"));
    ASSERT_TRUE(produced_) << "could not produce the " << events << " events of the suite";
  }

  std::vector<std::string> consumer_args(const std::string& group, const std::string& ns) const {
    return {brokers_, topic_, group, std::to_string(redis_port_), ns};
  }

  static ChildProcess consumer(const std::vector<std::string>& args, std::map<std::string, std::string> env = {}) {
    return ChildProcess(EXPO_EXACTLY_ONCE_BATCHED_CONSUMER, args, env,
                        expo::testing::test_log_path("exactly-once-batched-consumer"));
  }

  // Polls `key` until it reaches `target`; false at the deadline.
  static bool wait_for_count(RedisReader& redis, const std::string& key, long long target,
                             std::chrono::seconds deadline = 120s) {
    const auto until = Clock::now() + deadline;
    while (redis.integer(key) < target) {
      if (Clock::now() > until) return false;
      std::this_thread::sleep_for(50ms);
    }
    return true;
  }

  // count, sum and per-event applications are exactly those of each event applied once.
  static void expect_each_event_once(RedisReader& redis, const std::string& ns) {
    EXPECT_EQ(redis.integer("{" + ns + "}:count"), events);
    EXPECT_EQ(redis.integer("{" + ns + "}:sum"), events * (events + 1) / 2);
    const auto times = redis.command({"HVALS", "{" + ns + "}:applies"});
    ASSERT_EQ(times.elements.size(), static_cast<std::size_t>(events)) << "every event id applied";
    for (const auto& t : times.elements) ASSERT_EQ(t.str, "1") << "an event was applied more than once";
  }

  // Runs one batched consumer over the whole topic with the given EXPO_EFFECT and answers the events/s
  // it applied, from the first event counted to the last (the group join left out).
  double measure_rate(const std::string& effect, const std::string& ns) {
    const std::string count_key = "{" + ns + "}:count";
    RedisReader redis(redis_port_);
    auto child = consumer(consumer_args("exactly-once-batched-rate-" + ns, ns), {{"EXPO_EFFECT", effect}});
    const auto deadline = Clock::now() + 120s;
    long long first_seen = 0;
    Clock::time_point started;
    for (;;) {
      const auto count = redis.integer(count_key);
      if (first_seen == 0 && count > 0) {
        first_seen = count;
        started = Clock::now();
      }
      if (count >= events) break;
      if (Clock::now() > deadline) {
        ADD_FAILURE() << count << " of " << events << " counted\n" << child.log_tail();
        return 0;
      }
      std::this_thread::sleep_for(5ms);
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    EXPECT_EQ(child.stop(SIGTERM), 0) << child.log_tail();
    EXPECT_EQ(redis.integer(count_key), events);
    return static_cast<double>(events - first_seen) / seconds;
  }

  static inline std::string topic_;
  static inline bool produced_ = false;
  std::string brokers_;
  int redis_port_ = 0;
};

TEST_F(BatchedExactlyOnce, SigkillBetweenApplyAndCommitCountsEveryEventOnce) {
  const auto suffix = std::to_string(std::random_device{}());
  const std::string ns = "eob" + suffix;
  const auto args = consumer_args("exactly-once-batched-" + suffix, ns);
  RedisReader redis(redis_port_);

  // Two crashes at different points, each right after a batch is applied and before its offsets are
  // stored.
  for (const char* crash_after : {"30000", "25000"}) {
    auto crashing = consumer(args, {{"EXPO_CRASH_AFTER_APPLY", crash_after}});
    EXPECT_EQ(crashing.wait(120s), -SIGKILL) << "the consumer should have killed itself\n" << crashing.log_tail();
  }
  auto last = consumer(args);
  ASSERT_TRUE(wait_for_count(redis, "{" + ns + "}:count", events))
      << redis.integer("{" + ns + "}:count") << " of " << events << " counted\n"
      << last.log_tail();
  std::this_thread::sleep_for(1s);  // anything counted twice would show up now
  EXPECT_EQ(last.stop(SIGTERM), 0) << last.log_tail();
  expect_each_event_once(redis, ns);
  // The crashes did cause redelivery, which the guard absorbed: the test exercised the hard path.
  const auto duplicates = redis.integer("{" + ns + "}:duplicates");
  EXPECT_GE(duplicates, 1);

  // Redelivery of everything (a new group reads the topic from the start): nothing changes.
  auto replay = consumer(consumer_args("exactly-once-batched-replay-" + suffix, ns));
  ASSERT_TRUE(wait_for_count(redis, "{" + ns + "}:duplicates", duplicates + events))
      << redis.integer("{" + ns + "}:duplicates") - duplicates << " of " << events << " replayed\n"
      << replay.log_tail();
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(replay.stop(SIGTERM), 0) << replay.log_tail();
  expect_each_event_once(redis, ns);
  EXPECT_EQ(redis.integer("{" + ns + "}:duplicates"), duplicates + events);
  redis.delete_matching("{" + ns + "}:*");
  std::cout << "exactly-once (batched): " << events << " events counted once after 2 SIGKILLs; " << duplicates
            << " redelivered events absorbed by the guard; a full replay changed nothing\n";
}


#ifdef NDEBUG
constexpr const char* build_kind = "optimised build";
#else
constexpr const char* build_kind = "Debug build; an optimised one applies more";
#endif

TEST_F(BatchedExactlyOnce, PrintsTheRateOfOneBatchedConsumer) {
  const auto suffix = std::to_string(std::random_device{}());
  const std::string counts_ns = "eob-rate" + suffix;
  const double counts_rate = measure_rate("counts", counts_ns);
  RedisReader redis(redis_port_);
  expect_each_event_once(redis, counts_ns);

  const std::string boards_ns = "eob-boards" + suffix;
  const double boards_rate = measure_rate("boards", boards_ns);
  // Every board holds exactly the votes of the events: event i votes r<i % 38> and i<i % 250>.
  for (const auto& [board, members] : {std::pair{"region", 38}, std::pair{"innovation", 250}}) {
    for (const char* period : {"day", "all"}) {
      const auto scores =
          redis.command({"ZRANGE", "{" + boards_ns + "}:" + board + ":" + period, "0", "-1", "WITHSCORES"});
      ASSERT_EQ(scores.elements.size(), 2u * static_cast<std::size_t>(members)) << board;
      for (std::size_t j = 0; j < scores.elements.size(); j += 2) {
        const long long m = std::stoll(scores.elements[j].str.substr(1));
        const long long expected = events / members + (m >= 1 && m <= events % members ? 1 : 0);
        ASSERT_EQ(std::stoll(scores.elements[j + 1].str), expected) << board << " member " << scores.elements[j].str;
      }
    }
  }
  redis.delete_matching("{" + counts_ns + "}:*");
  redis.delete_matching("{" + boards_ns + "}:*");

  std::cout << std::fixed << std::setprecision(0) << "batched projection rate (" << build_kind
            << ", batches of up to 500, one consumer, one Redis):\n"
            << "  " << counts_rate << " events/s with 3 Redis writes per event (count, sum, per-event hash)\n"
            << "  " << boards_rate
            << " events/s with 4 leaderboard sorted sets per event, added up per batch (finish chunk)\n";
}

}  // namespace

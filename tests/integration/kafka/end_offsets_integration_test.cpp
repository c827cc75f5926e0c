// Producer::end_offsets against a real broker (EXPO_TEST_KAFKA_BROKERS): how far a topic has been
// written, which the voting service compares with its own projection of the topic. Every test uses
// fresh topics, so runs never see each other's messages.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <map>
#include <numeric>
#include <optional>
#include <thread>

#include "expo/kafka/admin.hpp"
#include "expo/kafka/producer.hpp"
#include "expo/testing/io.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using expo::kafka::Delivery;
using expo::kafka::Producer;
using expo::testing::run_until;
using Offsets = std::vector<std::int64_t>;

// Why `answer` does not show that `acknowledged` is below its partition's end, if it does not.
std::optional<std::string> misses(const expo::Result<Offsets>& answer, const Delivery& acknowledged,
                                  std::size_t partitions) {
  if (!answer.ok()) return answer.error().code + ": " + answer.error().message;
  if (answer->size() != partitions) return "partition count " + std::to_string(answer->size());
  const auto end = (*answer)[static_cast<std::size_t>(acknowledged.partition)];
  if (end <= acknowledged.offset) {
    return "partition " + std::to_string(acknowledged.partition) + " ends at " + std::to_string(end) +
           " before acknowledged offset " + std::to_string(acknowledged.offset);
  }
  return std::nullopt;
}

class KafkaEndOffsets : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* env = std::getenv("EXPO_TEST_KAFKA_BROKERS");
    // Failing, not skipping: a skipped integration check would be counted as a pass.
    ASSERT_TRUE(env != nullptr && *env != '\0')
        << "EXPO_TEST_KAFKA_BROKERS is not set: these tests need a real Kafka broker, e.g. "
           "EXPO_TEST_KAFKA_BROKERS=127.0.0.1:29092 (make test starts one and sets it; see tests/integration-env.sh)";
    brokers_ = env;
    producer_ = make_producer(brokers_);
    ASSERT_TRUE(producer_ != nullptr);
  }

  // Answers still posted are dropped with io_ unrun: they may refer to a finished test's locals.
  void TearDown() override {
    if (producer_) producer_->stop(1s);
  }

  std::unique_ptr<Producer> make_producer(const std::string& brokers) {
    expo::kafka::ProducerConfig config;
    config.brokers = brokers;
    config.client_id = "kafka-it-end-offsets";
    config.delivery_timeout = 30s;
    auto producer = Producer::create(io_, config);
    EXPECT_TRUE(producer.ok()) << producer.error().message;
    return producer.ok() ? std::move(*producer) : nullptr;
  }

  std::string fresh_name() {
    static std::atomic<int> counter{0};
    const auto now = std::chrono::system_clock::now().time_since_epoch().count();
    return "it-kafka-end-offsets-" + std::to_string(::getpid()) + "-" + std::to_string(now) + "-" +
           std::to_string(counter++);
  }

  std::string fresh_topic(std::int32_t partitions) {
    auto name = fresh_name();
    auto created = expo::kafka::create_topics(brokers_, {{name, partitions, 1}}, 30s);
    EXPECT_TRUE(created.ok()) << created.error().code << ": " << created.error().message;
    return name;
  }

  // Asks once and runs the io_context until the answer arrives.
  expo::Result<Offsets> end_offsets(Producer& producer, const std::string& topic,
                                    std::chrono::milliseconds timeout = 10s) {
    std::optional<expo::Result<Offsets>> answer;
    producer.end_offsets(topic, timeout, [&](expo::Result<Offsets> r) { answer = std::move(r); });
    EXPECT_TRUE(run_until(io_, [&] { return answer.has_value(); }, timeout + 5s)) << "end_offsets never answered";
    if (!answer) return expo::Error::permanent("test_no_answer", "end_offsets never answered");
    return std::move(*answer);
  }

  // Produces `n` keyed messages and waits for every acknowledgement; returns the Deliveries.
  std::vector<Delivery> produce_all(const std::string& topic, int n) {
    std::vector<Delivery> deliveries;
    int failed = 0;
    for (int i = 0; i < n; ++i) {
      producer_->produce(topic, "visitor-" + std::to_string(i % 37), std::to_string(i), {},
                         [&](expo::Result<Delivery> r) {
                           if (r.ok()) deliveries.push_back(*r);
                           else ++failed;
                         });
    }
    EXPECT_TRUE(run_until(io_, [&] { return static_cast<int>(deliveries.size()) + failed == n; }, 60s));
    EXPECT_EQ(failed, 0);
    return deliveries;
  }

  std::string brokers_;
  boost::asio::io_context io_;
  std::unique_ptr<Producer> producer_;
};

TEST_F(KafkaEndOffsets, FreshTopicIsAllZerosThenEachPartitionEndsRightAfterItsLastAcknowledgedMessage) {
  constexpr int kCount = 300;
  const auto topic = fresh_topic(3);

  auto empty = end_offsets(*producer_, topic);
  ASSERT_TRUE(empty.ok()) << empty.error().code << ": " << empty.error().message;
  EXPECT_EQ(*empty, (Offsets{0, 0, 0}));

  const auto deliveries = produce_all(topic, kCount);
  ASSERT_EQ(deliveries.size(), static_cast<std::size_t>(kCount));
  std::map<std::int32_t, std::int64_t> last_offset;
  for (const auto& d : deliveries) last_offset[d.partition] = std::max(last_offset[d.partition], d.offset);
  EXPECT_GE(last_offset.size(), 2u) << "37 keys should spread over more than one of 3 partitions";

  auto ends = end_offsets(*producer_, topic);
  ASSERT_TRUE(ends.ok()) << ends.error().code << ": " << ends.error().message;
  ASSERT_EQ(ends->size(), 3u);
  EXPECT_EQ(std::accumulate(ends->begin(), ends->end(), std::int64_t{0}), kCount);
  for (std::int32_t p = 0; p < 3; ++p) {
    const auto it = last_offset.find(p);
    const std::int64_t expected = it == last_offset.end() ? 0 : it->second + 1;
    EXPECT_EQ((*ends)[static_cast<std::size_t>(p)], expected) << "partition " << p;
  }
}

TEST_F(KafkaEndOffsets, UnknownTopicIsAPermanentError) {
  const auto topic = fresh_name();  // never created; the test broker does not auto-create topics
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto answer = end_offsets(*producer_, topic);
    ASSERT_FALSE(answer.ok());
    EXPECT_EQ(answer.error().code, "kafka_unknown_topic") << answer.error().message;
    EXPECT_FALSE(answer.error().retryable);
  }
  // The failed query leaves the producer usable for a topic that exists.
  auto known = end_offsets(*producer_, fresh_topic(1));
  ASSERT_TRUE(known.ok()) << known.error().code << ": " << known.error().message;
  EXPECT_EQ(*known, (Offsets{0}));
}

// Requests from the io thread (one per acknowledgement, while earlier queries run), from another
// thread, for two topics and mixed with probes: each is answered once, and each answer covers the
// acknowledgement that was seen before it was asked for.
TEST_F(KafkaEndOffsets, ConcurrentRequestsAllCompleteAndCoverEveryEarlierAcknowledgement) {
  constexpr int kCount = 200;
  constexpr int kFromOtherThread = 40;
  const auto topic = fresh_topic(3);
  const auto other_topic = fresh_topic(1);

  int asked = 0;
  int answered = 0;
  int probes_asked = 0;
  int probes_answered = 0;
  int delivered = 0;
  std::vector<std::string> failures;
  for (int i = 0; i < kCount; ++i) {
    const auto key = "visitor-" + std::to_string(i % 37);
    producer_->produce(topic, key, std::to_string(i), {}, [&](expo::Result<Delivery> d) {
      ASSERT_TRUE(d.ok()) << d.error().code;
      ++delivered;
      ++asked;
      producer_->end_offsets(topic, 10s, [&, d = *d](expo::Result<Offsets> r) {
        ++answered;
        if (auto why = misses(r, d, 3)) failures.push_back(*why);
      });
      if (delivered % 10 == 0) {
        ++probes_asked;
        producer_->check_reachable(10s, [&](bool ok) {
          ++probes_answered;
          if (!ok) failures.push_back("probe failed");
        });
      }
    });
  }

  // The other thread only asks: its answers run here too, on the io thread, like every completion.
  int other_answered = 0;
  std::thread other([&] {
    for (int i = 0; i < kFromOtherThread; ++i) {
      producer_->end_offsets(i % 2 == 0 ? topic : other_topic, 10s, [&, i](expo::Result<Offsets> r) {
        ++other_answered;
        if (!r.ok()) failures.push_back(r.error().code + ": " + r.error().message);
        else if (r->size() != (i % 2 == 0 ? 3u : 1u)) failures.push_back("wrong partition count");
      });
    }
  });

  EXPECT_TRUE(run_until(io_, [&] {
    return delivered == kCount && answered == asked && probes_answered == probes_asked &&
           other_answered == kFromOtherThread;
  }, 60s)) << delivered << " delivered, " << answered << "/" << asked << " answered, "
           << other_answered << "/" << kFromOtherThread << " from the other thread";
  other.join();
  EXPECT_EQ(asked, kCount);
  EXPECT_TRUE(failures.empty()) << failures.size() << " failures, first: " << failures.front();

  // Nothing answered twice: no more answers arrive once everything was counted.
  io_.restart();
  io_.poll();
  EXPECT_EQ(answered, asked);
  EXPECT_EQ(other_answered, kFromOtherThread);
}

TEST_F(KafkaEndOffsets, StopAnswersEveryWaitingRequestAndLaterOnesFailRetryably) {
  const auto topic = fresh_topic(2);
  std::vector<std::string> outcomes;
  for (int i = 0; i < 5; ++i) {
    producer_->end_offsets(topic, 10s, [&](expo::Result<Offsets> r) {
      outcomes.push_back(r.ok() ? "ok" : r.error().code + (r.error().retryable ? "" : " (permanent)"));
    });
  }
  producer_->stop(0ms);  // before the io_context ran anything: answers are posted, not run inline
  EXPECT_TRUE(outcomes.empty()) << "a completion ran inside end_offsets or stop";
  ASSERT_TRUE(run_until(io_, [&] { return outcomes.size() == 5; }, 5s)) << outcomes.size() << " of 5 answered";
  for (const auto& o : outcomes) EXPECT_TRUE(o == "ok" || o == "kafka_unavailable") << o;

  auto after = end_offsets(*producer_, topic);
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code, "kafka_unavailable");
  EXPECT_TRUE(after.error().retryable);
}

// Needs no broker (nothing listens on port 1), but lives with the other end_offsets checks.
TEST_F(KafkaEndOffsets, UnreachableBrokerFailsRetryablyWithinTheTimeoutWithoutBlocking) {
  auto unreachable = make_producer("127.0.0.1:1");
  ASSERT_TRUE(unreachable != nullptr);
  std::optional<expo::Result<Offsets>> answer;
  const auto start = Clock::now();
  unreachable->end_offsets("votes.v1", 300ms, [&](expo::Result<Offsets> r) { answer = std::move(r); });
  EXPECT_LT(Clock::now() - start, 50ms) << "end_offsets blocked the caller";
  ASSERT_TRUE(run_until(io_, [&] { return answer.has_value(); }, 3s));
  EXPECT_LT(Clock::now() - start, 300ms + 1s) << "the timeout was not respected";
  ASSERT_FALSE(answer->ok());
  EXPECT_EQ(answer->error().code, "kafka_unavailable") << answer->error().message;
  EXPECT_TRUE(answer->error().retryable);
  unreachable->stop(0ms);
}

}  // namespace

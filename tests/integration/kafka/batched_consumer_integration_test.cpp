// Consumer::create_batched against a real broker (EXPO_TEST_KAFKA_BROKERS): batches keep partition
// order and hand every message once; a failed batch comes back whole; a stopped consumer's successor
// resumes right after the last handled batch; partitions revoked while a batch is being gathered
// leave that batch, so no message is handled by two members.

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <thread>

#include "kafka_fixture.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using expo::kafka::BatchOptions;
using expo::kafka::Consumer;
using expo::kafka::Message;
using kafka_it::offsets_by_partition;
using kafka_it::Record;
using kafka_it::Seen;
using KafkaBatched = kafka_it::KafkaIntegration;
using Messages = std::span<const Message>;

using kafka_it::expect_each_once;

TEST_F(KafkaBatched, BatchesKeepPartitionOrderAndHandEveryMessageOnce) {
  constexpr int kCount = 5000;
  constexpr std::size_t kMaxBatch = 200;
  const auto topic = fresh_topic("batched", 3);
  ASSERT_EQ(produce_all(topic, kCount, 50).size(), static_cast<std::size_t>(kCount));

  Seen seen;
  std::mutex mutex;
  std::vector<std::size_t> batch_sizes;
  std::map<std::int32_t, std::int64_t> last_lag;
  expo::kafka::ConsumerObserver observer;
  observer.on_lag = [&](std::string_view, std::int32_t partition, std::int64_t lag) {
    std::lock_guard lock(mutex);
    last_lag[partition] = lag;
  };
  auto consumer = Consumer::create_batched(
      consumer_config(topic, fresh_name("group")),
      [&](Messages messages) -> expo::Result<void> {
        {
          std::lock_guard lock(mutex);
          batch_sizes.push_back(messages.size());
        }
        for (const auto& m : messages) seen.add(m);
        return {};
      },
      observer, {.max_messages = kMaxBatch, .max_wait = 50ms});
  ASSERT_TRUE(consumer.ok()) << consumer.error().message;
  (*consumer)->start();
  ASSERT_TRUE(seen.wait_for([](const auto& r) { return r.size() >= kCount; }, 60s))
      << seen.snapshot().size() << " of " << kCount << " consumed";
  (*consumer)->stop();

  const auto records = seen.snapshot();
  ASSERT_EQ(records.size(), static_cast<std::size_t>(kCount)) << "a message was handled twice";
  expect_each_once({&records}, kCount);
  for (const auto& r : records) EXPECT_EQ(r.seq_header, r.value) << "headers travel with batched messages";
  for (const auto& [partition, offsets] : offsets_by_partition(records)) {
    for (std::size_t j = 0; j < offsets.size(); ++j) {
      ASSERT_EQ(offsets[j], static_cast<std::int64_t>(j)) << "partition " << partition << " out of order";
    }
  }
  std::lock_guard lock(mutex);
  EXPECT_TRUE(std::all_of(batch_sizes.begin(), batch_sizes.end(), [](std::size_t n) { return n >= 1 && n <= kMaxBatch; }));
  EXPECT_GT(*std::max_element(batch_sizes.begin(), batch_sizes.end()), 1u) << "a backlog should come in batches";
  EXPECT_LT(batch_sizes.size(), static_cast<std::size_t>(kCount) / 10) << "batches too small for a backlog";
  EXPECT_EQ(last_lag.size(), 3u);
  for (const auto& [partition, lag] : last_lag) EXPECT_EQ(lag, 0) << "partition " << partition;
}

TEST_F(KafkaBatched, FailedBatchComesBackWholeUntilItSucceeds) {
  const auto topic = fresh_topic("batched-retry", 1);
  ASSERT_EQ(produce_all(topic, 60, 1).size(), 60u);

  struct Call {
    std::vector<std::int64_t> offsets;
    Clock::time_point at;
  };
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<Call> calls;
  bool all_done = false;
  std::int64_t handled_up_to = -1;
  auto consumer = Consumer::create_batched(
      consumer_config(topic, fresh_name("group")),
      [&](Messages messages) -> expo::Result<void> {
        std::lock_guard lock(mutex);
        Call call{{}, Clock::now()};
        for (const auto& m : messages) call.offsets.push_back(m.offset);
        calls.push_back(call);
        cv.notify_all();
        // The second batch fails twice.
        if (calls.size() == 2 || calls.size() == 3) return expo::Error::retryable_error("redis_unavailable", "test");
        handled_up_to = call.offsets.back();
        all_done = handled_up_to == 59;
        return {};
      },
      {}, {.max_messages = 20, .max_wait = 100ms});
  ASSERT_TRUE(consumer.ok()) << consumer.error().message;
  (*consumer)->start();
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(cv.wait_for(lock, 60s, [&] { return all_done; })) << "handled up to " << handled_up_to;
  }
  (*consumer)->stop();

  std::lock_guard lock(mutex);
  ASSERT_GE(calls.size(), 5u);
  EXPECT_EQ(calls[2].offsets, calls[1].offsets) << "a retry holds the same messages";
  EXPECT_EQ(calls[3].offsets, calls[1].offsets) << "a retry holds the same messages";
  EXPECT_GE(calls[2].at - calls[1].at, 45ms) << "no backoff before the first retry";
  EXPECT_GE(calls[3].at - calls[2].at, 75ms) << "backoff did not grow (min 50 ms, max 80 ms)";
  // Apart from the retries, the calls cover 0..59 once, in order.
  std::vector<std::int64_t> handled;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (i == 1 || i == 2) continue;
    handled.insert(handled.end(), calls[i].offsets.begin(), calls[i].offsets.end());
  }
  ASSERT_EQ(handled.size(), 60u);
  for (std::size_t j = 0; j < handled.size(); ++j) EXPECT_EQ(handled[j], static_cast<std::int64_t>(j));
}

TEST_F(KafkaBatched, SuccessorResumesRightAfterTheLastHandledBatch) {
  constexpr int kCount = 3000;
  const auto topic = fresh_topic("batched-resume", 2);
  ASSERT_EQ(produce_all(topic, kCount, 20).size(), static_cast<std::size_t>(kCount));
  const auto group = fresh_name("group");

  Seen first;
  auto a = Consumer::create_batched(
      consumer_config(topic, group),
      [&](Messages messages) -> expo::Result<void> {
        for (const auto& m : messages) first.add(m);
        std::this_thread::sleep_for(20ms);  // so stop() lands mid-topic, typically during a call
        return {};
      },
      {}, {.max_messages = 50, .max_wait = 10ms});
  ASSERT_TRUE(a.ok()) << a.error().message;
  (*a)->start();
  ASSERT_TRUE(first.wait_for([](const auto& r) { return r.size() >= 500; }, 60s));
  (*a)->stop();
  const auto before = first.snapshot();
  ASSERT_LT(before.size(), static_cast<std::size_t>(kCount)) << "stopped too late to test resuming";

  Seen second;
  auto b = Consumer::create_batched(consumer_config(topic, group), [&](Messages messages) -> expo::Result<void> {
    for (const auto& m : messages) second.add(m);
    return {};
  });
  ASSERT_TRUE(b.ok()) << b.error().message;
  (*b)->start();
  const auto remaining = static_cast<std::size_t>(kCount) - before.size();
  EXPECT_TRUE(second.wait_for([&](const auto& r) { return r.size() >= remaining; }, 60s))
      << second.snapshot().size() << " of " << remaining << " consumed after the restart";
  (*b)->stop();
  const auto after = second.snapshot();
  expect_each_once({&before, &after}, kCount);
  kafka_it::expect_second_run_resumes(before, after, {0, 1});
}

// A gathers with a long max_wait, so it still holds its first batch, unhandled, when B joins and the
// cooperative rebalance revokes some of A's partitions. Those partitions' messages must leave A's
// batch: B starts them from the committed offset (none yet), so handling them in A too would repeat
// them.
TEST_F(KafkaBatched, PartitionsRevokedWhileABatchIsGatheredLeaveIt) {
  constexpr int kCount = 400;
  const auto topic = fresh_topic("batched-revoke", 4);
  ASSERT_EQ(produce_all(topic, kCount, 40).size(), static_cast<std::size_t>(kCount));
  const auto group = fresh_name("group");

  Seen seen_a;
  Seen seen_b;
  std::mutex mutex;
  std::vector<std::size_t> a_batches;
  auto a = Consumer::create_batched(
      consumer_config(topic, group),
      [&](Messages messages) -> expo::Result<void> {
        {
          std::lock_guard lock(mutex);
          a_batches.push_back(messages.size());
        }
        for (const auto& m : messages) seen_a.add(m);
        return {};
      },
      {}, {.max_messages = 100000, .max_wait = 12s});
  auto b = Consumer::create_batched(
      consumer_config(topic, group),
      [&](Messages messages) -> expo::Result<void> {
        for (const auto& m : messages) seen_b.add(m);
        return {};
      },
      {}, {.max_messages = 100, .max_wait = 10ms});
  ASSERT_TRUE(a.ok() && b.ok());
  (*a)->start();
  // A joins alone and gathers all 400 within about a second; its first call is then 12 s away.
  std::this_thread::sleep_for(4s);
  {
    std::lock_guard lock(mutex);
    ASSERT_TRUE(a_batches.empty()) << "A handled a batch before B joined: the test could not hold one";
  }
  (*b)->start();
  const auto total = [&] { return seen_a.snapshot().size() + seen_b.snapshot().size(); };
  const auto deadline = Clock::now() + 60s;
  while (total() < static_cast<std::size_t>(kCount) && Clock::now() < deadline) std::this_thread::sleep_for(50ms);
  std::this_thread::sleep_for(500ms);  // a repeat would show up now
  (*a)->stop();
  (*b)->stop();

  const auto records_a = seen_a.snapshot();
  const auto records_b = seen_b.snapshot();
  expect_each_once({&records_a, &records_b}, kCount);
  EXPECT_FALSE(records_b.empty()) << "B never got a partition";
  std::lock_guard lock(mutex);
  ASSERT_FALSE(a_batches.empty());
  EXPECT_LT(a_batches.front(), static_cast<std::size_t>(kCount))
      << "A's first batch kept messages of partitions revoked while it was gathered";
  auto offsets_a = offsets_by_partition(records_a);
  auto offsets_b = offsets_by_partition(records_b);
  for (std::int32_t p = 0; p < 4; ++p) {
    std::vector<std::int64_t> merged = offsets_a[p];
    merged.insert(merged.end(), offsets_b[p].begin(), offsets_b[p].end());
    std::sort(merged.begin(), merged.end());
    for (std::size_t j = 0; j < merged.size(); ++j) ASSERT_EQ(merged[j], static_cast<std::int64_t>(j)) << "partition " << p;
  }
}

}  // namespace

// ranges_to_end and read_ranges (topic_reader.hpp) against a real broker (EXPO_TEST_KAFKA_BROKERS):
// the ranges cover each partition from its low to its high watermark; a read hands every message of
// its ranges once, in partition order, nothing outside them; rounds continue where the last ended;
// transaction markers and deleted records are handled; a handler error, cancellation, an
// unreachable broker and a `to` never reached each end the read with their own error.
// Raw librdkafka is used only to make what the project's producer never writes: transactions and
// deleted records.

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <thread>

#include "expo/kafka/topic_reader.hpp"
#include "kafka_fixture.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using expo::kafka::Delivery;
using expo::kafka::Message;
using expo::kafka::PartitionOffsets;
using expo::kafka::PartitionRange;
using expo::kafka::ReadOptions;
using kafka_it::offsets_by_partition;
using kafka_it::Record;
using kafka_it::Seen;
using Messages = std::span<const Message>;

// Nothing listens on port 1: connections are refused at once, as with a broker that is down.
constexpr const char* kUnreachable = "127.0.0.1:1";

struct ReadOutcome {
  expo::Result<void> result;
  std::vector<Record> records;
  std::vector<std::size_t> batch_sizes;
  std::vector<std::pair<std::int64_t, std::int64_t>> progress;
};

std::map<std::int32_t, std::int64_t> ends_by_partition(const std::vector<Delivery>& deliveries) {
  std::map<std::int32_t, std::int64_t> ends;
  for (const auto& d : deliveries) ends[d.partition] = std::max(ends[d.partition], d.offset + 1);
  return ends;
}

const PartitionRange* find_range(const std::vector<PartitionRange>& ranges, std::int32_t partition) {
  for (const auto& r : ranges) {
    if (r.partition == partition) return &r;
  }
  return nullptr;
}

class KafkaTopicReader : public kafka_it::KafkaIntegration {
 protected:
  std::vector<PartitionRange> ranges(const std::string& topic, const PartitionOffsets& from = {}) {
    auto r = expo::kafka::ranges_to_end(brokers_, {topic}, from, 10s);
    EXPECT_TRUE(r.ok()) << r.error().code << ": " << r.error().message;
    return r.ok() ? *r : std::vector<PartitionRange>{};
  }

  // Reads with a recording handler (which fails with `fail` on call number `fail_on_call`, if set).
  ReadOutcome read(const std::vector<PartitionRange>& ranges, ReadOptions options = {}, int fail_on_call = 0) {
    ReadOutcome out;
    Seen seen;
    int calls = 0;
    if (!options.on_progress) {
      options.on_progress = [&](std::int64_t done, std::int64_t total) { out.progress.emplace_back(done, total); };
    }
    out.result = expo::kafka::read_ranges(
        brokers_, ranges,
        [&](Messages messages) -> expo::Result<void> {
          ++calls;
          out.batch_sizes.push_back(messages.size());
          for (const auto& m : messages) seen.add(m);
          if (calls == fail_on_call) return expo::Error::permanent("test_handler_failed", "as planned");
          return {};
        },
        options);
    out.records = seen.snapshot();
    return out;
  }

  // Writes `count` messages to partition 0 of `topic` in one transaction, committed or aborted: the
  // log then holds the messages and a control record (the transaction marker) after them.
  void produce_transaction(const std::string& topic, int count, bool commit) {
    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    ASSERT_EQ(rd_kafka_conf_set(conf, "bootstrap.servers", brokers_.c_str(), errstr, sizeof errstr), RD_KAFKA_CONF_OK);
    const auto id = fresh_name("txn");
    ASSERT_EQ(rd_kafka_conf_set(conf, "transactional.id", id.c_str(), errstr, sizeof errstr), RD_KAFKA_CONF_OK);
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    ASSERT_NE(rk, nullptr) << errstr;
    const auto check = [](rd_kafka_error_t* error, const char* what) {
      EXPECT_EQ(error, nullptr) << what << ": " << (error != nullptr ? rd_kafka_error_string(error) : "");
      if (error != nullptr) rd_kafka_error_destroy(error);
    };
    check(rd_kafka_init_transactions(rk, 30000), "init_transactions");
    check(rd_kafka_begin_transaction(rk), "begin_transaction");
    // rd_kafka_produce rather than producev: the producev macros are C casts (-Wold-style-cast).
    rd_kafka_topic_t* handle = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
    ASSERT_NE(handle, nullptr);
    for (int i = 0; i < count; ++i) {
      std::string value = "txn-" + std::to_string(i);
      const int sent = rd_kafka_produce(handle, 0, RD_KAFKA_MSG_F_COPY, value.data(), value.size(), nullptr, 0, nullptr);
      EXPECT_EQ(sent, 0) << rd_kafka_err2name(rd_kafka_last_error());
    }
    rd_kafka_topic_destroy(handle);
    // Written before the end: an abort would otherwise purge them unsent, leaving only the marker.
    EXPECT_EQ(rd_kafka_flush(rk, 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
    if (commit) {
      check(rd_kafka_commit_transaction(rk, 30000), "commit_transaction");
    } else {
      check(rd_kafka_abort_transaction(rk, 30000), "abort_transaction");
    }
    rd_kafka_destroy(rk);
  }

  // Deletes the records of partition 0 below `before`: the low watermark moves there, as after
  // retention.
  void delete_records(const std::string& topic, std::int64_t before) {
    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    ASSERT_EQ(rd_kafka_conf_set(conf, "bootstrap.servers", brokers_.c_str(), errstr, sizeof errstr), RD_KAFKA_CONF_OK);
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    ASSERT_NE(rk, nullptr) << errstr;
    rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(offsets, topic.c_str(), 0)->offset = before;
    rd_kafka_DeleteRecords_t* del = rd_kafka_DeleteRecords_new(offsets);
    rd_kafka_topic_partition_list_destroy(offsets);
    rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
    rd_kafka_DeleteRecords(rk, &del, 1, nullptr, queue);
    rd_kafka_event_t* ev = rd_kafka_queue_poll(queue, 30000);
    ASSERT_NE(ev, nullptr) << "DeleteRecords: no answer";
    EXPECT_EQ(rd_kafka_event_error(ev), RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_event_error_string(ev);
    const auto* result = rd_kafka_event_DeleteRecords_result(ev);
    const auto* parts = result != nullptr ? rd_kafka_DeleteRecords_result_offsets(result) : nullptr;
    ASSERT_TRUE(parts != nullptr && parts->cnt == 1);
    EXPECT_EQ(parts->elems[0].err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2name(parts->elems[0].err);
    rd_kafka_event_destroy(ev);
    rd_kafka_DeleteRecords_destroy(del);
    rd_kafka_queue_destroy(queue);
    rd_kafka_destroy(rk);
  }
};

// Per partition, the offsets seen are exactly from..to-1, in order; returns how many were seen.
std::size_t expect_exactly_ranges(const std::vector<Record>& records, const std::vector<PartitionRange>& ranges) {
  auto seen = offsets_by_partition(records);
  std::size_t expected_total = 0;
  for (const auto& r : ranges) {
    std::vector<std::int64_t> expected;
    for (auto o = r.from; o < r.to; ++o) expected.push_back(o);
    expected_total += expected.size();
    EXPECT_EQ(seen[r.partition], expected) << "partition " << r.partition;
  }
  EXPECT_EQ(records.size(), expected_total);
  return records.size();
}

TEST_F(KafkaTopicReader, RangesGoFromTheLowToTheHighWatermarkOfEveryPartition) {
  const auto topic = fresh_topic("reader-ranges", 3);
  auto empty = ranges(topic);
  ASSERT_EQ(empty.size(), 3u);
  for (std::int32_t p = 0; p < 3; ++p) {
    EXPECT_EQ(empty[static_cast<std::size_t>(p)].topic, topic);
    EXPECT_EQ(empty[static_cast<std::size_t>(p)].partition, p);
    EXPECT_EQ(empty[static_cast<std::size_t>(p)].from, 0);
    EXPECT_EQ(empty[static_cast<std::size_t>(p)].to, 0);
  }

  const auto ends = ends_by_partition(produce_all(topic, 600, 40));
  ASSERT_EQ(ends.size(), 3u) << "40 keys should reach all 3 partitions";
  const auto full = ranges(topic);
  ASSERT_EQ(full.size(), 3u);
  for (const auto& r : full) {
    EXPECT_EQ(r.from, 0);
    EXPECT_EQ(r.to, ends.at(r.partition)) << "partition " << r.partition;
  }

  // Given positions are used as starts; the topic named twice still counts once.
  auto from = expo::kafka::ranges_to_end(brokers_, {topic, topic}, {{{topic, 1}, 7}, {{topic, 2}, ends.at(2)}}, 10s);
  ASSERT_TRUE(from.ok()) << from.error().code << ": " << from.error().message;
  ASSERT_EQ(from->size(), 3u);
  EXPECT_EQ(find_range(*from, 0)->from, 0);
  EXPECT_EQ(find_range(*from, 1)->from, 7);
  EXPECT_EQ(find_range(*from, 2)->from, ends.at(2));
  EXPECT_EQ(find_range(*from, 2)->to, ends.at(2));
}

TEST_F(KafkaTopicReader, RangesRefuseWhatCannotBeRead) {
  const auto topic = fresh_topic("reader-refuse", 3);
  const auto ends = ends_by_partition(produce_all(topic, 30, 10));

  auto beyond = expo::kafka::ranges_to_end(brokers_, {topic}, {{{topic, 0}, ends.at(0) + 1}}, 10s);
  ASSERT_FALSE(beyond.ok());
  EXPECT_EQ(beyond.error().code, "kafka_offset_out_of_range");
  EXPECT_FALSE(beyond.error().retryable);

  auto unknown = expo::kafka::ranges_to_end(brokers_, {fresh_name("missing")}, {}, 10s);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, "kafka_unknown_topic");

  for (const auto& bad : std::vector<PartitionOffsets>{{{{"other-topic", 0}, 0}}, {{{topic, 3}, 0}}, {{{topic, 0}, -1}}}) {
    auto refused = expo::kafka::ranges_to_end(brokers_, {topic}, bad, 10s);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, "kafka_config") << refused.error().message;
  }
  auto owned = expo::kafka::ranges_to_end(brokers_, {topic}, {}, 10s, {{"isolation.level", "read_uncommitted"}});
  ASSERT_FALSE(owned.ok());
  EXPECT_EQ(owned.error().code, "kafka_config");
}

TEST_F(KafkaTopicReader, ReadsEveryMessageOnceInPartitionOrderInBoundedBatches) {
  constexpr int kCount = 3000;
  const auto topic = fresh_topic("reader-all", 3);
  ASSERT_EQ(produce_all(topic, kCount, 50).size(), static_cast<std::size_t>(kCount));
  const auto all = ranges(topic);

  const auto out = read(all, {.max_messages = 100});
  ASSERT_TRUE(out.result.ok()) << out.result.error().code << ": " << out.result.error().message;
  kafka_it::expect_each_once({&out.records}, kCount);
  expect_exactly_ranges(out.records, all);
  for (const auto& r : out.records) {
    const int i = std::stoi(r.value);
    EXPECT_EQ(r.key, "visitor-" + std::to_string(i % 50));
    EXPECT_EQ(r.seq_header, r.value);
  }
  for (const auto size : out.batch_sizes) {
    EXPECT_GE(size, 1u);
    EXPECT_LE(size, 100u);
  }
  // Progress after every handler call, never backwards, ending at everything.
  EXPECT_GE(out.progress.size(), out.batch_sizes.size());
  for (std::size_t i = 0; i < out.progress.size(); ++i) {
    EXPECT_EQ(out.progress[i].second, kCount);
    if (i > 0) {
      EXPECT_GT(out.progress[i].first, out.progress[i - 1].first);
    }
  }
  ASSERT_FALSE(out.progress.empty());
  EXPECT_EQ(out.progress.back().first, kCount);
}

TEST_F(KafkaTopicReader, ReadsOnlyInsideTheRanges) {
  const auto topic = fresh_topic("reader-bounds", 3);
  const auto ends = ends_by_partition(produce_all(topic, 900, 30));
  ASSERT_GT(ends.at(0), 20);
  ASSERT_GT(ends.at(2), 5);
  const std::vector<PartitionRange> bounded{
      {topic, 0, 10, 20},                  // the middle of a partition
      {topic, 1, 4, 4},                    // empty: skipped
      {topic, 2, 5, ends.at(2)},           // from a given position to the end
  };
  const auto out = read(bounded, {.max_messages = 7});
  ASSERT_TRUE(out.result.ok()) << out.result.error().code << ": " << out.result.error().message;
  expect_exactly_ranges(out.records, bounded);
  ASSERT_FALSE(out.progress.empty());
  EXPECT_EQ(out.progress.back(), std::make_pair(10 + ends.at(2) - 5, 10 + ends.at(2) - 5));

  // Only empty ranges: nothing to read, success at once.
  const std::vector<PartitionRange> nothing{{topic, 0, 3, 3}};
  const auto none = read(nothing);
  EXPECT_TRUE(none.result.ok());
  EXPECT_TRUE(none.records.empty());
}

TEST_F(KafkaTopicReader, RoundsContinueWhereThePreviousRoundEnded) {
  const auto topic = fresh_topic("reader-rounds", 3);
  ASSERT_FALSE(produce_all(topic, 500, 25).empty());
  const auto first_ranges = ranges(topic);
  // Written after the first round's ends were taken: not part of the first round.
  ASSERT_FALSE(produce_all(topic, 300, 25).empty());
  const auto first = read(first_ranges);
  ASSERT_TRUE(first.result.ok()) << first.result.error().code << ": " << first.result.error().message;
  expect_exactly_ranges(first.records, first_ranges);
  EXPECT_EQ(first.records.size(), 500u);

  PartitionOffsets reached;
  for (const auto& r : first_ranges) reached[{r.topic, r.partition}] = r.to;
  const auto second_ranges = ranges(topic, reached);
  for (const auto& r : second_ranges) EXPECT_EQ(r.from, reached.at({r.topic, r.partition}));
  const auto second = read(second_ranges);
  ASSERT_TRUE(second.result.ok()) << second.result.error().code << ": " << second.result.error().message;
  expect_exactly_ranges(second.records, second_ranges);
  EXPECT_EQ(second.records.size(), 300u);

  // Caught up: the next round is empty.
  PartitionOffsets caught_up;
  for (const auto& r : second_ranges) caught_up[{r.topic, r.partition}] = r.to;
  for (const auto& r : ranges(topic, caught_up)) EXPECT_EQ(r.from, r.to);
}

TEST_F(KafkaTopicReader, TransactionMarkersAndAbortedMessagesDoNotHoldARangeOpen) {
  const auto topic = fresh_topic("reader-txn", 1);
  produce_transaction(topic, 5, true);   // offsets 0-4, its commit marker at 5
  produce_transaction(topic, 3, false);  // offsets 6-8 (aborted, never read), its abort marker at 9
  // The coordinator writes the markers just after the transaction's end is acknowledged; until
  // then the partition ends (for a read_committed reader) at the open transaction.
  auto all = ranges(topic);
  for (const auto deadline = Clock::now() + 10s; all.size() == 1 && all[0].to < 10 && Clock::now() < deadline;) {
    std::this_thread::sleep_for(50ms);
    all = ranges(topic);
  }
  ASSERT_EQ(all.size(), 1u);
  ASSERT_EQ(all[0].to, 10);

  ReadOptions options;
  options.timeout = 5s;
  const auto out = read(all, options);
  ASSERT_TRUE(out.result.ok()) << out.result.error().code << ": " << out.result.error().message;
  ASSERT_EQ(out.records.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(out.records[i].offset, static_cast<std::int64_t>(i));
    EXPECT_EQ(out.records[i].value, "txn-" + std::to_string(i));
  }
  ASSERT_FALSE(out.progress.empty());
  EXPECT_EQ(out.progress.back(), std::make_pair(std::int64_t{10}, std::int64_t{10}));

  // A range ending on a marker, and one holding nothing but aborted messages and a marker.
  const auto to_marker = read({{topic, 0, 2, 6}}, options);
  ASSERT_TRUE(to_marker.result.ok()) << to_marker.result.error().code << ": " << to_marker.result.error().message;
  EXPECT_EQ(to_marker.records.size(), 3u);
  const auto aborted = read({{topic, 0, 6, 10}}, options);
  ASSERT_TRUE(aborted.result.ok()) << aborted.result.error().code << ": " << aborted.result.error().message;
  EXPECT_TRUE(aborted.records.empty());
  EXPECT_TRUE(aborted.batch_sizes.empty());
  EXPECT_EQ(aborted.progress, (std::vector<std::pair<std::int64_t, std::int64_t>>{{4, 4}}));
}

TEST_F(KafkaTopicReader, DeletedRecordsRaiseTheStartOrFailTheRead) {
  const auto topic = fresh_topic("reader-deleted", 1);
  ASSERT_EQ(produce_all(topic, 30, 5).size(), 30u);
  delete_records(topic, 10);

  const auto from_low = ranges(topic);
  ASSERT_EQ(from_low.size(), 1u);
  EXPECT_EQ(from_low[0].from, 10);
  EXPECT_EQ(from_low[0].to, 30);
  EXPECT_EQ(ranges(topic, {{{topic, 0}, 3}})[0].from, 10);  // below the low watermark: raised
  EXPECT_EQ(ranges(topic, {{{topic, 0}, 15}})[0].from, 15);

  const auto out = read(from_low);
  ASSERT_TRUE(out.result.ok()) << out.result.error().code << ": " << out.result.error().message;
  expect_exactly_ranges(out.records, from_low);

  // A range that starts where the messages are gone cannot be read as asked.
  ReadOptions options;
  options.timeout = 10s;
  const auto gone = read({{topic, 0, 3, 30}}, options);
  ASSERT_FALSE(gone.result.ok());
  EXPECT_EQ(gone.result.error().code, "kafka_offset_out_of_range") << gone.result.error().message;
  EXPECT_TRUE(gone.records.empty());
}

TEST_F(KafkaTopicReader, AHandlerErrorEndsTheReadAndIsReturned) {
  const auto topic = fresh_topic("reader-fail", 3);
  ASSERT_EQ(produce_all(topic, 1000, 30).size(), 1000u);
  const auto out = read(ranges(topic), {.max_messages = 50}, /*fail_on_call=*/3);
  ASSERT_FALSE(out.result.ok());
  EXPECT_EQ(out.result.error().code, "test_handler_failed");
  EXPECT_EQ(out.batch_sizes.size(), 3u) << "no call after the failing one";
  // Progress is reported for the successful calls only.
  EXPECT_EQ(out.progress.size(), 2u);

  // A throwing handler ends the read the same way.
  const auto all = ranges(topic);
  auto thrown = expo::kafka::read_ranges(brokers_, all, [](Messages) -> expo::Result<void> {
    throw std::runtime_error("handler threw");
  });
  ASSERT_FALSE(thrown.ok());
  EXPECT_EQ(thrown.error().code, "handler_exception");
}

TEST_F(KafkaTopicReader, CancellationEndsTheReadBetweenBatchesAndWhileWaiting) {
  const auto topic = fresh_topic("reader-cancel", 3);
  const auto ends = ends_by_partition(produce_all(topic, 1000, 30));
  int calls = 0;
  ReadOptions after_first;
  after_first.max_messages = 10;
  after_first.cancelled = [&] { return calls >= 1; };
  auto cancelled = expo::kafka::read_ranges(brokers_, ranges(topic), [&](Messages) -> expo::Result<void> {
    ++calls;
    return {};
  }, after_first);
  ASSERT_FALSE(cancelled.ok());
  EXPECT_EQ(cancelled.error().code, "cancelled");
  EXPECT_EQ(calls, 1);

  // Waiting for messages that are not there (a `to` beyond the end): cancelled from another thread.
  std::atomic<bool> stop{false};
  ReadOptions waiting;
  waiting.timeout = 30s;
  waiting.cancelled = [&] { return stop.load(); };
  std::thread canceller([&] {
    std::this_thread::sleep_for(500ms);
    stop.store(true);
  });
  const auto started = Clock::now();
  auto stopped = expo::kafka::read_ranges(brokers_, std::vector<PartitionRange>{{topic, 0, 0, ends.at(0) + 5}},
                                          [](Messages) -> expo::Result<void> { return {}; }, waiting);
  const auto took = Clock::now() - started;
  canceller.join();
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.error().code, "cancelled");
  EXPECT_LT(took, 3s);
}

TEST_F(KafkaTopicReader, ARangeNeverReachedTimesOutAsUnavailable) {
  const auto topic = fresh_topic("reader-stall", 1);
  ASSERT_EQ(produce_all(topic, 20, 5).size(), 20u);
  ReadOptions options;
  options.timeout = 1500ms;
  const auto started = Clock::now();
  const auto out = read({{topic, 0, 0, 25}}, options);
  const auto took = Clock::now() - started;
  ASSERT_FALSE(out.result.ok());
  EXPECT_EQ(out.result.error().code, "kafka_unavailable");
  EXPECT_TRUE(out.result.error().retryable);
  EXPECT_EQ(out.records.size(), 20u) << "what exists is still handed over";
  EXPECT_GE(took, 1500ms);
  EXPECT_LT(took, 5s);
}

TEST_F(KafkaTopicReader, AnUnreachableBrokerIsUnavailableWithinTheTimeout) {
  auto started = Clock::now();
  auto no_ranges = expo::kafka::ranges_to_end(kUnreachable, {"votes.v1"}, {}, 2s);
  auto took = Clock::now() - started;
  ASSERT_FALSE(no_ranges.ok());
  EXPECT_EQ(no_ranges.error().code, "kafka_unavailable");
  EXPECT_TRUE(no_ranges.error().retryable);
  EXPECT_LT(took, 5s);

  ReadOptions options;
  options.timeout = 2s;
  int calls = 0;
  started = Clock::now();
  auto read = expo::kafka::read_ranges(kUnreachable, std::vector<PartitionRange>{{"votes.v1", 0, 0, 10}},
                                       [&](Messages) -> expo::Result<void> {
                                         ++calls;
                                         return {};
                                       },
                                       options);
  took = Clock::now() - started;
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, "kafka_unavailable");
  EXPECT_TRUE(read.error().retryable);
  EXPECT_EQ(calls, 0);
  EXPECT_GE(took, 2s);
  EXPECT_LT(took, 5s);
}

TEST_F(KafkaTopicReader, InvalidArgumentsAreConfigErrors) {
  const auto handler = [](Messages) -> expo::Result<void> { return {}; };
  const auto code = [&](const std::vector<PartitionRange>& ranges, ReadOptions options = {}) {
    auto r = expo::kafka::read_ranges(brokers_, ranges, handler, options);
    return r.ok() ? std::string("ok") : r.error().code;
  };
  EXPECT_EQ(code({{"t", 0, 5, 4}}), "kafka_config");                     // reversed
  EXPECT_EQ(code({{"t", 0, -1, 4}}), "kafka_config");                    // negative
  EXPECT_EQ(code({{"", 0, 0, 4}}), "kafka_config");                      // no topic
  EXPECT_EQ(code({{"t", 0, 0, 4}, {"t", 0, 4, 8}}), "kafka_config");     // the same partition twice
  EXPECT_EQ(code({{"t", 0, 0, 4}}, {.max_messages = 0}), "kafka_config");
  EXPECT_EQ(code({{"t", 0, 0, 4}}, {.timeout = 0ms}), "kafka_config");
  EXPECT_EQ(code({{"t", 0, 0, 4}}, {.extra = {{"group.id", "g"}}}), "kafka_config");
  EXPECT_EQ(code({{"t", 0, 0, 4}}, {.extra = {{"no.such.property", "1"}}}), "kafka_config");
  auto no_handler = expo::kafka::read_ranges(brokers_, std::vector<PartitionRange>{{"t", 0, 0, 4}}, {});
  ASSERT_FALSE(no_handler.ok());
  EXPECT_EQ(no_handler.error().code, "kafka_config");
}

// Not a benchmark harness, but the figure the README quotes: small keyed messages with one header
// (the shape of the project's events), read from the beginning with the default options.
TEST_F(KafkaTopicReader, ReadsABacklogFast) {
  constexpr int kCount = 200000;
  const auto topic = fresh_topic("reader-rate", 3);
  // In parts: the fixture's producer holds at most 100,000 unacknowledged messages.
  for (int part = 0; part < 4; ++part) {
    ASSERT_EQ(produce_all(topic, kCount / 4, 1000).size(), static_cast<std::size_t>(kCount / 4));
  }
  const auto all = ranges(topic);
  std::int64_t messages = 0;
  std::int64_t bytes = 0;
  std::size_t calls = 0;
  const auto started = Clock::now();
  auto result = expo::kafka::read_ranges(brokers_, all, [&](Messages batch) -> expo::Result<void> {
    ++calls;
    for (const auto& m : batch) {
      ++messages;
      bytes += static_cast<std::int64_t>(m.key.size() + m.value.size() + m.headers.size());
    }
    return {};
  });
  const auto seconds = std::chrono::duration<double>(Clock::now() - started).count();
  ASSERT_TRUE(result.ok()) << result.error().code << ": " << result.error().message;
  EXPECT_EQ(messages, kCount);
  EXPECT_GT(bytes, 0);
  const auto rate = static_cast<double>(messages) / seconds;
  std::cout << "read_ranges: " << messages << " messages in " << seconds << " s = " << static_cast<long>(rate)
            << " messages/s, " << calls << " handler calls\n";
  RecordProperty("messages_per_second", static_cast<int>(rate));
}

}  // namespace

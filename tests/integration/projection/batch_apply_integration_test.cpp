// apply_batch_sync against a real redis-server: each entry applied at most once whatever is replayed,
// the guard at the highest applied offset per partition, the same result however a batch is split,
// a failing effect leaving the guard in step with what was applied, and one guard shared with the
// one-message apply_sync.

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <map>
#include <thread>

#include "expo/kafka/consumer.hpp"
#include "expo/projection/batch_apply.hpp"
#include "expo/redis/client.hpp"
#include "expo/testing/environment.hpp"
#include "expo/testing/redis_reader.hpp"

namespace {

using namespace std::chrono_literals;
using expo::projection::apply_batch_sync;
using expo::projection::BatchScript;
using expo::projection::Entry;
using expo::projection::Outcome;
using Outcomes = std::vector<Outcome>;

// Counts events and sums their values; a value "boom" makes the effect fail after its first write.
const BatchScript& count_script() {
  static const BatchScript script(R"lua(
redis.call('INCR', KEYS[1])
if ARGV[1] == 'boom' then error('refused by the test') end
redis.call('INCRBY', KEYS[2], ARGV[1])
)lua");
  return script;
}

class ProjectionBatch : public ::testing::Test {
 protected:
  void SetUp() override {
    io_thread_ = std::thread([this] { io_.run(); });  // first, so TearDown works whatever fails below
    port_ = std::stoi(expo::testing::required_env("EXPO_TEST_REDIS_PORT"));
    redis_ = expo::redis::Client::create(io_, {.host = "127.0.0.1", .port = port_});
    boost::asio::post(io_, [r = redis_] { r->start(); });
    reader_ = std::make_unique<expo::testing::RedisReader>(port_);
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    ns_ = "{it-projection-" + std::string(info->name()) + "-" + std::to_string(::getpid()) + "}";
    reader_->delete_matching(ns_ + ":*");
    // Wait for the connection: the first batch must not fail on "not connected".
    for (int i = 0; i < 100 && !redis_->command_sync({"PING"}).ok(); ++i) std::this_thread::sleep_for(50ms);
  }

  void TearDown() override {
    if (reader_) reader_->delete_matching(ns_ + ":*");
    boost::asio::post(io_, [this] {
      if (redis_) redis_->stop();
      work_.reset();
    });
    io_thread_.join();
  }

  std::string key(const std::string& name) const { return ns_ + ":" + name; }

  Entry event(std::int32_t partition, std::int64_t offset, std::string value) const {
    return {.topic = "votes.v1",
            .partition = partition,
            .offset = offset,
            .keys = {key("count"), key("sum")},
            .args = {std::move(value)}};
  }

  expo::Result<Outcomes> apply(const std::vector<Entry>& entries,
                               std::size_t max_arguments = expo::projection::kDefaultMaxBatchArguments) {
    return apply_batch_sync(*redis_, count_script(), key("applied"), entries, max_arguments);
  }

  std::map<std::string, std::string> guard() {
    std::map<std::string, std::string> out;
    const auto reply = reader_->command({"HGETALL", key("applied")});
    for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) out[reply.elements[i].str] = reply.elements[i + 1].str;
    return out;
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ = boost::asio::make_work_guard(io_);
  std::thread io_thread_;
  std::shared_ptr<expo::redis::Client> redis_;
  std::unique_ptr<expo::testing::RedisReader> reader_;
  int port_ = 0;
  std::string ns_;
};

TEST_F(ProjectionBatch, AppliesEachEntryOnceWhateverIsReplayed) {
  std::vector<Entry> entries;
  long long sum = 0;
  for (int i = 0; i < 3000; ++i) {  // offsets 0..999 on partitions 0, 1 and 2
    entries.push_back(event(i % 3, i / 3, std::to_string(i)));
    sum += i;
  }
  auto first = apply(entries);
  ASSERT_TRUE(first.ok()) << first.error().code << ": " << first.error().message;
  EXPECT_EQ(*first, Outcomes(3000, Outcome::applied));
  EXPECT_EQ(reader_->integer(key("count")), 3000);
  EXPECT_EQ(reader_->integer(key("sum")), sum);
  EXPECT_EQ(guard(), (std::map<std::string, std::string>{{"votes.v1:0", "999"}, {"votes.v1:1", "999"}, {"votes.v1:2", "999"}}));

  auto replay = apply(entries);
  ASSERT_TRUE(replay.ok()) << replay.error().message;
  EXPECT_EQ(*replay, Outcomes(3000, Outcome::duplicate));
  EXPECT_EQ(reader_->integer(key("count")), 3000) << "a replay changed the counts";
  EXPECT_EQ(reader_->integer(key("sum")), sum);

  // Overlapping the applied range: the old half is skipped, the new half applied, per partition.
  std::vector<Entry> overlap{event(0, 998, "1"), event(1, 1000, "2"), event(0, 999, "4"), event(0, 1000, "8"),
                             event(2, 5, "16"), event(3, 0, "32")};
  auto mixed = apply(overlap);
  ASSERT_TRUE(mixed.ok()) << mixed.error().message;
  EXPECT_EQ(*mixed, (Outcomes{Outcome::duplicate, Outcome::applied, Outcome::duplicate, Outcome::applied,
                              Outcome::duplicate, Outcome::applied}));
  EXPECT_EQ(reader_->integer(key("sum")), sum + 2 + 8 + 32);
  EXPECT_EQ(guard().at("votes.v1:0"), "1000");
  EXPECT_EQ(guard().at("votes.v1:3"), "0");
}

TEST_F(ProjectionBatch, OffsetsBelowTheGuardInsideOneBatchAreDuplicates) {
  // A consumer never sends this, but the guard only moves forward even within one call.
  auto outcomes = apply({event(0, 5, "1"), event(0, 3, "2"), event(0, 5, "4"), event(0, 6, "8")});
  ASSERT_TRUE(outcomes.ok()) << outcomes.error().message;
  EXPECT_EQ(*outcomes, (Outcomes{Outcome::applied, Outcome::duplicate, Outcome::duplicate, Outcome::applied}));
  EXPECT_EQ(reader_->integer(key("sum")), 9);
  EXPECT_EQ(guard().at("votes.v1:0"), "6");
}

TEST_F(ProjectionBatch, SplitBatchesGiveTheSameResult) {
  std::vector<Entry> entries;
  for (int i = 0; i < 500; ++i) entries.push_back(event(i % 2, i, std::to_string(i)));
  auto outcomes = apply(entries, 40);  // about five messages a call: a hundred calls
  ASSERT_TRUE(outcomes.ok()) << outcomes.error().message;
  EXPECT_EQ(*outcomes, Outcomes(500, Outcome::applied));
  EXPECT_EQ(reader_->integer(key("count")), 500);
  EXPECT_EQ(reader_->integer(key("sum")), 499 * 500 / 2);
  EXPECT_EQ(guard(), (std::map<std::string, std::string>{{"votes.v1:0", "498"}, {"votes.v1:1", "499"}}));
  auto replay = apply(entries, 40);
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(*replay, Outcomes(500, Outcome::duplicate));
  EXPECT_EQ(reader_->integer(key("count")), 500);
}

TEST_F(ProjectionBatch, AFailingEffectLeavesTheGuardInStepWithWhatWasApplied) {
  std::vector<Entry> entries;
  for (int i = 0; i < 10; ++i) entries.push_back(event(0, 100 + i, i == 6 ? "boom" : "1"));
  auto failed = apply(entries);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, "redis_error");
  EXPECT_NE(failed.error().message.find("votes.v1:0@106"), std::string::npos) << failed.error().message;
  // Entries 0..5 applied and guarded; the failing one wrote its first INCR (Redis keeps a script's
  // writes up to an error, as with a one-message GuardedScript) but is not guarded.
  EXPECT_EQ(reader_->integer(key("sum")), 6);
  EXPECT_EQ(reader_->integer(key("count")), 7);
  EXPECT_EQ(guard().at("votes.v1:0"), "105");

  // The consumer retries the same batch: the applied part is skipped, the poison entry fails again.
  ASSERT_FALSE(apply(entries).ok());
  EXPECT_EQ(reader_->integer(key("sum")), 6) << "a retry applied an entry twice";

  entries[6].args = {"1"};
  auto fixed = apply(entries);
  ASSERT_TRUE(fixed.ok()) << fixed.error().message;
  EXPECT_EQ(std::count(fixed->begin(), fixed->end(), Outcome::applied), 4);
  EXPECT_EQ(reader_->integer(key("sum")), 10);
  EXPECT_EQ(guard().at("votes.v1:0"), "109");
}

TEST_F(ProjectionBatch, LargeOffsetsAreRecordedExactly) {
  const std::int64_t big = 1'000'000'000'000'000;  // 1e15, below 2^53
  auto outcomes = apply({event(0, big, "1"), event(0, big + 1, "1")});
  ASSERT_TRUE(outcomes.ok()) << outcomes.error().message;
  EXPECT_EQ(guard().at("votes.v1:0"), "1000000000000001");
  auto again = apply({event(0, big + 1, "1")});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->front(), Outcome::duplicate);
}

TEST_F(ProjectionBatch, KeysOutsideTheHashTagAreRefusedBeforeRedis) {
  auto stray = event(0, 1, "1");
  stray.keys.push_back("{elsewhere}:count");
  auto refused = apply({event(0, 0, "1"), stray});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "projection_hash_tag");
  EXPECT_EQ(reader_->integer(key("count")), 0) << "nothing of a refused batch may be applied";
}

TEST_F(ProjectionBatch, SharesItsGuardWithTheOneMessageForm) {
  const expo::projection::GuardedScript single(R"lua(
redis.call('INCR', KEYS[1])
redis.call('INCRBY', KEYS[2], ARGV[1])
)lua");
  expo::kafka::Message message{.topic = "votes.v1", .partition = 0, .offset = 7};
  auto one = expo::projection::apply_sync(*redis_, single, key("applied"), message, {key("count"), key("sum")}, {"5"});
  ASSERT_TRUE(one.ok()) << one.error().message;
  ASSERT_EQ(*one, Outcome::applied);

  auto batch = apply({event(0, 6, "1"), event(0, 7, "1"), event(0, 8, "1")});
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  EXPECT_EQ(*batch, (Outcomes{Outcome::duplicate, Outcome::duplicate, Outcome::applied}));

  message.offset = 8;
  auto after = expo::projection::apply_sync(*redis_, single, key("applied"), message, {key("count"), key("sum")}, {"5"});
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, Outcome::duplicate);
  EXPECT_EQ(reader_->integer(key("sum")), 6);
}

TEST_F(ProjectionBatch, ArgumentAndKeyCountsMayVaryWithinABatch) {
  // The wrapper shares one ARGV table between messages: a shorter message must not see a longer one's
  // leftovers.
  const BatchScript lengths(R"lua(
redis.call('RPUSH', KEYS[1], #KEYS .. ':' .. #ARGV .. ':' .. table.concat(ARGV, ','))
)lua");
  const auto list = key("lengths");
  const std::vector<Entry> entries{
      {.topic = "t", .offset = 1, .keys = {list}, .args = {"a", "b", "c"}},
      {.topic = "t", .offset = 2, .keys = {list, key("other")}, .args = {"d"}},
      {.topic = "t", .offset = 3, .keys = {list}, .args = {}},
      {.topic = "t", .offset = 4, .keys = {list}, .args = {"e", "f"}},
  };
  auto outcomes = apply_batch_sync(*redis_, lengths, key("applied"), entries);
  ASSERT_TRUE(outcomes.ok()) << outcomes.error().message;
  const auto seen = reader_->command({"LRANGE", list, "0", "-1"});
  std::vector<std::string> lines;
  for (const auto& e : seen.elements) lines.push_back(e.str);
  EXPECT_EQ(lines, (std::vector<std::string>{"1:3:a,b,c", "2:1:d", "1:0:", "1:2:e,f"}));
}

// The aggregating form: the effect adds up per member in `batch`, `finish` writes one ZINCRBY per
// member. Replays, overlaps and a failing effect keep exactly-once like the per-message form.
TEST_F(ProjectionBatch, AggregatingEffectsKeepExactlyOnce) {
  const BatchScript board(R"lua(
if ARGV[1] == 'boom' then error('refused by the test') end
local tally = batch[KEYS[1]] or {}
batch[KEYS[1]] = tally
tally[ARGV[1]] = (tally[ARGV[1]] or 0) + 1
)lua",
                          R"lua(
for key, tally in pairs(batch) do
  for member, votes in pairs(tally) do redis.call('ZINCRBY', key, votes, member) end
end
)lua");
  const auto board_key = key("board");
  const auto vote = [&](std::int64_t offset, std::string member) {
    return Entry{.topic = "votes.v1", .partition = 0, .offset = offset, .keys = {board_key}, .args = {std::move(member)}};
  };
  const auto score = [&](const std::string& member) {
    const auto reply = reader_->command({"ZSCORE", board_key, member});
    return reply.is_nil() ? 0LL : std::stoll(reply.str);
  };
  std::vector<Entry> entries;
  for (int i = 0; i < 1000; ++i) entries.push_back(vote(i, "m" + std::to_string(i % 5)));
  auto first = apply_batch_sync(*redis_, board, key("applied"), entries);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(*first, Outcomes(1000, Outcome::applied));
  for (int m = 0; m < 5; ++m) EXPECT_EQ(score("m" + std::to_string(m)), 200);

  auto replay = apply_batch_sync(*redis_, board, key("applied"), entries, 50);  // split, too
  ASSERT_TRUE(replay.ok()) << replay.error().message;
  EXPECT_EQ(*replay, Outcomes(1000, Outcome::duplicate));
  for (int m = 0; m < 5; ++m) EXPECT_EQ(score("m" + std::to_string(m)), 200) << "a replay changed a board";

  // 1000..1009 with a poison vote at 1004: 1000..1003 land (finish runs before the error returns).
  std::vector<Entry> more;
  for (int i = 1000; i < 1010; ++i) more.push_back(vote(i, i == 1004 ? "boom" : "m0"));
  auto failed = apply_batch_sync(*redis_, board, key("applied"), more);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(score("m0"), 204);
  EXPECT_EQ(guard().at("votes.v1:0"), "1003");
  ASSERT_FALSE(apply_batch_sync(*redis_, board, key("applied"), more).ok());
  EXPECT_EQ(score("m0"), 204) << "a retry applied a vote twice";
  more[4].args = {"m1"};
  ASSERT_TRUE(apply_batch_sync(*redis_, board, key("applied"), more).ok());
  EXPECT_EQ(score("m0"), 209);
  EXPECT_EQ(score("m1"), 201);
  EXPECT_EQ(guard().at("votes.v1:0"), "1009");
}

}  // namespace

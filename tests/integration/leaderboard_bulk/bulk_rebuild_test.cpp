// The leaderboard's two ways of counting into a generation agree key for key, in a real Redis: the
// guarded Lua the projection runs (board_entries + BoardStore::apply_sync, generation A) and the bulk
// path a rebuild's first round takes (BoardModel + the generation writer, generation B). A random mix
// of events (check-ins repeated, votes repeated and with duplicate ids, voids before and after the
// votes they cover, ids holding '|', malformed and uncounted messages) goes through both; every key
// under either generation's prefix (SCAN) is compared by content (HGETALL / SMEMBERS). Then more
// events, and a redelivery of old ones, go through the Lua into both, and they must still agree: a
// rebuild's later rounds continue a bulk-written generation exactly as a Lua-written one.
//
// The same log is also written as a rebuild writes it (the vote ledger while the check-ins are
// counted) into a third generation.
//
// Generation numbers 9,000,000 + random: never a live one (those count up from 1); dropped at the end.
// Nothing here touches {lb}:current, so a service using the same Redis is not disturbed.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <future>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "domain/board_model.hpp"
#include "expo/events/checkins.hpp"
#include "expo/events/envelope.hpp"
#include "expo/events/topics.hpp"
#include "expo/events/votes.hpp"
#include "expo/kafka/consumer.hpp"
#include "expo/redis/client.hpp"
#include "expo/testing/environment.hpp"
#include "expo/testing/redis_reader.hpp"
#include "store/board_entries.hpp"
#include "store/board_store.hpp"
#include "store/generation_writer.hpp"

namespace expo::leaderboard {
namespace {

using namespace std::chrono_literals;

// One message of the log: its value is owned here, the kafka::Message views it.
struct Logged {
  std::string_view topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::string value;
  kafka::Message message() const {
    return kafka::Message{.topic = topic, .partition = partition, .offset = offset, .value = value};
  }
};

// A random log of the three topics, offsets counted per partition across calls.
class LogMaker {
 public:
  explicit LogMaker(std::uint32_t seed) : rng_(seed) {}

  std::vector<Logged> make(int count) {
    std::vector<Logged> out;
    for (int i = 0; i < count; ++i) out.push_back(next());
    return out;
  }

 private:
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool chance(int percent) { return pick(100) < percent; }

  std::string day() { return "2023-11-2" + std::to_string(3 + pick(3)); }
  // A coarse grid of instants, so votes and voids often fall on the very same millisecond.
  std::string time_on(const std::string& d) {
    static const char* minutes[] = {"00:00.000", "15:00.000", "15:00.001", "30:00.000"};
    return d + "T" + std::to_string(10 + pick(3)) + ":" + minutes[pick(4)] + "+07:00";
  }
  std::string visitor() { return chance(4) ? "v|x" : "v" + std::to_string(pick(25)); }
  std::string innovation() { return chance(4) ? "i|j" : "i" + std::to_string(pick(6)); }
  std::string device() { return chance(50) ? "" : "d" + std::to_string(pick(3)); }

  Logged logged(std::string_view topic, std::int32_t partition, std::string value) {
    auto& offset = offsets_[{std::string(topic), partition}];
    return Logged{topic, partition, offset++, std::move(value)};
  }

  Logged next() {
    const int kind = pick(100);
    if (kind < 45) {  // a check-in, often one seen before (a producer's retry, at another time)
      std::string v = visitor(), booth = "b" + std::to_string(pick(4)), d = day();
      if (!checkins_.empty() && chance(25)) std::tie(v, booth, d) = checkins_[pick(static_cast<int>(checkins_.size()))];
      checkins_.emplace_back(v, booth, d);
      auto e = events::make_envelope("checked_in", time_on(d));
      e.payload["visitor_id"] = v;
      e.payload["booth_id"] = booth;
      e.payload["device_id"] = "tablet-" + booth;
      e.payload["day"] = d;
      return logged(events::topics::checkins, pick(3), events::encode(e));
    }
    if (kind < 88) {  // a vote: sometimes a vote_id seen before, with whatever contents
      events::votes::Cast c;
      c.vote_id = !vote_ids_.empty() && chance(10) ? vote_ids_[pick(static_cast<int>(vote_ids_.size()))]
                                                   : "vote-" + std::to_string(vote_ids_.size());
      vote_ids_.push_back(c.vote_id);
      c.visitor_id = visitor();
      c.innovation_id = innovation();
      c.booth_id = "b1";
      c.region_id = "r1";
      c.day = day();
      c.device_id = device();
      c.client_event_id = c.vote_id + "-client";
      c.at = time_on(c.day);
      // Votes are read from admin.v1 too (the ledger's rule).
      return chance(3) ? logged(events::topics::admin, 0, events::encode(events::votes::cast(c)))
                       : logged(events::topics::votes, pick(3), events::encode(events::votes::cast(c)));
    }
    if (kind < 97) {  // a void of a visitor or a tablet
      events::votes::Voided v;
      v.void_id = "void-" + std::to_string(kind) + "-" + std::to_string(pick(1000000));
      if (chance(60)) {
        v.visitor_id = visitor();
      } else {
        v.device_id = "d" + std::to_string(pick(3));
      }
      v.reason = chance(50) ? "fraud" : "tablet|misused";
      v.at = time_on(day());
      return logged(events::topics::admin, 0, events::encode(events::votes::voided(v)));
    }
    if (kind < 99) {
      return logged(events::topics::admin, 0, events::encode(events::votes::voting_switched(true, time_on(day()))));
    }
    return logged(events::topics::votes, pick(3), "{not json");  // malformed: covered, counted nowhere
  }

  std::mt19937 rng_;
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> offsets_;
  std::vector<std::tuple<std::string, std::string, std::string>> checkins_;
  std::vector<std::string> vote_ids_;
};

// A key's content: a hash's fields or a set's members.
struct Content {
  std::string type;
  std::map<std::string, std::string> fields;
  std::set<std::string> members;
  bool operator==(const Content&) const = default;
};
using Snapshot = std::map<std::string, Content>;  // key without the generation's prefix -> content

class LeaderboardBulk : public ::testing::Test {
 protected:
  void SetUp() override {
    io_thread_ = std::thread([this] { io_.run(); });  // first, so TearDown works whatever fails below
    const auto port = testing::required_env("EXPO_TEST_REDIS_PORT");
    ASSERT_FALSE(port.empty());
    redis_ = redis::Client::create(io_, {.host = "127.0.0.1", .port = std::stoi(port)});
    boost::asio::post(io_, [r = redis_] { r->start(); });
    reader_ = std::make_unique<testing::RedisReader>(std::stoi(port));
    for (int i = 0; i < 100 && !redis_->command_sync({"PING"}).ok(); ++i) std::this_thread::sleep_for(50ms);
    store_ = std::make_shared<BoardStore>(redis_, redis_);
    const auto base = 9000000 + 4 * static_cast<std::int64_t>(std::random_device{}() % 250000);
    for (std::int64_t i = 0; i < 4; ++i) generations_.push_back(base + i);
  }

  void TearDown() override {
    if (store_) {
      for (const auto g : generations_) {
        const auto dropped = store_->drop_generation_sync(g);
        EXPECT_TRUE(dropped.ok()) << dropped.error().message;
      }
    }
    boost::asio::post(io_, [this] {
      if (redis_) redis_->stop();
      work_.reset();
    });
    io_thread_.join();
  }

  static Generation rebuilding(std::int64_t number) { return Generation{.number = number, .must_be_live = false}; }

  // Through the guarded Lua, cut into batches of random sizes (the Lua's batch sums must not matter).
  void apply_by_script(const Generation& g, const std::vector<Logged>& log, std::mt19937& rng) {
    std::vector<kafka::Message> messages;
    for (const auto& l : log) messages.push_back(l.message());
    for (std::size_t at = 0; at < messages.size();) {
      const auto n = std::min<std::size_t>(messages.size() - at, 1 + rng() % 300);
      const auto decoded = decode_board_messages(std::span(messages).subspan(at, n));
      const auto applied = store_->apply_sync(g, board_entries(decoded, g));
      ASSERT_TRUE(applied.ok()) << applied.error().message;
      at += n;
    }
  }

  Snapshot snapshot(const Generation& g) {
    Snapshot out;
    const auto prefix = g.prefix();
    // SCAN with a large COUNT: the shared test Redis holds every other test's keys too.
    std::vector<std::string> keys;
    std::string cursor = "0";
    do {
      const auto page = reader_->command({"SCAN", cursor, "MATCH", prefix + "*", "COUNT", "50000"});
      if (page.elements.size() != 2) break;
      cursor = page.elements[0].str;
      for (const auto& key : page.elements[1].elements) keys.push_back(key.str);
    } while (cursor != "0");
    for (const auto& key : keys) {
      Content c;
      c.type = reader_->command({"TYPE", key}).str;
      if (c.type == "hash") {
        const auto all = reader_->command({"HGETALL", key});
        for (std::size_t i = 0; i + 1 < all.elements.size(); i += 2) {
          c.fields[all.elements[i].str] = all.elements[i + 1].str;
        }
      } else if (c.type == "set") {
        for (const auto& m : reader_->command({"SMEMBERS", key}).elements) c.members.insert(m.str);
      }
      out[key.substr(prefix.size())] = std::move(c);
    }
    // The one difference by design: the Lua writes each batch's net change per counter, so a counter
    // that came back to 0 within a batch was never written while one that did across batches holds
    // "0". The model drops it. Readers and the audit treat 0 and absent alike.
    if (auto counts = out.find("counts"); counts != out.end()) {
      std::erase_if(counts->second.fields, [](const auto& field) { return field.second == "0"; });
    }
    // A visitor's vote ids are a set kept as a space-separated list: compared in sorted order (the
    // script lists them as its batches arrive, the model as the reader's did).
    if (auto listed = out.find("by-visitor"); listed != out.end()) {
      for (auto& [visitor, ids] : listed->second.fields) {
        std::istringstream words(ids);
        std::set<std::string> sorted{std::istream_iterator<std::string>(words), std::istream_iterator<std::string>()};
        ids.clear();
        for (const auto& id : sorted) ids.append(ids.empty() ? "" : " ").append(id);
      }
    }
    return out;
  }

  static std::string differences(const Snapshot& a, const Snapshot& b) {
    std::ostringstream out;
    int shown = 0;
    std::set<std::string> keys;
    for (const auto& [k, _] : a) keys.insert(k);
    for (const auto& [k, _] : b) keys.insert(k);
    for (const auto& k : keys) {
      const auto in_a = a.find(k), in_b = b.find(k);
      if (in_a != a.end() && in_b != b.end() && in_a->second == in_b->second) continue;
      if (++shown > 10) break;
      out << "key " << k << ": ";
      if (in_a == a.end() || in_b == b.end()) {
        out << (in_a == a.end() ? "only in B (bulk)" : "only in A (Lua)") << "\n";
        continue;
      }
      for (const auto& [f, v] : in_a->second.fields) {
        const auto other = in_b->second.fields.find(f);
        if (other == in_b->second.fields.end() || other->second != v) {
          const auto b_value = other == in_b->second.fields.end() ? std::string("-") : other->second;
          out << "\n  field " << f << ": A " << v << ", B " << b_value;
        }
      }
      for (const auto& [f, v] : in_b->second.fields) {
        if (!in_a->second.fields.contains(f)) out << "\n  field " << f << ": A -, B " << v;
      }
      if (in_a->second.members != in_b->second.members) out << "\n  the members differ";
      out << "\n";
    }
    return out.str();
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ = boost::asio::make_work_guard(io_);
  std::thread io_thread_;
  std::shared_ptr<redis::Client> redis_;
  std::unique_ptr<testing::RedisReader> reader_;
  std::shared_ptr<BoardStore> store_;
  std::vector<std::int64_t> generations_;
};

TEST_F(LeaderboardBulk, TheBulkWriteEqualsTheLuaKeyForKeyAndTheLuaContinuesItAlike) {
  const auto seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  LogMaker maker(seed);
  const auto a = rebuilding(generations_[0]), b = rebuilding(generations_[1]);

  const auto history = maker.make(4000);
  ASSERT_NO_FATAL_FAILURE(apply_by_script(a, history, rng));
  BoardModel model;
  int malformed = 0;
  for (const auto& l : history) {
    if (!apply_record(model, l.topic, l.partition, l.offset, l.value)) ++malformed;
  }
  EXPECT_GT(malformed, 0);
  // Small chunks and rounds, so every key is cut into several commands and rounds.
  GenerationWriteOptions options;
  options.chunk = 7;
  options.round_commands = 16;
  options.round_arguments = 200;
  const auto written = store_->write_generation_sync(b, model, options);
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_GT(written->round_trips, 10);

  const auto lua = snapshot(a), bulk = snapshot(b);
  EXPECT_TRUE(lua == bulk) << differences(lua, bulk);
  // The mix reached every kind of key and record it should.
  for (const auto* key : {"applied", "counts", "activity", "votes", "first", "voids", "by-visitor", "ck:b0:all"}) {
    EXPECT_TRUE(bulk.contains(key)) << key;
  }
  std::set<std::string> states;
  for (const auto& [id, record] : bulk.at("votes").fields) states.insert(record.substr(0, record.find('|')));
  EXPECT_EQ(states, (std::set<std::string>{"counted", "repeat", "voided"}));
  EXPECT_EQ(canonical_text(model.tally()).empty(), false);

  // As a rebuild writes it: votes and voids counted first, their ledger written while the check-ins are
  // counted (they touch none of its keys), then the rest.
  const auto c = rebuilding(generations_[3]);
  {
    BoardModel split;
    for (const auto& l : history) {
      if (l.topic != events::topics::checkins) (void)apply_record(split, l.topic, l.partition, l.offset, l.value);
    }
    GenerationWriter writer(*redis_, c);
    ASSERT_TRUE(writer.start_sync().ok());
    auto ledger = std::async(std::launch::async, [&] { return writer.write_vote_ledger_sync(split); });
    for (const auto& l : history) {
      if (l.topic == events::topics::checkins) (void)apply_record(split, l.topic, l.partition, l.offset, l.value);
    }
    const auto ledger_written = ledger.get();
    ASSERT_TRUE(ledger_written.ok()) << ledger_written.error().message;
    ASSERT_TRUE(writer.write_checkins_sync(split).ok());
    ASSERT_TRUE(writer.finish_sync(split).ok());
  }
  const auto parts = snapshot(c);
  EXPECT_TRUE(lua == parts) << differences(lua, parts);

  // Later rounds: the Lua continues both, a redelivery of old messages included (the guard skips it).
  const auto redelivered = std::vector<Logged>(history.begin(), history.begin() + 200);
  const auto more = maker.make(1000);
  for (const auto& g : {a, b}) {
    std::mt19937 cuts(seed + 1);
    ASSERT_NO_FATAL_FAILURE(apply_by_script(g, redelivered, cuts));
    ASSERT_NO_FATAL_FAILURE(apply_by_script(g, more, cuts));
  }
  const auto lua_after = snapshot(a), bulk_after = snapshot(b);
  EXPECT_TRUE(lua_after == bulk_after) << differences(lua_after, bulk_after);
  EXPECT_FALSE(lua_after == lua) << "the further events changed nothing: the test would prove nothing";
}

TEST_F(LeaderboardBulk, TheWriterRefusesALiveOrUsedGenerationAndWritesTheGuardLastAndADropLeavesNothing) {
  const auto seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  LogMaker maker(seed);
  BoardModel model;
  for (const auto& l : maker.make(500)) (void)apply_record(model, l.topic, l.partition, l.offset, l.value);

  const auto live =
      store_->write_generation_sync(Generation{.number = generations_[0], .must_be_live = true}, model, {});
  ASSERT_FALSE(live.ok());
  EXPECT_EQ(live.error().code, "generation_live");

  // Cancelled after its first round trip: something was written, but no guard.
  const auto c = rebuilding(generations_[2]);
  int asked = 0;
  GenerationWriteOptions options;
  options.round_commands = 2;
  options.cancelled = [&] { return ++asked > 1; };
  const auto cancelled = store_->write_generation_sync(c, model, options);
  ASSERT_FALSE(cancelled.ok());
  EXPECT_EQ(cancelled.error().code, "cancelled");
  EXPECT_FALSE(snapshot(c).empty());
  EXPECT_FALSE(snapshot(c).contains("applied"));

  const auto b = rebuilding(generations_[1]);
  ASSERT_TRUE(store_->write_generation_sync(b, model, {}).ok());
  EXPECT_TRUE(snapshot(b).contains("applied"));
  const auto again = store_->write_generation_sync(b, model, {});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "generation_not_empty");

  // Dropping a generation leaves none of its keys (a page's UNLINK travels with the next SCAN).
  const auto keys = static_cast<std::int64_t>(snapshot(b).size());
  const auto dropped = store_->drop_generation_sync(b.number);
  ASSERT_TRUE(dropped.ok()) << dropped.error().message;
  EXPECT_EQ(*dropped, keys);
  EXPECT_TRUE(snapshot(b).empty());
}

}  // namespace
}  // namespace expo::leaderboard

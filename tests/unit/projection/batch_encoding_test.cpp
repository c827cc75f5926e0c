// The KEYS/ARGV layout of a batched guarded script (expo/projection/batch_encoding.hpp), without Redis:
// exact layouts for small cases, and a decoder written from the documented layout that must give back
// every entry for random batches, whatever the split.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "expo/projection/batch_encoding.hpp"

namespace {

using expo::projection::EncodedCall;
using expo::projection::encode_batch;
using expo::projection::Entry;
using expo::projection::hash_slot_part;
using Strings = std::vector<std::string>;

// What the Lua wrapper sees of one message, read back from a call as the documentation describes.
struct Decoded {
  std::string field;
  std::int64_t offset;
  Strings keys;
  Strings args;
};

std::vector<Decoded> decode(const EncodedCall& call) {
  const auto& argv = call.args;
  std::size_t i = 0;
  const auto number = [&]() { return static_cast<std::size_t>(std::stoll(argv.at(i++))); };
  Strings fields;
  for (auto f = number(); f > 0; --f) fields.push_back(argv.at(i++));
  struct Shape {
    std::string field;
    std::size_t arg_count;
    Strings keys;
  };
  std::vector<Shape> shapes;
  for (auto s = number(); s > 0; --s) {
    Shape shape{fields.at(number() - 1), number(), {}};
    for (auto k = number(); k > 0; --k) shape.keys.push_back(call.keys.at(number() - 1));
    shapes.push_back(std::move(shape));
  }
  std::vector<Decoded> out;
  while (i < argv.size()) {
    const auto& shape = shapes.at(number() - 1);
    Decoded d{shape.field, std::stoll(argv.at(i++)), shape.keys, {}};
    for (auto a = shape.arg_count; a > 0; --a) d.args.push_back(argv.at(i++));
    out.push_back(std::move(d));
  }
  return out;
}

TEST(HashSlotPart, FollowsRedisClusterHashTags) {
  EXPECT_EQ(hash_slot_part("{board}:applied"), "board");
  EXPECT_EQ(hash_slot_part("vote:{dev:42}:badges"), "dev:42");
  EXPECT_EQ(hash_slot_part("{a}{b}"), "a");
  EXPECT_EQ(hash_slot_part("plain"), "plain");
  EXPECT_EQ(hash_slot_part("{}board"), "{}board");  // an empty tag: the whole key is hashed
  EXPECT_EQ(hash_slot_part("x{}{y}"), "x{}{y}");
  EXPECT_EQ(hash_slot_part("{open"), "{open");
}

TEST(EncodeBatch, SharedKeysFieldsAndShapesTravelOnce) {
  const std::vector<Entry> entries{
      {.topic = "votes.v1", .partition = 2, .offset = 7, .keys = {"{b}:count", "{b}:sum"}, .args = {"5"}},
      {.topic = "votes.v1", .partition = 0, .offset = 3, .keys = {"{b}:sum"}, .args = {}},
      {.topic = "votes.v1", .partition = 2, .offset = 8, .keys = {"{b}:count", "{b}:sum"}, .args = {"6", "x"}},
      {.topic = "votes.v1", .partition = 2, .offset = 9, .keys = {"{b}:count", "{b}:sum"}, .args = {"7"}},
  };
  auto calls = encode_batch("{b}:applied", entries);
  ASSERT_TRUE(calls.ok()) << calls.error().message;
  ASSERT_EQ(calls->size(), 1u);
  const auto& call = calls->front();
  EXPECT_EQ(call.entries, 4u);
  EXPECT_EQ(call.keys, (Strings{"{b}:applied", "{b}:count", "{b}:sum"}));
  EXPECT_EQ(call.args, (Strings{"2", "votes.v1:2", "votes.v1:0",  // fields
                                "3",                              // shapes: field#, A, K, key#s
                                "1", "1", "2", "2", "3",          //
                                "2", "0", "1", "3",               //
                                "1", "2", "2", "2", "3",          //
                                "1", "7", "5",                    // messages: shape#, offset, args
                                "2", "3",                         //
                                "3", "8", "6", "x",               //
                                "1", "9", "7"}));
}

TEST(EncodeBatch, NoEntriesNoCalls) {
  auto calls = encode_batch("{b}:applied", {});
  ASSERT_TRUE(calls.ok());
  EXPECT_TRUE(calls->empty());
}

TEST(EncodeBatch, RefusesKeysOutsideTheGuardsHashTag) {
  const std::vector<Entry> other_tag{{.topic = "t", .keys = {"{b}:count", "{c}:count"}}};
  auto calls = encode_batch("{b}:applied", other_tag);
  ASSERT_FALSE(calls.ok());
  EXPECT_EQ(calls.error().code, "projection_hash_tag");
  EXPECT_FALSE(calls.error().retryable);
  EXPECT_EQ(calls.error().message.find("{c}"), std::string::npos) << "keys may hold ids: not in errors";

  const std::vector<Entry> untagged{{.topic = "t", .keys = {"count"}}};
  EXPECT_FALSE(encode_batch("{b}:applied", untagged).ok());
  // Without a tag the guard is its own slot: only the guard itself would hash like it.
  EXPECT_FALSE(encode_batch("applied", untagged).ok());
}

TEST(EncodeBatch, SplitsAtTheArgumentLimitIntoSelfContainedCalls) {
  std::vector<Entry> entries;
  for (int i = 0; i < 10; ++i) {
    entries.push_back({.topic = "t", .partition = i % 2, .offset = i, .keys = {"{b}:k"}, .args = {"a", "b"}});
  }
  // A call: 2 KEYS; field and shape counts; per partition a field and a 4-argument shape; 4 per entry.
  // Four entries of two partitions: 2 + 2 + 2 * (1 + 4) + 4 * 4 = 30.
  constexpr std::size_t kLimit = 30;
  auto calls = encode_batch("{b}:applied", entries, kLimit);
  ASSERT_TRUE(calls.ok());
  ASSERT_EQ(calls->size(), 3u);
  std::vector<std::size_t> sizes;
  for (const auto& call : *calls) {
    sizes.push_back(call.entries);
    EXPECT_LE(call.keys.size() + call.args.size(), kLimit);
    EXPECT_EQ(call.keys, (Strings{"{b}:applied", "{b}:k"})) << "every call lists its own keys";
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{4, 4, 2}));
  EXPECT_EQ(calls->front().keys.size() + calls->front().args.size(), kLimit);
}

TEST(EncodeBatch, AnEntryLargerThanTheLimitStillGoesAlone) {
  const std::vector<Entry> entries{
      {.topic = "t", .offset = 1, .keys = {"{b}:k"}, .args = {"1"}},
      {.topic = "t", .offset = 2, .keys = {"{b}:k"}, .args = Strings(50, "x")},
      {.topic = "t", .offset = 3, .keys = {"{b}:k"}, .args = {"3"}},
  };
  auto calls = encode_batch("{b}:applied", entries, 12);
  ASSERT_TRUE(calls.ok());
  ASSERT_EQ(calls->size(), 3u);
  EXPECT_EQ(decode((*calls)[1]).at(0).args.size(), 50u);
}

TEST(EncodeBatch, RandomBatchesDecodeToTheirEntriesWhateverTheSplit) {
  std::mt19937 random(12345);
  for (int round = 0; round < 200; ++round) {
    std::vector<Entry> entries;
    const int count = static_cast<int>(random() % 60);
    for (int i = 0; i < count; ++i) {
      Entry e{.topic = random() % 2 ? "votes.v1" : "admin.v1",
              .partition = static_cast<std::int32_t>(random() % 4),
              .offset = static_cast<std::int64_t>(random() % 1000000) * 1000000,
              .keys = {},
              .args = {}};
      for (auto k = random() % 4; k > 0; --k) e.keys.push_back("{lb}:board:" + std::to_string(random() % 5));
      for (auto a = random() % 4; a > 0; --a) e.args.push_back(std::to_string(random()));
      entries.push_back(std::move(e));
    }
    const std::size_t limit = 10 + random() % 200;
    auto calls = encode_batch("{lb}:applied", entries, limit);
    ASSERT_TRUE(calls.ok()) << calls.error().message;
    std::vector<Decoded> decoded;
    for (const auto& call : *calls) {
      ASSERT_GE(call.entries, 1u);
      if (call.entries > 1) {
        EXPECT_LE(call.keys.size() + call.args.size(), limit);
      }
      EXPECT_EQ(call.keys.front(), "{lb}:applied");
      auto part = decode(call);
      ASSERT_EQ(part.size(), call.entries);
      decoded.insert(decoded.end(), part.begin(), part.end());
    }
    ASSERT_EQ(decoded.size(), entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
      EXPECT_EQ(decoded[i].field, std::string(entries[i].topic) + ":" + std::to_string(entries[i].partition));
      EXPECT_EQ(decoded[i].offset, entries[i].offset);
      EXPECT_EQ(decoded[i].keys, entries[i].keys);
      EXPECT_EQ(decoded[i].args, entries[i].args);
    }
  }
}

}  // namespace

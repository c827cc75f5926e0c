#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "expo/events/envelope.hpp"
#include "expo/events/visitors.hpp"
#include "expo/events/topics.hpp"

namespace ev = expo::events;

namespace {

bool is_uuid_v4(const std::string& id) {
  if (id.size() != 36) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return id[14] == '4' && std::string_view("89ab").find(id[19]) != std::string_view::npos;
}

ev::Envelope sample() {
  ev::Envelope e;
  e.event_id = "3b241101-e2bb-4255-8caf-4136c566a962";
  e.type = "checkin.accepted";
  e.occurred_at = "2023-11-23T09:00:00.000+07:00";
  e.payload = boost::json::object{{"visitor_id", "v1"}, {"booth_id", "3579"}, {"n", 2}};
  return e;
}

std::string rejection(std::string_view text) {
  auto r = ev::decode(text);
  EXPECT_FALSE(r.ok()) << text;
  if (r.ok()) return {};
  EXPECT_EQ(r.error().code, "event_invalid");
  EXPECT_FALSE(r.error().retryable);
  return r.error().message;
}

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << "'" << (haystack) << "' lacks '" << (needle) << "'"

}  // namespace

TEST(Topics, NamesAreTheContract) {
  EXPECT_EQ(ev::topics::visitors, "visitors.v1");
  EXPECT_EQ(ev::topics::checkins, "checkins.v1");
  EXPECT_EQ(ev::topics::votes, "votes.v1");
  EXPECT_EQ(ev::topics::admin, "admin.v1");
  EXPECT_EQ(ev::topics::visitor_keys, "visitor-keys.v1");
  const std::set<std::string_view> distinct(ev::topics::all.begin(), ev::topics::all.end());
  EXPECT_EQ(distinct,
            (std::set<std::string_view>{"visitors.v1", "checkins.v1", "votes.v1", "admin.v1", "visitor-keys.v1"}));
}

TEST(EventId, IsUuidVersion4) {
  for (int i = 0; i < 200; ++i) {
    const std::string id = ev::new_event_id();
    EXPECT_TRUE(is_uuid_v4(id)) << id;
  }
}

TEST(EventId, UniqueAcrossThreads) {
  constexpr int kThreads = 4, kPerThread = 5000;
  std::mutex mutex;
  std::set<std::string> ids;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      std::vector<std::string> local;
      for (int i = 0; i < kPerThread; ++i) local.push_back(ev::new_event_id());
      std::lock_guard lock(mutex);
      ids.insert(local.begin(), local.end());
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kThreads * kPerThread));
}

TEST(Envelope, EncodesCompactJsonInFieldOrder) {
  EXPECT_EQ(ev::encode(sample()),
            R"({"event_id":"3b241101-e2bb-4255-8caf-4136c566a962","type":"checkin.accepted",)"
            R"("occurred_at":"2023-11-23T09:00:00.000+07:00","payload":{"visitor_id":"v1","booth_id":"3579","n":2}})");
}

TEST(Envelope, RoundTrips) {
  const ev::Envelope e = sample();
  auto d = ev::decode(ev::encode(e));
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->event_id, e.event_id);
  EXPECT_EQ(d->type, e.type);
  EXPECT_EQ(d->occurred_at, e.occurred_at);
  EXPECT_EQ(d->payload, e.payload);

  ev::Envelope empty_payload = e;
  empty_payload.payload = {};
  auto d2 = ev::decode(ev::encode(empty_payload));
  ASSERT_TRUE(d2.ok());
  EXPECT_TRUE(d2->payload.empty());
}

TEST(Envelope, DecodesIntoScratchMemoryAndTwoScratchesOnOneThreadNeverShareIt) {
  ev::Envelope first_sent = sample();
  first_sent.payload["note"] = std::string(20000, 'a');  // beyond the thread's buffer: the heap takes over
  ev::Envelope second_sent = sample();
  second_sent.payload["note"] = "b";
  const ev::ScratchStorage outer;
  auto first = ev::decode(ev::encode(first_sent), outer.storage());
  ASSERT_TRUE(first.ok()) << first.error().message;
  {
    const ev::ScratchStorage inner;  // while `outer` holds the thread's buffer
    auto second = ev::decode(ev::encode(second_sent), inner.storage());
    ASSERT_TRUE(second.ok()) << second.error().message;
    EXPECT_EQ(second->payload, second_sent.payload);
  }
  EXPECT_EQ(first->payload, first_sent.payload);
  // Decoding again after both are gone reuses the buffer.
  const ev::ScratchStorage again;
  auto third = ev::decode(ev::encode(second_sent), again.storage());
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->payload, second_sent.payload);
}

TEST(Envelope, IgnoresUnknownTopLevelMembers) {
  auto d = ev::decode(R"({"event_id":"a","type":"t","occurred_at":"2023-11-23T02:00:00Z","payload":{},"schema":2})");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->event_id, "a");
}

TEST(Envelope, RejectsMalformedText) {
  EXPECT_CONTAINS(rejection(""), "not valid JSON");
  EXPECT_CONTAINS(rejection("{\"event_id\":"), "not valid JSON");
  EXPECT_CONTAINS(rejection("[1]"), "expected a JSON object, found an array");
}

TEST(Envelope, RejectsMissingOrIllTypedFields) {
  const auto good = boost::json::parse(ev::encode(sample())).as_object();
  for (const char* field : {"event_id", "type", "occurred_at", "payload"}) {
    auto missing = good;
    missing.erase(field);
    EXPECT_CONTAINS(rejection(boost::json::serialize(missing)), std::string("missing \"") + field + "\"");

    auto ill_typed = good;
    ill_typed[field] = 42;
    const auto msg = rejection(boost::json::serialize(ill_typed));
    EXPECT_CONTAINS(msg, std::string("\"") + field + "\" must be");
    EXPECT_CONTAINS(msg, "found a number");
  }
  auto null_payload = good;
  null_payload["payload"] = nullptr;
  EXPECT_CONTAINS(rejection(boost::json::serialize(null_payload)), "\"payload\" must be an object, found null");
  auto array_payload = good;
  array_payload["payload"] = boost::json::array{1};
  EXPECT_CONTAINS(rejection(boost::json::serialize(array_payload)), "found an array");
}

TEST(Envelope, RejectsEmptyOversizedAndBadTimes) {
  auto e = sample();
  e.event_id = "";
  EXPECT_CONTAINS(rejection(ev::encode(e)), "\"event_id\" must not be empty");
  e = sample();
  e.type = std::string(129, 't');
  EXPECT_CONTAINS(rejection(ev::encode(e)), "\"type\" is longer than 128 bytes");
  e = sample();
  e.occurred_at = "23/11/2023 09:00";
  EXPECT_CONTAINS(rejection(ev::encode(e)), "\"occurred_at\" is not an RFC 3339 time");
}

TEST(Envelope, ErrorsNeverEchoPayloadContents) {
  const std::string msg =
      rejection(R"({"type":"visitor.registered","occurred_at":"2023-11-23T02:00:00Z",)"
                R"("payload":{"name":"Siti Rahayu","phone":"+6281234567890"}})");
  EXPECT_CONTAINS(msg, "missing \"event_id\"");
  EXPECT_EQ(msg.find("Siti"), std::string::npos);
  EXPECT_EQ(msg.find("6281234567890"), std::string::npos);
}

namespace {

namespace visitors = expo::events::visitors;

TEST(VisitorMessages, WhatRegistrationWritesTheProjectionsRead) {
  const visitors::Registered sent{"v123", "ABCD2345", "student", "3579", "2023-11-23T02:00:00.000Z", "sealed",
                                  "phash", ""};
  const auto value = expo::events::encode(visitors::registered(sent));
  auto read = visitors::read("visitors.v1", "v123", value, false);
  ASSERT_TRUE(read.ok());
  const auto* got = std::get_if<visitors::Registered>(&*read);
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->code, "ABCD2345");
  EXPECT_EQ(got->personal, "sealed");
  EXPECT_EQ(got->registered_at, "2023-11-23T02:00:00.000Z");

  auto erased = visitors::read("visitors.v1", "v123", expo::events::encode(visitors::erased("v123", sent.registered_at)), false);
  ASSERT_TRUE(erased.ok());
  EXPECT_EQ(std::get<visitors::Erased>(*erased).visitor_id, "v123");
}

TEST(VisitorMessages, DataKeysAndTheirTombstones) {
  auto key = visitors::read("visitor-keys.v1", "v123", visitors::data_key_value({"v123", "w1", "wrapped"}), false);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(std::get<visitors::DataKey>(*key).wrapped_key, "wrapped");
  auto tombstone = visitors::read("visitor-keys.v1", "v123", {}, true);
  ASSERT_TRUE(tombstone.ok());
  EXPECT_EQ(std::get<visitors::DataKey>(*tombstone).visitor_id, "v123");
  EXPECT_TRUE(std::get<visitors::DataKey>(*tombstone).wrapped_key.empty());
  EXPECT_FALSE(visitors::read("visitor-keys.v1", "v123", "not json", false).ok());
  EXPECT_FALSE(visitors::read("visitors.v1", "v123", "{}", false).ok());
}

TEST(VisitorMessages, OtherTypesAreNotForProjections) {
  expo::events::Envelope other{expo::events::new_event_id(), "something_else", "2023-11-23T02:00:00Z", {}};
  auto read = visitors::read("visitors.v1", "v1", expo::events::encode(other), false);
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(std::holds_alternative<std::monostate>(*read));
}

}  // namespace

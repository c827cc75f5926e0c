#include "expo/testing/fixtures.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

#include "expo/auth/badge.hpp"
#include "expo/kafka/consumer.hpp"
#include "expo/kafka/tracing.hpp"
#include "expo/testing/environment.hpp"
#include "expo/testing/secrets.hpp"

namespace expo::testing {

std::string random_id() {
  static std::mutex mutex;
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard lock(mutex);
  return std::to_string(rng());
}

boost::json::object json_of(const HttpResult& result) {
  boost::system::error_code ec;
  auto v = boost::json::parse(result.body, ec);
  return !ec && v.is_object() ? v.as_object() : boost::json::object{};
}

std::string error_code(const HttpResult& result) {
  const auto body = json_of(result);
  const auto* error = body.if_contains("error");
  if (error && error->is_object()) {
    if (const auto* code = error->as_object().if_contains("code"); code && code->is_string()) {
      return std::string(code->as_string());
    }
  }
  return "(no envelope: " + result.body + ")";
}

HttpResult retry_while_unavailable(const std::function<HttpResult()>& request, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  auto answer = request();
  while (answer.status == 503 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    answer = request();
  }
  return answer;
}

std::string test_badge(const std::string& visitor_id) {
  auto keys = auth::parse_signing_keys(secrets::badge_signing_keys);
  const auth::BadgeSigner signer(*keys, keys->front().id, "jatim-inovasi-2023");
  return signer.issue(visitor_id);
}

std::vector<TopicRecord> topic_records(const std::string& topic, const std::set<std::string>& keys,
                                       std::size_t expected, std::chrono::milliseconds settle) {
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<TopicRecord> found;
  auto consumer = kafka::Consumer::create(
      {.brokers = required_env("EXPO_TEST_KAFKA_BROKERS"),
       .group_id = "test-reader-" + random_id(),
       .client_id = "test-reader",
       .topics = {topic}},
      [&](const kafka::Message& m) -> Result<void> {
        if (!keys.contains(std::string(m.key))) return {};
        std::lock_guard lock(mutex);
        found.push_back({std::string(m.key), std::string(m.value), m.tombstone, std::string(kafka::request_id_of(m.headers))});
        arrived.notify_all();
        return {};
      });
  EXPECT_TRUE(consumer.ok());
  if (!consumer) return {};
  (*consumer)->start();
  {
    std::unique_lock lock(mutex);
    arrived.wait_for(lock, std::chrono::seconds(30), [&] { return found.size() >= expected; });
  }
  std::this_thread::sleep_for(settle);
  (*consumer)->stop();
  std::lock_guard lock(mutex);
  return found;
}

std::vector<boost::json::object> topic_events(const std::string& topic, const std::set<std::string>& keys,
                                              std::size_t expected, std::chrono::milliseconds settle) {
  std::vector<boost::json::object> events;
  for (const auto& record : topic_records(topic, keys, expected, settle)) {
    boost::system::error_code ec;
    auto value = boost::json::parse(record.value, ec);
    events.push_back(!ec && value.is_object() ? value.as_object() : boost::json::object{});
  }
  return events;
}

}  // namespace expo::testing

#pragma once
// Small pieces the services' integration tests share: reading answers, minting badges with the
// suite's test keys, and reading back what a service wrote to a topic.

#include <boost/json/object.hpp>
#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "expo/testing/http_client.hpp"

namespace expo::testing {

// A random decimal id for client_event_ids, labels and group names.
std::string random_id();

// The answer's JSON object (empty when the body is not one).
boost::json::object json_of(const HttpResult& result);
// The error envelope's code, or a text saying there was none (so a failing assertion shows the body).
std::string error_code(const HttpResult& result);

// A badge token as registration would issue it for the default event, with secrets::badge_signing_keys.
std::string test_badge(const std::string& visitor_id);

struct TopicRecord {
  std::string key;
  std::string value;
  bool tombstone = false;
};

// The records of `topic` whose key is one of `keys`, in partition order, read from the beginning by a
// fresh consumer group for `settle` (long enough for the group to join and catch up on the test stack).
std::vector<TopicRecord> topic_records(const std::string& topic, const std::set<std::string>& keys,
                                       std::chrono::milliseconds settle = std::chrono::seconds(4));
// The same, values parsed as JSON objects (an empty object for a value that is not one).
std::vector<boost::json::object> topic_events(const std::string& topic, const std::set<std::string>& keys,
                                              std::chrono::milliseconds settle = std::chrono::seconds(4));

}  // namespace expo::testing

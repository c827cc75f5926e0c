#pragma once
// Small pieces the services' integration tests share: reading answers, minting badges with the
// suite's test keys, and reading back what a service wrote to a topic.

#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
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
  std::string request_id;  // the x-request-id header (libs/kafka/tracing.hpp), "" when none
};

// The records of `topic` whose key is one of `keys`, in partition order, read from the beginning by a
// fresh consumer group: until `expected` of them have arrived (30 s at most: joining a group right
// after a broker restart takes a while), then `settle` longer, so a surplus (a duplicate) shows too.
std::vector<TopicRecord> topic_records(const std::string& topic, const std::set<std::string>& keys,
                                       std::size_t expected,
                                       std::chrono::milliseconds settle = std::chrono::milliseconds(1500));
// The same, values parsed as JSON objects (an empty object for a value that is not one).
std::vector<boost::json::object> topic_events(const std::string& topic, const std::set<std::string>& keys,
                                              std::size_t expected,
                                              std::chrono::milliseconds settle = std::chrono::milliseconds(1500));

// Calls `request` until it answers something other than 503 or `deadline` passes; the last answer.
// For the first write after a dependency came back: the service is ready as soon as the broker
// answers, while its partitions may still be electing leaders for a moment, and a 503 then is honest.
HttpResult retry_while_unavailable(const std::function<HttpResult()>& request,
                                   std::chrono::milliseconds deadline = std::chrono::seconds(30));

}  // namespace expo::testing

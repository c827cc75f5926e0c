#pragma once
// Following an event back to the request that caused it. The edge (or the service, when called
// directly) fixes one request id per HTTP call; the service that produces the event copies it into the
// `x-request-id` header, and every reader that logs about the event logs that id, so one id follows a
// visitor's action from the TLS front through every service's logs. The id is plain (letters, digits,
// "._-", at most 64: libs/http keeps no other) and never personal data.

#include <string>
#include <string_view>
#include <vector>

#include "expo/kafka/config.hpp"
#include "expo/kafka/consumer.hpp"

namespace expo::kafka {

inline constexpr std::string_view request_id_header = "x-request-id";

// The headers to produce with: one x-request-id header, or none when the id is empty (an event not
// caused by a request).
std::vector<Header> request_id_headers(std::string_view request_id);

// The request id a message carries, or "" when it has none.
std::string_view request_id_of(const std::vector<Header>& headers);

// The one log line of a reader that skips a message it cannot read: where the message is and which
// request caused it, never its content (which may hold personal data).
void log_skipped(const Message& message, std::string_view reason);

}  // namespace expo::kafka

#pragma once
// The visitor topics' messages, written by registration and read by every projection of them
// (registration's store, check-in's codes and sealed names), built and read in this one place.
//   visitors.v1      visitor_registered {visitor_id, code, visitor_type, origin_region, personal
//                    (sealed), phone_hash, email_hash}; visitor_erased {visitor_id}
//   visitor-keys.v1  compacted; {visitor_id, wrapping_key_id, wrapped_key}; a null value (tombstone)
//                    deletes the key
// Thread-safe: plain functions.

#include <string>
#include <string_view>
#include <variant>

#include "expo/core/result.hpp"
#include "expo/events/envelope.hpp"

namespace expo::events::visitors {

struct Registered {
  std::string visitor_id, code, visitor_type, origin_region, registered_at, personal, phone_hash, email_hash;
};
struct Erased {
  std::string visitor_id;
};
struct DataKey {
  std::string visitor_id;
  std::string wrapping_key_id;
  std::string wrapped_key;  // empty: the key was deleted (a tombstone)
};

Envelope registered(const Registered& visitor);  // occurred_at is registered_at
Envelope erased(const std::string& visitor_id, std::string occurred_at);
std::string data_key_value(const DataKey& key);  // the record's value; its Kafka key is the visitor id

// Another type on visitors.v1 reads as monostate: not for projections.
using Message = std::variant<std::monostate, Registered, Erased, DataKey>;
// Errors: "event_invalid" for a value that is not such a message.
Result<Message> read(std::string_view topic, std::string_view key, std::string_view value, bool tombstone);

}  // namespace expo::events::visitors

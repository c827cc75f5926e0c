#include "expo/events/visitors.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "expo/core/json_member.hpp"
#include "expo/events/topics.hpp"

namespace expo::events::visitors {

Envelope registered(const Registered& v) {
  auto e = make_envelope("visitor_registered", v.registered_at);
  auto& p = e.payload;
  p["visitor_id"] = v.visitor_id;
  p["code"] = v.code;
  p["visitor_type"] = v.visitor_type;
  p["origin_region"] = v.origin_region;
  p["personal"] = v.personal;
  p["phone_hash"] = v.phone_hash;
  p["email_hash"] = v.email_hash;
  return e;
}

Envelope erased(const std::string& visitor_id, std::string occurred_at) {
  auto e = make_envelope("visitor_erased", std::move(occurred_at));
  e.payload["visitor_id"] = visitor_id;
  return e;
}

std::string data_key_value(const DataKey& key) {
  boost::json::object record;
  record["visitor_id"] = key.visitor_id;
  record["wrapping_key_id"] = key.wrapping_key_id;
  record["wrapped_key"] = key.wrapped_key;
  return boost::json::serialize(record);
}

Result<Message> read(std::string_view topic, std::string_view key, std::string_view value, bool tombstone) {
  if (topic == topics::visitor_keys) {
    DataKey data_key{std::string(key), {}, {}};
    if (tombstone) return Message(std::move(data_key));
    boost::system::error_code ec;
    const auto parsed = boost::json::parse(value, ec);
    if (ec || !parsed.is_object()) return Error::permanent("event_invalid", "a visitor-keys.v1 value is not a JSON object");
    data_key.wrapping_key_id = string_member(parsed.as_object(), "wrapping_key_id");
    data_key.wrapped_key = string_member(parsed.as_object(), "wrapped_key");
    if (data_key.wrapped_key.empty()) return Error::permanent("event_invalid", "a visitor-keys.v1 value has no wrapped_key");
    return Message(std::move(data_key));
  }
  auto event = decode(value);
  if (!event) return event.error();
  const auto& p = event->payload;
  if (event->type == "visitor_registered") {
    return Message(Registered{string_member(p, "visitor_id"), string_member(p, "code"),
                              string_member(p, "visitor_type"), string_member(p, "origin_region"), event->occurred_at,
                              string_member(p, "personal"), string_member(p, "phone_hash"),
                              string_member(p, "email_hash")});
  }
  if (event->type == "visitor_erased") return Message(Erased{string_member(p, "visitor_id")});
  return Message(std::monostate{});
}

}  // namespace expo::events::visitors

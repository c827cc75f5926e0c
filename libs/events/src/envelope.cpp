#include "expo/events/envelope.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "expo/clock/clock.hpp"
#include "expo/crypto/random.hpp"

namespace expo::events {
namespace {

namespace json = boost::json;

constexpr const char* kErrorCode = "event_invalid";
constexpr std::size_t kMaxIdLength = 128;

Error invalid(std::string message) { return Error::permanent(kErrorCode, "event envelope: " + std::move(message)); }

const char* kind_text(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return "a number";
    case json::kind::string: return "a string";
    case json::kind::array: return "an array";
    case json::kind::object: return "an object";
  }
  return "?";
}

// A required, non-empty string member of bounded length (ids end up as Redis keys).
Result<std::string> short_string(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return invalid("missing \"" + std::string(key) + "\"");
  if (!v->is_string()) return invalid("\"" + std::string(key) + "\" must be a string, found " + kind_text(*v));
  const json::string& s = v->as_string();
  if (s.empty()) return invalid("\"" + std::string(key) + "\" must not be empty");
  if (s.size() > kMaxIdLength) {
    return invalid("\"" + std::string(key) + "\" is longer than " + std::to_string(kMaxIdLength) + " bytes");
  }
  return std::string(s);
}

}  // namespace

std::string new_event_id() {
  std::string r = expo::crypto::random_bytes(16);
  auto b = [&r](std::size_t i) { return static_cast<unsigned char>(r[i]); };
  r[6] = static_cast<char>((b(6) & 0x0F) | 0x40);  // version 4
  r[8] = static_cast<char>((b(8) & 0x3F) | 0x80);  // RFC 4122 variant
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[b(i) >> 4];
    out += hex[b(i) & 0x0F];
  }
  return out;
}

bool is_plain_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (const unsigned char c : id) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && c != '-' && c != '_' && c != '.' && c != ':') return false;
  }
  return true;
}

std::string encode(const Envelope& e) {
  json::object o;
  o.reserve(4);
  o.emplace("event_id", e.event_id);
  o.emplace("type", e.type);
  o.emplace("occurred_at", e.occurred_at);
  o.emplace("payload", e.payload);
  return json::serialize(o);
}

namespace {
// The thread's scratch: a fixed buffer behind a monotonic resource, made once per thread; release()
// hands the whole buffer out again, so a decode allocates nothing.
struct ThreadScratch {
  static constexpr std::size_t bytes = 16 * 1024;
  unsigned char buffer[bytes];
  json::monotonic_resource memory{buffer, bytes};
  bool taken = false;
};
thread_local ThreadScratch thread_scratch;
}  // namespace

// A second storage alive on the same thread: memory of its own from the heap, so two envelopes never
// share the thread's buffer.
struct ScratchStorage::Resource {
  json::monotonic_resource memory;
};

ScratchStorage::ScratchStorage() {
  if (thread_scratch.taken) {
    resource_ = std::make_unique<Resource>();
  } else {
    thread_scratch.taken = true;
  }
}

ScratchStorage::~ScratchStorage() {
  if (resource_) return;
  thread_scratch.memory.release();
  thread_scratch.taken = false;
}

json::storage_ptr ScratchStorage::storage() const noexcept {
  return resource_ ? &resource_->memory : &thread_scratch.memory;
}

Result<Envelope> decode(std::string_view text) { return decode(text, {}); }

Result<Envelope> decode(std::string_view text, json::storage_ptr storage) {
  // One parser per thread: its working buffers are kept from one message to the next.
  thread_local json::parser parser;
  boost::system::error_code ec;
  parser.reset(std::move(storage));
  parser.write(text.data(), text.size(), ec);
  if (ec) return invalid("not valid JSON (" + ec.message() + ")");
  json::value v = parser.release();
  if (!v.is_object()) return invalid(std::string("expected a JSON object, found ") + kind_text(v));
  json::object& o = v.as_object();

  auto event_id = short_string(o, "event_id");
  if (!event_id) return event_id.error();
  auto type = short_string(o, "type");
  if (!type) return type.error();
  auto occurred_at = short_string(o, "occurred_at");
  if (!occurred_at) return occurred_at.error();
  if (!expo::clock::parse_rfc3339(*occurred_at)) return invalid("\"occurred_at\" is not an RFC 3339 time");

  json::value* payload = o.if_contains("payload");
  if (!payload) return invalid("missing \"payload\"");
  if (!payload->is_object()) return invalid(std::string("\"payload\" must be an object, found ") + kind_text(*payload));

  return Envelope{std::move(event_id).value(), std::move(type).value(), std::move(occurred_at).value(),
                  std::move(payload->as_object())};
}

Envelope make_envelope(std::string type, std::string occurred_at) {
  Envelope e;
  e.event_id = new_event_id();
  e.type = std::move(type);
  e.occurred_at = std::move(occurred_at);
  return e;
}

bool is_date(std::string_view text) {
  if (text.size() != 10) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 4 || i == 7;
    if (dash ? text[i] != '-' : (text[i] < '0' || text[i] > '9')) return false;
  }
  return true;
}

}  // namespace expo::events

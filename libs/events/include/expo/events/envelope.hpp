#pragma once
// The envelope every Kafka message value carries:
//   {"event_id":"<uuid v4>","type":"checkin.accepted","occurred_at":"<RFC 3339>","payload":{...}}
// event_id identifies the message itself (consumers dedupe replays by it); type says what the payload
// holds; occurred_at is the (possibly shifted) event clock's time, see expo::clock.
//
// Thread-safety: all functions are reentrant; new_event_id() may be called from any thread.

#include <boost/json/object.hpp>
#include <boost/json/storage_ptr.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "expo/core/result.hpp"

namespace expo::events {

struct Envelope {
  std::string event_id;
  std::string type;
  std::string occurred_at;
  boost::json::object payload;
};

// A random (expo::crypto::random_bytes) version 4 UUID in lowercase text form, e.g.
// "3b241101-e2bb-4255-8caf-4136c566a962". If the CSPRNG fails, which OpenSSL only does when it
// cannot seed at all, the process aborts: not a condition a caller can handle.
std::string new_event_id();

// An id a client or a service may choose (a client_event_id, a vote_id): 1-64 letters, digits or
// -_.: — nothing that needs escaping in a key, a log line or a space-separated list of ids.
bool is_plain_id(std::string_view id);

// A new envelope with a fresh event_id, the type and the time; the payload is the caller's to fill.
Envelope make_envelope(std::string type, std::string occurred_at);

// "YYYY-MM-DD" by shape (the `day` of check-ins and votes): readers refuse another shape, so no
// message can write into a board's whole-event ("all") line or a line of another form.
bool is_date(std::string_view text);

// Compact JSON with the four members in the order above.
std::string encode(const Envelope& envelope);

// Errors: code "event_invalid" for text that is not JSON, not an object, or lacks a field or has it
// with the wrong type (event_id, type: non-empty strings of at most 128 bytes; occurred_at: an
// RFC 3339 time; payload: an object). Unknown top-level members are ignored so a newer producer can
// add one without breaking older consumers. Messages name fields, never payload contents (visitors.v1
// payloads hold personal data).
Result<Envelope> decode(std::string_view text);
// The same, the payload's memory from `storage` (the envelope must not outlive it).
Result<Envelope> decode(std::string_view text, boost::json::storage_ptr storage);

// Memory for decoding one message on this thread: a fixed per-thread buffer handed out and forgotten at
// once (beyond it, the heap), so a typical event allocates nothing. For readers that copy what they need
// out of the envelope before it goes (a second one alive on the same thread gets heap memory, so
// nesting is safe, only slower). A rebuild decodes some
// hundreds of thousands of messages a second, and allocation was the larger share of it.
class ScratchStorage {
 public:
  ScratchStorage();
  ~ScratchStorage();
  ScratchStorage(const ScratchStorage&) = delete;
  ScratchStorage& operator=(const ScratchStorage&) = delete;
  boost::json::storage_ptr storage() const noexcept;

 private:
  struct Resource;
  std::unique_ptr<Resource> resource_;  // only when the thread's buffer is taken
};

}  // namespace expo::events

#pragma once
// The registration flows: sign-up, erasure, reading a visitor back, and the projection of the topics
// into Redis. Plain inputs and outcomes: the HTTP mapping lives in api/.
//
// A sign-up reserves its phone, short code and idempotency key in Redis, produces the visitor's
// data key (visitor-keys.v1) and the visitor_registered event (visitors.v1), and answers only once
// Kafka acknowledged both; then it records the visitor in Redis. If a produce fails, the reservation is
// released and nothing of the sign-up remains (a key record that did land is tombstoned).
// Thread-safety: sign_up/erase/find on the io thread; apply() on the consumer thread.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "app/settings.hpp"
#include "domain/visitor_input.hpp"
#include "expo/auth/badge.hpp"
#include "expo/privacy/personal_data.hpp"
#include "store/visitor_store.hpp"

namespace expo::clock {
class Clock;
}
namespace expo::kafka {
class Producer;
struct Message;
}  // namespace expo::kafka
namespace expo::model {
struct Event;
}

namespace expo::registration {

struct SignUp {
  VisitorInput input;
  std::string idempotency_key;  // empty: none
  std::string fingerprint;      // of the request body
  std::string client_address;
  std::string request_id;  // of the HTTP call, copied into the events' headers (libs/kafka/tracing.hpp)
};

struct SignUpOutcome {
  enum class Kind { created, replayed, duplicate_phone, in_progress, key_reused, rate_limited, unavailable };
  Kind kind = Kind::unavailable;
  std::string body;  // created, replayed: {"visitor_id","code","badge_token"}
  Error error{};     // unavailable
  std::chrono::seconds retry_after{1};
};

struct VisitorView {
  VisitorRecord record;
  std::optional<privacy::PersonalData> personal;  // nullopt once erased
};

class Registrar : public std::enable_shared_from_this<Registrar> {
 public:
  Registrar(Settings settings, const model::Event& event, const clock::Clock& clock, kafka::Producer& producer,
            std::shared_ptr<redis::Client> redis, std::shared_ptr<redis::Client> projection_redis);

  void sign_up(SignUp request, std::function<void(SignUpOutcome)> done);
  // false: no such visitor. Erasure is an event too (visitors.v1) plus the key's tombstone.
  void erase(const std::string& visitor_id, std::string request_id, std::function<void(Result<bool>)> done);
  void find(const std::string& visitor_id, std::function<void(Result<std::optional<VisitorView>>)> done);

  // The visitor id a badge token names, verified by signature alone.
  Result<std::string> verify_badge(std::string_view token) const { return signer_.verify(token); }
  const Settings& settings() const { return settings_; }

  // Consumer handler for visitors.v1 and visitor-keys.v1.
  Result<void> apply(const kafka::Message& message);

 private:
  void reserve_and_produce(SignUp request, int attempt, std::function<void(SignUpOutcome)> done);
  void produce_visitor(const Claim& claim, const SignUp& request, std::function<void(SignUpOutcome)> done);

  Settings settings_;
  const model::Event& event_;
  const clock::Clock& clock_;
  kafka::Producer& producer_;
  VisitorStore store_;
  auth::BadgeSigner signer_;
};

}  // namespace expo::registration

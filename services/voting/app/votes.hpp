#pragma once
// The vote flow. A vote names a visitor (a badge token, verified by signature) and an innovation; the
// rules (domain/rules.hpp) decide, atomically in Redis (store/vote_store.hpp), and an accepted vote is
// reserved, produced to votes.v1 (acks=all), and answered 201 only once Kafka acknowledged it. A
// failed produce releases the reservation and answers 503: no vote counts without a 201, and no 201
// without durability. A resend of the same client_event_id gets the first answer and writes nothing.
// Thread-safety: cast/ballot on the io thread; apply_ledger on the ledger consumer's thread.

#include <boost/json/object.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "app/ballot.hpp"
#include "app/settings.hpp"
#include "expo/auth/badge.hpp"
#include "expo/core/rate_limiter.hpp"
#include "expo/devices/registry.hpp"

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
namespace expo::redis {
class Client;
}

namespace expo::voting {

class CheckinView;
class LedgerStore;
class Operations;
class VoteStore;
struct VoteKey;

struct VoteRequest {
  std::string badge;
  std::string innovation_id;
  std::string client_event_id;
  std::string request_id;  // of the HTTP call, copied into the event's headers (libs/kafka/tracing.hpp)
};

// An answer ready for HTTP: the status and the JSON body (an error envelope for refusals).
struct VoteAnswer {
  int status = 500;
  std::string body;
  std::optional<int> retry_after_s;
  std::string outcome;  // for metrics: "accepted", "replayed", a refusal code, "rate_limited", ...
};

// Reads a vote from its JSON body; a malformed one is already an answer (422 naming the field).
std::variant<VoteRequest, VoteAnswer> parse_vote(const boost::json::object& object);

class Votes : public std::enable_shared_from_this<Votes> {
 public:
  Votes(Settings settings, const model::Event& event, const clock::Clock& clock, kafka::Producer& producer,
        std::shared_ptr<VoteStore> store, std::shared_ptr<LedgerStore> ledger, std::shared_ptr<CheckinView> view,
        std::shared_ptr<const Operations> operations);

  // `device` when the vote came through a booth tablet (its key authenticated), else a phone.
  void cast(const std::optional<devices::Device>& device, VoteRequest request, std::function<void(VoteAnswer)> done);
  // The visitor's ballot; nullopt for a badge token that is not valid.
  void ballot(std::string_view badge_token, std::function<void(Result<std::optional<Ballot>>)> done);
  // Voting open right now: an event day, opening hours, not closed by operations.
  bool open_now() const;
  const Settings& settings() const { return settings_; }

  // Called when a tablet reaches the flag threshold (for metrics and the operations view).
  void on_flag(std::function<void(const devices::Device&, std::int64_t distinct)> observer) {
    on_flag_ = std::move(observer);
  }

 private:
  void decide(std::shared_ptr<VoteKey> key, std::optional<devices::Device> device, std::string request_id,
              bool view_current, std::function<void(VoteAnswer)> done);
  void produce(std::shared_ptr<VoteKey> key, std::optional<devices::Device> device, const std::string& request_id,
               int today, std::function<void(VoteAnswer)> done);
  void refuse_early(const VoteKey& key, VoteAnswer refusal, std::function<void(VoteAnswer)> done);
  // Notes which badge a tablet voted for; past the threshold of different badges, on_flag_. `then`
  // runs once that is written (or failed).
  void watch_device(const devices::Device& device, const std::string& visitor_id, std::function<void()> then);

  Settings settings_;
  const model::Event& event_;
  const clock::Clock& clock_;
  kafka::Producer& producer_;
  std::shared_ptr<VoteStore> store_;
  std::shared_ptr<LedgerStore> ledger_;
  std::shared_ptr<CheckinView> view_;
  std::shared_ptr<const Operations> operations_;
  auth::BadgeSigner signer_;
  RateLimiter per_visitor_;
  RateLimiter per_device_;
  std::function<void(const devices::Device&, std::int64_t)> on_flag_;
};

}  // namespace expo::voting

#include "app/votes.hpp"

#include <boost/json/serialize.hpp>

#include "app/checkin_view.hpp"
#include "app/operations.hpp"
#include "domain/rules.hpp"
#include "expo/clock/clock.hpp"
#include "expo/core/json_member.hpp"
#include "expo/core/log.hpp"
#include "expo/event_model/event.hpp"
#include "expo/events/envelope.hpp"
#include "expo/events/topics.hpp"
#include "expo/events/votes.hpp"
#include "expo/http/response.hpp"
#include "expo/kafka/producer.hpp"
#include "expo/kafka/tracing.hpp"
#include "store/ledger_store.hpp"
#include "store/vote_store.hpp"

namespace expo::voting {
namespace {

// A reservation waits at most this long for Kafka (kafka.delivery_timeout_ms is 5 s); one left by a
// crashed instance frees itself after it.
constexpr std::chrono::seconds pending_for{60};

VoteAnswer refusal(int status, std::string_view code, std::string_view message) {
  return VoteAnswer{status, http::error_body(code, message), std::nullopt, std::string(code)};
}

VoteAnswer field_refusal(std::string_view field, std::string_view message) {
  return VoteAnswer{422, http::error_body("invalid_request", message, field), std::nullopt, "invalid_request"};
}

VoteAnswer unavailable(const Error& error) {
  auto a = refusal(503, error.code, error.message);
  a.retry_after_s = 1;
  a.outcome = "unavailable";
  return a;
}

VoteAnswer rule_refusal(Refusal r) {
  switch (r) {
    case Refusal::unknown_innovation:
      return refusal(422, code(r), "this event has no such innovation");
    case Refusal::voting_closed:
      return refusal(422, code(r), "voting is closed now");
    case Refusal::already_voted:
      return refusal(409, code(r), "this badge has already voted for this innovation");
    case Refusal::not_checked_in:
      return refusal(422, code(r), "visit this innovation's booth and have the badge scanned there first");
    case Refusal::daily_quota_exhausted:
      return refusal(422, code(r), "this badge has no votes left today");
  }
  return refusal(422, code(r), "refused");
}

// "<status>|<body>" as the store keeps a first answer.
VoteAnswer stored_answer(const std::string& stored) {
  const auto bar = stored.find('|');
  if (bar == std::string::npos) return refusal(500, "internal", "a stored answer is unreadable");
  return VoteAnswer{std::stoi(stored.substr(0, bar)), stored.substr(bar + 1), std::nullopt, "replayed"};
}

}  // namespace

std::variant<VoteRequest, VoteAnswer> parse_vote(const boost::json::object& object) {
  VoteRequest request{string_member(object, "badge"), string_member(object, "innovation_id"),
                      string_member(object, "client_event_id"), {}};
  if (request.badge.empty() || request.badge.size() > 200) {
    return field_refusal("badge", "badge must be the badge's QR token");
  }
  if (request.innovation_id.empty() || request.innovation_id.size() > 64) {
    return field_refusal("innovation_id", "innovation_id must name an innovation of the event");
  }
  if (!events::is_plain_id(request.client_event_id)) {
    return field_refusal("client_event_id", "client_event_id must be 1-64 letters, digits or -_.:");
  }
  return request;
}

Votes::Votes(Settings settings, const model::Event& event, const clock::Clock& clock, kafka::Producer& producer,
             std::shared_ptr<VoteStore> store, std::shared_ptr<LedgerStore> ledger, std::shared_ptr<CheckinView> view,
             std::shared_ptr<const Operations> operations)
    : settings_(std::move(settings)),
      event_(event),
      clock_(clock),
      producer_(producer),
      store_(std::move(store)),
      ledger_(std::move(ledger)),
      view_(std::move(view)),
      operations_(std::move(operations)),
      signer_(settings_.badge.keys, settings_.badge.current_key_id, event.id),
      per_visitor_(settings_.visitor_votes_per_minute / 60.0, settings_.visitor_burst),
      per_device_(settings_.device_votes_per_minute / 60.0, settings_.device_burst) {}

bool Votes::open_now() const {
  const auto now = clock_.now();
  return !operations_->closed() && event_.day_index(now) && event_.is_open(now);
}

void Votes::cast(const std::optional<devices::Device>& device, VoteRequest request,
                 std::function<void(VoteAnswer)> done) {
  auto visitor_id = signer_.verify(request.badge);
  if (!visitor_id) return done(refusal(401, "invalid_badge", "this badge is not valid for this event"));
  const auto moment = RateLimiter::Clock::now();
  if (device && !per_device_.allow(device->device_id, moment)) {
    auto limited = refusal(429, "rate_limited", "too many votes from this tablet; slow down");
    limited.retry_after_s = 1;
    return done(limited);
  }
  if (!per_visitor_.allow(*visitor_id, moment)) {
    auto limited = refusal(429, "rate_limited", "too many votes from this badge; slow down");
    limited.retry_after_s = 5;
    return done(limited);
  }

  const auto now = clock_.now();
  const auto* innovation = event_.find_innovation(request.innovation_id);
  const auto day = event_.day_index(now);
  auto key = std::make_shared<VoteKey>(VoteKey{std::move(*visitor_id), request.innovation_id,
                                               innovation ? innovation->booth_id : std::string(),
                                               day ? model::format_date(event_.days[*day]) : std::string(),
                                               request.client_event_id, events::new_event_id()});
  // What the rules say before the visitor's state matters (an unknown innovation, closed voting)
  // needs no reservation: the rules run with a state that passes every visitor check.
  VoterState passes;
  if (innovation) passes.booths_visited.insert(innovation->booth_id);
  const auto early = voting::decide(event_, operations_->closed(), passes, request.innovation_id, now);
  if (const auto* refused = std::get_if<Refusal>(&early)) {
    return refuse_early(*key, rule_refusal(*refused), std::move(done));
  }
  decide(std::move(key), device, std::move(request.request_id), false, std::move(done));
}

// A refusal decided without Redis is still the first answer to its client_event_id, unless an earlier
// answer exists: then that one is given again.
void Votes::refuse_early(const VoteKey& key, VoteAnswer answer, std::function<void(VoteAnswer)> done) {
  store_->remember_first(key, answer.status, answer.body,
                         [answer, done = std::move(done)](Result<std::optional<std::string>> earlier) mutable {
                           if (!earlier || !*earlier) return done(std::move(answer));  // Redis down: the refusal stands
                           if (**earlier == "pending") {
                             auto busy = refusal(503, "vote_in_progress", "this vote is being recorded; retry");
                             busy.retry_after_s = 1;
                             return done(busy);
                           }
                           done(stored_answer(**earlier));
                         });
}

void Votes::decide(std::shared_ptr<VoteKey> key, std::optional<devices::Device> device, std::string request_id,
                   bool view_current, std::function<void(VoteAnswer)> done) {
  store_->reserve(*key, event_.votes_per_day, pending_for, [self = shared_from_this(), key, device,
                                                           request_id = std::move(request_id), view_current,
                                                           done = std::move(done)](Result<Reservation> r) mutable {
    if (!r) return done(unavailable(r.error()));
    switch (r->kind) {
      case Reservation::Kind::busy: {
        auto busy = refusal(503, "vote_in_progress", "this vote is being recorded; retry");
        busy.retry_after_s = 1;
        return done(busy);
      }
      case Reservation::Kind::replay:
        return done(stored_answer(r->answer));
      case Reservation::Kind::reserved:
        return self->produce(key, device, request_id, r->today, std::move(done));
      case Reservation::Kind::refused:
        break;
    }
    // Which refusal it is, the rules say, from the facts the script saw.
    VoterState state;
    if (r->facts.voted) state.innovations_voted.insert(key->innovation_id);
    if (r->facts.visited) state.booths_visited.insert(key->booth_id);
    const auto now = self->clock_.now();
    if (const auto day = self->event_.day_index(now)) state.votes_by_day[*day] = r->facts.today;
    const auto decision = voting::decide(self->event_, self->operations_->closed(), state, key->innovation_id, now);
    const auto* refused = std::get_if<Refusal>(&decision);
    if (refused == nullptr) {
      // The script and the rules disagree: a bug, never a vote counted by accident.
      log::error("vote decision disagrees with the rules", {{"innovation_id", key->innovation_id}});
      return done(refusal(500, "internal", "the vote could not be decided"));
    }
    if (*refused == Refusal::not_checked_in && !view_current) {
      // Maybe the check-in is a few milliseconds old and not in our view yet: wait for the view to
      // cover everything acknowledged until now, then decide again.
      return self->view_->wait_until_current(
          [self, key, device, request_id, done = std::move(done)](Result<void> current) mutable {
            if (!current) return done(unavailable(current.error()));
            self->decide(key, device, std::move(request_id), true, std::move(done));
          });
    }
    auto answer = rule_refusal(*refused);
    self->store_->remember(*key, answer.status, answer.body,
                           [answer, done = std::move(done)](Result<void>) mutable { done(std::move(answer)); });
  });
}

void Votes::produce(std::shared_ptr<VoteKey> key, std::optional<devices::Device> device,
                    const std::string& request_id, int today, std::function<void(VoteAnswer)> done) {
  const auto* innovation = event_.find_innovation(key->innovation_id);
  events::votes::Cast vote{key->vote_id,
                           key->visitor_id,
                           key->innovation_id,
                           key->booth_id,
                           innovation ? innovation->region_id : std::string(),
                           key->day,
                           device ? device->device_id : std::string(),
                           key->client_event_id,
                           clock::format_rfc3339(clock_.now(), event_.utc_offset)};
  producer_.produce(
      std::string(events::topics::votes), key->visitor_id, events::encode(events::votes::cast(vote)),
      kafka::request_id_headers(request_id),
      [self = shared_from_this(), key, device, today, done = std::move(done)](Result<kafka::Delivery> delivery) mutable {
        if (!delivery) {
          // Not durable, so not counted: the reservation goes, and the visitor may try again.
          return self->store_->release(*key, [error = delivery.error(), done = std::move(done)](Result<void>) mutable {
            done(unavailable(error));
          });
        }
        boost::json::object body;
        body["result"] = "accepted";
        body["vote_id"] = key->vote_id;
        body["remaining_today"] = std::max(0, self->event_.votes_per_day - today);
        VoteAnswer accepted{201, boost::json::serialize(body), std::nullopt, "accepted"};
        // Durable in Kafka already: the answer stands whatever the commit does (the projection of
        // votes.v1 writes the state again if it fails), so it need not wait for it. Until the commit
        // lands the reservation counts as the vote, and later commands of this service go down the
        // same connection after it (redis::Client keeps the order of scripts too), so a resend of
        // this vote finds the committed answer.
        self->store_->commit(*key, accepted.status, accepted.body, [](Result<void> committed) {
          if (!committed) log::warn("vote in Kafka but not committed in Redis", {{"error", committed.error().code}});
        });
        if (!device) return done(std::move(accepted));
        // A tablet's vote is answered once the tablet's badges are noted (and a flag written): the
        // operations page then never lags the tablet's own answers.
        self->watch_device(*device, key->visitor_id,
                           [accepted = std::move(accepted), done = std::move(done)]() mutable { done(std::move(accepted)); });
      });
}

void Votes::watch_device(const devices::Device& device, const std::string& visitor_id, std::function<void()> then) {
  ledger_->note_device_vote(device.device_id, visitor_id, settings_.flag_window, settings_.flag_distinct_badges,
                            [self = shared_from_this(), device, then = std::move(then)](Result<std::int64_t> distinct) {
                              // A flag is advice: a Redis hiccup loses one sample, never the vote's answer.
                              if (distinct && *distinct >= self->settings_.flag_distinct_badges && self->on_flag_) {
                                self->on_flag_(device, *distinct);
                              }
                              then();
                            });
}

void Votes::ballot(std::string_view badge_token, std::function<void(Result<std::optional<Ballot>>)> done) {
  auto visitor_id = signer_.verify(badge_token);
  if (!visitor_id) return done(std::optional<Ballot>{});
  const auto now = clock_.now();
  const auto day = event_.day_index(now);
  std::optional<std::string> date;
  if (day) date = model::format_date(event_.days[*day]);
  store_->ballot(*visitor_id, date, event_.votes_per_day,
                 [token = std::string(badge_token), day, open = open_now(), done = std::move(done)](Result<Ballot> b) {
                   if (!b) return done(b.error());
                   b->badge_token = token;
                   b->day = day;
                   b->open = open;
                   done(std::optional<Ballot>(std::move(*b)));
                 });
}

}  // namespace expo::voting

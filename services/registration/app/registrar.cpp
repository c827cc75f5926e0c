#include "app/registrar.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "expo/auth/ids.hpp"
#include "expo/auth/lookup_hash.hpp"
#include "expo/clock/clock.hpp"
#include "expo/core/log.hpp"
#include "expo/crypto/aead.hpp"
#include "expo/crypto/encoding.hpp"
#include "expo/crypto/hash.hpp"
#include "expo/event_model/event.hpp"
#include "expo/events/envelope.hpp"
#include "expo/events/topics.hpp"
#include "expo/events/visitors.hpp"
#include "expo/kafka/consumer.hpp"
#include "expo/kafka/producer.hpp"
#include "expo/kafka/tracing.hpp"

namespace expo::registration {
namespace {

// Long enough to cover a produce that waits for Kafka's acknowledgement (kafka.delivery_timeout_ms).
constexpr std::chrono::seconds pending_ttl{60};
constexpr int code_attempts = 3;

std::string now_text(const clock::Clock& clock) { return clock::format_rfc3339(clock.now(), std::chrono::minutes(0)); }

SignUpOutcome unavailable(Error error) {
  SignUpOutcome outcome;
  outcome.kind = SignUpOutcome::Kind::unavailable;
  outcome.error = std::move(error);
  return outcome;
}

SignUpOutcome outcome_of(SignUpOutcome::Kind kind, std::string body = {}) {
  SignUpOutcome outcome;
  outcome.kind = kind;
  outcome.body = std::move(body);
  return outcome;
}

}  // namespace

Registrar::Registrar(Settings settings, const model::Event& event, const clock::Clock& clock,
                     kafka::Producer& producer, std::shared_ptr<redis::Client> redis, std::shared_ptr<redis::Client> projection_redis)
    : settings_(std::move(settings)),
      event_(event),
      clock_(clock),
      producer_(producer),
      store_(std::move(redis), std::move(projection_redis)),
      signer_(settings_.badge.keys, settings_.badge.current_key_id, event.id) {}

void Registrar::sign_up(SignUp request, std::function<void(SignUpOutcome)> done) {
  const auto now = clock_.now();
  const auto minute = std::chrono::duration_cast<std::chrono::minutes>(now.time_since_epoch()).count();
  const auto seconds_left = 60 - std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() % 60;
  // The client address is personal data too: it is counted under a keyed hash.
  const auto client = auth::lookup_hash(settings_.lookup_pepper, "client", request.client_address);
  store_.count_sign_up(client, minute, settings_.rate_limit_per_minute,
                       [self = shared_from_this(), request = std::move(request), done = std::move(done),
                        seconds_left](Result<bool> allowed) mutable {
                         if (!allowed) return done(unavailable(allowed.error()));
                         if (!*allowed) {
                           auto outcome = outcome_of(SignUpOutcome::Kind::rate_limited);
                           outcome.retry_after = std::chrono::seconds(seconds_left);
                           return done(outcome);
                         }
                         self->reserve_and_produce(std::move(request), 1, std::move(done));
                       });
}

void Registrar::reserve_and_produce(SignUp request, int attempt, std::function<void(SignUpOutcome)> done) {
  Claim claim;
  claim.visitor_id = auth::new_visitor_id();
  claim.code = auth::new_short_code();
  if (request.input.phone) claim.phone_hash = auth::lookup_hash(settings_.lookup_pepper, "phone", *request.input.phone);
  if (!request.idempotency_key.empty()) {
    claim.idempotency_key = crypto::hex_encode(crypto::sha256(request.idempotency_key));
  }
  claim.fingerprint = request.fingerprint;
  store_.reserve(claim, pending_ttl,
                 [self = shared_from_this(), claim, request = std::move(request), attempt,
                  done = std::move(done)](Result<Reservation> reservation) mutable {
                   if (!reservation) return done(unavailable(reservation.error()));
                   switch (reservation->kind) {
                     case Reservation::Kind::reserved:
                       return self->produce_visitor(claim, request, std::move(done));
                     case Reservation::Kind::replay:
                       return done(outcome_of(SignUpOutcome::Kind::replayed, std::move(reservation->replay_body)));
                     case Reservation::Kind::in_progress:
                       return done(outcome_of(SignUpOutcome::Kind::in_progress));
                     case Reservation::Kind::key_reused:
                       return done(outcome_of(SignUpOutcome::Kind::key_reused));
                     case Reservation::Kind::duplicate_phone:
                       return done(outcome_of(SignUpOutcome::Kind::duplicate_phone));
                     case Reservation::Kind::code_taken:
                       if (attempt < code_attempts) {
                         return self->reserve_and_produce(std::move(request), attempt + 1, std::move(done));
                       }
                       return done(unavailable(Error::retryable_error("code_space_busy", "no free short code found")));
                   }
                 });
}

void Registrar::produce_visitor(const Claim& claim, const SignUp& request, std::function<void(SignUpOutcome)> done) {
  const auto data_key = crypto::new_aead_key();
  VisitorRecord record;
  record.visitor_id = claim.visitor_id;
  record.code = claim.code;
  record.visitor_type = std::string(to_string(request.input.visitor_type));
  record.origin_region = request.input.origin_region;
  record.registered_at = now_text(clock_);
  record.personal = privacy::seal_personal({request.input.name, request.input.phone, request.input.email}, data_key,
                                  claim.visitor_id);
  record.phone_hash = claim.phone_hash;
  if (request.input.email) record.email_hash = auth::lookup_hash(settings_.lookup_pepper, "email", *request.input.email);
  const auto wrapped = privacy::wrap_data_key(settings_.wrapping_key, data_key, claim.visitor_id);

  const auto key_record = events::visitors::data_key_value({claim.visitor_id, settings_.wrapping_key_id, wrapped});
  const auto envelope = events::visitors::registered({record.visitor_id, record.code, record.visitor_type,
                                                      record.origin_region, record.registered_at, record.personal,
                                                      record.phone_hash, record.email_hash});

  // Both records must be acknowledged before the 201.
  struct Join {
    int pending = 2;
    bool key_ok = false;
    std::optional<Error> failure;
  };
  auto join = std::make_shared<Join>();
  auto finish = [self = shared_from_this(), join, claim, record, wrapped, done = std::move(done)]() mutable {
    if (--join->pending > 0) return;
    if (join->failure) {
      // Nothing of this sign-up may remain: free the reservation, withdraw a key record that landed.
      if (join->key_ok) {
        self->producer_.produce(std::string(events::topics::visitor_keys), claim.visitor_id, {}, {},
                                [](Result<kafka::Delivery>) {});
      }
      self->store_.release(claim, [error = *join->failure, done = std::move(done)](Result<void>) mutable {
        done(unavailable(std::move(error)));
      });
      return;
    }
    boost::json::object body;
    body["visitor_id"] = record.visitor_id;
    body["code"] = record.code;
    body["badge_token"] = self->signer_.issue(record.visitor_id);
    auto text = boost::json::serialize(body);
    self->store_.commit(claim, record, wrapped, text, self->settings_.idempotency_ttl,
                        [text, done = std::move(done)](Result<void> committed) mutable {
                          // Durable in Kafka already: the projection records it if this write failed.
                          if (!committed) log::warn("visitor recorded by the projection only", {{"error", committed.error().code}});
                          done(outcome_of(SignUpOutcome::Kind::created, std::move(text)));
                        });
  };
  producer_.produce(std::string(events::topics::visitor_keys), claim.visitor_id, key_record,
                    kafka::request_id_headers(request.request_id),
                    [join, finish](Result<kafka::Delivery> delivery) mutable {
                      if (delivery) join->key_ok = true;
                      else join->failure = delivery.error();
                      finish();
                    });
  producer_.produce(std::string(events::topics::visitors), claim.visitor_id, events::encode(envelope),
                    kafka::request_id_headers(request.request_id),
                    [join, finish](Result<kafka::Delivery> delivery) mutable {
                      if (!delivery) join->failure = delivery.error();
                      finish();
                    });
}

void Registrar::erase(const std::string& visitor_id, std::string request_id, std::function<void(Result<bool>)> done) {
  store_.load(visitor_id, [self = shared_from_this(), visitor_id, request_id = std::move(request_id),
                           done = std::move(done)](Result<std::optional<StoredVisitor>> stored) mutable {
    if (!stored) return done(stored.error());
    if (!*stored) return done(false);
    const auto envelope = events::visitors::erased(visitor_id, now_text(self->clock_));
    auto join = std::make_shared<std::pair<int, std::optional<Error>>>(2, std::nullopt);
    auto finish = [self, join, visitor_id, done = std::move(done)](Result<kafka::Delivery> delivery) mutable {
      if (!delivery) join->second = delivery.error();
      if (--join->first > 0) return;
      if (join->second) return done(*join->second);
      self->store_.erase(visitor_id, [done = std::move(done)](Result<bool> erased) mutable {
        // Durable in Kafka already: the projection applies it if this write failed.
        done(erased ? *erased : true);
      });
    };
    // The tombstone makes the visitor's data key unrecoverable from the log once compacted.
    self->producer_.produce(std::string(events::topics::visitor_keys), visitor_id, {},
                            kafka::request_id_headers(request_id), finish);
    self->producer_.produce(std::string(events::topics::visitors), visitor_id, events::encode(envelope),
                            kafka::request_id_headers(request_id), finish);
  });
}

void Registrar::find(const std::string& visitor_id, std::function<void(Result<std::optional<VisitorView>>)> done) {
  store_.load(visitor_id, [self = shared_from_this(), visitor_id,
                           done = std::move(done)](Result<std::optional<StoredVisitor>> stored) mutable {
    if (!stored) return done(stored.error());
    if (!*stored) return done(std::optional<VisitorView>{});
    VisitorView view{(*stored)->record, std::nullopt};
    if (!view.record.erased && (*stored)->wrapped_key) {
      auto key = privacy::unwrap_data_key(self->settings_.wrapping_key, *(*stored)->wrapped_key, visitor_id);
      if (key) {
        auto personal = privacy::open_personal(view.record.personal, *key, visitor_id);
        if (personal) view.personal = std::move(*personal);
      }
    }
    done(std::optional<VisitorView>(std::move(view)));
  });
}

Result<void> Registrar::apply(const kafka::Message& message) {
  namespace visitors = events::visitors;
  auto read = visitors::read(message.topic, message.key, message.value, message.tombstone);
  if (!read) {
    kafka::log_skipped(message, read.error().message);
    return {};
  }
  Result<projection::Outcome> applied = projection::Outcome::duplicate;
  if (const auto* r = std::get_if<visitors::Registered>(&*read)) {
    applied = store_.apply_registered_sync(message, VisitorRecord{r->visitor_id, r->code, r->visitor_type,
                                                                  r->origin_region, r->registered_at, r->personal,
                                                                  r->phone_hash, r->email_hash, false});
  } else if (const auto* e = std::get_if<visitors::Erased>(&*read)) {
    applied = store_.apply_erased_sync(message, e->visitor_id);
  } else if (const auto* k = std::get_if<visitors::DataKey>(&*read)) {
    applied = store_.apply_data_key_sync(message, k->visitor_id, k->wrapped_key);
  }
  if (!applied) return applied.error();
  return {};
}

}  // namespace expo::registration

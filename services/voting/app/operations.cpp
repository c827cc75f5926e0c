#include "app/operations.hpp"

#include "expo/clock/clock.hpp"
#include "expo/event_model/event.hpp"
#include "expo/events/topics.hpp"
#include "expo/kafka/producer.hpp"
#include "expo/kafka/tracing.hpp"

namespace expo::voting {
namespace {

// admin.v1 is keyed by what an event is about, so one subject's events stay in order.
constexpr std::string_view voting_key = "voting";

}  // namespace

Operations::Operations(const model::Event& event, const clock::Clock& clock, kafka::Producer& producer)
    : event_(event), clock_(clock), producer_(producer) {}

void Operations::switch_voting(bool open, std::string_view request_id, std::function<void(Result<void>)> done) {
  auto event = events::votes::voting_switched(open, clock::format_rfc3339(clock_.now(), event_.utc_offset));
  producer_.produce(std::string(events::topics::admin), std::string(voting_key), events::encode(event),
                    kafka::request_id_headers(request_id),
                    [done = std::move(done)](Result<kafka::Delivery> delivery) {
                      if (!delivery) return done(delivery.error());
                      done({});
                    });
}

void Operations::void_votes(events::votes::Voided target, std::string_view request_id,
                            std::function<void(Result<std::string>)> done) {
  target.void_id = events::new_event_id();
  target.at = clock::format_rfc3339(clock_.now(), event_.utc_offset);
  const auto key = target.visitor_id.empty() ? "device:" + target.device_id : "visitor:" + target.visitor_id;
  producer_.produce(std::string(events::topics::admin), key, events::encode(events::votes::voided(target)),
                    kafka::request_id_headers(request_id),
                    [id = target.void_id, done = std::move(done)](Result<kafka::Delivery> delivery) {
                      if (!delivery) return done(delivery.error());
                      done(id);
                    });
}

}  // namespace expo::voting

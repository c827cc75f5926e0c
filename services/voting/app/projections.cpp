#include "app/projections.hpp"

#include "app/operations.hpp"
#include "expo/core/log.hpp"
#include "expo/devices/registry.hpp"
#include "expo/events/envelope.hpp"
#include "expo/events/votes.hpp"
#include "expo/kafka/consumer.hpp"
#include "store/ledger_store.hpp"
#include "store/vote_store.hpp"

namespace expo::voting {
namespace {

void skip(const kafka::Message& message, const Error& error) {
  log::warn("skipping a malformed message",
            {{"topic", std::string(message.topic)}, {"offset", std::to_string(message.offset)}, {"error", error.message}});
}

}  // namespace

Result<void> apply_checkin(VoteStore& store, const kafka::Message& message) {
  auto event = events::decode(message.value);
  if (!event) {
    skip(message, event.error());
  } else if (event->type == "checked_in") {
    const auto visitor_id = events::string_field(event->payload, "visitor_id");
    const auto booth_id = events::string_field(event->payload, "booth_id");
    if (visitor_id.empty() || booth_id.empty()) {
      skip(message, Error::permanent("event_invalid", "a checked_in event lacks visitor_id or booth_id"));
    } else if (auto recorded = store.record_checkin_sync(visitor_id, booth_id); !recorded) {
      return recorded.error();
    }
  }
  // Only after the check-in is in the view: votes waiting for the view trust this position.
  return store.advance_checkins_position_sync(message.partition, message.offset + 1);
}

Result<void> apply_ledger(VoteStore& store, LedgerStore& ledger, const kafka::Message& message) {
  auto read = events::votes::read(message.value);
  if (!read) {
    skip(message, read.error());
    return {};
  }
  if (const auto* vote = std::get_if<events::votes::Cast>(&*read)) {
    auto applied = ledger.apply_cast_sync(message, *vote);
    if (!applied) return applied.error();
    return store.record_vote_sync(vote->visitor_id, vote->innovation_id, vote->vote_id, vote->day);
  }
  if (const auto* voided = std::get_if<events::votes::Voided>(&*read)) {
    auto applied = ledger.apply_voided_sync(message, *voided);
    if (!applied) return applied.error();
  }
  return {};
}

void apply_admin(devices::DeviceRegistry& registry, Operations& operations, const kafka::Message& message) {
  auto event = events::decode(message.value);
  if (!event) return skip(message, event.error());
  registry.apply(*event);
  auto read = events::votes::read(message.value);
  if (!read) return skip(message, read.error());
  if (const auto* switched = std::get_if<events::votes::VotingSwitched>(&*read)) operations.apply(*switched);
}

}  // namespace expo::voting

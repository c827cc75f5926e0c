#include "app/projections.hpp"

#include <algorithm>
#include <map>

#include "app/operations.hpp"
#include "expo/core/log.hpp"
#include "expo/devices/registry.hpp"
#include "expo/events/checkins.hpp"
#include "expo/events/envelope.hpp"
#include "expo/events/votes.hpp"
#include "expo/kafka/consumer.hpp"
#include "expo/kafka/tracing.hpp"
#include "expo/projection/batch_encoding.hpp"
#include "store/ledger_store.hpp"
#include "store/vote_store.hpp"

namespace expo::voting {
namespace {

void skip(const kafka::Message& message, const Error& error) { kafka::log_skipped(message, error.message); }

}  // namespace

Result<void> apply_checkins(VoteStore& store, std::span<const kafka::Message> messages) {
  std::vector<VoteStore::CheckinSeen> seen;
  std::map<std::int32_t, std::int64_t> next_offsets;
  for (const auto& message : messages) {
    next_offsets[message.partition] = std::max(next_offsets[message.partition], message.offset + 1);
    auto checkin = events::checkins::read(message.value);
    if (!checkin) {
      skip(message, checkin.error());
      continue;
    }
    if (!*checkin) continue;
    seen.push_back({std::move((*checkin)->visitor_id), std::move((*checkin)->booth_id)});
  }
  if (auto recorded = store.record_checkins_sync(seen); !recorded) return recorded.error();
  // Only after the check-ins are in the view: votes waiting for the view trust these positions.
  for (const auto& [partition, next] : next_offsets) {
    if (auto advanced = store.advance_checkins_position_sync(partition, next); !advanced) return advanced.error();
  }
  return {};
}

Result<void> apply_ledger(VoteStore& store, LedgerStore& ledger, std::span<const kafka::Message> messages) {
  std::vector<projection::Entry> entries;
  std::vector<VoteStore::VoteSeen> votes;
  for (const auto& message : messages) {
    auto read = events::votes::read(message.value);
    if (!read) {
      skip(message, read.error());
    } else if (const auto* vote = std::get_if<events::votes::Cast>(&*read)) {
      entries.push_back(LedgerStore::cast_entry(message, *vote));
      votes.push_back({vote->visitor_id, vote->innovation_id, vote->vote_id, vote->day});
    } else if (const auto* voided = std::get_if<events::votes::Voided>(&*read)) {
      entries.push_back(LedgerStore::voided_entry(message, *voided));
    }
  }
  if (auto applied = ledger.apply_sync(entries); !applied) return applied.error();
  return store.record_votes_sync(votes);
}

void apply_admin(devices::DeviceRegistry& registry, Operations& operations, const kafka::Message& message) {
  auto event = events::decode(message.value);
  if (!event) return skip(message, event.error());
  registry.apply(*event);
  auto read = events::votes::read(*event);
  if (!read) return skip(message, read.error());
  if (const auto* switched = std::get_if<events::votes::VotingSwitched>(&*read)) operations.apply(*switched);
}

}  // namespace expo::voting

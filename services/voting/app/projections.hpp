#pragma once
// What the voting service learns from the topics, one handler per consumer:
//  - the check-in view (group voting.checkins_group, checkins.v1): the booths each visitor checked in
//    at, and how far the view has read (see CheckinView);
//  - the ledger (group voting.ledger_group, votes.v1 + admin.v1): every vote and void, the tally, and
//    the visitors' vote state again (so Redis rebuilt from Kafka knows who voted for what);
//  - each instance's own follower of admin.v1 (a group of its own): tablets (keys, revocations) and
//    the open/closed switch.
// The check-in view and the ledger take a batch of messages at a time (one pipeline, one guarded
// script). Each handler is idempotent: a redelivered message changes nothing. Malformed messages are logged
// and skipped (a message no reader understands must not stop the partition).
// Thread-safety: each handler runs on its consumer's thread.

#include <span>

#include "expo/core/result.hpp"

namespace expo::kafka {
struct Message;
}
namespace expo::devices {
class DeviceRegistry;
}

namespace expo::voting {

class VoteStore;
class LedgerStore;
class Operations;

Result<void> apply_checkins(VoteStore& store, std::span<const kafka::Message> messages);
Result<void> apply_ledger(VoteStore& store, LedgerStore& ledger, std::span<const kafka::Message> messages);
void apply_admin(devices::DeviceRegistry& registry, Operations& operations, const kafka::Message& message);

}  // namespace expo::voting

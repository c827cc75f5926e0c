#pragma once
// The vote ledger: every vote of votes.v1 with its fate (counted, voided, or a repeat of the same
// visitor and innovation, which never counts), the voids of admin.v1, and the tally that follows.
// It is what operations audit and export; the public boards are the leaderboard's. The counting is
// libs/vote_ledger's (the leaderboard counts with the same Lua), under the prefix {vote-ledger}: (one
// slot: a void rewrites many votes atomically; votes are a few hundred a second at the peak, well
// within one shard):
//   {vote-ledger}:votes, :first, :by-visitor, :by-device:<id>, :voids   see vote_ledger/ledger.hpp
//   {vote-ledger}:counts                 hash: "votes|<innovation>|<period>", "voided|<innovation>|<period>"
//   {vote-ledger}:applied                projection guard (exactly-once per message)
//
// Device flags live beside, per device: vote:{dev:<device_id>}:badges (sorted set: visitor -> last
// vote ms) and vote:flagged (hash: device -> "<distinct>|<flagged_at_ms>").
// Thread-safety: asynchronous members on the io thread; *_sync members on consumer threads.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <memory>
#include <string>
#include <vector>

#include "expo/core/result.hpp"
#include "expo/events/votes.hpp"
#include "expo/projection/batch_encoding.hpp"

namespace expo::redis {
class Client;
}
namespace expo::kafka {
struct Message;
}

namespace expo::voting {

struct Tally {
  struct Row {
    std::int64_t votes = 0;
    std::int64_t voided = 0;
  };
  std::map<std::string, Row, std::less<>> innovations;  // innovation_id -> counts
};

struct FlaggedDevice {
  std::string device_id;
  std::int64_t distinct_badges = 0;
  std::int64_t flagged_at_ms = 0;
};

class LedgerStore {
 public:
  // `redis` serves the asynchronous members (io thread); `sync_redis` the *_sync ones (consumer
  // threads), a connection of their own (service::Context::projection_redis).
  LedgerStore(std::shared_ptr<redis::Client> redis, std::shared_ptr<redis::Client> sync_redis);

  // The projection, a consumer's batch at a time: entries made by cast_entry/voided_entry (while their
  // messages are valid), applied in order in one guarded script (exactly once each).
  static projection::Entry cast_entry(const kafka::Message& message, const events::votes::Cast& vote);
  static projection::Entry voided_entry(const kafka::Message& message, const events::votes::Voided& v);
  Result<void> apply_sync(std::span<const projection::Entry> entries);

  void tally(std::function<void(Result<Tally>)> done);

  // Records that `device_id` carried a vote of `visitor_id`; answers how many different badges it
  // carried within `window`, and flags the device when that reaches `threshold`.
  void note_device_vote(const std::string& device_id, const std::string& visitor_id, std::chrono::seconds window,
                        int threshold, std::function<void(Result<std::int64_t>)> done);
  void flagged(std::function<void(Result<std::vector<FlaggedDevice>>)> done);

 private:
  std::shared_ptr<redis::Client> redis_;
  std::shared_ptr<redis::Client> sync_redis_;
};

}  // namespace expo::voting

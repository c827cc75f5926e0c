#pragma once
// The rebuild: recounts every board from the topics, from the beginning, into a fresh generation and
// swaps it in atomically, while the live projection goes on counting into the old one.
//
// Rounds: read every partition of checkins.v1, votes.v1 and admin.v1 up to its end as the round
// starts (kafka::read_ranges, no consumer group), then try the swap, which succeeds when the fresh
// generation has applied at least what it read and what the live one has. The first round, the whole
// history, is counted in memory (domain/board_model.hpp, the Lua's rules and layout) and written in
// bulk (store/generation_writer.hpp, its guard last): Redis gets large pipelined HSET/SADD commands
// instead of a script run per message. It reads votes.v1 and admin.v1 first, then writes their vote
// ledger while it reads checkins.v1 (whose records touch none of the ledger's keys), then the rest.
// The later rounds, what arrived meanwhile, go through the guarded script (board_entries.hpp) into
// the same generation, as the projection does. The live projection keeps
// moving, so a swap may find the fresh one behind: the next round reads what came since (it reads
// far faster than events arrive, so rounds shrink to nothing). After the swap the live projection's
// next write fails its generation check and goes to the fresh generation, whose guard skips what the
// rebuild counted: the boards equal a recount of the log, nothing lost or counted twice. The old
// generation's keys are then deleted.
//
// Started by operations (POST /v1/admin/leaderboards/rebuild) or by the service itself when there
// are no live boards (first start, Redis lost). One at a time per instance; two instances rebuilding
// at once are harmless: the first swap wins, the second sees it and compares with it.
//
// The rebuild leases its generation (board_store.hpp) and renews the lease as it reads and writes; it
// first drops the orphans of rebuilds that were killed (neither live nor leased), so a SIGKILL never
// leaves keys behind for longer than until the next rebuild.
//
// Thread-safety: all members may be called from any thread; the work runs on a thread of its own.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>

#include "expo/core/result.hpp"
#include "expo/kafka/topic_reader.hpp"
#include "store/board_store.hpp"

namespace expo::leaderboard {

class BoardModel;

struct RebuildProgress {
  enum class State { idle, running, done, failed };
  State state = State::idle;
  std::string reason;          // why it started: "requested" | "no_boards"
  std::int64_t generation = 0;
  std::int64_t events = 0;     // messages applied so far
  std::int64_t total = 0;      // messages to read, as far as known (grows each round)
  int rounds = 0;
  double seconds = 0;          // running time so far, or in all
  double live_after = 0;       // from the start until the fresh boards went live (the swap); 0 before
                               // (the old generation's keys are deleted after it, within `seconds`)
  std::string error;           // when failed
};

std::string_view to_string(RebuildProgress::State state);
// The rebuild's speed: events recounted per second until the fresh boards went live (the time to
// delete the replaced generation afterwards does not delay anyone); while running, per second so far.
std::int64_t events_per_second(const RebuildProgress& progress);

class Rebuilder {
 public:
  Rebuilder(std::shared_ptr<BoardStore> store, std::string brokers);
  ~Rebuilder();
  Rebuilder(const Rebuilder&) = delete;
  Rebuilder& operator=(const Rebuilder&) = delete;

  // Starts a rebuild unless one is running, or one ended less than `not_within` ago (then false): the
  // watchdog asks every 250 ms while there are no boards, and a rebuild failing for want of Kafka
  // must not restart at that pace.
  bool start(std::string reason, std::chrono::milliseconds not_within = std::chrono::milliseconds(0));
  RebuildProgress progress() const;
  // Cancels a running rebuild (its generation is dropped) and joins the thread. Idempotent.
  void stop();

 private:
  void run(std::string reason);
  Result<void> rebuild(std::int64_t generation);
  // One round's reading: into a BoardModel written in bulk (the first round), or through the guarded
  // script. `covered` gets the last offset applied per guard field.
  // Reads and decodes `ranges` on this thread and applies them to `model` on another.
  Result<void> read_into(BoardModel& model, std::span<const kafka::PartitionRange> ranges, std::int64_t& malformed);
  Result<void> count_in_memory(const Generation& generation, std::span<const kafka::PartitionRange> ranges,
                               Fields& covered);
  Result<void> apply_by_script(const Generation& generation, std::span<const kafka::PartitionRange> ranges,
                               Fields& covered);
  void update(const std::function<void(RebuildProgress&)>& change);
  std::chrono::steady_clock::time_point started_at() const;
  // Renews the generation's lease when a good part of it has passed; cheap to call per batch.
  Result<void> keep_lease();

  std::shared_ptr<BoardStore> store_;
  std::string brokers_;
  mutable std::mutex mutex_;
  RebuildProgress progress_;
  std::thread thread_;
  std::atomic<bool> cancelled_{false};
  std::chrono::steady_clock::time_point started_{};
  std::chrono::steady_clock::time_point ended_{};
  // The rebuild thread's own: the generation it leases and when it last renewed the lease.
  std::int64_t leased_ = 0;
  std::chrono::steady_clock::time_point lease_renewed_{};
};

}  // namespace expo::leaderboard

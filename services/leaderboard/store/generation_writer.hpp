#pragma once
// Writes a BoardModel (domain/board_model.hpp: a generation counted in memory) into the keys of a
// generation that is not live, in bulk: HSET and SADD of up to `chunk` fields or members each,
// pipelined up to a thousand commands a round trip, two round trips in flight, instead of one script
// run per message. What a
// rebuild's first round (everything from the beginning) uses; later rounds go on with the guarded
// Lua (board_entries.hpp) into the same generation, whose guard the writer leaves exactly where the
// script would have left it.
//
// The keys are named by the functions the entries use (keys:: in board_store.hpp, vote_ledger::keys,
// projection::guard_field), so the bulk and the Lua paths cannot drift apart in naming; that they
// agree in content is tests/integration/leaderboard_bulk's job.
//
// The guard is written last, in a command of its own, only once everything else was acknowledged: a
// generation whose writing failed half-way has no guard, so it never looks as if it covered anything
// (a swap compares guards), and the rebuild drops it.
//
// Thread-safety: blocks (*_sync redis calls): for the rebuild thread, never the io thread.

#include <cstddef>
#include <cstdint>
#include <functional>

#include "domain/board_model.hpp"
#include "expo/core/result.hpp"
#include "store/board_store.hpp"

namespace expo::redis {
class Client;
}

namespace expo::leaderboard {

struct GenerationWriteOptions {
  std::size_t chunk = 1000;                 // fields (hashes) or members (sets) per command
  std::size_t round_commands = 1000;        // commands per pipelined round trip (two in flight: well
                                            // below the client's max_pending)
  std::size_t round_arguments = 64 * 1024;  // arguments per round trip: bounds memory and the time a
                                            // round holds Redis (and the connection) busy
  std::function<bool()> cancelled{};        // asked before each round trip; true ends with "cancelled"
};

struct GenerationWriteStats {
  std::int64_t commands = 0;
  std::int64_t round_trips = 0;
  std::int64_t entries = 0;  // fields and members written
};

// Writes a model into one generation, part by part, so a rebuild can write the vote ledger while it
// still counts the check-ins (no check-in record touches the ledger's keys, nor a vote the check-ins').
// The generation must not be live (must_be_live false, and not {lb}:current) and must have applied
// nothing yet (no guard): the writer adds to what is there. Use: start_sync(), then the two parts
// (each once the records it writes are all applied), finish_sync() last.
// Errors: "generation_live" / "generation_not_empty" (permanent) from start_sync(); "cancelled"
// (permanent); the Redis client's otherwise (the keys written so far stay: drop the generation).
// Thread-safety: one call at a time, on any thread but the io thread. A part reads only the model's
// containers it writes (board_model.hpp says which records change which), so records of the other
// kind may be applied meanwhile.
class GenerationWriter {
 public:
  GenerationWriter(redis::Client& redis, Generation generation, GenerationWriteOptions options = {});

  Result<void> start_sync();
  // votes, first, by-visitor, by-device:*, voids.
  Result<void> write_vote_ledger_sync(const BoardModel& model);
  // ck:<booth>:<period>.
  Result<void> write_checkins_sync(const BoardModel& model);
  // counts and activity (both kinds of records), then the guard alone, once everything else was
  // acknowledged.
  Result<void> finish_sync(const BoardModel& model);

  const GenerationWriteStats& stats() const { return stats_; }

 private:
  template <class Write>
  Result<void> in_rounds(const Write& write);

  redis::Client& redis_;
  Generation generation_;
  GenerationWriteOptions options_;
  GenerationWriteStats stats_;
  bool started_ = false;
};

// All of it in one call: start_sync, the parts, finish_sync.
Result<GenerationWriteStats> write_generation_sync(redis::Client& redis, const Generation& generation,
                                                   const BoardModel& model,
                                                   const GenerationWriteOptions& options = {});

}  // namespace expo::leaderboard

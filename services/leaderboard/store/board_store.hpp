#pragma once
// The boards in Redis. Every key shares the hash tag {lb}, so each script below touches one slot (on
// a Redis cluster too). The boards are kept in generations: the projection counts into the live one,
// a rebuild counts the topics from the beginning into a fresh one and swaps it in atomically.
//
//   {lb}:current              the live generation's number; absent: no boards (first start, Redis lost)
//   {lb}:generations          the last generation number handed out (INCR)
//   {lb}:g<N>:applied         projection guard: "<topic>:<partition>" -> last offset applied
//   {lb}:g<N>:counts          the boards' counters (hash), period = event day "YYYY-MM-DD" or "all":
//                               votes|<innovation>|<period>, voided|<innovation>|<period>   (vote ledger)
//                               checkins|<booth>|<period>, unique|<booth>|<period>
//   {lb}:g<N>:activity        for the operations page: hour|<booth>|<YYYY-MM-DDTHH> (check-ins),
//                             minute|<YYYY-MM-DDTHH:MM> (votes accepted), local event time
//   {lb}:g<N>:ck:<booth>:<day>, ck:<booth>:all   sets of visitors (distinct check-ins)
//   {lb}:g<N>:votes, first, by-visitor, by-device:<id>, voids   the vote ledger (libs/vote_ledger)
//   {lb}:building:<N>         the lease of the rebuild writing generation N (expires unless renewed)
//   {lb}:display              hash: frozen "1"|"0", frozen_at, counts "hidden"|"shown" (operations)
//   {lb}:frozen:counts, {lb}:frozen:applied   the boards as they were when frozen (what the public sees)
//
// A check-in counts once per visitor, booth and day (the ck sets): a repeat of the same check-in
// (a producer retry written twice) changes nothing. Votes and voids count by the vote ledger's rules.
// Display state lives outside the generations, so a rebuild never unfreezes the public boards.
//
// A rebuild holds a lease on the generation it writes, renewed as it goes; a generation neither live
// nor leased is an orphan (its rebuild was killed, or died between its swap and dropping the old one)
// and the next rebuild sweeps it. A rebuild whose lease lapsed may not swap: a sweep may have taken
// some of its keys.
//
// Thread-safety: *_sync members block and are for consumer and rebuild threads (the projection
// connection); the others complete on the io thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "expo/core/result.hpp"
#include "expo/projection/batch_encoding.hpp"

namespace expo::redis {
class Client;
}

namespace expo::leaderboard {

class BoardModel;
class GenerationWriter;
struct GenerationWriteOptions;
struct GenerationWriteStats;

// Field -> value of a counters hash, or of a guard ("<topic>:<partition>" -> last offset applied).
using Fields = std::map<std::string, std::int64_t, std::less<>>;

struct DisplayState {
  bool frozen = false;
  bool counts_hidden = false;
  std::string frozen_at;  // when frozen: the event-clock time of the freeze
};

// What the public sees, read in one script: the counters and the positions they cover (the frozen
// copy while frozen), and the display state.
struct BoardsState {
  std::optional<std::int64_t> generation;  // the live one; nullopt: no boards (yet)
  DisplayState display;
  Fields counts;
  Fields applied;
};

// The keys of one generation, and whether writes must find it live (the projection) or may go to a
// generation not yet live (a rebuild).
struct Generation {
  std::int64_t number = 0;
  bool must_be_live = true;
  std::string prefix() const;  // "{lb}:g<N>:"
};

// What a swap found.
enum class SwapOutcome { swapped, behind, superseded };

class BoardStore {
 public:
  BoardStore(std::shared_ptr<redis::Client> redis, std::shared_ptr<redis::Client> sync_redis);

  // --- consumer and rebuild threads ---
  Result<std::optional<std::int64_t>> live_generation_sync();
  // Applies entries (board_entries.hpp) in one guarded script per chunk. Errors as
  // projection::apply_batch_sync; a write for a generation that is no longer live fails with code
  // "generation_changed" (retryable: resolve the live generation again and rebuild the entries).
  Result<void> apply_sync(const Generation& generation, std::span<const projection::Entry> entries);
  // Writes a generation counted in memory into `generation` (not live, nothing applied yet) in bulk,
  // its guard last: store/generation_writer.hpp.
  Result<GenerationWriteStats> write_generation_sync(const Generation& generation, const BoardModel& model,
                                                     const GenerationWriteOptions& options);
  // The same, part by part (a rebuild writes the vote ledger while it counts the check-ins). The
  // writer uses this store's connection: keep the store alive while it is used.
  GenerationWriter generation_writer(const Generation& generation, const GenerationWriteOptions& options);
  // A new generation number, leased for `lease` in the same script.
  Result<std::int64_t> new_generation_sync(std::chrono::seconds lease);
  // Extends the lease; "rebuild_lease_lost" (permanent) when it had lapsed.
  Result<void> renew_lease_sync(std::int64_t generation, std::chrono::seconds lease);
  Result<void> release_lease_sync(std::int64_t generation);
  // Drops every generation that is neither live nor leased; returns their numbers.
  Result<std::vector<std::int64_t>> drop_orphan_generations_sync();
  // Makes `fresh` live if the live generation is still `live` (nullopt: none), `fresh` is still leased
  // and has applied at least what the live one has and at least `covered` (field -> last offset),
  // atomically. A lapsed lease is the error "rebuild_lease_lost" (permanent).
  Result<SwapOutcome> swap_sync(std::int64_t fresh, std::optional<std::int64_t> live, const Fields& covered);
  Result<Fields> applied_sync(std::int64_t generation);
  // Deletes a generation's keys (SCAN + UNLINK, a page of up to 10,000 keys a round trip). Never the
  // live one.
  Result<std::int64_t> drop_generation_sync(std::int64_t generation);

  // --- io thread ---
  void read_boards(std::function<void(Result<BoardsState>)> done);
  // The live generation's activity counters (not frozen: operations see the truth).
  void read_activity(std::function<void(Result<Fields>)> done);
  // Freeze copies the live counters and positions atomically; unfreeze drops the copy.
  // Errors: "boards_unavailable" when there is no live generation to freeze.
  void set_frozen(bool frozen, std::string at, std::function<void(Result<DisplayState>)> done);
  void set_counts_hidden(bool hidden, std::function<void(Result<DisplayState>)> done);

 private:
  std::shared_ptr<redis::Client> redis_;
  std::shared_ptr<redis::Client> sync_redis_;
};

// The generation's key names, shared by the entries and the store.
namespace keys {
inline constexpr std::string_view tag_prefix = "{lb}:";
std::string current();
std::string counts(const Generation& g);
std::string activity(const Generation& g);
std::string applied(const Generation& g);
std::string visitors_of(const Generation& g, std::string_view booth, std::string_view period);
}  // namespace keys

}  // namespace expo::leaderboard

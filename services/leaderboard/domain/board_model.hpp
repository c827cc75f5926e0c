#pragma once
// One generation of the boards, in memory: exactly what the boards' Lua keeps in Redis for the same
// messages (store/board_store.hpp has the key layout; the dispatch is store/board_entries.cpp, the
// votes' rules libs/vote_ledger), field for field and member for member, by the Lua's own rules. So a
// rebuild can count the log here at memory speed and write the result in bulk
// (store/generation_writer.hpp), and expo-recount derives the audit's tally from the same state.
//
//   guard     (topic, partition) -> the last offset applied (the max)
//   counts    votes|<innovation>|<period>, voided|..., checkins|<booth>|<period>, unique|...
//             (period = the event day or "all")
//   activity  hour|<booth>|<YYYY-MM-DDTHH> (a check-in's time cut to 13 bytes, "unknown" if shorter),
//             minute|<YYYY-MM-DDTHH:MM> (a vote's time cut to 16: every new vote_id, repeats too)
//   check-in sets  per booth and period, the visitors checked in (ck:<booth>:<day>, ck:<booth>:all)
//   the vote ledger:
//     votes       vote_id -> "state|at_ms|day|innovation|visitor|device|reason"
//     first       "<visitor>|<innovation>" -> the vote_id that counts for the pair
//     by_visitor  visitor -> its first votes' ids (written as one hash, the ids space-separated);
//     by_device   likewise, a set per tablet (only for a non-empty device)
//     voids       "visitor:<id>" | "device:<id>" -> the latest void: at_ms and reason
//
// Where the Lua has a quirk, the model has it too (tests/unit/leaderboard/board_model_test.cpp pins
// each, tests/integration/leaderboard_bulk compares with the Lua in Redis):
//   - a vote's time is events::votes::instant_ms(at), compared as a number: -1 (a time that does not
//     parse) is covered by any void, and a void at -1 covers votes at -1;
//   - a void with both a visitor and a device (events::votes::read lets none through) voids the visitor;
//   - a void rewrites a counted vote from its record split at '|', as the Lua's pattern reads it (an id
//     holding '|' shifts the fields, in Redis and here alike);
//   - "first" fields are "<visitor>|<innovation>" texts: ids holding '|' may meet, as in Redis.
// One difference is deliberate: a counter whose sum comes back to 0 is dropped, where Redis may keep
// a field holding "0" (the Lua writes a batch's net change per field, so that depends on where the
// batches were cut). Readers treat 0 and absent alike; the audit leaves zero lines out.
//
// Two families of state, disjoint: the records of checkins.v1 change the check-in sets, their booths,
// the visitors and their own guard; those of votes.v1 and admin.v1 the vote ledger (votes, first,
// by_visitor, by_device, voids), the vote counters, the minutes and their own guard. guard(),
// counts(), activity() and tally() read both.
//
// Thread-safety: a BoardModel is a plain (move-only) value, not synchronised: one thread at a time,
// except that the two families are independent: one thread may apply (or read) check-ins while
// another applies (or reads) votes and voids. A rebuild writes the vote ledger to Redis while it still
// applies check-ins.
// apply_record is reentrant over distinct models.

#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "domain/audit.hpp"
#include "expo/core/result.hpp"
#include "expo/events/checkins.hpp"
#include "expo/events/votes.hpp"

namespace expo::leaderboard {

// The activity fields' times as the board script writes them: `at` cut to 13 ("YYYY-MM-DDTHH") or
// 16 bytes ("YYYY-MM-DDTHH:MM"), "unknown" for a shorter text.
std::string activity_hour(std::string_view at);
std::string activity_minute(std::string_view at);

// One record of checkins.v1, votes.v1 or admin.v1, decoded as the board script sees it: its position,
// and the event that counts (monostate: covered, counted nowhere). Owns its strings, so a rebuild can
// decode on one thread and apply on another.
struct BoardRecord {
  std::string_view topic;  // events::topics' constant (static text), not the message's
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::variant<std::monostate, events::checkins::CheckedIn, events::votes::Cast, events::votes::Voided> event{};
  std::optional<Error> malformed{};  // "event_invalid": skipped, its position still covered
};

class BoardModel {
 public:
  // Open-addressing tables (a rebuild holds millions of entries: node-based maps spent most of its
  // time allocating, rehashing and freeing nodes), looked up by string_view without a copy.
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>()(text); }
  };
  template <class Value>
  using TextMap = boost::unordered_flat_map<std::string, Value, TextHash, std::equal_to<>>;
  using Counters = TextMap<std::int64_t>;                 // hash field -> value (never 0)
  using Texts = TextMap<std::string>;                     // hash field -> value
  using VoteSets = TextMap<std::vector<std::string>>;     // id -> its first votes' ids (distinct)
  // One ck:<booth>:<period> set: its members, as indices of visitor() in the order they came, and
  // what the Lua adds for them to "checkins|<booth>|<period>" and "unique|<booth>|<period>".
  struct CheckInSet {
    std::string booth;
    std::string period;
    std::vector<std::uint32_t> visitors;
    std::int64_t checkins = 0;
    std::int64_t unique = 0;
  };
  struct Void {
    std::int64_t at_ms = 0;
    std::string reason;
    std::string value() const;  // the voids hash's value: "<at_ms>|<reason>"
  };
  using Guard = std::map<Tally::Partition, std::int64_t>;

  BoardModel() = default;
  // Moving keeps the visitor index's views valid (they point into a deque's elements); copying would not.
  BoardModel(BoardModel&&) = default;
  BoardModel& operator=(BoardModel&&) = default;
  BoardModel(const BoardModel&) = delete;
  BoardModel& operator=(const BoardModel&) = delete;

  // A decoded record, as the guarded script applies its entry: nothing when its offset is at or below
  // its partition's guard (applied already: false), else its position noted and its event counted.
  bool apply(const BoardRecord& record);

  // A message of checkins.v1, votes.v1 or admin.v1 was applied at this position, whatever it held
  // (the guard covers every message). The guard keeps the max.
  void note_position(std::string_view topic, std::int32_t partition, std::int64_t offset);
  // The last offset applied in the partition; -1 when none.
  std::int64_t applied(std::string_view topic, std::int32_t partition) const;

  // A checked_in of checkins.v1: counts once per (visitor, booth, day).
  void checked_in(const events::checkins::CheckedIn& checkin);
  // A vote_cast (of votes.v1 or admin.v1): the vote ledger's cast.
  void vote_cast(const events::votes::Cast& vote);
  // A votes_voided: the vote ledger's void of "visitor:<id>" when it names a visitor, else of
  // "device:<id>".
  void votes_voided(const events::votes::Voided& void_event);

  // The audit's tally: the counters read back as the service reads its Redis counters
  // (app/boards_view.cpp), and the next offset of each partition.
  Tally tally() const;

  // What a generation writer writes (each container is exactly one Redis key or family of keys).
  // The counts and activity hashes are assembled on each call (check-ins count into their sets and
  // booths as they come: no field text to build per check-in), so call them once.
  Guard guard() const;  // assembled on each call, as counts()
  Counters counts() const;
  Counters activity() const;
  const std::vector<CheckInSet>& checkin_sets() const { return checkin_sets_; }
  const std::string& visitor(std::uint32_t index) const { return visitors_[index]; }
  const Texts& votes() const { return votes_; }
  const Texts& first() const { return first_; }
  const VoteSets& by_visitor() const { return by_visitor_; }
  const VoteSets& by_device() const { return by_device_; }
  const TextMap<Void>& voids() const { return voids_; }

 private:
  struct Booth {
    TextMap<std::uint32_t> sets;     // period -> index into checkin_sets_
    std::uint32_t whole_event = 0;   // the index of its "all" set
    Counters hours;                  // "YYYY-MM-DDTHH" (activity_hour) -> check-ins
  };

  Guard& guard_of(std::string_view topic);
  void count(Counters& counters, const std::string& field, std::int64_t delta);
  void count_period(std::string_view what, std::string_view id, std::string_view day, std::int64_t delta);
  std::uint32_t visitor_index(std::string_view id);
  std::uint32_t add_set(std::string booth, std::string period);
  // Adds the visitor to the set; false when it was a member already.
  bool add_to_set(std::uint32_t set, std::uint32_t visitor);
  // The reason of the latest void of `target` (in ledger_scratch_) when it covers a vote at `at_ms`.
  const std::string* covering(std::int64_t at_ms) const;

  // Every state below belongs to one family (check-ins, or votes and voids), the guard and the
  // scratch text included: two threads may each apply one family.
  Guard checkins_guard_;  // checkins.v1
  Guard ledger_guard_;    // votes.v1, admin.v1
  Counters vote_counts_;  // votes|..., voided|...
  Counters minutes_;      // minute|...
  // Visitors are kept once (a check-in adds them to two sets): the deque's strings stay where they
  // are, so the index may view them.
  std::deque<std::string> visitors_;
  boost::unordered_flat_map<std::string_view, std::uint32_t, TextHash, std::equal_to<>> visitor_index_;
  std::vector<CheckInSet> checkin_sets_;
  TextMap<Booth> booths_;
  boost::unordered_flat_set<std::uint64_t> members_;  // set index << 32 | visitor index
  Texts votes_;
  Texts first_;
  VoteSets by_visitor_;
  VoteSets by_device_;
  TextMap<Void> voids_;
  // The field being counted or looked up: built here, copied only when new.
  std::string checkin_scratch_;
  std::string ledger_scratch_;
};

// One raw record of the log decoded for a BoardModel, the decoding the rebuild, the recount tool and
// the tests share, as the board entries decode it (store/board_entries.cpp):
//   - records of topics other than checkins.v1, votes.v1 and admin.v1: nullopt (the boards do not read
//     them, the guard does not cover them);
//   - checkins.v1: events::checkins::read; a checked_in counts, other types are covered only;
//   - votes.v1 and admin.v1: events::votes::read; vote_cast and votes_voided count (from either
//     topic, as the voting service's ledger reads them), other types (voting_opened/closed, the
//     devices' events) are covered only;
//   - a day must read YYYY-MM-DD (digits and '-'), so no record can write into the "all" lines;
//   - a malformed record (not an envelope, a required field missing or empty, a day not YYYY-MM-DD)
//     has `malformed` set ("event_invalid"; messages name fields, never contents) and no event.
std::optional<BoardRecord> decode_record(std::string_view topic, std::int32_t partition, std::int64_t offset,
                                         std::string_view value);

// decode_record and BoardModel::apply in one step. Errors: the record's `malformed` ("event_invalid")
// when it was applied (its position noted, its content skipped: the count goes on); the caller counts
// them and logs topic/partition/offset. A record at or below the guard answers success.
Result<void> apply_record(BoardModel& model, std::string_view topic, std::int32_t partition, std::int64_t offset,
                          std::string_view value);

}  // namespace expo::leaderboard

#pragma once
// From the counters the store reads to what the public sees: the boards of a period (the domain's
// rows), the audit's tally, and the stream's message. Pure: the store reads, these only shape.
//
// Thread-safety: pure functions. The Event must outlive the calls only.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "domain/audit.hpp"
#include "domain/boards.hpp"
#include "domain/boards_json.hpp"
#include "store/board_store.hpp"

namespace expo::leaderboard {

// One period's raw counts, by id.
struct PeriodCounts {
  CountMap votes, voided;        // per innovation
  CountMap checkins, unique;     // per booth
};

// The counters split by period ("all" and each day that has any).
std::map<std::string, PeriodCounts, std::less<>> counts_by_period(const Fields& counts);

// The audit's tally: every counter (also for ids the event does not know) and the positions covered
// (the guard's last applied offset + 1 per partition).
Tally tally_of(const Fields& counts, const Fields& applied);

// The three boards of one period as JSON: {innovations, regions, booths} (boards_json.hpp rows).
boost::json::object boards_json(const model::Event& event, const PeriodCounts& counts, Display display,
                                std::optional<std::size_t> limit, Labels labels);

// The stream's message (services/leaderboard/README.md, "Stream"): the whole event's boards, each cut
// at `rows` (ties at the cut kept), rows without names, and the current event day (if any). Every
// session gets every message, so its size is what the stream costs: a screen shows a top ten of the
// whole event and has the names from the event; a day's boards are a GET away.
boost::json::object stream_message(const model::Event& event, const BoardsState& state, std::int64_t version,
                                   std::string_view updated_at, std::optional<std::string> day, std::size_t rows);

// ranks_only while operations hide the counts.
Display display_of(const DisplayState& state);

}  // namespace expo::leaderboard

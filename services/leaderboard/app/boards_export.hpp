#pragma once
// The organisers' export of the boards (GET /v1/admin/exports/leaderboard.csv): the three boards of
// one period (an event day or the whole event) as CSV, from the same rows the public boards answer
// with (domain/boards.hpp: every innovation, region and booth of the event, standard competition
// ranks, ties in the event's order). Counts are always written, also while the public display hides
// them (an admin export); the counts are those the boards show (the frozen copy while frozen).
//
// Columns: board (innovations | regions | booths), period ("YYYY-MM-DD" or "all"), rank, tied, id,
// name, region_id (innovations: its region; regions: itself; booths: the booth's region), votes
// (innovations, regions), checkins and unique_visitors (booths); a column that does not apply to a
// board is empty. Rows: the innovations board, then regions, then booths, each in rank order.
//
// Built in memory, not streamed: its size is bounded by the event's catalogue (a few hundred rows,
// some tens of KB for the default event), unlike the check-in and vote exports.
// Thread-safety: pure function.

#include <string>
#include <string_view>

#include "app/boards_view.hpp"

namespace expo::leaderboard {

// The whole body: UTF-8 byte order mark, header record, rows (libs/csv).
std::string boards_csv(const model::Event& event, const PeriodCounts& counts, std::string_view period);

}  // namespace expo::leaderboard

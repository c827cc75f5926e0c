#pragma once
// The boards as the HTTP API and the stream send them (PRODUCT.md, leaderboard):
//   innovations [{rank, tied, innovation_id, name, region_id, votes}]
//   regions     [{rank, tied, region_id, name, votes}]
//   booths      [{rank, tied, booth_id, name, checkins, unique_visitors}]
// `tied` is an addition to the contract's shape: it lets a screen mark shared ranks.
//
// Display::ranks_only (the last minutes before the award) omits the count members (votes, checkins,
// unique_visitors); rank and tied stay, computed from the real counts.
//
// Thread-safety: pure functions.

#include <span>

#include <boost/json/array.hpp>

#include "domain/boards.hpp"

namespace expo::leaderboard {

enum class Display { full, ranks_only };
// Labels::ids_only leaves out `name` (the stream: a screen has the names from the event already, and
// every byte of a message is sent to every screen).
enum class Labels { names, ids_only };

boost::json::array to_json(std::span<const InnovationRow> board, Display display = Display::full,
                           Labels labels = Labels::names);
boost::json::array to_json(std::span<const RegionRow> board, Display display = Display::full,
                           Labels labels = Labels::names);
boost::json::array to_json(std::span<const BoothRow> board, Display display = Display::full,
                           Labels labels = Labels::names);

}  // namespace expo::leaderboard

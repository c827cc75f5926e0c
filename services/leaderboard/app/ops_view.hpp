#pragma once
// The operations page's traffic data from the boards' activity counters (board_store.hpp):
// check-ins per booth per opening hour of one day (the heatmap), and votes per minute over the last
// hour of event time. The body of GET /v1/admin/ops, before the monitoring part is added.
//
//   {"day", "hours": ["08", ...], "checkins_by_hour": [{booth_id, name, counts: [...]}],
//    "votes_per_minute": [{minute: "YYYY-MM-DDTHH:MM", votes}]}   (60 entries, oldest first)
//
// Thread-safety: pure function.

#include <chrono>
#include <string>

#include <boost/json/object.hpp>

#include "store/board_store.hpp"

namespace expo::model {
struct Event;
}

namespace expo::leaderboard {

boost::json::object ops_json(const model::Event& event, const Fields& activity, const std::string& day,
                             std::chrono::system_clock::time_point now);

}  // namespace expo::leaderboard

#pragma once
// The three public boards, built from the event and raw counts for one period (an event day or the
// whole event). Pure: the service reads the counts from Redis and hands them in.
//
// - Every innovation, region and booth of the event has a row, with 0 where nothing was counted;
//   counts for ids the event does not know are ignored (the audit tally still lists them).
// - Innovations and regions are ranked by votes, booths by check-ins (ranking.hpp: 1, 2, 2, 4).
// - Ties are listed in the order of the event configuration (innovations, regions and booths as the
//   event file lists them), and flagged `tied`. A booth's unique visitors never break a tie: one rule,
//   the same on every board, that a screen can state in a line.
// - A region's votes are the sum of its innovations' votes (innovation.region_id).
// - `limit` keeps every row ranked `limit` or better (ties at the cut stay; see ranking.hpp).
//
// Thread-safety: pure functions; results own their strings. The Event must outlive the call only.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace expo::model {
struct Event;
}

namespace expo::leaderboard {

// id -> count. Missing ids count 0.
using CountMap = std::map<std::string, std::int64_t, std::less<>>;

struct InnovationRow {
  std::size_t rank = 0;
  bool tied = false;
  std::string innovation_id, name, region_id;
  std::int64_t votes = 0;
};

struct RegionRow {
  std::size_t rank = 0;
  bool tied = false;
  std::string region_id, name;
  std::int64_t votes = 0;
};

struct BoothRow {
  std::size_t rank = 0;
  bool tied = false;
  std::string booth_id, name;
  std::int64_t checkins = 0;
  std::int64_t unique_visitors = 0;
};

// votes: innovation_id -> votes counted in the period (voided votes already taken off).
std::vector<InnovationRow> innovation_board(const model::Event& event, const CountMap& votes,
                                            std::optional<std::size_t> limit = std::nullopt);

// votes: innovation_id -> votes, as above; summed per region here.
std::vector<RegionRow> region_board(const model::Event& event, const CountMap& votes,
                                    std::optional<std::size_t> limit = std::nullopt);

// checkins, unique_visitors: booth_id -> count in the period. For one day the two are equal (a
// visitor checks in at a booth once a day); for the whole event a returning visitor adds a check-in
// but not a unique visitor, so the service must hand in the whole-event count, not a sum of days.
std::vector<BoothRow> booth_board(const model::Event& event, const CountMap& checkins, const CountMap& unique_visitors,
                                  std::optional<std::size_t> limit = std::nullopt);

}  // namespace expo::leaderboard

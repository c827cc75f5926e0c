#include "domain/boards.hpp"

#include "domain/ranking.hpp"
#include "expo/event_model/event.hpp"

namespace expo::leaderboard {
namespace {

std::int64_t count_of(const CountMap& counts, const std::string& id) {
  const auto found = counts.find(id);
  return found == counts.end() ? 0 : found->second;
}

// Rows in event order -> rows in board order with rank and tied set. Row types share the two fields.
template <class Row>
std::vector<Row> placed(std::vector<Row> rows, const std::vector<std::int64_t>& counts, std::optional<std::size_t> limit) {
  std::vector<Row> board;
  const auto placements = rank_by_count(counts, limit);
  board.reserve(placements.size());
  for (const auto& p : placements) {
    Row row = std::move(rows[p.index]);
    row.rank = p.rank;
    row.tied = p.tied;
    board.push_back(std::move(row));
  }
  return board;
}

}  // namespace

std::vector<InnovationRow> innovation_board(const model::Event& event, const CountMap& votes,
                                            std::optional<std::size_t> limit) {
  std::vector<InnovationRow> rows;
  std::vector<std::int64_t> counts;
  rows.reserve(event.innovations.size());
  counts.reserve(event.innovations.size());
  for (const auto& innovation : event.innovations) {
    const auto n = count_of(votes, innovation.id);
    rows.push_back({.innovation_id = innovation.id, .name = innovation.name, .region_id = innovation.region_id, .votes = n});
    counts.push_back(n);
  }
  return placed(std::move(rows), counts, limit);
}

std::vector<RegionRow> region_board(const model::Event& event, const CountMap& votes, std::optional<std::size_t> limit) {
  std::map<std::string, std::int64_t, std::less<>> per_region;
  for (const auto& innovation : event.innovations) per_region[innovation.region_id] += count_of(votes, innovation.id);
  std::vector<RegionRow> rows;
  std::vector<std::int64_t> counts;
  rows.reserve(event.regions.size());
  counts.reserve(event.regions.size());
  for (const auto& region : event.regions) {
    const auto n = count_of(per_region, region.id);
    rows.push_back({.region_id = region.id, .name = region.name, .votes = n});
    counts.push_back(n);
  }
  return placed(std::move(rows), counts, limit);
}

std::vector<BoothRow> booth_board(const model::Event& event, const CountMap& checkins, const CountMap& unique_visitors,
                                  std::optional<std::size_t> limit) {
  std::vector<BoothRow> rows;
  std::vector<std::int64_t> counts;
  rows.reserve(event.booths.size());
  counts.reserve(event.booths.size());
  for (const auto& booth : event.booths) {
    const auto n = count_of(checkins, booth.id);
    rows.push_back({.booth_id = booth.id, .name = booth.name, .checkins = n,
                    .unique_visitors = count_of(unique_visitors, booth.id)});
    counts.push_back(n);
  }
  return placed(std::move(rows), counts, limit);
}

}  // namespace expo::leaderboard

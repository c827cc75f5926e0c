#include "app/boards_export.hpp"

#include "domain/boards.hpp"
#include "expo/csv/writer.hpp"
#include "expo/event_model/event.hpp"

namespace expo::leaderboard {

std::string boards_csv(const model::Event& event, const PeriodCounts& counts, std::string_view period) {
  std::string out(csv::bom);
  csv::append_header(out, {"board", "period", "rank", "tied", "id", "name", "region_id", "votes", "checkins",
                           "unique_visitors"});
  const auto start = [&](std::string_view board, std::size_t rank, bool tied) {
    csv::RowWriter row(out);
    row.text(board).text(period).integer(static_cast<std::int64_t>(rank)).boolean(tied);
    return row;
  };
  for (const auto& r : innovation_board(event, counts.votes)) {
    auto row = start("innovations", r.rank, r.tied);
    row.text(r.innovation_id).text(r.name).text(r.region_id).integer(r.votes).text("").text("").end();
  }
  for (const auto& r : region_board(event, counts.votes)) {
    auto row = start("regions", r.rank, r.tied);
    row.text(r.region_id).text(r.name).text(r.region_id).integer(r.votes).text("").text("").end();
  }
  for (const auto& r : booth_board(event, counts.checkins, counts.unique)) {
    const auto* booth = event.find_booth(r.booth_id);
    auto row = start("booths", r.rank, r.tied);
    row.text(r.booth_id)
        .text(r.name)
        .text(booth ? std::string_view(booth->region_id) : std::string_view())
        .text("")
        .integer(r.checkins)
        .integer(r.unique_visitors)
        .end();
  }
  return out;
}

}  // namespace expo::leaderboard

#include "domain/boards_json.hpp"

#include <boost/json/object.hpp>

namespace expo::leaderboard {
namespace {

// Every board's rows: rank and tie first, then what `fill` adds for the row's kind.
template <class Row, class Fill>
boost::json::array rows_json(std::span<const Row> board, Fill fill) {
  boost::json::array out;
  out.reserve(board.size());
  for (const auto& row : board) {
    boost::json::object o;
    o["rank"] = row.rank;
    o["tied"] = row.tied;
    fill(o, row);
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace

boost::json::array to_json(std::span<const InnovationRow> board, Display display, Labels labels) {
  return rows_json(board, [display, labels](boost::json::object& o, const InnovationRow& row) {
    o["innovation_id"] = row.innovation_id;
    if (labels == Labels::names) o["name"] = row.name;
    o["region_id"] = row.region_id;
    if (display == Display::full) o["votes"] = row.votes;
  });
}

boost::json::array to_json(std::span<const RegionRow> board, Display display, Labels labels) {
  return rows_json(board, [display, labels](boost::json::object& o, const RegionRow& row) {
    o["region_id"] = row.region_id;
    if (labels == Labels::names) o["name"] = row.name;
    if (display == Display::full) o["votes"] = row.votes;
  });
}

boost::json::array to_json(std::span<const BoothRow> board, Display display, Labels labels) {
  return rows_json(board, [display, labels](boost::json::object& o, const BoothRow& row) {
    o["booth_id"] = row.booth_id;
    if (labels == Labels::names) o["name"] = row.name;
    if (display == Display::full) {
      o["checkins"] = row.checkins;
      o["unique_visitors"] = row.unique_visitors;
    }
  });
}

}  // namespace expo::leaderboard

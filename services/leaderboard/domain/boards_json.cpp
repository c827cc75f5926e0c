#include "domain/boards_json.hpp"

#include <boost/json/object.hpp>

namespace expo::leaderboard {
namespace {

boost::json::object placed(std::size_t rank, bool tied) {
  boost::json::object out;
  out["rank"] = rank;
  out["tied"] = tied;
  return out;
}

}  // namespace

boost::json::array to_json(std::span<const InnovationRow> board, Display display) {
  boost::json::array out;
  out.reserve(board.size());
  for (const auto& row : board) {
    auto o = placed(row.rank, row.tied);
    o["innovation_id"] = row.innovation_id;
    o["name"] = row.name;
    o["region_id"] = row.region_id;
    if (display == Display::full) o["votes"] = row.votes;
    out.push_back(std::move(o));
  }
  return out;
}

boost::json::array to_json(std::span<const RegionRow> board, Display display) {
  boost::json::array out;
  out.reserve(board.size());
  for (const auto& row : board) {
    auto o = placed(row.rank, row.tied);
    o["region_id"] = row.region_id;
    o["name"] = row.name;
    if (display == Display::full) o["votes"] = row.votes;
    out.push_back(std::move(o));
  }
  return out;
}

boost::json::array to_json(std::span<const BoothRow> board, Display display) {
  boost::json::array out;
  out.reserve(board.size());
  for (const auto& row : board) {
    auto o = placed(row.rank, row.tied);
    o["booth_id"] = row.booth_id;
    o["name"] = row.name;
    if (display == Display::full) {
      o["checkins"] = row.checkins;
      o["unique_visitors"] = row.unique_visitors;
    }
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace expo::leaderboard

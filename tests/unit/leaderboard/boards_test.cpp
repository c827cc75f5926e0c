// The three boards from raw counts: every row present, zeros, region sums, the tie order of the
// event file, the limit at a tie, and the JSON with counts shown and hidden.
#include "domain/boards.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "domain/boards_json.hpp"
#include "expo/event_model/event.hpp"

namespace expo::leaderboard {
namespace {

// Three regions listed out of id order, so the tie order is visibly the file's, not the ids'.
// Region "r2" has two innovations at one booth.
model::Event small_event() {
  model::Event e;
  e.regions = {{"r3", "Kota Tiga", "kota"}, {"r1", "Kabupaten Satu", "kabupaten"}, {"r2", "Kabupaten Dua", "kabupaten"}};
  e.booths = {{"b3", "Booth Tiga", "r3"}, {"b1", "Booth Satu", "r1"}, {"b2", "Booth Dua", "r2"}};
  e.innovations = {{"i-c", "Inovasi C", "", "b3", "r3", false},
                   {"i-a", "Inovasi A", "", "b1", "r1", false},
                   {"i-b1", "Inovasi B1", "", "b2", "r2", true},
                   {"i-b2", "Inovasi B2", "", "b2", "r2", true}};
  e.reindex();
  return e;
}

template <class Row>
std::string ids(const std::vector<Row>& board, std::string Row::*id) {
  std::string out;
  for (const auto& row : board) {
    if (!out.empty()) out += ' ';
    out += std::to_string(row.rank) + (row.tied ? "=" : "") + ":" + row.*id;
  }
  return out;
}

TEST(Boards, InnovationsRankedWithTiesInEventOrder) {
  const auto board = innovation_board(small_event(), {{"i-a", 4}, {"i-b2", 4}, {"i-c", 7}});
  EXPECT_EQ(ids(board, &InnovationRow::innovation_id), "1:i-c 2=:i-a 2=:i-b2 4:i-b1");
  ASSERT_EQ(board.size(), 4u);
  EXPECT_EQ(board[0].name, "Inovasi C");
  EXPECT_EQ(board[0].region_id, "r3");
  EXPECT_EQ(board[0].votes, 7);
  EXPECT_EQ(board[3].votes, 0);  // nothing counted: present with 0
}

TEST(Boards, EveryRowPresentWithZerosAndUnknownIdsIgnored) {
  const auto e = small_event();
  const auto innovations = innovation_board(e, {{"not-in-the-event", 99}});
  EXPECT_EQ(ids(innovations, &InnovationRow::innovation_id), "1=:i-c 1=:i-a 1=:i-b1 1=:i-b2");
  for (const auto& row : innovations) EXPECT_EQ(row.votes, 0);
  EXPECT_EQ(ids(region_board(e, {}), &RegionRow::region_id), "1=:r3 1=:r1 1=:r2");
  EXPECT_EQ(ids(booth_board(e, {}, {}), &BoothRow::booth_id), "1=:b3 1=:b1 1=:b2");
}

TEST(Boards, RegionsSumTheirInnovations) {
  // r2 = 3 + 4 = 7 beats r3 = 6 though each of r2's innovations has fewer votes than r3's one.
  const auto board = region_board(small_event(), {{"i-c", 6}, {"i-b1", 3}, {"i-b2", 4}, {"i-a", 0}});
  EXPECT_EQ(ids(board, &RegionRow::region_id), "1:r2 2:r3 3:r1");
  EXPECT_EQ(board[0].votes, 7);
  EXPECT_EQ(board[0].name, "Kabupaten Dua");
  EXPECT_EQ(board[1].votes, 6);
  EXPECT_EQ(board[2].votes, 0);
}

TEST(Boards, BoothsByCheckinsUniqueVisitorsBreakNoTie) {
  // b1 and b2 both have 5 check-ins; b2 has more unique visitors but the tie is listed in event
  // order (b1 before b2) and both are rank 2.
  const auto board = booth_board(small_event(), {{"b1", 5}, {"b2", 5}, {"b3", 9}}, {{"b1", 2}, {"b2", 5}, {"b3", 6}});
  EXPECT_EQ(ids(board, &BoothRow::booth_id), "1:b3 2=:b1 2=:b2");
  EXPECT_EQ(board[0].checkins, 9);
  EXPECT_EQ(board[0].unique_visitors, 6);
  EXPECT_EQ(board[1].unique_visitors, 2);
  EXPECT_EQ(board[2].unique_visitors, 5);
}

TEST(Boards, LimitKeepsTheTieAtTheCut) {
  const auto e = small_event();
  const CountMap votes{{"i-c", 7}, {"i-a", 4}, {"i-b2", 4}, {"i-b1", 1}};
  EXPECT_EQ(ids(innovation_board(e, votes, 2), &InnovationRow::innovation_id), "1:i-c 2=:i-a 2=:i-b2");
  EXPECT_EQ(ids(innovation_board(e, votes, 1), &InnovationRow::innovation_id), "1:i-c");
  EXPECT_EQ(ids(booth_board(e, {}, {}, 1), &BoothRow::booth_id), "1=:b3 1=:b1 1=:b2");
  EXPECT_EQ(ids(region_board(e, votes, 0), &RegionRow::region_id), "");
}

TEST(Boards, EmptyEventGivesEmptyBoards) {
  const model::Event empty;
  EXPECT_TRUE(innovation_board(empty, {{"x", 1}}).empty());
  EXPECT_TRUE(region_board(empty, {{"x", 1}}).empty());
  EXPECT_TRUE(booth_board(empty, {{"x", 1}}, {{"x", 1}}).empty());
  EXPECT_EQ(boost::json::serialize(to_json(innovation_board(empty, {}))), "[]");
}

TEST(Boards, TheDefaultEventHasARowForEverything) {
  const auto e = model::default_event();
  const CountMap votes{{"3579-among-abdi-praja", 12}};
  const auto innovations = innovation_board(e, votes);
  const auto regions = region_board(e, votes);
  const auto booths = booth_board(e, {{"3579", 30}}, {{"3579", 25}});
  ASSERT_EQ(innovations.size(), e.innovations.size());
  ASSERT_EQ(regions.size(), e.regions.size());
  ASSERT_EQ(booths.size(), e.booths.size());
  EXPECT_EQ(innovations[0].innovation_id, "3579-among-abdi-praja");
  EXPECT_EQ(innovations[0].rank, 1u);
  EXPECT_FALSE(innovations[0].tied);
  EXPECT_EQ(regions[0].region_id, "3579");
  EXPECT_EQ(regions[0].votes, 12);
  EXPECT_EQ(booths[0].booth_id, "3579");
  // Everyone else shares rank 2, in the file's order (Pacitan, 3501, first).
  EXPECT_EQ(regions[1].rank, 2u);
  EXPECT_TRUE(regions[1].tied);
  EXPECT_EQ(regions[1].region_id, "3501");
  EXPECT_EQ(regions.back().rank, 2u);
  EXPECT_EQ(booths.back().checkins, 0);
}

TEST(BoardsJson, CountsShown) {
  const auto e = small_event();
  const CountMap votes{{"i-c", 7}, {"i-a", 4}, {"i-b2", 4}};
  EXPECT_EQ(boost::json::serialize(to_json(innovation_board(e, votes, 1))),
            R"([{"rank":1,"tied":false,"innovation_id":"i-c","name":"Inovasi C","region_id":"r3","votes":7}])");
  EXPECT_EQ(boost::json::serialize(to_json(region_board(e, votes, 1))),
            R"([{"rank":1,"tied":false,"region_id":"r3","name":"Kota Tiga","votes":7}])");
  EXPECT_EQ(boost::json::serialize(to_json(booth_board(e, {{"b2", 3}}, {{"b2", 2}}, 1))),
            R"([{"rank":1,"tied":false,"booth_id":"b2","name":"Booth Dua","checkins":3,"unique_visitors":2}])");
}

TEST(BoardsJson, RanksOnlyOmitsEveryCount) {
  const auto e = small_event();
  const CountMap votes{{"i-c", 7}, {"i-a", 4}, {"i-b2", 4}};
  EXPECT_EQ(boost::json::serialize(to_json(innovation_board(e, votes, 2), Display::ranks_only)),
            R"([{"rank":1,"tied":false,"innovation_id":"i-c","name":"Inovasi C","region_id":"r3"},)"
            R"({"rank":2,"tied":true,"innovation_id":"i-a","name":"Inovasi A","region_id":"r1"},)"
            R"({"rank":2,"tied":true,"innovation_id":"i-b2","name":"Inovasi B2","region_id":"r2"}])");
  EXPECT_EQ(boost::json::serialize(to_json(region_board(e, votes), Display::ranks_only)),
            R"([{"rank":1,"tied":false,"region_id":"r3","name":"Kota Tiga"},)"
            R"({"rank":2,"tied":true,"region_id":"r1","name":"Kabupaten Satu"},)"
            R"({"rank":2,"tied":true,"region_id":"r2","name":"Kabupaten Dua"}])");
  EXPECT_EQ(boost::json::serialize(to_json(booth_board(e, {{"b2", 3}}, {{"b2", 2}}, 1), Display::ranks_only)),
            R"([{"rank":1,"tied":false,"booth_id":"b2","name":"Booth Dua"}])");
}

}  // namespace
}  // namespace expo::leaderboard

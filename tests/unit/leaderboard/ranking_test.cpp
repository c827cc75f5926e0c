// Standard competition ranking, table by table: ranks, the tie order, the tied flag and the limit.
#include "domain/ranking.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace expo::leaderboard {
namespace {

// "rank:index" per row in board order, "=" after a tied rank: "1:2 2=:1 2=:3 4:0".
std::string board(const std::vector<std::int64_t>& counts, std::optional<std::size_t> limit = std::nullopt) {
  std::string out;
  for (const auto& p : rank_by_count(counts, limit)) {
    if (!out.empty()) out += ' ';
    out += std::to_string(p.rank) + (p.tied ? "=" : "") + ":" + std::to_string(p.index);
  }
  return out;
}

TEST(Ranking, Table) {
  struct Row {
    const char* name;
    std::vector<std::int64_t> counts;
    std::optional<std::size_t> limit;
    std::string expected;
  };
  const std::vector<Row> rows{
      {"empty", {}, std::nullopt, ""},
      {"one row", {5}, std::nullopt, "1:0"},
      {"1, 2, 2, 4", {9, 7, 7, 3}, std::nullopt, "1:0 2=:1 2=:2 4:3"},
      {"input order breaks no rank, only lists ties", {3, 7, 9, 7}, std::nullopt, "1:2 2=:1 2=:3 4:0"},
      {"all zero: everyone first", {0, 0, 0}, std::nullopt, "1=:0 1=:1 1=:2"},
      {"tie at the top", {4, 4, 1}, std::nullopt, "1=:0 1=:1 3:2"},
      {"two tie groups", {2, 5, 2, 5, 1}, std::nullopt, "1=:1 1=:3 3=:0 3=:2 5:4"},
      {"limit cuts between distinct counts", {9, 7, 5, 3}, 2, "1:0 2:1"},
      {"limit at a tie keeps the whole tie", {9, 7, 7, 7, 3}, 3, "1:0 2=:1 2=:2 2=:3"},
      {"limit inside a tie keeps it too", {9, 7, 7, 7, 3}, 2, "1:0 2=:1 2=:2 2=:3"},
      {"limit just past the tie", {9, 7, 7, 7, 3}, 5, "1:0 2=:1 2=:2 2=:3 5:4"},
      {"limit 1 with a tie at the top", {4, 4, 1}, 1, "1=:0 1=:1"},
      {"limit over the length", {2, 1}, 10, "1:0 2:1"},
      {"limit 0", {2, 1}, 0, ""},
      {"all zero with a limit: everyone is first", {0, 0, 0}, 1, "1=:0 1=:1 1=:2"},
      {"negative counts still order", {-1, 0, -1}, std::nullopt, "1:1 2=:0 2=:2"},
  };
  for (const auto& row : rows) EXPECT_EQ(board(row.counts, row.limit), row.expected) << row.name;
}

TEST(Ranking, RankIsOnePlusRowsWithStrictlyMore) {
  const std::vector<std::int64_t> counts{8, 3, 8, 0, 3, 3, 12, 0};
  for (const auto& p : rank_by_count(counts)) {
    std::size_t more = 0;
    std::size_t same = 0;
    for (const auto c : counts) {
      more += c > counts[p.index] ? 1 : 0;
      same += c == counts[p.index] ? 1 : 0;
    }
    EXPECT_EQ(p.rank, 1 + more) << "row " << p.index;
    EXPECT_EQ(p.tied, same > 1) << "row " << p.index;
  }
}

}  // namespace
}  // namespace expo::leaderboard

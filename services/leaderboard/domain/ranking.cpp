#include "domain/ranking.hpp"

#include <algorithm>
#include <numeric>

namespace expo::leaderboard {

std::vector<Placement> rank_by_count(std::span<const std::int64_t> counts, std::optional<std::size_t> limit) {
  std::vector<std::size_t> order(counts.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Stable: equal counts keep the input (tie) order.
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return counts[a] > counts[b]; });

  std::vector<Placement> placed;
  placed.reserve(order.size());
  for (std::size_t position = 0; position < order.size(); ++position) {
    const std::size_t index = order[position];
    const bool same_as_previous = position > 0 && counts[order[position - 1]] == counts[index];
    // Rows before this one all have at least its count; the first of a group has exactly
    // `position` rows with strictly more.
    const std::size_t rank = same_as_previous ? placed.back().rank : position + 1;
    if (limit && rank > *limit) break;  // ranks only grow from here
    if (same_as_previous) placed.back().tied = true;
    placed.push_back({index, rank, same_as_previous});
  }
  return placed;
}

}  // namespace expo::leaderboard

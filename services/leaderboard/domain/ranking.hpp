#pragma once
// Standard competition ranking ("1224"), the one rule every board follows.
//
// - rank = 1 + the number of rows with strictly more: counts 9, 7, 7, 3 rank 1, 2, 2, 4.
// - Rows with equal counts share a rank and are listed in the order they were given, which the
//   boards make the order of the event configuration (the catalogue order; in the 2023 event, the
//   official region codes). That order is only a way to list them: it never changes a rank.
// - `tied` says another row shares the rank, so a screen can show "=" and the audience knows the
//   listing order among them means nothing.
// - A limit keeps every row ranked `limit` or better, so a tie at the cut-off is never hidden by the
//   catalogue order: limit 3 over 9, 7, 7, 7, 3 gives four rows. The result may therefore be
//   longer than `limit` (at most the whole board; before the first vote every row is rank 1).
//   Limit 0 gives no rows.
//
// Thread-safety: a pure function over its arguments.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace expo::leaderboard {

struct Placement {
  std::size_t index = 0;  // the row's position in the input (its place in the tie order)
  std::size_t rank = 0;   // 1-based competition rank
  bool tied = false;      // another row has the same count (and so the same rank)
};

// `counts[i]` is the count of row i; rows are given in tie order. The result is in board order:
// count descending, then input order. O(n log n).
std::vector<Placement> rank_by_count(std::span<const std::int64_t> counts,
                                     std::optional<std::size_t> limit = std::nullopt);

}  // namespace expo::leaderboard

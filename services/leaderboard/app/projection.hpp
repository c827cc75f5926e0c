#pragma once
// The live projection: the consumer of checkins.v1, votes.v1 and admin.v1 (group
// leaderboard.boards_group) applying each batch to the live generation of the boards, exactly once
// (the guard in the generation records every offset applied, in the same script as the counts).
//
// Without a live generation (the first start, or Redis lost) it asks for a rebuild and fails the
// batch (retryable): the consumer offers the same batch again until the rebuild has swapped a
// generation in, so nothing read since is lost. When a rebuild swaps generations during a write, the
// write fails its generation check and is made again for the new one (whose guard skips what the
// rebuild already counted).
//
// Thread-safety: apply() runs on the consumer's thread.

#include <functional>
#include <memory>
#include <span>

#include "expo/core/result.hpp"

namespace expo::kafka {
struct Message;
}

namespace expo::leaderboard {

class BoardStore;

class BoardProjection {
 public:
  // Called from the consumer thread: `on_no_boards` when there is no live generation, `on_applied`
  // after a batch was applied.
  BoardProjection(std::shared_ptr<BoardStore> store, std::function<void()> on_no_boards,
                  std::function<void()> on_applied);

  Result<void> apply(std::span<const kafka::Message> messages);

 private:
  std::shared_ptr<BoardStore> store_;
  std::function<void()> on_no_boards_;
  std::function<void()> on_applied_;
};

}  // namespace expo::leaderboard

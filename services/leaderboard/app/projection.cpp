#include "app/projection.hpp"

#include "store/board_entries.hpp"
#include "store/board_store.hpp"

namespace expo::leaderboard {

BoardProjection::BoardProjection(std::shared_ptr<BoardStore> store, std::function<void()> on_no_boards,
                                 std::function<void()> on_applied)
    : store_(std::move(store)), on_no_boards_(std::move(on_no_boards)), on_applied_(std::move(on_applied)) {}

Result<void> BoardProjection::apply(std::span<const kafka::Message> messages) {
  const auto decoded = decode_board_messages(messages);
  // A swap between reading the live generation and writing is rare (a rebuild's last step); two in a
  // row rarer still. Beyond that the consumer's retry takes over.
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto live = store_->live_generation_sync();
    if (!live) return live.error();
    if (!*live) {
      on_no_boards_();
      return Error::retryable_error("boards_rebuilding", "there are no live boards: a rebuild is making them");
    }
    const Generation generation{.number = **live, .must_be_live = true};
    auto applied = store_->apply_sync(generation, board_entries(decoded, generation));
    if (applied) {
      on_applied_();
      return {};
    }
    if (applied.error().code != "generation_changed") return applied;
  }
  return Error::retryable_error("generation_changed", "the boards' live generation kept changing during the write");
}

}  // namespace expo::leaderboard

#pragma once
// The boards as this instance serves them: read from Redis every 250 ms (one script: counters,
// positions and display state at one moment), shared by the HTTP boards, the audit, the screen and
// the WebSocket stream. Whichever instance's consumer applied a change, every instance sees it within
// one interval, and the stream's coalescing is this same interval: when anything changed, one
// message is serialised and broadcast to every session.
//
// Also the watchdog of the boards: a read that finds no live generation (first start, Redis lost)
// asks for a rebuild.
//
// Thread-safety: every member on the io thread, but nudge().

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "expo/http/websocket.hpp"
#include "store/board_store.hpp"

namespace expo::model {
struct Event;
}
namespace expo::clock {
class Clock;
}

namespace expo::leaderboard {

struct LiveBoardsStats {
  std::uint64_t reads_failed = 0;
  std::uint64_t messages = 0;  // stream messages built (one per change)
};

class LiveBoards : public std::enable_shared_from_this<LiveBoards> {
 public:
  LiveBoards(boost::asio::io_context& io, std::shared_ptr<BoardStore> store, const model::Event& event,
             const clock::Clock& clock, std::shared_ptr<http::Broadcaster> broadcaster,
             std::function<void()> on_no_boards, std::size_t stream_rows,
             std::chrono::milliseconds interval = std::chrono::milliseconds(250));

  void start();
  void stop();
  // Reads now (besides the interval), then calls `then`: an operator's switch shows in this
  // instance's answers at once, in the others' within the interval.
  void refresh(std::function<void()> then);
  // This instance's projection applied a batch: read as soon as the interval since the last read
  // allows, rather than at the next tick (a vote reaches the screens sooner; still at most one
  // message per interval). Thread-safe: any thread.
  void nudge();

  // The state last read; nullopt until the first read succeeded.
  const std::optional<BoardsState>& state() const { return state_; }
  // The stream's message for the state last read (what a new session gets first); nullptr before.
  http::SharedMessage message() const { return message_; }
  std::int64_t version() const { return version_; }
  // The event-clock time of the last change seen ("" before the first read).
  const std::string& updated_at() const { return updated_at_; }
  // The current event day ("YYYY-MM-DD"), if the clock is on one.
  std::optional<std::string> today() const;
  const LiveBoardsStats& stats() const { return stats_; }

 private:
  void tick();
  void read(std::function<void()> then);
  void schedule();
  void take(BoardsState state);

  boost::asio::steady_timer timer_;
  std::shared_ptr<BoardStore> store_;
  const model::Event& event_;
  const clock::Clock& clock_;
  std::shared_ptr<http::Broadcaster> broadcaster_;
  std::function<void()> on_no_boards_;
  std::size_t stream_rows_;
  std::chrono::milliseconds interval_;
  bool stopped_ = false;
  bool reading_ = false;
  std::uint64_t failing_ = 0;  // reads failed in a row
  std::chrono::steady_clock::time_point last_read_{};
  std::optional<BoardsState> state_;
  std::optional<std::string> day_;
  http::SharedMessage message_;
  std::int64_t version_ = 0;
  std::string updated_at_;
  LiveBoardsStats stats_;
};

}  // namespace expo::leaderboard

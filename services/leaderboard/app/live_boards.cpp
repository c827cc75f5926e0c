#include "app/live_boards.hpp"

#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>

#include "app/boards_view.hpp"
#include "expo/clock/clock.hpp"
#include "expo/core/log.hpp"
#include "expo/event_model/event.hpp"

namespace expo::leaderboard {

LiveBoards::LiveBoards(boost::asio::io_context& io, std::shared_ptr<BoardStore> store, const model::Event& event,
                       const clock::Clock& clock, std::shared_ptr<http::Broadcaster> broadcaster,
                       std::function<void()> on_no_boards, std::size_t stream_rows,
                       std::chrono::milliseconds interval)
    : timer_(io),
      store_(std::move(store)),
      event_(event),
      clock_(clock),
      broadcaster_(std::move(broadcaster)),
      on_no_boards_(std::move(on_no_boards)),
      stream_rows_(stream_rows),
      interval_(interval) {}

void LiveBoards::start() {
  broadcaster_->set_snapshot([weak = weak_from_this()]() -> http::SharedMessage {
    auto self = weak.lock();
    return self ? self->message_ : nullptr;
  });
  tick();
}

void LiveBoards::stop() {
  stopped_ = true;
  timer_.cancel();
}

std::optional<std::string> LiveBoards::today() const {
  const auto index = event_.day_index(clock_.now());
  if (!index) return std::nullopt;
  return model::format_date(event_.days[*index]);
}

void LiveBoards::schedule() {
  if (stopped_) return;
  timer_.expires_after(interval_);
  timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    // Cancelled by nudge() (not by stop()): read now.
    if (!ec || (ec == boost::asio::error::operation_aborted && !self->stopped_)) self->tick();
  });
}

void LiveBoards::refresh(std::function<void()> then) {
  read([then = std::move(then)] { then(); });
}

void LiveBoards::nudge() {
  boost::asio::post(timer_.get_executor(), [weak = weak_from_this()] {
    auto self = weak.lock();
    if (!self || self->stopped_ || self->reading_) return;
    // Within the interval the scheduled tick comes soon enough; past it, read now and start the
    // interval again from here.
    if (std::chrono::steady_clock::now() - self->last_read_ < self->interval_) return;
    self->timer_.cancel();
  });
}

void LiveBoards::tick() {
  read([self = shared_from_this()] { self->schedule(); });
}

void LiveBoards::read(std::function<void()> then) {
  reading_ = true;
  last_read_ = std::chrono::steady_clock::now();
  store_->read_boards([self = shared_from_this(), then = std::move(then)](Result<BoardsState> read) {
    self->reading_ = false;
    if (!read) {
      // Redis away: keep serving the last boards; readiness reports the outage. The first reads may
      // come before the connection is up: a warning once a second of failures, then every 10 s.
      ++self->stats_.reads_failed;
      if (++self->failing_ % 40 == 4) log::warn("the boards could not be read", {{"error", read.error().message}});
    } else {
      self->failing_ = 0;
      if (!read->generation) self->on_no_boards_();
      self->take(std::move(*read));
    }
    then();
  });
}

void LiveBoards::take(BoardsState state) {
  auto day = today();
  // Positions alone (a tablet's event on admin.v1) change no board: no message for them.
  const bool changed = !state_ || state_->counts != state.counts ||
                       state_->display.frozen != state.display.frozen ||
                       state_->display.counts_hidden != state.display.counts_hidden || day_ != day;
  state_ = std::move(state);
  day_ = std::move(day);
  if (!changed) return;
  ++version_;
  ++stats_.messages;
  updated_at_ = clock::format_rfc3339(clock_.now(), event_.utc_offset);
  message_ = std::make_shared<const std::string>(
      boost::json::serialize(stream_message(event_, *state_, version_, updated_at_, day_, stream_rows_)));
  broadcaster_->broadcast(message_);
}

}  // namespace expo::leaderboard

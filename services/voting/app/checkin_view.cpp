#include "app/checkin_view.hpp"

#include <boost/asio/steady_timer.hpp>

#include "expo/events/topics.hpp"
#include "expo/kafka/producer.hpp"
#include "store/vote_store.hpp"

namespace expo::voting {
namespace {

// The consumer applies a check-in in well under a millisecond; polling Redis at this pace keeps the
// wait short without flooding it.
constexpr std::chrono::milliseconds poll_every{10};

}  // namespace

struct CheckinView::Wait {
  explicit Wait(boost::asio::io_context& io) : timer(io) {}
  boost::asio::steady_timer timer;
  std::vector<std::int64_t> targets;
  std::chrono::steady_clock::time_point deadline;
  std::function<void(Result<void>)> done;
};

CheckinView::CheckinView(boost::asio::io_context& io, kafka::Producer& producer, std::shared_ptr<VoteStore> store,
                         std::chrono::milliseconds max_wait)
    : io_(io), producer_(producer), store_(std::move(store)), max_wait_(max_wait) {}

void CheckinView::wait_until_current(std::function<void(Result<void>)> done) {
  auto wait = std::make_shared<Wait>(io_);
  wait->deadline = std::chrono::steady_clock::now() + max_wait_;
  wait->done = std::move(done);
  producer_.end_offsets(std::string(events::topics::checkins), max_wait_,
                        [self = shared_from_this(), wait](Result<std::vector<std::int64_t>> ends) {
                          if (!ends) return wait->done(ends.error());
                          wait->targets = std::move(*ends);
                          self->poll(wait);
                        });
}

void CheckinView::poll(std::shared_ptr<Wait> wait) {
  store_->checkins_position(wait->targets.size(), [self = shared_from_this(),
                                                   wait](Result<std::vector<std::int64_t>> positions) {
    if (!positions) return wait->done(positions.error());
    bool current = true;
    for (std::size_t p = 0; p < wait->targets.size(); ++p) current = current && (*positions)[p] >= wait->targets[p];
    if (current) return wait->done({});
    if (std::chrono::steady_clock::now() + poll_every > wait->deadline) {
      return wait->done(Error::retryable_error("checkins_view_behind",
                                               "the check-ins of the last moments are still being read; retry"));
    }
    wait->timer.expires_after(poll_every);
    wait->timer.async_wait([self, wait](boost::system::error_code ec) {
      if (ec) return wait->done(Error::retryable_error("stopping", "the service is stopping"));
      self->poll(wait);
    });
  });
}

}  // namespace expo::voting

#pragma once
// How far the voting service's view of checkins.v1 has come, and a way to wait until it covers a
// given moment. A vote refused as not_checked_in may have raced the check-in it needs (the tablet got
// its 201 a few milliseconds ago, and our consumer has not applied it yet), so before answering that,
// the vote asks Kafka where checkins.v1 ends now and waits until the view has applied up to there:
// every check-in acknowledged before the vote is then in the view. Only refusals pay this; accepted
// votes never wait.
// Thread-safety: wait_until_current() on the io thread.

#include <chrono>
#include <functional>
#include <memory>

#include "expo/core/result.hpp"

namespace boost::asio {
class io_context;
}
namespace expo::kafka {
class Producer;
}

namespace expo::voting {

class VoteStore;

class CheckinView : public std::enable_shared_from_this<CheckinView> {
 public:
  CheckinView(boost::asio::io_context& io, kafka::Producer& producer, std::shared_ptr<VoteStore> store,
              std::chrono::milliseconds max_wait);

  // `done({})` once the view covers every check-in Kafka acknowledged before this call; an error
  // "checkins_view_behind" (retryable) after max_wait, or the Kafka/Redis error that stopped it.
  void wait_until_current(std::function<void(Result<void>)> done);

 private:
  struct Wait;
  void poll(std::shared_ptr<Wait> wait);

  boost::asio::io_context& io_;
  kafka::Producer& producer_;
  std::shared_ptr<VoteStore> store_;
  std::chrono::milliseconds max_wait_;
};

}  // namespace expo::voting

#pragma once
// What operations do to voting, as events on admin.v1: open and close it, void the votes of a device
// or a visitor. Every instance follows admin.v1 whole (a consumer group of its own), so a switch
// reaches all of them within milliseconds; the ledger applies voids.
// Thread-safety: switch_voting/void_votes on the io thread; apply() on the admin consumer's thread;
// closed() anywhere.

#include <atomic>
#include <functional>
#include <string>
#include <string_view>

#include "expo/core/result.hpp"
#include "expo/events/votes.hpp"

namespace expo::clock {
class Clock;
}
namespace expo::kafka {
class Producer;
}
namespace expo::model {
struct Event;
}

namespace expo::voting {

class Operations {
 public:
  Operations(const model::Event& event, const clock::Clock& clock, kafka::Producer& producer);

  // Closed by operations (opening hours are the rules' business, not this switch's).
  bool closed() const { return closed_.load(std::memory_order_acquire); }
  void apply(const events::votes::VotingSwitched& switched) { closed_.store(!switched.open, std::memory_order_release); }

  // Done once admin.v1 acknowledged the event.
  // request_id: of the HTTP call, copied into the event's headers (libs/kafka/tracing.hpp).
  void switch_voting(bool open, std::string_view request_id, std::function<void(Result<void>)> done);
  // `target` names exactly one of visitor_id and device_id; done with the void's id.
  void void_votes(events::votes::Voided target, std::string_view request_id,
                  std::function<void(Result<std::string>)> done);

 private:
  const model::Event& event_;
  const clock::Clock& clock_;
  kafka::Producer& producer_;
  std::atomic<bool> closed_{false};
};

}  // namespace expo::voting

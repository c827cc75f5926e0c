#include <vector>

#include "expo/http/websocket.hpp"

namespace expo::http {

void Broadcaster::join(detail::MessageSink* sink) {
  sinks_.insert(sink);
  if (snapshot_) {
    if (auto first = snapshot_()) sink->push(std::move(first));
  }
}

void Broadcaster::broadcast(const SharedMessage& message) {
  // A push may drop a slow session, which leaves the set: iterate over a copy.
  const std::vector<detail::MessageSink*> targets(sinks_.begin(), sinks_.end());
  for (auto* sink : targets) {
    if (sinks_.contains(sink)) sink->push(message);
  }
}

void Broadcaster::close_all() {
  const std::vector<detail::MessageSink*> targets(sinks_.begin(), sinks_.end());
  for (auto* sink : targets) sink->close();
}

}  // namespace expo::http

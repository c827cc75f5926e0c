#pragma once
// Server-to-client WebSocket fan-out. A message is serialised once and shared (shared_ptr<const
// std::string>) by every session. Each session has a bounded queue with one write in flight; a client
// too slow to keep up is dropped rather than waited for. Sessions answer pings and ping idle peers.
// Thread-safety: call every member from the io_context's thread.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <unordered_set>

namespace expo::http {

using SharedMessage = std::shared_ptr<const std::string>;

namespace detail {
class MessageSink {
 public:
  virtual ~MessageSink() = default;
  virtual void push(SharedMessage message) = 0;
  virtual void close() = 0;
};
}  // namespace detail

class Broadcaster {
 public:
  explicit Broadcaster(std::size_t per_session_queue_limit = 64) : queue_limit_(per_session_queue_limit) {}

  // What a newly connected session receives first (e.g. the current boards); may return nullptr.
  void set_snapshot(std::function<SharedMessage()> snapshot) { snapshot_ = std::move(snapshot); }
  void broadcast(const SharedMessage& message);
  // Closes every session (graceful stop).
  void close_all();

  std::size_t session_count() const { return sinks_.size(); }
  std::size_t queue_limit() const { return queue_limit_; }
  std::uint64_t dropped_sessions() const { return dropped_; }

  // Used by the WebSocket sessions themselves.
  void join(detail::MessageSink* sink);
  void leave(detail::MessageSink* sink) { sinks_.erase(sink); }
  void count_drop() { ++dropped_; }

 private:
  std::size_t queue_limit_;
  std::function<SharedMessage()> snapshot_;
  std::unordered_set<detail::MessageSink*> sinks_;
  std::uint64_t dropped_ = 0;
};

}  // namespace expo::http

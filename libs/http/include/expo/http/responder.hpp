#pragma once
// The one-shot channel a handler answers through. A handler may answer at once or later (after a
// Kafka delivery report, say); the connection waits for it. Copies share one answer, so a Responder
// can ride inside std::function callbacks: the first send() wins, later ones are ignored. send() may
// be called from any thread: the response is dispatched to the connection's executor. When the last
// copy dies without an answer, the client gets a 500, so a bug never leaves it hanging.

#include <memory>

#include "expo/http/response.hpp"

namespace expo::http {

namespace detail {
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  virtual void deliver(Response response) = 0;
};
}  // namespace detail

class Responder {
 public:
  explicit Responder(std::shared_ptr<detail::ResponseSink> sink);

  void send(Response response) const;
  bool sent() const noexcept;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace expo::http

#include "expo/http/responder.hpp"

#include <atomic>

namespace expo::http {

struct Responder::State {
  std::shared_ptr<detail::ResponseSink> sink;
  std::atomic<bool> sent{false};

  explicit State(std::shared_ptr<detail::ResponseSink> s) : sink(std::move(s)) {}
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() {
    if (!sent.load()) {
      sink->deliver(Response::error(500, "internal", "the request was not answered"));
    }
  }
};

Responder::Responder(std::shared_ptr<detail::ResponseSink> sink)
    : state_(std::make_shared<State>(std::move(sink))) {}

void Responder::send(Response response) const {
  if (state_->sent.exchange(true)) return;
  state_->sink->deliver(std::move(response));
}

bool Responder::sent() const noexcept { return state_->sent.load(); }

}  // namespace expo::http

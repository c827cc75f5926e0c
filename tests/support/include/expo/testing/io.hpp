#pragma once
// Driving an io_context from a test's own thread.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>

namespace expo::testing {

// Runs the io_context until `done()` holds or `timeout` passes; true when it holds. Handlers posted
// from other threads (delivery reports, say) run here even while the io_context has no other work.
template <class Pred>
bool run_until(boost::asio::io_context& io, Pred done, std::chrono::milliseconds timeout) {
  // A previous run that ran out of work left the io_context stopped.
  if (io.stopped()) io.restart();
  auto guard = boost::asio::make_work_guard(io);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    io.run_one_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace expo::testing

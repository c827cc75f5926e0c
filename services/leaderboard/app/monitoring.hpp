#pragma once
// The monitoring part of the operations page, asked of Prometheus (which scrapes every service):
// targets up, consumer lag per service and topic, and 5xx answers per second per service. The
// leaderboard asks rather than the browser: Prometheus stays on the internal network, and the page
// needs only the admin token it already has.
//
//   {"available": true, "targets": [{service, up}], "consumer_lag": [{service, topic, lag}],
//    "error_rates": [{service, per_second}]}
//   {"available": false, "error": "..."}   when Prometheus is not configured or does not answer
//
// Thread-safety: io thread only; `done` runs there.

#include <functional>
#include <optional>

#include <boost/json/object.hpp>

#include "expo/http/client.hpp"

namespace expo::leaderboard {

class Monitoring {
 public:
  // No endpoint: monitoring not configured (answers available: false).
  Monitoring(boost::asio::io_context& io, std::optional<http::Endpoint> prometheus);
  void query(std::function<void(boost::json::object)> done);

 private:
  boost::asio::io_context& io_;
  std::optional<http::Endpoint> prometheus_;
};

}  // namespace expo::leaderboard

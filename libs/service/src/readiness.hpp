#pragma once
// Probes Kafka and Redis on a timer so /readyz answers from memory at once. A dependency is "up"
// after its last probe succeeded. Runs on the io thread; the Kafka probe itself runs off it.

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>

#include "expo/http/response.hpp"

namespace expo::kafka {
class Producer;
}
namespace expo::redis {
class Client;
}
namespace expo::metrics {
class ServiceMetrics;
}

namespace expo::service::detail {

class Readiness : public std::enable_shared_from_this<Readiness> {
 public:
  Readiness(boost::asio::io_context& io, std::chrono::milliseconds interval, kafka::Producer& producer,
            std::shared_ptr<redis::Client> redis, metrics::ServiceMetrics& metrics);

  void start();
  // From now on /readyz answers 503 "stopping" (so load balancers stop sending) and probes end.
  void stop();
  http::Response response() const;

 private:
  void probe();
  void schedule();
  void set(bool& field, std::string_view name, bool up);

  boost::asio::steady_timer timer_;
  std::chrono::milliseconds interval_;
  kafka::Producer& producer_;
  std::shared_ptr<redis::Client> redis_;
  metrics::ServiceMetrics& metrics_;
  bool kafka_up_ = false;
  bool redis_up_ = false;
  int probes_outstanding_ = 0;
  bool stopping_ = false;
};

}  // namespace expo::service::detail

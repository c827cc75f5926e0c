#include "readiness.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "expo/core/log.hpp"
#include "expo/kafka/producer.hpp"
#include "expo/metrics/standard.hpp"
#include "expo/redis/client.hpp"

namespace expo::service::detail {

Readiness::Readiness(boost::asio::io_context& io, std::chrono::milliseconds interval, kafka::Producer& producer,
                     std::shared_ptr<redis::Client> redis, metrics::ServiceMetrics& metrics)
    : timer_(io), interval_(interval), producer_(producer), redis_(std::move(redis)), metrics_(metrics) {}

void Readiness::start() { probe(); }

void Readiness::stop() {
  stopping_ = true;
  timer_.cancel();
}

void Readiness::set(bool& field, std::string_view name, bool up) {
  if (field != up) {
    if (up) {
      log::info("dependency up", {{"dependency", name}});
    } else {
      log::warn("dependency down", {{"dependency", name}});
    }
  }
  field = up;
  metrics_.set_dependency_up(name, up);
}

void Readiness::probe() {
  if (stopping_) return;
  // Both probes time out well within one interval, so a dependency that goes away shows as down
  // within interval + timeout (under 5 s with the defaults).
  probes_outstanding_ = 2;
  const auto timeout = std::min(interval_ * 2, std::chrono::milliseconds(2000));
  producer_.check_reachable(timeout, [self = shared_from_this()](bool up) {
    self->set(self->kafka_up_, "kafka", up);
    if (--self->probes_outstanding_ == 0) self->schedule();
  });
  redis_->command({"PING"}, [self = shared_from_this()](Result<redis::Reply> reply) {
    self->set(self->redis_up_, "redis", reply.ok());
    if (--self->probes_outstanding_ == 0) self->schedule();
  });
}

void Readiness::schedule() {
  if (stopping_) return;
  timer_.expires_after(interval_);
  timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) self->probe();
  });
}

http::Response Readiness::response() const {
  boost::json::object checks;
  checks["kafka"] = kafka_up_ ? "up" : "down";
  checks["redis"] = redis_up_ ? "up" : "down";
  if (!stopping_ && kafka_up_ && redis_up_) {
    boost::json::object body;
    body["status"] = "ready";
    body["checks"] = std::move(checks);
    return http::Response::json(200, boost::json::serialize(body));
  }
  std::string down;
  if (stopping_) down = "the service is stopping";
  for (const char* name : {"kafka", "redis"}) {
    if (checks[name] == "down") {
      if (!down.empty()) down += "; ";
      down += std::string(name) + " is unreachable";
    }
  }
  boost::json::object error;
  error["code"] = "not_ready";
  error["message"] = down;
  boost::json::object body;
  body["error"] = std::move(error);
  body["checks"] = std::move(checks);
  return http::Response::json(503, boost::json::serialize(body)).with_header("Retry-After", "1");
}

}  // namespace expo::service::detail

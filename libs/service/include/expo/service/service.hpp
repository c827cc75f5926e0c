#pragma once
// What every service process shares: the command line, the configuration, the event and clock, the
// io_context, Kafka producer, Redis client, metrics, the HTTP server with /healthz, /readyz,
// /metrics and /v1/event, and an orderly stop on SIGTERM. A service's main() only composes:
//
//   int main(int argc, char** argv) {
//     return expo::service::run(argc, argv, {.name = "checkin", .default_port = 8082,
//                                            .setup = [](expo::service::Context& c) { ... }});
//   }
//
// Stop order on SIGTERM/SIGINT: /readyz turns 503, the server stops accepting and drains requests in
// progress, the consumers commit and leave their groups (all at once), the service's stop hooks run,
// the producer flushes, Redis disconnects, the process exits 0. A second signal exits at once with status 1.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "expo/core/result.hpp"
#include "expo/kafka/consumer.hpp"

namespace boost::asio {
class io_context;
}
namespace expo::config {
class Schema;
class Settings;
}  // namespace expo::config
namespace expo::model {
struct Event;
}
namespace expo::clock {
class Clock;
}
namespace expo::http {
class Router;
}
namespace expo::metrics {
class Registry;
}
namespace expo::kafka {
class Producer;
}
namespace expo::redis {
class Client;
}

namespace expo::service {

// Everything a service's setup may use. References stay valid until run() returns.
struct Context {
  std::string name;
  boost::asio::io_context& io;
  const config::Settings& settings;
  const model::Event& event;
  const clock::Clock& clock;
  http::Router& router;
  metrics::Registry& metrics;
  kafka::Producer& producer;
  std::shared_ptr<redis::Client> redis;
  // For consumer handlers' blocking calls (command_sync/eval_sync): the same Redis on a connection
  // and thread of its own, so projections keep pace while HTTP work fills the io thread.
  std::shared_ptr<redis::Client> projection_redis;
  // The admin token (may be empty: admin routes then answer 403 admin_disabled).
  const std::string& admin_token;
  // Hooks run on a worker thread during stop, after HTTP drained and before the producer flushes
  // (e.g. a consumer's stop(), which commits offsets). They may block; they must not need the io
  // thread to be free of blocking work (it keeps running meanwhile).
  std::function<void(std::function<void()>)> on_stop;
  // Starts a consumer on its own thread, reporting its lag as expo_kafka_consumer_lag and stopped
  // (offsets committed) in the stop sequence. Empty brokers and client_id take the service's own.
  std::function<Result<void>(kafka::ConsumerConfig, kafka::Handler)> start_consumer;
  // The same for a handler of batches (kafka::Consumer::create_batched): for projections that apply
  // many messages in one Redis script.
  std::function<Result<void>(kafka::ConsumerConfig, kafka::BatchHandler, kafka::BatchOptions)> start_batched_consumer;
};

struct Definition {
  std::string name;             // "registration", "checkin", ...
  std::uint16_t default_port = 0;
  // Service-specific configuration keys, added to the common ones.
  std::function<void(config::Schema&)> extend_schema = {};
  // Checks the service-specific settings beyond their types (secrets, combinations); an error stops
  // the process with exit status 2, also under --check-config.
  std::function<Result<void>(const config::Settings&)> check_settings = {};
  // Adds routes, starts consumers. An error stops the process with exit status 1.
  std::function<Result<void>(Context&)> setup = {};
};

// Runs the service until it is told to stop. Exit status: 0 after a clean stop, 1 on a start-up
// failure (port taken, ...), 2 for invalid configuration or command line.
int run(int argc, char** argv, const Definition& definition);

}  // namespace expo::service

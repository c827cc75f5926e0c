#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <iostream>
#include <thread>
#include <vector>

#include "common_schema.hpp"
#include "dedicated_redis.hpp"
#include "expo/clock/clock.hpp"
#include "expo/config/config.hpp"
#include "expo/core/log.hpp"
#include "expo/event_model/event.hpp"
#include "expo/http/json_body.hpp"
#include "expo/http/router.hpp"
#include "expo/http/server.hpp"
#include "expo/kafka/consumer.hpp"
#include "expo/kafka/producer.hpp"
#include "expo/metrics/registry.hpp"
#include "expo/metrics/standard.hpp"
#include "expo/redis/client.hpp"
#include "expo/service/admin.hpp"
#include "expo/service/service.hpp"
#include "readiness.hpp"

#ifndef EXPO_VERSION
#define EXPO_VERSION "dev"
#endif

namespace expo::service {
namespace {

constexpr int exit_ok = 0;
constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

struct CommandLine {
  std::optional<std::filesystem::path> config_file;
  bool help = false;
  bool check_config = false;
  std::string error;
};

CommandLine parse_command_line(int argc, char** argv) {
  CommandLine cl;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--config" && i + 1 < argc) {
      cl.config_file = argv[++i];
    } else if (arg.starts_with("--config=")) {
      cl.config_file = std::string(arg.substr(9));
    } else if (arg == "--help" || arg == "-h") {
      cl.help = true;
    } else if (arg == "--check-config") {
      cl.check_config = true;
    } else {
      cl.error = "unknown argument '" + std::string(arg) + "'";
    }
  }
  return cl;
}

// 10,000 idle connections need more descriptors than the usual soft limit of 1024.
void raise_descriptor_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

http::ServerConfig server_config(const config::Settings& s) {
  http::ServerConfig c;
  c.host = s.str("http.host");
  c.port = static_cast<std::uint16_t>(s.integer("http.port"));
  c.body_limit = static_cast<std::size_t>(s.integer("http.body_limit_bytes"));
  c.max_in_flight = static_cast<std::size_t>(s.integer("http.max_in_flight"));
  c.max_connections = static_cast<std::size_t>(s.integer("http.max_connections"));
  c.header_timeout = std::chrono::milliseconds(s.integer("http.header_timeout_ms"));
  c.idle_timeout = std::chrono::milliseconds(s.integer("http.idle_timeout_ms"));
  return c;
}

Result<model::Event> load_event(const config::Settings& s) {
  const auto file = s.str("event.file");
  if (file.empty()) return model::default_event();
  return model::load_event_file(file);
}

Result<clock::Clock> make_clock(const config::Settings& s, const model::Event& event) {
  std::optional<std::chrono::system_clock::time_point> anchor;
  if (const auto ms = s.integer("clock.anchor_ms"); ms > 0) {
    anchor = std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
  }
  // The rehearsal: day 1 at 09:00 local time.
  const auto rehearsal_start = event.local_time(0, std::chrono::hours(9));
  return clock::clock_from_setting(s.str("clock.start"), anchor, rehearsal_start);
}

// Routes every service has.
void add_common_routes(http::Router& router, metrics::Registry& registry, std::shared_ptr<detail::Readiness> readiness,
                       std::shared_ptr<const std::string> event_json, const std::string& admin_token) {
  router.get("/healthz", [](const http::Request&, http::Responder responder) {
    responder.send(http::Response::json(200, R"({"status":"alive"})"));
  });
  router.get("/readyz", [readiness](const http::Request&, http::Responder responder) {
    responder.send(readiness->response());
  });
  router.get("/metrics", [&registry](const http::Request&, http::Responder responder) {
    responder.send(http::Response::text(200, registry.scrape(), metrics::Registry::content_type));
  });
  router.get("/v1/event", [event_json](const http::Request&, http::Responder responder) {
    responder.send(http::Response::json(200, *event_json));
  });
  // Operations may turn up logging during an incident without a restart.
  router.put("/v1/admin/log-level", [&admin_token](const http::Request& request, http::Responder responder) {
    if (auto refusal = check_admin(request, admin_token)) return responder.send(std::move(*refusal));
    auto body = http::parse_json_object(request);
    if (!body) return responder.send(http::json_body_error(body.error()));
    const auto* level_value = body->if_contains("level");
    log::Level level{};
    if (!level_value || !level_value->is_string() || !log::parse_level(level_value->as_string(), level)) {
      return responder.send(
          http::Response::error(422, "invalid_level", "level must be one of debug, info, warn, error"));
    }
    log::set_level(level);
    log::info("log level changed", {{"level", level_value->as_string()}});
    responder.send(http::Response::json(200, R"({"level":")" + std::string(level_value->as_string()) + R"("})"));
  });
}

}  // namespace

int run(int argc, char** argv, const Definition& definition) {
  log::set_service(definition.name);
  const auto cl = parse_command_line(argc, argv);
  auto schema = detail::common_schema(definition.default_port);
  if (definition.extend_schema) definition.extend_schema(schema);
  if (!cl.error.empty()) {
    std::cerr << definition.name << ": " << cl.error << "\nusage: expo-" << definition.name
              << " [--config FILE] [--check-config] [--help]\n";
    return exit_usage;
  }
  if (cl.help) {
    std::cout << "usage: expo-" << definition.name << " [--config FILE] [--check-config] [--help]\n\n"
              << "Settings (file key, environment variable):\n"
              << config::describe(schema);
    return exit_ok;
  }
  auto settings = config::load(schema, cl.config_file, config::process_environment());
  if (!settings) {
    std::cerr << "config: " << settings.error().message << "\n";
    return exit_usage;
  }
  log::Level level{};
  log::parse_level(settings->str("log.level"), level);
  log::set_level(level);

  auto event = load_event(*settings);
  if (!event) {
    std::cerr << "config: event: " << event.error().message << "\n";
    return exit_usage;
  }
  auto clock = make_clock(*settings, *event);
  if (!clock) {
    std::cerr << "config: clock: " << clock.error().message << "\n";
    return exit_usage;
  }
  if (definition.check_settings) {
    if (auto checked = definition.check_settings(*settings); !checked) {
      std::cerr << "config: " << checked.error().message << "\n";
      return exit_usage;
    }
  }
  if (cl.check_config) {
    std::cout << "configuration ok\n";
    return exit_ok;
  }
  raise_descriptor_limit();

  boost::asio::io_context io(1);
  auto work = boost::asio::make_work_guard(io);
  metrics::Registry registry;
  metrics::HttpMetrics http_metrics(registry);
  metrics::KafkaMetrics kafka_metrics(registry);
  metrics::RedisMetrics redis_metrics(registry);
  metrics::ServiceMetrics service_metrics(registry, definition.name, EXPO_VERSION);

  kafka::ProducerConfig producer_config;
  producer_config.brokers = settings->str("kafka.brokers");
  producer_config.client_id = definition.name;
  producer_config.delivery_timeout = std::chrono::milliseconds(settings->integer("kafka.delivery_timeout_ms"));
  auto producer = kafka::Producer::create(
      io, producer_config,
      {.on_delivery = [&kafka_metrics](std::string_view topic, std::chrono::microseconds latency, bool ok) {
        kafka_metrics.observe_produce(topic, latency, ok);
      }});
  if (!producer) {
    log::error("cannot create the Kafka producer", {{"error", producer.error().message}});
    return exit_failure;
  }

  redis::ClientConfig redis_config;
  redis_config.host = settings->str("redis.host");
  redis_config.port = static_cast<int>(settings->integer("redis.port"));
  redis_config.command_timeout = std::chrono::milliseconds(settings->integer("redis.command_timeout_ms"));
  auto redis = redis::Client::create(
      io, redis_config,
      {.on_command = [&redis_metrics](std::chrono::microseconds latency,
                                      bool ok) { redis_metrics.observe_command(latency, ok); },
       .on_connection = [&redis_metrics](bool connected) { redis_metrics.set_connected(connected); }});
  redis->start();
  // Declared before the consumers (which use it), so it is destroyed after them.
  detail::DedicatedRedis projection_redis(
      redis_config, {.on_command = [&redis_metrics](std::chrono::microseconds latency,
                                                    bool ok) { redis_metrics.observe_command(latency, ok); },
                     // Readiness and expo_redis_connected follow the main connection.
                     .on_connection = {}});

  auto readiness = std::make_shared<detail::Readiness>(
      io, std::chrono::milliseconds(settings->integer("readiness.interval_ms")), **producer, redis, service_metrics);

  const std::string admin_token = settings->str("admin.token");
  http::Router router;
  add_common_routes(router, registry, readiness, std::make_shared<const std::string>(model::public_event_json(*event)),
                    admin_token);

  std::vector<std::function<void()>> stop_hooks;
  std::vector<std::function<void()>> consumer_stops;
  std::vector<std::unique_ptr<kafka::Consumer>> consumers;
  // Fills in the service's brokers and client id, reports lag as metrics, starts the consumer and
  // puts it in the stop sequence; `create` makes the single or the batched form.
  using CreateConsumer =
      std::function<Result<std::unique_ptr<kafka::Consumer>>(kafka::ConsumerConfig, kafka::ConsumerObserver)>;
  auto start_consumer = [&](kafka::ConsumerConfig config, const CreateConsumer& create) -> Result<void> {
    if (config.brokers.empty()) config.brokers = producer_config.brokers;
    if (config.client_id.empty()) config.client_id = definition.name;
    auto consumer = create(std::move(config),
                           {.on_lag = [&kafka_metrics](std::string_view topic, std::int32_t partition, std::int64_t lag) {
                             kafka_metrics.set_consumer_lag(topic, partition, lag);
                           }});
    if (!consumer) return consumer.error();
    (*consumer)->start();
    consumer_stops.push_back([c = consumer->get()] { c->stop(); });
    consumers.push_back(std::move(*consumer));
    return {};
  };
  Context context{.name = definition.name,
                  .io = io,
                  .settings = *settings,
                  .event = *event,
                  .clock = *clock,
                  .router = router,
                  .metrics = registry,
                  .producer = **producer,
                  .redis = redis,
                  .projection_redis = projection_redis.client(),
                  .admin_token = admin_token,
                  .on_stop = [&stop_hooks](std::function<void()> hook) { stop_hooks.push_back(std::move(hook)); },
                  .start_consumer = [&](kafka::ConsumerConfig config, kafka::Handler handler) -> Result<void> {
                    return start_consumer(std::move(config), [&](kafka::ConsumerConfig c, kafka::ConsumerObserver o) {
                      return kafka::Consumer::create(std::move(c), std::move(handler), std::move(o));
                    });
                  },
                  .start_batched_consumer = [&](kafka::ConsumerConfig config, kafka::BatchHandler handler,
                                                kafka::BatchOptions options) -> Result<void> {
                    return start_consumer(std::move(config), [&](kafka::ConsumerConfig c, kafka::ConsumerObserver o) {
                      return kafka::Consumer::create_batched(std::move(c), std::move(handler), std::move(o), options);
                    });
                  }};
  if (definition.setup) {
    if (auto ready = definition.setup(context); !ready) {
      log::error("service set-up failed", {{"error", ready.error().message}});
      return exit_failure;
    }
  }

  http::Server server(io, server_config(*settings), router,
                      {.on_response = [&http_metrics](std::string_view route, http::Method method, int status,
                                                      std::chrono::nanoseconds latency) {
                        http_metrics.observe(route, http::to_string(method), status, latency);
                      }});
  if (auto started = server.start(); !started) {
    log::error("cannot start the HTTP server", {{"error", started.error().message}});
    redis->stop();
    (*producer)->stop(std::chrono::milliseconds(0));
    return exit_failure;
  }
  readiness->start();
  // expo_event_open follows the event clock. A timer on the io thread keeps it current (a second
  // late at most) so a scrape only reads the registry; is_open() is arithmetic, it never blocks.
  boost::asio::steady_timer event_open_timer(io);
  std::function<void()> update_event_open = [&] {
    service_metrics.set_event_open(event->is_open(clock->now()));
    event_open_timer.expires_after(std::chrono::seconds(1));
    event_open_timer.async_wait([&](boost::system::error_code ec) {
      if (!ec) update_event_open();
    });
  };
  update_event_open();
  log::info("started", {{"port", std::to_string(server.port())},
                        {"kafka", producer_config.brokers},
                        {"redis", redis_config.host + ":" + std::to_string(redis_config.port)},
                        {"event", event->id},
                        {"clock", clock->is_real() ? "real" : clock::format_rfc3339(clock->now(), event->utc_offset)},
                        {"version", EXPO_VERSION}});

  // The stop sequence (see service.hpp). Blocking steps run on a worker so the io thread keeps
  // serving what they wait for (Redis replies to consumers, delivery reports).
  std::thread stopper;
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  bool stopping = false;
  std::function<void(boost::system::error_code, int)> on_signal = [&](boost::system::error_code ec, int signal) {
    if (ec) return;
    if (stopping) {
      log::warn("second signal: exiting now", {{"signal", std::to_string(signal)}});
      std::_Exit(exit_failure);
    }
    stopping = true;
    signals.async_wait(on_signal);
    log::info("stopping", {{"signal", std::to_string(signal)}});
    readiness->stop();
    server.stop([&] {
      stopper = std::thread([&] {
        // Consumers leave their groups side by side: right after a broker restart each may wait for
        // its group's rebalance, and one after another they could outlast the orchestrator's grace.
        std::vector<std::thread> leaving;
        for (auto& consumer_stop : consumer_stops) leaving.emplace_back(consumer_stop);
        for (auto& t : leaving) t.join();
        for (auto& hook : stop_hooks) hook();
        (*producer)->stop(std::chrono::milliseconds(5000));
        boost::asio::post(io, [&] {
          redis->stop();
          event_open_timer.cancel();
          signals.cancel();
          work.reset();
          io.stop();
        });
      });
    });
  };
  signals.async_wait(on_signal);

  io.run();
  if (stopper.joinable()) stopper.join();
  log::info("stopped");
  return exit_ok;
}

}  // namespace expo::service

#include "common_schema.hpp"

#include "expo/core/log.hpp"

namespace expo::service::detail {

config::Schema common_schema(std::uint16_t default_port) {
  using config::Field;
  using config::Type;
  config::Schema schema;
  schema
      .add(Field{.key = "http.host", .type = Type::string, .default_value = std::string("127.0.0.1"),
                 .help = "address to listen on"})
      .add(Field{.key = "http.port", .type = Type::integer, .default_value = std::int64_t{default_port},
                 .help = "port to listen on (0 picks a free one)", .min = 0, .max = 65535})
      .add(Field{.key = "http.body_limit_bytes", .type = Type::integer, .default_value = std::int64_t{64 * 1024},
                 .help = "largest request body accepted; larger ones get 413", .min = 1024, .max = 64 * 1024 * 1024})
      .add(Field{.key = "http.max_in_flight", .type = Type::integer, .default_value = std::int64_t{1024},
                 .help = "requests handled at once; beyond it 503 with Retry-After", .min = 1, .max = 1000000})
      .add(Field{.key = "http.max_connections", .type = Type::integer, .default_value = std::int64_t{20000},
                 .help = "open connections; beyond it new ones are closed", .min = 1, .max = 1000000})
      .add(Field{.key = "http.header_timeout_ms", .type = Type::integer, .default_value = std::int64_t{10000},
                 .help = "a new connection must send its request head within this time", .min = 100,
                 .max = 3600000})
      .add(Field{.key = "http.idle_timeout_ms", .type = Type::integer, .default_value = std::int64_t{120000},
                 .help = "a kept-alive connection may stay idle this long", .min = 100, .max = 86400000})
      .add(Field{.key = "kafka.brokers", .type = Type::string, .default_value = std::string("127.0.0.1:19092"),
                 .help = "Kafka bootstrap servers, host:port[,host:port]",
                 .validate = [](const config::Value& v) -> std::optional<std::string> {
                   if (std::get<std::string>(v).empty()) return "must name at least one broker";
                   return std::nullopt;
                 }})
      .add(Field{.key = "kafka.delivery_timeout_ms", .type = Type::integer, .default_value = std::int64_t{5000},
                 .help = "how long a write waits for Kafka's acknowledgement before answering 503", .min = 100,
                 .max = 300000})
      .add(Field{.key = "redis.host", .type = Type::string, .default_value = std::string("127.0.0.1"),
                 .help = "Redis host"})
      .add(Field{.key = "redis.port", .type = Type::integer, .default_value = std::int64_t{16379},
                 .help = "Redis port", .min = 1, .max = 65535})
      .add(Field{.key = "redis.command_timeout_ms", .type = Type::integer, .default_value = std::int64_t{1000},
                 .help = "a Redis command without a reply by then fails and the connection is renewed",
                 .min = 10, .max = 60000})
      .add(Field{.key = "readiness.interval_ms", .type = Type::integer, .default_value = std::int64_t{1000},
                 .help = "how often Kafka and Redis are probed for /readyz", .min = 100, .max = 60000})
      .add(Field{.key = "event.file", .type = Type::string, .default_value = std::string(),
                 .help = "event configuration (JSON); empty uses the embedded 2023 event"})
      .add(Field{.key = "clock.start", .type = Type::string, .default_value = std::string(),
                 .help = "'' rehearsal (day 1 09:00 local is the start moment), 'real', or an RFC 3339 time",
                 .extra_env = {"EVENT_CLOCK_START"}})
      .add(Field{.key = "clock.anchor_ms", .type = Type::integer, .default_value = std::int64_t{0},
                 .help = "Unix time (ms) at which clock.start applies, so services started together agree; 0 = "
                         "process start",
                 .min = 0, .extra_env = {"EVENT_CLOCK_ANCHOR_MS"}})
      .add(Field{.key = "admin.token", .type = Type::string, .default_value = std::string(),
                 .help = "bearer token for admin routes; empty disables them", .extra_env = {"ADMIN_TOKEN"},
                 .validate = [](const config::Value& v) -> std::optional<std::string> {
                   const auto& token = std::get<std::string>(v);
                   if (!token.empty() && token.size() < 16) return "must be at least 16 characters";
                   return std::nullopt;
                 }})
      .add(Field{.key = "log.level", .type = Type::string, .default_value = std::string("info"),
                 .help = "debug, info, warn or error",
                 .validate = [](const config::Value& v) -> std::optional<std::string> {
                   log::Level level{};
                   if (!log::parse_level(std::get<std::string>(v), level)) return "must be debug, info, warn or error";
                   return std::nullopt;
                 }});
  return schema;
}

}  // namespace expo::service::detail

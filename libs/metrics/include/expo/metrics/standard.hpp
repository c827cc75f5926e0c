#pragma once
// The instruments every service has, one class per mechanism. Each is built once at start.
//   expo_http_requests_total{route,method,status_class}          counter
//   expo_http_request_duration_seconds{route,method}             histogram
//   expo_kafka_produce_duration_seconds{topic}                   histogram (send to delivery report)
//   expo_kafka_produce_errors_total{topic}                       counter
//   expo_kafka_consumer_lag{topic,partition}                     gauge (messages behind the high watermark)
//   expo_redis_command_duration_seconds                          histogram
//   expo_redis_command_errors_total                              counter
//   expo_redis_connected                                         gauge 0/1
//   expo_dependency_up{dependency="kafka"|"redis"}               gauge 0/1, what /readyz reports
//   expo_build_info{service,version}                             gauge 1
//   expo_event_open                                              gauge 0/1, an event day's opening hours now
// Route labels are route patterns, never raw paths, so their number is fixed by the code.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace expo::metrics {

class Registry;

// Not thread-safe: observe() from the io thread only (it caches label sets without a lock).
class HttpMetrics {
 public:
  explicit HttpMetrics(Registry& registry);
  ~HttpMetrics();
  void observe(std::string_view route, std::string_view method, int status, std::chrono::nanoseconds latency);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Thread-safe.
class KafkaMetrics {
 public:
  explicit KafkaMetrics(Registry& registry);
  ~KafkaMetrics();
  void observe_produce(std::string_view topic, std::chrono::microseconds latency, bool ok);
  void set_consumer_lag(std::string_view topic, std::int32_t partition, std::int64_t lag);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Thread-safe.
class RedisMetrics {
 public:
  explicit RedisMetrics(Registry& registry);
  ~RedisMetrics();
  void observe_command(std::chrono::microseconds latency, bool ok);
  void set_connected(bool connected);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Thread-safe.
class ServiceMetrics {
 public:
  ServiceMetrics(Registry& registry, std::string_view service, std::string_view version);
  ~ServiceMetrics();
  void set_dependency_up(std::string_view dependency, bool up);
  // Whether the event is open now (an event day, within its hours, on the service's clock): what
  // alerts "during opening hours" join on.
  void set_event_open(bool open);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace expo::metrics

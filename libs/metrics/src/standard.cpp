#include "expo/metrics/standard.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <mutex>
#include <string>
#include <unordered_map>

#include "expo/metrics/registry.hpp"

namespace expo::metrics {
namespace {

using Seconds = std::chrono::duration<double>;

// Latency buckets from 0.5 ms to 10 s: HTTP handlers, Kafka acks and Redis round trips all fit.
prometheus::Histogram::BucketBoundaries latency_buckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::string_view status_class(int status) {
  if (status >= 500) return "5xx";
  if (status >= 400) return "4xx";
  if (status >= 300) return "3xx";
  if (status >= 200) return "2xx";
  return "1xx";
}

struct TransparentHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace

struct HttpMetrics::Impl {
  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Family<prometheus::Histogram>& durations;
  struct Cached {
    prometheus::Counter* counter;
    prometheus::Histogram* histogram;
  };
  std::unordered_map<std::string, Cached, TransparentHash, std::equal_to<>> cache;
  std::string key;  // reused buffer: no allocation per request once warm
};

HttpMetrics::HttpMetrics(Registry& registry)
    : impl_(new Impl{prometheus::BuildCounter()
                         .Name("expo_http_requests_total")
                         .Help("HTTP requests answered, by route pattern, method and status class")
                         .Register(registry.prometheus()),
                     prometheus::BuildHistogram()
                         .Name("expo_http_request_duration_seconds")
                         .Help("Time from a request's arrival to its answer, by route pattern and method")
                         .Register(registry.prometheus()),
                     {},
                     {}}) {}

HttpMetrics::~HttpMetrics() = default;

void HttpMetrics::observe(std::string_view route, std::string_view method, int status,
                          std::chrono::nanoseconds latency) {
  const auto klass = status_class(status);
  auto& key = impl_->key;
  key.assign(route).append("\x1f").append(method).append("\x1f").append(klass);
  auto it = impl_->cache.find(std::string_view(key));
  if (it == impl_->cache.end()) {
    auto& counter = impl_->requests.Add(
        {{"route", std::string(route)}, {"method", std::string(method)}, {"status_class", std::string(klass)}});
    auto& histogram =
        impl_->durations.Add({{"route", std::string(route)}, {"method", std::string(method)}}, latency_buckets());
    it = impl_->cache.emplace(key, Impl::Cached{&counter, &histogram}).first;
  }
  it->second.counter->Increment();
  it->second.histogram->Observe(std::chrono::duration_cast<Seconds>(latency).count());
}

struct KafkaMetrics::Impl {
  prometheus::Family<prometheus::Histogram>& produce_durations;
  prometheus::Family<prometheus::Counter>& produce_errors;
  prometheus::Family<prometheus::Gauge>& lag;
};

KafkaMetrics::KafkaMetrics(Registry& registry)
    : impl_(new Impl{prometheus::BuildHistogram()
                         .Name("expo_kafka_produce_duration_seconds")
                         .Help("Time from produce to the broker's acknowledgement, by topic")
                         .Register(registry.prometheus()),
                     prometheus::BuildCounter()
                         .Name("expo_kafka_produce_errors_total")
                         .Help("Messages the broker did not acknowledge, by topic")
                         .Register(registry.prometheus()),
                     prometheus::BuildGauge()
                         .Name("expo_kafka_consumer_lag")
                         .Help("Messages between the consumer's position and the partition's end")
                         .Register(registry.prometheus())}) {}

KafkaMetrics::~KafkaMetrics() = default;

void KafkaMetrics::observe_produce(std::string_view topic, std::chrono::microseconds latency, bool ok) {
  // Family::Add returns the existing metric for known labels; topics are a fixed handful. The error
  // counter is added with the topic's first message, so it reads 0 (not "no data") until an error.
  const prometheus::Labels labels{{"topic", std::string(topic)}};
  impl_->produce_durations.Add(labels, latency_buckets())
      .Observe(std::chrono::duration_cast<Seconds>(latency).count());
  auto& errors = impl_->produce_errors.Add(labels);
  if (!ok) errors.Increment();
}

void KafkaMetrics::set_consumer_lag(std::string_view topic, std::int32_t partition, std::int64_t lag) {
  impl_->lag.Add({{"topic", std::string(topic)}, {"partition", std::to_string(partition)}})
      .Set(static_cast<double>(lag));
}

struct RedisMetrics::Impl {
  prometheus::Histogram& durations;
  prometheus::Counter& errors;
  prometheus::Gauge& connected;
};

RedisMetrics::RedisMetrics(Registry& registry)
    : impl_(new Impl{prometheus::BuildHistogram()
                         .Name("expo_redis_command_duration_seconds")
                         .Help("Round trip of Redis commands")
                         .Register(registry.prometheus())
                         .Add({}, latency_buckets()),
                     prometheus::BuildCounter()
                         .Name("expo_redis_command_errors_total")
                         .Help("Redis commands that failed (unavailable, timeout or error reply)")
                         .Register(registry.prometheus())
                         .Add({}),
                     prometheus::BuildGauge()
                         .Name("expo_redis_connected")
                         .Help("1 while the Redis connection is up")
                         .Register(registry.prometheus())
                         .Add({})}) {}

RedisMetrics::~RedisMetrics() = default;

void RedisMetrics::observe_command(std::chrono::microseconds latency, bool ok) {
  impl_->durations.Observe(std::chrono::duration_cast<Seconds>(latency).count());
  if (!ok) impl_->errors.Increment();
}

void RedisMetrics::set_connected(bool connected) { impl_->connected.Set(connected ? 1 : 0); }

struct ServiceMetrics::Impl {
  prometheus::Family<prometheus::Gauge>& dependency_up;
  prometheus::Gauge& event_open;
};

ServiceMetrics::ServiceMetrics(Registry& registry, std::string_view service, std::string_view version)
    : impl_(new Impl{prometheus::BuildGauge()
                         .Name("expo_dependency_up")
                         .Help("1 while the dependency answers the readiness check")
                         .Register(registry.prometheus()),
                     prometheus::BuildGauge()
                         .Name("expo_event_open")
                         .Help("1 during an event day's opening hours on the service's event clock, else 0")
                         .Register(registry.prometheus())
                         .Add({})}) {
  prometheus::BuildGauge()
      .Name("expo_build_info")
      .Help("Always 1; labels name the service and its version")
      .Register(registry.prometheus())
      .Add({{"service", std::string(service)}, {"version", std::string(version)}})
      .Set(1);
}

ServiceMetrics::~ServiceMetrics() = default;

void ServiceMetrics::set_dependency_up(std::string_view dependency, bool up) {
  impl_->dependency_up.Add({{"dependency", std::string(dependency)}}).Set(up ? 1 : 0);
}

void ServiceMetrics::set_event_open(bool open) { impl_->event_open.Set(open ? 1 : 0); }

}  // namespace expo::metrics

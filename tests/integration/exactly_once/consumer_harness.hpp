#pragma once
// What the two exactly-once consumer binaries (consumer_main.cpp, batched_consumer_main.cpp) share:
// their command line, the Kafka settings that let a killed member's partitions move on quickly, the
// counting effect both can apply, the deliberate crash, and the process around the consumer (signals,
// io thread, Redis client, orderly shutdown on SIGTERM). Each main keeps only its consumer and effect.
//
//   <program> BROKERS TOPIC GROUP REDIS_PORT NAMESPACE      (EXPO_CRASH_AFTER_APPLY=N in the environment)

#include <signal.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "expo/kafka/config.hpp"
#include "expo/kafka/consumer.hpp"
#include "expo/redis/client.hpp"

namespace exactly_once {

struct ConsumerArgs {
  std::string brokers, topic, group;
  int redis_port = 0;
  std::string ns;         // the run's Redis namespace: every key is "{ns}:..." (one hash slot)
  long crash_after = 0;   // EXPO_CRASH_AFTER_APPLY; 0: never crash

  std::string key(std::string_view name) const;
  // The group member both binaries run. The session timeout is short so that a SIGKILLed member's
  // partitions are handed to its successor within seconds.
  expo::kafka::ConsumerConfig consumer_config(std::string client_id) const;
};

// The arguments, or nullopt after printing the usage line for `program` to stderr.
std::optional<ConsumerArgs> parse_args(int argc, char** argv, std::string_view program);

// The default effect: count, sum of the values, and how often each value (the event's number) was applied.
// KEYS: counts_keys(); ARGV[1]: the message value.
extern const char* const counts_effect_lua;
std::vector<std::string> counts_keys(const ConsumerArgs& args);

// Prints that `applied` events were applied and SIGKILLs the process before `not_yet_stored` happens:
// the worst moment for exactly-once.
[[noreturn]] void crash(long applied, std::string_view not_yet_stored);

// The process around a consumer. The constructor blocks SIGTERM and SIGINT (taken by sigwait in
// run_until_signal, not by a handler) BEFORE it starts the io thread, so that thread and every thread
// started later (the consumer's) inherit the mask; then it starts a Redis client on that io thread.
// Not thread-safe: one main thread uses it. The destructor stops Redis and joins the io thread if
// run_until_signal did not (e.g. when the consumer could not be created).
class ConsumerHarness {
 public:
  explicit ConsumerHarness(int redis_port);
  ~ConsumerHarness();
  ConsumerHarness(const ConsumerHarness&) = delete;
  ConsumerHarness& operator=(const ConsumerHarness&) = delete;

  expo::redis::Client& redis() { return *redis_; }

  // Starts the consumer, prints `started` to stdout, waits for SIGTERM or SIGINT, stops the consumer
  // (which commits), then Redis and the io thread.
  void run_until_signal(expo::kafka::Consumer& consumer, std::string_view started);

 private:
  void shutdown();

  sigset_t signals_{};
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::shared_ptr<expo::redis::Client> redis_;
  std::thread io_thread_;
};

}  // namespace exactly_once

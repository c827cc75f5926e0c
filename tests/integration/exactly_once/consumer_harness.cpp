#include "consumer_harness.hpp"

#include <boost/asio/post.hpp>
#include <cstdlib>
#include <iostream>

namespace exactly_once {

std::string ConsumerArgs::key(std::string_view name) const { return "{" + ns + "}:" + std::string(name); }

expo::kafka::ConsumerConfig ConsumerArgs::consumer_config(std::string client_id) const {
  return {.brokers = brokers,
          .group_id = group,
          .client_id = std::move(client_id),
          .topics = {topic},
          .extra = {{"session.timeout.ms", "6000"}, {"heartbeat.interval.ms", "1000"}}};
}

std::optional<ConsumerArgs> parse_args(int argc, char** argv, std::string_view program) {
  if (argc != 6) {
    std::cerr << "usage: " << program << " BROKERS TOPIC GROUP REDIS_PORT NAMESPACE\n";
    return std::nullopt;
  }
  const char* crash_env = std::getenv("EXPO_CRASH_AFTER_APPLY");
  return ConsumerArgs{.brokers = argv[1],
                      .topic = argv[2],
                      .group = argv[3],
                      .redis_port = std::atoi(argv[4]),
                      .ns = argv[5],
                      .crash_after = crash_env ? std::atol(crash_env) : 0};
}

const char* const counts_effect_lua = R"lua(
redis.call('INCR', KEYS[1])
redis.call('INCRBY', KEYS[2], ARGV[1])
redis.call('HINCRBY', KEYS[3], ARGV[1], 1)
)lua";

std::vector<std::string> counts_keys(const ConsumerArgs& args) {
  return {args.key("count"), args.key("sum"), args.key("applies")};
}

void crash(long applied, std::string_view not_yet_stored) {
  std::cout << "applied " << applied << " events; crashing before " << not_yet_stored << std::endl;
  ::raise(SIGKILL);
  std::abort();  // not reached: SIGKILL cannot be caught
}

ConsumerHarness::ConsumerHarness(int redis_port)
    : signals_([] {
        sigset_t signals;
        sigemptyset(&signals);
        sigaddset(&signals, SIGTERM);
        sigaddset(&signals, SIGINT);
        pthread_sigmask(SIG_BLOCK, &signals, nullptr);
        return signals;
      }()),
      work_(boost::asio::make_work_guard(io_)),
      redis_(expo::redis::Client::create(io_, {.host = "127.0.0.1", .port = redis_port})) {
  redis_->start();
  io_thread_ = std::thread([this] { io_.run(); });
}

ConsumerHarness::~ConsumerHarness() { shutdown(); }

void ConsumerHarness::run_until_signal(expo::kafka::Consumer& consumer, std::string_view started) {
  consumer.start();
  std::cout << started << std::endl;
  int received = 0;
  sigwait(&signals_, &received);
  consumer.stop();
  shutdown();
}

void ConsumerHarness::shutdown() {
  if (!io_thread_.joinable()) return;
  // The client is stopped on its own io thread; once the work guard is gone, run() returns.
  boost::asio::post(io_, [this] {
    redis_->stop();
    work_.reset();
  });
  io_thread_.join();
}

}  // namespace exactly_once

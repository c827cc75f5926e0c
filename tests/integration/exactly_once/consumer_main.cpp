// The consumer under test: reads a topic as a member of a consumer group and applies each event to
// Redis with a guarded script (count, sum, and how often each event id was applied).
//
//   exactly_once_consumer BROKERS TOPIC GROUP REDIS_PORT NAMESPACE
//
// EXPO_CRASH_AFTER_APPLY=N makes it SIGKILL itself right after the N-th effect is applied, before
// the handler returns, so the offset of that message is neither stored nor committed: the worst
// moment for exactly-once. It runs until SIGTERM.
#include <signal.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "expo/kafka/consumer.hpp"
#include "expo/projection/guarded_apply.hpp"
#include "expo/redis/client.hpp"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: exactly_once_consumer BROKERS TOPIC GROUP REDIS_PORT NAMESPACE\n";
    return 2;
  }
  const std::string brokers = argv[1], topic = argv[2], group = argv[3], ns = argv[5];
  const int redis_port = std::atoi(argv[4]);
  const char* crash_env = std::getenv("EXPO_CRASH_AFTER_APPLY");
  const long crash_after = crash_env ? std::atol(crash_env) : 0;

  // SIGTERM is taken by sigwait below, not by a handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  auto redis = expo::redis::Client::create(io, {.host = "127.0.0.1", .port = redis_port});
  redis->start();
  std::thread io_thread([&io] { io.run(); });

  const expo::projection::GuardedScript effect(R"lua(
redis.call('INCR', KEYS[1])
redis.call('INCRBY', KEYS[2], ARGV[1])
redis.call('HINCRBY', KEYS[3], ARGV[1], 1)
)lua");
  const std::string guard = "{" + ns + "}:applied";
  const std::vector<std::string> keys{"{" + ns + "}:count", "{" + ns + "}:sum", "{" + ns + "}:applies"};
  long applied_here = 0;

  auto consumer = expo::kafka::Consumer::create(
      {.brokers = brokers,
       .group_id = group,
       .client_id = "exactly-once-test",
       .topics = {topic},
       // A killed member's partitions move on once its session times out: keep that short here.
       .extra = {{"session.timeout.ms", "6000"}, {"heartbeat.interval.ms", "1000"}}},
      [&](const expo::kafka::Message& message) -> expo::Result<void> {
        auto outcome = expo::projection::apply_sync(*redis, effect, guard, message, keys,
                                                    {std::string(message.value)});
        if (!outcome) return outcome.error();
        if (*outcome == expo::projection::Outcome::duplicate) {
          // Bookkeeping for the test only: proves redelivery happened and was absorbed.
          if (auto counted = redis->command_sync({"INCR", "{" + ns + "}:duplicates"}); !counted) {
            return counted.error();
          }
        } else if (crash_after > 0 && ++applied_here == crash_after) {
          std::cout << "applied " << applied_here << " events; crashing before the offset is stored" << std::endl;
          ::raise(SIGKILL);
        }
        return {};
      });
  if (!consumer) {
    std::cerr << "consumer: " << consumer.error().message << "\n";
    return 1;
  }
  (*consumer)->start();
  std::cout << "consuming " << topic << std::endl;

  int received = 0;
  sigwait(&signals, &received);
  (*consumer)->stop();
  boost::asio::post(io, [&] {
    redis->stop();
    work.reset();
  });
  io_thread.join();
  std::cout << "stopped cleanly" << std::endl;
  return 0;
}

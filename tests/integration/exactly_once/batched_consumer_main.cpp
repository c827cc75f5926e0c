// The batched consumer under test: reads a topic in batches (Consumer::create_batched) as a member of
// a consumer group and applies each batch to Redis with ONE batched guarded script call (count, sum,
// and how often each event id was applied).
//
//   exactly_once_batched_consumer BROKERS TOPIC GROUP REDIS_PORT NAMESPACE
//
// EXPO_EFFECT=boards swaps the effect for a leaderboard-like one (see below).
// EXPO_CRASH_AFTER_APPLY=N makes it SIGKILL itself right after the batch that brings the events it
// applied to N or more, before the handler returns: none of that batch's offsets is stored or
// committed, the worst moment for exactly-once. It runs until SIGTERM.
#include <signal.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "expo/kafka/consumer.hpp"
#include "expo/projection/batch_apply.hpp"
#include "expo/redis/client.hpp"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: exactly_once_batched_consumer BROKERS TOPIC GROUP REDIS_PORT NAMESPACE\n";
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

  // EXPO_EFFECT=boards: a leaderboard-like effect instead, four boards of votes per member, added
  // up per batch in `batch` and written once per member by `finish` (the figure a rebuild cares about).
  const char* effect_env = std::getenv("EXPO_EFFECT");
  const bool boards = effect_env != nullptr && std::string(effect_env) == "boards";
  const expo::projection::BatchScript counts_effect(R"lua(
redis.call('INCR', KEYS[1])
redis.call('INCRBY', KEYS[2], ARGV[1])
redis.call('HINCRBY', KEYS[3], ARGV[1], 1)
)lua");
  const expo::projection::BatchScript boards_effect(R"lua(
batch.count = (batch.count or 0) + 1
for board = 1, 4 do
  local member = ARGV[board <= 2 and 1 or 2]
  local tally = batch[KEYS[board]]
  if not tally then
    tally = {}
    batch[KEYS[board]] = tally
  end
  tally[member] = (tally[member] or 0) + 1
end
batch.count_key = KEYS[5]
)lua",
                                                    R"lua(
if not batch.count then return end
for key, tally in pairs(batch) do
  if type(tally) == 'table' then
    for member, votes in pairs(tally) do redis.call('ZINCRBY', key, votes, member) end
  end
end
redis.call('INCRBY', batch.count_key, batch.count)
)lua");
  const auto& effect = boards ? boards_effect : counts_effect;
  const std::string guard = "{" + ns + "}:applied";
  const std::vector<std::string> keys =
      boards ? std::vector<std::string>{"{" + ns + "}:region:day", "{" + ns + "}:region:all", "{" + ns + "}:innovation:day",
                                        "{" + ns + "}:innovation:all", "{" + ns + "}:count"}
             : std::vector<std::string>{"{" + ns + "}:count", "{" + ns + "}:sum", "{" + ns + "}:applies"};
  // Boards: event i votes for region "r<i % 38>" and innovation "i<i % 250>".
  const auto args_of = [boards](std::string_view value) -> std::vector<std::string> {
    if (!boards) return {std::string(value)};
    const long i = std::atol(std::string(value).c_str());
    return {"r" + std::to_string(i % 38), "i" + std::to_string(i % 250)};
  };
  long applied_here = 0;
  std::vector<expo::projection::Entry> entries;

  auto consumer = expo::kafka::Consumer::create_batched(
      {.brokers = brokers,
       .group_id = group,
       .client_id = "exactly-once-batched-test",
       .topics = {topic},
       // A killed member's partitions move on once its session times out: keep that short here.
       .extra = {{"session.timeout.ms", "6000"}, {"heartbeat.interval.ms", "1000"}}},
      [&](std::span<const expo::kafka::Message> messages) -> expo::Result<void> {
        entries.clear();
        for (const auto& m : messages) entries.push_back(expo::projection::entry_for(m, keys, args_of(m.value)));
        auto outcomes = expo::projection::apply_batch_sync(*redis, effect, guard, entries);
        if (!outcomes) return outcomes.error();
        const auto applied = std::count(outcomes->begin(), outcomes->end(), expo::projection::Outcome::applied);
        const auto duplicates = static_cast<long>(outcomes->size()) - applied;
        if (duplicates > 0) {
          // Bookkeeping for the test only: proves redelivery happened and was absorbed.
          auto counted = redis->command_sync({"INCRBY", "{" + ns + "}:duplicates", std::to_string(duplicates)});
          if (!counted) return counted.error();
        }
        applied_here += applied;
        if (crash_after > 0 && applied_here >= crash_after) {
          std::cout << "applied " << applied_here << " events; crashing before the batch's offsets are stored"
                    << std::endl;
          ::raise(SIGKILL);
        }
        return {};
      });
  if (!consumer) {
    std::cerr << "consumer: " << consumer.error().message << "\n";
    return 1;
  }
  (*consumer)->start();
  std::cout << "consuming " << topic << " in batches" << std::endl;

  int received = 0;
  sigwait(&signals, &received);
  (*consumer)->stop();
  boost::asio::post(io, [&] {
    redis->stop();
    work.reset();
  });
  io_thread.join();
  std::cout << "stopped cleanly after applying " << applied_here << " events" << std::endl;
  return 0;
}

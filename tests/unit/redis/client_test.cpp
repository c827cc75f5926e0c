#include "expo/redis/client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>

#include <chrono>
#include <optional>
#include <set>
#include <thread>

#include "fake_redis.hpp"

namespace expo::redis {
namespace {

using namespace std::chrono_literals;
using testing::bulk;
using testing::Command;
using testing::FakeRedis;

// Runs the io_context until `done()` holds or the deadline passes; returns done().
template <class Pred>
bool run_until(boost::asio::io_context& io, Pred done, std::chrono::milliseconds limit = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    if (io.stopped()) io.restart();
    if (io.run_one_for(10ms) == 0) std::this_thread::sleep_for(1ms);
  }
  return done();
}

// A port nothing listens on: bound by us a moment ago, then closed.
int closed_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

ClientConfig fast_config(int port) {
  ClientConfig config;
  config.port = port;
  config.connect_timeout = 500ms;
  config.command_timeout = 300ms;
  config.reconnect_min = 10ms;
  config.reconnect_max = 50ms;
  return config;
}

// Collects one command's outcome and how often its callback ran.
struct Outcome {
  std::optional<Result<Reply>> result;
  int calls = 0;
  Client::Callback callback() {
    return [this](Result<Reply> r) {
      ++calls;
      result.emplace(std::move(r));
    };
  }
  bool done() const { return calls > 0; }
  std::string code() const { return result && !result->ok() ? result->error().code : ""; }
};

// The usual fake: PING, ECHO, GET (nil), a mixed array, an error reply, and HANG that never answers.
std::optional<std::string> standard_responder(const Command& c) {
  if (c[0] == "PING") return "+PONG\r\n";
  if (c[0] == "ECHO") return bulk(c.at(1));
  if (c[0] == "GET") return "$-1\r\n";
  if (c[0] == "ARR") {
    static constexpr char resp[] = "*3\r\n:1\r\n$3\r\na\0b\r\n-ERR inner\r\n";
    return std::string(resp, sizeof resp - 1);
  }
  if (c[0] == "BOOM") return "-ERR boom\r\n";
  if (c[0] == "HANG") return std::nullopt;
  return "-ERR unknown command\r\n";
}

struct Harness {
  explicit Harness(testing::Responder responder, ClientConfig config) : fake(io, std::move(responder)) {
    config.port = fake.port();
    ClientObserver observer;
    observer.on_connection = [this](bool up) { connection_events.push_back(up); };
    observer.on_command = [this](std::chrono::microseconds latency, bool ok) {
      EXPECT_GE(latency.count(), 0);
      observed.push_back(ok);
    };
    client = Client::create(io, config, observer);
  }
  bool start_and_connect() {
    client->start();
    return run_until(io, [&] { return client->connected(); });
  }

  boost::asio::io_context io;
  FakeRedis fake;
  std::vector<bool> connection_events;
  std::vector<bool> observed;
  std::shared_ptr<Client> client;
};

ClientConfig config_for_fake() { return fast_config(0); }  // Harness fills in the fake's port

TEST(RedisClient, ValidateRejectsNonsense) {
  EXPECT_TRUE(validate(ClientConfig{}).ok());
  ClientConfig config;
  config.reconnect_max = 10ms;
  config.reconnect_min = 20ms;
  ASSERT_FALSE(validate(config).ok());
  EXPECT_EQ(validate(config).error().code, "invalid_config");
  config = {};
  config.max_pending = 0;
  EXPECT_FALSE(validate(config).ok());
  config = {};
  config.port = 0;
  EXPECT_FALSE(validate(config).ok());
}

TEST(RedisClient, ClosedPortReportsNotConnectedAndFailsCommandsAtOnce) {
  boost::asio::io_context io;
  std::vector<bool> connection_events;
  ClientObserver observer;
  observer.on_connection = [&](bool up) { connection_events.push_back(up); };
  auto client = Client::create(io, fast_config(closed_port()), observer);
  client->start();
  // Let several connect attempts fail (refused) with the short backoff.
  const auto until = std::chrono::steady_clock::now() + 200ms;
  run_until(io, [&] { return std::chrono::steady_clock::now() >= until; }, 1s);
  EXPECT_FALSE(client->connected());
  EXPECT_TRUE(connection_events.empty());

  const auto started = std::chrono::steady_clock::now();
  Outcome cmd, script;
  client->command({"PING"}, cmd.callback());
  client->eval(Script("return 1"), {}, {}, script.callback());
  EXPECT_FALSE(cmd.done()) << "completion must be posted, never run inline";
  EXPECT_FALSE(script.done());
  ASSERT_TRUE(run_until(io, [&] { return cmd.done() && script.done(); }, 1s));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 250ms) << "must not wait for any timeout";
  EXPECT_EQ(cmd.code(), "redis_unavailable");
  EXPECT_TRUE(cmd.result->error().retryable);
  EXPECT_EQ(script.code(), "redis_unavailable");
  EXPECT_EQ(cmd.calls, 1);

  client->stop();
  Outcome after;
  client->command({"PING"}, after.callback());
  ASSERT_TRUE(run_until(io, [&] { return after.done(); }, 1s));
  EXPECT_EQ(after.code(), "redis_stopped");
  EXPECT_TRUE(after.result->error().retryable);
}

TEST(RedisClient, RepliesAreConvertedAndArgumentsAreBinarySafe) {
  Harness h(standard_responder, config_for_fake());
  ASSERT_TRUE(h.start_and_connect());
  const std::string binary("a\0b\r\n$3\r\nc", 11);
  Outcome ping, echo, nil, arr, boom;
  h.client->command({"PING"}, ping.callback());
  h.client->command({"ECHO", binary}, echo.callback());
  h.client->command({"GET", "k"}, nil.callback());
  h.client->command({"ARR"}, arr.callback());
  h.client->command({"BOOM"}, boom.callback());
  ASSERT_TRUE(run_until(h.io, [&] { return ping.done() && echo.done() && nil.done() && arr.done() && boom.done(); }));

  ASSERT_TRUE(ping.result->ok());
  EXPECT_EQ((*ping.result)->type, Reply::Type::status);
  EXPECT_EQ((*ping.result)->str, "PONG");

  ASSERT_TRUE(echo.result->ok());
  EXPECT_EQ((*echo.result)->type, Reply::Type::string);
  EXPECT_EQ((*echo.result)->str, binary);
  ASSERT_GE(h.fake.commands().size(), 1u);
  EXPECT_EQ(h.fake.commands()[0], (Command{"ECHO", binary}));

  ASSERT_TRUE(nil.result->ok());
  EXPECT_TRUE((*nil.result)->is_nil());

  ASSERT_TRUE(arr.result->ok()) << "an error inside an array stays a reply";
  const Reply& a = **arr.result;
  ASSERT_EQ(a.type, Reply::Type::array);
  ASSERT_EQ(a.elements.size(), 3u);
  EXPECT_EQ(a.elements[0].integer, 1);
  EXPECT_EQ(a.elements[1].str, std::string("a\0b", 3));
  EXPECT_EQ(a.elements[2].type, Reply::Type::error);
  EXPECT_EQ(a.elements[2].str, "ERR inner");

  ASSERT_FALSE(boom.result->ok());
  EXPECT_EQ(boom.code(), "redis_error");
  EXPECT_EQ(boom.result->error().message, "ERR boom");
  EXPECT_FALSE(boom.result->error().retryable);

  // The observer saw every command, and an error reply still counts as "Redis answered".
  EXPECT_EQ(h.observed, (std::vector<bool>{true, true, true, true, true}));
  EXPECT_EQ(h.connection_events, (std::vector<bool>{true}));
}

TEST(RedisClient, UnansweredCommandTimesOutAndTheConnectionIsReplaced) {
  Harness h(standard_responder, config_for_fake());
  ASSERT_TRUE(h.start_and_connect());
  Outcome hang, behind;
  const auto sent = std::chrono::steady_clock::now();
  h.client->command({"HANG"}, hang.callback());
  h.client->command({"PING"}, behind.callback());  // pipelined behind the wedge: its reply never comes
  ASSERT_TRUE(run_until(h.io, [&] { return hang.done() && behind.done(); }));
  const auto waited = std::chrono::steady_clock::now() - sent;
  EXPECT_GE(waited, 290ms);
  EXPECT_LT(waited, 2s);
  EXPECT_EQ(hang.code(), "redis_timeout");
  EXPECT_TRUE(hang.result->error().retryable);
  EXPECT_TRUE(behind.code() == "redis_timeout" || behind.code() == "redis_unavailable") << behind.code();

  // A fresh connection replaces the wedged one, and it works.
  ASSERT_TRUE(run_until(h.io, [&] { return h.fake.accepted() == 2 && h.client->connected(); }));
  Outcome ping;
  h.client->command({"PING"}, ping.callback());
  ASSERT_TRUE(run_until(h.io, [&] { return ping.done(); }));
  ASSERT_TRUE(ping.result->ok());
  EXPECT_EQ(hang.calls, 1);
  EXPECT_EQ(behind.calls, 1);
  run_until(h.io, [&] { return h.connection_events.size() >= 3; }, 1s);
  EXPECT_EQ(h.connection_events, (std::vector<bool>{true, false, true}));
}

TEST(RedisClient, EvalLoadsTheScriptOnFirstUseAndAgainOnNoscript) {
  std::set<std::string> loaded;
  auto responder = [&](const Command& c) -> std::optional<std::string> {
    if (c[0] == "EVALSHA") {
      if (!loaded.count(c.at(1))) return "-NOSCRIPT No matching script. Please use EVAL.\r\n";
      return ":7\r\n";
    }
    if (c[0] == "SCRIPT" && c.at(1) == "LOAD") {
      const Script s(c.at(2));
      loaded.insert(s.sha());
      return bulk(s.sha());
    }
    return "-ERR unexpected\r\n";
  };
  Harness h(responder, config_for_fake());
  ASSERT_TRUE(h.start_and_connect());
  const Script script("return redis.call('INCR', KEYS[1])");

  Outcome first;
  h.client->eval(script, {"k"}, {"a"}, first.callback());
  ASSERT_TRUE(run_until(h.io, [&] { return first.done(); }));
  ASSERT_TRUE(first.result->ok()) << first.code();
  EXPECT_EQ((*first.result)->integer, 7);
  const Command evalsha{"EVALSHA", script.sha(), "1", "k", "a"};
  const Command load{"SCRIPT", "LOAD", script.source()};
  // First use on the connection: loaded ahead, pipelined, so the EVALSHA keeps its place in the order.
  EXPECT_EQ(h.fake.commands(), (std::vector<Command>{load, evalsha}));

  // Loaded now: the source is not sent again.
  Outcome second;
  h.client->eval(script, {"k"}, {"a"}, second.callback());
  ASSERT_TRUE(run_until(h.io, [&] { return second.done(); }));
  ASSERT_TRUE(second.result->ok());
  EXPECT_EQ(h.fake.commands(), (std::vector<Command>{load, evalsha, evalsha}));

  // The server's scripts flushed under the connection: NOSCRIPT, loaded, retried once.
  loaded.clear();
  Outcome third;
  h.client->eval(script, {"k"}, {"a"}, third.callback());
  ASSERT_TRUE(run_until(h.io, [&] { return third.done(); }));
  ASSERT_TRUE(third.result->ok()) << third.code();
  EXPECT_EQ(h.fake.commands(), (std::vector<Command>{load, evalsha, evalsha, evalsha, load, evalsha}));
  EXPECT_EQ(h.observed, (std::vector<bool>{true, true, true})) << "one observation per eval, not per wire command";
}

TEST(RedisClient, EvalReportsAFailedScriptLoadAndDoesNotLoop) {
  auto responder = [](const Command& c) -> std::optional<std::string> {
    if (c[0] == "EVALSHA") return "-NOSCRIPT No matching script. Please use EVAL.\r\n";
    return "-ERR Error compiling script (new function): user_script:1: syntax error\r\n";
  };
  Harness h(responder, config_for_fake());
  ASSERT_TRUE(h.start_and_connect());
  Outcome outcome;
  h.client->eval(Script("this is not lua"), {}, {}, outcome.callback());
  ASSERT_TRUE(run_until(h.io, [&] { return outcome.done(); }));
  EXPECT_EQ(outcome.code(), "redis_error");
  EXPECT_TRUE(outcome.result->error().message.starts_with("ERR Error compiling script")) << outcome.result->error().message;
  run_until(h.io, [] { return false; }, 50ms);  // give a (wrong) extra retry the chance to show up
  EXPECT_EQ(h.fake.commands().size(), 2u) << "the load, then the EVALSHA it failed for";
  EXPECT_EQ(outcome.calls, 1);
}

TEST(RedisClient, MoreThanMaxPendingInFlightIsRejectedAsOverloaded) {
  auto config = config_for_fake();
  config.max_pending = 2;
  Harness h(standard_responder, config);
  ASSERT_TRUE(h.start_and_connect());
  Outcome a, b, c;
  h.client->command({"HANG"}, a.callback());
  h.client->command({"HANG"}, b.callback());
  h.client->command({"PING"}, c.callback());
  ASSERT_TRUE(run_until(h.io, [&] { return c.done(); }, 200ms)) << "rejected at once, not after the timeout";
  EXPECT_EQ(c.code(), "redis_overloaded");
  EXPECT_TRUE(c.result->error().retryable);
  EXPECT_FALSE(a.done());
  ASSERT_TRUE(run_until(h.io, [&] { return a.done() && b.done(); }));
  EXPECT_EQ(a.code(), "redis_timeout");
}

TEST(RedisClient, StopFailsPendingCommandsWithRedisStopped) {
  Harness h(standard_responder, config_for_fake());
  ASSERT_TRUE(h.start_and_connect());
  Outcome a, b;
  h.client->command({"HANG"}, a.callback());
  h.client->command({"HANG"}, b.callback());
  ASSERT_TRUE(run_until(h.io, [&] { return h.fake.commands().size() == 2; }));
  h.client->stop();
  EXPECT_FALSE(h.client->connected());
  ASSERT_TRUE(run_until(h.io, [&] { return a.done() && b.done(); }, 100ms));
  EXPECT_EQ(a.code(), "redis_stopped");
  EXPECT_EQ(b.code(), "redis_stopped");
  // No reconnection after stop().
  run_until(h.io, [] { return false; }, 100ms);
  EXPECT_EQ(h.fake.accepted(), 1);
  EXPECT_EQ(a.calls + b.calls, 2);
  EXPECT_EQ(h.connection_events, (std::vector<bool>{true, false}));

  // And start() again works.
  ASSERT_TRUE(h.start_and_connect());
  Outcome ping;
  h.client->command({"PING"}, ping.callback());
  ASSERT_TRUE(run_until(h.io, [&] { return ping.done(); }));
  EXPECT_TRUE(ping.result->ok());
}

TEST(RedisClient, LostConnectionFailsPendingAsUnavailableAndReconnects) {
  auto config = config_for_fake();
  config.command_timeout = 5s;  // the loss, not the timeout, must complete the command
  Harness h(standard_responder, config);
  ASSERT_TRUE(h.start_and_connect());
  Outcome hang;
  h.client->command({"HANG"}, hang.callback());
  ASSERT_TRUE(run_until(h.io, [&] { return h.fake.commands().size() == 1; }));
  h.fake.close_all();
  ASSERT_TRUE(run_until(h.io, [&] { return hang.done(); }, 1s));
  EXPECT_EQ(hang.code(), "redis_unavailable");
  EXPECT_TRUE(hang.result->error().retryable);
  ASSERT_TRUE(run_until(h.io, [&] { return h.fake.accepted() == 2 && h.client->connected(); }));
  Outcome ping;
  h.client->command({"PING"}, ping.callback());
  ASSERT_TRUE(run_until(h.io, [&] { return ping.done(); }));
  EXPECT_TRUE(ping.result->ok());
  EXPECT_EQ(hang.calls, 1);
}

TEST(RedisClient, ServerThatHangsUpAtOnceIsNeverConnectedAndKeepsBeingRetried) {
  Harness h(standard_responder, config_for_fake());
  h.fake.set_close_on_accept(true);
  h.client->start();
  ASSERT_TRUE(run_until(h.io, [&] { return h.fake.accepted() >= 3; })) << "keeps reconnecting";
  EXPECT_FALSE(h.client->connected());
  Outcome ping;
  h.client->command({"PING"}, ping.callback());
  ASSERT_TRUE(run_until(h.io, [&] { return ping.done(); }, 1s));
  EXPECT_EQ(ping.code(), "redis_unavailable");
  EXPECT_TRUE(h.connection_events.empty()) << "a TCP connect alone does not count as connected";
}

TEST(RedisClient, ServerStillLoadingIsNotConnectedUntilItAnswersPing) {
  Harness h(standard_responder, config_for_fake());
  int refusals = 2;
  h.fake.set_ping_responder([&]() -> std::optional<std::string> {
    if (refusals-- > 0) return "-LOADING Redis is loading the dataset in memory\r\n";
    return "+PONG\r\n";
  });
  h.client->start();
  ASSERT_TRUE(run_until(h.io, [&] { return h.client->connected(); }));
  EXPECT_EQ(h.fake.accepted(), 3) << "each refusal costs a connection";
  EXPECT_EQ(h.fake.pings(), 3);
  EXPECT_EQ(h.connection_events, (std::vector<bool>{})) << "notifications are posted";
  run_until(h.io, [&] { return !h.connection_events.empty(); }, 1s);
  EXPECT_EQ(h.connection_events, (std::vector<bool>{true}));
}

TEST(RedisClient, StopAndReleaseInsideACallbackAreSafe) {
  Harness h(standard_responder, config_for_fake());
  ASSERT_TRUE(h.start_and_connect());
  Outcome first, second, third;
  int stops = 0;
  h.client->command({"PING"}, [&](Result<Reply> r) {
    first.callback()(std::move(r));
    ++stops;
    h.client->stop();   // from inside hiredis' reply callback, with more replies pending
    h.client.reset();   // and drop the last reference there too
  });
  h.client->command({"HANG"}, second.callback());
  h.client->command({"HANG"}, third.callback());
  ASSERT_TRUE(run_until(h.io, [&] { return first.done() && second.done() && third.done(); }));
  EXPECT_TRUE(first.result->ok());
  EXPECT_EQ(second.code(), "redis_stopped");
  EXPECT_EQ(third.code(), "redis_stopped");
  EXPECT_EQ(stops, 1);
  EXPECT_EQ(second.calls + third.calls, 2);
  run_until(h.io, [] { return false; }, 100ms);
  EXPECT_EQ(h.fake.accepted(), 1);
}

TEST(RedisClient, CommandSyncWorksFromAnotherThread) {
  boost::asio::io_context io;
  FakeRedis fake(io, standard_responder);
  auto client = Client::create(io, fast_config(fake.port()));
  auto guard = boost::asio::make_work_guard(io);
  boost::asio::post(io, [&] { client->start(); });
  std::thread io_thread([&] { io.run(); });

  std::optional<Result<Reply>> result;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  for (;;) {  // until connected: before that the answer is redis_unavailable
    result.emplace(client->command_sync({"ECHO", "hello"}));
    if (result->ok() || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_TRUE(result->ok()) << result->error().code;
  EXPECT_EQ((*result)->str, "hello");

  boost::asio::post(io, [&] {
    client->stop();
    fake.stop();
  });
  guard.reset();
  io_thread.join();
}

TEST(RedisClientDeathTest, CommandSyncOnTheIoThreadIsRefused) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  boost::asio::io_context io;
  auto client = Client::create(io, fast_config(closed_port()));
  std::optional<Result<Reply>> result;
  EXPECT_DEBUG_DEATH(
      {
        boost::asio::post(io, [&] { result.emplace(client->command_sync({"PING"})); });
        io.run();
      },
      "io thread");
#ifdef NDEBUG
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->error().code, "redis_misuse");
#endif
}

}  // namespace
}  // namespace expo::redis

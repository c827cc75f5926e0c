// expo::redis::Client against a real redis-server at 127.0.0.1:$EXPO_TEST_REDIS_PORT.
// Every test uses its own key prefix (test name + pid) and deletes its keys afterwards. The kill test
// targets only its own connection (CLIENT KILL ID); the pause test stalls the whole server for 3 s
// (CLIENT PAUSE has no per-connection form), which other users of the same server will notice.
#include "expo/redis/client.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace expo::redis {
namespace {

using namespace std::chrono_literals;

class RedisIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    io_thread_ = std::thread([this] { io_.run(); });  // first, so TearDown works whatever fails below
    const char* port = std::getenv("EXPO_TEST_REDIS_PORT");
    ASSERT_NE(port, nullptr) << "EXPO_TEST_REDIS_PORT is not set: the Redis integration tests need a running "
                                "redis-server on 127.0.0.1 and its port in this variable (the integration "
                                "harness sets it). Refusing to pass without testing anything.";
    char* end = nullptr;
    const long parsed = std::strtol(port, &end, 10);
    ASSERT_TRUE(*port != '\0' && *end == '\0' && parsed > 0 && parsed < 65536)
        << "EXPO_TEST_REDIS_PORT is not a port number: '" << port << "'";
    port_ = static_cast<int>(parsed);

    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    prefix_ = std::string("expo:test:redis:") + info->name() + ":" + std::to_string(::getpid()) + ":";

    admin_ = make_client({});
    ASSERT_TRUE(wait_connected(admin_)) << "no Redis at 127.0.0.1:" << port_;
  }

  void TearDown() override {
    if (admin_ && !keys_.empty()) {
      std::vector<std::string> del{"DEL"};
      del.insert(del.end(), keys_.begin(), keys_.end());
      const auto r = admin_->command_sync(del);
      EXPECT_TRUE(r.ok()) << "cleanup failed: " << r.error().message;
    }
    on_io([this] {
      for (auto& c : clients_) c->stop();
      return 0;
    });
    guard_.reset();
    if (io_thread_.joinable()) io_thread_.join();
  }

  std::shared_ptr<Client> make_client(ClientConfig config, ClientObserver observer = {}) {
    config.host = "127.0.0.1";
    config.port = port_;
    auto client = Client::create(io_, config, std::move(observer));
    on_io([&] {
      client->start();
      return 0;
    });
    clients_.push_back(client);
    return client;
  }

  // Runs f on the io thread and returns its result: Client members other than *_sync live there.
  template <class F>
  auto on_io(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    boost::asio::post(io_, [&task] { task(); });
    return result.get();
  }

  bool wait_connected(const std::shared_ptr<Client>& client, std::chrono::milliseconds limit = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (on_io([&] { return client->connected(); })) return true;
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }

  std::string key(const std::string& name) {
    keys_.push_back(prefix_ + name);
    return keys_.back();
  }

  long long client_id(const std::shared_ptr<Client>& client) {
    const auto r = client->command_sync({"CLIENT", "ID"});
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->integer : -1;
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_ = boost::asio::make_work_guard(io_);
  std::thread io_thread_;
  int port_ = 0;
  std::string prefix_;
  std::vector<std::string> keys_;
  std::vector<std::shared_ptr<Client>> clients_;
  std::shared_ptr<Client> admin_;  // a second connection: setup, CLIENT PAUSE/KILL, cleanup
};

// Records on_connection events from the io thread for the test thread. Shared with the observer:
// the client (owned by the fixture) still reports its final "false" after the test body has ended.
struct ConnectionLog : std::enable_shared_from_this<ConnectionLog> {
  std::mutex mutex;
  std::vector<bool> events;
  ClientObserver observer() {
    ClientObserver o;
    o.on_connection = [self = shared_from_this()](bool up) {
      std::lock_guard lock(self->mutex);
      self->events.push_back(up);
    };
    return o;
  }
  std::vector<bool> snapshot() {
    std::lock_guard lock(mutex);
    return events;
  }
  bool wait_for(const std::vector<bool>& expected, std::chrono::milliseconds limit = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (snapshot() == expected) return true;
      std::this_thread::sleep_for(5ms);
    }
    return snapshot() == expected;
  }
};

TEST_F(RedisIntegration, SetGetIsBinarySafe) {
  auto client = make_client({});
  ASSERT_TRUE(wait_connected(client));
  std::string value;
  for (int i = 0; i < 256; ++i) value.push_back(static_cast<char>(i));  // NUL, CR, LF and high bytes
  value += "\r\n$3\r\nend";
  const std::string k = key(std::string("bin\0\xff\r\nkey", 11));

  const auto set = client->command_sync({"SET", k, value});
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(set->type, Reply::Type::status);
  EXPECT_EQ(set->str, "OK");

  const auto get = client->command_sync({"GET", k});
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get->type, Reply::Type::string);
  EXPECT_EQ(get->str, value);

  const auto len = client->command_sync({"STRLEN", k});
  ASSERT_TRUE(len.ok());
  EXPECT_EQ(len->integer, static_cast<long long>(value.size()));

  const auto missing = client->command_sync({"GET", key("missing")});
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->is_nil());

  const auto wrong = client->command_sync({"INCR", k});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, "redis_error");
  EXPECT_FALSE(wrong.error().retryable);
  EXPECT_EQ(wrong.error().message, "ERR value is not an integer or out of range");
}

TEST_F(RedisIntegration, TenThousandConcurrentIncrsAllComplete) {
  static constexpr int n = 10000;
  auto client = make_client({});  // default max_pending is 10000: exactly enough
  ASSERT_TRUE(wait_connected(client));
  const std::string counter = key("counter");

  struct Tally {
    int ok = 0;
    int failed = 0;
    int completed_before_all_sent = -1;
    std::string first_error;
    std::promise<void> all_done;
  } tally;
  on_io([&] {
    for (int i = 0; i < n; ++i) {
      client->command({"INCR", counter}, [&tally](Result<Reply> r) {
        if (r.ok()) {
          ++tally.ok;
        } else if (tally.failed++ == 0) {
          tally.first_error = r.error().code + ": " + r.error().message;
        }
        if (tally.ok + tally.failed == n) tally.all_done.set_value();
      });
    }
    tally.completed_before_all_sent = tally.ok + tally.failed;  // all 10,000 were in flight at once
    return 0;
  });
  ASSERT_EQ(tally.all_done.get_future().wait_for(60s), std::future_status::ready)
      << "only " << on_io([&] { return tally.ok + tally.failed; }) << " of " << n << " completed";
  EXPECT_EQ(tally.completed_before_all_sent, 0);
  EXPECT_EQ(tally.failed, 0) << tally.first_error;
  EXPECT_EQ(tally.ok, n);

  const auto value = client->command_sync({"GET", counter});
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value->str, std::to_string(n));
}

TEST_F(RedisIntegration, EvalAfterScriptFlushLoadsTheScript) {
  auto client = make_client({});
  ASSERT_TRUE(wait_connected(client));
  const Script script("return redis.call('INCRBY', KEYS[1], ARGV[1])");
  const std::string k = key("scripted");

  ASSERT_TRUE(admin_->command_sync({"SCRIPT", "FLUSH"}).ok());
  const auto before = admin_->command_sync({"SCRIPT", "EXISTS", script.sha()});
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->elements.at(0).integer, 0) << "the NOSCRIPT path must be exercised";

  const auto first = client->eval_sync(script, {k}, {"5"});
  ASSERT_TRUE(first.ok()) << first.error().code << ": " << first.error().message;
  EXPECT_EQ(first->integer, 5);

  const auto after = admin_->command_sync({"SCRIPT", "EXISTS", script.sha()});
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->elements.at(0).integer, 1) << "the client loaded it under the SHA it computed";

  const auto second = client->eval_sync(script, {k}, {"5"});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->integer, 10);

  // A script error is a redis_error, not retried.
  const auto broken = client->eval_sync(Script("return redis.call('NOSUCHCOMMAND')"), {}, {});
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, "redis_error");
}

TEST_F(RedisIntegration, EvalAllSyncAnswersEveryRunInOrder) {
  auto client = make_client({});
  ASSERT_TRUE(wait_connected(client));
  const Script script("redis.call('INCRBY', KEYS[1], ARGV[1]) return redis.call('GET', KEYS[1])");
  std::vector<Client::EvalCall> calls;
  for (int i = 0; i < 300; ++i) calls.push_back({{key("many-" + std::to_string(i % 7))}, {std::to_string(i)}});
  const auto answers = client->eval_all_sync(script, std::move(calls));
  ASSERT_EQ(answers.size(), 300u);
  // Each run sees the runs before it on the same key: pipelined in order, none lost or repeated.
  std::vector<long long> sums(7, 0);
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(answers[i].ok()) << answers[i].error().message;
    sums[i % 7] += i;
    EXPECT_EQ(answers[i]->str, std::to_string(sums[i % 7])) << "run " << i;
  }
  EXPECT_TRUE(client->eval_all_sync(script, {}).empty());

  // A run that fails answers its own error; the others still answer.
  const Script picky("if ARGV[1] == 'bad' then return redis.call('NOSUCHCOMMAND') end return ARGV[1]");
  const auto mixed = client->eval_all_sync(picky, {{{key("x")}, {"good"}}, {{key("y")}, {"bad"}}, {{key("z")}, {"fine"}}});
  ASSERT_EQ(mixed.size(), 3u);
  EXPECT_EQ(mixed[0]->str, "good");
  EXPECT_EQ(mixed[1].error().code, "redis_error");
  EXPECT_EQ(mixed[2]->str, "fine");
}

TEST_F(RedisIntegration, CommandAllSyncAnswersEveryCommandInOrder) {
  auto client = make_client({});
  ASSERT_TRUE(wait_connected(client));
  const std::string hash = key("bulk-hash"), set = key("bulk-set"), counter = key("bulk-counter");
  std::vector<std::vector<std::string>> commands;
  for (int i = 0; i < 400; ++i) {
    if (i % 2 == 0) {
      commands.push_back({"HSET", hash, "f" + std::to_string(i), std::to_string(i), "g" + std::to_string(i), "x"});
    } else {
      commands.push_back({"INCR", counter});
    }
  }
  // One command of many fields/members, binary-safe.
  std::vector<std::string> sadd{"SADD", set};
  for (int i = 0; i < 1000; ++i) sadd.push_back("m" + std::to_string(i) + std::string(1, '\0'));
  commands.push_back(std::move(sadd));
  const auto answers = client->command_all_sync(std::move(commands));
  ASSERT_EQ(answers.size(), 401u);
  for (int i = 0; i < 400; ++i) {
    ASSERT_TRUE(answers[i].ok()) << answers[i].error().message;
    // In order: the n-th INCR answers n.
    EXPECT_EQ(answers[i]->integer, i % 2 == 0 ? 2 : (i + 1) / 2) << "command " << i;
  }
  ASSERT_TRUE(answers[400].ok());
  EXPECT_EQ(answers[400]->integer, 1000);
  EXPECT_EQ(client->command_sync({"HLEN", hash})->integer, 400);
  EXPECT_EQ(client->command_sync({"SCARD", set})->integer, 1000);
  EXPECT_TRUE(client->command_all_sync({}).empty());

  // A command that fails answers its own error; those after it still run and answer.
  const auto a = key("bulk-a");
  const auto mixed = client->command_all_sync({{"SET", a, "1"}, {"SADD", hash, "not-a-set"}, {"GET", a}});
  ASSERT_EQ(mixed.size(), 3u);
  EXPECT_TRUE(mixed[0].ok());
  EXPECT_EQ(mixed[1].error().code, "redis_error");
  ASSERT_TRUE(mixed[2].ok());
  EXPECT_EQ(mixed[2]->str, "1");
}

TEST_F(RedisIntegration, CommandSyncFromOtherThreads) {
  auto client = make_client({});
  ASSERT_TRUE(wait_connected(client));
  const std::string counter = key("sync-counter");
  constexpr int threads = 4;
  constexpr int per_thread = 100;
  std::atomic<int> failures{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < per_thread; ++i) {
        if (!client->command_sync({"INCR", counter}).ok()) ++failures;
      }
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(failures.load(), 0);
  const auto value = client->command_sync({"GET", counter});
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value->str, std::to_string(threads * per_thread));
}

TEST_F(RedisIntegration, CommandToPausedServerTimesOutAndTheClientReconnects) {
  auto log = std::make_shared<ConnectionLog>();
  ClientConfig config;
  config.command_timeout = 500ms;
  config.reconnect_min = 50ms;
  auto client = make_client(config, log->observer());
  ASSERT_TRUE(wait_connected(client));
  const long long id_before = client_id(client);
  const std::string k = key("paused");

  ASSERT_TRUE(admin_->command_sync({"CLIENT", "PAUSE", "3000"}).ok());
  const auto started = std::chrono::steady_clock::now();
  const auto paused = client->command_sync({"SET", k, "v"});
  const auto waited = std::chrono::steady_clock::now() - started;

  ASSERT_FALSE(paused.ok());
  EXPECT_EQ(paused.error().code, "redis_timeout");
  EXPECT_TRUE(paused.error().retryable);
  EXPECT_GE(waited, 490ms);
  EXPECT_LT(waited, 2500ms) << "must give up at command_timeout, not when the pause ends";

  // The wedged connection was dropped and replaced; while the pause lasts, a new connection does not
  // count as connected (its PING hangs too), so "connected" comes back once the server answers.
  ASSERT_TRUE(log->wait_for({true, false, true})) << "connection events: " << ::testing::PrintToString(log->snapshot());
  const auto works = client->command_sync({"SET", k, "after"});
  ASSERT_TRUE(works.ok()) << works.error().code;
  EXPECT_NE(client_id(client), id_before) << "a new connection";
  const auto get = client->command_sync({"GET", k});
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get->str, "after");
}

TEST_F(RedisIntegration, ClientReconnectsAfterTheServerKillsItsConnection) {
  auto log = std::make_shared<ConnectionLog>();
  ClientConfig config;
  config.command_timeout = 10s;  // the kill, not the timeout, must end the blocked command
  config.reconnect_min = 50ms;
  auto client = make_client(config, log->observer());
  ASSERT_TRUE(wait_connected(client));
  const long long id = client_id(client);
  const std::string list = key("never-pushed");

  // A command in flight at the kill: BLPOP blocks server-side until then.
  std::promise<Result<Reply>> blocked;
  on_io([&] {
    client->command({"BLPOP", list, "0"}, [&blocked](Result<Reply> r) { blocked.set_value(std::move(r)); });
    return 0;
  });
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  bool is_blocked = false;
  while (!is_blocked && std::chrono::steady_clock::now() < deadline) {
    const auto info = admin_->command_sync({"CLIENT", "LIST", "ID", std::to_string(id)});
    is_blocked = info.ok() && info->str.find("cmd=blpop") != std::string::npos;
    if (!is_blocked) std::this_thread::sleep_for(5ms);
  }
  ASSERT_TRUE(is_blocked) << "BLPOP never reached the server";

  const auto kill = admin_->command_sync({"CLIENT", "KILL", "ID", std::to_string(id)});
  ASSERT_TRUE(kill.ok()) << kill.error().message;
  EXPECT_EQ(kill->integer, 1);

  auto outcome = blocked.get_future();
  ASSERT_EQ(outcome.wait_for(5s), std::future_status::ready);
  const auto lost = outcome.get();
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().code, "redis_unavailable");
  EXPECT_TRUE(lost.error().retryable);

  ASSERT_TRUE(log->wait_for({true, false, true})) << "connection events: " << ::testing::PrintToString(log->snapshot());
  const std::string k = key("after-kill");
  const auto works = client->command_sync({"SET", k, "1"});
  ASSERT_TRUE(works.ok()) << works.error().code;
  EXPECT_NE(client_id(client), id);
}

}  // namespace
}  // namespace expo::redis

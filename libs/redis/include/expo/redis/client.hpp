#pragma once
// Asynchronous Redis client on Boost.Asio: one hiredis connection per Client, many commands pipelined
// on it, reconnection with exponential backoff, a timeout per command, and EVALSHA-first scripts.
//
// Thread-safety: every member function except the *_sync ones must be called on the thread that runs
// the io_context (the services run one io thread); every callback runs on that thread too. The *_sync
// ones (command_sync, eval_sync, eval_all_sync, command_all_sync) are for other threads only (they
// block; on the io thread they would deadlock).
//
// Lifetime: create() returns a shared handle. The io_context must outlive the Client. Call stop() when
// done; dropping the last reference does the same (so drop it on the io thread, or once the io_context
// has stopped). A callback may call any member function, stop() included, and may drop its reference.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "expo/core/result.hpp"
#include "expo/redis/reply.hpp"
#include "expo/redis/script.hpp"

namespace boost::asio {
class io_context;
}

namespace expo::redis {

struct ClientConfig {
  // An IP address or a host name; names are resolved asynchronously before every connect attempt, so a
  // restarted Redis behind a DNS name (Kubernetes Service, compose) is found again.
  std::string host = "127.0.0.1";
  int port = 6379;
  std::chrono::milliseconds connect_timeout{1000};  // resolve + TCP connect
  std::chrono::milliseconds command_timeout{1000};  // from command() to its reply
  std::chrono::milliseconds reconnect_min{100};     // first retry after a failure; doubles per failure
  std::chrono::milliseconds reconnect_max{5000};    // cap of the doubling
  std::size_t max_pending = 10000;                  // commands in flight before "redis_overloaded"
};

// Ok, or a permanent "invalid_config" error naming the first bad field. create() expects a valid config.
Result<void> validate(const ClientConfig& config);

// Hooks for metrics; both run on the io thread and must not block. Either may be left empty.
struct ClientObserver {
  // Once per command()/eval() completion. latency: from the call to the completion. ok: Redis answered
  // (a reply or a Redis error reply); false for timeouts, lost connections, overload and "not connected".
  std::function<void(std::chrono::microseconds latency, bool ok)> on_command;
  // On every change of connected(): true once a connection is up, false once it is lost or stopped.
  std::function<void(bool connected)> on_connection;
};

namespace detail {
class ClientImpl;
}

class Client {
 public:
  using Callback = std::function<void(Result<Reply>)>;

  static std::shared_ptr<Client> create(boost::asio::io_context& io, ClientConfig config,
                                        ClientObserver observer = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Connects in the background; on failure or loss, reconnects forever with exponential backoff
  // (reconnect_min doubling up to reconnect_max, with jitter) until stop(). A no-op when started.
  void start();
  // Fails every pending command with retryable "redis_stopped", disconnects and cancels the timers.
  // start() may be called again afterwards.
  void stop();
  bool connected() const;

  // Sends one command; arguments are binary-safe. `done` runs exactly once, never inline:
  //  - a Reply when Redis answered (error replies nested inside arrays stay Replies of Type::error);
  //  - "redis_error" (permanent) when Redis answered with an error; the message is the server's text;
  //  - "redis_unavailable" (retryable) when not connected, or when the connection was lost before the
  //    reply (the command may or may not have run);
  //  - "redis_overloaded" (retryable) when max_pending commands are already in flight;
  //  - "redis_timeout" (retryable) when no reply came within command_timeout; the connection is then
  //    dropped and re-established, so a wedged connection cannot hold later commands hostage;
  //  - "redis_stopped" (retryable) after stop().
  void command(std::vector<std::string> args, Callback done);

  // EVALSHA by the script's SHA1, the script's first use on a connection preceded by SCRIPT LOAD in the
  // same pipeline: an eval keeps its place among the commands issued around it. On NOSCRIPT (the
  // server flushed its scripts under the connection), SCRIPT LOAD and EVALSHA again, once. Same
  // outcomes as command(). The NOSCRIPT path takes up to two command_timeouts.
  void eval(const Script& script, std::vector<std::string> keys, std::vector<std::string> args,
            Callback done);

  // Blocking forms for threads other than the io thread (e.g. a Kafka consumer thread): post to the
  // io_context and wait. Asserts when called on the io thread (and returns "redis_misuse" if asserts
  // are compiled out). If the io_context does not run the command in time, "redis_timeout".
  Result<Reply> command_sync(std::vector<std::string> args);
  Result<Reply> eval_sync(const Script& script, std::vector<std::string> keys,
                          std::vector<std::string> args);
  // Many runs of one script, sent together (pipelined on the connection) and waited for together:
  // one round trip's wait instead of one each. Answers in the order of `calls`; each is atomic on
  // its own, not the set. For projections whose effects live in different hash slots.
  struct EvalCall {
    std::vector<std::string> keys;
    std::vector<std::string> args;
  };
  std::vector<Result<Reply>> eval_all_sync(const Script& script, std::vector<EvalCall> calls);
  // Many plain commands, sent together (pipelined) and waited for together, as eval_all_sync: answers
  // in the order of `commands`, each as command_sync() would answer it; Redis runs them in order, each
  // atomic on its own. For bulk writes (a rebuild filling a generation). Every command counts against
  // max_pending (past it: "redis_overloaded" for the rest), and all must be answered within the
  // command timeout of the first: send a few hundred at a time, not millions.
  std::vector<Result<Reply>> command_all_sync(std::vector<std::vector<std::string>> commands);

 private:
  explicit Client(std::shared_ptr<detail::ClientImpl> impl);
  // The implementation is shared with pending Asio handlers, so it may outlive this handle briefly.
  std::shared_ptr<detail::ClientImpl> impl_;
};

}  // namespace expo::redis

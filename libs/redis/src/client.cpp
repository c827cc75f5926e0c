#include "expo/redis/client.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <deque>
#include <future>
#include <optional>
#include <random>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "asio_adapter.hpp"
#include "expo/core/log.hpp"
#include "reply_conversion.hpp"

namespace expo::redis {

Result<void> validate(const ClientConfig& config) {
  auto bad = [](std::string field) {
    return Error::permanent("invalid_config", "redis: " + field);
  };
  if (config.host.empty()) return bad("host is empty");
  if (config.port < 1 || config.port > 65535) return bad("port is not in 1..65535");
  if (config.connect_timeout.count() <= 0) return bad("connect_timeout must be positive");
  if (config.command_timeout.count() <= 0) return bad("command_timeout must be positive");
  if (config.reconnect_min.count() <= 0) return bad("reconnect_min must be positive");
  if (config.reconnect_max < config.reconnect_min) return bad("reconnect_max is below reconnect_min");
  if (config.max_pending == 0) return bad("max_pending must be positive");
  return {};
}

namespace detail {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using Callback = Client::Callback;

// One command handed to hiredis. hiredis owns it from redisAsyncCommandArgv until on_reply, which it
// calls exactly once: with the reply, or with NULL when the context is freed.
struct Pending {
  Clock::time_point deadline;
  Callback done;  // emptied when the command already failed with redis_timeout
};

struct EvalState {
  Script script;
  std::vector<std::string> argv;  // EVALSHA sha numkeys keys... args...
  Callback done;
  std::optional<Error> load_error;
};

Error unavailable(std::string message) {
  return Error::retryable_error("redis_unavailable", std::move(message));
}

// Completions run from inside hiredis (a C library) or from Asio handlers; an exception must not
// unwind through hiredis, and one throwing caller must not take the others' completions down with it.
void invoke(Callback& done, Result<Reply> result) noexcept {
  try {
    done(std::move(result));
  } catch (...) {
    log::error("a redis completion callback threw; the exception was dropped");
  }
}

bool is_noscript(const Result<Reply>& result) {
  return !result.ok() && result.error().code == "redis_error" &&
         std::string_view(result.error().message).starts_with("NOSCRIPT");
}

}  // namespace

class ClientImpl : public std::enable_shared_from_this<ClientImpl> {
 public:
  ClientImpl(asio::io_context& io, ClientConfig config, ClientObserver observer)
      : io_(io),
        config_(std::move(config)),
        observer_(std::make_shared<const ClientObserver>(std::move(observer))),
        connect_timer_(io),
        reconnect_timer_(io),
        command_timer_(io),
        resolver_(io),
        backoff_(config_.reconnect_min),
        rng_(std::random_device{}()) {}

  ~ClientImpl() {
    // Client::~Client has stopped us already; this only guards against a context outliving us.
    stopped_ = true;
    if (redisAsyncContext* ac = std::exchange(ac_, nullptr)) redisAsyncFree(ac);
  }

  ClientImpl(const ClientImpl&) = delete;
  ClientImpl& operator=(const ClientImpl&) = delete;

  void start() {
    if (started_) return;
    started_ = true;
    stopped_ = false;
    backoff_ = config_.reconnect_min;
    connect_now();
  }

  void stop() {
    // A completion run below may drop the caller's last reference to the Client.
    const auto self = shared_from_this();
    started_ = false;
    stopped_ = true;
    ++attempt_;
    ++command_timer_seq_;
    command_timer_armed_ = false;
    connect_timer_.cancel();
    reconnect_timer_.cancel();
    command_timer_.cancel();
    resolver_.cancel();
    drop_connection();
  }

  bool connected() const { return connected_; }

  void command(std::vector<std::string> args, Callback done) {
    done = observed(std::move(done));
    if (!admit(done)) return;
    if (args.empty()) {
      reject(std::move(done), Error::permanent("redis_bad_command", "empty command"));
      return;
    }
    send(args, std::move(done));
  }

  void eval(const Script& script, std::vector<std::string> keys, std::vector<std::string> args,
            Callback done) {
    done = observed(std::move(done));
    if (!admit(done)) return;
    std::vector<std::string> argv;
    argv.reserve(3 + keys.size() + args.size());
    argv.emplace_back("EVALSHA");
    argv.push_back(script.sha());
    argv.push_back(std::to_string(keys.size()));
    for (auto& k : keys) argv.push_back(std::move(k));
    for (auto& a : args) argv.push_back(std::move(a));
    auto state = std::make_shared<EvalState>(EvalState{script, std::move(argv), std::move(done), {}});
    // A script's first use on a connection loads it first, pipelined: the EVALSHA then runs in the
    // order it was issued. Waiting for NOSCRIPT to load it would send the script again behind every
    // command issued meanwhile, and a caller that relies on the order (a write, then a read of it
    // sent without waiting for the reply) would be overtaken. The NOSCRIPT path below stays for a
    // server whose scripts were flushed under a live connection.
    if (loaded_scripts_.insert(script.sha()).second) {
      send({"SCRIPT", "LOAD", script.source()}, [weak = weak_from_this(), state](Result<Reply> result) {
        if (result.ok()) return;
        state->load_error = result.error();  // the EVALSHA behind it answers NOSCRIPT: this is why
        if (const auto self = weak.lock()) self->loaded_scripts_.erase(state->script.sha());
      });
    }
    send(state->argv, [weak = weak_from_this(), state](Result<Reply> result) {
      if (!is_noscript(result)) {
        state->done(std::move(result));
        return;
      }
      if (state->load_error) {
        state->done(*state->load_error);
        return;
      }
      if (const auto self = weak.lock()) {
        self->load_and_retry(state);
      } else {
        state->done(Error::retryable_error("redis_stopped", "the redis client was stopped"));
      }
    });
  }

  Result<Reply> run_sync(std::function<void(ClientImpl&, Callback)> issue) {
    if (io_.get_executor().running_in_this_thread()) {
      assert(false && "Redis command_sync/eval_sync called on the io thread: it would deadlock");
      return Error::permanent("redis_misuse", "synchronous Redis call on the io thread");
    }
    auto promise = std::make_shared<std::promise<Result<Reply>>>();
    auto future = promise->get_future();
    asio::post(io_, [self = shared_from_this(), issue = std::move(issue), promise]() mutable {
      issue(*self, [promise](Result<Reply> result) { promise->set_value(std::move(result)); });
    });
    // Once the io thread picks the post up, every outcome arrives within two command_timeouts (the
    // NOSCRIPT path); past a generous margin the io thread is stuck or no longer running.
    const auto limit = 2 * config_.command_timeout + std::chrono::seconds(5);
    if (future.wait_for(limit) != std::future_status::ready) {
      return Error::retryable_error("redis_timeout", "the io thread did not run the Redis command in time");
    }
    return future.get();
  }

 private:
  // ---- commands ------------------------------------------------------------------------------------

  Callback observed(Callback done) const {
    if (!observer_->on_command) return done;
    return [observer = observer_, start = Clock::now(), done = std::move(done)](Result<Reply> result) {
      const bool answered = result.ok() || result.error().code == "redis_error";
      observer->on_command(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start),
                           answered);
      done(std::move(result));
    };
  }

  // Admission for caller-issued commands; internal follow-ups (the NOSCRIPT retry) skip it.
  bool admit(Callback& done) {
    if (!connected_) {
      reject(std::move(done), not_connected_error());
      return false;
    }
    if (inflight_.size() >= config_.max_pending) {
      reject(std::move(done), Error::retryable_error("redis_overloaded", "too many Redis commands in flight"));
      return false;
    }
    return true;
  }

  Error not_connected_error() const {
    if (stopped_) return Error::retryable_error("redis_stopped", "the redis client was stopped");
    return unavailable("not connected to Redis");
  }

  // Never inline: a caller must be able to rely on command() returning before its callback runs.
  void reject(Callback done, Error error) {
    asio::post(io_, [done = std::move(done), error = std::move(error)]() mutable {
      invoke(done, std::move(error));
    });
  }

  void send(const std::vector<std::string>& args, Callback done) {
    if (ac_ == nullptr || !connected_) {
      reject(std::move(done), not_connected_error());
      return;
    }
    std::vector<const char*> argv;
    std::vector<std::size_t> argv_len;
    argv.reserve(args.size());
    argv_len.reserve(args.size());
    for (const auto& a : args) {
      argv.push_back(a.data());
      argv_len.push_back(a.size());  // explicit lengths: values may hold any bytes, NUL included
    }
    auto pending = std::make_unique<Pending>(Pending{Clock::now() + config_.command_timeout, std::move(done)});
    if (redisAsyncCommandArgv(ac_, &ClientImpl::on_reply, pending.get(), static_cast<int>(args.size()),
                              argv.data(), argv_len.data()) != REDIS_OK) {
      // The context is disconnecting (its pending callbacks are being failed right now).
      reject(std::move(pending->done), unavailable("the Redis connection is closing"));
      return;
    }
    inflight_.push_back(pending.release());
    if (!command_timer_armed_) arm_command_timer();
  }

  void load_and_retry(const std::shared_ptr<EvalState>& state) {
    // Pipelined on one connection, so EVALSHA runs after SCRIPT LOAD; a failed load (say, a compile
    // error) is the more useful error to report than the NOSCRIPT that follows it.
    send({"SCRIPT", "LOAD", state->script.source()}, [state](Result<Reply> result) {
      if (!result.ok()) state->load_error = result.error();
    });
    send(state->argv, [state](Result<Reply> result) {
      if (state->load_error) {
        state->done(*state->load_error);
      } else {
        state->done(std::move(result));
      }
    });
  }

  static void on_reply(redisAsyncContext* ac, void* reply, void* privdata) {
    auto* self = static_cast<ClientImpl*>(ac->data);
    std::unique_ptr<Pending> pending(static_cast<Pending*>(privdata));
    self->complete(pending.get(), static_cast<const redisReply*>(reply));
  }

  void complete(Pending* pending, const redisReply* reply) {
    // hiredis answers in order, so this is the front but for the (impossible) odd case.
    if (!inflight_.empty() && inflight_.front() == pending) {
      inflight_.pop_front();
    } else if (auto it = std::find(inflight_.begin(), inflight_.end(), pending); it != inflight_.end()) {
      inflight_.erase(it);
    }
    if (!pending->done) return;  // a late answer to a command that already failed with redis_timeout
    if (reply == nullptr) {
      // hiredis frees the context: the connection was lost, dropped, or we are stopping.
      invoke(pending->done, stopped_ ? Error::retryable_error("redis_stopped", "the redis client was stopped")
                                     : unavailable("Redis connection lost before the reply"));
      return;
    }
    invoke(pending->done, to_result(*reply));
  }

  void arm_command_timer() {
    if (inflight_.empty()) return;
    command_timer_armed_ = true;
    const auto seq = ++command_timer_seq_;
    command_timer_.expires_at(inflight_.front()->deadline);
    command_timer_.async_wait([weak = weak_from_this(), seq](const boost::system::error_code& ec) {
      if (ec) return;
      const auto self = weak.lock();
      if (!self || seq != self->command_timer_seq_) return;
      self->on_command_timer();
    });
  }

  // One timer watches the oldest command only: replies come in order and every command has the same
  // timeout, so nothing can expire before the front does. Cheaper than a timer per command at 10k
  // in flight.
  void on_command_timer() {
    command_timer_armed_ = false;
    if (inflight_.empty()) return;
    const auto now = Clock::now();
    if (inflight_.front()->deadline > now) {
      arm_command_timer();
      return;
    }
    // No answer in time: the connection is wedged (server paused, peer gone without a FIN). Every
    // command behind the oldest would wait just as long, so fail the expired ones, drop the connection
    // (the rest fail as redis_unavailable) and connect afresh. Late replies can no longer arrive.
    std::vector<Callback> expired;
    for (Pending* p : inflight_) {
      if (p->deadline <= now && p->done) {
        expired.push_back(std::move(p->done));
        p->done = nullptr;
      }
    }
    log::warn("redis command timed out; reconnecting",
              {{"timed_out", std::to_string(expired.size())}, {"in_flight", std::to_string(inflight_.size())}});
    const auto self = shared_from_this();
    drop_connection();
    schedule_reconnect();
    for (auto& done : expired) {
      invoke(done, Error::retryable_error("redis_timeout", "no reply from Redis within command_timeout"));
    }
  }

  // ---- connection ----------------------------------------------------------------------------------

  void connect_now() {
    const auto attempt = ++attempt_;
    connect_timer_.expires_after(config_.connect_timeout);
    connect_timer_.async_wait([weak = weak_from_this(), attempt](const boost::system::error_code& ec) {
      if (ec) return;
      const auto self = weak.lock();
      if (!self || self->attempt_ != attempt) return;
      self->resolver_.cancel();
      // Not usable yet, so no caller's command was sent on it; freeing runs at most on_hello, which
      // then finds the context abandoned.
      if (redisAsyncContext* ac = std::exchange(self->ac_, nullptr)) redisAsyncFree(ac);
      self->connect_failed("connect timed out");
    });

    boost::system::error_code ec;
    const auto address = asio::ip::make_address(config_.host, ec);
    if (!ec) {
      open_context(address.to_string());
      return;
    }
    // hiredis would resolve with a blocking getaddrinfo on this thread; resolve here instead.
    resolver_.async_resolve(
        config_.host, std::to_string(config_.port),
        [weak = weak_from_this(), attempt](const boost::system::error_code& rec,
                                           const asio::ip::tcp::resolver::results_type& results) {
          const auto self = weak.lock();
          if (!self || self->attempt_ != attempt) return;
          if (rec || results.empty()) {
            self->connect_failed("cannot resolve the Redis host");
            return;
          }
          self->open_context(results.begin()->endpoint().address().to_string());
        });
  }

  void open_context(const std::string& address) {
    redisAsyncContext* ac = redisAsyncConnect(address.c_str(), config_.port);
    if (ac == nullptr) {
      connect_failed("cannot allocate a hiredis context");
      return;
    }
    if (ac->err != 0) {
      const std::string why = ac->errstr != nullptr ? ac->errstr : "connect failed";
      redisAsyncFree(ac);
      connect_failed(why);
      return;
    }
    ac->data = this;
    if (redis_asio_attach(ac, io_, weak_from_this()) != REDIS_OK) {
      redisAsyncFree(ac);
      connect_failed("cannot register the Redis socket with the io_context");
      return;
    }
    redisAsyncSetConnectCallback(ac, &ClientImpl::on_connect);
    redisAsyncSetDisconnectCallback(ac, &ClientImpl::on_disconnect);
    ac_ = ac;
  }

  // hiredis calls this once the non-blocking connect has finished, either way. On failure it frees
  // the context right after we return. Never free the context from here (hiredis 0.14 would touch it
  // again after we return).
  static void on_connect(const redisAsyncContext* ac, int status) {
    auto* self = static_cast<ClientImpl*>(ac->data);
    if (self->ac_ != ac) return;  // cannot happen: abandoned contexts are freed before they connect
    if (status != REDIS_OK) {
      const std::string why = ac->errstr != nullptr ? ac->errstr : "connect failed";
      self->ac_ = nullptr;
      self->connect_failed(why);
      return;
    }
    redisEnableKeepAlive(&self->ac_->c);  // lets the kernel notice a silently vanished peer when idle
    // TCP is up, but Redis may not serve yet (loading its dataset, maxclients, auth). Only a PONG
    // makes the connection usable and resets the backoff; a server that accepts and hangs up at once
    // is retried with growing delays, not every reconnect_min. If PING cannot even be queued, the
    // connect timer reaps the context.
    const char* ping[] = {"PING"};
    const std::size_t ping_len[] = {4};
    redisAsyncCommandArgv(self->ac_, &ClientImpl::on_hello, nullptr, 1, ping, ping_len);
  }

  static void on_hello(redisAsyncContext* ac, void* reply_ptr, void* /*privdata*/) {
    auto* self = static_cast<ClientImpl*>(ac->data);
    if (self->ac_ != ac) return;  // abandoned meanwhile (connect timeout, stop)
    const auto* reply = static_cast<const redisReply*>(reply_ptr);
    if (reply == nullptr) {  // hiredis is freeing the context: the server hung up
      self->ac_ = nullptr;
      self->connect_failed("connection closed before PING was answered");
      return;
    }
    if (reply->type != REDIS_REPLY_STATUS) {
      const std::string why = reply->type == REDIS_REPLY_ERROR ? std::string(reply->str, reply->len)
                                                               : std::string("unexpected answer to PING");
      redisAsyncContext* dead = std::exchange(self->ac_, nullptr);
      redisAsyncFree(dead);  // inside a reply callback: hiredis frees it once we return
      self->connect_failed(why);
      return;
    }
    self->connected_ = true;
    self->loaded_scripts_.clear();  // maybe another server (a restart): load each script again
    ++self->attempt_;
    self->connect_timer_.cancel();
    self->backoff_ = self->config_.reconnect_min;
    self->failures_ = 0;
    log::info("redis connected", {{"host", self->config_.host}, {"port", std::to_string(self->config_.port)}});
    self->notify_connection(true);
  }

  // hiredis calls this while freeing a context that was connected: after it failed every pending
  // command with a NULL reply, before it frees the memory. Never free the context from here.
  static void on_disconnect(const redisAsyncContext* ac, int status) {
    auto* self = static_cast<ClientImpl*>(ac->data);
    if (self->ac_ != ac) return;  // we dropped it ourselves (timeout, stop): drop_connection did the rest
    self->ac_ = nullptr;
    self->connected_ = false;
    const std::string why = status == REDIS_OK ? "closed" : (ac->errstr != nullptr ? ac->errstr : "error");
    log::warn("redis connection lost; reconnecting", {{"reason", why}});
    self->notify_connection(false);
    self->schedule_reconnect();
  }

  void connect_failed(const std::string& why) {
    ++attempt_;
    connect_timer_.cancel();
    // The first failure in a row is news; the following ones (every few seconds while Redis is down)
    // would only flood the log.
    if (failures_++ == 0) {
      log::warn("redis connect failed; retrying with backoff", {{"reason", why}, {"host", config_.host}});
    } else {
      log::debug("redis connect failed", {{"reason", why}, {"attempts", std::to_string(failures_)}});
    }
    schedule_reconnect();
  }

  void schedule_reconnect() {
    if (!started_) return;
    // Jitter within [backoff/2, backoff] so a fleet of services does not reconnect in lockstep.
    const auto ceiling = backoff_.count();
    std::uniform_int_distribution<long long> pick(std::max<long long>(config_.reconnect_min.count(), ceiling / 2),
                                                  std::max<long long>(config_.reconnect_min.count(), ceiling));
    const std::chrono::milliseconds delay{pick(rng_)};
    backoff_ = std::min(backoff_ * 2, config_.reconnect_max);
    reconnect_timer_.expires_after(delay);
    reconnect_timer_.async_wait([weak = weak_from_this(), attempt = attempt_](const boost::system::error_code& ec) {
      if (ec) return;
      const auto self = weak.lock();
      if (!self || !self->started_ || self->ac_ != nullptr || self->attempt_ != attempt) return;
      self->connect_now();
    });
  }

  void drop_connection() {
    redisAsyncContext* ac = std::exchange(ac_, nullptr);
    const bool was_connected = std::exchange(connected_, false);
    // Fails every pending command (NULL replies) now, or, when we are inside a hiredis callback,
    // as soon as it returns; hiredis defers the free itself, so this never double-frees.
    if (ac != nullptr) redisAsyncFree(ac);
    if (was_connected) notify_connection(false);
  }

  // Posted, so observer code never runs inside hiredis' connect/disconnect callbacks (where freeing
  // the context, e.g. through stop(), would be a use-after-free in hiredis 0.14).
  void notify_connection(bool up) {
    if (!observer_->on_connection) return;
    asio::post(io_, [observer = observer_, up] { observer->on_connection(up); });
  }

  asio::io_context& io_;
  const ClientConfig config_;
  const std::shared_ptr<const ClientObserver> observer_;  // shared with posted completions
  asio::steady_timer connect_timer_;
  asio::steady_timer reconnect_timer_;
  asio::steady_timer command_timer_;
  asio::ip::tcp::resolver resolver_;
  redisAsyncContext* ac_ = nullptr;  // the live context, connecting or connected
  bool started_ = false;
  bool stopped_ = false;
  bool connected_ = false;
  std::unordered_set<std::string> loaded_scripts_;  // shas loaded on this connection (io thread only)
  std::uint64_t attempt_ = 0;  // bumped whenever a connect attempt ends; stale handlers compare it
  int failures_ = 0;           // connect failures in a row
  std::chrono::milliseconds backoff_;
  std::deque<Pending*> inflight_;  // in send order, which is hiredis' reply order
  bool command_timer_armed_ = false;
  std::uint64_t command_timer_seq_ = 0;
  std::minstd_rand rng_;
};

}  // namespace detail

Client::Client(std::shared_ptr<detail::ClientImpl> impl) : impl_(std::move(impl)) {}

Client::~Client() { impl_->stop(); }

std::shared_ptr<Client> Client::create(boost::asio::io_context& io, ClientConfig config, ClientObserver observer) {
  assert(validate(config).ok() && "invalid expo::redis::ClientConfig");
  return std::shared_ptr<Client>(
      new Client(std::make_shared<detail::ClientImpl>(io, std::move(config), std::move(observer))));
}

void Client::start() { impl_->start(); }
void Client::stop() { impl_->stop(); }
bool Client::connected() const { return impl_->connected(); }

void Client::command(std::vector<std::string> args, Callback done) {
  impl_->command(std::move(args), std::move(done));
}

void Client::eval(const Script& script, std::vector<std::string> keys, std::vector<std::string> args,
                  Callback done) {
  impl_->eval(script, std::move(keys), std::move(args), std::move(done));
}

Result<Reply> Client::command_sync(std::vector<std::string> args) {
  return impl_->run_sync([args = std::move(args)](detail::ClientImpl& impl, Callback done) mutable {
    impl.command(std::move(args), std::move(done));
  });
}

Result<Reply> Client::eval_sync(const Script& script, std::vector<std::string> keys, std::vector<std::string> args) {
  return impl_->run_sync([script, keys = std::move(keys), args = std::move(args)](detail::ClientImpl& impl,
                                                                                  Callback done) mutable {
    impl.eval(script, std::move(keys), std::move(args), std::move(done));
  });
}

namespace {

// Sends `n` requests at once (pipelined on the connection; `send(impl, i, done)` issues the i-th) and
// waits for every answer. The answers belong to the io thread's callbacks until the last one has
// arrived; only then (the promise in run_sync orders it) does this thread read them. On a timeout it
// reads nothing.
template <class Send>
std::vector<Result<Reply>> all_sync(detail::ClientImpl& client, std::size_t n, Send send) {
  using Callback = Client::Callback;
  if (n == 0) return {};
  struct Join {
    std::vector<Result<Reply>> answers;
    std::size_t left;
  };
  auto join = std::make_shared<Join>(
      Join{std::vector<Result<Reply>>(n, Error::retryable_error("redis_timeout", "no answer")), n});
  auto all = client.run_sync([send = std::move(send), join, n](detail::ClientImpl& impl, Callback done) mutable {
    auto shared_done = std::make_shared<Callback>(std::move(done));
    for (std::size_t i = 0; i < n; ++i) {
      send(impl, i, [join, i, shared_done](Result<Reply> reply) {
        join->answers[i] = std::move(reply);
        if (--join->left == 0) (*shared_done)(Reply{});
      });
    }
  });
  if (!all) return std::vector<Result<Reply>>(n, all.error());
  return std::move(join->answers);
}

}  // namespace

std::vector<Result<Reply>> Client::eval_all_sync(const Script& script, std::vector<EvalCall> calls) {
  const auto n = calls.size();
  return all_sync(*impl_, n, [script, calls = std::move(calls)](detail::ClientImpl& impl, std::size_t i,
                                                               Callback done) mutable {
    impl.eval(script, std::move(calls[i].keys), std::move(calls[i].args), std::move(done));
  });
}

std::vector<Result<Reply>> Client::command_all_sync(std::vector<std::vector<std::string>> commands) {
  const auto n = commands.size();
  return all_sync(*impl_, n, [commands = std::move(commands)](detail::ClientImpl& impl, std::size_t i,
                                                             Callback done) mutable {
    impl.command(std::move(commands[i]), std::move(done));
  });
}

}  // namespace expo::redis

#include "expo/kafka/consumer.hpp"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <string>
#include <thread>

#include "client.hpp"
#include "expo/kafka/properties.hpp"
#include "held_batch.hpp"
#include "log_limiter.hpp"

namespace expo::kafka {
namespace {

using detail::MessagePtr;
using Clock = std::chrono::steady_clock;

std::string where(std::string_view topic, std::int32_t partition, std::int64_t offset) {
  return std::string(topic) + "/" + std::to_string(partition) + "@" + std::to_string(offset);
}

bool is_cooperative(rd_kafka_t* rk) {
  const char* protocol = rd_kafka_rebalance_protocol(rk);
  return protocol != nullptr && std::string_view(protocol) == "COOPERATIVE";
}

// Commits the stored offsets of the whole assignment and waits for the broker's answer.
void commit_stored(rd_kafka_t* rk, std::string_view why) {
  const auto err = rd_kafka_commit(rk, nullptr, 0);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET) return;
  detail::log_limited(rk, log::Level::warn, std::string("commit/") + rd_kafka_err2name(err),
                      "kafka offset commit failed", {"error", rd_kafka_err2name(err)}, {"when", why});
}

}  // namespace

struct Consumer::Impl {
  Impl(ConsumerConfig cfg, BatchHandler h, ConsumerObserver obs, BatchOptions b)
      : config(std::move(cfg)), handler(std::move(h)), observer(std::move(obs)), batch(b) {}

  ~Impl() {
    stop();
    // librdkafka before 2.3.0 (Debian 12 has 2.0.2) asserts in rd_kafka_destroy when a
    // cooperative-sticky consumer is destroyed before its first assignment (librdkafka #4312):
    // the process would abort on a quick stop. Its group is already left (consumer_close); the
    // handle's memory is let go instead of destroyed in that one case.
    if (rk && !assigned_once.load()) {
      log::debug("kafka consumer handle not destroyed: no assignment yet (librdkafka #4312)");
      [[maybe_unused]] rd_kafka_t* kept = rk.release();
    }
    rk.reset();
  }

  ConsumerConfig config;
  BatchHandler handler;
  ConsumerObserver observer;
  BatchOptions batch;
  detail::HandlePtr rk;
  // Taken from librdkafka, not yet handled. Consumer thread only (on_rebalance runs there too, inside
  // rd_kafka_consumer_poll).
  detail::HeldBatch held;

  std::thread thread;
  std::mutex mutex;
  std::condition_variable cv;
  bool started = false;
  std::atomic<bool> stop_requested{false};
  std::atomic<bool> assigned_once{false};

  static void on_rebalance(rd_kafka_t* handle, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                           void* opaque) {
    const bool cooperative = is_cooperative(handle);
    const std::string count = std::to_string(parts != nullptr ? parts->cnt : 0);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      static_cast<Impl*>(opaque)->assigned_once.store(true);
      if (parts != nullptr && parts->cnt > 0) {  // cooperative rounds often add nothing
        log::info("kafka partitions assigned", {{"client", rd_kafka_name(handle)},
                                                {"partitions", count},
                                                {"protocol", cooperative ? "cooperative" : "eager"}});
      }
      if (cooperative) {
        if (rd_kafka_error_t* error = rd_kafka_incremental_assign(handle, parts)) {
          log::error("kafka incremental assign failed", {{"error", rd_kafka_error_name(error)}});
          rd_kafka_error_destroy(error);
        }
      } else if (const auto e = rd_kafka_assign(handle, parts); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        log::error("kafka assign failed", {{"error", rd_kafka_err2name(e)}});
      }
      return;
    }
    auto* self = static_cast<Impl*>(opaque);
    if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
      if (parts != nullptr && parts->cnt > 0) {
        log::info("kafka partitions revoked", {{"client", rd_kafka_name(handle)}, {"partitions", count}});
      }
      // A batch being gathered may hold messages of these partitions. They are let go unhandled: their
      // offsets could no longer be stored, and their next owner handles them (handling them here too
      // would make two members apply the same messages at once).
      if (parts != nullptr) self->drop_held(*parts, "revoked");
      // Handlers run on this same thread, so every offset stored so far is for finished work: commit
      // it before the partitions move, so their next owner starts right after it.
      // A lost assignment (session timed out) can no longer commit.
      if (rd_kafka_assignment_lost(handle) == 0) commit_stored(handle, "revoke");
      if (cooperative) {
        if (rd_kafka_error_t* error = rd_kafka_incremental_unassign(handle, parts)) {
          log::error("kafka incremental unassign failed", {{"error", rd_kafka_error_name(error)}});
          rd_kafka_error_destroy(error);
        }
      } else {
        rd_kafka_assign(handle, nullptr);
      }
      return;
    }
    log::error("kafka rebalance error", {{"client", rd_kafka_name(handle)}, {"error", rd_kafka_err2name(err)}});
    self->drop_all_held("rebalance error");
    rd_kafka_assign(handle, nullptr);
  }

  static void on_error(rd_kafka_t* handle, int err, const char* reason, void*) {
    detail::log_client_error(handle, err, reason);
  }

  static void on_commit(rd_kafka_t* handle, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t*, void*) {
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET) return;
    detail::log_limited(handle, log::Level::warn, std::string("commit/") + rd_kafka_err2name(err),
                        "kafka offset commit failed", {"error", rd_kafka_err2name(err)}, {"when", "auto"});
  }

  bool wait_unless_stopped(std::chrono::milliseconds delay) {
    std::unique_lock lock(mutex);
    return !cv.wait_for(lock, delay, [this] { return stop_requested.load(); });
  }

  void drop_held(const rd_kafka_topic_partition_list_t& partitions, std::string_view why) {
    if (const auto dropped = held.drop_partitions(partitions); dropped > 0) {
      log::info("kafka messages of a gathered batch left to the partitions' next owner",
                {{"messages", std::to_string(dropped)}, {"why", std::string(why)}});
    }
  }

  void drop_all_held(std::string_view why) {
    if (held.empty()) return;
    log::info("kafka gathered batch dropped", {{"messages", std::to_string(held.size())}, {"why", std::string(why)}});
    held.clear();
  }

  // Watermarks cached from the last fetch response (no request to the broker), one lookup per
  // partition and report.
  class LagReporter {
   public:
    explicit LagReporter(Impl& impl) : impl_(impl) {}

    void report(const Message& message) {
      const auto high = high_watermark(message.topic, message.partition);
      if (high < 0) return;
      impl_.observer.on_lag(message.topic, message.partition, std::max<std::int64_t>(0, high - (message.offset + 1)));
    }

   private:
    struct Known {
      std::string_view topic;
      std::int32_t partition;
      std::int64_t high;
    };

    std::int64_t high_watermark(std::string_view topic, std::int32_t partition) {
      for (const auto& k : known_) {
        if (k.partition == partition && k.topic == topic) return k.high;
      }
      std::int64_t low = 0;
      std::int64_t high = -1;
      const std::string name(topic);
      if (rd_kafka_get_watermark_offsets(impl_.rk.get(), name.c_str(), partition, &low, &high) !=
          RD_KAFKA_RESP_ERR_NO_ERROR) {
        high = -1;
      }
      known_.push_back({topic, partition, high});
      return high;
    }

    Impl& impl_;
    std::vector<Known> known_;
  };

  void report_handled_lag() {
    if (!observer.on_lag) return;
    LagReporter lag(*this);
    for (const auto& message : held.messages()) lag.report(message);
  }

  // After a failed attempt: each partition is stuck at its first held message.
  void report_stuck_lag() {
    if (!observer.on_lag) return;
    LagReporter lag(*this);
    std::vector<std::pair<std::string_view, std::int32_t>> seen;
    for (const auto& message : held.messages()) {
      const std::pair key{message.topic, message.partition};
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
      seen.push_back(key);
      lag.report(message);
    }
  }

  Result<void> call_handler() {
    // A throwing handler must neither end the process nor let the loop move past its messages.
    try {
      return handler(held.messages());
    } catch (const std::exception& e) {
      return Error::retryable_error("handler_exception", e.what());
    } catch (...) {
      return Error::retryable_error("handler_exception", "unknown exception");
    }
  }

  void store_offsets() {
    const auto list = held.next_offsets();
    const auto err = rd_kafka_offsets_store(rk.get(), list.get());
    for (int i = 0; i < list->cnt; ++i) {
      const auto& entry = list->elems[i];
      const auto partition_err = err != RD_KAFKA_RESP_ERR_NO_ERROR ? err : entry.err;
      if (partition_err == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
      // The partition was taken away while the handler ran (its assignment lost): its new owner
      // handles the messages again, which the handler's idempotence absorbs.
      detail::log_limited(rk.get(), log::Level::warn, std::string("store/") + rd_kafka_err2name(partition_err),
                          "kafka offset store failed", {"error", rd_kafka_err2name(partition_err)},
                          {"at", where(entry.topic, entry.partition, entry.offset - 1)});
    }
  }

  // Calls the handler with the held messages until it succeeds (then stores all their offsets) or
  // stop() is requested (then stores nothing).
  void handle_held() {
    auto backoff = config.retry_backoff_min;
    for (;;) {
      const auto result = call_handler();
      if (result.ok()) {
        store_offsets();
        report_handled_lag();
        return;
      }
      const auto& first = held.messages().front();
      detail::log_limited(rk.get(), log::Level::warn, "handler/" + result.error().code,
                          "kafka handler failed; retrying the same messages", {"error", result.error().code},
                          {"at", where(first.topic, first.partition, first.offset)});
      report_stuck_lag();
      if (!wait_unless_stopped(backoff)) {
        // Not stored, so not committed: whoever consumes these partitions next starts at these messages.
        log::info("kafka consumer stopping; messages left for redelivery",
                  {{"at", where(first.topic, first.partition, first.offset)},
                   {"messages", std::to_string(held.size())}});
        return;
      }
      backoff = std::min(backoff * 2, config.retry_backoff_max);
    }
  }

  // One rd_kafka_consumer_poll: a message, or nothing (timeout, or an error event, which is logged).
  // Rebalance, error and commit callbacks run inside it.
  MessagePtr poll_message(int timeout_ms) {
    MessagePtr m(rd_kafka_consumer_poll(rk.get(), timeout_ms));
    if (!m || m->err == RD_KAFKA_RESP_ERR_NO_ERROR) return m;
    if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      const char* topic = m->rkt != nullptr ? rd_kafka_topic_name(m->rkt) : "";
      detail::log_limited(rk.get(), log::Level::warn, std::string("consume/") + rd_kafka_err2name(m->err),
                          "kafka consume error", {"error", rd_kafka_err2name(m->err)}, {"topic", topic});
    }
    return nullptr;
  }

  // Fills `held` (see BatchOptions); leaves it empty when nothing came within 100 ms, so stop() is
  // noticed promptly.
  void gather() {
    MessagePtr first = poll_message(100);
    if (!first) return;
    held.add(std::move(first));
    const auto deadline = Clock::now() + batch.max_wait;
    while (held.size() < batch.max_messages && !stop_requested.load()) {
      // At most 100 ms a poll, so a stop() is noticed promptly whatever max_wait is.
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
      const int timeout_ms = static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, 100));
      if (MessagePtr m = poll_message(timeout_ms)) {
        held.add(std::move(m));
      } else if (timeout_ms == 0) {
        return;  // time is up and nothing more was already fetched
      }
    }
  }

  void run() {
    pthread_setname_np(pthread_self(), "kafka-consumer");
    {
      detail::PartitionListPtr topics(rd_kafka_topic_partition_list_new(static_cast<int>(config.topics.size())));
      for (const auto& t : config.topics) rd_kafka_topic_partition_list_add(topics.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
      if (const auto err = rd_kafka_subscribe(rk.get(), topics.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        log::error("kafka subscribe failed", {{"error", rd_kafka_err2name(err)}});
      }
    }
    while (!stop_requested.load()) {
      gather();
      // Revocations during gather() may have emptied it; a stop during it leaves the batch unhandled.
      if (!held.empty() && !stop_requested.load()) handle_held();
      held.clear();
    }
    commit_stored(rk.get(), "stop");
    // Revokes the assignment (through on_rebalance, which commits again) and leaves the group, so the
    // partitions move to the other members now instead of after session.timeout.ms.
    if (const auto err = rd_kafka_consumer_close(rk.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      log::warn("kafka consumer close failed", {{"error", rd_kafka_err2name(err)}});
    }
  }

  void start() {
    std::lock_guard lock(mutex);
    if (started || stop_requested.load()) return;
    started = true;
    thread = std::thread([this] { run(); });
  }

  void stop() {
    {
      std::lock_guard lock(mutex);
      stop_requested.store(true);
    }
    cv.notify_all();
    // From inside the handler: the loop ends once the handler returns; a later stop() joins.
    if (thread.joinable() && thread.get_id() != std::this_thread::get_id()) thread.join();
  }
};

Consumer::Consumer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Consumer::~Consumer() = default;

Result<std::unique_ptr<Consumer>> Consumer::create(ConsumerConfig config, Handler handler, ConsumerObserver observer) {
  if (!handler) return Error::permanent("kafka_config", "handler is empty");
  // Batches of exactly one message: the batch loop then behaves as a loop over single messages.
  BatchHandler one_by_one = [handler = std::move(handler)](std::span<const Message> messages) {
    return handler(messages.front());
  };
  return create_batched(std::move(config), std::move(one_by_one), std::move(observer),
                        {.max_messages = 1, .max_wait = std::chrono::milliseconds(0)});
}

Result<std::unique_ptr<Consumer>> Consumer::create_batched(ConsumerConfig config, BatchHandler handler,
                                                           ConsumerObserver observer, BatchOptions batch) {
  if (!handler) return Error::permanent("kafka_config", "handler is empty");
  if (batch.max_messages == 0) return Error::permanent("kafka_config", "batch max_messages must be at least 1");
  if (batch.max_wait.count() < 0) return Error::permanent("kafka_config", "batch max_wait must not be negative");
  auto props = consumer_properties(config);
  if (!props) return props.error();
  auto conf = detail::make_conf(*props);
  if (!conf) return conf.error();
  auto impl = std::make_unique<Impl>(std::move(config), std::move(handler), std::move(observer), batch);
  rd_kafka_conf_set_opaque(conf->get(), impl.get());
  rd_kafka_conf_set_rebalance_cb(conf->get(), &Impl::on_rebalance);
  rd_kafka_conf_set_error_cb(conf->get(), &Impl::on_error);
  rd_kafka_conf_set_offset_commit_cb(conf->get(), &Impl::on_commit);
  auto handle = detail::make_handle(RD_KAFKA_CONSUMER, *conf);
  if (!handle) return handle.error();
  // Error, commit and rebalance events are then all served by the consumer thread's poll.
  rd_kafka_poll_set_consumer(handle->get());
  impl->rk = std::move(*handle);
  return std::unique_ptr<Consumer>(new Consumer(std::move(impl)));
}

void Consumer::start() { impl_->start(); }

void Consumer::stop() { impl_->stop(); }

}  // namespace expo::kafka

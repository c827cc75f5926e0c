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
#include "log_limiter.hpp"

namespace expo::kafka {
namespace {

struct MessageDeleter {
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};
using MessagePtr = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;

std::string_view as_view(const void* data, std::size_t size) {
  if (data == nullptr) return {};
  return {static_cast<const char*>(data), size};
}

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
  Impl(ConsumerConfig cfg, Handler h, ConsumerObserver obs)
      : config(std::move(cfg)), handler(std::move(h)), observer(std::move(obs)) {}

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
  Handler handler;
  ConsumerObserver observer;
  detail::HandlePtr rk;

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
    if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
      if (parts != nullptr && parts->cnt > 0) {
        log::info("kafka partitions revoked", {{"client", rd_kafka_name(handle)}, {"partitions", count}});
      }
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

  void report_lag(std::string_view topic, std::int32_t partition, std::int64_t offset) {
    if (!observer.on_lag) return;
    std::int64_t low = 0;
    std::int64_t high = 0;
    const std::string name(topic);
    // Cached from the last fetch response: no request to the broker.
    if (rd_kafka_get_watermark_offsets(rk.get(), name.c_str(), partition, &low, &high) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        high < 0) {
      return;
    }
    observer.on_lag(topic, partition, std::max<std::int64_t>(0, high - (offset + 1)));
  }

  Result<void> call_handler(const Message& message) {
    // A throwing handler must neither end the process nor let the loop move past its message.
    try {
      return handler(message);
    } catch (const std::exception& e) {
      return Error::retryable_error("handler_exception", e.what());
    } catch (...) {
      return Error::retryable_error("handler_exception", "unknown exception");
    }
  }

  void store_offset(const rd_kafka_message_t& m, std::string_view topic) {
    detail::PartitionListPtr list(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(list.get(), rd_kafka_topic_name(m.rkt), m.partition)->offset = m.offset + 1;
    auto err = rd_kafka_offsets_store(rk.get(), list.get());
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) err = list->elems[0].err;
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      // The partition was taken away while the handler ran: its new owner handles the message
      // again, which the handler's idempotence absorbs.
      detail::log_limited(rk.get(), log::Level::warn, std::string("store/") + rd_kafka_err2name(err),
                          "kafka offset store failed", {"error", rd_kafka_err2name(err)},
                          {"at", where(topic, m.partition, m.offset)});
    }
  }

  void process(const rd_kafka_message_t& m) {
    Message message;
    message.topic = rd_kafka_topic_name(m.rkt);
    message.partition = m.partition;
    message.offset = m.offset;
    message.key = as_view(m.key, m.key_len);
    message.value = as_view(m.payload, m.len);
    message.tombstone = m.payload == nullptr;
    rd_kafka_timestamp_type_t ts_type;
    message.timestamp_ms = rd_kafka_message_timestamp(&m, &ts_type);
    rd_kafka_headers_t* headers = nullptr;
    if (rd_kafka_message_headers(&m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR && headers != nullptr) {
      const char* name = nullptr;
      const void* value = nullptr;
      std::size_t size = 0;
      for (std::size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
           ++i) {
        message.headers.push_back({name, std::string(as_view(value, size))});
      }
    }

    auto backoff = config.retry_backoff_min;
    for (;;) {
      const auto result = call_handler(message);
      if (result.ok()) {
        store_offset(m, message.topic);
        report_lag(message.topic, m.partition, m.offset);
        return;
      }
      detail::log_limited(rk.get(), log::Level::warn, "handler/" + result.error().code,
                          "kafka handler failed; retrying the same message", {"error", result.error().code},
                          {"at", where(message.topic, m.partition, m.offset)});
      report_lag(message.topic, m.partition, m.offset);
      if (!wait_unless_stopped(backoff)) {
        // Not stored, so not committed: whoever consumes this partition next starts at this message.
        log::info("kafka consumer stopping; message left for redelivery",
                  {{"at", where(message.topic, m.partition, m.offset)}});
        return;
      }
      backoff = std::min(backoff * 2, config.retry_backoff_max);
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
      MessagePtr m(rd_kafka_consumer_poll(rk.get(), 100));
      if (!m) continue;
      if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
        const char* topic = m->rkt != nullptr ? rd_kafka_topic_name(m->rkt) : "";
        detail::log_limited(rk.get(), log::Level::warn, std::string("consume/") + rd_kafka_err2name(m->err),
                            "kafka consume error", {"error", rd_kafka_err2name(m->err)}, {"topic", topic});
        continue;
      }
      process(*m);
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
  auto props = consumer_properties(config);
  if (!props) return props.error();
  auto conf = detail::make_conf(*props);
  if (!conf) return conf.error();
  auto impl = std::make_unique<Impl>(std::move(config), std::move(handler), std::move(observer));
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

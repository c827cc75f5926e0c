#include "expo/kafka/producer.hpp"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <limits>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "client.hpp"
#include "expo/kafka/properties.hpp"
#include "log_limiter.hpp"
#include "query_thread.hpp"

namespace expo::kafka {
namespace {

using Clock = std::chrono::steady_clock;

// Errors for which sending the same message again cannot succeed: the caller should not retry.
bool is_permanent(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_MSG:
    case RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_INVALID_REQUIRED_ACKS:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR__BAD_MSG:
      return true;
    default:
      return false;
  }
}

const char* persistence_name(rd_kafka_msg_status_t status) {
  switch (status) {
    case RD_KAFKA_MSG_STATUS_NOT_PERSISTED: return "not persisted";
    case RD_KAFKA_MSG_STATUS_POSSIBLY_PERSISTED: return "possibly persisted";
    case RD_KAFKA_MSG_STATUS_PERSISTED: return "persisted";
  }
  return "unknown";
}

// The message never names the topic's payload: keys and values may hold personal data.
Error delivery_error(rd_kafka_resp_err_t err, const char* persistence) {
  std::string message = std::string("delivery failed: ") + rd_kafka_err2name(err);
  if (persistence != nullptr) message.append(" (").append(persistence).append(")");
  if (is_permanent(err)) return Error::permanent("kafka_rejected", std::move(message));
  if (err == RD_KAFKA_RESP_ERR__FATAL) return Error::retryable_error("kafka_fatal", std::move(message));
  if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
    return Error::retryable_error("kafka_queue_full", "producer queue full (max_in_flight reached)");
  }
  return Error::retryable_error("kafka_unavailable", std::move(message));
}

void name_thread(const char* name) { pthread_setname_np(pthread_self(), name); }

}  // namespace

struct Producer::Impl {
  // One produced message from produce() until its `done` is posted. Owns the payload, which
  // librdkafka references without copying (no RD_KAFKA_MSG_F_COPY) until the delivery report.
  // Linked into `pending_` so that whatever librdkafka does at shutdown, every `done` runs once.
  struct Pending {
    std::string topic;
    std::string key;
    std::string value;
    std::function<void(Result<Delivery>)> done;
    Clock::time_point start;
    Pending* prev = nullptr;
    Pending* next = nullptr;
  };

  Impl(boost::asio::io_context& io_context, ProducerObserver obs)
      : io(io_context), observer(std::make_shared<const ProducerObserver>(std::move(obs))) {}

  ~Impl() { stop(std::chrono::milliseconds(0)); }

  boost::asio::io_context& io;
  // Shared with posted handlers, which may run after the Producer is gone.
  std::shared_ptr<const ProducerObserver> observer;
  detail::HandlePtr rk;

  // produce() holds it shared, stop() exclusive: after stop() flips `stopped` no produce() can
  // still be handing a message to librdkafka.
  std::shared_mutex state_mutex;
  bool stopped = false;
  std::atomic<bool> fatal{false};

  std::thread poll_thread;
  std::atomic<bool> poll_stop{false};

  std::mutex pending_mutex;
  Pending* pending_head = nullptr;

  // check_reachable and end_offsets: blocking broker requests, on their own thread.
  std::unique_ptr<detail::QueryThread> queries;

  void link(Pending* p) {
    std::lock_guard lock(pending_mutex);
    p->next = pending_head;
    if (pending_head != nullptr) pending_head->prev = p;
    pending_head = p;
  }

  void unlink(Pending* p) {
    std::lock_guard lock(pending_mutex);
    if (p->prev != nullptr) p->prev->next = p->next;
    else pending_head = p->next;
    if (p->next != nullptr) p->next->prev = p->prev;
    p->prev = p->next = nullptr;
  }

  void complete(std::unique_ptr<Pending> p, Result<Delivery> result) {
    const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - p->start);
    boost::asio::post(io, [obs = observer, topic = std::move(p->topic), done = std::move(p->done),
                           result = std::move(result), latency]() mutable {
      if (obs->on_delivery) obs->on_delivery(topic, latency, result.ok());
      if (done) done(std::move(result));
    });
  }

  // librdkafka calls this from rd_kafka_poll/flush: on the poll thread, or in stop().
  static void on_delivery_report(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    std::unique_ptr<Pending> p(static_cast<Pending*>(msg->_private));
    if (!p) return;
    self->unlink(p.get());
    if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      Delivery delivery{p->topic, msg->partition, msg->offset};
      self->complete(std::move(p), std::move(delivery));
    } else {
      detail::log_limited(self->rk.get(), log::Level::warn, std::string("delivery/") + rd_kafka_err2name(msg->err),
                          "kafka delivery failed", {"error", rd_kafka_err2name(msg->err)},
                          {"topic", p->topic});
      self->complete(std::move(p), delivery_error(msg->err, persistence_name(rd_kafka_message_status(msg))));
    }
  }

  static void on_error(rd_kafka_t* handle, int err, const char* reason, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    detail::log_client_error(handle, err, reason);
    if (err == RD_KAFKA_RESP_ERR__FATAL && !self->fatal.exchange(true)) {
      char detail_text[512] = "";
      const auto cause = rd_kafka_fatal_error(handle, detail_text, sizeof detail_text);
      log::error("kafka producer fatal error: producer unusable, readiness fails",
                 {{"error", rd_kafka_err2name(cause)}, {"reason", detail_text}});
    }
  }

  void poll_loop() {
    name_thread("kafka-poll");
    while (!poll_stop.load(std::memory_order_acquire)) rd_kafka_poll(rk.get(), 100);
  }

  void produce(std::string topic, std::string key, std::string value, std::vector<Header> headers,
               std::function<void(Result<Delivery>)> done) {
    auto p = std::make_unique<Pending>();
    p->topic = std::move(topic);
    p->key = std::move(key);
    p->value = std::move(value);
    p->done = std::move(done);
    p->start = Clock::now();

    std::shared_lock lock(state_mutex);
    if (stopped) {
      lock.unlock();
      complete(std::move(p), Error::retryable_error("kafka_stopped", "producer stopped"));
      return;
    }
    if (fatal.load()) {
      lock.unlock();
      complete(std::move(p), Error::retryable_error("kafka_fatal", "producer had a fatal error"));
      return;
    }

    std::vector<rd_kafka_vu_t> vus(4 + headers.size());
    std::size_t n = 0;
    vus[n].vtype = RD_KAFKA_VTYPE_TOPIC;
    vus[n++].u.cstr = p->topic.c_str();
    if (!p->key.empty()) {  // an empty key is a null key: spread by the partitioner, not all on one
      vus[n].vtype = RD_KAFKA_VTYPE_KEY;
      vus[n].u.mem.ptr = p->key.data();
      vus[n++].u.mem.size = p->key.size();
    }
    if (!p->value.empty()) {  // an empty value is a null value: a tombstone on a compacted topic
      vus[n].vtype = RD_KAFKA_VTYPE_VALUE;
      vus[n].u.mem.ptr = p->value.data();
      vus[n++].u.mem.size = p->value.size();
    }
    for (const auto& h : headers) {  // librdkafka copies header names and values
      vus[n].vtype = RD_KAFKA_VTYPE_HEADER;
      vus[n].u.header.name = h.key.c_str();
      vus[n].u.header.val = h.value.data();
      vus[n++].u.header.size = static_cast<ssize_t>(h.value.size());
    }
    vus[n].vtype = RD_KAFKA_VTYPE_OPAQUE;
    vus[n++].u.ptr = p.get();

    link(p.get());
    rd_kafka_error_t* error = rd_kafka_produceva(rk.get(), vus.data(), n);
    if (error == nullptr) {
      [[maybe_unused]] Pending* owned_by_librdkafka = p.release();
      return;
    }
    const auto code = rd_kafka_error_code(error);
    rd_kafka_error_destroy(error);
    if (code != RD_KAFKA_RESP_ERR__QUEUE_FULL) {  // while `lock` still keeps stop() from destroying rk
      detail::log_limited(rk.get(), log::Level::warn, std::string("produce/") + rd_kafka_err2name(code),
                          "kafka produce refused", {"error", rd_kafka_err2name(code)}, {"topic", p->topic});
    }
    lock.unlock();
    unlink(p.get());
    complete(std::move(p), delivery_error(code, nullptr));
  }

  void stop(std::chrono::milliseconds flush_timeout) {
    {
      std::unique_lock lock(state_mutex);
      if (stopped || !rk) return;
      stopped = true;
    }
    if (queries) queries->stop();  // before rk goes: its round may be using it

    poll_stop.store(true, std::memory_order_release);
    rd_kafka_yield(rk.get());
    if (poll_thread.joinable()) poll_thread.join();

    // From here this thread serves the delivery reports itself.
    const auto flush_ms = std::clamp<std::int64_t>(flush_timeout.count(), 0, std::numeric_limits<int>::max());
    const auto flushed = rd_kafka_flush(rk.get(), static_cast<int>(flush_ms));
    if (flushed != RD_KAFKA_RESP_ERR_NO_ERROR) {
      log::warn("kafka producer stopping with unacknowledged messages; failing them",
                {{"client", rd_kafka_name(rk.get())}, {"count", std::to_string(rd_kafka_outq_len(rk.get()))}});
      rd_kafka_purge(rk.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      // Purged messages get their delivery reports (ERR__PURGE_*) through this flush.
      rd_kafka_flush(rk.get(), 1000);
    }
    rk.reset();

    // Anything librdkafka dropped without a report still gets its single completion.
    std::unique_lock lock(pending_mutex);
    while (pending_head != nullptr) {
      std::unique_ptr<Pending> p(pending_head);
      pending_head = p->next;
      lock.unlock();
      complete(std::move(p), Error::retryable_error("kafka_unavailable", "producer stopped before acknowledgement"));
      lock.lock();
    }
  }
};

Producer::Producer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Producer::~Producer() = default;

Result<std::unique_ptr<Producer>> Producer::create(boost::asio::io_context& io, ProducerConfig config,
                                                   ProducerObserver observer) {
  auto props = producer_properties(config);
  if (!props) return props.error();
  auto conf = detail::make_conf(*props);
  if (!conf) return conf.error();

  auto impl = std::make_unique<Impl>(io, std::move(observer));
  rd_kafka_conf_set_opaque(conf->get(), impl.get());
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &Impl::on_delivery_report);
  rd_kafka_conf_set_error_cb(conf->get(), &Impl::on_error);
  auto handle = detail::make_handle(RD_KAFKA_PRODUCER, *conf);
  if (!handle) return handle.error();
  impl->rk = std::move(*handle);
  impl->poll_thread = std::thread([p = impl.get()] { p->poll_loop(); });
  impl->queries = std::make_unique<detail::QueryThread>(io, impl->rk.get(), impl->fatal);
  return std::unique_ptr<Producer>(new Producer(std::move(impl)));
}

void Producer::produce(std::string topic, std::string key, std::string value, std::vector<Header> headers,
                       std::function<void(Result<Delivery>)> done) {
  impl_->produce(std::move(topic), std::move(key), std::move(value), std::move(headers), std::move(done));
}

void Producer::check_reachable(std::chrono::milliseconds timeout, std::function<void(bool)> done) {
  impl_->queries->check_reachable(timeout, std::move(done));
}

void Producer::end_offsets(std::string topic, std::chrono::milliseconds timeout,
                           std::function<void(Result<std::vector<std::int64_t>>)> done) {
  impl_->queries->end_offsets(std::move(topic), timeout, std::move(done));
}

void Producer::stop(std::chrono::milliseconds flush_timeout) { impl_->stop(flush_timeout); }

}  // namespace expo::kafka

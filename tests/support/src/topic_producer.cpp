#include "expo/testing/topic_producer.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <mutex>
#include <thread>

#include "expo/kafka/producer.hpp"

namespace expo::testing {
namespace {

// Beyond this many unacknowledged messages send() waits (librdkafka's queue is bounded too).
constexpr std::size_t kMaxUnacknowledged = 200000;

}  // namespace

struct TopicProducer::Impl {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::unique_ptr<kafka::Producer> producer;
  std::thread thread;
  std::size_t sent = 0;
  std::atomic<std::size_t> acknowledged{0};
  std::atomic<std::size_t> failed{0};
  mutable std::mutex mutex;
  std::string first_error;

  std::size_t done() const { return acknowledged.load() + failed.load(); }

  void fail(const std::string& why) {
    {
      std::lock_guard lock(mutex);
      if (first_error.empty()) first_error = why;
    }
    ++failed;
  }
};

TopicProducer::TopicProducer(const std::string& brokers) : impl_(std::make_unique<Impl>()) {
  auto producer = kafka::Producer::create(impl_->io, {.brokers = brokers,
                                                      .client_id = "test-topic-producer",
                                                      .delivery_timeout = std::chrono::seconds(60),
                                                      .max_in_flight = kMaxUnacknowledged + 1000});
  if (producer) {
    impl_->producer = std::move(*producer);
  } else {
    ADD_FAILURE() << "cannot create a Kafka producer: " << producer.error().message;
  }
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

TopicProducer::~TopicProducer() {
  flush(std::chrono::seconds(5));
  // stop() posts the completions still pending; the io thread runs them before it ends.
  if (impl_->producer) impl_->producer->stop(std::chrono::seconds(1));
  impl_->work.reset();
  impl_->thread.join();
  impl_->producer.reset();
}

void TopicProducer::send(std::string topic, std::string key, std::string value) {
  ++impl_->sent;
  if (!impl_->producer) {
    impl_->fail("no producer");
    return;
  }
  while (impl_->sent - impl_->done() > kMaxUnacknowledged) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  impl_->producer->produce(std::move(topic), std::move(key), std::move(value), {},
                           [impl = impl_.get()](Result<kafka::Delivery> delivery) {
                             if (delivery) {
                               ++impl->acknowledged;
                             } else {
                               impl->fail(delivery.error().code + ": " + delivery.error().message);
                             }
                           });
}

bool TopicProducer::flush(std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (impl_->done() < impl_->sent && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return impl_->acknowledged.load() == impl_->sent;
}

std::size_t TopicProducer::sent() const { return impl_->sent; }
std::size_t TopicProducer::acknowledged() const { return impl_->acknowledged.load(); }
std::size_t TopicProducer::failed() const { return impl_->failed.load(); }

std::string TopicProducer::first_error() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->first_error;
}

}  // namespace expo::testing

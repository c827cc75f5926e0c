#pragma once
// A Kafka producer for tests that write the suite's topics directly (events a service would have
// written, duplicates, crafted orders): send() queues a message without waiting, flush() waits until
// the broker acknowledged every message sent so far (acks=all, idempotent: per key in the order sent).
// An io thread of its own runs the completions, so a test can send 100,000 messages in a loop.
//
// Thread-safety: one thread at a time calls send() and flush(); use one producer per thread.
// A failed delivery is counted (failed()) and makes flush() answer false; it is never retried, so a
// test that needs every message must check flush().

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace expo::testing {

class TopicProducer {
 public:
  // A failure to create the producer is a gtest failure; send() then counts every message failed.
  explicit TopicProducer(const std::string& brokers);
  ~TopicProducer();  // flushes for up to 5 s, then stops
  TopicProducer(const TopicProducer&) = delete;
  TopicProducer& operator=(const TopicProducer&) = delete;

  // Waits only while a large number of messages (200,000) is unacknowledged.
  void send(std::string topic, std::string key, std::string value);
  // Until every message sent so far is acknowledged or failed, or `deadline`; true when all are durable.
  bool flush(std::chrono::milliseconds deadline = std::chrono::seconds(60));

  std::size_t sent() const;
  std::size_t acknowledged() const;
  std::size_t failed() const;
  std::string first_error() const;  // of the first failed delivery, for the failure message

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace expo::testing

#pragma once
// The producer's query thread: serves check_reachable() and end_offsets(), whose librdkafka calls
// block, off the io thread, and posts every answer to the io_context.
//
// Coalescing: the thread takes every waiting request at once and answers them in one round: one
// metadata request for all reachability probes, one query per topic for end offsets. Requests that
// arrive during a round wait for the next, so every answer comes from broker requests sent after
// it was asked for: end offsets cover every message acknowledged before the call. A round answers
// its requests by the earliest of their deadlines (timeouts count from the call, so time spent
// waiting behind another round counts too).
//
// Thread-safety: check_reachable() and end_offsets() from any thread; stop() from one thread.
// Lifetime: `rk` and `fatal` must outlive stop(); the destructor calls stop().

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "broker_queries.hpp"
#include "expo/core/result.hpp"

namespace boost::asio {
class io_context;
}

namespace expo::kafka::detail {

class QueryThread {
 public:
  using ReachableDone = std::function<void(bool)>;
  using EndOffsetsDone = std::function<void(Result<std::vector<std::int64_t>>)>;

  // Starts the thread. `fatal` turns every later answer into a failure (see Producer).
  QueryThread(boost::asio::io_context& io, rd_kafka_t* rk, const std::atomic<bool>& fatal);
  ~QueryThread();
  QueryThread(const QueryThread&) = delete;
  QueryThread& operator=(const QueryThread&) = delete;

  // Never block; `done` runs once, posted to the io_context. See Producer for the answers.
  void check_reachable(std::chrono::milliseconds timeout, ReachableDone done);
  void end_offsets(std::string topic, std::chrono::milliseconds timeout, EndOffsetsDone done);

  // Makes the running round give up before its next broker request (the one in flight runs to
  // its timeout), joins the thread and posts a failure to every request not answered yet; later
  // requests fail at once. Idempotent.
  void stop();

 private:
  struct ProbeWaiter {
    QueryClock::time_point deadline;
    ReachableDone done;
  };
  struct OffsetsWaiter {
    QueryClock::time_point deadline;
    EndOffsetsDone done;
  };
  using OffsetsByTopic = std::map<std::string, std::vector<OffsetsWaiter>>;

  void run();
  void serve_probes(std::vector<ProbeWaiter> batch);
  void serve_end_offsets(const std::string& topic, std::vector<OffsetsWaiter> batch);
  void answer(std::vector<ProbeWaiter> batch, bool reachable);
  void answer(std::vector<OffsetsWaiter> batch, const Result<std::vector<std::int64_t>>& result);

  boost::asio::io_context& io_;
  rd_kafka_t* rk_;
  const std::atomic<bool>& fatal_;

  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<ProbeWaiter> probes_;  // waiting for the next round; guarded by mutex_
  OffsetsByTopic offsets_;           // guarded by mutex_
  bool stopping_ = false;            // guarded by mutex_
  std::atomic<bool> cancelled_{false};  // read by the running round between broker requests
  std::thread thread_;
};

}  // namespace expo::kafka::detail

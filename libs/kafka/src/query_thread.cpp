#include "query_thread.hpp"

#include <pthread.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace expo::kafka::detail {
namespace {

// Long enough for any real caller; short enough that adding it to now() cannot overflow.
constexpr std::chrono::hours kLongestTimeout{24};

QueryClock::time_point deadline_after(std::chrono::milliseconds timeout) {
  return QueryClock::now() +
         std::clamp<std::chrono::milliseconds>(timeout, std::chrono::milliseconds(0), kLongestTimeout);
}

template <class Waiter>
QueryClock::time_point earliest_deadline(const std::vector<Waiter>& batch) {
  auto deadline = QueryClock::time_point::max();
  for (const auto& w : batch) deadline = std::min(deadline, w.deadline);
  return deadline;
}

Error unavailable(const char* why) {
  return Error::retryable_error("kafka_unavailable", std::string("end offsets: ") + why);
}

}  // namespace

QueryThread::QueryThread(boost::asio::io_context& io, rd_kafka_t* rk, const std::atomic<bool>& fatal)
    : io_(io), rk_(rk), fatal_(fatal), thread_([this] { run(); }) {}

QueryThread::~QueryThread() { stop(); }

void QueryThread::check_reachable(std::chrono::milliseconds timeout, ReachableDone done) {
  std::vector<ProbeWaiter> refused;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      refused.push_back({{}, std::move(done)});
    } else {
      probes_.push_back({deadline_after(timeout), std::move(done)});
    }
  }
  cv_.notify_one();
  if (!refused.empty()) answer(std::move(refused), false);
}

void QueryThread::end_offsets(std::string topic, std::chrono::milliseconds timeout, EndOffsetsDone done) {
  std::vector<OffsetsWaiter> refused;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      refused.push_back({{}, std::move(done)});
    } else {
      offsets_[std::move(topic)].push_back({deadline_after(timeout), std::move(done)});
    }
  }
  cv_.notify_one();
  if (!refused.empty()) answer(std::move(refused), unavailable("producer stopped"));
}

void QueryThread::stop() {
  std::vector<ProbeWaiter> probes;
  OffsetsByTopic offsets;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    cancelled_.store(true);
    probes = std::move(probes_);
    probes_.clear();
    offsets = std::move(offsets_);
    offsets_.clear();
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  answer(std::move(probes), false);
  for (auto& [topic, batch] : offsets) answer(std::move(batch), unavailable("producer stopped"));
}

void QueryThread::run() {
  pthread_setname_np(pthread_self(), "kafka-query");
  std::unique_lock lock(mutex_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !probes_.empty() || !offsets_.empty(); });
    if (stopping_) return;
    auto probes = std::move(probes_);
    probes_.clear();
    auto offsets = std::move(offsets_);
    offsets_.clear();
    lock.unlock();
    if (!probes.empty()) serve_probes(std::move(probes));
    for (auto& [topic, batch] : offsets) serve_end_offsets(topic, std::move(batch));
    lock.lock();
  }
}

void QueryThread::serve_probes(std::vector<ProbeWaiter> batch) {
  const bool reachable = !fatal_.load() && !cancelled_.load() && metadata_answered(rk_, earliest_deadline(batch));
  answer(std::move(batch), reachable);
}

void QueryThread::serve_end_offsets(const std::string& topic, std::vector<OffsetsWaiter> batch) {
  if (fatal_.load()) {
    answer(std::move(batch), unavailable("producer had a fatal error"));
    return;
  }
  answer(std::move(batch), query_end_offsets(rk_, topic, earliest_deadline(batch), cancelled_));
}

void QueryThread::answer(std::vector<ProbeWaiter> batch, bool reachable) {
  for (auto& w : batch) {
    if (w.done) boost::asio::post(io_, [done = std::move(w.done), reachable] { done(reachable); });
  }
}

void QueryThread::answer(std::vector<OffsetsWaiter> batch, const Result<std::vector<std::int64_t>>& result) {
  for (auto& w : batch) {
    if (w.done) boost::asio::post(io_, [done = std::move(w.done), result] { done(result); });
  }
}

}  // namespace expo::kafka::detail

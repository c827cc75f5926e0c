#include "expo/http/stream_workers.hpp"

#include <atomic>
#include <thread>
#include <vector>

#include "chunk_pipe.hpp"
#include "expo/core/log.hpp"

namespace expo::http {

namespace detail {
namespace {

// The end of the body as a pull's answer: "" when complete, else the producer's error.
void deliver_end(const BodySource::Deliver& deliver, const Result<void>& end) {
  if (end) {
    deliver(std::string());
  } else {
    deliver(end.error());
  }
}

}  // namespace

bool ChunkPipe::push(std::string chunk) {
  std::unique_lock lock(mutex_);
  room_.wait(lock, [&] { return cancelled_ || chunks_.size() < max_chunks_; });
  if (cancelled_ || outcome_) return !cancelled_;
  if (waiting_) {
    // The connection is already waiting: hand the chunk straight over.
    auto deliver = std::move(waiting_);
    waiting_ = nullptr;
    lock.unlock();
    deliver(std::move(chunk));
    return true;
  }
  chunks_.push_back(std::move(chunk));
  return true;
}

void ChunkPipe::finish(Result<void> outcome) {
  std::unique_lock lock(mutex_);
  if (outcome_) return;
  outcome_ = std::move(outcome);
  if (!waiting_ || !chunks_.empty()) return;
  auto deliver = std::move(waiting_);
  waiting_ = nullptr;
  const auto end = *outcome_;
  lock.unlock();
  deliver_end(deliver, end);
}

bool ChunkPipe::cancelled() const {
  std::lock_guard lock(mutex_);
  return cancelled_;
}

void ChunkPipe::pull(Deliver deliver) {
  std::unique_lock lock(mutex_);
  if (!chunks_.empty()) {
    auto chunk = std::move(chunks_.front());
    chunks_.pop_front();
    lock.unlock();
    room_.notify_one();
    deliver(std::move(chunk));
    return;
  }
  if (cancelled_) {
    lock.unlock();
    deliver(Error::permanent("cancelled", "the stream was cancelled"));
    return;
  }
  if (outcome_) {
    const auto end = *outcome_;
    lock.unlock();
    deliver_end(deliver, end);
    return;
  }
  waiting_ = std::move(deliver);
}

void ChunkPipe::cancel() {
  Deliver dropped;
  {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    chunks_.clear();
    // Dropped, not called: the connection is gone, and the callback may hold it alive.
    dropped = std::move(waiting_);
    waiting_ = nullptr;
  }
  room_.notify_all();
}

}  // namespace detail

ChunkWriter::ChunkWriter(std::shared_ptr<detail::ChunkPipe> pipe, std::size_t chunk_bytes)
    : pipe_(std::move(pipe)), chunk_bytes_(chunk_bytes == 0 ? 1 : chunk_bytes) {
  buffer_.reserve(chunk_bytes_);
}

bool ChunkWriter::write(std::string_view bytes) {
  buffer_.append(bytes);
  written_ += bytes.size();
  if (buffer_.size() < chunk_bytes_) return !pipe_->cancelled();
  return flush();
}

bool ChunkWriter::flush() {
  if (buffer_.empty()) return !pipe_->cancelled();
  std::string chunk;
  chunk.reserve(chunk_bytes_);
  chunk.swap(buffer_);
  return pipe_->push(std::move(chunk));
}

bool ChunkWriter::cancelled() const { return pipe_->cancelled(); }

struct StreamWorkers::Impl {
  struct Worker {
    std::thread thread;
    std::shared_ptr<detail::ChunkPipe> pipe;
    std::shared_ptr<std::atomic<bool>> done;
  };

  explicit Impl(StreamOptions o) : options(o) {}

  const StreamOptions options;
  mutable std::mutex mutex;
  std::vector<Worker> workers;
  bool stopped = false;

  // Joins the threads whose producer has returned (they are ending or have ended: a short join).
  void reap() {
    for (auto it = workers.begin(); it != workers.end();) {
      if (it->done->load()) {
        it->thread.join();
        it = workers.erase(it);
      } else {
        ++it;
      }
    }
  }
};

StreamWorkers::StreamWorkers(StreamOptions options) : impl_(std::make_unique<Impl>(options)) {}

StreamWorkers::~StreamWorkers() { stop(); }

Result<std::shared_ptr<BodySource>> StreamWorkers::start(Produce produce) {
  std::lock_guard lock(impl_->mutex);
  if (impl_->stopped) return Error::retryable_error("stopping", "the service is stopping");
  impl_->reap();
  if (impl_->workers.size() >= impl_->options.max_streams) {
    return Error::retryable_error("streams_busy", "too many exports are running; retry shortly");
  }
  auto pipe = std::make_shared<detail::ChunkPipe>(impl_->options.queue_chunks);
  auto done = std::make_shared<std::atomic<bool>>(false);
  const auto chunk_bytes = impl_->options.chunk_bytes;
  std::thread thread([pipe, done, chunk_bytes, produce = std::move(produce)] {
    Result<void> outcome;
    {
      ChunkWriter writer(pipe, chunk_bytes);
      try {
        outcome = produce(writer);
      } catch (const std::exception& e) {
        outcome = Error::permanent("stream_failed", e.what());
      } catch (...) {
        outcome = Error::permanent("stream_failed", "unknown exception");
      }
      if (outcome && !writer.flush()) outcome = Error::permanent("cancelled", "the stream was cancelled");
    }
    if (!outcome && outcome.error().code != "cancelled") {
      log::warn("streamed body failed", {{"code", outcome.error().code}, {"error", outcome.error().message}});
    }
    pipe->finish(std::move(outcome));
    done->store(true);
  });
  impl_->workers.push_back({std::move(thread), pipe, done});
  return std::shared_ptr<BodySource>(std::move(pipe));
}

void StreamWorkers::stop() {
  std::vector<Impl::Worker> workers;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopped = true;
    workers.swap(impl_->workers);
  }
  for (auto& w : workers) w.pipe->cancel();
  for (auto& w : workers) {
    if (w.thread.joinable()) w.thread.join();
  }
}

std::size_t StreamWorkers::running() const {
  std::lock_guard lock(impl_->mutex);
  std::size_t n = 0;
  for (const auto& w : impl_->workers) n += w.done->load() ? 0 : 1;
  return n;
}

}  // namespace expo::http

#pragma once
// The bounded queue between a stream's producer thread and its connection (stream_workers.hpp).
// The producer push()es chunks (blocking while max_chunks are queued) and finish()es; the connection
// pull()s (body_source.hpp) and may cancel(). Thread-safe: one mutex; callbacks run outside it.

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

#include "expo/http/body_source.hpp"

namespace expo::http::detail {

class ChunkPipe final : public BodySource {
 public:
  explicit ChunkPipe(std::size_t max_chunks) : max_chunks_(max_chunks == 0 ? 1 : max_chunks) {}

  // Producer side. push: false once cancelled (the chunk is dropped).
  bool push(std::string chunk);
  // The body is complete (ok) or cannot be completed (an error); later pushes are ignored.
  void finish(Result<void> outcome);
  bool cancelled() const;

  // Connection side (BodySource).
  void pull(Deliver deliver) override;
  void cancel() override;

 private:
  mutable std::mutex mutex_;
  std::condition_variable room_;
  const std::size_t max_chunks_;
  std::deque<std::string> chunks_;
  Deliver waiting_;                     // a pull that found nothing queued
  std::optional<Result<void>> outcome_; // set by finish()
  bool cancelled_ = false;
};

}  // namespace expo::http::detail

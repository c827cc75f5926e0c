#pragma once
// Streamed bodies produced by blocking code (a Kafka read, say) on threads of their own, never on the
// io thread. Each stream is a worker thread writing into a ChunkWriter; the writer cuts the bytes into
// chunks of about `chunk_bytes` and hands them to the connection through a queue of at most
// `queue_chunks` chunks. When the queue is full the worker blocks: a slow client slows the producer
// and the memory of one stream stays below (queue_chunks + 2) * chunk_bytes (the queue, the chunk
// being written to the socket, the one being filled).
//
// A stream ends when the producer returns (its error, if any, reaches the client as body_source.hpp
// says), or is cancelled when the client goes away or the server stops: write() then returns false
// and cancelled() turns true, and the producer should return promptly.
//
//   auto source = workers.start([](http::ChunkWriter& out) -> Result<void> {
//     out.write("header\r\n");                     // false: cancelled, stop
//     ...
//     return {};
//   });
//   if (!source) return responder.send(Response::from_error(source.error()));
//   responder.send(Response::stream(200, "text/csv; charset=utf-8", *source));
//
// Thread-safety: start() and running() from any thread; stop() blocks (joins), so call it from a
// stop hook or a test's thread, never from an io thread. A ChunkWriter is used by its worker only.
// Lifetime: the destructor calls stop(). Sources may outlive the StreamWorkers (they then end cancelled).

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "expo/core/result.hpp"
#include "expo/http/body_source.hpp"

namespace expo::http {

namespace detail {
class ChunkPipe;
}

class ChunkWriter {
 public:
  ChunkWriter(std::shared_ptr<detail::ChunkPipe> pipe, std::size_t chunk_bytes);
  ChunkWriter(const ChunkWriter&) = delete;
  ChunkWriter& operator=(const ChunkWriter&) = delete;

  // Appends bytes; hands a chunk over (blocking while the queue is full) once about chunk_bytes are
  // gathered. False when the stream was cancelled: the producer should stop.
  bool write(std::string_view bytes);
  // Hands over what is gathered so far (end of the body). False when cancelled.
  bool flush();
  bool cancelled() const;
  std::size_t bytes_written() const { return written_; }

 private:
  std::shared_ptr<detail::ChunkPipe> pipe_;
  std::size_t chunk_bytes_;
  std::string buffer_;
  std::size_t written_ = 0;
};

struct StreamOptions {
  std::size_t chunk_bytes = 64 * 1024;
  std::size_t queue_chunks = 4;
  // Streams running at once; beyond, start() answers "streams_busy" (retryable: 503 + Retry-After).
  std::size_t max_streams = 2;
};

class StreamWorkers {
 public:
  using Produce = std::function<Result<void>(ChunkWriter&)>;

  explicit StreamWorkers(StreamOptions options = {});
  ~StreamWorkers();
  StreamWorkers(const StreamWorkers&) = delete;
  StreamWorkers& operator=(const StreamWorkers&) = delete;

  // Starts `produce` on a new thread; the source to put in Response::stream. Errors: "streams_busy"
  // (retryable) at max_streams, "stopping" (retryable) after stop().
  Result<std::shared_ptr<BodySource>> start(Produce produce);
  // Cancels every stream and joins its thread; later start() calls fail. Blocking.
  void stop();
  // Streams whose producer has not returned yet.
  std::size_t running() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace expo::http

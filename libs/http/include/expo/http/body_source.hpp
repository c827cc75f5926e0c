#pragma once
// A response body sent while it is produced (HTTP/1.1 chunked transfer encoding), for bodies too large
// to build in memory (the organisers' exports). The connection pulls one piece at a time and asks for
// the next only once the previous one is written to the socket: a slow client slows the producer
// down instead of making memory grow.
//
// Contract between the connection and a source:
// - pull(deliver): at most one pull is outstanding. The source calls `deliver` once, from any thread
//   (possibly inside pull()), with the next piece (non-empty), an empty string (the body is complete)
//   or an Error (the body cannot be completed).
// - The response head waits for the first piece: an Error before any piece becomes an ordinary error
//   answer (Response::from_error: 503 for a retryable error, else 500). An Error after the head was
//   sent closes the connection without the final chunk, so the client sees a truncated transfer, never
//   a short file that looks whole.
// - cancel(): the client went away, the connection was closed, or the server is stopping (a stream in
//   progress is cut at once on stop(): an export may run for minutes, longer than any drain). The
//   source stops producing; a pending deliver may still be called, or dropped. Called on the
//   connection's thread, at most once, possibly after the body completed.

#include <functional>
#include <string>

#include "expo/core/result.hpp"

namespace expo::http {

class BodySource {
 public:
  virtual ~BodySource() = default;
  using Deliver = std::function<void(Result<std::string>)>;
  virtual void pull(Deliver deliver) = 0;
  virtual void cancel() = 0;
};

}  // namespace expo::http

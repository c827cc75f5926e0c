#pragma once
// A small HTTP/1.1 GET client for the suite's own neighbours on the internal network (the
// leaderboard asks Prometheus for the operations page). Asynchronous on the io_context: it never
// blocks the event loop; one connection per request; one deadline for the whole exchange (resolve,
// connect, write, read); answers larger than max_body fail rather than grow. Plain HTTP only.
// Thread-safety: call from the io_context's thread; `done` runs there, exactly once.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "expo/core/result.hpp"

namespace boost::asio {
class io_context;
}

namespace expo::http {

struct Endpoint {
  std::string host;
  std::uint16_t port = 80;
};

// "http://host:port" (port optional, no path). Errors: "invalid_url" naming what is wrong.
Result<Endpoint> parse_http_url(std::string_view url);

struct ClientResponse {
  int status = 0;
  std::string body;
};

struct GetOptions {
  std::chrono::milliseconds timeout{2000};
  std::size_t max_body = 4 * 1024 * 1024;
};

// Errors: "upstream_unavailable" (retryable) when the exchange fails or times out,
// "upstream_too_large" when the body exceeds max_body. Any HTTP status is a success here.
void get(boost::asio::io_context& io, const Endpoint& endpoint, std::string target, GetOptions options,
         std::function<void(Result<ClientResponse>)> done);

}  // namespace expo::http

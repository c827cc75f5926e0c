#pragma once
// The HTTP/1.1 + WebSocket server every service runs (Boost.Beast inside, nothing of it here).
// - keep-alive; one request at a time per connection, answered through a Responder;
// - body limit (413), header limit (431), header/idle timeouts, a bound on open connections and on
//   requests being handled at once (503 + Retry-After beyond it);
// - JSON error envelope for everything the server itself refuses (404, 405, 400, 413, 431, 503);
// - stop(): stop accepting, close idle connections, let requests in progress finish (up to
//   drain_timeout), then report drained.
// Thread-safety: construct, start and stop on the io_context's thread; the server runs on that one
// thread (one io thread per service keeps handlers free of locks).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "expo/core/result.hpp"
#include "expo/http/request.hpp"

namespace boost::asio {
class io_context;
}

namespace expo::http {

class Router;

struct ServerConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0 picks a free port (tests); see Server::port()
  std::size_t body_limit = 64 * 1024;
  std::size_t header_limit = 16 * 1024;
  std::size_t max_in_flight = 1024;
  std::size_t max_connections = 20000;
  std::chrono::milliseconds header_timeout{10000};  // a new connection must send its request head by then
  std::chrono::milliseconds idle_timeout{120000};   // a keep-alive connection may wait this long between requests
  std::chrono::milliseconds drain_timeout{10000};   // stop(): how long requests in progress may take
};

struct ServerObserver {
  // After each response: the route pattern (bounded label), method, status and time in the server.
  std::function<void(std::string_view route, Method method, int status, std::chrono::nanoseconds latency)> on_response = {};
};

class Server {
 public:
  Server(boost::asio::io_context& io, ServerConfig config, const Router& router, ServerObserver observer = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting; an error names the address when the port is taken.
  Result<void> start();
  std::uint16_t port() const;
  void stop(std::function<void()> on_drained);

  std::size_t open_connections() const;
  std::size_t requests_in_flight() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace expo::http

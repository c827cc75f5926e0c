#pragma once
// What the listener and every connection of one server share. Lives on the io thread only.

#include <boost/asio/io_context.hpp>
#include <functional>
#include <unordered_set>

#include "expo/http/router.hpp"
#include "expo/http/server.hpp"

namespace expo::http::detail {

// A connection the server can ask to wind down (HTTP or WebSocket).
class Connection {
 public:
  virtual ~Connection() = default;
  // Graceful: finish what is in progress, then close.
  virtual void stop() = 0;
  // Now: close the socket.
  virtual void force_close() = 0;
};

struct ServerState {
  ServerState(boost::asio::io_context& io_context, ServerConfig cfg, const Router& r, ServerObserver obs)
      : io(io_context), config(std::move(cfg)), router(r), observer(std::move(obs)) {}

  boost::asio::io_context& io;
  const ServerConfig config;
  const Router& router;
  const ServerObserver observer;

  std::unordered_set<Connection*> connections;
  std::size_t in_flight = 0;
  bool stopping = false;
  std::function<void()> on_drained;

  void add(Connection* c) { connections.insert(c); }
  void remove(Connection* c) {
    if (connections.erase(c) && stopping && connections.empty() && on_drained) {
      auto done = std::move(on_drained);
      on_drained = nullptr;
      done();
    }
  }
};

}  // namespace expo::http::detail

#include "expo/http/server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <vector>

#include "expo/core/log.hpp"
#include "http_session.hpp"
#include "server_state.hpp"

namespace asio = boost::asio;
using tcp = boost::asio::ip::tcp;

namespace expo::http {

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(asio::io_context& io, ServerConfig config, const Router& router, ServerObserver observer)
      : state(std::make_shared<detail::ServerState>(io, std::move(config), router, std::move(observer))),
        acceptor(io),
        retry_timer(io),
        drain_timer(io) {}

  std::shared_ptr<detail::ServerState> state;
  tcp::acceptor acceptor;
  asio::steady_timer retry_timer;
  asio::steady_timer drain_timer;
  std::uint16_t bound_port = 0;

  void accept() {
    acceptor.async_accept([self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
      self->on_accept(ec, std::move(socket));
    });
  }

  void on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (state->stopping || ec == asio::error::operation_aborted) return;
    if (ec) {
      // Typically EMFILE: out of descriptors. Back off instead of spinning on the error.
      log::warn("accept failed", {{"error", ec.message()}});
      retry_timer.expires_after(std::chrono::milliseconds(100));
      retry_timer.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
        if (!wait_ec) self->accept();
      });
      return;
    }
    if (state->connections.size() >= state->config.max_connections) {
      boost::system::error_code ignored;
      socket.close(ignored);  // over the bound: refuse rather than let memory grow
    } else {
      std::make_shared<detail::HttpSession>(std::move(socket), state)->run();
    }
    accept();
  }
};

Server::Server(asio::io_context& io, ServerConfig config, const Router& router, ServerObserver observer)
    : impl_(std::make_shared<Impl>(io, std::move(config), router, std::move(observer))) {}

Server::~Server() {
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
}

Result<void> Server::start() {
  const auto& config = impl_->state->config;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(config.host, ec);
  if (ec) return Error::permanent("http_bind_failed", "invalid listen address '" + config.host + "'");
  const tcp::endpoint endpoint(address, config.port);
  const std::string where = config.host + ":" + std::to_string(config.port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Error::permanent("http_bind_failed", "cannot listen on " + where + ": " + ec.message());
  impl_->bound_port = acceptor.local_endpoint().port();
  impl_->accept();
  return {};
}

std::uint16_t Server::port() const { return impl_->bound_port; }

void Server::stop(std::function<void()> on_drained) {
  auto& state = *impl_->state;
  if (state.stopping) return;
  state.stopping = true;
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
  impl_->retry_timer.cancel();
  if (state.connections.empty()) {
    on_drained();
    return;
  }
  state.on_drained = [weak = std::weak_ptr<Impl>(impl_), done = std::move(on_drained)] {
    if (auto impl = weak.lock()) impl->drain_timer.cancel();
    done();
  };
  // Requests still in progress after drain_timeout are cut off.
  impl_->drain_timer.expires_after(state.config.drain_timeout);
  impl_->drain_timer.async_wait([weak = std::weak_ptr<Impl>(impl_)](boost::system::error_code wait_ec) {
    auto impl = weak.lock();
    if (wait_ec || !impl) return;
    const std::vector<detail::Connection*> left(impl->state->connections.begin(), impl->state->connections.end());
    for (auto* connection : left) {
      if (impl->state->connections.contains(connection)) connection->force_close();
    }
  });
  // Copy: stopping a connection may remove it from the set.
  const std::vector<detail::Connection*> open(state.connections.begin(), state.connections.end());
  for (auto* connection : open) {
    if (state.connections.contains(connection)) connection->stop();
  }
}

std::size_t Server::open_connections() const { return impl_->state->connections.size(); }
std::size_t Server::requests_in_flight() const { return impl_->state->in_flight; }

}  // namespace expo::http

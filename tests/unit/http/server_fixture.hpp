#pragma once
// Runs a real Server on a loopback port with its io_context on a background thread.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <thread>

#include "expo/http/router.hpp"
#include "expo/http/server.hpp"

namespace expo::http {

class ServerFixture : public ::testing::Test {
 protected:
  void start(ServerConfig config = {}) {
    config.port = 0;
    server_ = std::make_unique<Server>(io_, config, router_);
    const auto started = server_->start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    thread_ = std::thread([this] { io_.run(); });
  }

  // Runs f on the io thread and returns its result.
  template <class F>
  auto on_io(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    boost::asio::post(io_, [&task] { task(); });
    return result.get();
  }

  void stop_server() {
    if (!thread_.joinable()) return;
    boost::asio::post(io_, [this] { server_->stop([this] { io_.stop(); }); });
    thread_.join();
  }

  void TearDown() override { stop_server(); }

  std::uint16_t port() const { return server_->port(); }

  boost::asio::io_context io_;
  Router router_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

}  // namespace expo::http

#pragma once
// A Redis client with a connection and an io thread of its own, for the consumers' blocking
// (*_sync) calls. On the service's main client those calls would queue behind every HTTP request's
// Redis work on the one io thread, so at a peak a projection (the vote ledger, a board) would fall
// minutes behind while requests kept the thread busy; here they only share the CPU.
// Lifetime: the destructor stops the client and joins the thread; stop the consumers first.

#include <memory>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "expo/redis/client.hpp"

namespace expo::service::detail {

class DedicatedRedis {
 public:
  DedicatedRedis(const redis::ClientConfig& config, redis::ClientObserver observer);
  ~DedicatedRedis();
  DedicatedRedis(const DedicatedRedis&) = delete;
  DedicatedRedis& operator=(const DedicatedRedis&) = delete;

  const std::shared_ptr<redis::Client>& client() const { return client_; }

 private:
  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::shared_ptr<redis::Client> client_;
  std::thread thread_;
};

}  // namespace expo::service::detail

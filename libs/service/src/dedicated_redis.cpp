#include "dedicated_redis.hpp"

#include <boost/asio/post.hpp>
#include <future>

namespace expo::service::detail {

DedicatedRedis::DedicatedRedis(const redis::ClientConfig& config, redis::ClientObserver observer)
    : work_(boost::asio::make_work_guard(io_)), client_(redis::Client::create(io_, config, std::move(observer))) {
  thread_ = std::thread([this] { io_.run(); });
  // The client's members belong to its io thread.
  boost::asio::post(io_, [client = client_] { client->start(); });
}

DedicatedRedis::~DedicatedRedis() {
  std::promise<void> stopped;
  boost::asio::post(io_, [this, &stopped] {
    client_->stop();
    stopped.set_value();
  });
  stopped.get_future().wait();
  work_.reset();
  io_.stop();
  thread_.join();
}

}  // namespace expo::service::detail

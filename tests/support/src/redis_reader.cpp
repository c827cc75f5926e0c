#include "expo/testing/redis_reader.hpp"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <thread>

#include "expo/redis/client.hpp"

namespace expo::testing {

struct RedisReader::Impl {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::shared_ptr<redis::Client> client;
  std::thread thread;
};

RedisReader::RedisReader(int port, std::chrono::milliseconds command_timeout) : impl_(std::make_unique<Impl>()) {
  impl_->client = redis::Client::create(impl_->io, {.host = "127.0.0.1", .port = port, .command_timeout = command_timeout});
  impl_->client->start();
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

RedisReader::~RedisReader() {
  boost::asio::post(impl_->io, [impl = impl_.get()] {
    impl->client->stop();
    impl->work.reset();
  });
  impl_->thread.join();
}

redis::Reply RedisReader::command(std::vector<std::string> args) {
  // The client connects in the background: retry while it is not up yet.
  for (int attempt = 0; attempt < 50; ++attempt) {
    auto reply = impl_->client->command_sync(args);
    if (reply) return *reply;
    if (!reply.error().retryable) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ADD_FAILURE() << "Redis did not answer " << args.front();
  return {};
}

long long RedisReader::integer(const std::string& key) {
  const auto reply = command({"GET", key});
  return reply.type == redis::Reply::Type::string ? std::stoll(reply.str) : 0;
}

std::vector<std::string> RedisReader::keys(const std::string& pattern) {
  std::vector<std::string> found;
  std::string cursor = "0";
  do {
    const auto reply = command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
    if (reply.elements.size() != 2) break;
    cursor = reply.elements[0].str;
    for (const auto& key : reply.elements[1].elements) found.push_back(key.str);
  } while (cursor != "0");
  return found;
}

std::size_t RedisReader::delete_matching(const std::string& pattern) {
  const auto found = keys(pattern);
  for (const auto& key : found) command({"DEL", key});
  return found.size();
}

}  // namespace expo::testing

#pragma once
// A Redis client with its own io thread, for tests to look at (and wipe) what services wrote.
// Blocking; a failed command is a test failure, never a silent empty answer.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "expo/redis/reply.hpp"

namespace expo::testing {

class RedisReader {
 public:
  // `command_timeout`: how long a command may take (a transaction deleting many keys takes longer
  // than the client's default second).
  explicit RedisReader(int port, std::chrono::milliseconds command_timeout = std::chrono::milliseconds(1000));
  ~RedisReader();
  RedisReader(const RedisReader&) = delete;
  RedisReader& operator=(const RedisReader&) = delete;

  redis::Reply command(std::vector<std::string> args);
  // GET of an integer counter; a missing key reads as 0.
  long long integer(const std::string& key);
  // Every key matching the pattern (SCAN, so safe on a shared server).
  std::vector<std::string> keys(const std::string& pattern);
  // Deletes every key matching the pattern; returns how many.
  std::size_t delete_matching(const std::string& pattern);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace expo::testing

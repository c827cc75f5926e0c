#pragma once
// A small blocking HTTP/1.1 client for tests (Beast inside). One connection, kept alive between
// requests; reconnects when the server closed it. Not for production code: it blocks.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace expo::testing {

struct HttpResult {
  int status = 0;  // 0: no answer (connection refused, reset, timeout)
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string error;  // why status is 0
  std::string header(const std::string& lower_name) const;
};

class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port, std::string host = "127.0.0.1");
  ~HttpClient();

  HttpResult request(const std::string& method, const std::string& target, const std::string& body = {},
                     const std::vector<std::pair<std::string, std::string>>& headers = {},
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  HttpResult get(const std::string& target) { return request("GET", target); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace expo::testing

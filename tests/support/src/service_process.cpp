#include "expo/testing/service_process.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>
#include <vector>

#include "expo/testing/environment.hpp"
#include "expo/testing/http_client.hpp"
#include "expo/testing/secrets.hpp"

#ifndef EXPO_SERVICE_BINARY_DIR
#error "EXPO_SERVICE_BINARY_DIR must name the build's services/ folder"
#endif

namespace expo::testing {

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

ServiceProcess::ServiceProcess(std::string service, std::map<std::string, std::string> env) {
  env.try_emplace("EXPO_KAFKA_BROKERS", required_env("EXPO_TEST_KAFKA_BROKERS"));
  env.try_emplace("EXPO_REDIS_PORT", required_env("EXPO_TEST_REDIS_PORT"));
  env.try_emplace("EXPO_HTTP_PORT", std::to_string(free_port()));
  env.try_emplace("EXPO_LOG_LEVEL", "info");
  env.try_emplace("BADGE_SIGNING_KEYS", secrets::badge_signing_keys);
  env.try_emplace("EXPO_PRIVACY_LOOKUP_PEPPER", secrets::lookup_pepper);
  env.try_emplace("EXPO_PRIVACY_WRAPPING_KEY", secrets::wrapping_key);
  port_ = static_cast<std::uint16_t>(std::stoul(env["EXPO_HTTP_PORT"]));
  const std::string binary = std::string(EXPO_SERVICE_BINARY_DIR) + "/" + service + "/expo-" + service;
  process_ = std::make_unique<ChildProcess>(binary, std::vector<std::string>{}, env, test_log_path(service));
}

bool ServiceProcess::wait_for(const std::string& path, int status, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  HttpClient client(port_);
  while (std::chrono::steady_clock::now() < until) {
    if (!running()) return false;
    if (client.request("GET", path, {}, {}, std::chrono::milliseconds(1000)).status == status) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace expo::testing

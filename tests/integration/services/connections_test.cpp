// Ten thousand idle connections (tablets and screens that connect and wait) must not stop the
// service from answering.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "expo/testing/http_client.hpp"
#include "expo/testing/service_process.hpp"

using namespace std::chrono_literals;
using expo::testing::HttpClient;
using expo::testing::ServiceProcess;

namespace {

constexpr int idle_connections = 10000;

int connect_idle(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

TEST(Connections, TenThousandIdleConnectionsDoNotStopHealthz) {
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  ASSERT_GE(limit.rlim_cur, static_cast<rlim_t>(idle_connections + 100)) << "raise the open-file limit (ulimit -n)";

  // Idle connections are allowed to wait a minute here, longer than this test takes.
  ServiceProcess service("registration", {{"EXPO_HTTP_HEADER_TIMEOUT_MS", "60000"}});
  ASSERT_TRUE(service.wait_ready()) << service.log_tail();

  std::vector<int> sockets;
  sockets.reserve(idle_connections);
  for (int i = 0; i < idle_connections; ++i) {
    const int fd = connect_idle(service.port());
    ASSERT_GE(fd, 0) << "connection " << i << " failed";
    sockets.push_back(fd);
  }

  HttpClient client(service.port());
  const auto health = client.request("GET", "/healthz", {}, {}, 2000ms);
  EXPECT_EQ(health.status, 200) << health.error;
  const auto metrics = client.request("GET", "/metrics", {}, {}, 2000ms);
  EXPECT_EQ(metrics.status, 200) << metrics.error;
  EXPECT_TRUE(service.running());

  for (int fd : sockets) ::close(fd);
  EXPECT_EQ(HttpClient(service.port()).get("/healthz").status, 200);
  EXPECT_EQ(service.stop(SIGTERM), 0) << service.log_tail();
}

TEST(Connections, StopDrainsAndExitsWhileConnectionsAreOpen) {
  ServiceProcess service("leaderboard");
  ASSERT_TRUE(service.wait_ready()) << service.log_tail();
  std::vector<int> sockets;
  for (int i = 0; i < 100; ++i) sockets.push_back(connect_idle(service.port()));
  HttpClient keep_alive(service.port());
  EXPECT_EQ(keep_alive.get("/healthz").status, 200);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(service.stop(SIGTERM), 0) << service.log_tail();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s) << "idle connections must not delay the stop";
  for (int fd : sockets) ::close(fd);
}

}  // namespace

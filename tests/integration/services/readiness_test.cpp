// /readyz follows Kafka and Redis: 503 naming what is down within 5 s of its loss, 200 again once it
// is back, and the service neither crashes nor stops answering meanwhile.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json/parse.hpp>
#include <iostream>
#include <thread>

#include "expo/testing/environment.hpp"
#include "expo/testing/http_client.hpp"
#include "expo/testing/service_process.hpp"

using namespace std::chrono_literals;
using expo::testing::HttpClient;
using expo::testing::ServiceProcess;

namespace {

// Starts the component again however the test ends, so later tests find the stack whole.
class ComponentOutage {
 public:
  explicit ComponentOutage(std::string component) : component_(std::move(component)) {
    EXPECT_EQ(expo::testing::stack("stop", component_), 0) << "could not stop " << component_;
  }
  ~ComponentOutage() { restore(); }
  void restore() {
    if (restored_) return;
    restored_ = true;
    EXPECT_EQ(expo::testing::stack("start", component_), 0) << "could not start " << component_ << " again";
  }

 private:
  std::string component_;
  bool restored_ = false;
};

// Waits for /readyz to answer `status`; returns how long it took, or nullopt at the deadline.
std::optional<std::chrono::milliseconds> time_until_ready_is(HttpClient& client, int status,
                                                             std::chrono::milliseconds deadline) {
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < deadline) {
    if (client.request("GET", "/readyz", {}, {}, 1000ms).status == status) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    }
    std::this_thread::sleep_for(100ms);
  }
  return std::nullopt;
}

void check_dependency_outage(const std::string& component) {
  ServiceProcess service("checkin");
  ASSERT_TRUE(service.wait_ready()) << service.log_tail();
  HttpClient client(service.port());
  {
    ComponentOutage outage(component);
    const auto down_after = time_until_ready_is(client, 503, 5s);
    ASSERT_TRUE(down_after.has_value()) << "/readyz still 200 five seconds after " << component << " stopped";
    std::cout << "readiness: /readyz turned 503 " << down_after->count() << " ms after " << component << " stopped\n";
    const auto ready = client.get("/readyz");
    EXPECT_EQ(ready.status, 503);
    EXPECT_EQ(boost::json::parse(ready.body).at("checks").at(component).as_string(), "down") << ready.body;
    EXPECT_NE(ready.body.find(component + " is unreachable"), std::string::npos) << ready.body;
    EXPECT_FALSE(ready.header("retry-after").empty());
    // Liveness is unaffected: the process is fine, only a dependency is missing.
    EXPECT_EQ(client.get("/healthz").status, 200);
    EXPECT_EQ(client.get("/metrics").status, 200);
    std::this_thread::sleep_for(2s);
    EXPECT_EQ(client.get("/healthz").status, 200);
    outage.restore();
  }
  const auto up_after = time_until_ready_is(client, 200, 30s);
  EXPECT_TRUE(up_after.has_value()) << "/readyz not back to 200 within 30 s of " << component << " returning\n"
                                    << service.log_tail();
  if (up_after) std::cout << "readiness: /readyz back to 200 " << up_after->count() << " ms after " << component << " was ready\n";
  EXPECT_TRUE(service.running()) << service.log_tail();
  EXPECT_EQ(service.stop(SIGTERM), 0) << service.log_tail();
}

TEST(Readiness, FollowsRedis) { check_dependency_outage("redis"); }

TEST(Readiness, FollowsKafka) { check_dependency_outage("kafka"); }

}  // namespace

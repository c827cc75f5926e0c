// What every service promises at its edge, whatever it does: health, readiness, metrics, the event,
// and the JSON error envelope for every kind of bad input (PRODUCT.md, guarantee 4).
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json/parse.hpp>

#include "expo/testing/http_client.hpp"
#include "expo/testing/service_process.hpp"

using expo::testing::HttpClient;
using expo::testing::HttpResult;
using expo::testing::ServiceProcess;

namespace {

const std::string admin_token = "integration-admin-token-0123456789";

// The envelope {"error":{"code":..., "message":...}} with the expected code.
void expect_error(const HttpResult& r, int status, const std::string& code) {
  EXPECT_EQ(r.status, status) << r.body << r.error;
  EXPECT_EQ(r.header("content-type"), "application/json");
  boost::system::error_code ec;
  const auto body = boost::json::parse(r.body, ec);
  ASSERT_FALSE(ec) << "not JSON: " << r.body;
  const auto* error = body.as_object().if_contains("error");
  ASSERT_NE(error, nullptr) << r.body;
  EXPECT_EQ(error->at("code").as_string(), code) << r.body;
  EXPECT_FALSE(error->at("message").as_string().empty());
}

class ServiceContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    service_ = std::make_unique<ServiceProcess>(GetParam(), std::map<std::string, std::string>{{"ADMIN_TOKEN", admin_token}});
    ASSERT_TRUE(service_->wait_ready()) << service_->log_tail();
  }
  void TearDown() override {
    if (service_ && service_->running()) {
      EXPECT_EQ(service_->stop(SIGTERM), 0) << "a SIGTERM must end the service cleanly\n" << service_->log_tail();
    }
  }
  std::unique_ptr<ServiceProcess> service_;
};

TEST_P(ServiceContract, HealthReadinessAndMetrics) {
  HttpClient client(service_->port());
  const auto health = client.get("/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, R"({"status":"alive"})");

  const auto ready = client.get("/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  const auto checks = boost::json::parse(ready.body).at("checks");
  EXPECT_EQ(checks.at("kafka").as_string(), "up");
  EXPECT_EQ(checks.at("redis").as_string(), "up");

  const auto metrics = client.get("/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.header("content-type").find("text/plain"), std::string::npos);
  EXPECT_NE(metrics.body.find("expo_build_info{service=\"" + GetParam() + "\""), std::string::npos) << metrics.body;
  // The requests above were counted under their route pattern.
  EXPECT_NE(metrics.body.find(R"(expo_http_requests_total{method="GET",route="/healthz",status_class="2xx"} 1)"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find(R"(expo_dependency_up{dependency="kafka"} 1)"), std::string::npos);
  EXPECT_NE(metrics.body.find(R"(expo_dependency_up{dependency="redis"} 1)"), std::string::npos);
}

TEST_P(ServiceContract, ServesTheEvent) {
  HttpClient client(service_->port());
  const auto r = client.get("/v1/event");
  ASSERT_EQ(r.status, 200);
  const auto event = boost::json::parse(r.body).as_object();
  EXPECT_EQ(event.at("time_zone").as_string(), "Asia/Jakarta");
  EXPECT_EQ(event.at("regions").as_array().size(), 38u);
  EXPECT_EQ(event.at("booths").as_array().size(), 38u);
  bool batu = false;
  for (const auto& innovation : event.at("innovations").as_array()) {
    if (innovation.at("name").as_string() == "Among Abdi Praja") {
      batu = true;
      EXPECT_EQ(innovation.at("booth_id").as_string(), "3579");
      EXPECT_FALSE(innovation.at("demo").as_bool());
    }
  }
  EXPECT_TRUE(batu);
}

TEST_P(ServiceContract, UnknownRouteAndWrongMethod) {
  HttpClient client(service_->port());
  expect_error(client.get("/no/such/route"), 404, "not_found");
  const auto r = client.request("DELETE", "/healthz");
  expect_error(r, 405, "method_not_allowed");
  EXPECT_EQ(r.header("allow"), "GET");
}

TEST_P(ServiceContract, OversizedBodyIs413) {
  HttpClient client(service_->port());
  const std::string one_mib(1024 * 1024, 'x');
  expect_error(client.request("PUT", "/v1/admin/log-level", one_mib,
                              {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + admin_token}}),
               413, "payload_too_large");
  // The service is unharmed.
  EXPECT_EQ(HttpClient(service_->port()).get("/healthz").status, 200);
}

TEST_P(ServiceContract, InvalidJsonAndWrongContentType) {
  HttpClient client(service_->port());
  const std::pair<std::string, std::string> auth{"Authorization", "Bearer " + admin_token};
  expect_error(client.request("PUT", "/v1/admin/log-level", R"({"level": )", {{"Content-Type", "application/json"}, auth}),
               400, "invalid_json");
  expect_error(client.request("PUT", "/v1/admin/log-level", R"(["debug"])", {{"Content-Type", "application/json"}, auth}),
               400, "invalid_json");
  expect_error(client.request("PUT", "/v1/admin/log-level", "level=debug",
                              {{"Content-Type", "application/x-www-form-urlencoded"}, auth}),
               415, "unsupported_media_type");
  expect_error(client.request("PUT", "/v1/admin/log-level", R"({"level":"loud"})",
                              {{"Content-Type", "application/json"}, auth}),
               422, "invalid_level");
  const auto ok = client.request("PUT", "/v1/admin/log-level", R"({"level":"debug"})",
                                 {{"Content-Type", "application/json; charset=utf-8"}, auth});
  EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST_P(ServiceContract, AdminRoutesNeedTheToken) {
  HttpClient client(service_->port());
  expect_error(client.request("PUT", "/v1/admin/log-level", R"({"level":"debug"})", {{"Content-Type", "application/json"}}),
               401, "unauthorized");
  expect_error(client.request("PUT", "/v1/admin/log-level", R"({"level":"debug"})",
                              {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + admin_token + "x"}}),
               401, "unauthorized");
}

TEST_P(ServiceContract, MalformedHttpGetsTheEnvelope) {
  HttpClient client(service_->port());
  expect_error(client.get("/v1/%zz"), 400, "bad_request");
}

INSTANTIATE_TEST_SUITE_P(AllServices, ServiceContract,
                         ::testing::Values("registration", "checkin", "voting", "leaderboard"),
                         [](const auto& param_info) { return param_info.param; });

TEST(ServiceConfiguration, InvalidConfigurationExitsWithStatus2) {
  ServiceProcess service("voting", {{"EXPO_HTTP_PORT", "99999"}});
  EXPECT_EQ(service.stop(0 /* just wait */, std::chrono::seconds(10)), 2) << service.log_tail();
  EXPECT_NE(service.log_tail().find("http.port"), std::string::npos) << service.log_tail();
}

}  // namespace

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <thread>

#include "expo/core/log.hpp"
#include "expo/testing/http_client.hpp"
#include "server_fixture.hpp"

using namespace std::chrono_literals;
using expo::testing::HttpClient;

namespace expo::http {
namespace {

std::string error_code_of(const std::string& body) {
  return std::string(boost::json::parse(body).at("error").at("code").as_string());
}

class ServerTest : public ServerFixture {};

TEST_F(ServerTest, AnswersAndKeepsTheConnectionAlive) {
  router_.get("/hello/{name}", [](const Request& request, Responder responder) {
    responder.send(Response::json(200, R"({"hello":")" + std::string(request.param("name")) + R"("})"));
  });
  start();
  HttpClient client(port());
  const auto first = client.get("/hello/batu");
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body, R"({"hello":"batu"})");
  EXPECT_FALSE(first.header("x-request-id").empty());
  EXPECT_EQ(client.get("/hello/malang").status, 200);
  EXPECT_EQ(on_io([this] { return server_->open_connections(); }), 1u);
}

TEST_F(ServerTest, KeepsAPlainClientRequestId) {
  router_.get("/id", [](const Request& request, Responder responder) {
    responder.send(Response::json(200, "\"" + request.request_id + "\""));
  });
  start();
  HttpClient client(port());
  const auto r = client.request("GET", "/id", {}, {{"X-Request-Id", "tablet-3579-42"}});
  EXPECT_EQ(r.body, "\"tablet-3579-42\"");
  EXPECT_EQ(r.header("x-request-id"), "tablet-3579-42");
  // Something that could smuggle text into logs is replaced.
  const auto odd = client.request("GET", "/id", {}, {{"X-Request-Id", "a b\"c"}});
  EXPECT_NE(odd.body, "\"a b\\\"c\"");
}

TEST_F(ServerTest, EachResponseHasAnAccessLogLineWithTheRoutePatternNeverThePath) {
  router_.get("/v1/visitors/{visitor_id}", [](const Request& request, Responder responder) {
    responder.send(request.param("visitor_id") == "fails" ? Response::error(500, "internal", "failed")
                                                          : Response::json(200, "{}"));
  });
  start();
  HttpClient client(port());
  ::testing::internal::CaptureStderr();
  log::set_level(log::Level::info);
  client.request("GET", "/v1/visitors/quiet?token=secret", {}, {{"X-Request-Id", "rq-quiet"}});
  log::set_level(log::Level::debug);
  client.request("GET", "/v1/visitors/v-123?token=secret", {}, {{"X-Request-Id", "rq-debug"}});
  log::set_level(log::Level::warn);
  client.request("GET", "/v1/visitors/fails", {}, {{"X-Request-Id", "rq-failed"}});
  log::set_level(log::Level::info);
  const auto logged = ::testing::internal::GetCapturedStderr();
  // At info a 2xx writes nothing; at debug it does; a 5xx does at warn.
  EXPECT_EQ(logged.find("rq-quiet"), std::string::npos) << logged;
  EXPECT_NE(logged.find(R"("method":"GET","route":"/v1/visitors/{visitor_id}","status":"200")"), std::string::npos)
      << logged;
  EXPECT_NE(logged.find(R"("request_id":"rq-debug")"), std::string::npos) << logged;
  EXPECT_NE(logged.find(R"("level":"warn","service")"), std::string::npos) << logged;
  EXPECT_NE(logged.find(R"("status":"500")"), std::string::npos) << logged;
  EXPECT_NE(logged.find(R"("request_id":"rq-failed")"), std::string::npos) << logged;
  // Neither the id in the path nor the query reaches the log.
  EXPECT_EQ(logged.find("v-123"), std::string::npos) << logged;
  EXPECT_EQ(logged.find("secret"), std::string::npos) << logged;
}

TEST_F(ServerTest, TheLocalFrontNamesTheClientInXRealIp) {
  router_.get("/who", [](const Request& request, Responder responder) {
    responder.send(Response::json(200, "\"" + request.remote_address + "\""));
  });
  start();
  HttpClient client(port());
  EXPECT_EQ(client.get("/who").body, "\"127.0.0.1\"");
  // This test's client is on loopback, as the front is: its X-Real-IP is believed.
  EXPECT_EQ(client.request("GET", "/who", {}, {{"X-Real-IP", "10.1.2.3"}}).body, "\"10.1.2.3\"");
  EXPECT_EQ(client.request("GET", "/who", {}, {{"X-Real-IP", "not-an-address"}}).body, "\"127.0.0.1\"");
}

TEST_F(ServerTest, RefusesBodiesOverTheLimitWith413) {
  router_.post("/echo", [](const Request& request, Responder responder) {
    responder.send(Response::json(200, std::to_string(request.body.size())));
  });
  ServerConfig config;
  config.body_limit = 1024;
  start(config);
  HttpClient client(port());
  EXPECT_EQ(client.request("POST", "/echo", std::string(1024, 'a')).body, "1024");
  const auto big = client.request("POST", "/echo", std::string(1025, 'a'));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(error_code_of(big.body), "payload_too_large");
}

TEST_F(ServerTest, ARouteMayAcceptALargerBody) {
  router_.post("/small", [](const Request& request, Responder responder) {
    responder.send(Response::json(200, std::to_string(request.body.size())));
  });
  router_.post("/batch", [](const Request& request, Responder responder) {
    responder.send(Response::json(200, std::to_string(request.body.size())));
  }, RouteOptions{.body_limit = 64 * 1024});
  ServerConfig config;
  config.body_limit = 1024;
  start(config);
  HttpClient client(port());
  EXPECT_EQ(client.request("POST", "/batch", std::string(50000, 'b')).body, "50000");
  EXPECT_EQ(client.request("POST", "/small", std::string(50000, 's')).status, 413);
  EXPECT_EQ(client.request("POST", "/batch", std::string(70000, 'b')).status, 413);
}

TEST_F(ServerTest, ARefusalBeforeTheBodyClosesTheConnection) {
  router_.get("/x", [](const Request&, Responder responder) { responder.send(Response::json(200, "{}")); });
  start();
  HttpClient client(port());
  const auto refused = client.request("POST", "/nowhere", std::string(500, 'z'));
  EXPECT_EQ(refused.status, 404);
  EXPECT_EQ(refused.header("connection"), "close");
  // The unread body was not taken for a request: the next one is answered normally.
  EXPECT_EQ(client.get("/x").status, 200);
}

TEST_F(ServerTest, RefusesOversizedHeadersWith431) {
  router_.get("/x", [](const Request&, Responder responder) { responder.send(Response::json(200, "{}")); });
  ServerConfig config;
  config.header_limit = 2048;
  start(config);
  HttpClient client(port());
  const auto r = client.request("GET", "/x", {}, {{"X-Filler", std::string(4096, 'f')}});
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(error_code_of(r.body), "headers_too_large");
}

TEST_F(ServerTest, HandlersMayAnswerLaterFromAnotherThread) {
  router_.get("/later", [](const Request&, Responder responder) {
    std::thread([responder] {
      std::this_thread::sleep_for(50ms);
      responder.send(Response::json(201, R"({"done":true})"));
    }).detach();
  });
  start();
  const auto r = HttpClient(port()).get("/later");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, R"({"done":true})");
}

TEST_F(ServerTest, ABugThatDropsTheResponderStillAnswers500) {
  router_.get("/forgetful", [](const Request&, Responder) {});
  router_.get("/throws", [](const Request&, Responder) -> void { throw std::runtime_error("boom"); });
  start();
  HttpClient client(port());
  const auto dropped = client.get("/forgetful");
  EXPECT_EQ(dropped.status, 500);
  EXPECT_EQ(error_code_of(dropped.body), "internal");
  const auto thrown = client.get("/throws");
  EXPECT_EQ(thrown.status, 500);
  EXPECT_EQ(thrown.body.find("boom"), std::string::npos) << "internal details must not leak";
}

TEST_F(ServerTest, BoundsRequestsInFlightWith503AndRetryAfter) {
  std::vector<Responder> held;
  std::promise<void> first_held;
  router_.get("/hold", [&](const Request&, Responder responder) {
    held.push_back(responder);
    first_held.set_value();
  });
  ServerConfig config;
  config.max_in_flight = 1;
  start(config);
  auto slow = std::async(std::launch::async, [this] { return HttpClient(port()).get("/hold"); });
  first_held.get_future().wait();
  const auto refused = HttpClient(port()).get("/hold");
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.header("retry-after"), "1");
  EXPECT_EQ(error_code_of(refused.body), "overloaded");
  on_io([&] {
    held.front().send(Response::json(200, "{}"));
    held.clear();
    return 0;
  });
  EXPECT_EQ(slow.get().status, 200);
}

TEST_F(ServerTest, StopLetsARequestInProgressFinish) {
  std::promise<Responder> held;
  router_.get("/hold", [&](const Request&, Responder responder) { held.set_value(responder); });
  start();
  auto pending = std::async(std::launch::async, [this] { return HttpClient(port()).get("/hold"); });
  auto responder = held.get_future().get();
  std::promise<void> drained;
  boost::asio::post(io_, [&] { server_->stop([&] { drained.set_value(); }); });
  std::this_thread::sleep_for(100ms);
  responder.send(Response::json(200, R"({"finished":true})"));
  const auto r = pending.get();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_EQ(drained.get_future().wait_for(5s), std::future_status::ready);
  // The server no longer accepts.
  EXPECT_EQ(HttpClient(port()).get("/hold").status, 0);
  io_.stop();
  thread_.join();
}

TEST_F(ServerTest, HeadGetsHeadersOnly) {
  router_.get("/page", [](const Request&, Responder responder) { responder.send(Response::text(200, "hello")); });
  start();
  HttpClient client(port());
  const auto r = client.request("HEAD", "/page");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-length"), "5");
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(client.get("/page").body, "hello");
}

}  // namespace
}  // namespace expo::http

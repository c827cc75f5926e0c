#include "expo/http/router.hpp"

#include <gtest/gtest.h>

#include "expo/http/websocket.hpp"

namespace expo::http {
namespace {

Request request(Method method, std::string path) {
  Request r;
  r.method = method;
  r.path = std::move(path);
  return r;
}

Handler noop() {
  return [](const Request&, Responder) {};
}

TEST(Router, MatchesLiteralsAndParameters) {
  Router router;
  router.get("/v1/visitors/{visitor_id}/badge", noop());
  router.get("/v1/event", noop());
  auto r = request(Method::get, "/v1/visitors/v123/badge");
  const auto m = router.match(r, false);
  EXPECT_EQ(m.kind, Router::Match::Kind::found);
  EXPECT_EQ(m.pattern, "/v1/visitors/{visitor_id}/badge");
  EXPECT_EQ(r.param("visitor_id"), "v123");

  auto e = request(Method::get, "/v1/event");
  EXPECT_EQ(router.match(e, false).pattern, "/v1/event");
}

TEST(Router, UnknownPathsAreNotFoundWithABoundedLabel) {
  Router router;
  router.get("/v1/visitors/{visitor_id}/badge", noop());
  for (const char* path : {"/v1/visitors//badge", "/v1/visitors/x", "/v1/visitors/x/badge/extra", "/", "/v2"}) {
    auto r = request(Method::get, path);
    const auto m = router.match(r, false);
    EXPECT_EQ(m.kind, Router::Match::Kind::not_found) << path;
    EXPECT_EQ(m.pattern, "unmatched") << path;
  }
}

TEST(Router, WrongMethodListsTheAllowedOnes) {
  Router router;
  router.get("/v1/admin/devices", noop());
  router.post("/v1/admin/devices", noop());
  auto r = request(Method::del, "/v1/admin/devices");
  const auto m = router.match(r, false);
  EXPECT_EQ(m.kind, Router::Match::Kind::method_not_allowed);
  EXPECT_EQ(m.allow, "GET, POST");
}

TEST(Router, HeadIsAnsweredByGet) {
  Router router;
  router.get("/healthz", noop());
  auto r = request(Method::head, "/healthz");
  EXPECT_EQ(router.match(r, false).kind, Router::Match::Kind::found);
}

TEST(Router, RestParameterTakesTheRemainingPath) {
  Router router;
  router.get("/assets/{*path}", noop());
  auto r = request(Method::get, "/assets/booth/app.js");
  EXPECT_EQ(router.match(r, false).kind, Router::Match::Kind::found);
  EXPECT_EQ(r.param("path"), "booth/app.js");
}

TEST(Router, WebSocketRoutesNeedAnUpgrade) {
  Router router;
  router.websocket("/v1/stream", std::make_shared<Broadcaster>());
  auto upgrade = request(Method::get, "/v1/stream");
  EXPECT_EQ(router.match(upgrade, true).kind, Router::Match::Kind::websocket);
  auto plain = request(Method::get, "/v1/stream");
  EXPECT_EQ(router.match(plain, false).kind, Router::Match::Kind::method_not_allowed);
}

}  // namespace
}  // namespace expo::http

#include "expo/http/request.hpp"

#include <gtest/gtest.h>

#include "expo/http/response.hpp"

namespace expo::http {
namespace {

TEST(PercentDecode, DecodesEscapesAndRejectsMalformedOnes) {
  EXPECT_EQ(percent_decode("a%20b", false), "a b");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("%E2%9C%93", false), "\xE2\x9C\x93");
  EXPECT_EQ(percent_decode("%zz", false), std::nullopt);
  EXPECT_EQ(percent_decode("%2", false), std::nullopt);
  EXPECT_EQ(percent_decode("abc%", false), std::nullopt);
}

TEST(Request, QueryParameters) {
  Request r;
  r.query = "token=abc%2Bdef&limit=10&day=2023-11-23&empty&name=a+b";
  EXPECT_EQ(r.query_param("token"), "abc+def");
  EXPECT_EQ(r.query_param("limit"), "10");
  EXPECT_EQ(r.query_param("empty"), "");
  EXPECT_EQ(r.query_param("name"), "a b");
  EXPECT_EQ(r.query_param("missing"), std::nullopt);
}

TEST(Request, BearerToken) {
  Request r;
  EXPECT_EQ(r.bearer_token(), std::nullopt);
  r.headers = {{"authorization", "Basic abc"}};
  EXPECT_EQ(r.bearer_token(), std::nullopt);
  r.headers = {{"authorization", "Bearer "}};
  EXPECT_EQ(r.bearer_token(), std::nullopt);
  r.headers = {{"authorization", "Bearer s3cret"}};
  EXPECT_EQ(r.bearer_token(), "s3cret");
}

TEST(Response, ErrorEnvelope) {
  const auto r = Response::error(422, "consent_required", "consent must be \"true\"");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"error":{"code":"consent_required","message":"consent must be \"true\""}})");
}

TEST(Response, RetryableErrorsBecome503WithRetryAfter) {
  const auto r = Response::from_error(Error::retryable_error("kafka_unavailable", "Kafka did not acknowledge"));
  EXPECT_EQ(r.status, 503);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Retry-After");
  const auto p = Response::from_error(Error::permanent("unknown_visitor", "no such visitor"), 404);
  EXPECT_EQ(p.status, 404);
  EXPECT_TRUE(p.headers.empty());
}

}  // namespace
}  // namespace expo::http

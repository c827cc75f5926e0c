#include "expo/http/json_body.hpp"

#include <gtest/gtest.h>

namespace expo::http {
namespace {

Request with(std::string content_type, std::string body) {
  Request r;
  r.method = Method::post;
  if (!content_type.empty()) r.headers.emplace_back("content-type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

TEST(JsonBody, AcceptsAJsonObject) {
  const auto parsed = parse_json_object(with("application/json; charset=UTF-8", R"({"a":1})"));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->at("a").as_int64(), 1);
  EXPECT_TRUE(parse_json_object(with("Application/JSON", "{}")).ok());
}

TEST(JsonBody, RefusesOtherMediaTypesWith415) {
  for (const char* type : {"", "text/plain", "application/jsonx", "application/x-www-form-urlencoded"}) {
    const auto parsed = parse_json_object(with(type, "{}"));
    ASSERT_FALSE(parsed.ok()) << type;
    EXPECT_EQ(json_body_error(parsed.error()).status, 415) << type;
  }
}

TEST(JsonBody, RefusesInvalidJsonAndNonObjectsWith400) {
  for (const char* body : {"", "{", "[1]", "\"text\"", "{\"a\":1}garbage"}) {
    const auto parsed = parse_json_object(with("application/json", body));
    ASSERT_FALSE(parsed.ok()) << body;
    EXPECT_EQ(parsed.error().code, "invalid_json");
    EXPECT_EQ(json_body_error(parsed.error()).status, 400);
  }
}

}  // namespace
}  // namespace expo::http

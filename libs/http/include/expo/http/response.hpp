#pragma once
// A response as handlers build it. Errors always use the envelope of PRODUCT.md:
//   {"error":{"code":"...","message":"..."}}
// Messages are for people and must never contain personal data.

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "expo/core/result.hpp"
#include "expo/http/body_source.hpp"

namespace expo::http {

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, e.g. Retry-After
  // Set: the body is streamed from this source (chunked; `body` is ignored). See body_source.hpp.
  std::shared_ptr<BodySource> body_source{};

  static Response json(int status, std::string body);
  static Response text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
  // A streamed body (body_source.hpp); the head is sent once the source gave its first piece.
  static Response stream(int status, std::string content_type, std::shared_ptr<BodySource> source);
  static Response error(int status, std::string_view code, std::string_view message);
  // The envelope with the offending input field named: {"error":{"code","message","field"}}.
  static Response field_error(int status, std::string_view code, std::string_view message, std::string_view field);
  // 503 (retryable) or the given status, with Retry-After for retryable errors.
  static Response from_error(const Error& error, int permanent_status = 400);

  Response& with_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  // A file to save (the exports): Content-Disposition attachment with `filename` made plain (every
  // byte but letters, digits, '-', '_' and '.' becomes '_', so no quoting or encoding is needed),
  // and Cache-Control: no-store.
  Response& as_attachment(std::string_view filename);
};

// The JSON error envelope alone, for callers that build bodies themselves.
std::string error_body(std::string_view code, std::string_view message, std::string_view field = {});

}  // namespace expo::http

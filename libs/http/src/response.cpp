#include "expo/http/response.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace expo::http {

std::string error_body(std::string_view code, std::string_view message, std::string_view field) {
  boost::json::object error;
  error["code"] = code;
  error["message"] = message;
  if (!field.empty()) error["field"] = field;
  boost::json::object envelope;
  envelope["error"] = std::move(error);
  return boost::json::serialize(envelope);
}

Response Response::json(int status, std::string body) {
  return Response{status, "application/json", std::move(body), {}, {}};
}

Response Response::text(int status, std::string body, std::string content_type) {
  return Response{status, std::move(content_type), std::move(body), {}, {}};
}

Response Response::stream(int status, std::string content_type, std::shared_ptr<BodySource> source) {
  Response r{status, std::move(content_type), {}, {}, {}};
  r.body_source = std::move(source);
  return r;
}

Response Response::error(int status, std::string_view code, std::string_view message) {
  return json(status, error_body(code, message));
}

Response Response::field_error(int status, std::string_view code, std::string_view message, std::string_view field) {
  return json(status, error_body(code, message, field));
}

Response& Response::as_attachment(std::string_view filename) {
  std::string plain;
  plain.reserve(filename.size());
  for (const char c : filename) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_' || c == '.';
    plain.push_back(keep ? c : '_');
  }
  with_header("Content-Disposition", "attachment; filename=\"" + plain + "\"");
  return with_header("Cache-Control", "no-store");
}

Response Response::from_error(const Error& error, int permanent_status) {
  if (error.retryable) {
    return Response::error(503, error.code, error.message).with_header("Retry-After", "1");
  }
  return Response::error(permanent_status, error.code, error.message);
}

}  // namespace expo::http

#include "expo/http/json_body.hpp"

#include <boost/json/parse.hpp>
#include <cctype>

namespace expo::http {
namespace {

bool is_json_media_type(std::string_view content_type) {
  const auto semicolon = content_type.find(';');
  auto media = content_type.substr(0, semicolon);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  constexpr std::string_view wanted = "application/json";
  if (media.size() != wanted.size()) return false;
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(media[i])) != wanted[i]) return false;
  }
  return true;
}

}  // namespace

Result<boost::json::object> parse_json_object(const Request& request) {
  const auto content_type = request.header("content-type");
  if (!content_type || !is_json_media_type(*content_type)) {
    return Error::permanent("unsupported_media_type", "the body must be JSON (Content-Type: application/json)");
  }
  boost::system::error_code ec;
  auto value = boost::json::parse(request.body, ec);
  if (ec) return Error::permanent("invalid_json", "the body is not valid JSON");
  if (!value.is_object()) return Error::permanent("invalid_json", "the body must be a JSON object");
  return std::move(value.as_object());
}

Response json_body_error(const Error& error) {
  return Response::error(error.code == "unsupported_media_type" ? 415 : 400, error.code, error.message);
}

}  // namespace expo::http

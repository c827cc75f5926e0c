#pragma once
// The one way handlers read a JSON request body, so every service refuses bad input alike:
// 415 unsupported_media_type unless Content-Type is application/json, 400 invalid_json for a body
// that does not parse or is not a JSON object.

#include <boost/json/object.hpp>

#include "expo/core/result.hpp"
#include "expo/http/request.hpp"
#include "expo/http/response.hpp"

namespace expo::http {

Result<boost::json::object> parse_json_object(const Request& request);

// The response for an error returned by parse_json_object (415 or 400).
Response json_body_error(const Error& error);

}  // namespace expo::http

#pragma once
// Admin routes need "Authorization: Bearer <admin token>". One check for every service.

#include <optional>
#include <string_view>

#include "expo/http/request.hpp"
#include "expo/http/response.hpp"

namespace expo::service {

// nullopt when the request carries the admin token; otherwise the refusal to send:
// 403 admin_disabled when no token is configured, 401 unauthorized when it is missing or wrong.
// The comparison takes the same time whatever the token's content.
std::optional<http::Response> check_admin(const http::Request& request, std::string_view admin_token);

}  // namespace expo::service

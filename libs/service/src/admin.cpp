#include "expo/service/admin.hpp"

#include "expo/crypto/hash.hpp"

namespace expo::service {

std::optional<http::Response> check_admin(const http::Request& request, std::string_view admin_token) {
  if (admin_token.empty()) {
    return http::Response::error(403, "admin_disabled", "admin routes are disabled: no admin token is configured");
  }
  const auto presented = request.bearer_token();
  const auto unauthorized =
      http::Response::error(401, "unauthorized", "admin routes need Authorization: Bearer <admin token>")
          .with_header("WWW-Authenticate", "Bearer");
  if (!presented) return unauthorized;
  // Comparing digests takes the same time whatever the presented token, its length included.
  if (!crypto::constant_time_equal(crypto::sha256(*presented), crypto::sha256(admin_token))) return unauthorized;
  return std::nullopt;
}

}  // namespace expo::service

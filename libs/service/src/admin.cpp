#include "expo/service/admin.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>

namespace expo::service {

std::optional<http::Response> check_admin(const http::Request& request, std::string_view admin_token) {
  if (admin_token.empty()) {
    return http::Response::error(403, "admin_disabled", "admin routes are disabled: no admin token is configured");
  }
  const auto presented = request.bearer_token();
  const auto unauthorized =
      http::Response::error(401, "unauthorized", "admin routes need Authorization: Bearer <admin token>")
          .with_header("WWW-Authenticate", "Bearer");
  if (!presented || presented->size() != admin_token.size()) return unauthorized;
  if (CRYPTO_memcmp(presented->data(), admin_token.data(), admin_token.size()) != 0) return unauthorized;
  return std::nullopt;
}

}  // namespace expo::service

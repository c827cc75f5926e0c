#include "expo/service/device_auth.hpp"

namespace expo::service {

std::variant<devices::Device, http::Response> authenticate_device(const devices::DeviceRegistry& registry,
                                                                  const http::Request& request) {
  const auto key = request.bearer_token();
  if (!key) {
    return http::Response::error(401, "unknown_device", "a device key is required (Authorization: Bearer <device key>)")
        .with_header("WWW-Authenticate", "Bearer");
  }
  auto device = registry.authenticate(*key);
  if (!device) {
    return device.error().code == "device_revoked"
               ? http::Response::error(403, "device_revoked", device.error().message)
               : http::Response::error(401, "unknown_device", device.error().message);
  }
  return std::move(*device);
}

}  // namespace expo::service

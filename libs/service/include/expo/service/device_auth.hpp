#pragma once
// Booth tablets authenticate with "Authorization: Bearer <device key>". One check for every service
// that accepts device keys (check-in always, voting when a vote comes through a tablet).

#include <variant>

#include "expo/devices/registry.hpp"
#include "expo/http/request.hpp"
#include "expo/http/response.hpp"

namespace expo::service {

// The device behind the request's key, or the refusal to send: 401 unknown_device (no key, or a key
// nobody issued), 403 device_revoked.
std::variant<devices::Device, http::Response> authenticate_device(const devices::DeviceRegistry& registry,
                                                                  const http::Request& request);

}  // namespace expo::service

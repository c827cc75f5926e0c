#pragma once
// The configuration keys every service accepts. Service-specific keys are added by the service.

#include <cstdint>

#include "expo/config/config.hpp"

namespace expo::service::detail {

config::Schema common_schema(std::uint16_t default_port);

}  // namespace expo::service::detail

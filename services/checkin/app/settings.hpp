#pragma once
// The check-in service's own settings, on top of the common ones (libs/service).

#include <chrono>
#include <filesystem>
#include <string>

#include "expo/auth/badge_settings.hpp"
#include "expo/core/result.hpp"

namespace expo::config {
class Schema;
class Settings;
}  // namespace expo::config

namespace expo::checkin {

struct Settings {
  auth::BadgeSettings badge;
  std::string wrapping_key;             // opens the sealed names for the tablet's greeting
  std::chrono::seconds scan_tolerance;  // how far a device's scan time may lie outside the event days
  double scans_per_second = 5;          // per device
  double scan_burst = 10;
  std::string visitors_group;           // consumer group of the visitor projection
  std::filesystem::path web_dir;
};

void add_settings(config::Schema& schema);
Result<Settings> read_settings(const config::Settings& settings);

}  // namespace expo::checkin

#pragma once
// The voting service's own settings, on top of the common ones (libs/service).

#include <chrono>
#include <filesystem>
#include <string>

#include "expo/auth/badge_settings.hpp"
#include "expo/core/result.hpp"

namespace expo::config {
class Schema;
class Settings;
}  // namespace expo::config

namespace expo::voting {

struct Settings {
  auth::BadgeSettings badge;
  // Velocity limits (token buckets, per instance): beyond them 429.
  double visitor_votes_per_minute = 6;
  double visitor_burst = 6;
  double device_votes_per_minute = 120;
  double device_burst = 20;
  // A device that casts votes for this many different badges within the window is flagged.
  int flag_distinct_badges = 15;
  std::chrono::seconds flag_window{600};
  // How long a vote may wait for the check-in view to catch up before answering 503.
  std::chrono::milliseconds checkin_wait{3000};
  std::string checkins_group;  // consumer group of the check-in view
  std::string ledger_group;    // consumer group of the ledger (votes.v1 + admin.v1)
  std::filesystem::path web_dir;
};

void add_settings(config::Schema& schema);
Result<Settings> read_settings(const config::Settings& settings);

}  // namespace expo::voting

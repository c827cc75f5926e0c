#include "app/settings.hpp"

#include "expo/config/config.hpp"
#include "expo/privacy/personal_data.hpp"

#ifndef EXPO_CHECKIN_WEB_DIR
#error "EXPO_CHECKIN_WEB_DIR must name the source folder of the tablet app"
#endif

namespace expo::checkin {

void add_settings(config::Schema& schema) {
  using config::Field;
  using config::Type;
  auth::add_badge_settings(schema);
  privacy::add_wrapping_key_setting(schema);
  schema
      .add(Field{.key = "checkin.scan_tolerance_s", .type = Type::integer, .default_value = std::int64_t{3600},
                 .help = "how far a tablet's scan time may lie outside the event days (clock drift)", .min = 0,
                 .max = 86400})
      .add(Field{.key = "checkin.scans_per_second", .type = Type::integer, .default_value = std::int64_t{5},
                 .help = "scans a device may send per second (beyond: 429)", .min = 1, .max = 100000})
      .add(Field{.key = "checkin.scan_burst", .type = Type::integer, .default_value = std::int64_t{10},
                 .help = "scans a device may send at once before the rate applies", .min = 1, .max = 100000})
      .add(Field{.key = "checkin.visitors_group", .type = Type::string, .default_value = std::string("checkin-visitors"),
                 .help = "consumer group of the projection of visitors.v1 and visitor-keys.v1"})
      .add(Field{.key = "web.dir", .type = Type::string, .default_value = std::string(EXPO_CHECKIN_WEB_DIR),
                 .help = "folder of the tablet app and the devices page"});
}

Result<Settings> read_settings(const config::Settings& s) {
  Settings out;
  auto badge = auth::read_badge_settings(s);
  if (!badge) return badge.error();
  out.badge = std::move(*badge);
  auto wrapping = privacy::parse_wrapping_key(s.str("privacy.wrapping_key"));
  if (!wrapping) return wrapping.error();
  out.wrapping_key = std::move(wrapping->key);
  out.scan_tolerance = std::chrono::seconds(s.integer("checkin.scan_tolerance_s"));
  out.scans_per_second = static_cast<double>(s.integer("checkin.scans_per_second"));
  out.scan_burst = static_cast<double>(s.integer("checkin.scan_burst"));
  out.visitors_group = s.str("checkin.visitors_group");
  out.web_dir = s.str("web.dir");
  return out;
}

}  // namespace expo::checkin

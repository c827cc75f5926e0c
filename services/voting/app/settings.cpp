#include "app/settings.hpp"

#include "expo/config/config.hpp"

#ifndef EXPO_VOTING_WEB_DIR
#error "EXPO_VOTING_WEB_DIR must name the source folder of the voting page"
#endif

namespace expo::voting {

void add_settings(config::Schema& schema) {
  using config::Field;
  using config::Type;
  auth::add_badge_settings(schema);
  schema
      .add(Field{.key = "voting.visitor_votes_per_minute", .type = Type::integer, .default_value = std::int64_t{6},
                 .help = "votes one badge may send per minute (beyond: 429)", .min = 1, .max = 100000})
      .add(Field{.key = "voting.visitor_burst", .type = Type::integer, .default_value = std::int64_t{6},
                 .help = "votes one badge may send at once before the rate applies", .min = 1, .max = 100000})
      .add(Field{.key = "voting.device_votes_per_minute", .type = Type::integer, .default_value = std::int64_t{120},
                 .help = "votes one tablet may send per minute (beyond: 429)", .min = 1, .max = 1000000})
      .add(Field{.key = "voting.device_burst", .type = Type::integer, .default_value = std::int64_t{20},
                 .help = "votes one tablet may send at once before the rate applies", .min = 1, .max = 1000000})
      .add(Field{.key = "voting.flag_distinct_badges", .type = Type::integer, .default_value = std::int64_t{15},
                 .help = "a tablet voting for this many different badges within the window is flagged", .min = 2,
                 .max = 100000})
      .add(Field{.key = "voting.flag_window_s", .type = Type::integer, .default_value = std::int64_t{600},
                 .help = "the window of the flag rule, seconds", .min = 10, .max = 86400})
      .add(Field{.key = "voting.checkin_wait_ms", .type = Type::integer, .default_value = std::int64_t{3000},
                 .help = "how long a vote waits for the check-in view to catch up (then 503)", .min = 100,
                 .max = 30000})
      .add(Field{.key = "voting.checkins_group", .type = Type::string, .default_value = std::string("voting-checkins"),
                 .help = "consumer group of the check-in view (checkins.v1)"})
      .add(Field{.key = "voting.ledger_group", .type = Type::string, .default_value = std::string("voting-ledger"),
                 .help = "consumer group of the vote ledger (votes.v1 and admin.v1)"})
      .add(Field{.key = "web.dir", .type = Type::string, .default_value = std::string(EXPO_VOTING_WEB_DIR),
                 .help = "folder of the visitor's voting page"});
}

Result<Settings> read_settings(const config::Settings& s) {
  Settings out;
  auto badge = auth::read_badge_settings(s);
  if (!badge) return badge.error();
  out.badge = std::move(*badge);
  out.visitor_votes_per_minute = static_cast<double>(s.integer("voting.visitor_votes_per_minute"));
  out.visitor_burst = static_cast<double>(s.integer("voting.visitor_burst"));
  out.device_votes_per_minute = static_cast<double>(s.integer("voting.device_votes_per_minute"));
  out.device_burst = static_cast<double>(s.integer("voting.device_burst"));
  out.flag_distinct_badges = static_cast<int>(s.integer("voting.flag_distinct_badges"));
  out.flag_window = std::chrono::seconds(s.integer("voting.flag_window_s"));
  out.checkin_wait = std::chrono::milliseconds(s.integer("voting.checkin_wait_ms"));
  out.checkins_group = s.str("voting.checkins_group");
  out.ledger_group = s.str("voting.ledger_group");
  out.web_dir = s.str("web.dir");
  return out;
}

}  // namespace expo::voting

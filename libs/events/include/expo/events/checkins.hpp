#pragma once
// The check-in message, written by the check-in service and read by every projection of it (the
// voting service's check-in view, the leaderboard, the recount), read in this one place.
//   checkins.v1  checked_in {visitor_id, booth_id, device_id, day, scanned_at, received_at,
//                client_event_id}; occurred_at is the scan time. One per visitor, booth and event day.
// Thread-safe: plain functions.

#include <optional>
#include <string>
#include <string_view>

#include "expo/core/result.hpp"
#include "expo/events/envelope.hpp"

namespace expo::events::checkins {

struct CheckedIn {
  std::string visitor_id, booth_id, device_id, day;
  std::string at;  // occurred_at: when the badge was scanned
};

// nullopt for another type of event (none today, but a reader must not stop on one).
// Errors: "event_invalid" for a value that is not an envelope, or a checked_in without visitor_id,
// booth_id or a YYYY-MM-DD day (is_date).
Result<std::optional<CheckedIn>> read(std::string_view value);

}  // namespace expo::events::checkins

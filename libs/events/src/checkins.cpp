#include "expo/events/checkins.hpp"

#include "expo/core/json_member.hpp"

namespace expo::events::checkins {

Result<std::optional<CheckedIn>> read(std::string_view value) {
  const ScratchStorage scratch;  // what is kept is copied out below
  auto event = decode(value, scratch.storage());
  if (!event) return event.error();
  if (event->type != "checked_in") return std::optional<CheckedIn>();
  const auto& p = event->payload;
  CheckedIn c{string_member(p, "visitor_id"), string_member(p, "booth_id"), string_member(p, "device_id"),
              string_member(p, "day"), event->occurred_at};
  if (c.visitor_id.empty() || c.booth_id.empty() || !is_date(c.day)) {
    return Error::permanent("event_invalid", "a checked_in event lacks visitor_id, booth_id or a YYYY-MM-DD day");
  }
  return std::optional<CheckedIn>(std::move(c));
}

}  // namespace expo::events::checkins

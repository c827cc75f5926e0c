#pragma once
// The one source of time for every service. A shifted clock lets the 2023 event run today (the
// rehearsal) and lets tests cross day boundaries and closing hours without waiting: it reads
// `virtual_start` at the real moment `real_anchor`, then advances at real speed.
//
// Thread-safety: Clock is an immutable value (an offset); copy it freely and call now() from any
// thread. It never changes speed or jumps by itself.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "expo/core/result.hpp"

namespace expo::clock {

class Clock {
 public:
  using time_point = std::chrono::system_clock::time_point;
  using duration = std::chrono::system_clock::duration;

  // A default Clock is the wall clock, so members and test fixtures need no special set-up.
  Clock() = default;

  static Clock real() { return Clock(); }
  static Clock shifted(time_point virtual_start, time_point real_anchor) {
    return Clock(virtual_start - real_anchor, false);
  }

  time_point now() const { return std::chrono::system_clock::now() + offset_; }
  // virtual time minus real time.
  duration offset() const noexcept { return offset_; }
  bool is_real() const noexcept { return real_; }

 private:
  Clock(duration offset, bool real) : offset_(offset), real_(real) {}
  duration offset_{};
  bool real_ = true;
};

// The EVENT_CLOCK_START setting: "" is the rehearsal (virtual time starts at `rehearsal_start`),
// "real" is the wall clock, anything else an RFC 3339 time to start from. `anchor` is the real moment
// the start applies to, so all services started together agree; nullopt means now.
// Errors: code "clock_invalid".
Result<Clock> clock_from_setting(std::string_view start, std::optional<std::chrono::system_clock::time_point> anchor,
                                 std::chrono::system_clock::time_point rehearsal_start);

// "2023-11-23T09:00:00+07:00", "2023-11-23T02:00:00.250Z": 'T' (or 't' or a space) between date and
// time, "Z"/"z" or a ±hh:mm offset, an optional fraction (digits past nanoseconds are truncated).
// Leap seconds (:60) are rejected: system_clock cannot represent them. Errors: code "clock_invalid".
Result<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

// Millisecond precision (rounded down), "Z" when utc_offset is zero, otherwise e.g. "+07:00".
std::string format_rfc3339(std::chrono::system_clock::time_point t, std::chrono::minutes utc_offset);

}  // namespace expo::clock

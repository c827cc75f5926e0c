#include "expo/clock/clock.hpp"

#include <cctype>
#include <cstdio>

namespace expo::clock {
namespace {

using namespace std::chrono;

constexpr const char* kErrorCode = "clock_invalid";

Error invalid(std::string_view text, std::string_view why) {
  std::string shown(text.substr(0, 64));
  if (text.size() > 64) shown += "...";
  return Error::permanent(kErrorCode, "'" + shown + "' is not an RFC 3339 time (" + std::string(why) +
                                          "); expected e.g. 2023-11-23T09:00:00+07:00");
}

// Reads exactly `n` digits at `pos`.
bool digits(std::string_view text, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > text.size()) return false;
  int value = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view ws = " \t\r\n";
  const auto first = s.find_first_not_of(ws);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(ws) - first + 1);
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

}  // namespace

Result<system_clock::time_point> parse_rfc3339(std::string_view text) {
  // 2023-11-23T09:00:00[.fff][Z|+07:00]
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(text, 0, 4, year) || text.size() < 19 || text[4] != '-' || !digits(text, 5, 2, month) ||
      text[7] != '-' || !digits(text, 8, 2, day) || !digits(text, 11, 2, hour) || text[13] != ':' ||
      !digits(text, 14, 2, minute) || text[16] != ':' || !digits(text, 17, 2, second)) {
    return invalid(text, "expected YYYY-MM-DDThh:mm:ss");
  }
  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') return invalid(text, "expected 'T' after the date");

  // system_clock's nanosecond count covers about 1678..2261; keep to a range where no arithmetic wraps.
  if (year < 1700 || year > 2200) return invalid(text, "year out of the supported range 1700..2200");
  const year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                            std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return invalid(text, "no such date");
  if (hour > 23 || minute > 59) return invalid(text, "no such time of day");
  if (second > 59) return invalid(text, second == 60 ? "leap seconds are not supported" : "no such time of day");

  std::size_t pos = 19;
  nanoseconds fraction{0};
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const std::size_t first = pos;
    long long ns = 0;
    int kept = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (kept < 9) {
        ns = ns * 10 + (text[pos] - '0');
        ++kept;
      }
      ++pos;
    }
    if (pos == first) return invalid(text, "expected digits after '.'");
    for (; kept < 9; ++kept) ns *= 10;
    fraction = nanoseconds{ns};
  }

  if (pos >= text.size()) return invalid(text, "missing time zone offset, e.g. Z or +07:00");
  minutes offset{0};
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    int oh = 0, om = 0;
    if (!digits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !digits(text, pos + 4, 2, om)) {
      return invalid(text, "offset must be +hh:mm or -hh:mm");
    }
    if (oh > 23 || om > 59) return invalid(text, "offset out of range");
    offset = hours{oh} + minutes{om};
    if (text[pos] == '-') offset = -offset;
    pos += 6;
  } else {
    return invalid(text, "missing time zone offset, e.g. Z or +07:00");
  }
  if (pos != text.size()) return invalid(text, "unexpected text after the offset");

  const auto local = sys_days{date} + hours{hour} + minutes{minute} + seconds{second};
  return time_point_cast<system_clock::duration>(local - offset + fraction);
}

std::string format_rfc3339(system_clock::time_point t, minutes utc_offset) {
  const auto local = floor<milliseconds>(t) + utc_offset;
  const auto day = floor<days>(local);
  const year_month_day date{day};
  const hh_mm_ss<milliseconds> time{local - day};
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03d", static_cast<int>(date.year()),
                        static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                        static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                        static_cast<int>(time.seconds().count()), static_cast<int>(time.subseconds().count()));
  std::string out(buf, static_cast<std::size_t>(n));
  if (utc_offset == minutes{0}) {
    out += 'Z';
  } else {
    const auto abs = utc_offset < minutes{0} ? -utc_offset : utc_offset;
    n = std::snprintf(buf, sizeof buf, "%c%02d:%02d", utc_offset < minutes{0} ? '-' : '+',
                      static_cast<int>(abs.count() / 60), static_cast<int>(abs.count() % 60));
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

Result<Clock> clock_from_setting(std::string_view start, std::optional<system_clock::time_point> anchor,
                                 system_clock::time_point rehearsal_start) {
  const std::string_view text = trim(start);
  const auto real_anchor = anchor.value_or(system_clock::now());
  if (text.empty()) return Clock::shifted(rehearsal_start, real_anchor);
  if (equals_ignoring_case(text, "real")) return Clock::real();
  auto parsed = parse_rfc3339(text);
  if (!parsed) {
    return Error::permanent(kErrorCode, "clock start must be empty (rehearsal), 'real' or an RFC 3339 time: " +
                                            parsed.error().message);
  }
  return Clock::shifted(*parsed, real_anchor);
}

}  // namespace expo::clock

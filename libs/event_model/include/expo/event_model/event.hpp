#pragma once
// The event configuration: days, opening hours, regions, booths and innovations. The 2023 East Java
// exhibition is embedded as the default (data/jatim-2023.json); any other event is another file.
//
// Local time uses the file's fixed utc_offset, not a time-zone database: Asia/Jakarta has had no
// daylight saving since 1964, and GCC 12's libstdc++ has no std::chrono::tzdb.
//
// Thread-safety and lifetime: an Event is a plain value; after parse_event it is only read, so any
// number of threads may share one const Event. Pointers from find_* live as long as the Event and
// are invalidated by changing its vectors.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "expo/core/result.hpp"

namespace expo::model {

struct Region {
  std::string id, name, kind;  // kind: "kabupaten" | "kota" in the default event
};

struct Booth {
  std::string id, name, region_id;
};

struct Innovation {
  std::string id, name, description, booth_id, region_id;
  bool demo = false;  // invented sample data; screens label it so
};

struct Event {
  std::string id, name, place, time_zone;
  std::chrono::minutes utc_offset{0};
  std::vector<std::chrono::year_month_day> days;  // sorted, distinct
  std::chrono::minutes opens_at{0}, closes_at{0};  // local minutes after midnight, opens_at < closes_at
  int votes_per_day = 3;
  std::vector<Region> regions;
  std::vector<Booth> booths;
  std::vector<Innovation> innovations;

  // O(log n) through indexes that parse_event builds. An Event assembled by hand (tests) works
  // without calling reindex() but then costs a linear scan; call reindex() after changing the vectors.
  const Region* find_region(std::string_view id) const;
  const Booth* find_booth(std::string_view id) const;
  const Innovation* find_innovation(std::string_view id) const;
  void reindex();

  // The calendar date at the event's place at time t.
  std::chrono::year_month_day local_date(std::chrono::system_clock::time_point t) const;
  // Which event day t falls on (0-based), by local date; nullopt outside the event's days.
  std::optional<std::size_t> day_index(std::chrono::system_clock::time_point t) const;
  std::optional<std::size_t> day_index(std::chrono::year_month_day date) const;
  // Whether `date` ("YYYY-MM-DD", as routes take ?day=) is one of the event's days.
  bool has_day(std::string_view date) const;
  // An event day and opens_at <= local time of day < closes_at.
  bool is_open(std::chrono::system_clock::time_point t) const;
  // The instant of local time `since_midnight` on event day `day_index`; throws std::out_of_range
  // for a day_index past the last day (a programming error).
  std::chrono::system_clock::time_point local_time(std::size_t day_index, std::chrono::minutes since_midnight) const;

 private:
  using Index = std::map<std::string, std::size_t, std::less<>>;
  Index region_index_, booth_index_, innovation_index_;
};

// Validates required fields and their types, unknown fields, id syntax ([A-Za-z0-9._-], at most 64
// characters: ids end up in URLs, Redis keys and Kafka keys), unique ids, references (booth ->
// region, innovation -> booth, and an innovation's region_id, when given, must be its booth's),
// sorted distinct days, and opens < closes. Errors: code "event_config_invalid", naming the place
// in the file, e.g. `booths[3] ("3504"): region_id "9999" is not the id of any region`.
Result<Event> parse_event(std::string_view json);
Result<Event> load_event_file(const std::filesystem::path& path);

// The embedded 2023 event. default_event() parses it once; an invalid embedded file is a build bug
// (the unit tests catch it) and throws std::logic_error.
std::string_view default_event_json();
Event default_event();

// Body of GET /v1/event: id, name, place, time_zone, utc_offset, days, hours {open, close},
// voting {votes_per_day}, regions [{region_id, name, kind}], booths [{booth_id, name, region_id}],
// innovations [{innovation_id, name, description, booth_id, region_id, demo}]. Compact JSON.
std::string public_event_json(const Event& event);

// "2023-11-23" <-> year_month_day (e.g. the leaderboard's ?day=); nullopt for anything not a real date.
std::optional<std::chrono::year_month_day> parse_date(std::string_view text);
std::string format_date(std::chrono::year_month_day date);

}  // namespace expo::model

#include "app/ops_view.hpp"

#include <boost/json/array.hpp>

#include "expo/clock/clock.hpp"
#include "expo/event_model/event.hpp"

namespace expo::leaderboard {
namespace {

std::string two_digits(long long n) { return (n < 10 ? "0" : "") + std::to_string(n); }

std::int64_t count_of(const Fields& activity, const std::string& field) {
  const auto found = activity.find(field);
  return found == activity.end() ? 0 : found->second;
}

}  // namespace

boost::json::object ops_json(const model::Event& event, const Fields& activity, const std::string& day,
                             std::chrono::system_clock::time_point now) {
  using std::chrono::duration_cast;
  using std::chrono::hours;
  // Every hour the hall is open, the last one being the hour closing time falls in (if not on the hour).
  const auto first = duration_cast<hours>(event.opens_at).count();
  const auto last = duration_cast<hours>(event.closes_at - std::chrono::minutes(1)).count();
  boost::json::array hour_names;
  for (auto h = first; h <= last; ++h) hour_names.emplace_back(two_digits(h));

  boost::json::array by_booth;
  for (const auto& booth : event.booths) {
    boost::json::array counts;
    for (auto h = first; h <= last; ++h) {
      counts.emplace_back(count_of(activity, "hour|" + booth.id + "|" + day + "T" + two_digits(h)));
    }
    by_booth.push_back(boost::json::object{{"booth_id", booth.id}, {"name", booth.name}, {"counts", std::move(counts)}});
  }

  boost::json::array per_minute;
  for (int ago = 59; ago >= 0; --ago) {
    // The minute as votes carry it: their local time, cut to "YYYY-MM-DDTHH:MM".
    const auto minute = clock::format_rfc3339(now - std::chrono::minutes(ago), event.utc_offset).substr(0, 16);
    per_minute.push_back(boost::json::object{{"minute", minute}, {"votes", count_of(activity, "minute|" + minute)}});
  }

  boost::json::object out;
  out["day"] = day;
  out["hours"] = std::move(hour_names);
  out["checkins_by_hour"] = std::move(by_booth);
  out["votes_per_minute"] = std::move(per_minute);
  return out;
}

}  // namespace expo::leaderboard

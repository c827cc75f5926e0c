#include "app/boards_view.hpp"

#include <charconv>

#include <boost/json/array.hpp>

#include "expo/event_model/event.hpp"

namespace expo::leaderboard {
namespace {

struct Counter {
  std::string_view what, id, period;
};

// "<what>|<id>|<period>"; ids and periods never hold '|'.
std::optional<Counter> split(std::string_view field) {
  const auto first = field.find('|');
  const auto last = field.rfind('|');
  if (first == std::string_view::npos || first == last) return std::nullopt;
  return Counter{field.substr(0, first), field.substr(first + 1, last - first - 1), field.substr(last + 1)};
}

}  // namespace

std::map<std::string, PeriodCounts, std::less<>> counts_by_period(const Fields& counts) {
  std::map<std::string, PeriodCounts, std::less<>> out;
  for (const auto& [field, value] : counts) {
    const auto c = split(field);
    if (!c) continue;
    auto& period = out[std::string(c->period)];
    CountMap* target = c->what == "votes"      ? &period.votes
                       : c->what == "voided"   ? &period.voided
                       : c->what == "checkins" ? &period.checkins
                       : c->what == "unique"   ? &period.unique
                                               : nullptr;
    if (target) (*target)[std::string(c->id)] = value;
  }
  return out;
}

Tally tally_of(const Fields& counts, const Fields& applied) {
  Tally tally;
  for (const auto& [field, value] : counts) {
    const auto c = split(field);
    if (!c) continue;
    Tally::Key key{std::string(c->id), std::string(c->period)};
    if (c->what == "votes") tally.innovations[key].votes = value;
    if (c->what == "voided") tally.innovations[key].voided = value;
    if (c->what == "checkins") tally.booths[key].checkins = value;
    if (c->what == "unique") tally.booths[key].unique_visitors = value;
  }
  // Guard fields are "<topic>:<partition>" (topic names hold no ':').
  for (const auto& [field, last_applied] : applied) {
    const auto colon = field.rfind(':');
    if (colon == std::string::npos) continue;
    std::int32_t partition = 0;
    const auto* begin = field.data() + colon + 1;
    const auto* end = field.data() + field.size();
    if (std::from_chars(begin, end, partition).ptr != end) continue;
    tally.offsets[{field.substr(0, colon), partition}] = last_applied + 1;
  }
  return tally;
}

boost::json::object boards_json(const model::Event& event, const PeriodCounts& counts, Display display,
                                std::optional<std::size_t> limit, Labels labels) {
  boost::json::object out;
  out["innovations"] = to_json(innovation_board(event, counts.votes, limit), display, labels);
  out["regions"] = to_json(region_board(event, counts.votes, limit), display, labels);
  out["booths"] = to_json(booth_board(event, counts.checkins, counts.unique, limit), display, labels);
  return out;
}

boost::json::object stream_message(const model::Event& event, const BoardsState& state, std::int64_t version,
                                   std::string_view updated_at, std::optional<std::string> day, std::size_t rows) {
  const auto periods = counts_by_period(state.counts);
  const auto display = display_of(state.display);
  const auto whole = periods.find(kWholeEvent);
  boost::json::object boards;
  boards["all"] = boards_json(event, whole == periods.end() ? PeriodCounts{} : whole->second, display, rows,
                              Labels::ids_only);
  boost::json::object message;
  message["type"] = "boards";
  message["version"] = version;
  message["updated_at"] = updated_at;
  message["rows"] = rows;
  message["frozen"] = state.display.frozen;
  message["display"] = display == Display::ranks_only ? "ranks_only" : "full";
  if (day) {
    message["day"] = *day;
  } else {
    message["day"] = nullptr;
  }
  message["boards"] = std::move(boards);
  return message;
}

Display display_of(const DisplayState& state) { return state.counts_hidden ? Display::ranks_only : Display::full; }

}  // namespace expo::leaderboard

#include "expo/event_model/event.hpp"

#include "expo/core/json_kind.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/stream_parser.hpp>
#include <boost/json/value.hpp>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace expo::model {
namespace {

namespace json = boost::json;
using namespace std::chrono;

constexpr const char* kErrorCode = "event_config_invalid";

// Parsing stops at the first problem; the exception never leaves this file.
struct Invalid {
  std::string message;
};

[[noreturn]] void fail(std::string message) { throw Invalid{std::move(message)}; }

std::string quote_json(std::string_view text) { return json::serialize(json::string_view(text)); }

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

bool two_digits(std::string_view text, std::size_t at, int& out) {
  if (at + 2 > text.size()) return false;
  const char a = text[at], b = text[at + 1];
  if (a < '0' || a > '9' || b < '0' || b > '9') return false;
  out = (a - '0') * 10 + (b - '0');
  return true;
}

// "08:00" -> 480 minutes; "24:00" is allowed as a closing time at midnight.
std::optional<minutes> parse_hhmm(std::string_view text) {
  int h = 0, m = 0;
  if (text.size() != 5 || !two_digits(text, 0, h) || text[2] != ':' || !two_digits(text, 3, m)) return std::nullopt;
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return hours{h} + minutes{m};
}

std::string format_hhmm(minutes m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", static_cast<int>(m.count() / 60), static_cast<int>(m.count() % 60));
  return buf;
}

// "+07:00" / "-03:30" -> minutes east of UTC.
std::optional<minutes> parse_offset(std::string_view text) {
  int h = 0, m = 0;
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || !two_digits(text, 1, h) || text[3] != ':' ||
      !two_digits(text, 4, m) || h > 23 || m > 59) {
    return std::nullopt;
  }
  const minutes total = hours{h} + minutes{m};
  return text[0] == '-' ? -total : total;
}

std::string format_offset(minutes offset) {
  const minutes a = offset < minutes{0} ? -offset : offset;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", offset < minutes{0} ? '-' : '+', static_cast<int>(a.count() / 60),
                static_cast<int>(a.count() % 60));
  return buf;
}

// One JSON object at a named place in the file ("booths[3]"), with typed, checked accessors.
class Node {
 public:
  Node(const json::value& v, std::string label) : label_(std::move(label)) {
    if (!v.is_object()) fail(where_self() + "expected an object, found " + std::string(json_kind_text(v.kind())));
    object_ = &v.as_object();
  }

  // Refines the label once the element's id is known, so later messages say which one.
  void name_by(std::string_view id) { label_ += " (" + quote_json(id) + ")"; }
  const std::string& label() const { return label_; }

  void only(std::initializer_list<std::string_view> allowed) const {
    for (const auto& member : *object_) {
      if (std::find(allowed.begin(), allowed.end(), member.key()) == allowed.end()) {
        fail(where_self() + "unknown field " + quote_json(member.key()));
      }
    }
  }

  const json::value* find(std::string_view key) const { return object_->if_contains(key); }

  const json::value& need(std::string_view key) const {
    const json::value* v = find(key);
    if (!v) fail(where_self() + "missing required field " + quote_json(key));
    return *v;
  }

  std::string str(std::string_view key, bool allow_empty = false) const {
    const json::value& v = need(key);
    if (!v.is_string()) fail(where(key) + "expected a string, found " + std::string(json_kind_text(v.kind())));
    std::string out(v.as_string());
    if (!allow_empty && out.empty()) fail(where(key) + "must not be empty");
    return out;
  }

  std::optional<std::string> optional_str(std::string_view key) const {
    if (!find(key)) return std::nullopt;
    return str(key, true);
  }

  std::string id(std::string_view key) const {
    std::string out = str(key);
    if (!valid_id(out)) {
      fail(where(key) + quote_json(out) + " is not a valid id (letters, digits, '.', '_', '-'; at most 64 characters)");
    }
    return out;
  }

  bool boolean(std::string_view key) const {
    const json::value& v = need(key);
    if (!v.is_bool()) fail(where(key) + "expected true or false, found " + std::string(json_kind_text(v.kind())));
    return v.as_bool();
  }

  std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max) const {
    const json::value& v = need(key);
    if (!v.is_int64()) fail(where(key) + "expected an integer, found " + std::string(json_kind_text(v.kind())));
    const std::int64_t i = v.as_int64();
    if (i < min || i > max) {
      fail(where(key) + std::to_string(i) + " is out of range " + std::to_string(min) + ".." + std::to_string(max));
    }
    return i;
  }

  const json::array& array(std::string_view key) const {
    const json::value& v = need(key);
    if (!v.is_array()) fail(where(key) + "expected an array, found " + std::string(json_kind_text(v.kind())));
    return v.as_array();
  }

  std::string where(std::string_view key) const {
    return (label_.empty() ? std::string(key) : label_ + "." + std::string(key)) + ": ";
  }

 private:
  std::string where_self() const { return label_.empty() ? std::string() : label_ + ": "; }

  const json::object* object_ = nullptr;
  std::string label_;
};

json::value parse_json(std::string_view text) {
  json::stream_parser parser;
  boost::system::error_code ec;
  const std::size_t consumed = parser.write(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < std::min(consumed, text.size()); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    fail("invalid JSON at line " + std::to_string(line) + ", column " + std::to_string(column) + ": " +
         ec.message());
  }
  return parser.release();
}

// Remembers where each id was first seen, to name both places of a duplicate.
class Ids {
 public:
  explicit Ids(std::string collection) : collection_(std::move(collection)) {}
  void add(const std::string& id, std::size_t at, const Node& node) {
    const auto [it, inserted] = seen_.emplace(id, at);
    if (!inserted) {
      fail(node.label() + ": duplicate id " + quote_json(id) + " (also " + collection_ + "[" +
           std::to_string(it->second) + "])");
    }
  }

 private:
  std::string collection_;
  std::map<std::string, std::size_t, std::less<>> seen_;
};

Event parse_event_or_throw(std::string_view text) {
  const json::value doc = parse_json(text);
  const Node root(doc, "");
  root.only({"note", "id", "name", "place", "time_zone", "utc_offset", "days", "hours", "voting", "regions", "booths",
             "innovations"});
  if (root.find("note")) (void)root.str("note", true);

  Event e;
  e.id = root.id("id");
  e.name = root.str("name");
  e.place = root.str("place");
  e.time_zone = root.str("time_zone");
  const std::string offset = root.str("utc_offset");
  const auto parsed_offset = parse_offset(offset);
  if (!parsed_offset) fail(root.where("utc_offset") + quote_json(offset) + " is not an offset like \"+07:00\"");
  e.utc_offset = *parsed_offset;

  const json::array& day_list = root.array("days");
  if (day_list.empty()) fail(root.where("days") + "needs at least one day");
  for (std::size_t i = 0; i < day_list.size(); ++i) {
    const std::string label = "days[" + std::to_string(i) + "]: ";
    if (!day_list[i].is_string()) fail(label + "expected a date string \"YYYY-MM-DD\", found " + std::string(json_kind_text(day_list[i].kind())));
    const std::string_view text_day = day_list[i].as_string();
    const auto date = parse_date(text_day);
    if (!date) fail(label + quote_json(text_day) + " is not a date (YYYY-MM-DD)");
    if (!e.days.empty() && !(e.days.back() < *date)) {
      fail(label + quote_json(text_day) + " is not after the day before it: days must be sorted and distinct");
    }
    e.days.push_back(*date);
  }

  const Node hours_node(root.need("hours"), "hours");
  hours_node.only({"open", "close", "note"});
  if (hours_node.find("note")) (void)hours_node.str("note", true);
  for (const auto& [key, target] : {std::pair{"open", &e.opens_at}, std::pair{"close", &e.closes_at}}) {
    const std::string value = hours_node.str(key);
    const auto m = parse_hhmm(value);
    if (!m) fail(hours_node.where(key) + quote_json(value) + " is not a time of day \"HH:MM\"");
    *target = *m;
  }
  if (e.opens_at >= e.closes_at) fail("hours: open must be before close");

  if (const json::value* voting = root.find("voting")) {
    const Node voting_node(*voting, "voting");
    voting_node.only({"votes_per_day"});
    e.votes_per_day = static_cast<int>(voting_node.integer("votes_per_day", 1, 1000));
  }

  Ids region_ids("regions");
  const json::array& regions = root.array("regions");
  if (regions.empty()) fail(root.where("regions") + "needs at least one region");
  for (std::size_t i = 0; i < regions.size(); ++i) {
    Node n(regions[i], "regions[" + std::to_string(i) + "]");
    n.only({"id", "name", "kind"});
    Region r;
    r.id = n.id("id");
    region_ids.add(r.id, i, n);
    n.name_by(r.id);
    r.name = n.str("name");
    r.kind = n.str("kind");
    e.regions.push_back(std::move(r));
  }
  e.reindex();  // references below are checked through the indexes

  Ids booth_ids("booths");
  const json::array& booths = root.array("booths");
  for (std::size_t i = 0; i < booths.size(); ++i) {
    Node n(booths[i], "booths[" + std::to_string(i) + "]");
    n.only({"id", "name", "region_id"});
    Booth b;
    b.id = n.id("id");
    booth_ids.add(b.id, i, n);
    n.name_by(b.id);
    b.name = n.str("name");
    b.region_id = n.str("region_id");
    if (!e.find_region(b.region_id)) fail(n.where("region_id") + quote_json(b.region_id) + " is not the id of any region");
    e.booths.push_back(std::move(b));
  }
  e.reindex();

  Ids innovation_ids("innovations");
  const json::array& innovations = root.array("innovations");
  for (std::size_t i = 0; i < innovations.size(); ++i) {
    Node n(innovations[i], "innovations[" + std::to_string(i) + "]");
    n.only({"id", "name", "description", "booth_id", "region_id", "demo"});
    Innovation in;
    in.id = n.id("id");
    innovation_ids.add(in.id, i, n);
    n.name_by(in.id);
    in.name = n.str("name");
    in.description = n.optional_str("description").value_or("");
    in.booth_id = n.str("booth_id");
    const Booth* booth = e.find_booth(in.booth_id);
    if (!booth) fail(n.where("booth_id") + quote_json(in.booth_id) + " is not the id of any booth");
    // Leaderboards sum votes by region through the booth; a different region_id would split them.
    if (auto region = n.optional_str("region_id")) {
      if (*region != booth->region_id) {
        fail(n.where("region_id") + quote_json(*region) + " differs from its booth's region " + quote_json(booth->region_id));
      }
    }
    in.region_id = booth->region_id;
    in.demo = n.boolean("demo");
    e.innovations.push_back(std::move(in));
  }
  e.reindex();
  return e;
}

template <class T>
const T* find_in(const std::vector<T>& items, const std::map<std::string, std::size_t, std::less<>>& index,
                 std::string_view id) {
  if (index.size() == items.size()) {
    const auto it = index.find(id);
    if (it == index.end()) return nullptr;
    if (it->second < items.size() && items[it->second].id == id) return &items[it->second];
  }
  // Not indexed (built by hand) or changed since: still correct, just linear.
  for (const T& item : items) {
    if (item.id == id) return &item;
  }
  return nullptr;
}

template <class T>
void build_index(const std::vector<T>& items, std::map<std::string, std::size_t, std::less<>>& index) {
  index.clear();
  for (std::size_t i = 0; i < items.size(); ++i) index.emplace(items[i].id, i);
}

}  // namespace

// --- Event -----------------------------------------------------------------------------------

const Region* Event::find_region(std::string_view key) const { return find_in(regions, region_index_, key); }
const Booth* Event::find_booth(std::string_view key) const { return find_in(booths, booth_index_, key); }
const Innovation* Event::find_innovation(std::string_view key) const {
  return find_in(innovations, innovation_index_, key);
}

void Event::reindex() {
  build_index(regions, region_index_);
  build_index(booths, booth_index_);
  build_index(innovations, innovation_index_);
}

year_month_day Event::local_date(system_clock::time_point t) const {
  return year_month_day{floor<std::chrono::days>(t + utc_offset)};
}

std::optional<std::size_t> Event::day_index(year_month_day date) const {
  const auto it = std::lower_bound(days.begin(), days.end(), date);
  if (it == days.end() || *it != date) return std::nullopt;
  return static_cast<std::size_t>(std::distance(days.begin(), it));
}

std::optional<std::size_t> Event::day_index(system_clock::time_point t) const { return day_index(local_date(t)); }

bool Event::has_day(std::string_view date) const {
  return std::any_of(days.begin(), days.end(), [&](const year_month_day& d) { return format_date(d) == date; });
}

bool Event::is_open(system_clock::time_point t) const {
  if (!day_index(t)) return false;
  const auto local = t + utc_offset;
  const auto since_midnight = local - floor<std::chrono::days>(local);
  return since_midnight >= opens_at && since_midnight < closes_at;
}

system_clock::time_point Event::local_time(std::size_t index, minutes since_midnight) const {
  if (index >= days.size()) {
    throw std::out_of_range("event day index " + std::to_string(index) + " past the last day (" +
                            std::to_string(days.size()) + " days)");
  }
  return sys_days{days[index]} + since_midnight - utc_offset;
}

// --- parsing and loading ---------------------------------------------------------------------

Result<Event> parse_event(std::string_view json_text) {
  try {
    return parse_event_or_throw(json_text);
  } catch (const Invalid& e) {
    return Error::permanent(kErrorCode, "event config: " + e.message);
  }
}

Result<Event> load_event_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::permanent(kErrorCode, "cannot read event config file " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Error::permanent(kErrorCode, "cannot read event config file " + path.string());
  try {
    return parse_event_or_throw(text.str());
  } catch (const Invalid& e) {
    return Error::permanent(kErrorCode, "event config file " + path.string() + ": " + e.message);
  }
}

Event default_event() {
  // Parsed once; thread-safe initialisation of a function-local static.
  static const Event parsed = [] {
    auto r = parse_event(default_event_json());
    if (!r) throw std::logic_error("embedded default event is invalid: " + r.error().message);
    return std::move(r).value();
  }();
  return parsed;
}

std::string public_event_json(const Event& e) {
  json::object out;
  out["id"] = e.id;
  out["name"] = e.name;
  out["place"] = e.place;
  out["time_zone"] = e.time_zone;
  out["utc_offset"] = format_offset(e.utc_offset);
  json::array days;
  for (const auto& d : e.days) days.emplace_back(format_date(d));
  out["days"] = std::move(days);
  out["hours"] = json::object{{"open", format_hhmm(e.opens_at)}, {"close", format_hhmm(e.closes_at)}};
  out["voting"] = json::object{{"votes_per_day", e.votes_per_day}};
  json::array regions;
  for (const auto& r : e.regions) regions.emplace_back(json::object{{"region_id", r.id}, {"name", r.name}, {"kind", r.kind}});
  out["regions"] = std::move(regions);
  json::array booths;
  for (const auto& b : e.booths) {
    booths.emplace_back(json::object{{"booth_id", b.id}, {"name", b.name}, {"region_id", b.region_id}});
  }
  out["booths"] = std::move(booths);
  json::array innovations;
  for (const auto& i : e.innovations) {
    innovations.emplace_back(json::object{{"innovation_id", i.id},
                                          {"name", i.name},
                                          {"description", i.description},
                                          {"booth_id", i.booth_id},
                                          {"region_id", i.region_id},
                                          {"demo", i.demo}});
  }
  out["innovations"] = std::move(innovations);
  return json::serialize(out);
}

std::optional<year_month_day> parse_date(std::string_view text) {
  int y1 = 0, y2 = 0, m = 0, d = 0;
  if (text.size() != 10 || !two_digits(text, 0, y1) || !two_digits(text, 2, y2) || text[4] != '-' ||
      !two_digits(text, 5, m) || text[7] != '-' || !two_digits(text, 8, d)) {
    return std::nullopt;
  }
  const year_month_day date{year{y1 * 100 + y2}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::string format_date(year_month_day date) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()));
  return buf;
}

}  // namespace expo::model

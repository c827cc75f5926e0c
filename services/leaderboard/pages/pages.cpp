#include "pages/pages.hpp"

#include <algorithm>
#include <array>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <initializer_list>
#include <set>
#include <utility>
#include <vector>

#include "expo/event_model/event.hpp"
#include "expo/web/assets.hpp"
#include "expo/web/html.hpp"

namespace expo::leaderboard {
namespace {

using web::html_escape;
using web::Lang;
using web::Strings;
using web::Template;
using web::Values;

constexpr std::array<Lang, 2> kLangs{Lang::id, Lang::en};
constexpr std::string_view kChartsBundle = "vendor/charts.js";
constexpr std::array<std::string_view, 4> kRequiredAssets{"screen.css", "screen.js", "ops.css", "ops.js"};
// How long the screen shows each board before the next (?rotate= overrides it in the page).
constexpr int kRotateSeconds = 12;

// Keys the C++ side reads directly (the templates' own keys are checked through their names).
constexpr std::array<std::string_view, 3> kCodeKeys{"screen.more", "screen.day", "heatmap.day_auto"};
// The strings ops.js needs, embedded in the ops page in its language: keys with this prefix.
constexpr std::string_view kOpsScriptPrefix = "msg.";
// The names a screen request fills; anything else screen.html uses must be bound at load.
const std::set<std::string, std::less<>> kScreenHoles{
    "board", "pinned", "display", "frozen", "stream_version", "updated_at", "updated_text", "day_label",
    "innovations_rows", "innovations_more", "innovations_empty", "innovations_tied",
    "regions_rows", "regions_more", "regions_empty", "regions_tied",
    "booths_rows", "booths_more", "booths_empty", "booths_tied"};

Error invalid(std::string message) { return Error::permanent("pages_invalid", std::move(message)); }

std::size_t index(Lang lang) { return lang == Lang::en ? 1 : 0; }
Lang other(Lang lang) { return lang == Lang::en ? Lang::id : Lang::en; }

std::string_view board_name(Board board) {
  switch (board) {
    case Board::regions: return "regions";
    case Board::booths: return "booths";
    case Board::innovations: break;
  }
  return "innovations";
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

Result<Template> parse_template(const std::string& name, std::string_view text) {
  auto tpl = Template::parse(text);
  if (!tpl) return invalid(name + ": " + tpl.error().message);
  return tpl;
}

// 12345 -> "12 345" with a narrow no-break space (U+202F): one grouping that reads the same in both
// languages on the screen (Indonesian writes 12.345, English 12,345; either misleads the other).
std::string count_text(std::int64_t n) {
  const bool negative = n < 0;
  std::string digits = std::to_string(negative ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += "\xE2\x80\xAF";
    out += digits[i];
  }
  return negative ? "-" + out : out;
}

std::string rank_text(std::size_t rank, bool tied) { return (tied ? "=" : "") + std::to_string(rank); }

// "HH:MM:SS" of an RFC 3339 time, as the event clock wrote it (its own offset: the hall's local
// time); "—" when the text is not one.
std::string clock_of(std::string_view rfc3339) {
  if (rfc3339.size() < 19 || rfc3339[10] != 'T' || rfc3339[13] != ':' || rfc3339[16] != ':') return "—";
  return std::string(rfc3339.substr(11, 8));
}

// The start of a row, and the bar under its name: the row's share of the leader's count, a rough
// picture of the gaps. Never with hidden counts: the bars would tell them.
std::string row_open(std::string_view id, std::size_t rank, bool tied) {
  std::string out = "<tr class=\"row";
  if (rank <= 3) out += " top" + std::to_string(rank);
  out += "\" data-id=\"" + html_escape(id) + "\"><td class=\"rank\">" + rank_text(rank, tied) + "</td>";
  return out;
}

std::string bar(std::int64_t count, std::int64_t leader) {
  if (leader <= 0 || count <= 0) return {};
  const auto percent = std::clamp<std::int64_t>(count * 100 / leader, 1, 100);
  return "<span class=\"bar\" style=\"width:" + std::to_string(percent) + "%\"></span>";
}

std::string count_cell(std::int64_t count, std::string_view extra_class = {}) {
  std::string out = "<td class=\"count";
  if (!extra_class.empty()) out += " " + std::string(extra_class);
  return out + "\">" + count_text(count) + "</td>";
}

template <class Row, class Count>
bool all_zero(std::span<const Row> rows, Count count) {
  return std::all_of(rows.begin(), rows.end(), [&](const Row& r) { return count(r) == 0; });
}

// {"rows": {...}, "rotate_seconds": 12, "names": {"innovations"|"regions"|"booths": {id: name}}, "days": [...],
//  "text": {"id": {...}, "en": {...}}} for screen.js, safe inside <script type="application/json">. The
// stream's rows carry ids only: the names come from here.
std::string screen_config(const model::Event& event, const Strings& strings) {
  boost::json::object rows;
  rows["innovations"] = kInnovationRows;
  rows["regions"] = kRegionRows;
  rows["booths"] = kBoothRows;
  boost::json::object innovations, regions, booths;
  for (const auto& innovation : event.innovations) innovations[innovation.id] = innovation.name;
  for (const auto& region : event.regions) regions[region.id] = region.name;
  for (const auto& booth : event.booths) booths[booth.id] = booth.name;
  boost::json::object names{{"innovations", std::move(innovations)}, {"regions", std::move(regions)},
                            {"booths", std::move(booths)}};
  boost::json::array days;
  for (const auto& day : event.days) days.emplace_back(model::format_date(day));
  boost::json::object text;
  for (const auto lang : kLangs) {
    boost::json::object t;
    t["more"] = strings.get(lang, "screen.more");
    t["day"] = strings.get(lang, "screen.day");
    text[web::lang_code(lang)] = std::move(t);
  }
  boost::json::object config;
  config["rows"] = std::move(rows);
  config["rotate_seconds"] = kRotateSeconds;
  config["names"] = std::move(names);
  config["days"] = std::move(days);
  config["text"] = std::move(text);
  return web::json_for_script(boost::json::serialize(config));
}

// {"msg.x": "...", ...} in one language, safe inside <script>.
std::string ops_script_strings(const Strings& strings, Lang lang) {
  boost::json::object out;
  for (const auto& [key, text] : strings.table(lang)) {
    if (key.starts_with(kOpsScriptPrefix)) out.emplace(key, text);
  }
  return web::json_for_script(boost::json::serialize(out));
}

std::string booths_json(const model::Event& event) {
  boost::json::object names;
  for (const auto& booth : event.booths) names[booth.id] = booth.name;
  return web::json_for_script(boost::json::serialize(names));
}

// The heatmap's day <select>: today's event day (the service's default), then every day.
std::string day_options(const model::Event& event, const Strings& strings, Lang lang) {
  std::string out = "<option value=\"\">" + html_escape(strings.get(lang, "heatmap.day_auto")) + "</option>";
  for (std::size_t i = 0; i < event.days.size(); ++i) {
    std::string label = strings.get(lang, "screen.day");
    replace_all(label, "{n}", std::to_string(i + 1));
    const auto date = model::format_date(event.days[i]);
    out += "<option value=\"" + html_escape(date) + "\">" + html_escape(label) + " (" + html_escape(date) + ")</option>";
  }
  return out;
}

// Indonesian, then English in a lighter span (the screen shows both at once), each with `fills`
// substituted. The texts are escaped already; the fills are numbers.
std::string bilingual(const std::string (&texts)[2],
                      std::initializer_list<std::pair<std::string_view, std::string>> fills) {
  std::string out;
  for (const auto lang : kLangs) {
    std::string text = texts[index(lang)];
    for (const auto& [hole, value] : fills) replace_all(text, hole, value);
    out += lang == Lang::en ? " <span class=\"en\" lang=\"en\">" + text + "</span>" : text;
  }
  return out;
}

}  // namespace

std::optional<Board> board_from_query(const std::optional<std::string>& value) {
  if (!value) return std::nullopt;
  if (*value == "innovations") return Board::innovations;
  if (*value == "regions") return Board::regions;
  if (*value == "booths") return Board::booths;
  return std::nullopt;
}

Result<Pages> Pages::load(const std::filesystem::path& web_dir, const model::Event& event) {
  auto raw_text = web::read_page_file(web_dir / "strings.json");
  if (!raw_text) return raw_text.error();
  auto strings = Strings::parse(*raw_text);
  if (!strings) return invalid("strings.json: " + strings.error().message);
  for (const auto key : kCodeKeys) {
    if (strings->find(Lang::id, key) == nullptr) return invalid("strings.json lacks \"" + std::string(key) + "\"");
  }
  for (const auto lang : kLangs) {
    const auto where = "strings.json \"" + std::string(web::lang_code(lang)) + "\".";
    const auto& more = strings->get(lang, "screen.more");
    if (more.find("{n}") == std::string::npos || more.find("{rank}") == std::string::npos) {
      return invalid(where + "\"screen.more\" must hold {n} and {rank}");
    }
    if (strings->get(lang, "screen.day").find("{n}") == std::string::npos) {
      return invalid(where + "\"screen.day\" must hold {n}");
    }
  }

  std::map<std::string, std::string> files;
  for (const char* name : {"screen.html", "ops.html"}) {
    auto text = web::read_page_file(web_dir / "templates" / name);
    if (!text) return text.error();
    files.emplace(name, std::move(*text));
  }
  auto screen = parse_template("screen.html", files.at("screen.html"));
  if (!screen) return screen.error();
  auto ops = parse_template("ops.html", files.at("ops.html"));
  if (!ops) return ops.error();
  auto assets = web::read_asset_files(assets_dir(web_dir));
  if (!assets) return assets.error();
  for (const auto name : kRequiredAssets) {
    if (!assets->contains(std::string(name))) return invalid("assets/" + std::string(name) + " is missing");
  }
  if (!assets->contains(std::string(kChartsBundle))) {
    return invalid("assets/" + std::string(kChartsBundle) +
                   " is missing: it is build output of services/leaderboard/frontend (run deploy/deps.sh npm)");
  }

  Pages pages;
  pages.version_ = web::content_version(*raw_text, files, *assets);

  // The screen shows both languages at once: {{id.<key>}} and {{en.<key>}}.
  Values screen_values{{"event_name", event.name},
                       {"version", pages.version_},
                       {"config_json", screen_config(event, *strings)}};
  for (const auto lang : kLangs) {
    for (const auto& [key, text] : strings->table(lang)) {
      screen_values.emplace(std::string(web::lang_code(lang)) + "." + key, text);
    }
  }
  pages.screen_ = screen->bind(screen_values);
  std::vector<std::string> unknown;
  for (const auto& name : pages.screen_.names()) {
    if (!kScreenHoles.contains(name)) unknown.push_back(name);
  }
  if (!unknown.empty()) return invalid("screen.html uses unknown " + web::holes_text(unknown));

  for (const auto lang : kLangs) {
    const auto li = index(lang);
    Values v;
    for (const auto& [key, text] : strings->table(lang)) v.emplace("t." + key, text);
    v.emplace("lang", std::string(web::lang_code(lang)));
    v.emplace("other_lang", std::string(web::lang_code(other(lang))));
    v.emplace("toggle_href", "?lang=" + std::string(web::lang_code(other(lang))));
    v.emplace("event_name", event.name);
    v.emplace("version", pages.version_);
    v.emplace("utc_offset_minutes", std::to_string(event.utc_offset.count()));
    v.emplace("day_options", day_options(event, *strings, lang));
    v.emplace("booths_json", booths_json(event));
    v.emplace("script_strings", ops_script_strings(*strings, lang));
    if (const auto missing = ops->missing(v); !missing.empty()) {
      return invalid("ops.html uses unknown " + web::holes_text(missing));
    }
    pages.ops_[li] = ops->render(v);

    pages.more_text_[li] = html_escape(strings->get(lang, "screen.more"));
    pages.day_text_[li] = html_escape(strings->get(lang, "screen.day"));
  }
  for (const auto& region : event.regions) pages.region_names_.emplace(region.id, html_escape(region.name));
  for (std::size_t i = 0; i < event.days.size(); ++i) pages.day_numbers_.emplace(model::format_date(event.days[i]), i + 1);
  return pages;
}

std::string Pages::more_line(std::size_t more, std::size_t rank) const {
  if (more == 0) return {};
  return bilingual(more_text_, {{"{n}", std::to_string(more)}, {"{rank}", std::to_string(rank)}});
}

std::string Pages::day_label(const std::optional<std::string>& day) const {
  if (!day) return {};
  const auto it = day_numbers_.find(*day);
  if (it == day_numbers_.end()) return {};
  return bilingual(day_text_, {{"{n}", std::to_string(it->second)}});
}

namespace {

// The rows a board shows, and how many rows past them share the last shown rank.
template <class Row>
std::pair<std::span<const Row>, std::size_t> shown(std::span<const Row> rows, std::size_t cap) {
  if (rows.size() <= cap) return {rows, 0};
  const auto last_rank = rows[cap - 1].rank;
  std::size_t more = 0;
  for (std::size_t i = cap; i < rows.size() && rows[i].rank == last_rank; ++i) ++more;
  return {rows.first(cap), more};
}

}  // namespace

std::string Pages::innovation_rows(const ScreenState& state) const {
  const auto [rows, more] = shown(state.innovations, kInnovationRows);
  const bool counts = state.display == Display::full;
  const auto leader = rows.empty() ? 0 : rows.front().votes;
  std::string out;
  out.reserve(rows.size() * 300);
  for (const auto& row : rows) {
    out += row_open(row.innovation_id, row.rank, row.tied);
    out += "<td class=\"name\"><span class=\"primary\">" + html_escape(row.name) + "</span>";
    const auto region = region_names_.find(row.region_id);
    out += "<span class=\"secondary\">" +
           (region == region_names_.end() ? html_escape(row.region_id) : region->second) + "</span>";
    if (counts) out += bar(row.votes, leader);
    out += "</td>";
    if (counts) out += count_cell(row.votes);
    out += "</tr>";
  }
  return out;
}

std::string Pages::region_rows(const ScreenState& state) const {
  const auto [rows, more] = shown(state.regions, kRegionRows);
  const bool counts = state.display == Display::full;
  const auto leader = rows.empty() ? 0 : rows.front().votes;
  std::string out;
  out.reserve(rows.size() * 250);
  for (const auto& row : rows) {
    out += row_open(row.region_id, row.rank, row.tied);
    out += "<td class=\"name\"><span class=\"primary\">" + html_escape(row.name) + "</span>";
    if (counts) out += bar(row.votes, leader);
    out += "</td>";
    if (counts) out += count_cell(row.votes);
    out += "</tr>";
  }
  return out;
}

std::string Pages::booth_rows(const ScreenState& state) const {
  const auto [rows, more] = shown(state.booths, kBoothRows);
  const bool counts = state.display == Display::full;
  const auto leader = rows.empty() ? 0 : rows.front().checkins;
  std::string out;
  out.reserve(rows.size() * 300);
  for (const auto& row : rows) {
    out += row_open(row.booth_id, row.rank, row.tied);
    out += "<td class=\"name\"><span class=\"primary\">" + html_escape(row.name) + "</span>";
    if (counts) out += bar(row.checkins, leader);
    out += "</td>";
    if (counts) out += count_cell(row.checkins) + count_cell(row.unique_visitors, "count2");
    out += "</tr>";
  }
  return out;
}

std::string Pages::screen_page(const ScreenState& state, std::optional<Board> pinned) const {
  const bool counts = state.display == Display::full;
  // "Nothing counted yet" replaces a list of zeros; with hidden counts the page cannot tell (nor may
  // it), so it lists the rows.
  const auto empty = [counts](bool no_rows, bool zeros) { return no_rows || (counts && zeros) ? "true" : "false"; };
  const auto more = [this](auto rows, std::size_t cap) {
    const auto [first, extra] = shown(rows, cap);
    return more_line(extra, first.empty() ? 0 : first.back().rank);
  };
  // Whether a shown row shares its rank: the board then explains "=2".
  const auto tied = [](auto rows, std::size_t cap) {
    const auto first = shown(rows, cap).first;
    return std::any_of(first.begin(), first.end(), [](const auto& r) { return r.tied; }) ? "true" : "false";
  };
  const Values v{
      {"board", std::string(board_name(pinned.value_or(Board::innovations)))},
      {"pinned", pinned ? std::string(board_name(*pinned)) : std::string()},
      {"display", counts ? "full" : "ranks_only"},
      {"frozen", state.frozen ? "true" : "false"},
      {"stream_version", std::to_string(state.version)},
      {"updated_at", state.updated_at},
      {"updated_text", clock_of(state.updated_at)},
      {"day_label", day_label(state.day)},
      {"innovations_rows", innovation_rows(state)},
      {"innovations_more", more(state.innovations, kInnovationRows)},
      {"innovations_tied", tied(state.innovations, kInnovationRows)},
      {"innovations_empty",
       empty(state.innovations.empty(), all_zero(state.innovations, [](const auto& r) { return r.votes; }))},
      {"regions_rows", region_rows(state)},
      {"regions_more", more(state.regions, kRegionRows)},
      {"regions_tied", tied(state.regions, kRegionRows)},
      {"regions_empty", empty(state.regions.empty(), all_zero(state.regions, [](const auto& r) { return r.votes; }))},
      {"booths_rows", booth_rows(state)},
      {"booths_more", more(state.booths, kBoothRows)},
      {"booths_tied", tied(state.booths, kBoothRows)},
      {"booths_empty", empty(state.booths.empty(), all_zero(state.booths, [](const auto& r) { return r.checkins; }))},
  };
  return screen_.render(v);
}

const std::string& Pages::ops_page(Lang lang) const { return ops_[index(lang)]; }

}  // namespace expo::leaderboard

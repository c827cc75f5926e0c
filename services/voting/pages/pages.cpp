#include "pages/pages.hpp"

#include <algorithm>
#include <array>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <limits>
#include <map>
#include <set>
#include <system_error>
#include <tuple>
#include <utility>

#include "expo/web/assets.hpp"
#include "expo/event_model/event.hpp"
#include "expo/web/html.hpp"

namespace expo::voting {
namespace {

using web::html_escape;
using web::Lang;
using web::Strings;
using web::Template;
using web::Values;

constexpr std::array<Lang, 2> kLangs{Lang::id, Lang::en};

// Keys the C++ side reads directly (the templates' own t.* keys are checked through their names).
constexpr std::array<std::string_view, 9> kCodeKeys{"ballot.remaining", "button.vote",        "button.voted",
                                                    "item.demo",        "notice.closed",      "notice.not_event_day",
                                                    "notice.quota_used", "empty.title",       "empty.text"};
// The strings vote.js needs, embedded in the page in its language: keys with these prefixes.
constexpr std::array<std::string_view, 2> kScriptPrefixes{"button.", "msg."};
// The names a ballot request fills; anything else ballot.html uses must be bound at load.
const std::set<std::string, std::less<>> kBallotHoles{"token",     "open",   "toggle_href", "self_href",
                                                      "remaining", "notice", "items"};
constexpr std::array<std::string_view, 2> kRequiredAssets{"vote.css", "vote.js"};

Error invalid(std::string message) { return Error::permanent("pages_invalid", std::move(message)); }

std::size_t index(Lang lang) { return lang == Lang::en ? 1 : 0; }
Lang other(Lang lang) { return lang == Lang::en ? Lang::id : Lang::en; }

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

// Local minutes after midnight as the language writes a time: "08.00" (id), "08:00" (en).
std::string clock_time(std::chrono::minutes since_midnight, Lang lang) {
  const auto m = since_midnight.count();
  std::string out = (m / 60 < 10 ? "0" : "") + std::to_string(m / 60);
  out += lang == Lang::en ? ':' : '.';
  out += (m % 60 < 10 ? "0" : "") + std::to_string(m % 60);
  return out;
}

// Strings may use {{event_name}}, {{event_place}}, {{opens}} and {{closes}}; they are filled here once.
Result<Strings> render_strings(const Strings& raw, const model::Event& event) {
  Strings::Table tables[2];
  for (const auto lang : kLangs) {
    const Values values{{"event_name", event.name},
                        {"event_place", event.place},
                        {"opens", clock_time(event.opens_at, lang)},
                        {"closes", clock_time(event.closes_at, lang)}};
    for (const auto& [key, text] : raw.table(lang)) {
      const auto where = "strings.json \"" + std::string(web::lang_code(lang)) + "\".\"" + key + "\"";
      auto tpl = Template::parse(text);
      if (!tpl) return invalid(where + ": " + tpl.error().message);
      if (const auto missing = tpl->missing(values); !missing.empty()) {
        return invalid(where + " uses unknown " + web::holes_text(missing) +
                       " (known: {{event_name}}, {{event_place}}, {{opens}}, {{closes}})");
      }
      // Plain text here: the page template escapes it where it is placed.
      tables[index(lang)].emplace(key, tpl->render_text(values));
    }
  }
  auto strings = Strings::from_tables(std::move(tables[0]), std::move(tables[1]));
  if (!strings) return invalid("strings.json: " + strings.error().message);
  return strings;
}

Result<Template> parse_template(const std::string& name, std::string_view text, const Strings& strings) {
  if (auto keys = web::check_i18n_keys(name, text, strings); !keys) return invalid(keys.error().message);
  auto tpl = Template::parse(text);
  if (!tpl) return invalid(name + ": " + tpl.error().message);
  return tpl;
}

// {"button.vote": "...", "msg.accepted": "...", ...} in one language, safe inside <script>.
std::string script_strings(const Strings& strings, Lang lang) {
  boost::json::object out;
  for (const auto& [key, text] : strings.table(lang)) {
    for (const auto prefix : kScriptPrefixes) {
      if (key.starts_with(prefix)) out.emplace(key, text);
    }
  }
  return web::json_for_script(boost::json::serialize(out));
}

std::string token_href(std::string_view token, Lang lang) {
  return "?token=" + web::url_encode(token) + "&lang=" + std::string(web::lang_code(lang));
}

}  // namespace

Result<Pages> Pages::load(const std::filesystem::path& web_dir, const model::Event& event) {
  auto raw_text = web::read_page_file(web_dir / "strings.json");
  if (!raw_text) return raw_text.error();
  auto raw = Strings::parse(*raw_text);
  if (!raw) return invalid("strings.json: " + raw.error().message);
  for (const auto key : kCodeKeys) {
    if (raw->find(Lang::id, key) == nullptr) return invalid("strings.json lacks \"" + std::string(key) + "\"");
  }
  auto strings = render_strings(*raw, event);
  if (!strings) return strings.error();

  std::map<std::string, std::string> files;
  for (const char* name : {"ballot.html", "not_found.html"}) {
    auto text = web::read_page_file(web_dir / "templates" / name);
    if (!text) return text.error();
    files.emplace(name, std::move(*text));
  }
  auto ballot = parse_template("ballot.html", files.at("ballot.html"), *strings);
  if (!ballot) return ballot.error();
  auto not_found = parse_template("not_found.html", files.at("not_found.html"), *strings);
  if (!not_found) return not_found.error();
  auto assets = web::read_asset_files(assets_dir(web_dir));
  if (!assets) return assets.error();
  for (const auto name : kRequiredAssets) {
    if (!assets->contains(std::string(name))) return invalid("assets/" + std::string(name) + " is missing");
  }

  Pages pages;
  pages.version_ = web::content_version(*raw_text, files, *assets);

  for (const auto lang : kLangs) {
    const auto li = index(lang);
    Values common;
    for (const auto& [key, text] : strings->table(lang)) common.emplace("t." + key, text);
    common.emplace("lang", std::string(web::lang_code(lang)));
    common.emplace("other_lang", std::string(web::lang_code(other(lang))));
    common.emplace("event_name", event.name);
    common.emplace("version", pages.version_);
    common.emplace("script_strings", script_strings(*strings, lang));

    pages.ballot_[li] = ballot->bind(common);
    std::vector<std::string> unknown;
    for (const auto& name : pages.ballot_[li].names()) {
      if (!kBallotHoles.contains(name)) unknown.push_back(name);
    }
    if (!unknown.empty()) return invalid("ballot.html uses unknown " + web::holes_text(unknown));
    if (const auto missing = not_found->missing(common); !missing.empty()) {
      return invalid("not_found.html uses unknown " + web::holes_text(missing));
    }
    pages.not_found_[li] = not_found->render(common);

    auto text = [&](std::string_view key) { return html_escape(strings->get(lang, key)); };
    auto& t = pages.texts_[li];
    t.remaining = text("ballot.remaining");
    if (t.remaining.find("{n}") == std::string::npos || t.remaining.find("{total}") == std::string::npos) {
      return invalid("strings.json \"" + std::string(web::lang_code(lang)) +
                     "\".\"ballot.remaining\" must hold {n} and {total}");
    }
    t.vote = text("button.vote");
    t.voted = text("button.voted");
    t.demo = text("item.demo");
    t.closed = text("notice.closed");
    t.not_event_day = text("notice.not_event_day");
    t.quota_used = text("notice.quota_used");
    t.empty_title = text("empty.title");
    t.empty_text = text("empty.text");
  }

  // Regions in event order; a region id the event does not list (only possible in an Event built by
  // hand) gets a group of its own after them, headed by its id.
  std::map<std::string, std::size_t, std::less<>> region_pos;
  for (const auto& region : event.regions) {
    if (region_pos.emplace(region.id, pages.region_headings_.size()).second) {
      pages.region_headings_.push_back(html_escape(region.name));
    }
  }
  for (std::size_t i = 0; i < event.innovations.size(); ++i) {
    const auto& innovation = event.innovations[i];
    std::string region_id = innovation.region_id;
    if (region_id.empty()) {
      if (const auto* booth = event.find_booth(innovation.booth_id)) region_id = booth->region_id;
    }
    auto [at, added] = region_pos.emplace(region_id, pages.region_headings_.size());
    if (added) pages.region_headings_.push_back(html_escape(region_id.empty() ? "-" : region_id));
    pages.items_by_booth_[innovation.booth_id].push_back(pages.items_.size());
    pages.items_.push_back(Item{.region_pos = at->second,
                                .event_pos = i,
                                .id = innovation.id,
                                .id_html = html_escape(innovation.id),
                                .name_html = html_escape(innovation.name),
                                .description_html = html_escape(innovation.description),
                                .demo = innovation.demo});
  }
  return pages;
}

std::string Pages::items_html(const Ballot& ballot, const Texts& texts) const {
  std::vector<std::size_t> shown;
  for (const auto& booth : ballot.booths_visited) {
    const auto it = items_by_booth_.find(booth);
    if (it != items_by_booth_.end()) shown.insert(shown.end(), it->second.begin(), it->second.end());
  }
  if (shown.empty()) {
    return "<section class=\"empty\" id=\"empty\"><h2>" + texts.empty_title + "</h2><p>" + texts.empty_text +
           "</p></section>";
  }
  std::sort(shown.begin(), shown.end(), [this](std::size_t a, std::size_t b) {
    return std::tie(items_[a].region_pos, items_[a].event_pos) < std::tie(items_[b].region_pos, items_[b].event_pos);
  });

  const bool can_vote = ballot.open && ballot.remaining_today > 0;
  std::string out;
  out.reserve(shown.size() * 400);
  std::size_t region = std::numeric_limits<std::size_t>::max();  // none yet
  for (const auto i : shown) {
    const auto& item = items_[i];
    if (item.region_pos != region) {
      if (!out.empty()) out += "</ul></section>\n";
      region = item.region_pos;
      const auto rid = "region-" + std::to_string(region);
      out += "<section class=\"region\" aria-labelledby=\"" + rid + "\"><h2 id=\"" + rid + "\">" +
             region_headings_[region] + "</h2><ul class=\"items\">";
    }
    const bool voted = ballot.innovations_voted.contains(item.id);
    const auto name_id = "name-" + std::to_string(item.event_pos);
    out += "\n<li class=\"item\" data-innovation-id=\"" + item.id_html + "\" data-voted=\"" +
           (voted ? "true" : "false") + "\"><div class=\"what\"><p class=\"name\" id=\"" + name_id + "\">" +
           item.name_html + "</p>";
    if (item.demo || !item.description_html.empty()) {
      out += "<p class=\"desc\">";
      if (item.demo) out += "<span class=\"demo\">" + texts.demo + "</span>" + (item.description_html.empty() ? "" : " · ");
      out += item.description_html + "</p>";
    }
    out += "</div><button type=\"button\" class=\"vote\" aria-describedby=\"" + name_id + "\"";
    out += (voted || !can_vote) ? " disabled>" : ">";
    out += (voted ? texts.voted : texts.vote) + "</button></li>";
  }
  out += "</ul></section>";
  return out;
}

std::string Pages::notice_html(const Ballot& ballot, const Texts& texts) const {
  auto notice = [](std::string_view kind, const std::string& text) {
    return "<p class=\"notice\" id=\"notice\" data-notice=\"" + std::string(kind) + "\">" + text + "</p>";
  };
  if (!ballot.day) return notice("not_event_day", texts.not_event_day);
  if (!ballot.open) return notice("closed", texts.closed);
  if (ballot.remaining_today <= 0) return notice("quota_used", texts.quota_used);
  return {};
}

std::string Pages::ballot_page(const Ballot& ballot, Lang lang) const {
  const auto& texts = texts_[index(lang)];
  std::string remaining = texts.remaining;
  replace_all(remaining, "{n}", "<strong id=\"remaining\">" + std::to_string(std::max(0, ballot.remaining_today)) + "</strong>");
  replace_all(remaining, "{total}", std::to_string(std::max(0, ballot.votes_per_day)));
  const Values v{
      {"token", ballot.badge_token},
      {"open", ballot.open ? "true" : "false"},
      {"toggle_href", token_href(ballot.badge_token, other(lang))},
      {"self_href", token_href(ballot.badge_token, lang)},
      {"remaining", std::move(remaining)},
      {"notice", notice_html(ballot, texts)},
      {"items", items_html(ballot, texts)},
  };
  return ballot_[index(lang)].render(v);
}

const std::string& Pages::not_found_page(Lang lang) const { return not_found_[index(lang)]; }

}  // namespace expo::voting

#include "pages/pages.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <set>
#include <utility>
#include <vector>

#include "expo/event_model/event.hpp"
#include "expo/web/html.hpp"
#include "expo/web/qr.hpp"

namespace expo::registration {
namespace {

using web::Lang;
using web::Strings;
using web::Template;
using web::Values;

constexpr std::array<Lang, 2> kLangs{Lang::id, Lang::en};
constexpr std::array<std::string_view, 5> kVisitorTypes{"public", "civil_servant", "student", "media", "guest"};

// The names a badge request fills; anything else a badge template uses must be bound at load.
const std::set<std::string, std::less<>> kBadgeHoles{
    "visitor_id", "name", "code", "code_first", "code_second", "code_spoken", "visitor_type_label",
    "visitor_type_key", "qr", "vote_url", "toggle_href"};

Error invalid(std::string message) { return Error::permanent("pages_invalid", std::move(message)); }

std::size_t index(Lang lang) { return lang == Lang::en ? 1 : 0; }
Lang other(Lang lang) { return lang == Lang::en ? Lang::id : Lang::en; }

// "23–25 November 2023", "30 November – 2 Desember 2023", or one day alone; month names from strings.
std::string event_dates(const model::Event& event, const Strings& strings, Lang lang) {
  if (event.days.empty()) return {};
  auto month = [&](std::chrono::year_month_day d) {
    return strings.get(lang, "month." + std::to_string(static_cast<unsigned>(d.month())));
  };
  auto day = [](std::chrono::year_month_day d) { return std::to_string(static_cast<unsigned>(d.day())); };
  auto year = [](std::chrono::year_month_day d) { return std::to_string(static_cast<int>(d.year())); };
  const auto first = event.days.front(), last = event.days.back();
  if (first == last) return day(first) + " " + month(first) + " " + year(first);
  if (first.year() != last.year()) {
    return day(first) + " " + month(first) + " " + year(first) + " – " + day(last) + " " + month(last) + " " +
           year(last);
  }
  if (first.month() != last.month()) {
    return day(first) + " " + month(first) + " – " + day(last) + " " + month(last) + " " + year(last);
  }
  return day(first) + "–" + day(last) + " " + month(first) + " " + year(first);
}

// Strings may use {{event_name}}, {{event_place}} and {{event_dates}}; they are filled here once, so
// the page and its script show the same final text. The result gains the computed key event.dates.
Result<Strings> render_strings(const Strings& raw, const model::Event& event) {
  Strings::Table tables[2];
  for (const auto lang : kLangs) {
    const auto dates = event_dates(event, raw, lang);
    const Values values{{"event_name", event.name}, {"event_place", event.place}, {"event_dates", dates}};
    auto& table = tables[index(lang)];
    for (const auto& [key, text] : raw.table(lang)) {
      auto tpl = Template::parse(text);
      if (!tpl) return invalid("strings.json \"" + std::string(web::lang_code(lang)) + "\".\"" + key + "\": " +
                               tpl.error().message);
      if (const auto missing = tpl->missing(values); !missing.empty()) {
        return invalid("strings.json \"" + std::string(web::lang_code(lang)) + "\".\"" + key + "\" uses unknown " +
                       web::holes_text(missing) + " (known: {{event_name}}, {{event_place}}, {{event_dates}})");
      }
      // Plain text here: the page template escapes it where it is placed.
      table.emplace(key, tpl->render_text(values));
    }
    table.emplace("event.dates", dates);
  }
  auto strings = Strings::from_tables(std::move(tables[0]), std::move(tables[1]));
  if (!strings) return invalid("strings.json: " + strings.error().message);
  return strings;
}

Result<Template> load_template(const std::filesystem::path& web_dir, const std::string& name,
                               const Strings& strings) {
  auto text = web::read_page_file(web_dir / "templates" / name);
  if (!text) return text.error();
  if (auto keys = web::check_i18n_keys(name, *text, strings); !keys) return invalid(keys.error().message);
  auto tpl = Template::parse(*text);
  if (!tpl) return invalid(name + ": " + tpl.error().message);
  return tpl;
}

// The values every page shares in one language: all strings as t.<key>, both languages for the
// script, the event and the language switch.
Values common_values(const Strings& strings, const std::string& script_json, const model::Event& event, Lang lang) {
  Values v;
  for (const auto& [key, text] : strings.table(lang)) v.emplace("t." + key, text);
  v.emplace("strings_json", script_json);
  v.emplace("lang", std::string(web::lang_code(lang)));
  v.emplace("other_lang", std::string(web::lang_code(other(lang))));
  v.emplace("event_name", event.name);
  v.emplace("event_place", event.place);
  return v;
}

// The 38 regions grouped by kind in the order the event lists them, then "other". Built here, escaped
// here, and passed raw: the template language has no loops on purpose.
std::string region_options(const model::Event& event, const Strings& strings, Lang lang) {
  using web::html_escape;
  std::string out = R"(<option value="" data-i18n="field.origin_region.placeholder">)" +
                    html_escape(strings.get(lang, "field.origin_region.placeholder")) + "</option>";
  std::vector<std::string> kinds;
  for (const auto& region : event.regions) {
    if (std::find(kinds.begin(), kinds.end(), region.kind) == kinds.end()) kinds.push_back(region.kind);
  }
  for (const auto& kind : kinds) {
    const std::string key = "region.group." + kind;
    if (const auto* label = strings.find(lang, key)) {
      out += R"(<optgroup label=")" + html_escape(*label) + R"(" data-i18n-attr="label:)" + html_escape(key) + "\">";
    } else {
      out += R"(<optgroup label=")" + html_escape(kind.empty() ? "-" : kind) + "\">";
    }
    for (const auto& region : event.regions) {
      if (region.kind != kind) continue;
      out += R"(<option value=")" + html_escape(region.id) + "\">" + html_escape(region.name) + "</option>";
    }
    out += "</optgroup>";
  }
  out += R"(<optgroup label=")" + html_escape(strings.get(lang, "region.group.other")) +
         R"(" data-i18n-attr="label:region.group.other"><option value="other" data-i18n="region.other">)" +
         html_escape(strings.get(lang, "region.other")) + "</option></optgroup>";
  return out;
}

std::string visitor_type_options(const Strings& strings, Lang lang) {
  std::string out;
  for (const auto type : kVisitorTypes) {
    const std::string key = "visitor_type." + std::string(type);
    const std::string id = "visitor_type-" + std::string(type);
    out += R"(<div class="choice"><input type="radio" name="visitor_type" id=")" + id + R"(" value=")" +
           std::string(type) + R"(" required><label for=")" + id + R"(" data-i18n=")" + key + "\">" +
           web::html_escape(strings.get(lang, key)) + "</label></div>";
  }
  return out;
}

// "ABCD2345" -> "A B C D, 2 3 4 5": screen readers read it character by character.
std::string spoken(std::string_view code) {
  std::string out;
  for (std::size_t i = 0; i < code.size(); ++i) {
    if (i > 0) out += (i == code.size() / 2 && code.size() == 8) ? ", " : " ";
    out += code[i];
  }
  return out;
}

}  // namespace

Result<Pages> Pages::load(const std::filesystem::path& web_dir, const model::Event& event) {
  auto raw = Strings::load(web_dir / "strings.json");
  if (!raw) return invalid(raw.error().message);
  for (const auto* key : {"field.origin_region.placeholder", "region.group.other", "region.other", "form.title",
                          "form.intro", "desk.title", "desk.intro", "badge.qr_missing"}) {
    if (raw->find(Lang::id, key) == nullptr) return invalid(std::string("strings.json lacks \"") + key + "\"");
  }
  for (int m = 1; m <= 12; ++m) {
    if (raw->find(Lang::id, "month." + std::to_string(m)) == nullptr) {
      return invalid("strings.json lacks \"month." + std::to_string(m) + "\"");
    }
  }
  for (const auto type : kVisitorTypes) {
    if (raw->find(Lang::id, "visitor_type." + std::string(type)) == nullptr) {
      return invalid("strings.json lacks \"visitor_type." + std::string(type) + "\"");
    }
  }
  auto strings = render_strings(*raw, event);
  if (!strings) return strings.error();
  const auto script_json = strings->script_json();

  auto registration = load_template(web_dir, "register.html", *strings);
  if (!registration) return registration.error();
  auto badge = load_template(web_dir, "badge.html", *strings);
  if (!badge) return badge.error();

  Pages pages;
  for (const auto lang : kLangs) {
    const auto common = common_values(*strings, script_json, event, lang);
    const auto li = index(lang);
    for (const bool desk : {false, true}) {
      Values v = common;
      const std::string mode = desk ? "desk" : "visitor";
      v.emplace("mode", mode);
      v.emplace("page_title_key", desk ? "page.desk_title" : "page.register_title");
      v.emplace("page_title", strings->get(lang, desk ? "page.desk_title" : "page.register_title"));
      v.emplace("title_key", desk ? "desk.title" : "form.title");
      v.emplace("title", strings->get(lang, desk ? "desk.title" : "form.title"));
      v.emplace("intro_key", desk ? "desk.intro" : "form.intro");
      v.emplace("intro", strings->get(lang, desk ? "desk.intro" : "form.intro"));
      v.emplace("toggle_href",
                "?lang=" + std::string(web::lang_code(other(lang))) + (desk ? "&mode=desk" : std::string()));
      v.emplace("visitor_type_options", visitor_type_options(*strings, lang));
      v.emplace("region_options", region_options(event, *strings, lang));
      if (const auto missing = registration->missing(v); !missing.empty()) {
        return invalid("register.html uses unknown " + web::holes_text(missing));
      }
      pages.registration_[li][desk ? 1 : 0] = registration->render(v);
    }
    pages.badge_[li] = badge->bind(common);
    std::vector<std::string> unknown;
    for (const auto& name : pages.badge_[li].names()) {
      if (!kBadgeHoles.contains(name)) unknown.push_back(name);
    }
    if (!unknown.empty()) return invalid("badge.html uses unknown " + web::holes_text(unknown));
    for (const auto type : kVisitorTypes) {
      pages.visitor_types_[li].emplace(std::string(type), strings->get(lang, "visitor_type." + std::string(type)));
    }
    pages.qr_missing_[li] = strings->get(lang, "badge.qr_missing");
  }
  return pages;
}

const std::string& Pages::registration_page(Lang lang, bool desk_mode) const {
  return registration_[index(lang)][desk_mode ? 1 : 0];
}

std::string Pages::badge_page(const BadgeView& badge, Lang lang) const {
  const auto li = index(lang);
  const auto& types = visitor_types_[li];
  const auto type = types.find(badge.visitor_type);
  const bool known_type = type != types.end();
  auto qr = web::qr_svg(badge.badge_token);
  const bool grouped = badge.code.size() == 8;
  Values v{
      {"visitor_id", badge.visitor_id},
      {"name", badge.name},
      {"code", badge.code},
      {"code_first", grouped ? badge.code.substr(0, 4) : badge.code},
      {"code_second", grouped ? badge.code.substr(4) : std::string()},
      {"code_spoken", spoken(badge.code)},
      {"visitor_type_label", known_type ? type->second : badge.visitor_type},
      {"visitor_type_key", known_type ? "visitor_type." + badge.visitor_type : std::string()},
      // Server-made markup, or the localised notice when the token cannot be a QR code.
      {"qr", qr ? std::move(*qr)
                : "<p class=\"qr-missing\">" + web::html_escape(qr_missing_[li]) + "</p>"},
      {"vote_url", badge.vote_url},
      {"toggle_href", "?token=" + web::url_encode(badge.badge_token) + "&lang=" +
                          std::string(web::lang_code(other(lang)))},
  };
  return badge_[li].render(v);
}

}  // namespace expo::registration

#include "pages/pages.hpp"

#include <algorithm>
#include <array>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <map>
#include <system_error>
#include <utility>
#include <vector>

#include "expo/web/assets.hpp"
#include "expo/event_model/event.hpp"
#include "expo/web/html.hpp"
#include "expo/web/template.hpp"

namespace expo::checkin {
namespace {

using web::Lang;
using web::Strings;
using web::Template;
using web::Values;

constexpr std::array<Lang, 2> kLangs{Lang::id, Lang::en};
constexpr std::string_view kDecoderBundle = "vendor/qr.js";

// Keys the C++ side reads directly (the templates' own t.* keys are checked through their names).
constexpr std::array<std::string_view, 3> kCodeKeys{"register.booth_placeholder", "booth.page_title",
                                                    "devices.page_title"};

Error invalid(std::string message) { return Error::permanent("pages_invalid", std::move(message)); }

std::size_t index(Lang lang) { return lang == Lang::en ? 1 : 0; }
Lang other(Lang lang) { return lang == Lang::en ? Lang::id : Lang::en; }

// Strings may use {{event_name}} and {{event_place}}; they are filled here once, so the page and its
// script show the same final text.
Result<Strings> render_strings(const Strings& raw, const model::Event& event) {
  const Values values{{"event_name", event.name}, {"event_place", event.place}};
  Strings::Table tables[2];
  for (const auto lang : kLangs) {
    for (const auto& [key, text] : raw.table(lang)) {
      const auto where = "strings.json \"" + std::string(web::lang_code(lang)) + "\".\"" + key + "\"";
      auto tpl = Template::parse(text);
      if (!tpl) return invalid(where + ": " + tpl.error().message);
      if (const auto missing = tpl->missing(values); !missing.empty()) {
        return invalid(where + " uses unknown " + web::holes_text(missing) + " (known: {{event_name}}, {{event_place}})");
      }
      // Plain text here: the page template escapes it where it is placed.
      tables[index(lang)].emplace(key, tpl->render_text(values));
    }
  }
  auto strings = Strings::from_tables(std::move(tables[0]), std::move(tables[1]));
  if (!strings) return invalid("strings.json: " + strings.error().message);
  return strings;
}

Result<std::string> render(const std::string& name, std::string_view text, const Strings& strings,
                           const Values& values) {
  if (auto keys = web::check_i18n_keys(name, text, strings); !keys) return invalid(keys.error().message);
  auto tpl = Template::parse(text);
  if (!tpl) return invalid(name + ": " + tpl.error().message);
  if (const auto missing = tpl->missing(values); !missing.empty()) {
    return invalid(name + " uses unknown " + web::holes_text(missing));
  }
  return tpl->render(values);
}

// The booth <select>: a placeholder, then the booths by name. Built and escaped here, passed raw.
std::string booth_options(const model::Event& event, const Strings& strings, Lang lang) {
  using web::html_escape;
  std::vector<const model::Booth*> booths;
  for (const auto& booth : event.booths) booths.push_back(&booth);
  std::stable_sort(booths.begin(), booths.end(), [](const auto* a, const auto* b) { return a->name < b->name; });
  std::string out = R"(<option value="" data-i18n="register.booth_placeholder">)" +
                    html_escape(strings.get(lang, "register.booth_placeholder")) + "</option>";
  for (const auto* booth : booths) {
    out += R"(<option value=")" + html_escape(booth->id) + "\">" + html_escape(booth->name) + "</option>";
  }
  return out;
}

std::string booths_json(const model::Event& event) {
  boost::json::object names;
  for (const auto& booth : event.booths) names[booth.id] = booth.name;
  return web::json_for_script(boost::json::serialize(names));
}

Values common_values(const Strings& strings, const std::string& script_json, const model::Event& event,
                     const std::string& version, Lang lang) {
  Values v;
  for (const auto& [key, text] : strings.table(lang)) v.emplace("t." + key, text);
  v.emplace("strings_json", script_json);
  v.emplace("lang", std::string(web::lang_code(lang)));
  v.emplace("other_lang", std::string(web::lang_code(other(lang))));
  v.emplace("toggle_href", "?lang=" + std::string(web::lang_code(other(lang))));
  v.emplace("event_name", event.name);
  v.emplace("version", version);
  v.emplace("utc_offset_minutes", std::to_string(event.utc_offset.count()));
  return v;
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
  const auto script_json = strings->script_json();

  std::map<std::string, std::string> templates;
  for (const char* name : {"booth.html", "devices.html", "sw.js"}) {
    auto text = web::read_page_file(web_dir / "templates" / name);
    if (!text) return text.error();
    templates.emplace(name, std::move(*text));
  }
  auto assets = web::read_asset_files(assets_dir(web_dir));
  if (!assets) return assets.error();
  if (!assets->contains(std::string(kDecoderBundle))) {
    return invalid("assets/" + std::string(kDecoderBundle) +
                   " is missing: it is build output of services/checkin/frontend (run deploy/deps.sh npm)");
  }

  Pages pages;
  pages.version_ = web::content_version(*raw_text, templates, *assets);
  pages.app_version_ = "booth-" + pages.version_;

  for (const auto lang : kLangs) {
    const auto li = index(lang);
    auto v = common_values(*strings, script_json, event, pages.version_, lang);
    v.emplace("app_version", pages.app_version_);
    auto booth = render("booth.html", templates.at("booth.html"), *strings, v);
    if (!booth) return booth.error();
    pages.booth_[li] = std::move(*booth);

    v.emplace("booth_options", booth_options(event, *strings, lang));
    v.emplace("booths_json", booths_json(event));
    auto devices = render("devices.html", templates.at("devices.html"), *strings, v);
    if (!devices) return devices.error();
    pages.devices_[li] = std::move(*devices);
  }

  // The service worker keeps the page and every asset, at the versioned URLs the page uses.
  boost::json::array shell;
  shell.emplace_back(std::string(kServiceWorkerScope));
  for (const auto& [name, content] : *assets) {
    shell.emplace_back(std::string(kAssetsPrefix) + name + "?v=" + pages.version_);
  }
  const Values sw_values{{"version", pages.version_}, {"precache_json", boost::json::serialize(shell)}};
  auto sw = render("sw.js", templates.at("sw.js"), *strings, sw_values);
  if (!sw) return sw.error();
  pages.service_worker_ = std::move(*sw);
  return pages;
}

const std::string& Pages::booth_page(Lang lang) const { return booth_[index(lang)]; }
const std::string& Pages::devices_page(Lang lang) const { return devices_[index(lang)]; }

}  // namespace expo::checkin

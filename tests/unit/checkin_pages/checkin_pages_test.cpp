// The check-in service's pages, rendered from a copy of the real files in services/checkin/web.
// The copy lets the tests run before deploy/deps.sh has built the decoder bundle (assets/vendor/qr.js,
// build output): a stand-in is written when the real one is absent, and one test breaks each rule.
#include "pages/pages.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <unistd.h>

#include "expo/event_model/event.hpp"
#include "scratch_web_dir.hpp"

namespace expo::checkin {
namespace {

namespace fs = std::filesystem;
using web::Lang;

using expo::testing::read_file;
using expo::testing::write_file;

const fs::path kWebDir = EXPO_CHECKIN_WEB_DIR;

// A fresh copy of web/ per test, with a stand-in decoder bundle when the real one is not built.
class WebDir : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(dir_ / "assets/vendor/qr.js")) write_file(dir_ / "assets/vendor/qr.js", "self.ExpoQr = {};\n");
  }

  Pages load(const model::Event& event = model::default_event()) {
    auto p = Pages::load(dir_, event);
    if (!p) throw std::runtime_error(p.error().message);
    return std::move(*p);
  }
  std::string load_error() { return expo::testing::load_error<Pages>(dir_); }
  expo::testing::ScratchWebDir scratch_{kWebDir};
  const fs::path& dir_ = scratch_.path();
};

boost::json::object strings_json(const fs::path& dir) {
  return boost::json::parse(read_file(dir / "strings.json")).as_object();
}

// The page without its embedded string tables (which hold both languages by design).
std::string visible(const std::string& html) {
  return std::regex_replace(html, std::regex(R"re(<script type="application/json"[^>]*>[^<]*</script>)re"), "");
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

using BoothPage = WebDir;
using DevicesPage = WebDir;
using ServiceWorker = WebDir;
using StringsFile = WebDir;
using BrokenWebDir = WebDir;

TEST_F(BoothPage, LoadsTheShippedFiles) {
  auto p = Pages::load(dir_, model::default_event());
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_TRUE(std::regex_match(p->version(), std::regex("[0-9a-f]{16}"))) << p->version();
  EXPECT_EQ(p->app_version(), "booth-" + p->version());
}

TEST_F(BoothPage, IndonesianByDefaultWithEnglishFromTheServerAlone) {
  const auto pages = load();
  const auto event = model::default_event();
  const auto& id = pages.booth_page(Lang::id);
  EXPECT_NE(id.find("<html lang=\"id\">"), std::string::npos);
  EXPECT_NE(visible(id).find("Arahkan kode QR lencana ke kamera"), std::string::npos);
  EXPECT_EQ(visible(id).find("Hold the badge"), std::string::npos);
  EXPECT_NE(id.find("href=\"?lang=en\""), std::string::npos);
  EXPECT_NE(id.find("<title data-i18n=\"booth.page_title\">Check-in Booth — " + event.name + "</title>"),
            std::string::npos);

  const auto& en = pages.booth_page(Lang::en);
  EXPECT_NE(en.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(visible(en).find("Hold the badge&#39;s QR code up to the camera"), std::string::npos) << visible(en);
  EXPECT_NE(en.find("href=\"?lang=id\""), std::string::npos);
  EXPECT_EQ(en.find("{{"), std::string::npos);
  EXPECT_EQ(id.find("{{"), std::string::npos);
}

TEST_F(BoothPage, CarriesTheVersionTheEventOffsetAndBothStringTables) {
  const auto pages = load();
  const auto& html = pages.booth_page(Lang::id);
  EXPECT_NE(html.find("data-app-version=\"" + pages.app_version() + "\""), std::string::npos);
  EXPECT_NE(html.find("data-utc-offset=\"420\""), std::string::npos);  // WIB
  // Every script and style is versioned, under /booth/assets/ (never /assets/, registration's prefix).
  const std::regex asset(R"re((?:src|href)="(/[^"]*\.(?:js|css|svg|webmanifest)[^"]*)")re");
  int assets = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), asset); it != std::sregex_iterator(); ++it) {
    const std::string url = (*it)[1];
    EXPECT_EQ(url.rfind("/booth/assets/", 0), 0u) << url;
    EXPECT_NE(url.find("?v=" + pages.version()), std::string::npos) << url;
    ++assets;
  }
  EXPECT_GE(assets, 7);
  const auto at = html.find("<script type=\"application/json\" id=\"i18n-strings\">");
  ASSERT_NE(at, std::string::npos);
  const auto begin = html.find('>', at) + 1;
  const auto tables = boost::json::parse(html.substr(begin, html.find("</script>", begin) - begin)).as_object();
  EXPECT_EQ(tables.at("id").as_object().at("status.offline").as_string(), "Offline, {n} menunggu");
  EXPECT_EQ(tables.at("en").as_object().at("status.offline").as_string(), "Offline, {n} waiting");
}

TEST_F(DevicesPage, ListsEveryBoothByNameAndEscapesTheEvent) {
  const auto pages = load();
  const auto event = model::default_event();
  const auto& html = pages.devices_page(Lang::id);
  EXPECT_NE(html.find("<html lang=\"id\">"), std::string::npos);
  EXPECT_EQ(count(html, "<option value=\""), event.booths.size() + 1);  // + the placeholder
  EXPECT_NE(html.find("<option value=\"3579\">Booth Kota Batu</option>"), std::string::npos);
  EXPECT_NE(html.find(">— Pilih booth —</option>"), std::string::npos);
  EXPECT_NE(pages.devices_page(Lang::en).find(">— Choose a booth —</option>"), std::string::npos);
  EXPECT_NE(html.find("\"3579\":\"Booth Kota Batu\""), std::string::npos);  // names for the list, by id
  EXPECT_NE(html.find("/booth/assets/vendor/qr.js?v=" + pages.version()), std::string::npos);

  model::Event other;
  other.id = "other-expo";
  other.name = "Expo <Kota> & \"Co\"";
  other.place = "Surabaya";
  other.utc_offset = std::chrono::minutes(480);
  other.days = {std::chrono::year_month_day{std::chrono::year{2024}, std::chrono::month{5}, std::chrono::day{9}}};
  other.regions = {{"R1", "Alpha", "kota"}};
  other.booths = {{"B2", "Zeta </script><b>", "R1"}, {"B1", "Alpha & Co", "R1"}};
  auto p = Pages::load(dir_, other);
  ASSERT_TRUE(p.ok()) << p.error().message;
  const auto& escaped = p->devices_page(Lang::en);
  EXPECT_EQ(escaped.find("Expo <Kota>"), std::string::npos);
  EXPECT_EQ(escaped.find("Zeta </script>"), std::string::npos);
  EXPECT_NE(escaped.find("<p class=\"event-name\">Expo &lt;Kota&gt; &amp; &quot;Co&quot;</p>"), std::string::npos);
  // Sorted by name for the select.
  const auto alpha = escaped.find("<option value=\"B1\">Alpha &amp; Co</option>");
  const auto zeta = escaped.find("<option value=\"B2\">Zeta &lt;/script&gt;&lt;b&gt;</option>");
  ASSERT_NE(alpha, std::string::npos);
  ASSERT_NE(zeta, std::string::npos);
  EXPECT_LT(alpha, zeta);
  EXPECT_NE(p->booth_page(Lang::id).find("data-utc-offset=\"480\""), std::string::npos);
}

TEST_F(ServiceWorker, KeepsThePageAndEveryAssetAtTheirVersionedUrls) {
  const auto pages = load();
  const auto& sw = pages.service_worker();
  EXPECT_NE(sw.find("const VERSION = '" + pages.version() + "';"), std::string::npos);
  const auto at = sw.find("const SHELL = ");
  ASSERT_NE(at, std::string::npos);
  const auto begin = at + std::string("const SHELL = ").size();
  const auto shell = boost::json::parse(sw.substr(begin, sw.find(";\n", begin) - begin)).as_array();
  std::set<std::string> urls;
  for (const auto& url : shell) urls.insert(std::string(url.as_string()));
  EXPECT_TRUE(urls.contains("/booth"));
  for (const auto* asset : {"booth.js", "booth.css", "i18n.js", "queue.js", "scanner.js", "qr-worker.js",
                            "vendor/qr.js", "icon.svg", "booth.webmanifest"}) {
    EXPECT_TRUE(urls.contains("/booth/assets/" + std::string(asset) + "?v=" + pages.version())) << asset;
  }
  // The page asks for exactly these URLs, so offline it finds them in the cache.
  const auto& html = pages.booth_page(Lang::en);
  for (const auto& url : urls) {
    if (url.find("booth.js") != std::string::npos || url.find("booth.css") != std::string::npos) {
      EXPECT_NE(html.find("\"" + url + "\""), std::string::npos) << url;
    }
  }
  EXPECT_EQ(sw.find("{{"), std::string::npos);
}

TEST_F(ServiceWorker, VersionFollowsTheFilesAndNothingElse) {
  const auto first = load();
  EXPECT_EQ(load().version(), first.version());
  EXPECT_EQ(load().service_worker(), first.service_worker());
  write_file(dir_ / "assets/booth.css", read_file(dir_ / "assets/booth.css") + "\n/* changed */\n");
  const auto changed = load();
  EXPECT_NE(changed.version(), first.version());
  EXPECT_NE(changed.service_worker(), first.service_worker());
  write_file(dir_ / "assets/extra/new.js", "// new\n");
  const auto added = load();
  EXPECT_NE(added.version(), changed.version());
  EXPECT_NE(added.service_worker().find("/booth/assets/extra/new.js?v=" + added.version()), std::string::npos);
}

// Every key the scripts name literally must exist: a missing one would show its key on a tablet.
TEST_F(StringsFile, EveryKeyTheScriptsNameExists) {
  const auto strings = strings_json(dir_);
  const auto& id = strings.at("id").as_object();
  const std::regex literal(
      R"re('((?:camera|setup|status|result|reason|notice|login|logout|register|provision|fleet|state|confirm|error|time|count|bar|scan)(?:\.[a-z_]+)*)')re");
  int checked = 0;
  for (const auto* file : {"booth.js", "devices.js", "scanner.js"}) {
    const auto js = read_file(dir_ / "assets" / file);
    for (auto it = std::sregex_iterator(js.begin(), js.end(), literal); it != std::sregex_iterator(); ++it) {
      const std::string key = (*it)[1];
      if (key.find('.') == std::string::npos) continue;  // a plain word ('error', 'state'), not a key
      EXPECT_TRUE(id.contains(key)) << file << " uses '" << key << "'";
      ++checked;
    }
  }
  EXPECT_GE(checked, 40);
}

// The tablet explains every error code the check-in API gives, and names every device state.
TEST_F(StringsFile, EveryErrorCodeAndStateHasAPlainReasonInBothLanguages) {
  const auto strings = strings_json(dir_);
  for (const auto* lang : {"id", "en"}) {
    const auto& table = strings.at(lang).as_object();
    for (const auto* code : {"unknown_device", "device_revoked", "wrong_booth", "unknown_visitor", "invalid_badge",
                             "outside_event_days", "scan_in_future", "invalid_request", "other", "bad_code", "not_badge"}) {
      EXPECT_TRUE(table.contains("reason." + std::string(code))) << lang << " " << code;
    }
    for (const auto* state : {"online", "offline", "revoked", "never"}) {
      EXPECT_TRUE(table.contains("state." + std::string(state))) << lang << " " << state;
    }
    EXPECT_NE(std::string(table.at("status.offline").as_string()).find("{n}"), std::string::npos);
    EXPECT_NE(std::string(table.at("result.already_at").as_string()).find("{time}"), std::string::npos);
  }
}

TEST_F(BrokenWebDir, MissingDecoderBundleNamesTheBuildStep) {
  fs::remove(dir_ / "assets/vendor/qr.js");
  const auto error = load_error();
  EXPECT_NE(error.find("pages_invalid"), std::string::npos) << error;
  EXPECT_NE(error.find("vendor/qr.js"), std::string::npos) << error;
  EXPECT_NE(error.find("deploy/deps.sh"), std::string::npos) << error;
}

TEST_F(BrokenWebDir, UnknownTemplateNameFailsAtLoad) {
  write_file(dir_ / "templates/booth.html", read_file(dir_ / "templates/booth.html") + "{{t.no.such.key}}");
  EXPECT_NE(load_error().find("booth.html uses unknown {{t.no.such.key}}"), std::string::npos) << load_error();
  write_file(dir_ / "templates/booth.html", read_file(kWebDir / "templates/booth.html"));
  write_file(dir_ / "templates/sw.js", read_file(dir_ / "templates/sw.js") + "{{device_key}}");
  EXPECT_NE(load_error().find("sw.js uses unknown {{device_key}}"), std::string::npos) << load_error();
}

TEST_F(BrokenWebDir, UnknownI18nKeyFailsAtLoad) {
  write_file(dir_ / "templates/devices.html",
        read_file(dir_ / "templates/devices.html") + "<p data-i18n-attr=\"title:nope.key\">x</p>");
  EXPECT_NE(load_error().find("devices.html: data-i18n key \"nope.key\""), std::string::npos) << load_error();
}

TEST_F(BrokenWebDir, MissingTranslationFailsAtLoad) {
  auto text = read_file(dir_ / "strings.json");
  const auto at = text.find("\"Offline, {n} waiting\"");
  ASSERT_NE(at, std::string::npos);
  const std::string key = "\"status.offline\"";
  text.replace(text.rfind(key, at), key.size(), "\"status.offlin\"");
  write_file(dir_ / "strings.json", text);
  EXPECT_NE(load_error().find("status.offline"), std::string::npos) << load_error();
}

TEST_F(BrokenWebDir, UnknownStringPlaceholderFailsAtLoad) {
  auto text = read_file(dir_ / "strings.json");
  const std::string from = "\"Check-in Booth — {{event_name}}\"";
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, from.size(), "\"Check-in Booth — {{event_city}}\"");
  write_file(dir_ / "strings.json", text);
  EXPECT_NE(load_error().find("uses unknown {{event_city}}"), std::string::npos) << load_error();
}

TEST_F(BrokenWebDir, AssetPathThatNeedsEscapingFailsAtLoad) {
  write_file(dir_ / "assets/my file.js", "// x\n");
  EXPECT_NE(load_error().find("asset path \"my file.js\""), std::string::npos) << load_error();
}

TEST_F(BrokenWebDir, MissingFolderOrTemplateFailsAtLoad) {
  fs::remove(dir_ / "templates/devices.html");
  EXPECT_NE(load_error().find("devices.html"), std::string::npos) << load_error();
  auto p = Pages::load(dir_ / "nowhere", model::default_event());
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, "pages_invalid");
}

}  // namespace
}  // namespace expo::checkin

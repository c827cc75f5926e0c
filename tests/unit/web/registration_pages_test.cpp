#include "pages/pages.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "expo/event_model/event.hpp"
#include "scratch_web_dir.hpp"

namespace expo::registration {
namespace {

namespace fs = std::filesystem;
using web::Lang;

using expo::testing::read_file;
using expo::testing::write_file;

const fs::path kWebDir = EXPO_REGISTRATION_WEB_DIR;

const Pages& pages() {
  static const Pages loaded = [] {
    auto p = Pages::load(kWebDir, model::default_event());
    if (!p) throw std::runtime_error(p.error().message);
    return std::move(*p);
  }();
  return loaded;
}

// The page without its embedded string tables (which hold both languages by design).
std::string visible(const std::string& html) {
  return std::regex_replace(html, std::regex(R"re(<script type="application/json"[^>]*>[^<]*</script>)re"), "");
}

std::string strip_tags(const std::string& html) {
  return std::regex_replace(std::regex_replace(html, std::regex("<[^>]*>"), ""), std::regex(R"(\s+)"), " ");
}

// The text of every element of the given tag, in order.
std::vector<std::string> texts_of(const std::string& html, const std::string& tag) {
  std::vector<std::string> out;
  const std::regex re("<" + tag + R"re((?:\s[^>]*)?>([\s\S]*?)</)re" + tag + ">");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), re); it != std::sregex_iterator(); ++it) {
    out.push_back(strip_tags((*it)[1]));
  }
  return out;
}

BadgeView sample_badge() {
  return BadgeView{"v_7f3a9c", "ABCD2345", "<script>alert('x')</script> Siti & Budi", "civil_servant",
                   "v1.k1.dGhpcyBpcyBhIHRva2Vu-_x", "http://127.0.0.1:8083/vote?token=v1.k1.dGhp&x=1"};
}

TEST(RegistrationPage, LoadsTheShippedFiles) {
  auto p = Pages::load(kWebDir, model::default_event());
  ASSERT_TRUE(p.ok()) << p.error().message;
}

TEST(RegistrationPage, IndonesianByDefaultWithEveryRegion) {
  const auto& html = pages().registration_page(Lang::id, false);
  EXPECT_NE(html.find("<html lang=\"id\">"), std::string::npos);
  const auto shown = visible(html);
  EXPECT_NE(shown.find("Nama lengkap"), std::string::npos);
  EXPECT_NE(shown.find("Undang-Undang Nomor 27 Tahun 2022"), std::string::npos);
  EXPECT_EQ(shown.find("Full name"), std::string::npos);
  EXPECT_NE(shown.find("href=\"?lang=en\""), std::string::npos);  // the toggle works without JavaScript
  const auto event = model::default_event();
  ASSERT_EQ(event.regions.size(), 38U);
  for (const auto& region : event.regions) {
    EXPECT_NE(shown.find("<option value=\"" + region.id + "\">" + region.name + "</option>"), std::string::npos)
        << region.id;
  }
  EXPECT_NE(shown.find("<option value=\"other\""), std::string::npos);
  EXPECT_NE(shown.find("<optgroup label=\"Kabupaten\""), std::string::npos);
  EXPECT_NE(shown.find("<optgroup label=\"Kota\""), std::string::npos);
  // The consent text names the organiser through the event.
  EXPECT_NE(shown.find("panitia " + event.name), std::string::npos);
}

TEST(RegistrationPage, EnglishVariant) {
  const auto shown = visible(pages().registration_page(Lang::en, false));
  EXPECT_NE(shown.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(shown.find("Full name"), std::string::npos);
  EXPECT_NE(shown.find("Personal Data Protection Law"), std::string::npos);
  EXPECT_EQ(shown.find("Nama lengkap"), std::string::npos);
  EXPECT_NE(shown.find("href=\"?lang=id\""), std::string::npos);
  for (const auto& region : model::default_event().regions) {
    EXPECT_NE(shown.find(">" + region.name + "</option>"), std::string::npos) << region.id;
  }
}

TEST(RegistrationPage, EveryLabelLegendButtonAndHintDiffersBetweenLanguages) {
  const auto id = visible(pages().registration_page(Lang::id, false));
  const auto en = visible(pages().registration_page(Lang::en, false));
  for (const std::string tag : {"label", "legend", "button"}) {
    const auto a = texts_of(id, tag), b = texts_of(en, tag);
    ASSERT_EQ(a.size(), b.size()) << tag;
    ASSERT_FALSE(a.empty()) << tag;
    for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NE(a[i], b[i]) << tag << " " << i << ": " << a[i];
  }
  const std::regex hint(R"re(<p id="[a-z_]+-hint" class="hint"[^>]*>([^<]*)</p>)re");
  std::vector<std::string> ha, hb;
  for (auto it = std::sregex_iterator(id.begin(), id.end(), hint); it != std::sregex_iterator(); ++it) ha.push_back((*it)[1]);
  for (auto it = std::sregex_iterator(en.begin(), en.end(), hint); it != std::sregex_iterator(); ++it) hb.push_back((*it)[1]);
  ASSERT_EQ(ha.size(), 4U);
  ASSERT_EQ(ha.size(), hb.size());
  for (std::size_t i = 0; i < ha.size(); ++i) EXPECT_NE(ha[i], hb[i]) << ha[i];
}

TEST(RegistrationPage, FieldsAreLabelledAndDescribed) {
  const auto html = pages().registration_page(Lang::id, false);
  for (const std::string field : {"name", "phone", "email", "origin_region", "consent"}) {
    EXPECT_NE(html.find("<label for=\"" + field + "\""), std::string::npos) << field;
    EXPECT_NE(html.find("id=\"" + field + "-error\""), std::string::npos) << field;
    EXPECT_TRUE(std::regex_search(html, std::regex("id=\"" + field + "\"[^>]*aria-describedby=\"[^\"]*" + field +
                                                   "-error")))
        << field;
  }
  for (const std::string type : {"public", "civil_servant", "student", "media", "guest"}) {
    EXPECT_NE(html.find("<label for=\"visitor_type-" + type + "\""), std::string::npos) << type;
  }
  EXPECT_NE(html.find("<legend>"), std::string::npos);
}

TEST(RegistrationPage, EmbeddedStringsParseAndMatchTheVisibleText) {
  const auto html = pages().registration_page(Lang::en, false);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(html, m, std::regex(R"re(<script type="application/json" id="i18n-strings">([^<]*)</script>)re")));
  const auto tables = boost::json::parse(m[1].str());
  EXPECT_EQ(tables.at("en").at("field.name.label").as_string(), "Full name");
  EXPECT_EQ(tables.at("id").at("field.name.label").as_string(), "Nama lengkap");
  EXPECT_EQ(tables.at("id").as_object().size(), tables.at("en").as_object().size());
  EXPECT_EQ(tables.at("en").at("event.dates").as_string(), "23–25 November 2023");
  // {{event_name}} was filled at load.
  EXPECT_EQ(std::string(tables.at("id").at("consent.intro").as_string()).find("{{"), std::string::npos);
}

TEST(RegistrationPage, DeskModeKeepsItsModeAcrossTheLanguageSwitch) {
  const auto desk = visible(pages().registration_page(Lang::id, true));
  EXPECT_NE(desk.find("data-mode=\"desk\""), std::string::npos);
  EXPECT_NE(desk.find("Meja pendaftaran"), std::string::npos);
  EXPECT_NE(desk.find("href=\"?lang=en&amp;mode=desk\""), std::string::npos);
  EXPECT_NE(visible(pages().registration_page(Lang::id, false)).find("data-mode=\"visitor\""), std::string::npos);
}

TEST(BadgePage, EscapesTheNameAndShowsTheBadge) {
  const auto html = pages().badge_page(sample_badge(), Lang::id);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Siti &amp; Budi"), std::string::npos);
  EXPECT_NE(html.find("<html lang=\"id\">"), std::string::npos);
  EXPECT_NE(html.find("<svg xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  EXPECT_NE(html.find("<span>ABCD</span><span>2345</span>"), std::string::npos);
  EXPECT_NE(html.find("A B C D, 2 3 4 5"), std::string::npos);
  EXPECT_NE(html.find(">ASN (aparatur sipil negara)<"), std::string::npos);
  EXPECT_NE(html.find(model::default_event().name), std::string::npos);
  EXPECT_NE(html.find("href=\"http://127.0.0.1:8083/vote?token=v1.k1.dGhp&amp;x=1\""), std::string::npos);
  EXPECT_NE(html.find("href=\"?token=v1.k1.dGhpcyBpcyBhIHRva2Vu-_x&amp;lang=en\""), std::string::npos);
  EXPECT_NE(html.find("/assets/badge.css"), std::string::npos);
  EXPECT_NE(html.find("name=\"referrer\" content=\"no-referrer\""), std::string::npos);
}

TEST(BadgePage, EnglishAndTheSameQrForTheSameToken) {
  const auto id = pages().badge_page(sample_badge(), Lang::id);
  const auto en = pages().badge_page(sample_badge(), Lang::en);
  EXPECT_NE(en.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(visible(en).find(">Civil servant<"), std::string::npos);
  EXPECT_NE(visible(en).find(">Save image<"), std::string::npos);
  EXPECT_EQ(visible(en).find("Simpan gambar"), std::string::npos);
  const auto svg = [](const std::string& html) {
    const auto at = html.find("<svg");
    return html.substr(at, html.find("</svg>", at) - at);
  };
  EXPECT_EQ(svg(id), svg(en));
  auto other = sample_badge();
  other.badge_token += "Z";
  EXPECT_NE(svg(pages().badge_page(other, Lang::id)), svg(id));
}

TEST(BadgePage, DegradesWithoutAQrAndWithAnUnknownType) {
  auto badge = sample_badge();
  badge.badge_token = std::string(4000, 'x');
  badge.visitor_type = "<b>vip</b>";
  const auto html = pages().badge_page(badge, Lang::id);
  EXPECT_EQ(html.find("<svg xmlns"), std::string::npos);
  EXPECT_NE(html.find("Kode QR tidak tersedia"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;vip&lt;/b&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<b>vip"), std::string::npos);
}

TEST(RegistrationPage, AnyEventConfigIsEscapedAndGrouped) {
  model::Event event;
  event.id = "other-expo";
  event.name = "Expo <Kota> & \"Co\"";
  event.place = "Surabaya";
  event.days = {std::chrono::year_month_day{std::chrono::year{2024}, std::chrono::month{5}, std::chrono::day{9}}};
  event.regions = {{"R1", "Alpha <1>", "district"}, {"K1", "Kota Beta", "kota"}};
  auto p = Pages::load(kWebDir, event);
  ASSERT_TRUE(p.ok()) << p.error().message;
  const auto id = p->registration_page(Lang::id, false);
  EXPECT_EQ(id.find("Expo <Kota>"), std::string::npos);
  EXPECT_NE(id.find("<p class=\"event-name\">Expo &lt;Kota&gt; &amp; &quot;Co&quot;</p>"), std::string::npos);
  EXPECT_NE(id.find("panitia Expo &lt;Kota&gt; &amp; &quot;Co&quot;"), std::string::npos);
  EXPECT_NE(id.find("<optgroup label=\"district\"><option value=\"R1\">Alpha &lt;1&gt;</option></optgroup>"),
            std::string::npos);
  EXPECT_NE(id.find("<optgroup label=\"Kota\" data-i18n-attr=\"label:region.group.kota\">"), std::string::npos);
  EXPECT_NE(id.find(">9 Mei 2024<"), std::string::npos);
  EXPECT_NE(p->registration_page(Lang::en, false).find(">9 May 2024<"), std::string::npos);
}

// Copies of the shipped files that tests break one way each.
class BrokenWebDir : public ::testing::Test {
 protected:
  std::string load_error() { return expo::testing::load_error<Pages>(dir_); }
  expo::testing::ScratchWebDir scratch_{kWebDir};
  const fs::path& dir_ = scratch_.path();
};

TEST_F(BrokenWebDir, UnknownTemplateNameFailsAtLoad) {
  write_file(dir_ / "templates" / "register.html", read_file(dir_ / "templates" / "register.html") + "{{t.no.such.key}}");
  EXPECT_NE(load_error().find("register.html uses unknown {{t.no.such.key}}"), std::string::npos) << load_error();
}

TEST_F(BrokenWebDir, UnknownBadgeHoleFailsAtLoad) {
  write_file(dir_ / "templates" / "badge.html", read_file(dir_ / "templates" / "badge.html") + "{{phone}}");
  EXPECT_NE(load_error().find("badge.html uses unknown {{phone}}"), std::string::npos) << load_error();
}

TEST_F(BrokenWebDir, UnknownI18nKeyFailsAtLoad) {
  write_file(dir_ / "templates" / "register.html",
        read_file(dir_ / "templates" / "register.html") + "<p data-i18n=\"nope.key\">x</p>");
  EXPECT_NE(load_error().find("\"nope.key\""), std::string::npos) << load_error();
}

TEST_F(BrokenWebDir, MissingTranslationFailsAtLoad) {
  auto text = read_file(dir_ / "strings.json");
  const auto at = text.find("\"Full name\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(text.rfind("\"field.name.label\"", at), std::string("\"field.name.label\"").size(), "\"field.name.lbl\"");
  write_file(dir_ / "strings.json", text);
  EXPECT_NE(load_error().find("pages_invalid"), std::string::npos) << load_error();
  EXPECT_NE(load_error().find("field.name."), std::string::npos) << load_error();
}

TEST_F(BrokenWebDir, MissingFileFailsAtLoad) {
  fs::remove(dir_ / "templates" / "badge.html");
  EXPECT_NE(load_error().find("badge.html"), std::string::npos) << load_error();
}

// The scripts look strings up by key: every literal key they use must exist.
TEST(Scripts, UseOnlyKnownStringKeys) {
  const auto strings = read_file(kWebDir / "strings.json");
  const auto tables = boost::json::parse(strings);
  std::set<std::string> keys;
  for (const auto& [k, v] : tables.at("id").as_object()) keys.insert(std::string(k));
  keys.insert("event.dates");
  std::size_t seen = 0;
  for (const std::string file : {"register.js", "badge.js"}) {
    const auto js = read_file(kWebDir / "assets" / file);
    ASSERT_FALSE(js.empty()) << file;
    const std::regex literal(R"re(\bt\(\s*'([a-z_.]+)')re");
    for (auto it = std::sregex_iterator(js.begin(), js.end(), literal); it != std::sregex_iterator(); ++it, ++seen) {
      EXPECT_TRUE(keys.contains((*it)[1])) << file << ": " << (*it)[1];
    }
    const std::regex quoted(R"re('((?:error|form|desk|badge)\.[a-z_.]+)')re");
    for (auto it = std::sregex_iterator(js.begin(), js.end(), quoted); it != std::sregex_iterator(); ++it, ++seen) {
      EXPECT_TRUE(keys.contains((*it)[1])) << file << ": " << (*it)[1];
    }
  }
  EXPECT_GT(seen, 10U);
  for (const std::string field : {"name", "phone", "email", "visitor_type", "origin_region", "consent"}) {
    EXPECT_TRUE(keys.contains("error.field." + field)) << field;
  }
  for (const std::string code : {"already_registered", "rate_limited"}) {
    EXPECT_TRUE(keys.contains("error.code." + code)) << code;
  }
}

}  // namespace
}  // namespace expo::registration

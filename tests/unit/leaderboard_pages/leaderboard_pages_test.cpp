// The leaderboard's pages, rendered from a copy of the real files in services/leaderboard/web with
// boards the domain built. The copy lets the tests run before deploy/deps.sh has built the charts
// bundle (assets/vendor/charts.js, build output): a stand-in is written when the real one is absent,
// and one test breaks each rule.
#include "pages/pages.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "domain/boards.hpp"
#include "expo/event_model/event.hpp"
#include "scratch_web_dir.hpp"

namespace expo::leaderboard {
namespace {

namespace fs = std::filesystem;
using web::Lang;

using expo::testing::read_file;
using expo::testing::write_file;

const fs::path kWebDir = EXPO_LEADERBOARD_WEB_DIR;
const std::string kNarrowSpace = "\xE2\x80\xAF";

class WebDir : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(dir_ / "assets/vendor/charts.js")) {
      write_file(dir_ / "assets/vendor/charts.js", "self.ExpoCharts = {};\n");
    }
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

// The three whole-event boards of an event from counts, as the service builds them.
struct Boards {
  std::vector<InnovationRow> innovations;
  std::vector<RegionRow> regions;
  std::vector<BoothRow> booths;

  Boards(const model::Event& event, const CountMap& votes, const CountMap& checkins, const CountMap& unique)
      : innovations(innovation_board(event, votes)),
        regions(region_board(event, votes)),
        booths(booth_board(event, checkins, unique)) {}

  ScreenState state(Display display = Display::full) const {
    ScreenState s;
    s.innovations = innovations;
    s.regions = regions;
    s.booths = booths;
    s.display = display;
    s.updated_at = "2023-11-24T14:05:09+07:00";
    s.day = "2023-11-24";
    s.version = 42;
    return s;
  }
};

// The innovations of the default event get votes 9, 7, 7, 3 (the README's example), Kota Batu's
// booth is the busiest.
Boards sample_boards() {
  const auto event = model::default_event();
  CountMap votes{{event.innovations[0].id, 98765}, {event.innovations[5].id, 7}, {event.innovations[6].id, 7},
                 {event.innovations[9].id, 3}};
  CountMap checkins{{"3579", 12345}, {"3501", 40}};
  CountMap unique{{"3579", 11111}, {"3501", 38}};
  return Boards(event, votes, checkins, unique);
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The markup between <tbody id="rows-<board>"> and its </tbody>.
std::string tbody(const std::string& html, const std::string& board) {
  const auto open = "<tbody id=\"rows-" + board + "\">";
  const auto at = html.find(open);
  if (at == std::string::npos) return {};
  const auto begin = at + open.size();
  return html.substr(begin, html.find("</tbody>", begin) - begin);
}

std::string section(const std::string& html, const std::string& board) {
  const auto at = html.find("<section class=\"board\" id=\"board-" + board + "\"");
  if (at == std::string::npos) return {};
  return html.substr(at, html.find("</section>", at) - at);
}

boost::json::object script_json(const std::string& html, const std::string& id) {
  const auto at = html.find("<script type=\"application/json\" id=\"" + id + "\">");
  if (at == std::string::npos) return {};
  const auto begin = html.find('>', at) + 1;
  return boost::json::parse(html.substr(begin, html.find("</script>", begin) - begin)).as_object();
}

using LeaderboardScreen = WebDir;
using LeaderboardOps = WebDir;
using LeaderboardBrokenWebDir = WebDir;

TEST_F(LeaderboardScreen, LoadsTheShippedFiles) {
  auto p = Pages::load(dir_, model::default_event());
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_TRUE(std::regex_match(p->version(), std::regex("[0-9a-f]{16}"))) << p->version();
}

TEST_F(LeaderboardScreen, ShowsBothLanguagesAtOnceAndEveryBoard) {
  const auto pages = load();
  const auto boards = sample_boards();
  const auto html = pages.screen_page(boards.state());
  EXPECT_NE(html.find("<html lang=\"id\">"), std::string::npos);
  EXPECT_NE(html.find("Inovasi Favorit Pengunjung"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"en\" lang=\"en\">Visitors&#39;"), std::string::npos);
  EXPECT_NE(html.find("Booth Paling Ramai"), std::string::npos);
  EXPECT_NE(html.find("Busiest booths"), std::string::npos);
  EXPECT_NE(html.find("Langsung <span class=\"en\" lang=\"en\">Live</span>"), std::string::npos);
  EXPECT_NE(html.find("Dibekukan</span> <span class=\"en\" lang=\"en\">Frozen"), std::string::npos);
  for (const auto* board : {"innovations", "regions", "booths"}) {
    EXPECT_EQ(count(html, "id=\"board-" + std::string(board) + "\""), 1u) << board;
  }
  EXPECT_EQ(html.find("{{"), std::string::npos);
  // Rotates by default, from the innovations; the stream's state is on the body for screen.js.
  EXPECT_NE(html.find("<body data-board=\"innovations\" data-pinned=\"\" data-display=\"full\" data-frozen=\"false\""),
            std::string::npos);
  EXPECT_NE(html.find("data-version=\"42\""), std::string::npos);
  EXPECT_NE(html.find("<time id=\"updated\" datetime=\"2023-11-24T14:05:09+07:00\">14:05:09</time>"), std::string::npos);
  EXPECT_NE(html.find("Hari ke-2 <span class=\"en\" lang=\"en\">Day 2</span>"), std::string::npos);
}

TEST_F(LeaderboardScreen, AssetsAreVersionedUnderTheScreenPrefix) {
  const auto pages = load();
  const auto boards = sample_boards();
  for (const auto& html : {pages.screen_page(boards.state()), pages.ops_page(Lang::id)}) {
    const std::regex asset(R"re((?:src|href)="(/[^"]*\.(?:js|css)[^"]*)")re");
    int assets = 0;
    for (auto it = std::sregex_iterator(html.begin(), html.end(), asset); it != std::sregex_iterator(); ++it) {
      const std::string url = (*it)[1];
      EXPECT_EQ(url.rfind(std::string(kAssetsPrefix), 0), 0u) << url;
      EXPECT_NE(url.find("?v=" + pages.version()), std::string::npos) << url;
      ++assets;
    }
    EXPECT_GE(assets, 2);
    EXPECT_EQ(html.find("http://"), std::string::npos);   // nothing from elsewhere
    EXPECT_EQ(html.find("https://"), std::string::npos);
  }
}

TEST_F(LeaderboardScreen, RanksShowSharedPlacesAndTheCountsReadInBothLanguages) {
  const auto pages = load();
  const auto boards = sample_boards();
  const auto html = pages.screen_page(boards.state());
  const auto rows = tbody(html, "innovations");
  EXPECT_EQ(count(rows, "<tr class=\"row"), kInnovationRows);
  EXPECT_NE(rows.find("<tr class=\"row top1\" data-id=\"3501-demo-1\"><td class=\"rank\">1</td>"), std::string::npos)
      << rows;
  // 7 and 7 share rank 2; 3 is rank 4 (competition ranking); the zeros after them share rank 5.
  EXPECT_EQ(count(rows, "<td class=\"rank\">=2</td>"), 2u);
  EXPECT_EQ(count(rows, "<tr class=\"row top2\""), 2u);
  EXPECT_NE(rows.find("<td class=\"rank\">4</td>"), std::string::npos);
  EXPECT_NE(rows.find("<td class=\"rank\">=5</td>"), std::string::npos);
  EXPECT_NE(rows.find("<td class=\"count\">98" + kNarrowSpace + "765</td>"), std::string::npos);
  // The region's name under the innovation's, and a bar the width of its share of the leader's votes.
  EXPECT_NE(rows.find("<span class=\"secondary\">Kabupaten Pacitan</span><span class=\"bar\" style=\"width:100%\">"),
            std::string::npos);
  // 67 more innovations share rank 5 past the tenth row: said, not hidden.
  const auto more = boards.innovations.size() - 4 - (kInnovationRows - 4);
  EXPECT_NE(html.find("+" + std::to_string(more) + " lagi di peringkat =5 <span class=\"en\" lang=\"en\">+" +
                      std::to_string(more) + " more at rank =5</span>"),
            std::string::npos);

  const auto booths = tbody(html, "booths");
  EXPECT_EQ(count(booths, "<tr class=\"row"), kBoothRows);
  EXPECT_NE(booths.find("data-id=\"3579\"><td class=\"rank\">1</td><td class=\"name\"><span class=\"primary\">Booth "
                        "Kota Batu</span>"),
            std::string::npos);
  EXPECT_NE(booths.find("<td class=\"count\">12" + kNarrowSpace + "345</td><td class=\"count count2\">11" +
                        kNarrowSpace + "111</td>"),
            std::string::npos);
  // Regions: the sums of their innovations' votes, ranked the same way.
  const auto regions = tbody(html, "regions");
  EXPECT_NE(regions.find("data-id=\"3501\"><td class=\"rank\">1</td><td class=\"name\"><span class=\"primary\">"
                         "Kabupaten Pacitan</span>"),
            std::string::npos)
      << regions;
  EXPECT_NE(regions.find("<td class=\"count\">98" + kNarrowSpace + "765</td>"), std::string::npos);
  EXPECT_EQ(count(regions, "<td class=\"rank\">=2</td>"), 2u);
  // A shown row shares its rank: the board explains "=2".
  EXPECT_NE(section(html, "innovations").find("data-empty=\"false\" data-tied=\"true\""), std::string::npos);
}

TEST_F(LeaderboardScreen, NoSharedRankShownNoLegend) {
  const auto pages = load();
  const auto event = model::default_event();
  CountMap checkins;
  for (std::size_t i = 0; i < event.booths.size(); ++i) checkins[event.booths[i].id] = static_cast<std::int64_t>(i + 1);
  const Boards boards(event, {}, checkins, checkins);
  const auto html = pages.screen_page(boards.state());
  EXPECT_NE(section(html, "booths").find("data-empty=\"false\" data-tied=\"false\""), std::string::npos);
  EXPECT_EQ(tbody(html, "booths").find(">="), std::string::npos);
  EXPECT_NE(html.find("id=\"more-booths\"></p>"), std::string::npos);  // nothing more to say
}

TEST_F(LeaderboardScreen, RanksOnlyPutsNoCountInThePage) {
  const auto pages = load();
  const auto boards = sample_boards();
  const auto html = pages.screen_page(boards.state(Display::ranks_only));
  EXPECT_NE(html.find("data-display=\"ranks_only\""), std::string::npos);
  for (const auto* board : {"innovations", "regions", "booths"}) {
    const auto rows = tbody(html, board);
    EXPECT_FALSE(rows.empty()) << board;
    EXPECT_EQ(rows.find("class=\"count"), std::string::npos) << board;
    EXPECT_EQ(rows.find("class=\"bar\""), std::string::npos) << board;  // a bar would tell the gaps
  }
  for (const auto* number : {"98", "765", "772", "12" "\xE2\x80\xAF" "345", "11111", "11" "\xE2\x80\xAF" "111"}) {
    EXPECT_EQ(tbody(html, "innovations").find(number), std::string::npos) << number;
    EXPECT_EQ(tbody(html, "booths").find(number), std::string::npos) << number;
  }
  // Ranks stay, computed from the real counts.
  EXPECT_EQ(count(tbody(html, "innovations"), "<td class=\"rank\">=2</td>"), 2u);
  EXPECT_NE(html.find("Jumlah disembunyikan"), std::string::npos);
}

TEST_F(LeaderboardScreen, FrozenPinnedAndUnknownTime) {
  const auto pages = load();
  const auto boards = sample_boards();
  auto state = boards.state();
  state.frozen = true;
  state.updated_at = "not a time";
  state.day = std::nullopt;
  const auto html = pages.screen_page(state, board_from_query(std::string("booths")));
  EXPECT_NE(html.find("<body data-board=\"booths\" data-pinned=\"booths\" data-display=\"full\" data-frozen=\"true\""),
            std::string::npos);
  EXPECT_NE(html.find("datetime=\"not a time\">—</time>"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"day\" id=\"day\"></span>"), std::string::npos);

  EXPECT_EQ(board_from_query(std::string("regions")), Board::regions);
  EXPECT_EQ(board_from_query(std::string("innovations")), Board::innovations);
  EXPECT_EQ(board_from_query(std::string("Booths")), std::nullopt);
  EXPECT_EQ(board_from_query(std::string("")), std::nullopt);
  EXPECT_EQ(board_from_query(std::nullopt), std::nullopt);
  state.day = "2023-12-01";  // not an event day
  EXPECT_NE(pages.screen_page(state).find("<span class=\"day\" id=\"day\"></span>"), std::string::npos);
}

TEST_F(LeaderboardScreen, NothingCountedYetSaysSoUnlessCountsAreHidden) {
  const auto pages = load();
  const Boards none(model::default_event(), {}, {}, {});
  const auto html = pages.screen_page(none.state());
  for (const auto* board : {"innovations", "regions", "booths"}) {
    EXPECT_NE(section(html, board).find("data-empty=\"true\""), std::string::npos) << board;
  }
  EXPECT_NE(html.find("Belum ada suara <span class=\"en\" lang=\"en\">No votes yet</span>"), std::string::npos);
  // Hidden counts: the page may not tell "no votes" from "votes", so it lists the (all first) rows.
  const auto hidden = pages.screen_page(none.state(Display::ranks_only));
  EXPECT_NE(section(hidden, "innovations").find("data-empty=\"false\""), std::string::npos);
  EXPECT_EQ(count(tbody(hidden, "innovations"), "<td class=\"rank\">=1</td>"), kInnovationRows);
}

TEST_F(LeaderboardScreen, EscapesEveryName) {
  model::Event event;
  event.id = "other-expo";
  event.name = "Expo <Kota> & \"Co\"";
  event.place = "Surabaya";
  event.utc_offset = std::chrono::minutes(420);
  event.days = {std::chrono::year_month_day{std::chrono::year{2024}, std::chrono::month{5}, std::chrono::day{9}}};
  event.regions = {{"R1", "Alpha </script><b>", "kota"}};
  event.booths = {{"B1", "Booth <i>x</i>", "R1"}};
  event.innovations = {{"I1", "Inno \"quoted\" & <b>bold</b>", "", "B1", "R1", false}};
  const auto pages = load(event);
  const Boards boards(event, {{"I1", 5}}, {{"B1", 2}}, {{"B1", 2}});
  const auto html = pages.screen_page(boards.state());
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_EQ(html.find("<i>"), std::string::npos);
  EXPECT_EQ(html.find("Expo <Kota>"), std::string::npos);
  EXPECT_NE(html.find("Inno &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"secondary\">Alpha &lt;/script&gt;&lt;b&gt;</span>"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"event-name\">Expo &lt;Kota&gt; &amp; &quot;Co&quot;</span>"), std::string::npos);
  EXPECT_NE(html.find("Booth &lt;i&gt;x&lt;/i&gt;"), std::string::npos);
  // The config screen.js reads: the names by id (the stream's rows carry ids only), safe inside <script>.
  EXPECT_EQ(html.find("</script><b>"), std::string::npos);
  const auto config = script_json(html, "screen-config");
  const auto& names = config.at("names").as_object();
  EXPECT_EQ(names.at("regions").as_object().at("R1").as_string(), "Alpha </script><b>");
  EXPECT_EQ(names.at("innovations").as_object().at("I1").as_string(), "Inno \"quoted\" & <b>bold</b>");
  EXPECT_EQ(names.at("booths").as_object().at("B1").as_string(), "Booth <i>x</i>");
  // A time that is not one is escaped like everything else.
  auto state = boards.state();
  state.updated_at = "\"><script>";
  EXPECT_EQ(pages.screen_page(state).find("\"><script>"), std::string::npos);

  const auto& ops = pages.ops_page(Lang::en);
  EXPECT_EQ(ops.find("Expo <Kota>"), std::string::npos);
  EXPECT_EQ(ops.find("<i>x"), std::string::npos);
  EXPECT_EQ(script_json(ops, "booths").at("B1").as_string(), "Booth <i>x</i>");
}

// The service cuts the boards it hands in (and the stream's) at kScreenRows, ties kept: the screen
// shows the same rows and the same "+N more" line as from the whole board.
TEST_F(LeaderboardScreen, BoardsCutAtTheScreenRowsShowTheSame) {
  const auto pages = load();
  const auto event = model::default_event();
  const auto whole = sample_boards();
  CountMap votes{{event.innovations[0].id, 98765}, {event.innovations[5].id, 7}, {event.innovations[6].id, 7},
                 {event.innovations[9].id, 3}};
  CountMap checkins{{"3579", 12345}, {"3501", 40}};
  CountMap unique{{"3579", 11111}, {"3501", 38}};
  const auto innovations = innovation_board(event, votes, kScreenRows);
  const auto regions = region_board(event, votes, kScreenRows);
  const auto booths = booth_board(event, checkins, unique, kScreenRows);
  auto state = whole.state();
  state.innovations = innovations;
  state.regions = regions;
  state.booths = booths;
  EXPECT_EQ(pages.screen_page(state), pages.screen_page(whole.state()));
  EXPECT_GE(kScreenRows, kBoothRows);
}

TEST_F(LeaderboardScreen, ConfigCarriesTheRowCapsRegionsDaysAndTexts) {
  const auto pages = load();
  const auto html = pages.screen_page(sample_boards().state());
  const auto config = script_json(html, "screen-config");
  EXPECT_EQ(config.at("rows").as_object().at("innovations").as_int64(), static_cast<std::int64_t>(kInnovationRows));
  EXPECT_EQ(config.at("rows").as_object().at("booths").as_int64(), static_cast<std::int64_t>(kBoothRows));
  EXPECT_EQ(config.at("rotate_seconds").as_int64(), 12);
  EXPECT_EQ(config.at("names").at("regions").as_object().at("3579").as_string(), "Kota Batu");
  EXPECT_EQ(config.at("names").at("innovations").as_object().at("3579-among-abdi-praja").as_string(), "Among Abdi Praja");
  EXPECT_EQ(config.at("days").as_array().size(), 3u);
  EXPECT_EQ(config.at("days").as_array()[0].as_string(), "2023-11-23");
  EXPECT_EQ(config.at("text").as_object().at("en").as_object().at("more").as_string(), "+{n} more at rank ={rank}");
  EXPECT_EQ(config.at("text").as_object().at("id").as_object().at("day").as_string(), "Hari ke-{n}");
}

TEST_F(LeaderboardOps, OneLanguageAPageWithTheLinkToTheOther) {
  const auto pages = load();
  const auto& id = pages.ops_page(Lang::id);
  const auto& en = pages.ops_page(Lang::en);
  EXPECT_NE(id.find("<html lang=\"id\">"), std::string::npos);
  EXPECT_NE(id.find("<h1>Operasional pameran</h1>"), std::string::npos);
  EXPECT_NE(id.find("href=\"?lang=en\""), std::string::npos);
  EXPECT_NE(en.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(en.find("<h1>Exhibition operations</h1>"), std::string::npos);
  EXPECT_NE(en.find("href=\"?lang=id\""), std::string::npos);
  EXPECT_EQ(id.find("{{"), std::string::npos);
  EXPECT_EQ(en.find("{{"), std::string::npos);
  EXPECT_NE(id.find("data-utc-offset=\"420\""), std::string::npos);
  EXPECT_NE(id.find("/screen/assets/vendor/charts.js?v=" + pages.version()), std::string::npos);
  // Today's day, then the three days of the event.
  EXPECT_EQ(count(id, "<option value=\""), 4u);
  EXPECT_NE(id.find("<option value=\"\">Hari ini</option>"), std::string::npos);
  EXPECT_NE(en.find("<option value=\"2023-11-25\">Day 3 (2023-11-25)</option>"), std::string::npos);
  // The script's strings, in the page's language only.
  const auto strings = script_json(en, "ops-strings");
  EXPECT_EQ(strings.at("msg.state.online").as_string(), "online");
  EXPECT_NE(std::string(strings.at("msg.monitoring_unavailable").as_string()).find("Monitoring unavailable"),
            std::string::npos);
  for (const auto& [key, text] : strings) EXPECT_TRUE(key.starts_with("msg.")) << key;
  EXPECT_EQ(script_json(id, "booths").at("3579").as_string(), "Booth Kota Batu");
}

// Every key ops.js names literally must exist, or the page would show the key.
TEST_F(LeaderboardOps, EveryKeyTheScriptNamesExists) {
  const auto strings = boost::json::parse(read_file(dir_ / "strings.json")).as_object();
  const auto& id = strings.at("id").as_object();
  const std::regex literal(R"re('(msg\.[a-z_.]+)')re");
  const auto js = read_file(dir_ / "assets/ops.js");
  int checked = 0;
  for (auto it = std::sregex_iterator(js.begin(), js.end(), literal); it != std::sregex_iterator(); ++it) {
    const std::string key = (*it)[1];
    if (key.ends_with(".")) continue;  // a prefix completed at run time (msg.service., msg.state.)
    EXPECT_TRUE(id.contains(key)) << "ops.js uses '" << key << "'";
    ++checked;
  }
  EXPECT_GE(checked, 15);
  for (const auto* suffix : {"service.leaderboard", "service.checkin", "service.voting", "state.online",
                             "state.offline", "state.never"}) {
    EXPECT_TRUE(id.contains("msg." + std::string(suffix))) << suffix;
  }
}

TEST_F(LeaderboardBrokenWebDir, MissingChartsBundleNamesTheBuildStep) {
  fs::remove(dir_ / "assets/vendor/charts.js");
  const auto error = load_error();
  EXPECT_NE(error.find("pages_invalid"), std::string::npos) << error;
  EXPECT_NE(error.find("vendor/charts.js"), std::string::npos) << error;
  EXPECT_NE(error.find("deploy/deps.sh"), std::string::npos) << error;
}

TEST_F(LeaderboardBrokenWebDir, UnknownTemplateNameFailsAtLoad) {
  write_file(dir_ / "templates/screen.html", read_file(dir_ / "templates/screen.html") + "{{votes_total}}");
  EXPECT_NE(load_error().find("screen.html uses unknown {{votes_total}}"), std::string::npos) << load_error();
  write_file(dir_ / "templates/screen.html", read_file(kWebDir / "templates/screen.html"));
  write_file(dir_ / "templates/ops.html", read_file(dir_ / "templates/ops.html") + "{{t.no.such.key}}");
  EXPECT_NE(load_error().find("ops.html uses unknown {{t.no.such.key}}"), std::string::npos) << load_error();
}

TEST_F(LeaderboardBrokenWebDir, PlaceholdersTheCodeFillsMustBeThere) {
  auto text = read_file(dir_ / "strings.json");
  const std::string from = "\"+{n} more at rank ={rank}\"";
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, from.size(), "\"+{n} more\"");
  write_file(dir_ / "strings.json", text);
  EXPECT_NE(load_error().find("\"en\".\"screen.more\" must hold {n} and {rank}"), std::string::npos) << load_error();
}

TEST_F(LeaderboardBrokenWebDir, MissingTranslationFailsAtLoad) {
  auto text = read_file(dir_ / "strings.json");
  const std::string key = "\"state.frozen\": \"Frozen\"";
  const auto at = text.find(key);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, key.size(), "\"state.frozn\": \"Frozen\"");
  write_file(dir_ / "strings.json", text);
  EXPECT_NE(load_error().find("state.fro"), std::string::npos) << load_error();
}

TEST_F(LeaderboardBrokenWebDir, MissingFilesFailAtLoad) {
  fs::remove(dir_ / "assets/screen.js");
  EXPECT_NE(load_error().find("assets/screen.js is missing"), std::string::npos) << load_error();
  fs::remove(dir_ / "templates/ops.html");
  EXPECT_NE(load_error().find("ops.html"), std::string::npos) << load_error();
  auto p = Pages::load(dir_ / "nowhere", model::default_event());
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, "pages_invalid");
}

TEST_F(LeaderboardBrokenWebDir, AssetPathThatNeedsEscapingFailsAtLoad) {
  write_file(dir_ / "assets/my file.js", "// x\n");
  EXPECT_NE(load_error().find("asset path \"my file.js\""), std::string::npos) << load_error();
}

}  // namespace
}  // namespace expo::leaderboard

// The visitor's voting page (GET /vote) and its 404, rendered from the real files in
// services/voting/web; the tests that break a file work on a copy of it.
#include "pages/pages.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <unistd.h>
#include <vector>

#include "expo/event_model/event.hpp"
#include "scratch_web_dir.hpp"
#include "expo/web/html.hpp"

namespace expo::voting {
namespace {

namespace fs = std::filesystem;
using web::Lang;

using expo::testing::read_file;
using expo::testing::write_file;

const fs::path kWebDir = EXPO_VOTING_WEB_DIR;

const Pages& pages() {
  static const Pages loaded = [] {
    auto p = Pages::load(kWebDir, model::default_event());
    if (!p) throw std::runtime_error(p.error().message);
    return std::move(*p);
  }();
  return loaded;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

// The page without its embedded script strings.
std::string visible(const std::string& html) {
  return std::regex_replace(html, std::regex(R"re(<script type="application/json"[^>]*>[^<]*</script>)re"), "");
}

struct ItemSeen {
  std::string id, voted, name;
  bool disabled = false;
};

// Every innovation item of the page, in order.
std::vector<ItemSeen> items(const std::string& html) {
  std::vector<ItemSeen> out;
  const std::regex re(
      R"re(<li class="item" data-innovation-id="([^"]*)" data-voted="(true|false)">.*?<p class="name"[^>]*>([^<]*)</p>.*?<button([^>]*)>)re");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), re); it != std::sregex_iterator(); ++it) {
    out.push_back({(*it)[1], (*it)[2], (*it)[3], has((*it)[4], " disabled")});
  }
  return out;
}

std::vector<std::string> headings(const std::string& html) {
  std::vector<std::string> out;
  const std::regex re(R"re(<section class="region"[^>]*><h2[^>]*>([^<]*)</h2>)re");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), re); it != std::sregex_iterator(); ++it) {
    out.push_back((*it)[1]);
  }
  return out;
}

boost::json::object script_strings(const std::string& html) {
  const auto at = html.find("<script type=\"application/json\" id=\"vote-strings\">");
  if (at == std::string::npos) return {};
  const auto begin = html.find('>', at) + 1;
  return boost::json::parse(html.substr(begin, html.find("</script>", begin) - begin)).as_object();
}

// Voting open on day 1; checked in at Kota Batu (3579, three innovations) and Pacitan (3501, two),
// one vote already cast for Kota Batu.
Ballot open_ballot() {
  Ballot b;
  b.visitor_id = "v-1";
  b.badge_token = "b1.tok\"en<&>";
  b.day = 0;
  b.open = true;
  b.votes_per_day = 3;
  b.remaining_today = 2;
  b.booths_visited = {"3579", "3501"};
  const auto event = model::default_event();
  for (const auto& innovation : event.innovations) {
    if (innovation.booth_id == "3579") {
      b.innovations_voted.insert(innovation.id);
      break;
    }
  }
  return b;
}

TEST(VotingPages, LoadsTheShippedFiles) {
  auto p = Pages::load(kWebDir, model::default_event());
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_TRUE(std::regex_match(p->version(), std::regex("[0-9a-f]{16}"))) << p->version();
  EXPECT_EQ(Pages::assets_dir(kWebDir), kWebDir / "assets");
}

TEST(VotingPages, ShowsExactlyTheInnovationsOfTheBoothsVisitedGroupedByRegionInEventOrder) {
  const auto event = model::default_event();
  const auto ballot = open_ballot();
  const auto html = pages().ballot_page(ballot, Lang::id);

  std::vector<std::string> expected_ids;
  for (const auto& region : event.regions) {  // event order of regions, then of innovations
    for (const auto& innovation : event.innovations) {
      if (innovation.region_id == region.id && ballot.booths_visited.contains(innovation.booth_id)) {
        expected_ids.push_back(innovation.id);
      }
    }
  }
  ASSERT_EQ(expected_ids.size(), 5u);
  const auto seen = items(html);
  ASSERT_EQ(seen.size(), expected_ids.size()) << html;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].id, expected_ids[i]);
    const bool voted = ballot.innovations_voted.contains(seen[i].id);
    EXPECT_EQ(seen[i].voted, voted ? "true" : "false") << seen[i].id;
    EXPECT_EQ(seen[i].disabled, voted) << seen[i].id;  // open, votes left: only voted ones disabled
    EXPECT_EQ(seen[i].name, event.find_innovation(seen[i].id)->name);
  }
  EXPECT_EQ(headings(html), (std::vector<std::string>{"Kabupaten Pacitan", "Kota Batu"}));
  EXPECT_EQ(count(visible(html), "✓ Sudah dipilih"), 1u);
  EXPECT_EQ(count(html, ">Pilih</button>"), 4u);
  EXPECT_TRUE(has(html, "Sisa suara hari ini: <strong id=\"remaining\">2</strong> dari 3")) << html;
  EXPECT_FALSE(has(html, "id=\"notice\""));
  EXPECT_FALSE(has(html, "id=\"empty\""));
  EXPECT_TRUE(has(html, "data-open=\"true\""));
  // The confirm dialog and the message area the script drives are in the page.
  for (const auto* id : {"id=\"confirm\"", "id=\"confirm-yes\"", "id=\"confirm-no\"", "id=\"confirm-name\""}) {
    EXPECT_TRUE(has(html, id)) << id;
  }
  EXPECT_TRUE(has(html, "<p id=\"message\" class=\"message\" role=\"status\"></p>"));
}

TEST(VotingPages, TheTokenIsEscapedInTheBodyAndEncodedInTheLanguageLink) {
  const auto html = pages().ballot_page(open_ballot(), Lang::id);
  EXPECT_TRUE(has(html, "data-token=\"b1.tok&quot;en&lt;&amp;&gt;\"")) << html;
  EXPECT_TRUE(has(html, "href=\"?token=b1.tok%22en%3C%26%3E&amp;lang=en\" hreflang=\"en\""));
  EXPECT_TRUE(has(html, "href=\"?token=b1.tok%22en%3C%26%3E&amp;lang=id\""));  // refresh, same language
  EXPECT_FALSE(has(html, "tok\"en"));
  EXPECT_EQ(html.find("{{"), std::string::npos);
  EXPECT_TRUE(has(html, "<meta name=\"referrer\" content=\"no-referrer\">"));
}

TEST(VotingPages, IndonesianByDefaultAndEnglishFromTheServer) {
  const auto event = model::default_event();
  const auto id = pages().ballot_page(open_ballot(), Lang::id);
  const auto en = pages().ballot_page(open_ballot(), Lang::en);
  EXPECT_TRUE(has(id, "<html lang=\"id\">"));
  EXPECT_TRUE(has(id, "<title>Pilih Inovasi — " + web::html_escape(event.name) + "</title>")) << id;
  EXPECT_TRUE(has(id, ">English</a>"));
  EXPECT_TRUE(has(en, "<html lang=\"en\">"));
  EXPECT_TRUE(has(en, "<title>Vote for Innovations — " + web::html_escape(event.name) + "</title>"));
  EXPECT_TRUE(has(en, "Votes left today: <strong id=\"remaining\">2</strong> of 3"));
  EXPECT_TRUE(has(en, ">✓ Voted</button>"));
  EXPECT_EQ(count(en, ">Vote</button>"), 4u);
  EXPECT_TRUE(has(en, ">Bahasa Indonesia</a>"));
  EXPECT_FALSE(has(visible(en), "Sisa suara"));
  EXPECT_FALSE(has(visible(id), "Votes left"));
}

TEST(VotingPages, TheScriptGetsItsStringsInThePageLanguageAndEveryRefusalHasOne) {
  const auto id = script_strings(pages().ballot_page(open_ballot(), Lang::id));
  const auto en = script_strings(pages().ballot_page(open_ballot(), Lang::en));
  for (const auto* table : {&id, &en}) {
    for (const auto* code : {"already_voted", "not_checked_in", "daily_quota_exhausted", "voting_closed",
                             "unknown_innovation", "invalid_badge", "rate_limited", "unavailable", "network",
                             "generic"}) {
      EXPECT_TRUE(table->contains("msg.error." + std::string(code))) << code;
    }
    EXPECT_TRUE(table->contains("msg.accepted"));
    EXPECT_TRUE(table->contains("button.voted"));
    EXPECT_FALSE(table->contains("ballot.title"));  // only what the script needs
  }
  EXPECT_EQ(id.at("button.voted").as_string(), "✓ Sudah dipilih");
  EXPECT_EQ(en.at("button.voted").as_string(), "✓ Voted");
  EXPECT_TRUE(has(std::string(en.at("msg.error.rate_limited").as_string()), "{seconds}"));
  EXPECT_TRUE(has(std::string(id.at("msg.accepted").as_string()), "{name}"));
}

// Every key vote.js names literally must exist: a missing one would show its key to a visitor.
TEST(VotingPages, EveryKeyTheScriptNamesIsEmbedded) {
  const auto strings = script_strings(pages().ballot_page(open_ballot(), Lang::id));
  const auto js = read_file(kWebDir / "assets/vote.js");
  const std::regex literal(R"re('((?:msg|button)\.[a-z_.]+)')re");
  int checked = 0;
  for (auto it = std::sregex_iterator(js.begin(), js.end(), literal); it != std::sregex_iterator(); ++it) {
    EXPECT_TRUE(strings.contains((*it)[1].str())) << (*it)[1];
    ++checked;
  }
  EXPECT_GE(checked, 8);
  // The dynamic `msg.error.${code}` keys are covered by the refusal test above.
  EXPECT_TRUE(has(js, "`msg.error.${code}`"));
}

TEST(VotingPages, ClosedVotingSaysSoAndEnablesNoVoteButton) {
  auto ballot = open_ballot();
  ballot.open = false;
  const auto html = pages().ballot_page(ballot, Lang::en);
  EXPECT_TRUE(has(html, "data-notice=\"closed\">Voting is closed now.")) << html;
  EXPECT_TRUE(has(html, "08:00–21:00"));
  EXPECT_TRUE(has(html, "data-open=\"false\""));
  const auto seen = items(html);
  ASSERT_EQ(seen.size(), 5u);
  for (const auto& item : seen) EXPECT_TRUE(item.disabled) << item.id;
  EXPECT_TRUE(has(pages().ballot_page(ballot, Lang::id), "08.00–21.00"));
}

TEST(VotingPages, OutsideTheEventDaysSaysSo) {
  auto ballot = open_ballot();
  ballot.day.reset();
  ballot.open = false;
  ballot.remaining_today = 0;
  const auto html = pages().ballot_page(ballot, Lang::id);
  EXPECT_TRUE(has(html, "data-notice=\"not_event_day\">Hari ini bukan hari pameran")) << html;
  EXPECT_TRUE(has(html, "<strong id=\"remaining\">0</strong> dari 3"));
  for (const auto& item : items(html)) EXPECT_TRUE(item.disabled) << item.id;
}

TEST(VotingPages, NoVotesLeftTodayDisablesTheButtons) {
  auto ballot = open_ballot();
  ballot.remaining_today = 0;
  const auto html = pages().ballot_page(ballot, Lang::en);
  EXPECT_TRUE(has(html, "data-notice=\"quota_used\""));
  for (const auto& item : items(html)) EXPECT_TRUE(item.disabled) << item.id;
}

TEST(VotingPages, NoCheckInsYetExplainsWhatToDo) {
  auto ballot = open_ballot();
  ballot.booths_visited.clear();
  ballot.innovations_voted.clear();
  const auto html = pages().ballot_page(ballot, Lang::en);
  EXPECT_TRUE(items(html).empty());
  EXPECT_TRUE(has(html, "<section class=\"empty\" id=\"empty\"><h2>No innovations to vote for yet</h2>"));
  EXPECT_TRUE(has(html, "have your badge scanned"));
  EXPECT_TRUE(has(html, "<strong id=\"remaining\">2</strong>"));
  ballot.booths_visited = {"no-such-booth"};
  EXPECT_TRUE(has(pages().ballot_page(ballot, Lang::id), "id=\"empty\""));
}

TEST(VotingPages, EventAndInnovationTextIsEscaped) {
  model::Event event;
  event.id = "other";
  event.name = "Expo <Kota> & \"Co\"";
  event.place = "Surabaya";
  event.opens_at = std::chrono::minutes(9 * 60 + 30);
  event.closes_at = std::chrono::minutes(17 * 60);
  event.days = {std::chrono::year_month_day{std::chrono::year{2024}, std::chrono::month{5}, std::chrono::day{9}}};
  event.regions = {{"R2", "Zeta </script>", "kota"}, {"R1", "Alpha", "kota"}};
  event.booths = {{"B1", "Booth 1", "R1"}, {"B2", "Booth 2", "R2"}};
  event.innovations = {{"I1", "One <b>", "", "B1", "R1", true}, {"I2", "Two & more", "Desc \"x\"", "B2", "", false}};
  auto p = Pages::load(kWebDir, event);
  ASSERT_TRUE(p.ok()) << p.error().message;
  Ballot ballot;
  ballot.badge_token = "t";
  ballot.day = 0;
  ballot.open = true;
  ballot.votes_per_day = 1;
  ballot.remaining_today = 1;
  ballot.booths_visited = {"B1", "B2"};
  const auto html = p->ballot_page(ballot, Lang::en);
  EXPECT_FALSE(has(html, "Expo <Kota>"));
  EXPECT_TRUE(has(html, "<p class=\"event-name\">Expo &lt;Kota&gt; &amp; &quot;Co&quot;</p>"));
  EXPECT_EQ(headings(html), (std::vector<std::string>{"Zeta &lt;/script&gt;", "Alpha"}));  // event order
  const auto seen = items(html);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].name, "Two &amp; more");  // region from its booth
  EXPECT_EQ(seen[1].name, "One &lt;b&gt;");
  EXPECT_TRUE(has(html, "<p class=\"desc\">Desc &quot;x&quot;</p>"));
  EXPECT_TRUE(has(html, "<p class=\"desc\"><span class=\"demo\">demo data</span></p>"));
  EXPECT_TRUE(has(p->not_found_page(Lang::en), "Expo &lt;Kota&gt;"));
}

TEST(VotingPages, NotFoundPageInBothLanguages) {
  const auto& id = pages().not_found_page(Lang::id);
  const auto& en = pages().not_found_page(Lang::en);
  EXPECT_TRUE(has(id, "<html lang=\"id\">"));
  EXPECT_TRUE(has(id, "<h1>Tautan tidak dikenal</h1>"));
  EXPECT_TRUE(has(id, "href=\"?lang=en\""));
  EXPECT_TRUE(has(en, "<h1>Unknown link</h1>"));
  EXPECT_TRUE(has(en, "href=\"/?lang=en\""));  // registration, on the suite's shared origin
  EXPECT_EQ(id.find("{{"), std::string::npos);
  EXPECT_EQ(en.find("{{"), std::string::npos);
  EXPECT_FALSE(has(en, "<script"));
}

TEST(VotingPages, AssetsAreVersionedUnderTheVotePrefix) {
  const auto html = pages().ballot_page(open_ballot(), Lang::id);
  const std::regex asset(R"re((?:src|href)="(/[^"]*\.(?:js|css)[^"]*)")re");
  int assets = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), asset); it != std::sregex_iterator(); ++it) {
    const std::string url = (*it)[1];
    EXPECT_EQ(url.rfind(std::string(kAssetsPrefix), 0), 0u) << url;
    EXPECT_NE(url.find("?v=" + pages().version()), std::string::npos) << url;
    EXPECT_TRUE(fs::exists(Pages::assets_dir(kWebDir) / url.substr(kAssetsPrefix.size(), url.find('?') - kAssetsPrefix.size())))
        << url;
    ++assets;
  }
  EXPECT_EQ(assets, 2);
}

// Small enough for a slow connection: what a phone loads for the page (HTML + CSS + JS).
TEST(VotingPages, ThePageIsSmall) {
  const auto html = pages().ballot_page(open_ballot(), Lang::id);
  const auto css = read_file(kWebDir / "assets/vote.css").size();
  const auto js = read_file(kWebDir / "assets/vote.js").size();
  std::cout << "ballot page (5 innovations): html " << html.size() << " B, css " << css << " B, js " << js
            << " B, total " << html.size() + css + js << " B\n";
  EXPECT_LT(html.size() + css + js, 20u * 1024);
}

// A copy of web/ per test, for the tests that break a file.
class VotingPagesBrokenWebDir : public ::testing::Test {
 protected:
  std::string load_error() { return expo::testing::load_error<Pages>(dir_); }
  expo::testing::ScratchWebDir scratch_{kWebDir};
  const fs::path& dir_ = scratch_.path();
};

TEST_F(VotingPagesBrokenWebDir, VersionFollowsTheFiles) {
  auto first = Pages::load(dir_, model::default_event());
  ASSERT_TRUE(first.ok());
  write_file(dir_ / "assets/vote.css", read_file(dir_ / "assets/vote.css") + "\n/* changed */\n");
  auto changed = Pages::load(dir_, model::default_event());
  ASSERT_TRUE(changed.ok());
  EXPECT_NE(changed->version(), first->version());
  EXPECT_EQ(Pages::load(dir_, model::default_event())->version(), changed->version());
}

TEST_F(VotingPagesBrokenWebDir, UnknownTemplateNameFailsAtLoad) {
  write_file(dir_ / "templates/ballot.html", read_file(dir_ / "templates/ballot.html") + "{{visitor_name}}");
  EXPECT_TRUE(has(load_error(), "pages_invalid: ballot.html uses unknown {{visitor_name}}")) << load_error();
  write_file(dir_ / "templates/ballot.html", read_file(kWebDir / "templates/ballot.html"));
  write_file(dir_ / "templates/not_found.html", read_file(dir_ / "templates/not_found.html") + "{{t.no.such}}");
  EXPECT_TRUE(has(load_error(), "not_found.html uses unknown {{t.no.such}}")) << load_error();
}

TEST_F(VotingPagesBrokenWebDir, RemainingWithoutItsCountFailsAtLoad) {
  auto text = read_file(dir_ / "strings.json");
  const std::string from = "\"Votes left today: {n} of {total}\"";
  ASSERT_NE(text.find(from), std::string::npos);
  text.replace(text.find(from), from.size(), "\"Votes left today\"");
  write_file(dir_ / "strings.json", text);
  EXPECT_TRUE(has(load_error(), "\"en\".\"ballot.remaining\" must hold {n} and {total}")) << load_error();
}

TEST_F(VotingPagesBrokenWebDir, MissingOrUnknownStringsFailAtLoad) {
  auto text = read_file(dir_ / "strings.json");
  const std::string from = "\"Vote for Innovations — {{event_name}}\"";
  ASSERT_NE(text.find(from), std::string::npos);
  text.replace(text.find(from), from.size(), "\"Vote — {{event_city}}\"");
  write_file(dir_ / "strings.json", text);
  EXPECT_TRUE(has(load_error(), "uses unknown {{event_city}}")) << load_error();

  text = read_file(kWebDir / "strings.json");
  const std::string key = "\"button.voted\": \"✓ Voted\"";
  ASSERT_NE(text.find(key), std::string::npos);
  text.replace(text.find(key), key.size(), "\"button.votd\": \"✓ Voted\"");
  write_file(dir_ / "strings.json", text);
  EXPECT_TRUE(has(load_error(), "button.vot")) << load_error();
}

TEST_F(VotingPagesBrokenWebDir, MissingAssetOrFolderFailsAtLoad) {
  fs::remove(dir_ / "assets/vote.js");
  EXPECT_TRUE(has(load_error(), "assets/vote.js is missing")) << load_error();
  write_file(dir_ / "assets/vote.js", "// x\n");
  write_file(dir_ / "assets/my file.js", "// x\n");
  EXPECT_TRUE(has(load_error(), "asset path \"my file.js\"")) << load_error();
  auto p = Pages::load(dir_ / "nowhere", model::default_event());
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, "pages_invalid");
}

}  // namespace
}  // namespace expo::voting

#include "expo/event_model/event.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

using namespace std::chrono;
namespace model = expo::model;

namespace {

system_clock::time_point utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

// EVENT_2023.md's table, typed again here so the test does not trust the data file it checks.
const std::vector<std::pair<std::string, std::string>> kRegions = {
    {"3501", "Kabupaten Pacitan"},     {"3502", "Kabupaten Ponorogo"},   {"3503", "Kabupaten Trenggalek"},
    {"3504", "Kabupaten Tulungagung"}, {"3505", "Kabupaten Blitar"},     {"3506", "Kabupaten Kediri"},
    {"3507", "Kabupaten Malang"},      {"3508", "Kabupaten Lumajang"},   {"3509", "Kabupaten Jember"},
    {"3510", "Kabupaten Banyuwangi"},  {"3511", "Kabupaten Bondowoso"},  {"3512", "Kabupaten Situbondo"},
    {"3513", "Kabupaten Probolinggo"}, {"3514", "Kabupaten Pasuruan"},   {"3515", "Kabupaten Sidoarjo"},
    {"3516", "Kabupaten Mojokerto"},   {"3517", "Kabupaten Jombang"},    {"3518", "Kabupaten Nganjuk"},
    {"3519", "Kabupaten Madiun"},      {"3520", "Kabupaten Magetan"},    {"3521", "Kabupaten Ngawi"},
    {"3522", "Kabupaten Bojonegoro"},  {"3523", "Kabupaten Tuban"},      {"3524", "Kabupaten Lamongan"},
    {"3525", "Kabupaten Gresik"},      {"3526", "Kabupaten Bangkalan"},  {"3527", "Kabupaten Sampang"},
    {"3528", "Kabupaten Pamekasan"},   {"3529", "Kabupaten Sumenep"},    {"3571", "Kota Kediri"},
    {"3572", "Kota Blitar"},           {"3573", "Kota Malang"},          {"3574", "Kota Probolinggo"},
    {"3575", "Kota Pasuruan"},         {"3576", "Kota Mojokerto"},       {"3577", "Kota Madiun"},
    {"3578", "Kota Surabaya"},         {"3579", "Kota Batu"},
};

const model::Event& event2023() {
  static const model::Event e = model::default_event();
  return e;
}

// A small valid event; each invalid-file test changes one piece of it.
const std::string kMinimal = R"({
  "id": "e", "name": "E", "place": "P", "time_zone": "Asia/Jakarta", "utc_offset": "+07:00",
  "days": ["2024-01-01", "2024-01-02"],
  "hours": {"open": "08:00", "close": "21:00"},
  "regions": [{"id": "r1", "name": "R1", "kind": "kota"}, {"id": "r2", "name": "R2", "kind": "kabupaten"}],
  "booths": [{"id": "b1", "name": "B1", "region_id": "r1"}, {"id": "b2", "name": "B2", "region_id": "r2"}],
  "innovations": [{"id": "i1", "name": "I1", "booth_id": "b1", "demo": true},
                  {"id": "i2", "name": "I2", "description": "d", "booth_id": "b2", "region_id": "r2", "demo": false}]
})";

std::string with(std::string_view from, std::string_view to) {
  std::string text = kMinimal;
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::string rejection(const std::string& json) {
  auto r = model::parse_event(json);
  EXPECT_FALSE(r.ok());
  if (r.ok()) return {};
  EXPECT_EQ(r.error().code, "event_config_invalid");
  return r.error().message;
}

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << "'" << (haystack) << "' lacks '" << (needle) << "'"

}  // namespace

// --- the embedded 2023 event -----------------------------------------------------------------

TEST(DefaultEvent, Identity) {
  const auto& e = event2023();
  EXPECT_EQ(e.id, "jatim-inovasi-2023");
  EXPECT_EQ(e.name, "Pameran Inovasi Pelayanan Publik — Jatim Bureaucracy Fest 2023");
  EXPECT_EQ(e.place, "Kota Batu, Jawa Timur");
  EXPECT_EQ(e.time_zone, "Asia/Jakarta");
  EXPECT_EQ(e.utc_offset, hours{7});
  ASSERT_EQ(e.days.size(), 3u);
  EXPECT_EQ(e.days[0], year{2023} / November / day{23});
  EXPECT_EQ(e.days[1], year{2023} / November / day{24});
  EXPECT_EQ(e.days[2], year{2023} / November / day{25});
  EXPECT_EQ(e.opens_at, hours{8});
  EXPECT_EQ(e.closes_at, hours{21});
  EXPECT_EQ(e.votes_per_day, 3);
}

TEST(DefaultEvent, AllThirtyEightRegionsOfTheTable) {
  const auto& e = event2023();
  ASSERT_EQ(e.regions.size(), 38u);
  int kabupaten = 0, kota = 0;
  for (std::size_t i = 0; i < kRegions.size(); ++i) {
    EXPECT_EQ(e.regions[i].id, kRegions[i].first);
    EXPECT_EQ(e.regions[i].name, kRegions[i].second);
    const bool is_kota = kRegions[i].second.rfind("Kota ", 0) == 0;
    EXPECT_EQ(e.regions[i].kind, is_kota ? "kota" : "kabupaten") << e.regions[i].id;
    (e.regions[i].kind == "kota" ? kota : kabupaten)++;
    ASSERT_NE(e.find_region(kRegions[i].first), nullptr);
    EXPECT_EQ(e.find_region(kRegions[i].first)->name, kRegions[i].second);
  }
  EXPECT_EQ(kabupaten, 29);
  EXPECT_EQ(kota, 9);
}

TEST(DefaultEvent, OneBoothPerRegionKeyedByCode) {
  const auto& e = event2023();
  ASSERT_EQ(e.booths.size(), 38u);
  for (const auto& [code, name] : kRegions) {
    const model::Booth* b = e.find_booth(code);
    ASSERT_NE(b, nullptr) << code;
    EXPECT_EQ(b->region_id, code);
    EXPECT_EQ(b->name, "Booth " + name);
  }
  EXPECT_EQ(e.find_booth("3579")->name, "Booth Kota Batu");
}

TEST(DefaultEvent, OnlyAmongAbdiPrajaIsReal) {
  const auto& e = event2023();
  const model::Innovation* real = e.find_innovation("3579-among-abdi-praja");
  ASSERT_NE(real, nullptr);
  EXPECT_EQ(real->name, "Among Abdi Praja");
  EXPECT_EQ(real->description, "Aplikasi Kepegawaian Berbasis Android");
  EXPECT_EQ(real->booth_id, "3579");
  EXPECT_EQ(real->region_id, "3579");
  EXPECT_FALSE(real->demo);

  EXPECT_EQ(e.innovations.size(), 1u + 2u * 38u);
  for (const auto& in : e.innovations) {
    if (in.id != "3579-among-abdi-praja") {
      EXPECT_TRUE(in.demo) << in.id;
    }
  }
  for (const auto& [code, name] : kRegions) {
    for (int n : {1, 2}) {
      const std::string id = code + "-demo-" + std::to_string(n);
      const model::Innovation* demo = e.find_innovation(id);
      ASSERT_NE(demo, nullptr) << id;
      EXPECT_TRUE(demo->demo);
      EXPECT_EQ(demo->name, "Inovasi Demo " + std::to_string(n) + " — " + name);
      EXPECT_EQ(demo->booth_id, code);
      EXPECT_EQ(demo->region_id, code);
    }
  }
}

TEST(DefaultEvent, EmbeddedCopyMatchesTheDataFile) {
  std::ifstream in(EXPO_DEFAULT_EVENT_FILE, std::ios::binary);
  ASSERT_TRUE(in) << EXPO_DEFAULT_EVENT_FILE;
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_EQ(model::default_event_json(), text.str());

  auto loaded = model::load_event_file(EXPO_DEFAULT_EVENT_FILE);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->innovations.size(), event2023().innovations.size());
}

TEST(DefaultEvent, UnknownIdsAreNotFound) {
  const auto& e = event2023();
  EXPECT_EQ(e.find_region("3580"), nullptr);
  EXPECT_EQ(e.find_booth(""), nullptr);
  EXPECT_EQ(e.find_innovation("3579-demo-3"), nullptr);
}

// --- local time ------------------------------------------------------------------------------

TEST(EventTime, DayIndexChangesAtMidnightWib) {
  const auto& e = event2023();
  EXPECT_EQ(e.day_index(utc(2023, 11, 22, 16, 59, 59)), std::nullopt);  // 22 Nov 23:59:59 WIB
  EXPECT_EQ(e.day_index(utc(2023, 11, 22, 17, 0, 0)), 0u);              // 23 Nov 00:00 WIB
  EXPECT_EQ(e.day_index(utc(2023, 11, 23, 16, 59, 59)), 0u);
  EXPECT_EQ(e.day_index(utc(2023, 11, 23, 17, 0, 0)), 1u);
  EXPECT_EQ(e.day_index(utc(2023, 11, 25, 16, 59, 59)), 2u);
  EXPECT_EQ(e.day_index(utc(2023, 11, 25, 17, 0, 0)), std::nullopt);
  EXPECT_EQ(e.day_index(utc(2023, 11, 23, 16, 59, 59) + milliseconds{999}), 0u);

  EXPECT_EQ(e.local_date(utc(2023, 11, 23, 16, 59, 59)), year{2023} / November / day{23});
  EXPECT_EQ(e.local_date(utc(2023, 11, 23, 17, 0, 0)), year{2023} / November / day{24});
  EXPECT_EQ(e.day_index(year{2023} / November / day{25}), 2u);
  EXPECT_EQ(e.day_index(year{2023} / November / day{26}), std::nullopt);
}

TEST(EventTime, OpenFromEightUntilBeforeNine) {
  const auto& e = event2023();
  for (std::size_t d = 0; d < 3; ++d) {
    EXPECT_FALSE(e.is_open(e.local_time(d, hours{7} + minutes{59}))) << d;
    EXPECT_FALSE(e.is_open(e.local_time(d, hours{8}) - milliseconds{1})) << d;
    EXPECT_TRUE(e.is_open(e.local_time(d, hours{8}))) << d;
    EXPECT_TRUE(e.is_open(e.local_time(d, hours{20} + minutes{59}))) << d;
    EXPECT_TRUE(e.is_open(e.local_time(d, hours{21}) - milliseconds{1})) << d;
    EXPECT_FALSE(e.is_open(e.local_time(d, hours{21}))) << d;
  }
  // 08:00 WIB is 01:00Z; not open the day before or after the event.
  EXPECT_EQ(e.local_time(0, hours{8}), utc(2023, 11, 23, 1, 0, 0));
  EXPECT_TRUE(e.is_open(utc(2023, 11, 23, 1, 0, 0)));
  EXPECT_FALSE(e.is_open(utc(2023, 11, 22, 5, 0, 0)));
  EXPECT_FALSE(e.is_open(utc(2023, 11, 26, 5, 0, 0)));
}

TEST(EventTime, LocalTimePastTheLastDayThrows) {
  EXPECT_THROW((void)event2023().local_time(3, hours{9}), std::out_of_range);
}

TEST(EventTime, DatesParseAndFormat) {
  EXPECT_EQ(model::parse_date("2023-11-23"), year{2023} / November / day{23});
  EXPECT_EQ(model::format_date(year{2023} / November / day{5}), "2023-11-05");
  for (const char* bad : {"2023-11-31", "2023-2-01", "2023/11/23", "2023-11-23T00:00", "", "abcd-ef-gh"}) {
    EXPECT_EQ(model::parse_date(bad), std::nullopt) << bad;
  }
}

// --- public view -----------------------------------------------------------------------------

TEST(PublicEvent, CarriesWhatPagesNeed) {
  const boost::json::value v = boost::json::parse(model::public_event_json(event2023()));
  const auto& o = v.as_object();
  EXPECT_EQ(o.at("name").as_string(), "Pameran Inovasi Pelayanan Publik — Jatim Bureaucracy Fest 2023");
  EXPECT_EQ(o.at("place").as_string(), "Kota Batu, Jawa Timur");
  EXPECT_EQ(o.at("time_zone").as_string(), "Asia/Jakarta");
  EXPECT_EQ(o.at("utc_offset").as_string(), "+07:00");
  ASSERT_EQ(o.at("days").as_array().size(), 3u);
  EXPECT_EQ(o.at("days").as_array()[0].as_string(), "2023-11-23");
  EXPECT_EQ(o.at("hours").as_object().at("open").as_string(), "08:00");
  EXPECT_EQ(o.at("hours").as_object().at("close").as_string(), "21:00");
  EXPECT_EQ(o.at("voting").as_object().at("votes_per_day").as_int64(), 3);
  EXPECT_EQ(o.at("regions").as_array().size(), 38u);
  EXPECT_EQ(o.at("regions").as_array()[0].as_object().at("region_id").as_string(), "3501");
  ASSERT_EQ(o.at("booths").as_array().size(), 38u);
  EXPECT_EQ(o.at("booths").as_array()[37].as_object().at("booth_id").as_string(), "3579");
  bool found = false;
  for (const auto& item : o.at("innovations").as_array()) {
    const auto& in = item.as_object();
    EXPECT_TRUE(in.at("demo").is_bool());
    if (in.at("innovation_id").as_string() == "3579-among-abdi-praja") {
      found = true;
      EXPECT_EQ(in.at("name").as_string(), "Among Abdi Praja");
      EXPECT_EQ(in.at("description").as_string(), "Aplikasi Kepegawaian Berbasis Android");
      EXPECT_EQ(in.at("booth_id").as_string(), "3579");
      EXPECT_EQ(in.at("region_id").as_string(), "3579");
      EXPECT_FALSE(in.at("demo").as_bool());
    }
  }
  EXPECT_TRUE(found);
  EXPECT_FALSE(o.contains("note"));
}

// --- other event files -----------------------------------------------------------------------

TEST(ParseEvent, MinimalEventWithOtherOffsetAndDefaults) {
  auto r = model::parse_event(with("\"+07:00\"", "\"-03:30\""));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->utc_offset, -(hours{3} + minutes{30}));
  EXPECT_EQ(r->votes_per_day, 3);  // "voting" is optional
  EXPECT_EQ(r->find_innovation("i1")->region_id, "r1");  // derived from the booth
  EXPECT_EQ(r->find_innovation("i1")->description, "");
  // 2024-01-01 00:00 at -03:30 is 03:30Z.
  EXPECT_EQ(r->day_index(utc(2024, 1, 1, 3, 29, 59)), std::nullopt);
  EXPECT_EQ(r->day_index(utc(2024, 1, 1, 3, 30, 0)), 0u);
  const auto r2 = model::parse_event(with("\"hours\"", "\"voting\": {\"votes_per_day\": 5}, \"hours\""));
  ASSERT_TRUE(r2.ok()) << r2.error().message;
  EXPECT_EQ(r2->votes_per_day, 5);
}

TEST(ParseEvent, CopiesKeepWorkingIndexes) {
  auto r = model::parse_event(kMinimal);
  ASSERT_TRUE(r.ok());
  const model::Event copy = *r;
  ASSERT_NE(copy.find_booth("b2"), nullptr);
  EXPECT_EQ(copy.find_booth("b2"), &copy.booths[1]);  // points into the copy, not the original
}

TEST(ParseEvent, HandBuiltEventsAreSearchable) {
  model::Event e;
  e.regions = {{"r1", "R1", "kota"}, {"r2", "R2", "kota"}};
  EXPECT_EQ(e.find_region("r2"), &e.regions[1]);
  e.reindex();
  EXPECT_EQ(e.find_region("r2"), &e.regions[1]);
  EXPECT_EQ(e.find_region("r3"), nullptr);
}

TEST(ParseEvent, RejectsDuplicateIds) {
  EXPECT_CONTAINS(rejection(with(R"({"id": "r2", "name": "R2")", R"({"id": "r1", "name": "R2")")),
                  "regions[1]: duplicate id \"r1\" (also regions[0])");
  EXPECT_CONTAINS(rejection(with(R"({"id": "b2")", R"({"id": "b1")")), "booths[1]: duplicate id \"b1\"");
  EXPECT_CONTAINS(rejection(with(R"({"id": "i2")", R"({"id": "i1")")), "innovations[1]: duplicate id \"i1\"");
}

TEST(ParseEvent, RejectsUnknownReferences) {
  EXPECT_CONTAINS(rejection(with(R"("region_id": "r2"})", R"("region_id": "r9"})")),
                  "booths[1] (\"b2\").region_id: \"r9\" is not the id of any region");
  EXPECT_CONTAINS(rejection(with(R"("booth_id": "b1")", R"("booth_id": "b7")")),
                  "innovations[0] (\"i1\").booth_id: \"b7\" is not the id of any booth");
  EXPECT_CONTAINS(rejection(with(R"("booth_id": "b2", "region_id": "r2")", R"("booth_id": "b2", "region_id": "r1")")),
                  "differs from its booth's region \"r2\"");
}

TEST(ParseEvent, RejectsBadDays) {
  EXPECT_CONTAINS(rejection(with("\"2024-01-02\"", "\"2024-02-30\"")), "days[1]: \"2024-02-30\" is not a date");
  EXPECT_CONTAINS(rejection(with("\"2024-01-02\"", "\"24-01-02\"")), "is not a date");
  EXPECT_CONTAINS(rejection(with("\"2024-01-02\"", "\"2023-12-31\"")), "sorted and distinct");
  EXPECT_CONTAINS(rejection(with("\"2024-01-02\"", "\"2024-01-01\"")), "sorted and distinct");
  EXPECT_CONTAINS(rejection(with(R"(["2024-01-01", "2024-01-02"])", "[]")), "days: needs at least one day");
  EXPECT_CONTAINS(rejection(with("\"2024-01-02\"", "20240102")), "days[1]: expected a date string");
}

TEST(ParseEvent, RejectsBadHoursAndOffsets) {
  EXPECT_CONTAINS(rejection(with("\"08:00\"", "\"8:00\"")), "hours.open: \"8:00\" is not a time of day");
  EXPECT_CONTAINS(rejection(with("\"21:00\"", "\"25:00\"")), "hours.close");
  EXPECT_CONTAINS(rejection(with("\"21:00\"", "\"08:00\"")), "hours: open must be before close");
  EXPECT_CONTAINS(rejection(with("\"+07:00\"", "\"+0700\"")), "utc_offset: \"+0700\" is not an offset");
  EXPECT_TRUE(model::parse_event(with("\"21:00\"", "\"24:00\"")).ok());
}

TEST(ParseEvent, RejectsMissingWrongAndUnknownFields) {
  EXPECT_CONTAINS(rejection(with(R"("name": "E", )", "")), "missing required field \"name\"");
  EXPECT_CONTAINS(rejection(with(R"("name": "B1", )", "")), "booths[0] (\"b1\"): missing required field \"name\"");
  EXPECT_CONTAINS(rejection(with(R"("demo": true)", R"("demo": "yes")")), "innovations[0] (\"i1\").demo: expected true or false");
  EXPECT_CONTAINS(rejection(with(R"("demo": true)", R"("demo": true, "votes": 3)")), "unknown field \"votes\"");
  EXPECT_CONTAINS(rejection(with(R"("place": "P")", R"("place": 5)")), "place: expected a string, found an integer");
  EXPECT_CONTAINS(rejection(with(R"("id": "e")", R"("id": "")")), "id: must not be empty");
  EXPECT_CONTAINS(rejection(with(R"({"id": "b1")", R"({"id": "b 1")")), "\"b 1\" is not a valid id");
  EXPECT_CONTAINS(rejection(with(R"("hours")", R"("voting": {"votes_per_day": 0}, "hours")")),
                  "voting.votes_per_day: 0 is out of range 1..1000");
  EXPECT_CONTAINS(rejection("[]"), "expected an object, found an array");
}

TEST(ParseEvent, InvalidJsonReportsLine) {
  EXPECT_CONTAINS(rejection(with(R"("place": "P",)", R"("place": "P",,)")), "invalid JSON at line 2");
}

TEST(LoadEventFile, MissingFileNamesThePath) {
  auto r = model::load_event_file("/nonexistent/event.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "event_config_invalid");
  EXPECT_CONTAINS(r.error().message, "/nonexistent/event.json");
}

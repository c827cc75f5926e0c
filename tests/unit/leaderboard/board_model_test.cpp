// The board model holds what the boards' Lua keeps in Redis for the same messages, field for field
// (store/board_entries.cpp's dispatch, libs/vote_ledger's ledger): table cases for each key, the
// Lua's own quirks included (times of -1, a void naming both targets, ids holding '|', the guard).
// tests/integration/leaderboard_bulk checks the same against the Lua in a real Redis.
#include "domain/board_model.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "expo/events/topics.hpp"

namespace expo::leaderboard {
namespace {

using events::checkins::CheckedIn;
using events::votes::Cast;
using events::votes::Voided;
using Map = std::map<std::string, std::string>;
using Counts = std::map<std::string, std::int64_t>;
using Set = std::set<std::string>;

constexpr const char* day1 = "2023-11-23";
constexpr const char* day2 = "2023-11-24";
// 2023-11-23T10:00:00.000+07:00 and neighbours, as instant_ms gives them.
constexpr std::int64_t t10 = 1700708400000;
const std::string at10 = "2023-11-23T10:00:00.000+07:00";
const std::string at10_001 = "2023-11-23T10:00:00.001+07:00";
const std::string at11 = "2023-11-23T11:00:00.000+07:00";
const std::string at12 = "2023-11-23T12:00:00.000+07:00";

CheckedIn checkin(std::string visitor, std::string booth, std::string day, std::string at) {
  return CheckedIn{std::move(visitor), std::move(booth), "tablet-1", std::move(day), std::move(at)};
}
Cast vote(std::string id, std::string visitor, std::string innovation, std::string at, std::string device = "",
          std::string day = day1) {
  Cast c;
  c.vote_id = std::move(id);
  c.visitor_id = std::move(visitor);
  c.innovation_id = std::move(innovation);
  c.booth_id = "3579";
  c.region_id = "3579";
  c.day = std::move(day);
  c.device_id = std::move(device);
  c.client_event_id = c.vote_id + "-client";
  c.at = std::move(at);
  return c;
}
Voided void_of(std::string visitor, std::string device, std::string at, std::string reason = "fraud") {
  return Voided{"void-" + visitor + device + at, std::move(visitor), std::move(device), std::move(reason),
                std::move(at)};
}

Counts counts(const BoardModel::Counters& c) { return {c.begin(), c.end()}; }
Map strings(const BoardModel::Texts& m) { return {m.begin(), m.end()}; }
Map voids(const BoardModel& m) {
  Map out;
  for (const auto& [target, v] : m.voids()) out[target] = v.value();
  return out;
}
std::map<std::string, Set> sets(const BoardModel::VoteSets& s) {
  std::map<std::string, Set> out;
  for (const auto& [id, members] : s) out[id] = Set(members.begin(), members.end());
  return out;
}
std::map<std::string, Set> visitors(const BoardModel& m) {  // "<booth>:<period>" -> members
  std::map<std::string, Set> out;
  for (const auto& set : m.checkin_sets()) {
    auto& members = out[set.booth + ":" + set.period];
    for (const auto visitor : set.visitors) EXPECT_TRUE(members.insert(m.visitor(visitor)).second) << "listed twice";
  }
  return out;
}
std::string record(const std::string& state, std::int64_t at_ms, const std::string& innovation,
                   const std::string& visitor, const std::string& device, const std::string& reason = "",
                   const std::string& day = day1) {
  return state + "|" + std::to_string(at_ms) + "|" + day + "|" + innovation + "|" + visitor + "|" + device + "|" +
         reason;
}

TEST(BoardModel, ActivityTimesAreTheTimesCut) {
  EXPECT_EQ(activity_hour("2023-11-23T10:59:59.999+07:00"), "2023-11-23T10");
  EXPECT_EQ(activity_minute("2023-11-23T10:59:59.999+07:00"), "2023-11-23T10:59");
  EXPECT_EQ(activity_hour("2023-11-23T1"), "unknown");
  EXPECT_EQ(activity_minute("2023-11-23T10:5"), "unknown");
  EXPECT_EQ(activity_minute("2023-11-23T10:59"), "2023-11-23T10:59");
}

TEST(BoardModel, CheckInsFillTheSetsCountersAndHours) {
  BoardModel m;
  m.checked_in(checkin("v1", "3579", day1, at10));
  m.checked_in(checkin("v1", "3579", day1, at11));  // the same triple: nothing, not even its hour
  m.checked_in(checkin("v2", "3579", day1, at11));
  m.checked_in(checkin("v1", "3579", day2, "2023-11-24T09:30:00+07:00"));  // returning: not unique for "all"
  m.checked_in(checkin("v1", "3501", day1, "short"));
  EXPECT_EQ(counts(m.counts()), (Counts{{"checkins|3579|2023-11-23", 2},
                                        {"unique|3579|2023-11-23", 2},
                                        {"checkins|3579|2023-11-24", 1},
                                        {"unique|3579|2023-11-24", 1},
                                        {"checkins|3579|all", 3},
                                        {"unique|3579|all", 2},
                                        {"checkins|3501|2023-11-23", 1},
                                        {"unique|3501|2023-11-23", 1},
                                        {"checkins|3501|all", 1},
                                        {"unique|3501|all", 1}}));
  EXPECT_EQ(counts(m.activity()), (Counts{{"hour|3579|2023-11-23T10", 1},
                                          {"hour|3579|2023-11-23T11", 1},
                                          {"hour|3579|2023-11-24T09", 1},
                                          {"hour|3501|unknown", 1}}));
  EXPECT_EQ(visitors(m), (std::map<std::string, Set>{{"3579:2023-11-23", {"v1", "v2"}},
                                                     {"3579:2023-11-24", {"v1"}},
                                                     {"3579:all", {"v1", "v2"}},
                                                     {"3501:2023-11-23", {"v1"}},
                                                     {"3501:all", {"v1"}}}));
  EXPECT_TRUE(m.votes().empty());
  EXPECT_TRUE(m.guard().empty());
}

TEST(BoardModel, VotesFillTheLedger) {
  BoardModel m;
  m.vote_cast(vote("a", "v1", "i1", at10, "tab-1"));
  m.vote_cast(vote("a", "v9", "i9", at11));           // the same vote_id: nothing at all
  m.vote_cast(vote("b", "v1", "i1", at11, "tab-2"));  // a repeat: recorded, in no set, counted nowhere
  m.vote_cast(vote("c", "v2", "i1", "2023-11-24T10:00:00.000+07:00", "", day2));  // from a phone
  EXPECT_EQ(strings(m.votes()), (Map{{"a", record("counted", t10, "i1", "v1", "tab-1")},
                                     {"b", record("repeat", t10 + 3600000, "i1", "v1", "tab-2")},
                                     {"c", record("counted", t10 + 86400000, "i1", "v2", "", "", day2)}}));
  EXPECT_EQ(strings(m.first()), (Map{{"v1|i1", "a"}, {"v2|i1", "c"}}));
  EXPECT_EQ(sets(m.by_visitor()), (std::map<std::string, Set>{{"v1", {"a"}}, {"v2", {"c"}}}));
  EXPECT_EQ(sets(m.by_device()), (std::map<std::string, Set>{{"tab-1", {"a"}}}));
  EXPECT_EQ(counts(m.counts()), (Counts{{"votes|i1|2023-11-23", 1}, {"votes|i1|2023-11-24", 1}, {"votes|i1|all", 2}}));
  // Every new vote_id has its minute, the repeat too; the duplicate id none.
  EXPECT_EQ(counts(m.activity()), (Counts{{"minute|2023-11-23T10:00", 1},
                                          {"minute|2023-11-23T11:00", 1},
                                          {"minute|2023-11-24T10:00", 1}}));
  EXPECT_TRUE(m.voids().empty());
}

TEST(BoardModel, VoidsRewriteTheVotesTheyCover) {
  struct Row {
    const char* name;
    std::vector<std::variant<Cast, Voided>> steps;
    Map votes;
    Map voids;
    Counts counts;
  };
  const std::vector<Row> rows{
      {"a void after the vote: voided with the void's reason, the counter moves (votes nets to nothing)",
       {vote("a", "v1", "i1", at10), void_of("v1", "", at11, "fraud")},
       {{"a", record("voided", t10, "i1", "v1", "", "fraud")}},
       {{"visitor:v1", std::to_string(t10 + 3600000) + "|fraud"}},
       {{"voided|i1|2023-11-23", 1}, {"voided|i1|all", 1}}},
      {"a void before the vote: voided at cast with the latest void's reason",
       {void_of("v1", "", at11, "first"), void_of("v1", "", at12, "later"), vote("a", "v1", "i1", at10)},
       {{"a", record("voided", t10, "i1", "v1", "", "later")}},
       {{"visitor:v1", std::to_string(t10 + 7200000) + "|later"}},
       {{"voided|i1|2023-11-23", 1}, {"voided|i1|all", 1}}},
      {"the latest void is replaced only by a strictly later one (the same time keeps the reason)",
       {void_of("v1", "", at11, "first"), void_of("v1", "", at11, "second"), void_of("v1", "", at10, "earlier")},
       {},
       {{"visitor:v1", std::to_string(t10 + 3600000) + "|first"}},
       {}},
      {"a vote 1 ms after the void stands; one at its very millisecond is voided",
       {vote("a", "v1", "i1", at10_001), vote("b", "v2", "i1", at10), void_of("v1", "", at10), void_of("v2", "", at10)},
       {{"a", record("counted", t10 + 1, "i1", "v1", "")}, {"b", record("voided", t10, "i1", "v2", "", "fraud")}},
       {{"visitor:v1", std::to_string(t10) + "|fraud"}, {"visitor:v2", std::to_string(t10) + "|fraud"}},
       {{"votes|i1|2023-11-23", 1}, {"votes|i1|all", 1}, {"voided|i1|2023-11-23", 1}, {"voided|i1|all", 1}}},
      {"a device void covers its votes, not a phone's; a repeat is no first vote and stays a repeat",
       {vote("a", "v1", "i1", at10, "tab"), vote("b", "v2", "i1", at10), vote("c", "v1", "i1", at10, "tab"),
        void_of("", "tab", at11, "tablet")},
       {{"a", record("voided", t10, "i1", "v1", "tab", "tablet")},
        {"b", record("counted", t10, "i1", "v2", "")},
        {"c", record("repeat", t10, "i1", "v1", "tab")}},
       {{"device:tab", std::to_string(t10 + 3600000) + "|tablet"}},
       {{"votes|i1|2023-11-23", 1}, {"votes|i1|all", 1}, {"voided|i1|2023-11-23", 1}, {"voided|i1|all", 1}}},
      {"voided once through visitor and device; the second void leaves the first's reason",
       {vote("a", "v1", "i1", at10, "tab"), void_of("v1", "", at11, "visitor"), void_of("", "tab", at12, "device")},
       {{"a", record("voided", t10, "i1", "v1", "tab", "visitor")}},
       {{"visitor:v1", std::to_string(t10 + 3600000) + "|visitor"},
        {"device:tab", std::to_string(t10 + 7200000) + "|device"}},
       {{"voided|i1|2023-11-23", 1}, {"voided|i1|all", 1}}},
      {"a void naming a visitor and a device voids the visitor only (the Lua's target)",
       {vote("a", "v1", "i1", at10), vote("b", "v2", "i1", at10, "tab"), void_of("v1", "tab", at11)},
       {{"a", record("voided", t10, "i1", "v1", "", "fraud")}, {"b", record("counted", t10, "i1", "v2", "tab")}},
       {{"visitor:v1", std::to_string(t10 + 3600000) + "|fraud"}},
       {{"votes|i1|2023-11-23", 1}, {"votes|i1|all", 1}, {"voided|i1|2023-11-23", 1}, {"voided|i1|all", 1}}},
      {"a vote whose time does not parse is at -1: any void covers it, at cast or after",
       {vote("a", "v1", "i1", "not a time"), void_of("v1", "", at10), void_of("v2", "", at10),
        vote("b", "v2", "i1", "not a time")},
       {{"a", record("voided", -1, "i1", "v1", "", "fraud")}, {"b", record("voided", -1, "i1", "v2", "", "fraud")}},
       {{"visitor:v1", std::to_string(t10) + "|fraud"}, {"visitor:v2", std::to_string(t10) + "|fraud"}},
       {{"voided|i1|2023-11-23", 2}, {"voided|i1|all", 2}}},
      {"a void whose time does not parse is at -1: kept until a later one, covering votes at -1 only",
       {vote("a", "v1", "i1", "bad"), vote("b", "v1", "i2", at10), void_of("v1", "", "bad", "odd")},
       {{"a", record("voided", -1, "i1", "v1", "", "odd")}, {"b", record("counted", t10, "i2", "v1", "")}},
       {{"visitor:v1", "-1|odd"}},
       {{"votes|i2|2023-11-23", 1}, {"votes|i2|all", 1}, {"voided|i1|2023-11-23", 1}, {"voided|i1|all", 1}}},
  };
  for (const auto& row : rows) {
    BoardModel m;
    for (const auto& step : row.steps) {
      if (const auto* c = std::get_if<Cast>(&step)) m.vote_cast(*c);
      if (const auto* v = std::get_if<Voided>(&step)) m.votes_voided(*v);
    }
    EXPECT_EQ(strings(m.votes()), row.votes) << row.name;
    EXPECT_EQ(voids(m), row.voids) << row.name;
    EXPECT_EQ(counts(m.counts()), row.counts) << row.name;
  }
}

TEST(BoardModel, IdsHoldingABarBehaveAsInRedis) {
  // "first" is "<visitor>|<innovation>": these two pairs are one field, the second vote a repeat.
  BoardModel pairs;
  pairs.vote_cast(vote("a", "x|y", "z", at10));
  pairs.vote_cast(vote("b", "x", "y|z", at10));
  EXPECT_EQ(strings(pairs.first()), (Map{{"x|y|z", "a"}}));
  EXPECT_EQ(strings(pairs.votes()).at("b"), record("repeat", t10, "y|z", "x", ""));

  // A void reads a record back by the Lua's pattern: an innovation "i|j" shifts the fields, so the
  // counters it moves are those of "i" and the rewritten record loses the device (as Redis does).
  BoardModel shifted;
  shifted.vote_cast(vote("a", "v1", "i|j", at10, "tab"));
  shifted.votes_voided(void_of("v1", "", at11, "r"));
  EXPECT_EQ(strings(shifted.votes()), (Map{{"a", "voided|" + std::to_string(t10) + "|2023-11-23|i|j|v1|r"}}));
  EXPECT_EQ(counts(shifted.counts()), (Counts{{"votes|i|j|2023-11-23", 1},
                                              {"votes|i|j|all", 1},
                                              {"votes|i|2023-11-23", -1},
                                              {"votes|i|all", -1},
                                              {"voided|i|2023-11-23", 1},
                                              {"voided|i|all", 1}}));
}

TEST(BoardModel, RecordsAtOrBelowTheGuardChangeNothing) {
  const auto encoded = [](const CheckedIn& c) {
    auto e = events::make_envelope("checked_in", c.at);
    e.payload["visitor_id"] = c.visitor_id;
    e.payload["booth_id"] = c.booth_id;
    e.payload["device_id"] = c.device_id;
    e.payload["day"] = c.day;
    return events::encode(e);
  };
  BoardModel m;
  EXPECT_EQ(m.applied(events::topics::checkins, 2), -1);
  ASSERT_TRUE(apply_record(m, events::topics::checkins, 2, 7, encoded(checkin("v1", "3579", day1, at10))));
  // Another record at an offset the guard has passed: the guarded script skips it, so does the model.
  ASSERT_TRUE(apply_record(m, events::topics::checkins, 2, 7, encoded(checkin("v2", "3579", day1, at10))));
  ASSERT_TRUE(apply_record(m, events::topics::checkins, 2, 3, encoded(checkin("v3", "3579", day1, at10))));
  ASSERT_TRUE(apply_record(m, events::topics::checkins, 2, 8, encoded(checkin("v4", "3579", day1, at10))));
  EXPECT_EQ(visitors(m), (std::map<std::string, Set>{{"3579:2023-11-23", {"v1", "v4"}}, {"3579:all", {"v1", "v4"}}}));
  EXPECT_EQ(m.applied(events::topics::checkins, 2), 8);
  EXPECT_EQ(m.guard(), (BoardModel::Guard{{{"checkins.v1", 2}, 8}}));
  // A malformed record still moves the guard (the script gets a 'skip' entry for it).
  EXPECT_FALSE(apply_record(m, events::topics::votes, 0, 4, "{not json"));
  EXPECT_EQ(m.applied(events::topics::votes, 0), 4);
}

}  // namespace
}  // namespace expo::leaderboard

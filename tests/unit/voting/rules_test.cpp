// The voting rules, table by table, with the embedded 2023 event (Asia/Jakarta, 08:00-21:00,
// 3 votes a day).
#include "domain/rules.hpp"

#include <gtest/gtest.h>

#include "expo/clock/clock.hpp"
#include "expo/event_model/event.hpp"

namespace expo::voting {
namespace {

const model::Event& event() {
  static const model::Event e = model::default_event();
  return e;
}

std::chrono::system_clock::time_point at(std::string_view rfc3339) { return *clock::parse_rfc3339(rfc3339); }

// Kota Batu's real innovation sits at booth 3579; a demo one of Pacitan at 3501.
constexpr std::string_view batu = "3579-among-abdi-praja";
constexpr std::string_view pacitan = "3501-demo-1";

VoterState visited(std::initializer_list<std::string> booths) {
  VoterState v;
  for (const auto& b : booths) v.booths_visited.insert(b);
  return v;
}

std::string outcome(const Decision& d) {
  if (const auto* r = std::get_if<Refusal>(&d)) return std::string(code(*r));
  return "accepted, " + std::to_string(std::get<Accepted>(d).remaining_today) + " left";
}

TEST(VotingRules, Table) {
  struct Row {
    const char* name;
    VoterState voter;
    std::string_view innovation;
    const char* when;
    bool closed;
    std::string expected;
  };
  VoterState voted_batu = visited({"3579"});
  voted_batu.innovations_voted.insert(std::string(batu));
  VoterState three_today = visited({"3579", "3501"});
  three_today.votes_by_day[0] = 3;
  VoterState two_today = visited({"3579"});
  two_today.votes_by_day[0] = 2;
  const std::vector<Row> rows{
      {"first vote", visited({"3579"}), batu, "2023-11-23T10:00:00+07:00", false, "accepted, 2 left"},
      {"unknown innovation", visited({"3579"}), "9999-nothing", "2023-11-23T10:00:00+07:00", false,
       "unknown_innovation"},
      {"closed by operations", visited({"3579"}), batu, "2023-11-23T10:00:00+07:00", true, "voting_closed"},
      {"already voted for it", voted_batu, batu, "2023-11-24T10:00:00+07:00", false, "already_voted"},
      {"never at its booth", visited({"3501"}), batu, "2023-11-23T10:00:00+07:00", false, "not_checked_in"},
      {"visited another booth only", visited({"3579"}), pacitan, "2023-11-23T10:00:00+07:00", false,
       "not_checked_in"},
      {"third vote of the day", two_today, batu, "2023-11-23T10:00:00+07:00", false, "accepted, 0 left"},
      {"fourth vote of the day", three_today, pacitan, "2023-11-23T20:59:59+07:00", false, "daily_quota_exhausted"},
      {"quota is per day: next morning", three_today, pacitan, "2023-11-24T08:00:00+07:00", false,
       "accepted, 2 left"},
      {"before the event", visited({"3579"}), batu, "2023-11-22T10:00:00+07:00", false, "voting_closed"},
      {"after the event", visited({"3579"}), batu, "2023-11-26T10:00:00+07:00", false, "voting_closed"},
  };
  for (const auto& row : rows) {
    EXPECT_EQ(outcome(decide(event(), row.closed, row.voter, row.innovation, at(row.when))), row.expected) << row.name;
  }
}

TEST(VotingRules, OpeningHoursAtTheirEdges) {
  const auto voter = visited({"3579"});
  const auto decide_at = [&](const char* when) { return outcome(decide(event(), false, voter, batu, at(when))); };
  EXPECT_EQ(decide_at("2023-11-23T07:59:59+07:00"), "voting_closed");
  EXPECT_EQ(decide_at("2023-11-23T08:00:00+07:00"), "accepted, 2 left");
  EXPECT_EQ(decide_at("2023-11-23T20:59:59+07:00"), "accepted, 2 left");
  EXPECT_EQ(decide_at("2023-11-23T21:00:00+07:00"), "voting_closed");
}

TEST(VotingRules, TheDayTurnsAtMidnightWibNotUtc) {
  // 3 votes on day 1. 2023-11-24T00:30 WIB is 2023-11-23T17:30Z: day 2 in Jakarta (the quota is
  // fresh), though still the 23rd in UTC; voting itself is closed at that hour.
  VoterState voter = visited({"3579"});
  voter.votes_by_day[0] = 3;
  const auto night = decide(event(), false, voter, batu, at("2023-11-23T17:30:00Z"));
  EXPECT_EQ(outcome(night), "voting_closed");
  const auto morning = decide(event(), false, voter, batu, at("2023-11-24T01:00:00Z"));  // 08:00 WIB
  ASSERT_TRUE(std::holds_alternative<Accepted>(morning));
  EXPECT_EQ(std::get<Accepted>(morning).day, 1u);
  // 20:59 WIB on day 1 is 13:59Z: still day 1, quota exhausted.
  EXPECT_EQ(outcome(decide(event(), false, voter, batu, at("2023-11-23T13:59:00Z"))), "daily_quota_exhausted");
}

TEST(VotingRules, CodesAreStable) {
  EXPECT_EQ(code(Refusal::already_voted), "already_voted");
  EXPECT_EQ(code(Refusal::not_checked_in), "not_checked_in");
  EXPECT_EQ(code(Refusal::daily_quota_exhausted), "daily_quota_exhausted");
  EXPECT_EQ(code(Refusal::voting_closed), "voting_closed");
  EXPECT_EQ(code(Refusal::unknown_innovation), "unknown_innovation");
}

}  // namespace
}  // namespace expo::voting

// The leaderboard against the real Kafka and Redis, fed straight through checkins.v1, votes.v1 and
// admin.v1: the tally equals the counting rules of services/leaderboard/domain/README.md ("What a
// recount counts") and expo-recount's recount of the log; a void takes off exactly the votes it
// covers; freezing and hiding the counts hold what the public sees; bad input gets its 4xx.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json/parse.hpp>

#include "expo/testing/fixtures.hpp"
#include "leaderboard_harness.hpp"

namespace lb_it {
namespace {

using LeaderboardCounts = LeaderboardTest;

const std::string d23 = event_days[0], d24 = event_days[1], d25 = event_days[2];
const std::string all(whole_event);

boost::json::array rows_of(const expo::testing::HttpResult& r) {
  boost::system::error_code ec;
  auto v = boost::json::parse(r.body, ec);
  return !ec && v.is_array() ? v.as_array() : boost::json::array{};
}

// The row of `id_member` == id on a board, or an empty object.
boost::json::object row(const boost::json::array& rows, std::string_view id_member, std::string_view id) {
  for (const auto& r : rows) {
    if (r.as_object().at(id_member).as_string() == id) return r.as_object();
  }
  return {};
}

TEST_F(LeaderboardCounts, AuditLinesEqualTheEventsCountedByTheRulesAndTheRecountMatches) {
  ASSERT_NO_FATAL_FAILURE(start_service());
  ASSERT_TRUE(caught_up());

  const auto b1 = ids_.booth(1), b2 = ids_.booth(2);
  const auto i1 = ids_.innovation(1), i2 = ids_.innovation(2), i3 = ids_.innovation(3);
  const auto d1 = ids_.device(1), d2 = ids_.device(2);
  auto v = [&](int n) { return ids_.visitor(n); };

  // A void read BEFORE the votes it covers: V5's votes cast at or before 24 Nov 12:00.
  send(visitor_void(v(5), d24, "12:00:00"));
  ASSERT_TRUE(flushed());
  ASSERT_TRUE(caught_up());

  // Check-ins: V1 at B1 on the 23rd three times (the same message written twice by a producer retry,
  // and a second scan with another event id), V2 and V3 the same day; V1 returns on the 24th with V4;
  // V2 at B2 on the 25th.
  const auto first_scan = checked_in(v(1), b1, d23, "10:00:00", d1);
  send(first_scan);
  send(first_scan);
  send(checked_in(v(1), b1, d23, "11:00:00", d1));
  send(checked_in(v(2), b1, d23, "10:05:00", d1));
  send(checked_in(v(3), b1, d23, "10:10:00", d1));
  send(checked_in(v(1), b1, d24, "09:00:00", d1));
  send(checked_in(v(4), b1, d24, "09:30:00", d1));
  send(checked_in(v(2), b2, d25, "10:00:00", d2));

  // Votes.
  send(vote_cast({.visitor = v(1), .innovation = i1, .day = d23, .local_time = "10:30:00"}));
  // V1 again for I1, another vote_id, another day: a repeat, counted nowhere.
  send(vote_cast({.visitor = v(1), .innovation = i1, .day = d24, .local_time = "10:00:00"}));
  // The same vote (same vote_id) at two offsets: once.
  const auto same_vote = vote_cast({.visitor = v(2), .innovation = i1, .day = d23, .local_time = "10:35:00"});
  send(same_vote);
  send(same_vote);
  // Through D1, whose void (sent later) is at 23 Nov 12:00:00: the vote at that very millisecond is
  // covered, the one 1 ms later is not.
  send(vote_cast({.visitor = v(7), .innovation = i1, .day = d23, .local_time = "12:00:00", .device = d1}));
  send(vote_cast({.visitor = v(8), .innovation = i1, .day = d23, .local_time = "12:00:00.001", .device = d1}));
  send(vote_cast({.visitor = v(3), .innovation = i2, .day = d23, .local_time = "10:40:00", .device = d1}));
  send(vote_cast({.visitor = v(4), .innovation = i2, .day = d24, .local_time = "10:00:00", .device = d1}));
  // V5, after its void was read: the vote before the void's time is voided at once, the later one counts.
  send(vote_cast({.visitor = v(5), .innovation = i3, .day = d24, .local_time = "11:00:00"}));
  send(vote_cast({.visitor = v(5), .innovation = i2, .day = d25, .local_time = "10:00:00"}));
  // Through D2, voided by a void read AFTER it.
  send(vote_cast({.visitor = v(6), .innovation = i3, .day = d25, .local_time = "10:00:00", .device = d2}));
  ASSERT_TRUE(flushed());
  ASSERT_TRUE(caught_up());

  send(device_void(d1, d23, "12:00:00"));
  send(device_void(d2, d25, "11:00:00"));
  ASSERT_TRUE(flushed());
  ASSERT_TRUE(caught_up());

  // Another void of D1, read later but with an earlier time, lowers nothing: a vote through D1 at
  // 11:30 is still covered by the 12:00 void. And V6's second vote for I3 (its first was voided) is a
  // repeat: it counts nowhere.
  send(device_void(d1, d23, "09:00:00"));
  ASSERT_TRUE(flushed());
  ASSERT_TRUE(caught_up());
  send(vote_cast({.visitor = v(9), .innovation = i1, .day = d23, .local_time = "11:30:00", .device = d1}));
  send(vote_cast({.visitor = v(6), .innovation = i3, .day = d25, .local_time = "11:30:00"}));
  ASSERT_TRUE(flushed());
  ASSERT_TRUE(caught_up());

  const auto a = audit();
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_FALSE(a.frozen());
  // B1: the 23rd V1, V2, V3; the 24th V1, V4; over the event 5 check-ins by 4 distinct visitors.
  const BoothLines booths{{{b1, d23}, {3, 3}}, {{b1, d24}, {2, 2}}, {{b1, all}, {5, 4}},
                          {{b2, d25}, {1, 1}}, {{b2, all}, {1, 1}}};
  EXPECT_EQ(a.booths(ids_), booths);
  const InnovationLines innovations{
      // V1 (first), V2 (once), V8 (1 ms after D1's void) count; V7 (at the void's millisecond) and V9
      // are voided.
      {{i1, d23}, {3, 2}},
      {{i1, all}, {3, 2}},
      // V3 through D1 before its void: voided; V4 through D1 after it, and V5 after its own void: count.
      {{i2, d23}, {0, 1}},
      {{i2, d24}, {1, 0}},
      {{i2, d25}, {1, 0}},
      {{i2, all}, {2, 1}},
      // V5 (void read first) and V6 (void read after) both voided.
      {{i3, d24}, {0, 1}},
      {{i3, d25}, {0, 1}},
      {{i3, all}, {0, 2}},
  };
  EXPECT_EQ(a.innovations(ids_), innovations);

  const auto r = recount(a);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("\nmatch\n"), std::string::npos) << r.output;
}

TEST_F(LeaderboardCounts, VoidOfADeviceMovesExactlyItsVotesToVoidedAndALaterVoteThroughItCounts) {
  ASSERT_NO_FATAL_FAILURE(start_service());
  ASSERT_TRUE(caught_up());
  const auto tablet = ids_.device(1), other_tablet = ids_.device(2);
  const auto i1 = ids_.innovation(1), i2 = ids_.innovation(2);
  auto v = [&](int n) { return ids_.visitor(n); };

  // Through the tablet: V1 and V2 on the 23rd, V3 on the 24th. By phone: V4, V5, and V1 again for
  // another innovation. Through another tablet: V6.
  send(vote_cast({.visitor = v(1), .innovation = i1, .day = d23, .local_time = "10:00:00", .device = tablet}));
  send(vote_cast({.visitor = v(2), .innovation = i2, .day = d23, .local_time = "11:00:00", .device = tablet}));
  send(vote_cast({.visitor = v(3), .innovation = i1, .day = d24, .local_time = "09:00:00", .device = tablet}));
  send(vote_cast({.visitor = v(4), .innovation = i1, .day = d23, .local_time = "10:30:00"}));
  send(vote_cast({.visitor = v(5), .innovation = i2, .day = d24, .local_time = "10:30:00"}));
  send(vote_cast({.visitor = v(1), .innovation = i2, .day = d24, .local_time = "10:45:00"}));
  send(vote_cast({.visitor = v(6), .innovation = i1, .day = d24, .local_time = "10:50:00", .device = other_tablet}));
  ASSERT_TRUE(flushed());
  ASSERT_TRUE(caught_up());

  const InnovationLines before{
      {{i1, d23}, {2, 0}}, {{i1, d24}, {2, 0}}, {{i1, all}, {4, 0}},
      {{i2, d23}, {1, 0}}, {{i2, d24}, {2, 0}}, {{i2, all}, {3, 0}},
  };
  ASSERT_EQ(audit().innovations(ids_), before);

  send(device_void(tablet, d24, "12:00:00"));
  ASSERT_TRUE(flushed());
  ASSERT_TRUE(caught_up());
  // Exactly the tablet's three votes moved from votes to voided, per day and over the event.
  const InnovationLines voided{
      {{i1, d23}, {1, 1}}, {{i1, d24}, {1, 1}}, {{i1, all}, {2, 2}},
      {{i2, d23}, {0, 1}}, {{i2, d24}, {2, 0}}, {{i2, all}, {2, 1}},
  };
  EXPECT_EQ(audit().innovations(ids_), voided);

  // A vote through the tablet after the void's time counts.
  send(vote_cast({.visitor = v(7), .innovation = i2, .day = d24, .local_time = "12:00:01", .device = tablet}));
  ASSERT_TRUE(flushed());
  ASSERT_TRUE(caught_up());
  auto after = voided;
  after[{i2, d24}].votes += 1;
  after[{i2, all}].votes += 1;
  const auto a = audit();
  EXPECT_EQ(a.innovations(ids_), after);
  const auto r = recount(a);
  EXPECT_EQ(r.status, 0) << r.output;
}

TEST_F(LeaderboardCounts, FrozenBoardsAndAuditHoldStillWhileVotesArriveThenCatchUpOnUnfreeze) {
  ASSERT_NO_FATAL_FAILURE(start_service());
  ASSERT_TRUE(caught_up());
  // A known innovation of the event, so the public boards show it: the last one listed, which the
  // other suites of the stack leave alone (exact counts, although the topics are shared).
  const auto event = expo::testing::json_of(get("/v1/event"));
  ASSERT_FALSE(event.at("innovations").as_array().empty());
  const auto& last = event.at("innovations").as_array().back().as_object();
  const std::string known(last.at("innovation_id").as_string()), known_region(last.at("region_id").as_string()),
      known_booth(last.at("booth_id").as_string());
  const auto mine = ids_.innovation(1);

  auto frozen = admin("POST", "/v1/admin/leaderboards/freeze");
  ASSERT_EQ(frozen.status, 200) << frozen.body;
  EXPECT_EQ(expo::testing::json_of(frozen).at("frozen").as_bool(), true);
  EXPECT_EQ(expo::testing::json_of(frozen).at("display").as_string(), "full");
  const auto boards_frozen = boards();
  const auto audit_frozen = audit();
  ASSERT_EQ(audit_frozen.status, 200);
  EXPECT_TRUE(audit_frozen.frozen());
  const auto known_votes = row(rows_of(get("/v1/leaderboards/innovations")), "innovation_id", known).at("votes").as_int64();
  const auto region_votes = row(rows_of(get("/v1/leaderboards/regions")), "region_id", known_region).at("votes").as_int64();
  const auto booth_checkins = row(rows_of(get("/v1/leaderboards/booths")), "booth_id", known_booth).at("checkins").as_int64();

  constexpr int new_votes = 5;
  for (int n = 1; n <= new_votes; ++n) {
    send(vote_cast({.visitor = ids_.visitor(n), .innovation = known, .day = d23, .local_time = "10:20:00",
                    .booth = known_booth, .region = known_region}));
    send(vote_cast({.visitor = ids_.visitor(n), .innovation = mine, .day = d23, .local_time = "10:21:00"}));
  }
  send(checked_in(ids_.visitor(1), known_booth, d23, "10:05:00", ids_.device(1)));
  ASSERT_TRUE(flushed());
  // The service has counted them (into the live generation)...
  ASSERT_TRUE(live_boards_applied_all());
  std::this_thread::sleep_for(600ms);  // two reads of the boards by the service
  // ... and the public sees nothing of it.
  EXPECT_EQ(boards(), boards_frozen);
  const auto audit_still = audit();
  EXPECT_TRUE(audit_still.frozen());
  EXPECT_EQ(audit_still.sha256(), audit_frozen.sha256());
  EXPECT_TRUE(audit_still.innovations(ids_).empty());
  // The frozen audit is a true recount of the log up to the positions it names.
  const auto r = recount(audit_still);
  EXPECT_EQ(r.status, 0) << r.output;

  const auto hidden = admin("POST", "/v1/admin/leaderboards/hide-counts");
  ASSERT_EQ(hidden.status, 200) << hidden.body;
  EXPECT_EQ(expo::testing::json_of(hidden).at("display").as_string(), "ranks_only");
  for (const auto& [board, counts] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"innovations", {"votes"}}, {"regions", {"votes"}}, {"booths", {"checkins", "unique_visitors"}}}) {
    const auto rows = rows_of(get("/v1/leaderboards/" + board));
    ASSERT_FALSE(rows.empty()) << board;
    for (const auto& shown_row : rows) {
      EXPECT_TRUE(shown_row.as_object().contains("rank")) << board;
      for (const auto& member : counts) EXPECT_FALSE(shown_row.as_object().contains(member)) << board << " shows " << member;
    }
  }

  const auto unfrozen = admin("POST", "/v1/admin/leaderboards/unfreeze");
  ASSERT_EQ(unfrozen.status, 200) << unfrozen.body;
  EXPECT_EQ(expo::testing::json_of(unfrozen).at("frozen").as_bool(), false);
  EXPECT_EQ(expo::testing::json_of(unfrozen).at("display").as_string(), "ranks_only");
  const auto shown = admin("POST", "/v1/admin/leaderboards/show-counts");
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(expo::testing::json_of(shown).at("display").as_string(), "full");
  ASSERT_TRUE(caught_up());

  const auto a = audit();
  EXPECT_FALSE(a.frozen());
  EXPECT_EQ(a.innovations(ids_), (InnovationLines{{{mine, d23}, {new_votes, 0}}, {{mine, all}, {new_votes, 0}}}));
  EXPECT_EQ(row(rows_of(get("/v1/leaderboards/innovations")), "innovation_id", known).at("votes").as_int64(),
            known_votes + new_votes);
  EXPECT_EQ(row(rows_of(get("/v1/leaderboards/regions")), "region_id", known_region).at("votes").as_int64(),
            region_votes + new_votes);
  EXPECT_EQ(row(rows_of(get("/v1/leaderboards/booths")), "booth_id", known_booth).at("checkins").as_int64(),
            booth_checkins + 1);
  EXPECT_EQ(a.innovation(known, all).votes, known_votes + new_votes);
}

TEST_F(LeaderboardCounts, BadQueriesGet422NamingTheFieldAdminRoutesNeedTheTokenASecondRebuildGets409) {
  ASSERT_NO_FATAL_FAILURE(start_service());
  ASSERT_TRUE(caught_up());
  for (const auto& [target, field] : std::vector<std::pair<std::string, std::string>>{
           {"/v1/leaderboards/innovations?limit=0", "limit"},
           {"/v1/leaderboards/regions?limit=abc", "limit"},
           {"/v1/leaderboards/booths?limit=1001", "limit"},
           {"/v1/leaderboards/innovations?day=2023-11-30", "day"},
           {"/v1/leaderboards/booths?day=yesterday", "day"}}) {
    const auto r = get(target);
    EXPECT_EQ(r.status, 422) << target << ": " << r.body;
    const auto body = expo::testing::json_of(r);
    const auto* error = body.if_contains("error");
    ASSERT_TRUE(error && error->is_object()) << target << ": " << r.body;
    EXPECT_EQ(error->as_object().at("field").as_string(), field) << target;
    EXPECT_FALSE(error->as_object().at("code").as_string().empty()) << target;
  }
  EXPECT_EQ(get("/v1/leaderboards/innovations?limit=3&day=2023-11-24").status, 200);

  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"POST", "/v1/admin/leaderboards/freeze"},
           {"POST", "/v1/admin/leaderboards/unfreeze"},
           {"POST", "/v1/admin/leaderboards/hide-counts"},
           {"POST", "/v1/admin/leaderboards/show-counts"},
           {"POST", "/v1/admin/leaderboards/rebuild"},
           {"GET", "/v1/admin/leaderboards/rebuild"}}) {
    const auto r = admin(method, path, false);
    EXPECT_EQ(r.status, 401) << method << " " << path << ": " << r.body;
    EXPECT_EQ(expo::testing::error_code(r), "unauthorized") << method << " " << path;
  }
  // Nothing changed for want of the token.
  EXPECT_FALSE(audit().frozen());

  const auto first = admin("POST", "/v1/admin/leaderboards/rebuild");
  ASSERT_EQ(first.status, 202) << first.body;
  const auto second = admin("POST", "/v1/admin/leaderboards/rebuild");
  EXPECT_EQ(second.status, 409) << second.body;
  EXPECT_EQ(expo::testing::error_code(second), "rebuild_running");
  // Stopped (on a long log in the middle of the rebuild), the service exits cleanly all the same and
  // leaves no keys but the live generation's.
  EXPECT_EQ(stop_service(SIGTERM), 0) << service().log_tail();
  EXPECT_TRUE(only_the_live_generation_has_keys());
}

}  // namespace
}  // namespace lb_it

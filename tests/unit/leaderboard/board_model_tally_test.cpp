// The board model's tally (what expo-recount prints and the audit publishes): the counting rules,
// table by table (repeats, duplicate vote ids, voids before and after the votes they cover, at the
// very millisecond and one after), the decoding of raw records (malformed ones skipped and noted), and
// the README's worked example recounted from events. board_model_test.cpp checks the Redis layout.
#include "domain/board_model.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <variant>

#include "expo/events/topics.hpp"

namespace expo::leaderboard {
namespace {

using events::votes::Cast;
using events::votes::Voided;

constexpr const char* batu = "3579-among-abdi-praja";
constexpr const char* demo = "3501-demo-1";
constexpr const char* day1 = "2023-11-23";
constexpr const char* day2 = "2023-11-24";

using events::checkins::CheckedIn;
using Step = std::variant<CheckedIn, Cast, Voided>;

Step checkin(std::string visitor, std::string booth, std::string day) {
  return CheckedIn{visitor, booth, "tablet-" + booth, day, day + "T10:00:00.000+07:00"};
}
// Votes at booth 3579 (the booth and region play no part in the counts).
Step vote(std::string vote_id, std::string visitor, std::string innovation, std::string day, std::string at,
          std::string device = "") {
  Cast c;
  c.vote_id = std::move(vote_id);
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
Step void_visitor(std::string visitor, std::string at) { return Voided{"void-" + visitor + at, visitor, "", "test", at}; }
Step void_device(std::string device, std::string at) { return Voided{"void-" + device + at, "", device, "test", at}; }

void apply(BoardModel& r, const Step& step) {
  if (const auto* c = std::get_if<CheckedIn>(&step)) r.checked_in(*c);
  if (const auto* v = std::get_if<Cast>(&step)) r.vote_cast(*v);
  if (const auto* v = std::get_if<Voided>(&step)) r.votes_voided(*v);
}

std::vector<std::string> lines_after(const std::vector<Step>& steps, const std::vector<std::size_t>& order) {
  BoardModel r;
  for (const auto i : order) apply(r, steps[i]);
  return canonical_lines(r.tally());
}

struct Row {
  const char* name;
  std::vector<Step> steps;
  std::vector<std::string> expected;  // canonical lines (no offsets: the rules' API notes none)
  bool any_order = false;             // every order of the steps gives `expected`
};

void check(const std::vector<Row>& rows) {
  for (const auto& row : rows) {
    std::vector<std::size_t> order(row.steps.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    EXPECT_EQ(lines_after(row.steps, order), row.expected) << row.name;
    if (!row.any_order) continue;
    while (std::next_permutation(order.begin(), order.end())) {
      const auto got = lines_after(row.steps, order);
      if (got != row.expected) {
        std::string as_applied;
        for (const auto i : order) as_applied += std::to_string(i) + ' ';
        ADD_FAILURE() << row.name << ": order " << as_applied << "gives\n" << ::testing::PrintToString(got);
        break;
      }
    }
  }
}

TEST(BoardModelTally, CheckIns) {
  check({
      {"one check-in", {checkin("v1", "3579", day1)}, {"booth 3579 2023-11-23 1 1", "booth 3579 all 1 1"}},
      {"a retry of the same triple counts once",
       {checkin("v1", "3579", day1), checkin("v1", "3579", day1)},
       {"booth 3579 2023-11-23 1 1", "booth 3579 all 1 1"}},
      {"distinct visitors over two days, one returning: a check-in more, not a unique visitor more",
       {checkin("v1", "3579", day1), checkin("v2", "3579", day1), checkin("v1", "3579", day2),
        checkin("v3", "3579", day2), checkin("v1", "3579", day2)},
       {"booth 3579 2023-11-23 2 2", "booth 3579 2023-11-24 2 2", "booth 3579 all 4 3"},
       true},
      {"booths are counted apart",
       {checkin("v1", "3579", day1), checkin("v1", "3501", day1)},
       {"booth 3501 2023-11-23 1 1", "booth 3501 all 1 1", "booth 3579 2023-11-23 1 1", "booth 3579 all 1 1"},
       true},
  });
}

TEST(BoardModelTally, Votes) {
  const std::string t = "2023-11-23T10:00:00.000+07:00";
  check({
      {"one vote", {vote("a", "v1", batu, day1, t)},
       {"innovation 3579-among-abdi-praja 2023-11-23 1 0", "innovation 3579-among-abdi-praja all 1 0"}},
      {"the same vote_id again changes nothing (even with other contents)",
       {vote("a", "v1", batu, day1, t), vote("a", "v1", batu, day1, t), vote("a", "v2", demo, day2, t)},
       {"innovation 3579-among-abdi-praja 2023-11-23 1 0", "innovation 3579-among-abdi-praja all 1 0"}},
      {"a repeat of the pair with another vote_id counts nowhere, even on another day",
       {vote("a", "v1", batu, day1, t), vote("b", "v1", batu, day2, "2023-11-24T10:00:00.000+07:00")},
       {"innovation 3579-among-abdi-praja 2023-11-23 1 0", "innovation 3579-among-abdi-praja all 1 0"}},
      {"visitors and innovations are pairs: each first vote counts on its own day",
       {vote("a", "v1", batu, day1, t), vote("b", "v2", batu, day2, "2023-11-24T10:00:00.000+07:00"),
        vote("c", "v1", demo, day1, t)},
       {"innovation 3501-demo-1 2023-11-23 1 0", "innovation 3501-demo-1 all 1 0",
        "innovation 3579-among-abdi-praja 2023-11-23 1 0", "innovation 3579-among-abdi-praja 2023-11-24 1 0",
        "innovation 3579-among-abdi-praja all 2 0"},
       true},
  });
}

TEST(BoardModelTally, Voids) {
  const std::string t = "2023-11-23T10:00:00.000+07:00";
  const std::vector<std::string> one_voided{"innovation 3579-among-abdi-praja 2023-11-23 0 1",
                                            "innovation 3579-among-abdi-praja all 0 1"};
  const std::vector<std::string> one_counted{"innovation 3579-among-abdi-praja 2023-11-23 1 0",
                                             "innovation 3579-among-abdi-praja all 1 0"};
  check({
      {"a void after the vote takes it off", {vote("a", "v1", batu, day1, t), void_visitor("v1", "2023-11-23T11:00:00.000+07:00")},
       one_voided},
      {"a void before the vote (read first, later time) covers it",
       {void_visitor("v1", "2023-11-23T11:00:00.000+07:00"), vote("a", "v1", batu, day1, t)}, one_voided},
      {"a vote exactly at the void's time is covered, in either order",
       {vote("a", "v1", batu, day1, t), void_visitor("v1", t)}, one_voided, true},
      {"the same instant written in UTC is covered too",
       {vote("a", "v1", batu, day1, t), void_visitor("v1", "2023-11-23T03:00:00Z")}, one_voided, true},
      {"a vote 1 ms after the void is not covered, in either order",
       {vote("a", "v1", batu, day1, "2023-11-23T10:00:00.001+07:00"), void_visitor("v1", t)}, one_counted, true},
      {"a void of another visitor covers nothing",
       {vote("a", "v1", batu, day1, t), void_visitor("v2", "2023-11-23T11:00:00.000+07:00")}, one_counted, true},
      {"a device void covers the votes of two visitors on that device, not a third elsewhere",
       {vote("a", "v1", batu, day1, t, "phone-1"), vote("b", "v2", batu, day1, t, "phone-1"),
        vote("c", "v3", batu, day1, t, "phone-2"), void_device("phone-1", "2023-11-23T11:00:00.000+07:00")},
       {"innovation 3579-among-abdi-praja 2023-11-23 1 2", "innovation 3579-among-abdi-praja all 1 2"},
       true},
      {"a vote without a device is not covered by a device void",
       {vote("a", "v1", batu, day1, t), void_device("phone-1", "2023-11-23T11:00:00.000+07:00")}, one_counted, true},
      {"covered through both visitor and device: voided once",
       {vote("a", "v1", batu, day1, t, "phone-1"), void_visitor("v1", "2023-11-23T11:00:00.000+07:00"),
        void_device("phone-1", "2023-11-23T12:00:00.000+07:00")},
       one_voided, true},
      {"a later void with an earlier time does not lower the latest",
       {void_visitor("v1", "2023-11-23T12:00:00.000+07:00"), void_visitor("v1", "2023-11-23T09:00:00.000+07:00"),
        vote("a", "v1", batu, day1, "2023-11-23T11:00:00.000+07:00")},
       one_voided, true},
      {"the latest void covers what it covers whichever void comes first",
       {vote("a", "v1", batu, day1, "2023-11-23T10:30:00.000+07:00"), void_visitor("v1", t),
        void_visitor("v1", "2023-11-23T11:00:00.000+07:00")},
       one_voided, true},
      {"a void covers only what was cast at or before it",
       {vote("a", "v1", batu, day1, t), vote("b", "v1", demo, day2, "2023-11-24T10:00:00.000+07:00"),
        void_visitor("v1", "2023-11-23T12:00:00.000+07:00")},
       {"innovation 3501-demo-1 2023-11-24 1 0", "innovation 3501-demo-1 all 1 0",
        "innovation 3579-among-abdi-praja 2023-11-23 0 1", "innovation 3579-among-abdi-praja all 0 1"},
       true},
      {"a voided vote is still the pair's first: a repeat after it counts nowhere",
       {vote("a", "v1", batu, day1, t), void_visitor("v1", t), vote("b", "v1", batu, day2, "2023-11-24T10:00:00.000+07:00")},
       one_voided},
      {"a duplicate vote_id after a void changes nothing",
       {vote("a", "v1", batu, day1, t), void_visitor("v1", t), vote("a", "v1", batu, day1, t)}, one_voided, true},
      {"a voided and a counted vote on the same day and innovation",
       {vote("a", "v1", batu, day1, t), vote("b", "v2", batu, day1, t), void_visitor("v1", t)},
       {"innovation 3579-among-abdi-praja 2023-11-23 1 1", "innovation 3579-among-abdi-praja all 1 1"},
       true},
  });
}

TEST(BoardModelTally, PositionsAreTheNextOffsetThePartitionsMax) {
  BoardModel r;
  r.note_position("votes.v1", 0, 0);
  r.note_position("votes.v1", 0, 5);
  r.note_position("votes.v1", 0, 3);  // a re-read of an earlier message does not move it back
  r.note_position("votes.v1", 1, 0);
  r.note_position("admin.v1", 0, 9);
  EXPECT_EQ(canonical_text(r.tally()), "offset admin.v1 0 10\noffset votes.v1 0 6\noffset votes.v1 1 1\n");
}

// ---- raw records ----

std::string checkin_record(const std::string& visitor, const std::string& booth, const std::string& day) {
  auto e = events::make_envelope("checked_in", day + "T10:00:00.000+07:00");
  e.payload["visitor_id"] = visitor;
  e.payload["booth_id"] = booth;
  e.payload["device_id"] = "tablet-" + booth;
  e.payload["day"] = day;
  return events::encode(e);
}
std::string vote_record(const Step& step) { return events::encode(events::votes::cast(std::get<Cast>(step))); }
std::string void_record(const Step& step) { return events::encode(events::votes::voided(std::get<Voided>(step))); }

TEST(BoardModelRecords, DecodedAndNotedWhateverTheirContent) {
  const auto vote_at = "2023-11-23T10:00:00.000+07:00";
  BoardModel r;
  std::int64_t malformed = 0;
  const auto feed = [&](std::string_view topic, std::int32_t partition, std::int64_t offset, std::string_view value) {
    if (!apply_record(r, topic, partition, offset, value)) ++malformed;
  };
  feed(events::topics::checkins, 0, 0, checkin_record("v1", "3579", day1));
  feed(events::topics::checkins, 0, 1, checkin_record("v1", "3579", day1));  // a producer retry
  feed(events::topics::votes, 0, 0, vote_record(vote("a", "v1", batu, day1, vote_at, "phone-1")));
  feed(events::topics::admin, 0, 0, events::encode(events::votes::voting_switched(true, vote_at)));
  feed(events::topics::admin, 0, 1, void_record(void_device("phone-1", vote_at)));
  EXPECT_EQ(malformed, 0);
  EXPECT_EQ(canonical_text(r.tally()),
            "booth 3579 2023-11-23 1 1\n"
            "booth 3579 all 1 1\n"
            "innovation 3579-among-abdi-praja 2023-11-23 0 1\n"
            "innovation 3579-among-abdi-praja all 0 1\n"
            "offset admin.v1 0 2\n"
            "offset checkins.v1 0 2\n"
            "offset votes.v1 0 1\n");
}

TEST(BoardModelRecords, MalformedRecordsAreSkippedButCovered) {
  auto no_day = events::make_envelope("checked_in", "2023-11-23T10:00:00.000+07:00");
  no_day.payload["visitor_id"] = "v1";
  no_day.payload["booth_id"] = "3579";
  auto both_targets = std::get<Voided>(void_visitor("v1", "2023-11-23T10:00:00.000+07:00"));
  both_targets.device_id = "phone-1";
  auto other_type = events::make_envelope("checkin_corrected", "2023-11-23T10:00:00.000+07:00");
  other_type.payload["visitor_id"] = "v1";
  struct Case {
    const char* name;
    std::string_view topic;
    std::string value;
    bool malformed;
  };
  const std::vector<Case> cases{
      {"not JSON", events::topics::votes, "{not json", true},
      {"not an envelope", events::topics::checkins, R"({"visitor_id":"v1"})", true},
      {"a check-in without a day", events::topics::checkins, events::encode(no_day), true},
      {"a check-in on day \"all\"", events::topics::checkins, checkin_record("v1", "3579", "all"), true},
      {"a vote on day \"all\"", events::topics::votes,
       vote_record(vote("a", "v1", batu, "all", "2023-11-23T10:00:00.000+07:00")), true},
      {"a vote without vote_id", events::topics::votes,
       vote_record(vote("", "v1", batu, day1, "2023-11-23T10:00:00.000+07:00")), true},
      {"a void of both a visitor and a device", events::topics::admin,
       events::encode(events::votes::voided(both_targets)), true},
      {"another type on checkins.v1", events::topics::checkins, events::encode(other_type), false},
      {"a device event on admin.v1", events::topics::admin, events::encode(other_type), false},
  };
  for (const auto& c : cases) {
    BoardModel r;
    const auto applied = apply_record(r, c.topic, 3, 41, c.value);
    EXPECT_EQ(!applied, c.malformed) << c.name;
    if (!applied) {
      EXPECT_EQ(applied.error().code, "event_invalid") << c.name;
    }
    // Counted nowhere, yet covered: a recount of the same log reaches the same position.
    EXPECT_EQ(canonical_text(r.tally()), "offset " + std::string(c.topic) + " 3 42\n") << c.name;
  }
}

TEST(BoardModelRecords, OtherTopicsChangeNothing) {
  BoardModel r;
  EXPECT_TRUE(apply_record(r, events::topics::visitors, 0, 7, checkin_record("v1", "3579", day1)));
  EXPECT_TRUE(apply_record(r, "checkins.v2", 0, 7, checkin_record("v1", "3579", day1)));
  EXPECT_EQ(canonical_text(r.tally()), "");
}

// ---- the README's worked example, from events ----

struct Record {
  std::string_view topic;
  std::int32_t partition;
  std::string value;
};

// Five visitors at booth 3579: A on both days. Kota Batu's innovation: 3 votes counted and 1 voided
// on the 23rd, 2 on the 24th; the demo innovation's two votes both voided, one by a visitor's void
// (which also takes one of Batu's), one by a device's (which leaves a vote 1 ms after it standing).
std::vector<Record> worked_example_checkins_and_votes() {
  using events::topics::checkins, events::topics::votes;
  return {
      {checkins, 0, checkin_record("A", "3579", day1)},
      {checkins, 0, checkin_record("B", "3579", day1)},
      {checkins, 0, checkin_record("A", "3579", day2)},
      {checkins, 0, checkin_record("C", "3579", day1)},
      {checkins, 1, checkin_record("D", "3579", day1)},
      {checkins, 1, checkin_record("E", "3579", day2)},
      {votes, 0, vote_record(vote("vote-1", "V1", batu, day1, "2023-11-23T10:00:00.000+07:00"))},
      {votes, 0, vote_record(vote("vote-2", "V1", demo, day1, "2023-11-23T10:05:00.000+07:00"))},
      {votes, 0, vote_record(vote("vote-3", "V3", batu, day1, "2023-11-23T10:30:00.001+07:00", "phone-P"))},
      {votes, 0, vote_record(vote("vote-4", "V5", batu, day2, "2023-11-24T10:00:00.000+07:00"))},
      {votes, 10, vote_record(vote("vote-5", "V2", demo, day1, "2023-11-23T10:10:00.000+07:00", "phone-P"))},
      {votes, 10, vote_record(vote("vote-6", "V4", batu, day1, "2023-11-23T10:20:00.000+07:00"))},
      {votes, 10, vote_record(vote("vote-7", "V6", batu, day2, "2023-11-24T11:00:00.000+07:00"))},
      {votes, 2, vote_record(vote("vote-8", "V7", batu, day1, "2023-11-23T12:00:00.000+07:00"))},
  };
}

std::vector<Record> worked_example_admin() {
  using events::topics::admin;
  return {
      {admin, 0, events::encode(events::votes::voting_switched(true, "2023-11-23T08:00:00.000+07:00"))},
      {admin, 0, void_record(void_visitor("V1", "2023-11-23T11:00:00.000+07:00"))},
      {admin, 0, void_record(void_device("phone-P", "2023-11-23T10:30:00.000+07:00"))},
  };
}

std::string recount_hash(const std::vector<Record>& records) {
  BoardModel r;
  std::map<Tally::Partition, std::int64_t> next;  // offsets as Kafka gives them: per partition, in order
  for (const auto& record : records) {
    auto& offset = next[{std::string(record.topic), record.partition}];
    EXPECT_TRUE(apply_record(r, record.topic, record.partition, offset++, record.value));
  }
  return audit_hash(r.tally());
}

TEST(BoardModelRecords, ReproducesTheReadmeWorkedExample) {
  constexpr std::string_view readme_hash = "cc2b855c95939081a7ad76b5c23991b90a12086d48be3b0abf615945a4f6170e";
  auto admin_last = worked_example_checkins_and_votes();
  for (auto& record : worked_example_admin()) admin_last.push_back(std::move(record));
  EXPECT_EQ(recount_hash(admin_last), readme_hash);
  // The voids read before the votes they cover: the same tally.
  auto admin_first = worked_example_admin();
  for (auto& record : worked_example_checkins_and_votes()) admin_first.push_back(std::move(record));
  EXPECT_EQ(recount_hash(admin_first), readme_hash);
}

}  // namespace
}  // namespace expo::leaderboard

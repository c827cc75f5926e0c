// The audit's canonical text, byte for byte, and its hash: golden values that the README's worked
// example and its Python (audit_readme_test.py) share, so the three can never drift apart.
#include "domain/audit.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "domain/audit_json.hpp"

namespace expo::leaderboard {
namespace {

// Kota Batu's innovation voted on two days, one of its votes voided; a demo innovation whose two
// votes were both voided; booth 3579 visited on two days by five people, one of them twice. The zero
// facts (an empty partition, a day without votes, a booth without visits) must leave no line.
Tally golden_tally() {
  Tally t;
  t.offsets[{"votes.v1", 10}] = 3;
  t.offsets[{"votes.v1", 2}] = 1;
  t.offsets[{"votes.v1", 0}] = 4;
  t.offsets[{"votes.v1", 3}] = 0;
  t.offsets[{"checkins.v1", 0}] = 4;
  t.offsets[{"checkins.v1", 1}] = 2;
  t.offsets[{"admin.v1", 0}] = 3;
  t.innovations[{"3579-among-abdi-praja", "2023-11-23"}] = {3, 1};
  t.innovations[{"3579-among-abdi-praja", "2023-11-24"}] = {2, 0};
  t.innovations[{"3579-among-abdi-praja", "all"}] = {5, 1};
  t.innovations[{"3501-demo-1", "2023-11-23"}] = {0, 2};
  t.innovations[{"3501-demo-1", "2023-11-24"}] = {0, 0};
  t.innovations[{"3501-demo-1", "all"}] = {0, 2};
  t.booths[{"3579", "2023-11-23"}] = {4, 4};
  t.booths[{"3579", "2023-11-24"}] = {2, 2};
  t.booths[{"3579", "all"}] = {6, 5};
  t.booths[{"3501", "all"}] = {0, 0};
  return t;
}

constexpr std::string_view golden_text =
    "booth 3579 2023-11-23 4 4\n"
    "booth 3579 2023-11-24 2 2\n"
    "booth 3579 all 6 5\n"
    "innovation 3501-demo-1 2023-11-23 0 2\n"
    "innovation 3501-demo-1 all 0 2\n"
    "innovation 3579-among-abdi-praja 2023-11-23 3 1\n"
    "innovation 3579-among-abdi-praja 2023-11-24 2 0\n"
    "innovation 3579-among-abdi-praja all 5 1\n"
    "offset admin.v1 0 3\n"
    "offset checkins.v1 0 4\n"
    "offset checkins.v1 1 2\n"
    "offset votes.v1 0 4\n"
    "offset votes.v1 10 3\n"  // bytewise: "10" before "2"
    "offset votes.v1 2 1\n";
// printf '%s' "<golden_text>" | sha256sum
constexpr std::string_view golden_hash = "cc2b855c95939081a7ad76b5c23991b90a12086d48be3b0abf615945a4f6170e";

TEST(Audit, CanonicalTextIsByteExact) { EXPECT_EQ(canonical_text(golden_tally()), golden_text); }

TEST(Audit, HashIsStable) {
  EXPECT_EQ(audit_hash(golden_tally()), golden_hash);
  EXPECT_EQ(audit_hash(golden_tally()), audit_hash(golden_tally()));
}

TEST(Audit, EmptyTallyIsTheEmptyText) {
  EXPECT_EQ(canonical_text(Tally{}), "");
  EXPECT_EQ(audit_hash(Tally{}), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Audit, ZeroFactsAndListedZerosAreTheSame) {
  Tally sparse = golden_tally();
  sparse.offsets.erase({"votes.v1", 3});
  sparse.innovations.erase({"3501-demo-1", "2023-11-24"});
  sparse.booths.erase({"3501", "all"});
  EXPECT_EQ(audit_hash(sparse), golden_hash);
  Tally more_zeros = golden_tally();
  more_zeros.innovations[{"3507-demo-2", "all"}] = {};
  more_zeros.booths[{"3507", "2023-11-25"}] = {};
  more_zeros.offsets[{"admin.v1", 1}] = 0;
  EXPECT_EQ(audit_hash(more_zeros), golden_hash);
}

TEST(Audit, EveryCountChangesTheHash) {
  struct Row {
    const char* name;
    void (*change)(Tally&);
  };
  const std::vector<Row> rows{
      {"a vote more", [](Tally& t) { t.innovations[{"3579-among-abdi-praja", "all"}].votes += 1; }},
      {"a void more", [](Tally& t) { t.innovations[{"3579-among-abdi-praja", "all"}].voided += 1; }},
      {"a check-in more", [](Tally& t) { t.booths[{"3579", "2023-11-24"}].checkins += 1; }},
      {"a unique visitor more", [](Tally& t) { t.booths[{"3579", "all"}].unique_visitors += 1; }},
      {"an offset further", [](Tally& t) { t.offsets[{"votes.v1", 0}] += 1; }},
      {"a new partition", [](Tally& t) { t.offsets[{"votes.v1", 5}] = 1; }},
      {"a vote on another day", [](Tally& t) {
         t.innovations[{"3579-among-abdi-praja", "2023-11-24"}].votes -= 1;
         t.innovations[{"3579-among-abdi-praja", "2023-11-25"}].votes += 1;
       }},
  };
  for (const auto& row : rows) {
    Tally t = golden_tally();
    row.change(t);
    EXPECT_NE(audit_hash(t), golden_hash) << row.name;
  }
}

TEST(Audit, FieldsOutsideTheIdAlphabetAreEscaped) {
  EXPECT_EQ(canonical_field("3579-among_abdi.praja"), "3579-among_abdi.praja");
  EXPECT_EQ(canonical_field("a b\nc%"), "a%20b%0Ac%25");
  EXPECT_EQ(canonical_field("\xC3\xA9"), "%C3%A9");  // é in UTF-8, byte by byte
  Tally t;
  t.innovations[{"x y", "all"}] = {1, 0};
  t.innovations[{"x%20y", "all"}] = {2, 0};  // must not collide with "x y"
  EXPECT_EQ(canonical_text(t), "innovation x%20y all 1 0\ninnovation x%2520y all 2 0\n");
}

TEST(Audit, NegativeCountsAreWrittenWithASign) {
  Tally t;
  t.booths[{"b", "all"}] = {-1, 0};
  EXPECT_EQ(canonical_text(t), "booth b all -1 0\n");
}

TEST(Audit, LinesAreTheTextWithoutNewlines) {
  const auto lines = canonical_lines(golden_tally());
  std::string joined;
  for (const auto& l : lines) joined += l + "\n";
  EXPECT_EQ(joined, golden_text);
}

TEST(AuditJson, MatchesTheGoldenFileTheReadmePythonReads) {
  std::ifstream file(EXPO_LEADERBOARD_GOLDEN_AUDIT);
  ASSERT_TRUE(file) << EXPO_LEADERBOARD_GOLDEN_AUDIT;
  std::stringstream golden;
  golden << file.rdbuf();
  const auto expected = boost::json::parse(golden.str());
  const auto actual = boost::json::value(audit_json(golden_tally()));
  EXPECT_EQ(actual, expected) << boost::json::serialize(actual);
  EXPECT_EQ(actual.at("sha256").as_string(), golden_hash);
  EXPECT_EQ(actual.at("canonical_text").as_string(), golden_text);
}

TEST(AuditJson, EmptyTally) {
  EXPECT_EQ(boost::json::serialize(audit_json(Tally{})),
            R"({"format":"expo-leaderboard-audit-v1",)"
            R"("sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",)"
            R"("offsets":[],"innovations":[],"booths":[],"canonical_text":""})");
}

}  // namespace
}  // namespace expo::leaderboard

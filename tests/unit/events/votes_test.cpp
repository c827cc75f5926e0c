// The voting messages: built and read back by the one module every producer and projection uses,
// and the voiding rule that must give the same answer whatever order the two events arrive in.
#include <gtest/gtest.h>

#include "expo/events/votes.hpp"

namespace votes = expo::events::votes;

namespace {

votes::Cast a_vote(std::string at = "2023-11-23T10:00:00.000+07:00") {
  return {"v-1", "visitor-1", "inn-3579-1", "3579", "3579", "2023-11-23", "device-1", "ce-1", std::move(at)};
}

votes::Voided a_void(std::string visitor, std::string device, std::string at) {
  return {"void-1", std::move(visitor), std::move(device), "duplicate badges", std::move(at)};
}

}  // namespace

TEST(VotesMessages, ACastVoteRoundTrips) {
  const auto vote = a_vote();
  auto read = votes::read(expo::events::encode(votes::cast(vote)));
  ASSERT_TRUE(read.ok());
  const auto* back = std::get_if<votes::Cast>(&*read);
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->vote_id, vote.vote_id);
  EXPECT_EQ(back->visitor_id, vote.visitor_id);
  EXPECT_EQ(back->innovation_id, vote.innovation_id);
  EXPECT_EQ(back->booth_id, vote.booth_id);
  EXPECT_EQ(back->region_id, vote.region_id);
  EXPECT_EQ(back->day, vote.day);
  EXPECT_EQ(back->device_id, vote.device_id);
  EXPECT_EQ(back->client_event_id, vote.client_event_id);
  EXPECT_EQ(back->at, vote.at);
}

TEST(VotesMessages, SwitchesAndVoidsRoundTrip) {
  auto closed = votes::read(expo::events::encode(votes::voting_switched(false, "2023-11-23T12:00:00+07:00")));
  ASSERT_TRUE(closed.ok());
  ASSERT_TRUE(std::holds_alternative<votes::VotingSwitched>(*closed));
  EXPECT_FALSE(std::get<votes::VotingSwitched>(*closed).open);
  auto opened = votes::read(expo::events::encode(votes::voting_switched(true, "2023-11-23T12:00:00+07:00")));
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(std::get<votes::VotingSwitched>(*opened).open);

  auto voided = votes::read(expo::events::encode(votes::voided(a_void("", "device-9", "2023-11-23T12:00:00+07:00"))));
  ASSERT_TRUE(voided.ok());
  const auto& v = std::get<votes::Voided>(*voided);
  EXPECT_EQ(v.device_id, "device-9");
  EXPECT_TRUE(v.visitor_id.empty());
  EXPECT_EQ(v.reason, "duplicate badges");
}

TEST(VotesMessages, OtherTypesReadAsNothingAndBrokenOnesAreErrors) {
  expo::events::Envelope device;
  device.event_id = expo::events::new_event_id();
  device.type = "device_registered";
  device.occurred_at = "2023-11-23T08:00:00+07:00";
  auto other = votes::read(expo::events::encode(device));
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(std::holds_alternative<std::monostate>(*other));

  EXPECT_FALSE(votes::read("not json").ok());
  auto both = a_void("visitor-1", "device-1", "2023-11-23T12:00:00+07:00");
  auto refused = votes::read(expo::events::encode(votes::voided(both)));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "event_invalid");
  auto vote = a_vote();
  vote.innovation_id.clear();
  EXPECT_FALSE(votes::read(expo::events::encode(votes::cast(vote))).ok());
  // The ledger lists a visitor's vote ids separated by spaces: an id that could hold one is refused.
  for (const auto* id : {"v 1", "v\t1", "v|1", ""}) {
    auto odd = a_vote();
    odd.vote_id = id;
    const auto read = votes::read(expo::events::encode(votes::cast(odd)));
    ASSERT_FALSE(read.ok()) << id;
    EXPECT_EQ(read.error().code, "event_invalid");
  }
}

TEST(PlainIds, LettersDigitsAndDashUnderscoreDotColonUpTo64) {
  EXPECT_TRUE(expo::events::is_plain_id(expo::events::new_event_id()));
  EXPECT_TRUE(expo::events::is_plain_id("ce-1_a.b:C"));
  EXPECT_TRUE(expo::events::is_plain_id(std::string(64, 'x')));
  EXPECT_FALSE(expo::events::is_plain_id(std::string(65, 'x')));
  EXPECT_FALSE(expo::events::is_plain_id(""));
  for (const auto* odd : {"a b", "a/b", "a|b", "a\nb", "\xc3\xa9"}) EXPECT_FALSE(expo::events::is_plain_id(odd)) << odd;
}

TEST(VotesMessages, AVoidCoversItsTargetsVotesCastAtOrBeforeIt) {
  const auto vote = a_vote("2023-11-23T10:00:00.000+07:00");
  // Same instant written in another offset: compared as instants, not as text.
  EXPECT_TRUE(votes::voids(a_void("visitor-1", "", "2023-11-23T03:00:00Z"), vote));
  EXPECT_TRUE(votes::voids(a_void("", "device-1", "2023-11-23T10:00:01+07:00"), vote));
  EXPECT_FALSE(votes::voids(a_void("visitor-1", "", "2023-11-23T09:59:59.999+07:00"), vote)) << "cast after the void";
  EXPECT_FALSE(votes::voids(a_void("visitor-2", "", "2023-11-24T10:00:00+07:00"), vote)) << "another visitor";
  EXPECT_FALSE(votes::voids(a_void("", "device-2", "2023-11-24T10:00:00+07:00"), vote)) << "another device";
  auto phone_vote = vote;
  phone_vote.device_id.clear();
  EXPECT_FALSE(votes::voids(a_void("", "", "2023-11-24T10:00:00+07:00"), phone_vote)) << "an empty target matches nothing";
  EXPECT_EQ(votes::instant_ms("yesterday"), -1);
}

// The check-in message as every projection reads it: the fields it needs, another type passed over,
// and a checked_in without its keys refused rather than counted under an empty booth.
#include <gtest/gtest.h>

#include "expo/events/checkins.hpp"

namespace checkins = expo::events::checkins;

namespace {

std::string checked_in(boost::json::object payload, std::string type = "checked_in") {
  auto e = expo::events::make_envelope(std::move(type), "2023-11-23T10:00:00.000+07:00");
  e.payload = std::move(payload);
  return expo::events::encode(e);
}

}  // namespace

TEST(CheckinsMessages, ReadsTheFieldsOfACheckedIn) {
  auto read = checkins::read(
      checked_in({{"visitor_id", "visitor-1"}, {"booth_id", "3579"}, {"device_id", "dev-1"}, {"day", "2023-11-23"}}));
  ASSERT_TRUE(read.ok());
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->visitor_id, "visitor-1");
  EXPECT_EQ((*read)->booth_id, "3579");
  EXPECT_EQ((*read)->device_id, "dev-1");
  EXPECT_EQ((*read)->day, "2023-11-23");
  EXPECT_EQ((*read)->at, "2023-11-23T10:00:00.000+07:00");
}

TEST(CheckinsMessages, AnotherTypeReadsAsNothing) {
  auto read = checkins::read(checked_in({{"visitor_id", "visitor-1"}}, "checkin_note"));
  ASSERT_TRUE(read.ok());
  EXPECT_FALSE(read->has_value());
}

TEST(CheckinsMessages, ACheckedInWithoutItsKeysIsInvalid) {
  for (const char* missing : {"visitor_id", "booth_id", "day"}) {
    boost::json::object payload{{"visitor_id", "visitor-1"}, {"booth_id", "3579"}, {"day", "2023-11-23"}};
    payload.erase(missing);
    auto read = checkins::read(checked_in(payload));
    ASSERT_FALSE(read.ok()) << missing;
    EXPECT_EQ(read.error().code, "event_invalid");
  }
  boost::json::object not_a_date{{"visitor_id", "visitor-1"}, {"booth_id", "3579"}, {"day", "all"}};
  EXPECT_FALSE(checkins::read(checked_in(not_a_date)).ok()) << "a day that is not YYYY-MM-DD";
  EXPECT_FALSE(checkins::read("not json").ok());
}

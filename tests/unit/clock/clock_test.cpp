#include "expo/clock/clock.hpp"

#include <gtest/gtest.h>

using namespace std::chrono;
using expo::clock::Clock;
using expo::clock::clock_from_setting;
using expo::clock::format_rfc3339;
using expo::clock::parse_rfc3339;

namespace {

system_clock::time_point utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

system_clock::time_point parsed(std::string_view text) {
  auto r = parse_rfc3339(text);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : system_clock::time_point{};
}

}  // namespace

TEST(ClockParse, UtcAndOffsets) {
  EXPECT_EQ(parsed("2023-11-23T02:00:00Z"), utc(2023, 11, 23, 2, 0, 0));
  EXPECT_EQ(parsed("2023-11-23T09:00:00+07:00"), utc(2023, 11, 23, 2, 0, 0));
  EXPECT_EQ(parsed("2023-11-22T23:30:00-02:30"), utc(2023, 11, 23, 2, 0, 0));
  EXPECT_EQ(parsed("2023-11-23t02:00:00z"), utc(2023, 11, 23, 2, 0, 0));
  EXPECT_EQ(parsed("2023-11-23 02:00:00+00:00"), utc(2023, 11, 23, 2, 0, 0));
  EXPECT_EQ(parsed("2023-11-23T06:59:59+07:00"), utc(2023, 11, 22, 23, 59, 59));  // crosses the date
  EXPECT_EQ(parsed("2024-02-29T00:00:00Z"), utc(2024, 2, 29, 0, 0, 0));
}

TEST(ClockParse, Fractions) {
  EXPECT_EQ(parsed("2023-11-23T02:00:00.5Z"), utc(2023, 11, 23, 2, 0, 0) + milliseconds{500});
  EXPECT_EQ(parsed("2023-11-23T02:00:00.123+07:00"), utc(2023, 11, 22, 19, 0, 0) + milliseconds{123});
  EXPECT_EQ(parsed("2023-11-23T02:00:00.000000001Z"), utc(2023, 11, 23, 2, 0, 0) + nanoseconds{1});
  // Beyond nanoseconds the digits are dropped, not rounded.
  EXPECT_EQ(parsed("2023-11-23T02:00:00.9999999999Z"), utc(2023, 11, 23, 2, 0, 0) + nanoseconds{999999999});
}

TEST(ClockParse, RejectsMalformedTimes) {
  for (const char* bad : {"", "real", "2023-11-23", "2023-11-23T09:00:00", "2023-11-23T09:00+07:00",
                          "2023-11-23T09:00:00+0700", "2023-11-23T09:00:00+07", "2023-11-23T09:00:00 +07:00",
                          "2023-02-29T00:00:00Z", "2023-13-01T00:00:00Z", "2023-11-31T00:00:00Z",
                          "2023-11-23T24:00:00Z", "2023-11-23T23:60:00Z", "2023-12-31T23:59:60Z",
                          "2023-11-23T09:00:00.Z", "2023-11-23T09:00:00Zjunk", "2023-11-23X09:00:00Z",
                          "2023-11-23T09:00:00+24:00", "0023-11-23T09:00:00Z", "9999-11-23T09:00:00Z",
                          "２023-11-23T09:00:00Z"}) {
    auto r = parse_rfc3339(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "clock_invalid") << bad;
    EXPECT_NE(r.error().message.find("RFC 3339"), std::string::npos) << r.error().message;
  }
}

TEST(ClockFormat, MillisecondsAndOffsets) {
  const auto t = utc(2023, 11, 23, 2, 0, 0) + milliseconds{7};
  EXPECT_EQ(format_rfc3339(t, minutes{0}), "2023-11-23T02:00:00.007Z");
  EXPECT_EQ(format_rfc3339(t, hours{7}), "2023-11-23T09:00:00.007+07:00");
  EXPECT_EQ(format_rfc3339(t, -(hours{3} + minutes{30})), "2023-11-22T22:30:00.007-03:30");
  // Sub-millisecond parts are dropped (floor), so a time never prints as later than it is.
  EXPECT_EQ(format_rfc3339(utc(2023, 11, 23, 16, 59, 59) + microseconds{999999}, hours{7}),
            "2023-11-23T23:59:59.999+07:00");
  EXPECT_EQ(format_rfc3339(utc(1969, 12, 31, 23, 59, 59) + milliseconds{500}, minutes{0}),
            "1969-12-31T23:59:59.500Z");
}

TEST(ClockFormat, RoundTripsThroughParse) {
  const auto t = utc(2023, 11, 25, 13, 59, 58) + milliseconds{999};
  for (minutes off : {minutes{0}, minutes{420}, minutes{-150}, minutes{345}}) {
    EXPECT_EQ(parsed(format_rfc3339(t, off)), t) << off.count();
  }
}

TEST(ClockValue, RealClockFollowsSystemClock) {
  const Clock c = Clock::real();
  EXPECT_TRUE(c.is_real());
  EXPECT_EQ(c.offset(), system_clock::duration::zero());
  const auto before = system_clock::now();
  const auto got = c.now();
  const auto after = system_clock::now();
  EXPECT_LE(before, got);
  EXPECT_LE(got, after);
  EXPECT_TRUE(Clock().is_real());
}

TEST(ClockValue, ShiftedReadsVirtualStartAtAnchorThenRunsAtRealSpeed) {
  const auto virtual_start = utc(2023, 11, 23, 2, 0, 0);
  const auto anchor = system_clock::now();
  const Clock c = Clock::shifted(virtual_start, anchor);
  EXPECT_FALSE(c.is_real());
  EXPECT_EQ(c.offset(), virtual_start - anchor);
  const Clock copy = c;  // cheap value copy, same reading
  EXPECT_EQ(copy.offset(), c.offset());

  const auto got = c.now();
  const auto real_after = system_clock::now();
  EXPECT_GE(got, virtual_start);
  EXPECT_LE(got - virtual_start, real_after - anchor);

  // A clock anchored an hour ago reads an hour past its start.
  const Clock earlier = Clock::shifted(virtual_start, system_clock::now() - hours{1});
  EXPECT_GE(earlier.now(), virtual_start + hours{1});
  EXPECT_LT(earlier.now(), virtual_start + hours{1} + minutes{1});
}

TEST(ClockSetting, EmptyMeansRehearsal) {
  const auto rehearsal = utc(2023, 11, 23, 2, 0, 0);  // day 1, 09:00 WIB
  const auto anchor = utc(2026, 1, 1, 0, 0, 0);
  for (std::string_view start : {"", "  "}) {
    auto c = clock_from_setting(start, anchor, rehearsal);
    ASSERT_TRUE(c.ok());
    EXPECT_FALSE(c->is_real());
    EXPECT_EQ(c->offset(), rehearsal - anchor);
  }
}

TEST(ClockSetting, RealMeansWallClock) {
  for (std::string_view start : {"real", "REAL", " real "}) {
    auto c = clock_from_setting(start, std::nullopt, utc(2023, 11, 23, 2, 0, 0));
    ASSERT_TRUE(c.ok()) << start;
    EXPECT_TRUE(c->is_real());
    EXPECT_EQ(c->offset(), system_clock::duration::zero());
  }
}

TEST(ClockSetting, Rfc3339PicksAnotherMoment) {
  const auto anchor = utc(2026, 1, 1, 0, 0, 0);
  auto c = clock_from_setting("2023-11-24T20:59:00+07:00", anchor, utc(2023, 11, 23, 2, 0, 0));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->offset(), utc(2023, 11, 24, 13, 59, 0) - anchor);
}

TEST(ClockSetting, NoAnchorMeansNow) {
  const auto start = utc(2023, 11, 24, 13, 59, 0);
  const auto before = system_clock::now();
  auto c = clock_from_setting("2023-11-24T13:59:00Z", std::nullopt, start);
  const auto after = system_clock::now();
  ASSERT_TRUE(c.ok());
  // offset = start - anchor with before <= anchor <= after.
  EXPECT_LE(c->offset(), start - before);
  EXPECT_GE(c->offset(), start - after);
}

TEST(ClockSetting, InvalidIsAnError) {
  auto c = clock_from_setting("tomorrow", std::nullopt, utc(2023, 11, 23, 2, 0, 0));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "clock_invalid");
  EXPECT_NE(c.error().message.find("'tomorrow'"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("'real'"), std::string::npos) << c.error().message;
}

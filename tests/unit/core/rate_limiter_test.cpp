#include "expo/core/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace expo {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiter, AllowsTheBurstThenTheRate) {
  RateLimiter limiter(5, 10);
  const auto t0 = RateLimiter::Clock::time_point{} + 1h;
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.allow("tablet-1", t0)) << i;
  EXPECT_FALSE(limiter.allow("tablet-1", t0));
  EXPECT_FALSE(limiter.allow("tablet-1", t0 + 199ms));  // 0.995 tokens
  EXPECT_TRUE(limiter.allow("tablet-1", t0 + 210ms));   // a token again after 1/5 s
  EXPECT_FALSE(limiter.allow("tablet-1", t0 + 210ms));
}

TEST(RateLimiter, KeysAreIndependent) {
  RateLimiter limiter(1, 1);
  const auto t0 = RateLimiter::Clock::time_point{} + 1h;
  EXPECT_TRUE(limiter.allow("a", t0));
  EXPECT_FALSE(limiter.allow("a", t0));
  EXPECT_TRUE(limiter.allow("b", t0));
}

TEST(RateLimiter, IdleKeysAreForgotten) {
  RateLimiter limiter(1, 1);
  const auto t0 = RateLimiter::Clock::time_point{} + 1h;
  for (int i = 0; i < 100; ++i) limiter.allow("key-" + std::to_string(i), t0);
  EXPECT_EQ(limiter.tracked(), 100u);
  limiter.allow("late", t0 + 2min);
  EXPECT_EQ(limiter.tracked(), 1u);
}

}  // namespace
}  // namespace expo

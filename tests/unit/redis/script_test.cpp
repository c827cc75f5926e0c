#include "expo/redis/script.hpp"

#include <gtest/gtest.h>

namespace expo::redis {
namespace {

TEST(RedisScript, ShaIsTheSha1OfTheSourceInLowercaseHex) {
  // printf 'return 1' | sha1sum  ->  e0e1f9fabfc9d4800c877a703b823ac0578ff8db
  // (redis-cli SCRIPT LOAD 'return 1' answers the same.)
  const Script script("return 1");
  EXPECT_EQ(script.sha(), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
  EXPECT_EQ(script.source(), "return 1");
}

TEST(RedisScript, ShaOfOtherSources) {
  // printf '' | sha1sum
  EXPECT_EQ(Script("").sha(), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  // printf "return redis.call('INCR', KEYS[1])" | sha1sum
  EXPECT_EQ(Script("return redis.call('INCR', KEYS[1])").sha(), "61636018f4e6b5817b89791bbed242f93fa089e3");
}

TEST(RedisScript, CopiesShareTheSameValues) {
  const Script a("return 2");
  const Script b = a;  // NOLINT(performance-unnecessary-copy-initialization): the copy is the point
  EXPECT_EQ(a.sha(), b.sha());
  EXPECT_EQ(&a.source(), &b.source()) << "copies share one body instead of copying the source";
}

}  // namespace
}  // namespace expo::redis

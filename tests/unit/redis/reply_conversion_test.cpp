// Tests the library's private conversion from hiredis replies, fed from raw RESP through hiredis' own
// reader so the replies are exactly what the async client receives.
#include "reply_conversion.hpp"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <memory>
#include <string_view>

namespace expo::redis::detail {
namespace {

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

ReplyPtr parse(std::string_view resp) {
  std::unique_ptr<redisReader, void (*)(redisReader*)> reader(redisReaderCreate(), &redisReaderFree);
  EXPECT_EQ(redisReaderFeed(reader.get(), resp.data(), resp.size()), REDIS_OK);
  void* reply = nullptr;
  EXPECT_EQ(redisReaderGetReply(reader.get(), &reply), REDIS_OK);
  EXPECT_NE(reply, nullptr) << "incomplete RESP in the test";
  return ReplyPtr(static_cast<redisReply*>(reply));
}

Reply convert(std::string_view resp) { return to_reply(*parse(resp)); }

TEST(RedisReplyConversion, Scalars) {
  EXPECT_EQ(convert(":42\r\n"), (Reply{Reply::Type::integer, 42, "", {}}));
  EXPECT_EQ(convert(":-7\r\n").integer, -7);
  EXPECT_EQ(convert("+OK\r\n"), (Reply{Reply::Type::status, 0, "OK", {}}));
  EXPECT_EQ(convert("$-1\r\n"), Reply{});
  EXPECT_EQ(convert("*-1\r\n"), Reply{}) << "a nil array is nil";
  EXPECT_EQ(convert("$0\r\n\r\n"), (Reply{Reply::Type::string, 0, "", {}}));
}

TEST(RedisReplyConversion, BulkStringsAreBinarySafe) {
  const std::string payload("a\0b\r\nc", 6);
  const std::string resp = "$6\r\n" + payload + "\r\n";
  const Reply r = convert(resp);
  EXPECT_EQ(r.type, Reply::Type::string);
  EXPECT_EQ(r.str, payload);
  EXPECT_EQ(r.str.size(), 6u);
}

TEST(RedisReplyConversion, TopLevelErrorIsARedisErrorWithTheServerText) {
  const auto result = to_result(*parse("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, "redis_error");
  EXPECT_EQ(result.error().message, "WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_FALSE(result.error().retryable);
}

TEST(RedisReplyConversion, ErrorsInsideArraysStayReplies) {
  // e.g. EXEC where one queued command failed
  const auto result = to_result(*parse("*3\r\n+OK\r\n-ERR value is not an integer\r\n*2\r\n:1\r\n$1\r\nx\r\n"));
  ASSERT_TRUE(result.ok());
  const Reply& r = *result;
  ASSERT_EQ(r.type, Reply::Type::array);
  ASSERT_EQ(r.elements.size(), 3u);
  EXPECT_EQ(r.elements[0], (Reply{Reply::Type::status, 0, "OK", {}}));
  EXPECT_EQ(r.elements[1], (Reply{Reply::Type::error, 0, "ERR value is not an integer", {}}));
  EXPECT_EQ(r.elements[2].type, Reply::Type::array);
  EXPECT_EQ(r.elements[2].elements,
            (std::vector<Reply>{Reply{Reply::Type::integer, 1, "", {}}, Reply{Reply::Type::string, 0, "x", {}}}));
}

TEST(RedisReplyConversion, EmptyArray) {
  const Reply r = convert("*0\r\n");
  EXPECT_EQ(r.type, Reply::Type::array);
  EXPECT_TRUE(r.elements.empty());
}

TEST(RedisReplyConversion, UnknownTypeIsNeverMistakenForData) {
  redisReply odd{};
  odd.type = 99;
  const Reply r = to_reply(odd);
  EXPECT_EQ(r.type, Reply::Type::error);
  EXPECT_NE(r.str.find("99"), std::string::npos);
}

}  // namespace
}  // namespace expo::redis::detail

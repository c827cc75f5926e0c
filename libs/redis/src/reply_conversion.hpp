#pragma once
// hiredis frees its reply objects as soon as a callback returns, so replies are copied out here into
// plain values. Pure functions; no hiredis context involved.

#include <hiredis/hiredis.h>

#include "expo/core/result.hpp"
#include "expo/redis/reply.hpp"

namespace expo::redis::detail {

// Every hiredis reply type, nested error replies included, as a Reply.
Reply to_reply(const redisReply& reply);

// A top-level error reply becomes the permanent Error "redis_error" carrying the server's text;
// anything else is to_reply(). Errors nested inside arrays (e.g. EXEC results) stay Replies.
Result<Reply> to_result(const redisReply& reply);

}  // namespace expo::redis::detail

#include "reply_conversion.hpp"

#include <string>

namespace expo::redis::detail {

Reply to_reply(const redisReply& reply) {
  Reply out;
  switch (reply.type) {
    case REDIS_REPLY_NIL:
      out.type = Reply::Type::nil;
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::integer;
      out.integer = reply.integer;
      break;
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::string;
      out.str.assign(reply.str, reply.len);  // binary-safe: the length, not the NUL
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::status;
      out.str.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::error;
      out.str.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::array;
      out.elements.reserve(reply.elements);
      for (std::size_t i = 0; i < reply.elements; ++i) {
        out.elements.push_back(to_reply(*reply.element[i]));
      }
      break;
    default:
      // hiredis 0.14 knows no other type; a newer one (RESP3) must not be mistaken for data.
      out.type = Reply::Type::error;
      out.str = "unsupported reply type " + std::to_string(reply.type);
      break;
  }
  return out;
}

Result<Reply> to_result(const redisReply& reply) {
  if (reply.type == REDIS_REPLY_ERROR) {
    return Error::permanent("redis_error", std::string(reply.str, reply.len));
  }
  return to_reply(reply);
}

}  // namespace expo::redis::detail

#pragma once
// A Redis reply as plain C++ values, detached from hiredis (whose reply objects die with the callback).
// Value type: copy and move freely; no thread affinity.

#include <string>
#include <vector>

namespace expo::redis {

struct Reply {
  enum class Type { nil, integer, string, status, error, array };

  Type type = Type::nil;
  long long integer = 0;        // Type::integer
  std::string str;              // Type::string (binary-safe), status and error text
  std::vector<Reply> elements;  // Type::array

  bool is_nil() const noexcept { return type == Type::nil; }

  friend bool operator==(const Reply&, const Reply&) = default;
};

}  // namespace expo::redis

#include "expo/core/json_kind.hpp"

namespace expo {

std::string_view json_kind_text(boost::json::kind kind) {
  switch (kind) {
    case boost::json::kind::null: return "null";
    case boost::json::kind::bool_: return "a boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64: return "an integer";
    case boost::json::kind::double_: return "a number";
    case boost::json::kind::string: return "a string";
    case boost::json::kind::array: return "an array";
    case boost::json::kind::object: return "an object";
  }
  return "an unknown kind";
}

}  // namespace expo

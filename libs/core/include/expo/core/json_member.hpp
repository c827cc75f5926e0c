#pragma once
// Reading a member of a JSON object the same way everywhere (request bodies, event payloads).

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

namespace expo {

// The object's string member `key`, or "" when it is absent or not a string (callers check what they
// require themselves and name the field in their own error).
std::string string_member(const boost::json::object& object, std::string_view key);

}  // namespace expo

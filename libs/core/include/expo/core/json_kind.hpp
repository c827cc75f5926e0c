#pragma once
// How error messages name the kind of a JSON value ("found a string"), the same in every library.

#include <boost/json/kind.hpp>
#include <string_view>

namespace expo {

// "null", "a boolean", "an integer", "a number", "a string", "an array", "an object".
std::string_view json_kind_text(boost::json::kind kind);

}  // namespace expo

#pragma once
// Text made safe for HTML pages the server renders.
// Pure functions: thread-safe.

#include <string>
#include <string_view>

namespace expo::web {

// Escapes & < > " ' so the result is safe as element text and inside a quoted attribute value.
std::string html_escape(std::string_view text);

// Makes serialised JSON safe inside <script type="application/json">: < > & and U+2028/U+2029 become
// \uXXXX escapes (valid JSON, since those characters can only occur inside JSON strings), so no
// value can close the element or start a comment.
std::string json_for_script(std::string_view json);

// Percent-encodes everything but RFC 3986 unreserved characters, for a query parameter value.
std::string url_encode(std::string_view text);

}  // namespace expo::web

#pragma once
// The request as handlers see it: plain strings, no Beast types, so services and their tests do not
// compile Beast. Header names are lower-cased; path parameters are filled by the router.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace expo::http {

enum class Method { get, head, post, put, patch, del, options, other };

std::string_view to_string(Method method);

struct Request {
  Method method = Method::other;
  std::string target;          // as received: path and query
  std::string path;            // percent-decoded path, no query
  std::string query;           // raw query string after '?', may be empty
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
  std::string remote_address;  // the client's; X-Real-IP only when the peer is the local front (loopback)
  std::string request_id;      // X-Request-Id from the client, or generated at the edge
  std::vector<std::pair<std::string, std::string>> params;   // from the route pattern

  // First header of that (lower-case) name.
  std::optional<std::string_view> header(std::string_view lower_name) const;
  // A path parameter declared as {name} in the route pattern; empty when absent.
  std::string_view param(std::string_view name) const;
  // A query parameter, percent-decoded ('+' is a space).
  std::optional<std::string> query_param(std::string_view name) const;
  // The token of "Authorization: Bearer <token>", if that is the header's form.
  std::optional<std::string_view> bearer_token() const;
};

// Percent-decoding; nullopt on a malformed escape. `plus_is_space` for query strings.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

}  // namespace expo::http

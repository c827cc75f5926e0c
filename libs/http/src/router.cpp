#include "expo/http/router.hpp"

#include <cassert>

namespace expo::http {

namespace {

struct Segment {
  enum class Kind { literal, param, rest } kind;
  std::string text;  // literal text or parameter name
};

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

}  // namespace

struct Router::Route {
  Method method;
  std::string pattern;
  std::vector<Segment> segments;
  Handler handler;
  RouteOptions options;
  std::shared_ptr<Broadcaster> broadcaster;

  // Fills params only on success.
  bool matches(std::string_view path, std::vector<std::pair<std::string, std::string>>& params) const {
    if (path.empty() || path.front() != '/') return false;
    const auto parts = split_path(path);
    std::vector<std::pair<std::string, std::string>> found;
    std::size_t i = 0;
    for (const auto& segment : segments) {
      if (segment.kind == Segment::Kind::rest) {
        std::string rest;
        for (std::size_t j = i; j < parts.size(); ++j) {
          if (j > i) rest += '/';
          rest += parts[j];
        }
        found.emplace_back(segment.text, std::move(rest));
        params = std::move(found);
        return true;
      }
      if (i >= parts.size()) return false;
      if (segment.kind == Segment::Kind::literal) {
        if (parts[i] != segment.text) return false;
      } else {
        if (parts[i].empty()) return false;
        found.emplace_back(segment.text, std::string(parts[i]));
      }
      ++i;
    }
    if (i != parts.size()) return false;
    params = std::move(found);
    return true;
  }
};

Router::Router() = default;
Router::~Router() = default;

namespace {
std::vector<Segment> parse_pattern(std::string_view pattern) {
  assert(!pattern.empty() && pattern.front() == '/');
  std::vector<Segment> segments;
  for (auto part : split_path(pattern)) {
    if (part.size() > 3 && part.substr(0, 2) == "{*" && part.back() == '}') {
      segments.push_back({Segment::Kind::rest, std::string(part.substr(2, part.size() - 3))});
    } else if (part.size() > 2 && part.front() == '{' && part.back() == '}') {
      segments.push_back({Segment::Kind::param, std::string(part.substr(1, part.size() - 2))});
    } else {
      segments.push_back({Segment::Kind::literal, std::string(part)});
    }
  }
  return segments;
}
}  // namespace

void Router::add(Method method, std::string pattern, Handler handler, RouteOptions options) {
  auto route = std::make_unique<Route>();
  route->method = method;
  route->options = options;
  route->segments = parse_pattern(pattern);
  route->pattern = std::move(pattern);
  route->handler = std::move(handler);
  routes_.push_back(std::move(route));
}

void Router::websocket(std::string pattern, std::shared_ptr<Broadcaster> broadcaster) {
  auto route = std::make_unique<Route>();
  route->method = Method::get;
  route->segments = parse_pattern(pattern);
  route->pattern = std::move(pattern);
  route->broadcaster = std::move(broadcaster);
  routes_.push_back(std::move(route));
}

Router::Match Router::match(Request& request, bool websocket_upgrade) const {
  Match result;
  result.pattern = "unmatched";
  const Method wanted = request.method == Method::head ? Method::get : request.method;
  std::vector<std::pair<std::string, std::string>> params;
  for (const auto& route : routes_) {
    if (!route->matches(request.path, params)) continue;
    const bool is_ws = route->broadcaster != nullptr;
    if (route->method == wanted && is_ws == websocket_upgrade) {
      request.params = std::move(params);
      result.pattern = route->pattern;
      if (is_ws) {
        result.kind = Match::Kind::websocket;
        result.broadcaster = route->broadcaster.get();
      } else {
        result.kind = Match::Kind::found;
        result.handler = &route->handler;
        result.body_limit = route->options.body_limit;
      }
      return result;
    }
    // The path exists with another method (or only as a WebSocket): remember it for a 405.
    if (result.kind != Match::Kind::method_not_allowed) {
      result.kind = Match::Kind::method_not_allowed;
      result.pattern = route->pattern;
    }
    const auto name = to_string(route->method);
    if (result.allow.find(name) == std::string::npos) {
      if (!result.allow.empty()) result.allow += ", ";
      result.allow += name;
    }
  }
  return result;
}

}  // namespace expo::http

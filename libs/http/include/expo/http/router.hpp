#pragma once
// Routes a request to a handler by method and path pattern. Patterns are literal segments and
// `{name}` parameters ("/v1/visitors/{visitor_id}/badge"); a final `{*name}` takes the rest of the
// path. The pattern text is the route's metrics label, so labels stay bounded whatever clients send.
// Not thread-safe to modify; build it before the server starts, then it is only read.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "expo/http/request.hpp"
#include "expo/http/responder.hpp"

namespace expo::http {

class Broadcaster;

using Handler = std::function<void(const Request&, Responder)>;

struct RouteOptions {
  // A body limit of the route's own (an offline sync batch, say); 0 keeps the server's.
  std::size_t body_limit = 0;
};

class Router {
 public:
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  void add(Method method, std::string pattern, Handler handler, RouteOptions options = {});
  void get(std::string pattern, Handler h) { add(Method::get, std::move(pattern), std::move(h)); }
  void post(std::string pattern, Handler h, RouteOptions options = {}) {
    add(Method::post, std::move(pattern), std::move(h), options);
  }
  void put(std::string pattern, Handler h) { add(Method::put, std::move(pattern), std::move(h)); }
  void del(std::string pattern, Handler h) { add(Method::del, std::move(pattern), std::move(h)); }
  // A WebSocket endpoint: GET with Upgrade joins the broadcaster's sessions.
  void websocket(std::string pattern, std::shared_ptr<Broadcaster> broadcaster);

  struct Match {
    enum class Kind { found, websocket, method_not_allowed, not_found } kind = Kind::not_found;
    const Handler* handler = nullptr;
    Broadcaster* broadcaster = nullptr;
    std::string_view pattern;            // the route label; "unmatched" when not found
    std::string allow;                   // for 405: the methods the path accepts
    std::size_t body_limit = 0;          // the route's own, 0 for the server's
  };
  // Fills request.params on a match. HEAD is answered by a GET route.
  Match match(Request& request, bool websocket_upgrade) const;

 private:
  struct Route;
  std::vector<std::unique_ptr<Route>> routes_;
};

}  // namespace expo::http

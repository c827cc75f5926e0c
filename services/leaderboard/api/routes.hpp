#pragma once
// The leaderboard's HTTP API (README.md has the table): the public boards, the audit and the stream;
// for operations the display switches, the rebuild and the operations page's data.
// Thread-safety: handlers run on the io thread.

#include <memory>
#include <string>

namespace expo::http {
class Router;
class Broadcaster;
}  // namespace expo::http
namespace expo::model {
struct Event;
}
namespace expo::clock {
class Clock;
}

namespace expo::leaderboard {

class LiveBoards;
class BoardStore;
class Rebuilder;
class Monitoring;

struct Api {
  std::shared_ptr<LiveBoards> boards;
  std::shared_ptr<BoardStore> store;
  std::shared_ptr<Rebuilder> rebuilder;
  std::shared_ptr<http::Broadcaster> broadcaster;
  std::shared_ptr<Monitoring> monitoring;
  const model::Event& event;
  const clock::Clock& clock;
  const std::string& admin_token;
};

void add_routes(http::Router& router, const Api& api);

}  // namespace expo::leaderboard

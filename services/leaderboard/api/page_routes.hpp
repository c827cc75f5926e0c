#pragma once
// GET /screen, GET /ops and their assets (pages/README.md).
// Thread-safety: handlers run on the io thread.

#include <memory>

namespace expo::http {
class Router;
class StaticFiles;
}  // namespace expo::http
namespace expo::model {
struct Event;
}

namespace expo::leaderboard {

class LiveBoards;
class Pages;

void add_page_routes(http::Router& router, std::shared_ptr<LiveBoards> boards, std::shared_ptr<const Pages> pages,
                     std::shared_ptr<const http::StaticFiles> assets, const model::Event& event);

}  // namespace expo::leaderboard

#include "api/page_routes.hpp"

#include "app/boards_view.hpp"
#include "app/live_boards.hpp"
#include "expo/http/router.hpp"
#include "expo/http/static_files.hpp"
#include "pages/pages.hpp"

namespace expo::leaderboard {

void add_page_routes(http::Router& router, std::shared_ptr<LiveBoards> boards, std::shared_ptr<const Pages> pages,
                     std::shared_ptr<const http::StaticFiles> assets, const model::Event& event) {
  const auto html = [](const std::string& body) {
    return http::Response::text(200, body, "text/html; charset=utf-8").with_header("Cache-Control", "no-store");
  };
  // The whole event's boards as the stream's messages carry them, so the first message changes nothing.
  router.get("/screen", [boards, pages, &event, html](const http::Request& request, http::Responder responder) {
    const auto& state = boards->state();
    BoardsState none;
    const auto& current = state ? *state : none;
    const auto periods = counts_by_period(current.counts);
    const auto found = periods.find(kWholeEvent);
    const auto& counts = found == periods.end() ? PeriodCounts{} : found->second;
    const auto innovations = innovation_board(event, counts.votes, kScreenRows);
    const auto regions = region_board(event, counts.votes, kScreenRows);
    const auto booths = booth_board(event, counts.checkins, counts.unique, kScreenRows);
    ScreenState screen{.innovations = innovations,
                       .regions = regions,
                       .booths = booths,
                       .display = display_of(current.display),
                       .frozen = current.display.frozen,
                       .updated_at = boards->updated_at(),
                       .day = boards->today(),
                       .version = boards->version()};
    responder.send(html(pages->screen_page(screen, board_from_query(request.query_param("board")))));
  });
  router.get("/ops", [pages, html](const http::Request& request, http::Responder responder) {
    responder.send(html(pages->ops_page(web::lang_from_query(request.query_param("lang")))));
  });
  router.get(std::string(kAssetsPrefix) + "{*path}", http::serve_static(std::move(assets)));
}

}  // namespace expo::leaderboard

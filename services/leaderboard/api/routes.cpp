#include "api/routes.hpp"

#include <charconv>

#include <boost/json/serialize.hpp>

#include "app/boards_export.hpp"
#include "app/boards_view.hpp"
#include "app/live_boards.hpp"
#include "app/monitoring.hpp"
#include "app/ops_view.hpp"
#include "app/rebuilder.hpp"
#include "domain/audit_json.hpp"
#include "expo/clock/clock.hpp"
#include "expo/event_model/event.hpp"
#include "expo/http/router.hpp"
#include "expo/service/admin.hpp"
#include "expo/service/csv_export.hpp"
#include "store/board_store.hpp"

namespace expo::leaderboard {
namespace {

using http::Request;
using http::Responder;
using http::Response;

constexpr std::size_t kMaxLimit = 1000;

Response unavailable() {
  return Response::error(503, "boards_unavailable", "the boards are not loaded yet").with_header("Retry-After", "1");
}

struct BoardQuery {
  std::optional<std::size_t> limit;
  std::string period{kWholeEvent};
};

// ?limit= (1..1000) and ?day= (an event day, YYYY-MM-DD); a refusal names the field.
std::variant<BoardQuery, Response> board_query(const Request& request, const model::Event& event) {
  BoardQuery q;
  if (auto limit = request.query_param("limit")) {
    std::size_t n = 0;
    const auto* end = limit->data() + limit->size();
    if (limit->empty() || std::from_chars(limit->data(), end, n).ptr != end || n < 1 || n > kMaxLimit) {
      return Response::field_error(422, "invalid_limit", "limit must be a whole number from 1 to 1000", "limit");
    }
    q.limit = n;
  }
  if (auto day = request.query_param("day")) {
    if (!event.has_day(*day)) return service::unknown_day();
    q.period = *day;
  }
  return q;
}

// The public boards change at most every 250 ms: a second of caching is harmless and shields the
// service from a crowd of phones reloading.
Response board_response(boost::json::array rows) {
  return Response::json(200, boost::json::serialize(rows)).with_header("Cache-Control", "public, max-age=1");
}

boost::json::object display_json(const DisplayState& d) {
  boost::json::object out;
  out["frozen"] = d.frozen;
  out["frozen_at"] = d.frozen_at;
  out["display"] = d.counts_hidden ? "ranks_only" : "full";
  return out;
}

boost::json::object progress_json(const RebuildProgress& p) {
  boost::json::object out;
  out["state"] = to_string(p.state);
  out["reason"] = p.reason;
  out["generation"] = p.generation;
  out["events"] = p.events;
  out["total"] = p.total;
  out["rounds"] = p.rounds;
  out["elapsed_ms"] = static_cast<std::int64_t>(p.seconds * 1000);
  out["live_after_ms"] = static_cast<std::int64_t>(p.live_after * 1000);
  out["events_per_second"] = events_per_second(p);
  if (!p.error.empty()) out["error"] = p.error;
  return out;
}

template <class Handler>
auto admin(const std::string& token, Handler handler) {
  return [&token, handler = std::move(handler)](const Request& request, Responder responder) {
    if (auto refused = service::check_admin(request, token)) return responder.send(std::move(*refused));
    handler(request, std::move(responder));
  };
}

}  // namespace

void add_routes(http::Router& router, const Api& api) {
  const auto& event = api.event;
  auto boards = api.boards;

  auto add_board = [&](std::string path, auto rows_of) {
    router.get(std::move(path), [boards, &event, rows_of](const Request& request, Responder responder) {
      const auto& state = boards->state();
      if (!state) return responder.send(unavailable());
      auto query = board_query(request, event);
      if (auto* refused = std::get_if<Response>(&query)) return responder.send(std::move(*refused));
      const auto& q = std::get<BoardQuery>(query);
      const auto periods = counts_by_period(state->counts);
      const auto found = periods.find(q.period);
      const auto& counts = found == periods.end() ? PeriodCounts{} : found->second;
      responder.send(board_response(rows_of(event, counts, display_of(state->display), q.limit)));
    });
  };
  add_board("/v1/leaderboards/innovations", [](const model::Event& e, const PeriodCounts& c, Display d, auto limit) {
    return to_json(innovation_board(e, c.votes, limit), d);
  });
  add_board("/v1/leaderboards/regions", [](const model::Event& e, const PeriodCounts& c, Display d, auto limit) {
    return to_json(region_board(e, c.votes, limit), d);
  });
  add_board("/v1/leaderboards/booths", [](const model::Event& e, const PeriodCounts& c, Display d, auto limit) {
    return to_json(booth_board(e, c.checkins, c.unique, limit), d);
  });

  // The tally behind what the public sees (the frozen copy while frozen), with the positions it covers.
  router.get("/v1/leaderboards/audit", [boards, &event](const Request&, Responder responder) {
    const auto& state = boards->state();
    if (!state) return responder.send(unavailable());
    auto body = audit_json(tally_of(state->counts, state->applied));
    body["event_id"] = event.id;
    body["frozen"] = state->display.frozen;
    if (state->display.frozen) body["frozen_at"] = state->display.frozen_at;
    responder.send(Response::json(200, boost::json::serialize(body)).with_header("Cache-Control", "no-store"));
  });

  router.websocket("/v1/stream", api.broadcaster);

  auto store = api.store;
  const auto& clock = api.clock;
  auto send_display = [boards](Responder responder) {
    return [boards, responder](Result<DisplayState> d) {
      if (!d) return responder.send(Response::from_error(d.error(), 409));
      boards->refresh([responder, body = boost::json::serialize(display_json(*d))] {
        responder.send(Response::json(200, body));
      });
    };
  };
  router.post("/v1/admin/leaderboards/freeze",
              admin(api.admin_token, [store, &clock, &event, send_display](const Request&, Responder responder) {
                store->set_frozen(true, clock::format_rfc3339(clock.now(), event.utc_offset), send_display(responder));
              }));
  router.post("/v1/admin/leaderboards/unfreeze",
              admin(api.admin_token, [store, send_display](const Request&, Responder responder) {
                store->set_frozen(false, "", send_display(responder));
              }));
  router.post("/v1/admin/leaderboards/hide-counts",
              admin(api.admin_token, [store, send_display](const Request&, Responder responder) {
                store->set_counts_hidden(true, send_display(responder));
              }));
  router.post("/v1/admin/leaderboards/show-counts",
              admin(api.admin_token, [store, send_display](const Request&, Responder responder) {
                store->set_counts_hidden(false, send_display(responder));
              }));

  auto rebuilder = api.rebuilder;
  router.post("/v1/admin/leaderboards/rebuild", admin(api.admin_token, [rebuilder](const Request&, Responder responder) {
                if (!rebuilder->start("requested")) {
                  return responder.send(Response::error(409, "rebuild_running", "a rebuild is already running"));
                }
                responder.send(Response::json(202, boost::json::serialize(progress_json(rebuilder->progress()))));
              }));
  // The operations page's data: traffic from the boards' activity counters, health from Prometheus.
  auto monitoring = api.monitoring;
  router.get("/v1/admin/ops", admin(api.admin_token, [store, monitoring, boards, &event, &clock](
                                                         const Request& request, Responder responder) {
               auto day = request.query_param("day");
               if (day && !event.has_day(*day)) return responder.send(service::unknown_day());
               const auto chosen = day ? *day : boards->today().value_or(model::format_date(event.days.front()));
               store->read_activity([monitoring, responder, &event, &clock, chosen](Result<Fields> activity) {
                 if (!activity) return responder.send(Response::from_error(activity.error()));
                 auto body = ops_json(event, *activity, chosen, clock.now());
                 monitoring->query([responder, body = std::move(body)](boost::json::object health) mutable {
                   body["monitoring"] = std::move(health);
                   responder.send(Response::json(200, boost::json::serialize(body)));
                 });
               });
             }));
  router.get("/v1/admin/leaderboards/rebuild", admin(api.admin_token, [rebuilder](const Request&, Responder responder) {
               responder.send(Response::json(200, boost::json::serialize(progress_json(rebuilder->progress()))));
             }));
  // The organisers' CSV of the three boards (app/boards_export.hpp); small, so built in memory.
  router.get("/v1/admin/exports/leaderboard.csv",
             admin(api.admin_token, [boards, &event](const Request& request, Responder responder) {
               auto day = request.query_param("day");
               if (day && !event.has_day(*day)) return responder.send(service::unknown_day());
               const auto& state = boards->state();
               if (!state) return responder.send(unavailable());
               const std::string period = day ? *day : std::string(kWholeEvent);
               const auto periods = counts_by_period(state->counts);
               const auto found = periods.find(period);
               auto body = boards_csv(event, found == periods.end() ? PeriodCounts{} : found->second, period);
               responder.send(Response::text(200, std::move(body), "text/csv; charset=utf-8")
                                  .as_attachment("leaderboard-" + event.id + (day ? "-" + *day : std::string()) + ".csv"));
             }));
}

}  // namespace expo::leaderboard

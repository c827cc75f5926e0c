#include "api/routes.hpp"

#include <boost/json/serialize.hpp>

#include "api/probe.hpp"
#include "app/operations.hpp"
#include "app/votes.hpp"
#include "expo/core/json_member.hpp"
#include "expo/event_model/event.hpp"
#include "expo/http/json_body.hpp"
#include "expo/http/router.hpp"
#include "expo/http/static_files.hpp"
#include "expo/service/admin.hpp"
#include "expo/service/device_auth.hpp"
#include "pages/pages.hpp"
#include "store/ledger_store.hpp"

namespace expo::voting {
namespace {

using http::Request;
using http::Responder;
using http::Response;

Response to_response(const VoteAnswer& a) {
  auto r = Response::json(a.status, a.body);
  if (a.retry_after_s) r.with_header("Retry-After", std::to_string(*a.retry_after_s));
  return r;
}

boost::json::object ballot_json(const Ballot& b) {
  boost::json::object out;
  out["open"] = b.open;
  out["votes_per_day"] = b.votes_per_day;
  out["remaining_today"] = b.remaining_today;
  boost::json::array booths(b.booths_visited.begin(), b.booths_visited.end());
  boost::json::array voted(b.innovations_voted.begin(), b.innovations_voted.end());
  out["booths_visited"] = std::move(booths);
  out["innovations_voted"] = std::move(voted);
  return out;
}

// A reason: 1-200 characters, no control characters (it is shown on the operations page).
bool acceptable_reason(std::string_view reason) {
  if (reason.empty() || reason.size() > 200) return false;
  return std::none_of(reason.begin(), reason.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

}  // namespace

void add_routes(http::Router& router, std::shared_ptr<Votes> votes, std::shared_ptr<Operations> operations,
                std::shared_ptr<LedgerStore> ledger, std::shared_ptr<const devices::DeviceRegistry> registry,
                std::shared_ptr<Probe> probe, const model::Event& event, const std::string& admin_token) {
  router.post("/v1/votes", [votes, registry, probe, &event](const Request& request, Responder responder) {
    // A device key is optional (a visitor's own phone has none); one that is sent must be valid.
    std::optional<devices::Device> device;
    if (request.header("authorization")) {
      auto authenticated = service::authenticate_device(*registry, request);
      if (auto* refusal = std::get_if<Response>(&authenticated)) return responder.send(std::move(*refusal));
      device = std::get<devices::Device>(std::move(authenticated));
    }
    auto body = http::parse_json_object(request);
    if (!body) return responder.send(http::json_body_error(body.error()));
    auto parsed = parse_vote(*body);
    if (auto* refused = std::get_if<VoteAnswer>(&parsed)) {
      probe->count(refused->outcome, {});
      return responder.send(to_response(*refused));
    }
    auto vote = std::get<VoteRequest>(std::move(parsed));
    vote.request_id = request.request_id;
    const auto* innovation = event.find_innovation(vote.innovation_id);
    votes->cast(device, std::move(vote),
                [responder, probe, innovation_id = innovation ? innovation->id : std::string()](VoteAnswer a) {
                  probe->count(a.outcome, innovation_id);
                  responder.send(to_response(a));
                });
  });

  router.get("/v1/votes/me", [votes](const Request& request, Responder responder) {
    const auto token = request.query_param("token");
    if (!token || token->empty()) {
      return responder.send(Response::field_error(422, "invalid_request", "token: the badge token is required", "token"));
    }
    votes->ballot(*token, [responder](Result<std::optional<Ballot>> ballot) {
      if (!ballot) return responder.send(Response::from_error(ballot.error(), 500));
      if (!*ballot) return responder.send(Response::error(401, "invalid_badge", "this badge is not valid for this event"));
      responder.send(Response::json(200, boost::json::serialize(ballot_json(**ballot))).with_header("Cache-Control", "no-store"));
    });
  });

  for (const bool open : {true, false}) {
    router.post(open ? "/v1/admin/voting/open" : "/v1/admin/voting/close",
                [operations, open, &admin_token](const Request& request, Responder responder) {
                  if (auto refusal = service::check_admin(request, admin_token)) return responder.send(std::move(*refusal));
                  operations->switch_voting(open, request.request_id, [responder, open](Result<void> switched) {
                    if (!switched) return responder.send(Response::from_error(switched.error(), 500));
                    boost::json::object out;
                    out["voting"] = open ? "open" : "closed";
                    responder.send(Response::json(200, boost::json::serialize(out)));
                  });
                });
  }

  router.get("/v1/admin/voting", [votes, operations, ledger, registry, &admin_token](const Request& request,
                                                                                   Responder responder) {
    if (auto refusal = service::check_admin(request, admin_token)) return responder.send(std::move(*refusal));
    ledger->flagged([responder, votes, operations, registry](Result<std::vector<FlaggedDevice>> flagged) {
      if (!flagged) return responder.send(Response::from_error(flagged.error(), 500));
      boost::json::object out;
      out["closed_by_operations"] = operations->closed();
      out["open_now"] = votes->open_now();
      boost::json::array devices;
      for (const auto& f : *flagged) {
        boost::json::object d;
        d["device_id"] = f.device_id;
        const auto known = registry->find(f.device_id);
        d["booth_id"] = known ? known->booth_id : std::string();
        d["label"] = known ? known->label : std::string();
        d["distinct_badges"] = f.distinct_badges;
        d["flagged_at_ms"] = f.flagged_at_ms;
        devices.push_back(std::move(d));
      }
      out["flagged_devices"] = std::move(devices);
      responder.send(Response::json(200, boost::json::serialize(out)));
    });
  });

  router.post("/v1/admin/votes/void", [operations, &admin_token](const Request& request, Responder responder) {
    if (auto refusal = service::check_admin(request, admin_token)) return responder.send(std::move(*refusal));
    auto body = http::parse_json_object(request);
    if (!body) return responder.send(http::json_body_error(body.error()));
    events::votes::Voided target;
    target.visitor_id = string_member(*body, "visitor_id");
    target.device_id = string_member(*body, "device_id");
    target.reason = string_member(*body, "reason");
    if (target.visitor_id.empty() == target.device_id.empty() || target.visitor_id.size() > 64 ||
        target.device_id.size() > 64) {
      return responder.send(Response::field_error(422, "invalid_request",
                                                  "name exactly one of visitor_id and device_id", "visitor_id"));
    }
    if (!acceptable_reason(target.reason)) {
      return responder.send(
          Response::field_error(422, "invalid_request", "reason: 1-200 characters, why these votes are void", "reason"));
    }
    operations->void_votes(target, request.request_id, [responder, target](Result<std::string> void_id) {
      if (!void_id) return responder.send(Response::from_error(void_id.error(), 500));
      boost::json::object out;
      out["void_id"] = *void_id;
      if (!target.visitor_id.empty()) out["visitor_id"] = target.visitor_id;
      if (!target.device_id.empty()) out["device_id"] = target.device_id;
      out["reason"] = target.reason;
      // Accepted: the ledger and the boards apply it as they read admin.v1, within moments.
      responder.send(Response::json(202, boost::json::serialize(out)));
    });
  });

  router.get("/v1/admin/votes/tally", [ledger, &event, &admin_token](const Request& request, Responder responder) {
    if (auto refusal = service::check_admin(request, admin_token)) return responder.send(std::move(*refusal));
    ledger->tally([responder, &event](Result<Tally> tally) {
      if (!tally) return responder.send(Response::from_error(tally.error(), 500));
      boost::json::array rows;
      std::int64_t counted = 0;
      std::int64_t voided = 0;
      // Every innovation of the event, in the event's order, with zeros where nobody voted.
      for (const auto& innovation : event.innovations) {
        const auto it = tally->innovations.find(innovation.id);
        const auto row = it == tally->innovations.end() ? Tally::Row{} : it->second;
        boost::json::object r;
        r["innovation_id"] = innovation.id;
        r["votes"] = row.votes;
        r["voided"] = row.voided;
        rows.push_back(std::move(r));
        counted += row.votes;
        voided += row.voided;
      }
      boost::json::object out;
      out["innovations"] = std::move(rows);
      out["votes"] = counted;
      out["voided"] = voided;
      responder.send(Response::json(200, boost::json::serialize(out)));
    });
  });
}

void add_page_routes(http::Router& router, std::shared_ptr<Votes> votes, std::shared_ptr<const Pages> pages,
                     std::shared_ptr<const http::StaticFiles> assets) {
  router.get("/vote", [votes, pages](const Request& request, Responder responder) {
    const auto lang = web::lang_from_query(request.query_param("lang"));
    const auto html = [](int status, const std::string& body) {
      return Response::text(status, body, "text/html; charset=utf-8").with_header("Cache-Control", "no-store");
    };
    const auto token = request.query_param("token");
    if (!token || token->empty()) return responder.send(html(404, pages->not_found_page(lang)));
    votes->ballot(*token, [responder, pages, lang, html](Result<std::optional<Ballot>> ballot) {
      if (!ballot) return responder.send(Response::from_error(ballot.error(), 500));
      if (!*ballot) return responder.send(html(404, pages->not_found_page(lang)));
      responder.send(html(200, pages->ballot_page(**ballot, lang)));
    });
  });
  router.get("/vote/assets/{*path}", http::serve_static(std::move(assets)));
}

}  // namespace expo::voting

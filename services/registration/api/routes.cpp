#include "api/routes.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <variant>

#include "api/probe.hpp"
#include "app/registrar.hpp"
#include "expo/crypto/encoding.hpp"
#include "expo/crypto/hash.hpp"
#include "expo/event_model/event.hpp"
#include "expo/http/json_body.hpp"
#include "expo/http/router.hpp"
#include "expo/http/static_files.hpp"
#include "expo/service/admin.hpp"
#include "pages/pages.hpp"

namespace expo::registration {
namespace {

using http::Request;
using http::Responder;
using http::Response;

constexpr std::size_t max_idempotency_key = 200;

bool acceptable_idempotency_key(std::string_view key) {
  if (key.empty() || key.size() > max_idempotency_key) return false;
  for (unsigned char c : key) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

Response html(std::string body) {
  // Pages may show personal data (the badge): never cached by the browser or a proxy.
  return Response::text(200, std::move(body), "text/html; charset=utf-8").with_header("Cache-Control", "no-store");
}

std::string_view outcome_label(SignUpOutcome::Kind kind) {
  using Kind = SignUpOutcome::Kind;
  switch (kind) {
    case Kind::created: return "created";
    case Kind::replayed: return "replayed";
    case Kind::duplicate_phone: return "duplicate_phone";
    case Kind::in_progress: return "in_progress";
    case Kind::key_reused: return "key_reused";
    case Kind::rate_limited: return "rate_limited";
    case Kind::unavailable: return "unavailable";
  }
  return "unavailable";
}

Response map_outcome(const SignUpOutcome& outcome) {
  using Kind = SignUpOutcome::Kind;
  switch (outcome.kind) {
    case Kind::created:
    case Kind::replayed:
      return Response::json(201, outcome.body);
    case Kind::duplicate_phone:
      return Response::field_error(409, "already_registered", "this phone number is already registered", "phone");
    case Kind::in_progress:
      return Response::error(409, "request_in_progress", "a request with this Idempotency-Key is still in progress")
          .with_header("Retry-After", "1");
    case Kind::key_reused:
      return Response::error(422, "idempotency_key_reused",
                             "this Idempotency-Key was used with a different request body");
    case Kind::rate_limited:
      return Response::error(429, "rate_limited", "too many sign-ups from this address; retry shortly")
          .with_header("Retry-After", std::to_string(outcome.retry_after.count()));
    case Kind::unavailable:
      break;
  }
  return Response::error(503, outcome.error.code, outcome.error.message).with_header("Retry-After", "1");
}

void sign_up(const std::shared_ptr<Registrar>& registrar, const std::shared_ptr<Probe>& probe,
             const model::Event& event, const Request& request, const Responder& responder) {
  auto body = http::parse_json_object(request);
  if (!body) {
    probe->count("invalid");
    return responder.send(http::json_body_error(body.error()));
  }
  auto validated = validate_visitor(*body, event);
  if (const auto* error = std::get_if<FieldError>(&validated)) {
    probe->count("invalid");
    return responder.send(Response::field_error(422, error->code, error->message, error->field));
  }
  SignUp sign_up{std::get<VisitorInput>(std::move(validated)), {}, {}, request.remote_address, request.request_id};
  if (const auto key = request.header("idempotency-key")) {
    if (!acceptable_idempotency_key(*key)) {
      probe->count("invalid");
      return responder.send(Response::error(400, "invalid_idempotency_key",
                                            "Idempotency-Key must be 1-200 printable ASCII characters"));
    }
    sign_up.idempotency_key = std::string(*key);
  }
  sign_up.fingerprint = crypto::hex_encode(crypto::sha256(request.body)).substr(0, 32);
  registrar->sign_up(std::move(sign_up), [responder, probe](SignUpOutcome outcome) {
    probe->count(outcome_label(outcome.kind));
    responder.send(map_outcome(outcome));
  });
}

Response not_found() { return Response::error(404, "not_found", "no such visitor"); }

boost::json::object visitor_json(const VisitorView& view) {
  boost::json::object out;
  const auto& r = view.record;
  out["visitor_id"] = r.visitor_id;
  out["code"] = r.code;
  out["visitor_type"] = r.visitor_type;
  out["origin_region"] = r.origin_region;
  out["registered_at"] = r.registered_at;
  out["erased"] = r.erased;
  if (view.personal) {
    boost::json::object personal;
    personal["name"] = view.personal->name;
    personal["phone"] = view.personal->phone ? boost::json::value(*view.personal->phone) : boost::json::value(nullptr);
    personal["email"] = view.personal->email ? boost::json::value(*view.personal->email) : boost::json::value(nullptr);
    out["personal_data"] = std::move(personal);
  } else {
    out["personal_data"] = nullptr;
  }
  return out;
}

}  // namespace

void add_routes(http::Router& router, std::shared_ptr<Registrar> registrar, std::shared_ptr<const Pages> pages,
                std::shared_ptr<const http::StaticFiles> assets, const model::Event& event,
                const std::string& admin_token, metrics::Registry& metrics) {
  auto probe = std::make_shared<Probe>(metrics);
  router.post("/v1/visitors", [registrar, probe, &event](const Request& request, Responder responder) {
    sign_up(registrar, probe, event, request, responder);
  });

  // A wrong or foreign token gets the same 404 as an unknown visitor: it reveals nothing.
  router.get("/v1/visitors/{visitor_id}/badge", [registrar, pages](const Request& request, Responder responder) {
    const std::string visitor_id(request.param("visitor_id"));
    const auto token = request.query_param("token");
    if (!token) return responder.send(not_found());
    auto named = registrar->verify_badge(*token);
    if (!named || *named != visitor_id) return responder.send(not_found());
    const auto lang = web::lang_from_query(request.query_param("lang"));
    registrar->find(visitor_id, [registrar, pages, responder, token = *token,
                                 lang](Result<std::optional<VisitorView>> found) {
      if (!found) return responder.send(Response::from_error(found.error(), 500));
      if (!*found || !(*found)->personal) return responder.send(not_found());
      const auto& view = **found;
      BadgeView badge{view.record.visitor_id, view.record.code, view.personal->name, view.record.visitor_type, token,
                      registrar->settings().vote_base_url + "/vote?token=" + token};
      responder.send(html(pages->badge_page(badge, lang)));
    });
  });

  router.get("/", [pages](const Request& request, Responder responder) {
    responder.send(html(pages->registration_page(web::lang_from_query(request.query_param("lang")),
                                                 request.query_param("mode") == "desk")));
  });
  router.get("/assets/{*path}", http::serve_static(std::move(assets)));

  router.get("/v1/admin/visitors/{visitor_id}", [registrar, &admin_token](const Request& request, Responder responder) {
    if (auto refusal = service::check_admin(request, admin_token)) return responder.send(std::move(*refusal));
    registrar->find(std::string(request.param("visitor_id")), [responder](Result<std::optional<VisitorView>> found) {
      if (!found) return responder.send(Response::from_error(found.error(), 500));
      if (!*found) return responder.send(not_found());
      responder.send(Response::json(200, boost::json::serialize(visitor_json(**found)))
                         .with_header("Cache-Control", "no-store"));
    });
  });

  router.del("/v1/admin/visitors/{visitor_id}", [registrar, &admin_token](const Request& request, Responder responder) {
    if (auto refusal = service::check_admin(request, admin_token)) return responder.send(std::move(*refusal));
    std::string visitor_id(request.param("visitor_id"));
    registrar->erase(visitor_id, request.request_id, [responder, visitor_id](Result<bool> erased) {
      if (!erased) return responder.send(Response::from_error(erased.error(), 500));
      if (!*erased) return responder.send(not_found());
      boost::json::object body;
      body["visitor_id"] = visitor_id;
      body["erased"] = true;
      responder.send(Response::json(200, boost::json::serialize(body)));
    });
  });
}

}  // namespace expo::registration

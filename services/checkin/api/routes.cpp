#include "api/routes.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <variant>

#include "api/probe.hpp"
#include "app/checkins.hpp"
#include "app/fleet.hpp"
#include "expo/core/rate_limiter.hpp"
#include "expo/event_model/event.hpp"
#include "expo/http/json_body.hpp"
#include "expo/http/router.hpp"
#include "expo/http/static_files.hpp"
#include "pages/pages.hpp"
#include "expo/service/admin.hpp"
#include "expo/service/device_auth.hpp"

namespace expo::checkin {
namespace {

using http::Request;
using http::Responder;
using http::Response;

constexpr std::size_t max_batch = 500;
// 500 scans of about 150 bytes each, with room to spare.
constexpr std::size_t batch_body_limit = 256 * 1024;

Response to_response(const ScanAnswer& a) {
  auto r = Response::json(a.status, a.body);
  if (a.retry_after_s) r.with_header("Retry-After", std::to_string(*a.retry_after_s));
  return r;
}

std::string result_of(const ScanAnswer& a) {
  boost::system::error_code ec;
  const auto v = boost::json::parse(a.body, ec);
  if (ec || !v.is_object()) return {};
  const auto* result = v.as_object().if_contains("result");
  if (result && result->is_string()) return std::string(result->as_string());
  // A refusal: its error code, which the probe counts by (expo_checkin_refusals_total).
  const auto* error = v.as_object().if_contains("error");
  const auto* code = error && error->is_object() ? error->as_object().if_contains("code") : nullptr;
  return code && code->is_string() ? std::string(code->as_string()) : std::string();
}

std::variant<devices::Device, Response> authenticate(const Fleet& fleet, const Request& request) {
  return service::authenticate_device(fleet.registry(), request);
}

}  // namespace

void add_routes(http::Router& router, std::shared_ptr<Checkins> checkins, std::shared_ptr<Fleet> fleet,
                std::shared_ptr<Probe> probe, const model::Event& event, const std::string& admin_token,
                RouteLimits limits) {
  auto limiter = std::make_shared<RateLimiter>(limits.scans_per_second, limits.scan_burst);

  router.post("/v1/checkins", [checkins, fleet, probe, limiter](const Request& request, Responder responder) {
    auto device = authenticate(*fleet, request);
    if (auto* refusal = std::get_if<Response>(&device)) return responder.send(std::move(*refusal));
    const auto& d = std::get<devices::Device>(device);
    if (!limiter->allow(d.device_id, RateLimiter::Clock::now())) {
      return responder.send(Response::error(429, "rate_limited", "too many scans from this device; slow down")
                                .with_header("Retry-After", "1"));
    }
    auto body = http::parse_json_object(request);
    if (!body) return responder.send(http::json_body_error(body.error()));
    auto parsed = parse_scan(*body, d);
    if (auto* refused = std::get_if<ScanAnswer>(&parsed)) {
      probe->count(refused->status, result_of(*refused), d.booth_id);
      return responder.send(to_response(*refused));
    }
    auto& scan = std::get<ScanRequest>(parsed);
    scan.request_id = request.request_id;
    checkins->scan(d, std::move(scan), [responder, probe, booth = d.booth_id](ScanAnswer a) {
      probe->count(a.status, result_of(a), booth);
      responder.send(to_response(a));
    });
  });

  router.post("/v1/checkins/batch", [checkins, fleet, probe](const Request& request, Responder responder) {
    auto device = authenticate(*fleet, request);
    if (auto* refusal = std::get_if<Response>(&device)) return responder.send(std::move(*refusal));
    const auto& d = std::get<devices::Device>(device);
    auto body = http::parse_json_object(request);
    if (!body) return responder.send(http::json_body_error(body.error()));
    const auto* items = body->if_contains("items");
    if (!items || !items->is_array()) {
      return responder.send(Response::error(422, "invalid_request", "items must be an array of scans"));
    }
    if (items->as_array().size() > max_batch) {
      return responder.send(Response::error(422, "batch_too_large", "at most 500 items per batch"));
    }
    std::vector<std::variant<ScanRequest, ScanAnswer>> scans;
    scans.reserve(items->as_array().size());
    for (const auto& item : items->as_array()) {
      if (!item.is_object()) {
        scans.emplace_back(refusal(422, "invalid_request", "each item must be an object"));
      } else {
        scans.push_back(parse_scan(item.as_object(), d));
        if (auto* scan = std::get_if<ScanRequest>(&scans.back())) scan->request_id = request.request_id;
      }
    }
    checkins->scan_batch(d, std::move(scans), [responder, probe, booth = d.booth_id](std::vector<ScanAnswer> answers) {
      boost::json::array results;
      for (const auto& a : answers) {
        probe->count(a.status, result_of(a), booth);
        boost::json::object result;
        result["status"] = a.status;
        result["body"] = boost::json::parse(a.body);
        results.push_back(std::move(result));
      }
      boost::json::object out;
      out["results"] = std::move(results);
      responder.send(Response::json(200, boost::json::serialize(out)));
    });
  }, http::RouteOptions{.body_limit = batch_body_limit});

  router.post("/v1/devices/heartbeat", [fleet, probe](const Request& request, Responder responder) {
    auto device = authenticate(*fleet, request);
    if (auto* refusal = std::get_if<Response>(&device)) return responder.send(std::move(*refusal));
    const auto& d = std::get<devices::Device>(device);
    auto body = http::parse_json_object(request);
    if (!body) return responder.send(http::json_body_error(body.error()));
    std::int64_t depth = 0;
    if (const auto* q = body->if_contains("queue_depth"); q && q->is_int64()) depth = std::max<std::int64_t>(0, q->as_int64());
    probe->heartbeat(d.device_id, d.booth_id, depth, std::chrono::steady_clock::now());
    fleet->heartbeat(d, *body, [responder](Result<void> saved) {
      if (!saved) return responder.send(Response::from_error(saved.error(), 500));
      responder.send(Response::text(204, {}, "application/json"));
    });
  });

  router.get("/v1/devices/me", [checkins, fleet, &event](const Request& request, Responder responder) {
    auto device = authenticate(*fleet, request);
    if (auto* refusal = std::get_if<Response>(&device)) return responder.send(std::move(*refusal));
    const auto d = std::get<devices::Device>(device);
    checkins->today(d, [responder, d, checkins, &event](Result<std::int64_t> count) {
      if (!count) return responder.send(Response::from_error(count.error(), 500));
      boost::json::object body;
      body["device_id"] = d.device_id;
      body["booth_id"] = d.booth_id;
      const auto* booth = event.find_booth(d.booth_id);
      body["booth_name"] = booth ? booth->name : d.booth_id;
      body["label"] = d.label;
      body["today_count"] = *count;
      const auto day = checkins->today_date();
      body["day"] = day ? boost::json::value(*day) : boost::json::value(nullptr);
      // The event clock's now: a tablet dates its offline scans by it (a rehearsal runs in 2023).
      body["server_time"] = checkins->now_text();
      responder.send(Response::json(200, boost::json::serialize(body)));
    });
  });

  router.post("/v1/admin/devices", [fleet, &admin_token](const Request& request, Responder responder) {
    if (auto refusal = service::check_admin(request, admin_token)) return responder.send(std::move(*refusal));
    auto body = http::parse_json_object(request);
    if (!body) return responder.send(http::json_body_error(body.error()));
    const auto* booth = body->if_contains("booth_id");
    const auto* label = body->if_contains("label");
    if (!booth || !booth->is_string()) {
      return responder.send(Response::field_error(422, "invalid_booth", "booth_id must name a booth", "booth_id"));
    }
    std::string label_text = label && label->is_string() ? std::string(label->as_string()) : std::string();
    if (label_text.size() > 80) {
      return responder.send(Response::field_error(422, "invalid_label", "label: at most 80 characters", "label"));
    }
    fleet->register_device(std::string(booth->as_string()), std::move(label_text), request.request_id, [responder](Result<NewDevice> created) {
      if (!created) {
        if (created.error().code == "unknown_booth") {
          return responder.send(Response::field_error(422, "invalid_booth", "booth_id must name a booth", "booth_id"));
        }
        return responder.send(Response::from_error(created.error(), 500));
      }
      boost::json::object out;
      out["device_id"] = created->device.device_id;
      out["device_key"] = created->device_key;
      out["booth_id"] = created->device.booth_id;
      out["label"] = created->device.label;
      // The fragment never reaches a server log: the tablet reads the key from it and forgets the URL.
      out["provisioning_url"] = "/booth#key=" + created->device_key;
      responder.send(Response::json(201, boost::json::serialize(out)).with_header("Cache-Control", "no-store"));
    });
  });

  router.get("/v1/admin/devices", [fleet, &admin_token](const Request& request, Responder responder) {
    if (auto refusal = service::check_admin(request, admin_token)) return responder.send(std::move(*refusal));
    fleet->list([responder](Result<boost::json::object> list) {
      if (!list) return responder.send(Response::from_error(list.error(), 500));
      responder.send(Response::json(200, boost::json::serialize(*list)));
    });
  });

  router.del("/v1/admin/devices/{device_id}", [fleet, &admin_token](const Request& request, Responder responder) {
    if (auto refusal = service::check_admin(request, admin_token)) return responder.send(std::move(*refusal));
    std::string device_id(request.param("device_id"));
    fleet->revoke(device_id, request.request_id, [responder, device_id](Result<bool> revoked) {
      if (!revoked) return responder.send(Response::from_error(revoked.error(), 500));
      if (!*revoked) return responder.send(Response::error(404, "not_found", "no such device"));
      boost::json::object out;
      out["device_id"] = device_id;
      out["revoked"] = true;
      responder.send(Response::json(200, boost::json::serialize(out)));
    });
  });
}

void add_page_routes(http::Router& router, std::shared_ptr<const Pages> pages,
                     std::shared_ptr<const http::StaticFiles> assets) {
  const auto html = [](const std::string& body) {
    return Response::text(200, body, "text/html; charset=utf-8").with_header("Cache-Control", "no-store");
  };
  router.get("/booth", [pages, html](const Request& request, Responder responder) {
    responder.send(html(pages->booth_page(web::lang_from_query(request.query_param("lang")))));
  });
  router.get("/admin/devices", [pages, html](const Request& request, Responder responder) {
    responder.send(html(pages->devices_page(web::lang_from_query(request.query_param("lang")))));
  });
  router.get(std::string(kServiceWorkerPath), [pages](const Request&, Responder responder) {
    responder.send(Response::text(200, pages->service_worker(), "text/javascript; charset=utf-8")
                       .with_header("Cache-Control", "no-cache")
                       .with_header("Service-Worker-Allowed", std::string(kServiceWorkerScope)));
  });
  router.get(std::string(kAssetsPrefix) + "{*path}", http::serve_static(std::move(assets)));
}

}  // namespace expo::checkin

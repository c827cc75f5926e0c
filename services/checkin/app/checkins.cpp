#include "app/checkins.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>

#include "expo/auth/ids.hpp"
#include "expo/clock/clock.hpp"
#include "expo/core/json_member.hpp"
#include "expo/core/log.hpp"
#include "expo/event_model/event.hpp"
#include "expo/events/envelope.hpp"
#include "expo/events/topics.hpp"
#include "expo/events/visitors.hpp"
#include "expo/http/response.hpp"
#include "expo/kafka/consumer.hpp"
#include "expo/kafka/producer.hpp"
#include "expo/kafka/tracing.hpp"
#include "expo/privacy/personal_data.hpp"

namespace expo::checkin {
namespace {

// A scan reserved in Redis waits at most this long for Kafka (kafka.delivery_timeout_ms is 5 s).
constexpr std::chrono::seconds pending_ttl{60};
constexpr std::size_t batch_concurrency = 32;

ScanAnswer answer(int status, const boost::json::object& body) { return ScanAnswer{status, boost::json::serialize(body), {}}; }

// "<status>|<body>" as the store keeps a first answer.
ScanAnswer stored_answer(const std::string& stored) {
  const auto bar = stored.find('|');
  if (bar == std::string::npos) return refusal(500, "internal", "a stored answer is unreadable");
  return ScanAnswer{std::stoi(stored.substr(0, bar)), stored.substr(bar + 1), {}};
}

ScanAnswer unavailable(const Error& error) {
  auto a = refusal(503, error.code, error.message);
  a.retry_after_s = 1;
  return a;
}

}  // namespace

ScanAnswer refusal(int status, std::string_view code, std::string_view message) {
  return ScanAnswer{status, http::error_body(code, message), {}};
}

std::variant<ScanRequest, ScanAnswer> parse_scan(const boost::json::object& object, const devices::Device& device) {
  const auto* badge = object.if_contains("badge");
  if (!badge || !badge->is_string() || badge->as_string().empty() || badge->as_string().size() > 200) {
    return refusal(422, "invalid_request", "badge must be the badge token or the 8-character code");
  }
  const auto client_event_id = string_member(object, "client_event_id");
  if (!events::is_plain_id(client_event_id)) {
    return refusal(422, "invalid_request", "client_event_id must be 1-64 letters, digits or -_.:");
  }
  // The booth is the device's; a body naming another booth is a tablet set up wrongly, or worse.
  if (const auto* booth = object.if_contains("booth_id"); booth && !(booth->is_string() && booth->as_string() == device.booth_id)) {
    return refusal(403, "wrong_booth", "this device belongs to another booth");
  }
  ScanRequest request{std::string(badge->as_string()), client_event_id, std::nullopt, {}};
  if (const auto* scanned = object.if_contains("scanned_at"); scanned && !scanned->is_null()) {
    if (!scanned->is_string()) return refusal(422, "invalid_request", "scanned_at must be an RFC 3339 time");
    request.scanned_at = std::string(scanned->as_string());
  }
  return request;
}

Checkins::Checkins(Settings settings, const model::Event& event, const clock::Clock& clock, kafka::Producer& producer,
                   std::shared_ptr<redis::Client> redis, std::shared_ptr<redis::Client> projection_redis)
    : settings_(std::move(settings)),
      event_(event),
      clock_(clock),
      producer_(producer),
      store_(std::move(redis), std::move(projection_redis)),
      signer_(settings_.badge.keys, settings_.badge.current_key_id, event.id) {}

std::optional<std::string> Checkins::today_date() const {
  const auto day = event_.day_index(clock_.now());
  if (!day) return std::nullopt;
  return model::format_date(event_.days[*day]);
}

std::string Checkins::now_text() const { return clock::format_rfc3339(clock_.now(), event_.utc_offset); }

void Checkins::scan(const devices::Device& device, ScanRequest request, std::function<void(ScanAnswer)> done) {
  const auto received = clock_.now();
  auto scan_time = received;
  if (request.scanned_at) {
    auto parsed = clock::parse_rfc3339(*request.scanned_at);
    if (!parsed) return done(refusal(422, "invalid_request", "scanned_at must be an RFC 3339 time"));
    scan_time = *parsed;
    if (scan_time > received + settings_.scan_tolerance) {
      return done(refusal(422, "scan_in_future", "scanned_at lies in the future; check the tablet's clock"));
    }
  }
  // Within the event's days, with some slack for a tablet's drifting clock: a scan just outside
  // counts on the nearest event day.
  auto day = event_.day_index(scan_time);
  if (!day) {
    const auto first = event_.local_time(0, std::chrono::minutes(0));
    const auto last_end = event_.local_time(event_.days.size() - 1, std::chrono::hours(24));
    if (scan_time >= first - settings_.scan_tolerance && scan_time < first) {
      day = 0;
    } else if (scan_time >= last_end && scan_time < last_end + settings_.scan_tolerance) {
      day = event_.days.size() - 1;
    } else {
      return done(refusal(422, "outside_event_days", "check-ins are accepted only on the event's days"));
    }
  }

  if (request.badge.starts_with("b1.")) {
    auto visitor_id = signer_.verify(request.badge);
    if (!visitor_id) return done(refusal(422, "invalid_badge", "this badge is not valid for this event"));
    return decide(device, request, std::move(*visitor_id), scan_time, *day, std::move(done));
  }
  const auto code = auth::normalize_short_code(request.badge);
  if (!code) return done(refusal(422, "invalid_badge", "not a badge code (8 characters, e.g. ABCD 2345)"));
  store_.resolve_code(*code, [self = shared_from_this(), device, request, scan_time, day = *day,
                              done = std::move(done)](Result<std::optional<std::string>> visitor_id) mutable {
    if (!visitor_id) return done(unavailable(visitor_id.error()));
    if (!*visitor_id) return done(refusal(404, "unknown_visitor", "no visitor has this code"));
    self->decide(device, request, std::move(**visitor_id), scan_time, day, std::move(done));
  });
}

void Checkins::decide(const devices::Device& device, const ScanRequest& request, std::string visitor_id,
                      std::chrono::system_clock::time_point scan_time, std::size_t day,
                      std::function<void(ScanAnswer)> done) {
  ScanKey key{std::move(visitor_id), device.booth_id, model::format_date(event_.days[day]), device.device_id,
              request.client_event_id};
  store_.decide(key, pending_ttl, [self = shared_from_this(), key, device, scan_time, request_id = request.request_id,
                                   done = std::move(done)](Result<Decision> decision) mutable {
    if (!decision) return done(unavailable(decision.error()));
    const auto name = self->greeting_name(decision->visitor, key.visitor_id);
    switch (decision->kind) {
      case Decision::Kind::replay:
        return done(stored_answer(decision->data));
      case Decision::Kind::busy: {
        auto busy = refusal(503, "scan_in_progress", "this visitor's check-in here is being recorded; retry");
        busy.retry_after_s = 1;
        return done(busy);
      }
      case Decision::Kind::already: {
        boost::json::object body;
        body["result"] = "already_checked_in";
        body["booth_id"] = key.booth_id;
        body["first_at"] = decision->data;
        if (!name.empty()) body["first_name"] = name;
        body["today_count"] = decision->count;
        auto already = answer(200, body);
        // Kept so a resend of this client_event_id gets this same answer.
        return self->store_.remember(key, already.status, already.body,
                                     [already, done = std::move(done)](Result<void>) mutable { done(already); });
      }
      case Decision::Kind::reserved:
        break;
    }
    const auto at = clock::format_rfc3339(scan_time, self->event_.utc_offset);
    events::Envelope event;
    event.event_id = events::new_event_id();
    event.type = "checked_in";
    event.occurred_at = at;
    event.payload["visitor_id"] = key.visitor_id;
    event.payload["booth_id"] = key.booth_id;
    event.payload["device_id"] = key.device_id;
    event.payload["day"] = key.day;
    event.payload["scanned_at"] = at;
    event.payload["received_at"] = clock::format_rfc3339(self->clock_.now(), self->event_.utc_offset);
    event.payload["client_event_id"] = key.client_event_id;
    self->producer_.produce(
        std::string(events::topics::checkins), key.visitor_id, events::encode(event), kafka::request_id_headers(request_id),
        [self, key, at, name, done = std::move(done)](Result<kafka::Delivery> delivery) mutable {
          if (!delivery) {
            // Not durable, so not counted: free the reservation so a retry can succeed.
            return self->store_.release(key, [error = delivery.error(), done = std::move(done)](Result<void>) mutable {
              done(unavailable(error));
            });
          }
          boost::json::object body;
          body["result"] = "checked_in";
          body["booth_id"] = key.booth_id;
          body["at"] = at;
          if (!name.empty()) body["first_name"] = name;
          // The body ends with today_count, which the commit makes: {..., "today_count":<n>}
          auto prefix = boost::json::serialize(body);
          prefix.pop_back();
          prefix += ",\"today_count\":";
          self->store_.commit(key, at, 201, prefix, [prefix, body, done = std::move(done)](Result<std::int64_t> count) mutable {
            if (!count) {
              // Durable in Kafka already: the answer stands, only the count is unknown.
              log::warn("check-in recorded in Kafka but not in Redis", {{"error", count.error().code}});
              return done(answer(201, body));
            }
            done(ScanAnswer{201, prefix + std::to_string(*count) + "}", {}});
          });
        });
  });
}

std::string Checkins::greeting_name(const VisitorSeen& visitor, const std::string& visitor_id) const {
  if (visitor.erased || visitor.personal.empty() || visitor.wrapped_key.empty()) return {};
  auto key = privacy::unwrap_data_key(settings_.wrapping_key, visitor.wrapped_key, visitor_id);
  if (!key) return {};
  auto personal = privacy::open_personal(visitor.personal, *key, visitor_id);
  if (!personal) return {};
  return privacy::first_name(personal->name);
}

void Checkins::scan_batch(const devices::Device& device, std::vector<std::variant<ScanRequest, ScanAnswer>> items,
                          std::function<void(std::vector<ScanAnswer>)> done) {
  struct Batch {
    std::vector<ScanAnswer> answers;
    std::vector<std::vector<std::size_t>> groups;  // item indexes per badge, in request order
    std::size_t next_group = 0;
    std::size_t groups_left = 0;
    std::function<void(std::vector<ScanAnswer>)> done;
  };
  auto batch = std::make_shared<Batch>();
  batch->answers.resize(items.size());
  batch->done = std::move(done);
  std::map<std::string, std::size_t> group_of;
  auto requests = std::make_shared<std::vector<ScanRequest>>(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (auto* refused = std::get_if<ScanAnswer>(&items[i])) {
      batch->answers[i] = std::move(*refused);
      continue;
    }
    (*requests)[i] = std::get<ScanRequest>(std::move(items[i]));
    auto [it, fresh] = group_of.try_emplace((*requests)[i].badge, batch->groups.size());
    if (fresh) batch->groups.emplace_back();
    batch->groups[it->second].push_back(i);
  }
  batch->groups_left = batch->groups.size();
  if (batch->groups_left == 0) return batch->done(std::move(batch->answers));

  // Runs the items of one group one after another, then starts the next group not yet started.
  auto run_group = std::make_shared<std::function<void(std::size_t, std::size_t)>>();
  *run_group = [self = shared_from_this(), device, batch, requests, run_group](std::size_t group, std::size_t pos) {
    const auto& members = batch->groups[group];
    if (pos == members.size()) {
      if (--batch->groups_left == 0) {
        auto finish = std::move(batch->done);
        finish(std::move(batch->answers));
        *run_group = nullptr;  // breaks the self-reference
        return;
      }
      if (batch->next_group < batch->groups.size()) (*run_group)(batch->next_group++, 0);
      return;
    }
    const auto index = members[pos];
    self->scan(device, (*requests)[index], [batch, run_group, group, pos, index](ScanAnswer a) {
      batch->answers[index] = std::move(a);
      (*run_group)(group, pos + 1);
    });
  };
  const auto first_wave = std::min(batch_concurrency, batch->groups.size());
  batch->next_group = first_wave;
  for (std::size_t g = 0; g < first_wave; ++g) (*run_group)(g, 0);
}

void Checkins::today(const devices::Device& device, std::function<void(Result<std::int64_t>)> done) {
  const auto day = today_date();
  if (!day) return done(std::int64_t{0});
  store_.count(device.booth_id, *day, std::move(done));
}

Result<void> Checkins::apply(const kafka::Message& message) {
  namespace visitors = events::visitors;
  auto read = visitors::read(message.topic, message.key, message.value, message.tombstone);
  if (!read) {
    kafka::log_skipped(message, read.error().message);
    return {};
  }
  Result<projection::Outcome> applied = projection::Outcome::duplicate;
  if (const auto* r = std::get_if<visitors::Registered>(&*read)) {
    applied = store_.apply_registered_sync(message, r->visitor_id, r->code, r->personal);
  } else if (const auto* e = std::get_if<visitors::Erased>(&*read)) {
    applied = store_.apply_erased_sync(message, e->visitor_id);
  } else if (const auto* k = std::get_if<visitors::DataKey>(&*read)) {
    applied = store_.apply_data_key_sync(message, k->visitor_id, k->wrapped_key);
  }
  if (!applied) return applied.error();
  return {};
}

}  // namespace expo::checkin

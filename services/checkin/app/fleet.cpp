#include "app/fleet.hpp"

#include "expo/auth/device.hpp"
#include "expo/clock/clock.hpp"
#include "expo/event_model/event.hpp"
#include "expo/events/topics.hpp"
#include "expo/kafka/producer.hpp"
#include "expo/kafka/tracing.hpp"
#include "store/checkin_store.hpp"

namespace expo::checkin {
namespace {

std::string now_text(const clock::Clock& clock) { return clock::format_rfc3339(clock.now(), std::chrono::minutes(0)); }

// Heartbeat fields a tablet may report, and their bounds: nothing else is stored.
std::string bounded_text(const boost::json::object& report, std::string_view key, std::size_t max) {
  const auto* v = report.if_contains(key);
  if (!v || !v->is_string()) return {};
  auto text = std::string(v->as_string());
  if (text.size() > max) text.resize(max);
  return text;
}

std::string bounded_number(const boost::json::object& report, std::string_view key, std::int64_t lo, std::int64_t hi) {
  const auto* v = report.if_contains(key);
  if (!v || !(v->is_int64() || v->is_uint64() || v->is_double())) return {};
  const auto n = v->is_double() ? static_cast<std::int64_t>(v->as_double()) : v->to_number<std::int64_t>();
  return std::to_string(std::clamp(n, lo, hi));
}

}  // namespace

Fleet::Fleet(std::shared_ptr<devices::DeviceRegistry> registry, CheckinStore& store, const model::Event& event,
             const clock::Clock& clock, kafka::Producer& producer)
    : registry_(std::move(registry)), store_(store), event_(event), clock_(clock), producer_(producer) {}

void Fleet::register_device(std::string booth_id, std::string label, std::string_view request_id,
                            std::function<void(Result<NewDevice>)> done) {
  if (!event_.find_booth(booth_id)) return done(Error::permanent("unknown_booth", "no booth with this id"));
  const auto credential = auth::new_device_credential();
  NewDevice created{devices::Device{credential.device_id, std::move(booth_id), std::move(label), credential.key_hash,
                                    now_text(clock_), false},
                    credential.key};
  auto event = devices::registered_event(created.device, created.device.registered_at);
  producer_.produce(std::string(events::topics::admin), created.device.device_id, events::encode(event),
                    kafka::request_id_headers(request_id),
                    [self = shared_from_this(), event, created = std::move(created),
                     done = std::move(done)](Result<kafka::Delivery> delivery) mutable {
                      if (!delivery) return done(delivery.error());
                      // The consumer applies it too; applying now lets the tablet start at once.
                      self->registry_->apply(event);
                      done(std::move(created));
                    });
}

void Fleet::revoke(const std::string& device_id, std::string_view request_id, std::function<void(Result<bool>)> done) {
  if (!registry_->find(device_id)) return done(false);
  auto event = devices::revoked_event(device_id, now_text(clock_));
  producer_.produce(std::string(events::topics::admin), device_id, events::encode(event),
                    kafka::request_id_headers(request_id),
                    [self = shared_from_this(), event, done = std::move(done)](Result<kafka::Delivery> delivery) {
                      if (!delivery) return done(delivery.error());
                      self->registry_->apply(event);
                      done(true);
                    });
}

void Fleet::list(std::function<void(Result<boost::json::object>)> done) {
  auto all = std::make_shared<std::vector<devices::Device>>(registry_->list());
  std::vector<std::string> ids;
  for (const auto& d : *all) ids.push_back(d.device_id);
  const auto now = clock_.now();
  store_.device_states(ids, [all, now, done = std::move(done)](
                                Result<std::vector<std::map<std::string, std::string>>> states) {
    if (!states) return done(states.error());
    boost::json::array list;
    for (std::size_t i = 0; i < all->size(); ++i) {
      const auto& d = (*all)[i];
      const auto& s = (*states)[i];
      boost::json::object item;
      item["device_id"] = d.device_id;
      item["booth_id"] = d.booth_id;
      item["label"] = d.label;
      item["registered_at"] = d.registered_at;
      item["revoked"] = d.revoked;
      const auto field = [&](const char* name) -> boost::json::value {
        const auto it = s.find(name);
        return it == s.end() || it->second.empty() ? boost::json::value(nullptr) : boost::json::value(it->second);
      };
      item["last_seen_at"] = field("last_seen_at");
      item["app_version"] = field("app_version");
      item["queue_depth"] = field("queue_depth");
      item["battery"] = field("battery");
      item["last_sync_at"] = field("last_sync_at");
      // Judged here, on the service's clock (the event clock may be shifted for a rehearsal).
      bool online = false;
      if (const auto seen = s.find("last_seen_at"); seen != s.end()) {
        const auto at = clock::parse_rfc3339(seen->second);
        online = at && now - *at <= online_window;
      }
      item["online"] = online && !d.revoked;
      list.push_back(std::move(item));
    }
    boost::json::object body;
    body["server_time"] = clock::format_rfc3339(now, std::chrono::minutes(0));
    body["devices"] = std::move(list);
    done(std::move(body));
  });
}

void Fleet::heartbeat(const devices::Device& device, const boost::json::object& report,
                      std::function<void(Result<void>)> done) {
  std::map<std::string, std::string> fields{
      {"last_seen_at", now_text(clock_)},
      {"app_version", bounded_text(report, "app_version", 32)},
      {"queue_depth", bounded_number(report, "queue_depth", 0, 1000000)},
      {"battery", bounded_number(report, "battery", 0, 100)},
      {"last_sync_at", bounded_text(report, "last_sync_at", 40)},
  };
  store_.save_heartbeat(device.device_id, fields, std::move(done));
}

}  // namespace expo::checkin

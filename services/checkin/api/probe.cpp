#include "api/probe.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <map>
#include <mutex>
#include <unordered_map>

#include "expo/event_model/event.hpp"
#include "expo/metrics/registry.hpp"

namespace expo::checkin {

namespace {
// The refusals a scan can get (app/checkins.cpp, api/routes.cpp); any other code counts as "other",
// so the label set stays this one whatever the code grows.
constexpr std::string_view refusal_codes[] = {"invalid_badge",  "unknown_visitor", "outside_event_days",
                                              "scan_in_future", "wrong_booth",     "invalid_request",
                                              "rate_limited",   "other"};
}  // namespace

struct Probe::Impl {
  prometheus::Family<prometheus::Counter>* results = nullptr;
  std::unordered_map<std::string, prometheus::Counter*> booth_checkins;
  std::unordered_map<std::string, prometheus::Gauge*> queue_depth;
  std::unordered_map<std::string, prometheus::Gauge*> booth_online;
  std::unordered_map<std::string_view, prometheus::Counter*> refusals;
  prometheus::Gauge* online = nullptr;
  struct Tablet {
    std::string booth_id;
    std::int64_t queue_depth;
    std::chrono::steady_clock::time_point seen;
  };
  std::mutex mutex;
  std::unordered_map<std::string, Tablet> tablets;
};

Probe::Probe(metrics::Registry& registry, const model::Event& event) : impl_(std::make_unique<Impl>()) {
  auto& r = registry.prometheus();
  impl_->results = &prometheus::BuildCounter().Name("expo_checkins_total").Help("Check-in answers by result").Register(r);
  for (const char* result : {"checked_in", "already_checked_in", "replayed", "refused", "unavailable"}) {
    impl_->results->Add({{"result", result}});
  }
  auto& booths = prometheus::BuildCounter()
                     .Name("expo_booth_checkins_total")
                     .Help("New check-ins per booth")
                     .Register(r);
  auto& depth = prometheus::BuildGauge()
                    .Name("expo_tablet_queue_depth")
                    .Help("Scans waiting in the booth's tablets' offline queues (last heartbeats)")
                    .Register(r);
  auto& booth_online = prometheus::BuildGauge()
                           .Name("expo_booth_tablets_online")
                           .Help("The booth's tablets with a heartbeat in the last 2 minutes")
                           .Register(r);
  // One series per booth of the event, from the start: the label set is the configuration's.
  for (const auto& booth : event.booths) {
    impl_->booth_checkins[booth.id] = &booths.Add({{"booth_id", booth.id}});
    impl_->queue_depth[booth.id] = &depth.Add({{"booth_id", booth.id}});
    impl_->booth_online[booth.id] = &booth_online.Add({{"booth_id", booth.id}});
  }
  auto& refusals = prometheus::BuildCounter()
                       .Name("expo_checkin_refusals_total")
                       .Help("Refused scans (4xx answers) by error code")
                       .Register(r);
  for (const auto code : refusal_codes) impl_->refusals[code] = &refusals.Add({{"code", std::string(code)}});
  impl_->online = &prometheus::BuildGauge()
                       .Name("expo_tablets_online")
                       .Help("Tablets with a heartbeat in the last 2 minutes")
                       .Register(r)
                       .Add({});
}

Probe::~Probe() = default;

void Probe::count(int status, std::string_view body_result, const std::string& booth_id) {
  std::string result = "refused";
  if (status == 201) result = "checked_in";
  else if (status == 200 && body_result == "already_checked_in") result = "already_checked_in";
  else if (status == 503) result = "unavailable";
  impl_->results->Add({{"result", result}}).Increment();
  if (status >= 400 && status < 500) {
    const auto it = impl_->refusals.find(body_result);
    (it != impl_->refusals.end() ? it->second : impl_->refusals.at("other"))->Increment();
  }
  if (status == 201) {
    if (const auto it = impl_->booth_checkins.find(booth_id); it != impl_->booth_checkins.end()) it->second->Increment();
  }
}

void Probe::heartbeat(const std::string& device_id, const std::string& booth_id, std::int64_t queue_depth,
                      std::chrono::steady_clock::time_point now) {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->tablets[device_id] = Impl::Tablet{booth_id, queue_depth, now};
  }
  refresh(now);
}

void Probe::refresh(std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(impl_->mutex);
  std::map<std::string, std::int64_t> depth_by_booth;
  std::map<std::string, std::int64_t> online_by_booth;
  std::int64_t online = 0;
  for (const auto& [id, tablet] : impl_->tablets) {
    if (now - tablet.seen > std::chrono::minutes(2)) continue;
    ++online;
    depth_by_booth[tablet.booth_id] += tablet.queue_depth;
    ++online_by_booth[tablet.booth_id];
  }
  impl_->online->Set(static_cast<double>(online));
  const auto set_from = [](const std::map<std::string, std::int64_t>& values, const std::string& booth,
                           prometheus::Gauge* gauge) {
    const auto it = values.find(booth);
    gauge->Set(it == values.end() ? 0.0 : static_cast<double>(it->second));
  };
  for (auto& [booth, gauge] : impl_->queue_depth) set_from(depth_by_booth, booth, gauge);
  for (auto& [booth, gauge] : impl_->booth_online) set_from(online_by_booth, booth, gauge);
}

}  // namespace expo::checkin

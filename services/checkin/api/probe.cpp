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

struct Probe::Impl {
  prometheus::Family<prometheus::Counter>* results = nullptr;
  std::unordered_map<std::string, prometheus::Counter*> booth_checkins;
  std::unordered_map<std::string, prometheus::Gauge*> queue_depth;
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
  // One series per booth of the event, from the start: the label set is the configuration's.
  for (const auto& booth : event.booths) {
    impl_->booth_checkins[booth.id] = &booths.Add({{"booth_id", booth.id}});
    impl_->queue_depth[booth.id] = &depth.Add({{"booth_id", booth.id}});
  }
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
  std::int64_t online = 0;
  for (const auto& [id, tablet] : impl_->tablets) {
    if (now - tablet.seen > std::chrono::minutes(2)) continue;
    ++online;
    depth_by_booth[tablet.booth_id] += tablet.queue_depth;
  }
  impl_->online->Set(static_cast<double>(online));
  for (auto& [booth, gauge] : impl_->queue_depth) {
    const auto it = depth_by_booth.find(booth);
    gauge->Set(it == depth_by_booth.end() ? 0.0 : static_cast<double>(it->second));
  }
}

}  // namespace expo::checkin

#include "api/probe.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <mutex>
#include <set>
#include <unordered_map>

#include "expo/event_model/event.hpp"
#include "expo/metrics/registry.hpp"

namespace expo::voting {

struct Probe::Impl {
  std::unordered_map<std::string, prometheus::Counter*> results;
  std::unordered_map<std::string, prometheus::Counter*> booth_votes;
  struct InnovationCounters {
    prometheus::Counter* votes;
    prometheus::Counter* booth_votes;
  };
  std::unordered_map<std::string, InnovationCounters> innovation_votes;
  std::unordered_map<std::string, prometheus::Counter*> booth_flags;
  prometheus::Gauge* open = nullptr;
  prometheus::Gauge* flagged_devices = nullptr;
  std::mutex mutex;
  std::set<std::string> flagged;
};

Probe::Probe(metrics::Registry& registry, const model::Event& event) : impl_(std::make_unique<Impl>()) {
  auto& r = registry.prometheus();
  auto& results = prometheus::BuildCounter().Name("expo_votes_total").Help("Vote answers by result").Register(r);
  for (const char* result : {"accepted", "replayed", "already_voted", "not_checked_in", "daily_quota_exhausted",
                             "voting_closed", "unknown_innovation", "invalid_badge", "invalid_request",
                             "rate_limited", "unavailable"}) {
    impl_->results[result] = &results.Add({{"result", result}});
  }
  auto& votes = prometheus::BuildCounter()
                    .Name("expo_booth_votes_total")
                    .Help("Accepted votes per booth of the innovation voted for")
                    .Register(r);
  auto& flags = prometheus::BuildCounter()
                    .Name("expo_voting_device_flags_total")
                    .Help("Votes through a tablet past the threshold of different badges (possible fraud)")
                    .Register(r);
  for (const auto& booth : event.booths) {
    impl_->booth_votes[booth.id] = &votes.Add({{"booth_id", booth.id}});
    impl_->booth_flags[booth.id] = &flags.Add({{"booth_id", booth.id}});
  }
  // One series per innovation of the event (77 in the default one), its region beside it so votes
  // per region are a sum without a join.
  auto& innovations = prometheus::BuildCounter()
                           .Name("expo_innovation_votes_total")
                           .Help("Accepted votes per innovation, labelled with the innovation's region")
                           .Register(r);
  for (const auto& innovation : event.innovations) {
    const auto booth = impl_->booth_votes.find(innovation.booth_id);
    impl_->innovation_votes[innovation.id] = {
        &innovations.Add({{"innovation_id", innovation.id}, {"region_id", innovation.region_id}}),
        booth == impl_->booth_votes.end() ? nullptr : booth->second};
  }
  impl_->open = &prometheus::BuildGauge().Name("expo_voting_open").Help("1 while voting is open").Register(r).Add({});
  impl_->flagged_devices = &prometheus::BuildGauge()
                                .Name("expo_voting_flagged_devices")
                                .Help("Tablets flagged for voting with many different badges")
                                .Register(r)
                                .Add({});
}

Probe::~Probe() = default;

void Probe::count(std::string_view outcome, const std::string& innovation_id) {
  if (auto it = impl_->results.find(std::string(outcome)); it != impl_->results.end()) it->second->Increment();
  if (outcome != "accepted") return;
  const auto it = impl_->innovation_votes.find(innovation_id);
  if (it == impl_->innovation_votes.end()) return;
  it->second.votes->Increment();
  if (it->second.booth_votes) it->second.booth_votes->Increment();
}

void Probe::flagged(const std::string& device_id, const std::string& booth_id) {
  if (auto it = impl_->booth_flags.find(booth_id); it != impl_->booth_flags.end()) it->second->Increment();
  std::lock_guard lock(impl_->mutex);
  impl_->flagged.insert(device_id);
  impl_->flagged_devices->Set(static_cast<double>(impl_->flagged.size()));
}

void Probe::set_open(bool open) { impl_->open->Set(open ? 1 : 0); }

}  // namespace expo::voting

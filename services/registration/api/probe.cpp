#include "api/probe.hpp"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <array>
#include <string>

#include "expo/metrics/registry.hpp"

namespace expo::registration {
namespace {
constexpr std::array<std::string_view, 8> outcomes{"created",     "replayed",   "duplicate_phone", "invalid",
                                                   "rate_limited", "in_progress", "key_reused",      "unavailable"};
}

struct Probe::Impl {
  std::array<prometheus::Counter*, outcomes.size()> counters{};
};

Probe::Probe(metrics::Registry& registry) : impl_(std::make_unique<Impl>()) {
  auto& family = prometheus::BuildCounter()
                     .Name("expo_registrations_total")
                     .Help("Sign-up requests by outcome")
                     .Register(registry.prometheus());
  // Every outcome exists from the start, so a rate over it is never "no data".
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    impl_->counters[i] = &family.Add({{"outcome", std::string(outcomes[i])}});
  }
}

Probe::~Probe() = default;

void Probe::count(std::string_view outcome) {
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    if (outcomes[i] == outcome) {
      impl_->counters[i]->Increment();
      return;
    }
  }
}

}  // namespace expo::registration

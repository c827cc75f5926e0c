#pragma once
// The registration service's business series:
//   expo_registrations_total{outcome}   created | replayed | duplicate_phone | invalid | rate_limited |
//                                       in_progress | key_reused | unavailable
// Labels are this fixed set, never anything a client sends. Thread-safe.

#include <memory>
#include <string_view>

namespace expo::metrics {
class Registry;
}

namespace expo::registration {

class Probe {
 public:
  explicit Probe(metrics::Registry& registry);
  ~Probe();
  void count(std::string_view outcome);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace expo::registration

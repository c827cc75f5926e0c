#pragma once
// The voting service's business series (labels bounded: outcomes are a fixed set, booths come from
// the event configuration):
//   expo_votes_total{result}                  accepted | replayed | already_voted | not_checked_in |
//                                             daily_quota_exhausted | voting_closed | unknown_innovation |
//                                             invalid_badge | invalid_request | rate_limited | unavailable
//   expo_booth_votes_total{booth_id}          accepted votes per innovation's booth
//   expo_innovation_votes_total{innovation_id,region_id}  accepted votes per innovation (and its region)
//   expo_voting_open                          1 while voting is open (event day, hours, not closed)
//   expo_voting_flagged_devices               tablets flagged for voting with many badges
//   expo_voting_device_flags_total{booth_id}  votes that found their tablet past the flag threshold
// Thread-safe.

#include <memory>
#include <string>
#include <string_view>

namespace expo::metrics {
class Registry;
}
namespace expo::model {
struct Event;
}

namespace expo::voting {

class Probe {
 public:
  Probe(metrics::Registry& registry, const model::Event& event);
  ~Probe();
  // innovation_id: the innovation voted for (empty when the request named none we know).
  void count(std::string_view outcome, const std::string& innovation_id);
  void flagged(const std::string& device_id, const std::string& booth_id);
  void set_open(bool open);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace expo::voting

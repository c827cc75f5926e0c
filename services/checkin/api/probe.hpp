#pragma once
// The check-in service's business series (labels bounded: results are a fixed set, booths come from
// the event configuration):
//   expo_checkins_total{result}              checked_in | already_checked_in | replayed | refused | unavailable
//   expo_booth_checkins_total{booth_id}      new check-ins per booth
//   expo_tablets_online                      tablets with a heartbeat in the last 2 minutes
//   expo_tablet_queue_depth{booth_id}        scans waiting on the booth's tablets, from heartbeats
//   expo_booth_tablets_online{booth_id}      the booth's tablets with a heartbeat in the last 2 minutes
//   expo_checkin_refusals_total{code}        refused scans by error code (a fixed set, else "other")
// Thread-safe.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace expo::metrics {
class Registry;
}
namespace expo::model {
struct Event;
}

namespace expo::checkin {

class Probe {
 public:
  Probe(metrics::Registry& registry, const model::Event& event);
  ~Probe();
  // body_result: the answer's "result", or for a refusal its error code.
  void count(int status, std::string_view body_result, const std::string& booth_id);
  // From heartbeats: the io thread keeps each tablet's last report.
  void heartbeat(const std::string& device_id, const std::string& booth_id, std::int64_t queue_depth,
                 std::chrono::steady_clock::time_point now);
  // Recomputes the fleet gauges (called on a timer and on each heartbeat).
  void refresh(std::chrono::steady_clock::time_point now);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace expo::checkin

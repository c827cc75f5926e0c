#pragma once
// The booth tablets as operations sees them: registering one (a key shown once), revoking one, the
// list with each tablet's last heartbeat. Registrations and revocations are events on admin.v1; the
// DeviceRegistry (libs/devices) follows that topic in every instance.
// Thread-safety: io thread only.

#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "expo/core/result.hpp"
#include "expo/devices/registry.hpp"

namespace expo::clock {
class Clock;
}
namespace expo::kafka {
class Producer;
}
namespace expo::model {
struct Event;
}

namespace expo::checkin {

class CheckinStore;

struct NewDevice {
  devices::Device device;
  std::string device_key;  // shown once
};

class Fleet : public std::enable_shared_from_this<Fleet> {
 public:
  Fleet(std::shared_ptr<devices::DeviceRegistry> registry, CheckinStore& store, const model::Event& event,
        const clock::Clock& clock, kafka::Producer& producer);

  // Errors: "unknown_booth" (permanent), Kafka's (retryable). request_id: of the HTTP call, copied into
  // the event's headers (libs/kafka/tracing.hpp).
  void register_device(std::string booth_id, std::string label, std::string_view request_id,
                       std::function<void(Result<NewDevice>)> done);
  // false: no such device.
  void revoke(const std::string& device_id, std::string_view request_id, std::function<void(Result<bool>)> done);
  // {"devices":[...]} with each tablet's last heartbeat.
  void list(std::function<void(Result<boost::json::object>)> done);
  void heartbeat(const devices::Device& device, const boost::json::object& report, std::function<void(Result<void>)> done);

  const devices::DeviceRegistry& registry() const { return *registry_; }

  // Tablets whose last heartbeat is at most this old count as online.
  static constexpr std::chrono::minutes online_window{2};

 private:
  std::shared_ptr<devices::DeviceRegistry> registry_;
  CheckinStore& store_;
  const model::Event& event_;
  const clock::Clock& clock_;
  kafka::Producer& producer_;
};

}  // namespace expo::checkin

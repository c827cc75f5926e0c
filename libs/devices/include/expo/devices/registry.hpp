#pragma once
// Booth tablets: who they are, which booth they belong to, whether they are revoked. The truth is
// admin.v1 (device_registered, device_revoked); every instance of every service that accepts device
// keys follows that topic from its beginning with a consumer group of its own, so a revocation takes
// effect everywhere within a poll interval (well under the 5 s PRODUCT.md allows). Keys are held only
// as SHA-256 hashes.
//
// Thread-safety: DeviceRegistry is safe to use from any thread (the consumer applies, the io thread
// authenticates).

#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "expo/core/result.hpp"
#include "expo/events/envelope.hpp"

namespace expo::devices {

struct Device {
  std::string device_id;
  std::string booth_id;
  std::string label;
  std::string key_hash;  // hex SHA-256 of the device key
  std::string registered_at;
  bool revoked = false;
};

// The admin.v1 events, built and read in one place.
events::Envelope registered_event(const Device& device, std::string occurred_at);
events::Envelope revoked_event(std::string_view device_id, std::string occurred_at);

class DeviceRegistry {
 public:
  // device_registered and device_revoked change the registry; other admin.v1 events are ignored.
  // Applying the same event twice changes nothing.
  void apply(const events::Envelope& event);

  // Errors: "unknown_device" (no such key), "device_revoked".
  Result<Device> authenticate(std::string_view device_key) const;
  std::optional<Device> find(std::string_view device_id) const;
  std::vector<Device> list() const;  // ordered by booth, then registration time

 private:
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Device> by_id_;
  std::unordered_map<std::string, std::string> id_by_key_hash_;
};

}  // namespace expo::devices

#include "expo/devices/registry.hpp"

#include <algorithm>
#include <mutex>

#include "expo/auth/device.hpp"
#include "expo/core/json_member.hpp"
#include "expo/events/envelope.hpp"

namespace expo::devices {
events::Envelope registered_event(const Device& device, std::string occurred_at) {
  auto e = events::make_envelope("device_registered", std::move(occurred_at));
  e.payload["device_id"] = device.device_id;
  e.payload["booth_id"] = device.booth_id;
  e.payload["label"] = device.label;
  e.payload["key_hash"] = device.key_hash;
  return e;
}

events::Envelope revoked_event(std::string_view device_id, std::string occurred_at) {
  auto e = events::make_envelope("device_revoked", std::move(occurred_at));
  e.payload["device_id"] = device_id;
  return e;
}

void DeviceRegistry::apply(const events::Envelope& event) {
  const auto device_id = string_member(event.payload, "device_id");
  if (device_id.empty()) return;
  std::unique_lock lock(mutex_);
  if (event.type == "device_registered") {
    Device device{device_id, string_member(event.payload, "booth_id"), string_member(event.payload, "label"),
                  string_member(event.payload, "key_hash"), event.occurred_at, false};
    if (const auto it = by_id_.find(device_id); it != by_id_.end()) {
      device.revoked = it->second.revoked;  // a replayed registration never un-revokes
      id_by_key_hash_.erase(it->second.key_hash);
    }
    id_by_key_hash_[device.key_hash] = device_id;
    by_id_[device_id] = std::move(device);
  } else if (event.type == "device_revoked") {
    if (const auto it = by_id_.find(device_id); it != by_id_.end()) it->second.revoked = true;
  }
}

Result<Device> DeviceRegistry::authenticate(std::string_view device_key) const {
  const auto hash = auth::device_key_hash(device_key);
  std::shared_lock lock(mutex_);
  const auto id = id_by_key_hash_.find(hash);
  if (id == id_by_key_hash_.end()) return Error::permanent("unknown_device", "unknown device key");
  const auto& device = by_id_.at(id->second);
  if (device.revoked) return Error::permanent("device_revoked", "this device has been revoked");
  return device;
}

std::optional<Device> DeviceRegistry::find(std::string_view device_id) const {
  std::shared_lock lock(mutex_);
  const auto it = by_id_.find(std::string(device_id));
  if (it == by_id_.end()) return std::nullopt;
  return it->second;
}

std::vector<Device> DeviceRegistry::list() const {
  std::vector<Device> out;
  {
    std::shared_lock lock(mutex_);
    out.reserve(by_id_.size());
    for (const auto& [id, device] : by_id_) out.push_back(device);
  }
  std::sort(out.begin(), out.end(), [](const Device& a, const Device& b) {
    return std::tie(a.booth_id, a.registered_at, a.device_id) < std::tie(b.booth_id, b.registered_at, b.device_id);
  });
  return out;
}

}  // namespace expo::devices

#pragma once
// The check-in rules and flow. A scan names a visitor (a badge token, verified by signature, or a
// short code), happens at the device's booth at a time that must lie within the event's days, and
// counts once per visitor, booth and event day (days cut at local midnight). A new check-in is
// answered 201 only after checkins.v1 acknowledged it; a repeat that day is 200 with the first time;
// a resend of the same client_event_id gets the first answer again and writes nothing.
// Thread-safety: scan/scan_batch/today on the io thread; apply() on the consumer thread.

#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "app/settings.hpp"
#include "expo/auth/badge.hpp"
#include "expo/devices/registry.hpp"
#include "store/checkin_store.hpp"

namespace expo::clock {
class Clock;
}
namespace expo::kafka {
class Producer;
struct Message;
}  // namespace expo::kafka
namespace expo::model {
struct Event;
}

namespace expo::checkin {

struct ScanRequest {
  std::string badge;
  std::string client_event_id;
  std::optional<std::string> scanned_at;
  std::string request_id;  // of the HTTP call, copied into the event's headers (libs/kafka/tracing.hpp)
};

// An answer ready for HTTP: the status and the JSON body (an error envelope for refusals).
struct ScanAnswer {
  int status = 500;
  std::string body;
  std::optional<int> retry_after_s;
};

// Reads one scan from JSON (the single call's body or a batch item); a refusal is already an answer.
std::variant<ScanRequest, ScanAnswer> parse_scan(const boost::json::object& object, const devices::Device& device);
ScanAnswer refusal(int status, std::string_view code, std::string_view message);

class Checkins : public std::enable_shared_from_this<Checkins> {
 public:
  Checkins(Settings settings, const model::Event& event, const clock::Clock& clock, kafka::Producer& producer,
           std::shared_ptr<redis::Client> redis, std::shared_ptr<redis::Client> projection_redis);

  void scan(const devices::Device& device, ScanRequest request, std::function<void(ScanAnswer)> done);
  // Answers in request order. Scans of the same badge run one after another (so a batch's duplicates
  // resolve like repeated calls); different badges run concurrently.
  void scan_batch(const devices::Device& device, std::vector<std::variant<ScanRequest, ScanAnswer>> items,
                  std::function<void(std::vector<ScanAnswer>)> done);
  // The booth's check-ins today (the event day of now).
  void today(const devices::Device& device, std::function<void(Result<std::int64_t>)> done);
  std::optional<std::string> today_date() const;
  std::string now_text() const;  // the service's (event) clock, RFC 3339 in the event's offset

  CheckinStore& store() { return store_; }
  // Consumer handler for visitors.v1 and visitor-keys.v1 (short codes and sealed names).
  Result<void> apply(const kafka::Message& message);

 private:
  void decide(const devices::Device& device, const ScanRequest& request, std::string visitor_id,
              std::chrono::system_clock::time_point scan_time, std::size_t day, std::function<void(ScanAnswer)> done);
  std::string greeting_name(const VisitorSeen& visitor, const std::string& visitor_id) const;

  Settings settings_;
  const model::Event& event_;
  const clock::Clock& clock_;
  kafka::Producer& producer_;
  CheckinStore store_;
  auth::BadgeSigner signer_;
};

}  // namespace expo::checkin

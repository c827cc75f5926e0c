#pragma once
// The check-in service's Redis keys, and the only code that touches them. All carry the hash tag
// {chk}: a scan's decision reads the visitor, its earlier answer and the booth's count and writes them
// back together, so on a Redis cluster they share one slot (check-ins are a few thousand a second
// at most, well within one shard; see README for the per-visitor alternative).
//
//   {chk}:visitor:<visitor_id>          hash: personal (sealed), wrapped (data key, wrapped), erased
//   {chk}:code:<short code>             visitor id
//   {chk}:seen:<visitor>:<booth>:<day>  "pending:<client_event_id>" while producing, then the first time
//   {chk}:answer:<device>:<client_event_id>  "<status>|<body>" of the first answer (7 days)
//   {chk}:count:<booth>:<day>           check-ins of a booth on an event day
//   {chk}:device:<device_id>            hash: last heartbeat (app_version, queue_depth, battery, ...)
//   {chk}:applied                       guard of the projection from visitors.v1 / visitor-keys.v1
//
// Thread-safety: asynchronous members on the io thread; *_sync members on the consumer thread.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "expo/core/result.hpp"
#include "expo/projection/guarded_apply.hpp"

namespace expo::redis {
class Client;
}
namespace expo::kafka {
struct Message;
}

namespace expo::checkin {

// What the store knows of a visitor (personal data sealed).
struct VisitorSeen {
  std::string personal;  // sealed; empty when unknown or erased
  std::string wrapped_key;
  bool erased = false;
};

struct ScanKey {
  std::string visitor_id;
  std::string booth_id;
  std::string day;  // YYYY-MM-DD, the event day of the scan
  std::string device_id;
  std::string client_event_id;
};

struct Decision {
  enum class Kind { reserved, replay, already, busy } kind = Kind::reserved;
  std::string data;  // replay: "<status>|<body>"; already: the first time
  std::int64_t count = 0;  // the booth's count for the day (already)
  VisitorSeen visitor;
};

class CheckinStore {
 public:
  // `redis` serves the asynchronous members (io thread); `sync_redis` the *_sync ones (consumer
  // threads), a connection of their own (service::Context::projection_redis).
  CheckinStore(std::shared_ptr<redis::Client> redis, std::shared_ptr<redis::Client> sync_redis);

  // The visitor id of a short code, if registration has published it.
  void resolve_code(const std::string& code, std::function<void(Result<std::optional<std::string>>)> done);
  // One round trip: the visitor, an earlier answer to this client_event_id, or an earlier check-in
  // of this visitor at this booth that day; otherwise the scan is reserved ("pending").
  void decide(const ScanKey& key, std::chrono::seconds pending_ttl, std::function<void(Result<Decision>)> done);
  // After Kafka acknowledged: the first time, the booth's count (returned), and the answer for resends,
  // which is body_before_count followed by the count and "}" (see Checkins).
  void commit(const ScanKey& key, const std::string& at, int status, const std::string& body_before_count,
              std::function<void(Result<std::int64_t>)> done);
  // Keeps the answer given to a scan that changed nothing (already checked in), for its resends.
  void remember(const ScanKey& key, int status, const std::string& body, std::function<void(Result<void>)> done);
  // After a failed produce: only this scan's pending mark is removed.
  void release(const ScanKey& key, std::function<void(Result<void>)> done);

  void count(const std::string& booth_id, const std::string& day, std::function<void(Result<std::int64_t>)> done);
  void save_heartbeat(const std::string& device_id, const std::map<std::string, std::string>& fields,
                      std::function<void(Result<void>)> done);
  void device_states(const std::vector<std::string>& device_ids,
                     std::function<void(Result<std::vector<std::map<std::string, std::string>>>)> done);

  // The projection of the visitor topics (guarded: a redelivery changes nothing).
  Result<projection::Outcome> apply_registered_sync(const kafka::Message& message, const std::string& visitor_id,
                                                    const std::string& code, const std::string& personal);
  Result<projection::Outcome> apply_erased_sync(const kafka::Message& message, const std::string& visitor_id);
  Result<projection::Outcome> apply_data_key_sync(const kafka::Message& message, const std::string& visitor_id,
                                                  const std::string& wrapped_key /* empty: tombstone */);

 private:
  std::shared_ptr<redis::Client> redis_;
  std::shared_ptr<redis::Client> sync_redis_;
};

}  // namespace expo::checkin

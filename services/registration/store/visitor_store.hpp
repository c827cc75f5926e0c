#pragma once
// The registration service's Redis keys, and the only code that touches them. Every key carries the
// hash tag {reg}: the scripts below touch a visitor, its phone and code indexes and an idempotency
// record together, so on a Redis cluster they must share a slot (registration's rate is far below
// what one shard serves).
//
//   {reg}:visitor:<visitor_id>   hash: code, visitor_type, origin_region, registered_at, personal
//                                (sealed), phone_hash, email_hash, erased (0/1)
//   {reg}:datakey:<visitor_id>   the visitor's data key, wrapped (deleted by erasure)
//   {reg}:phone:<lookup hash>    visitor id, or "pending:<visitor id>" while a sign-up is in flight
//   {reg}:code:<short code>      visitor id, or "pending:<visitor id>"
//   {reg}:idem:<sha256 of key>   "pending:<fingerprint>" or "done:<fingerprint>:<201 body>", with a TTL
//   {reg}:rl:<client hash>:<minute>  sign-ups of one client address in one minute
//   {reg}:applied                guard of the projection from visitors.v1 and visitor-keys.v1
//
// Thread-safety: the asynchronous members run on the io thread; the *_sync members (the projection)
// on the consumer thread.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "expo/core/result.hpp"
#include "expo/projection/guarded_apply.hpp"

namespace expo::redis {
class Client;
}
namespace expo::kafka {
struct Message;
}

namespace expo::registration {

// What Redis holds of a visitor (personal data sealed).
struct VisitorRecord {
  std::string visitor_id;
  std::string code;
  std::string visitor_type;
  std::string origin_region;
  std::string registered_at;
  std::string personal;  // sealed; empty once erased
  std::string phone_hash;
  std::string email_hash;
  bool erased = false;
};

struct StoredVisitor {
  VisitorRecord record;
  std::optional<std::string> wrapped_key;  // absent once erased
};

// Keys a sign-up reserves before it produces, so two concurrent sign-ups cannot both win.
struct Claim {
  std::string visitor_id;
  std::string code;
  std::string phone_hash;         // empty: no phone
  std::string idempotency_key;    // empty: no Idempotency-Key header
  std::string fingerprint;        // of the request body, to refuse a reused key with another body
};

struct Reservation {
  enum class Kind { reserved, replay, in_progress, key_reused, duplicate_phone, code_taken } kind;
  std::string replay_body;  // for replay
};

class VisitorStore {
 public:
  // `redis` serves the asynchronous members (io thread); `sync_redis` the *_sync ones (consumer
  // threads), a connection of their own (service::Context::projection_redis).
  VisitorStore(std::shared_ptr<redis::Client> redis, std::shared_ptr<redis::Client> sync_redis);

  // Counts one sign-up for the client in this minute; true while within the limit.
  void count_sign_up(const std::string& client_hash, std::int64_t minute, std::int64_t limit,
                     std::function<void(Result<bool>)> done);
  void reserve(const Claim& claim, std::chrono::seconds pending_ttl, std::function<void(Result<Reservation>)> done);
  // Undoes reserve() after a failed produce: only keys still pending for this claim are removed.
  void release(const Claim& claim, std::function<void(Result<void>)> done);
  // After Kafka acknowledged: the visitor, its indexes, its wrapped key and the idempotent answer.
  void commit(const Claim& claim, const VisitorRecord& record, const std::string& wrapped_key,
              const std::string& body, std::chrono::seconds idempotency_ttl, std::function<void(Result<void>)> done);
  void load(const std::string& visitor_id, std::function<void(Result<std::optional<StoredVisitor>>)> done);
  // Removes personal data, the data key and the lookup indexes; keeps what is not personal.
  void erase(const std::string& visitor_id, std::function<void(Result<bool /*existed*/>)> done);

  // The projection from the topics (consumer thread), guarded so a redelivery changes nothing.
  Result<projection::Outcome> apply_registered_sync(const kafka::Message& message, const VisitorRecord& record);
  Result<projection::Outcome> apply_erased_sync(const kafka::Message& message, const std::string& visitor_id);
  Result<projection::Outcome> apply_data_key_sync(const kafka::Message& message, const std::string& visitor_id,
                                                  const std::string& wrapped_key /* empty: tombstone */);

 private:
  std::shared_ptr<redis::Client> redis_;
  std::shared_ptr<redis::Client> sync_redis_;
};

}  // namespace expo::registration

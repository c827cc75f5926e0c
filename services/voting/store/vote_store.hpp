#pragma once
// The voting service's per-visitor Redis state, and the only code that touches it. Every key of one
// visitor carries the visitor's hash tag, so one script decides and reserves a vote atomically, and
// on a Redis cluster the visitors spread over the shards:
//
//   vote:{<visitor_id>}                     hash
//       b:<booth_id>       "1": checked in at that booth (from checkins.v1)
//       i:<innovation_id>  "<vote_id>" once durable, "p:<vote_id>:<day>:<expires_ms>" while producing
//       d:<day>            votes cast on that event day (YYYY-MM-DD), reserved ones included
//   vote:{<visitor_id>}:answer:<client_event_id>   "pending" while producing, then "<status>|<body>"
//   vote:checkins-position                  hash: partition -> next offset of checkins.v1 applied
//
// A reservation that outlives its producer (a crash between reserve and delivery) expires: the next
// decision for that visitor drops it and gives the day's vote back. If the vote did reach Kafka, the
// projection of votes.v1 writes it again (record_votes_sync), so the state always ends as the log says.
// Thread-safety: asynchronous members on the io thread; *_sync members on consumer threads.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/ballot.hpp"
#include "expo/core/result.hpp"

namespace expo::redis {
class Client;
}

namespace expo::voting {

class CommittedHere;

struct VoteKey {
  std::string visitor_id;
  std::string innovation_id;
  std::string booth_id;
  std::string day;  // YYYY-MM-DD
  std::string client_event_id;
  std::string vote_id;  // the id this attempt would get
};

// The facts the decision script saw, when it did not reserve.
struct VoterFacts {
  bool voted = false;   // for this innovation, ever
  bool visited = false; // this innovation's booth, any day
  int today = 0;        // votes cast today
};

struct Reservation {
  enum class Kind { reserved, refused, replay, busy } kind = Kind::refused;
  VoterFacts facts;      // refused
  int today = 0;         // reserved: votes today including this one
  std::string answer;    // replay: "<status>|<body>"
};

class VoteStore {
 public:
  // `redis` serves the asynchronous members (io thread); `sync_redis` the *_sync ones (consumer
  // threads), a connection of their own (service::Context::projection_redis).
  VoteStore(std::shared_ptr<redis::Client> redis, std::shared_ptr<redis::Client> sync_redis);

  // One script: an earlier answer to this client_event_id, or the facts of a refusal, or the vote
  // reserved (innovation marked, the day's count raised, the answer key "pending").
  void reserve(const VoteKey& key, int votes_per_day, std::chrono::milliseconds pending_for,
               std::function<void(Result<Reservation>)> done);
  // After Kafka acknowledged: the vote is durable, and the answer kept for resends.
  void commit(const VoteKey& key, int status, const std::string& body, std::function<void(Result<void>)> done);
  // After a failed produce: this reservation only is undone.
  void release(const VoteKey& key, std::function<void(Result<void>)> done);
  // Keeps a refusal for resends of the same client_event_id.
  void remember(const VoteKey& key, int status, const std::string& body, std::function<void(Result<void>)> done);
  // Keeps a refusal decided without the visitor's state as the first answer, unless there is an
  // earlier answer to this client_event_id: then that one ("pending" or "<status>|<body>") comes back.
  void remember_first(const VoteKey& key, int status, const std::string& body,
                      std::function<void(Result<std::optional<std::string>>)> done);
  // What the visitor's page shows (reservations still producing count as cast).
  void ballot(const std::string& visitor_id, const std::optional<std::string>& day, int votes_per_day,
              std::function<void(Result<Ballot>)> done);
  // Where the check-in view stands: per partition of checkins.v1, the next offset to apply (0 unseen).
  void checkins_position(std::size_t partitions, std::function<void(Result<std::vector<std::int64_t>>)> done);

  // Projections, a consumer's batch at a time (idempotent: a redelivery changes nothing). Each
  // visitor's keys live in their own slot, so the batch goes as one pipeline of small scripts.
  struct CheckinSeen {
    std::string visitor_id, booth_id;
  };
  struct VoteSeen {
    std::string visitor_id, innovation_id, vote_id, day;
  };
  Result<void> record_checkins_sync(const std::vector<CheckinSeen>& checkins);
  Result<void> advance_checkins_position_sync(std::int32_t partition, std::int64_t next_offset);
  // Skips the votes this instance committed itself (CommittedHere): their state is written already.
  Result<void> record_votes_sync(const std::vector<VoteSeen>& votes);

 private:
  std::shared_ptr<redis::Client> redis_;
  std::shared_ptr<redis::Client> sync_redis_;
  std::shared_ptr<CommittedHere> committed_here_;
};

}  // namespace expo::voting

#pragma once
// The ids of the votes this instance committed itself (VoteStore::commit ran the record script for
// them), the newest `capacity` of them. The projection of votes.v1 reads every vote again a moment
// later; for these it would run the same script to change nothing, one Redis call a vote at the peak.
// Forgetting an id (the capacity passed, another instance's vote) only costs that call.
// Thread-safe: the io thread adds, a consumer thread takes.

#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_set>

namespace expo::voting {

class CommittedHere {
 public:
  explicit CommittedHere(std::size_t capacity);

  void add(std::string vote_id);
  // True if the id was added and is still held; it is forgotten either way (a vote is read once).
  bool take(const std::string& vote_id);
  std::size_t size() const;

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_set<std::string> ids_;
  std::deque<std::string> order_;  // oldest first; may still name ids already taken
};

}  // namespace expo::voting

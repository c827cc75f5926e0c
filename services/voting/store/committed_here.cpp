#include "store/committed_here.hpp"

namespace expo::voting {

CommittedHere::CommittedHere(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

void CommittedHere::add(std::string vote_id) {
  std::lock_guard lock(mutex_);
  if (order_.size() == capacity_) {
    ids_.erase(order_.front());
    order_.pop_front();
  }
  order_.push_back(vote_id);
  ids_.insert(std::move(vote_id));
}

bool CommittedHere::take(const std::string& vote_id) {
  std::lock_guard lock(mutex_);
  return ids_.erase(vote_id) == 1;
}

std::size_t CommittedHere::size() const {
  std::lock_guard lock(mutex_);
  return ids_.size();
}

}  // namespace expo::voting

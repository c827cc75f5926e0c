#include "range_positions.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <utility>

namespace expo::kafka::detail {
namespace {

std::string name_of(const PartitionRange& r) { return r.topic + "/" + std::to_string(r.partition); }

Error invalid(const PartitionRange& r, const std::string& why) {
  return Error::permanent("kafka_config", "range " + name_of(r) + ": " + why);
}

}  // namespace

Result<RangePositions> RangePositions::create(std::span<const PartitionRange> ranges) {
  RangePositions out;
  std::set<std::pair<std::string_view, std::int32_t>> seen;
  for (const auto& r : ranges) {
    if (r.topic.empty()) return invalid(r, "empty topic name");
    if (r.partition < 0) return invalid(r, "negative partition");
    if (r.from < 0 || r.to < r.from) {
      return invalid(r, "offsets must satisfy 0 <= from <= to (from " + std::to_string(r.from) + ", to " +
                            std::to_string(r.to) + ")");
    }
    // Twice the same partition would read it twice in one client, which librdkafka cannot do.
    if (!seen.emplace(r.topic, r.partition).second) return invalid(r, "partition given twice");
    if (r.from == r.to) continue;
    out.ranges_.push_back(r);
    out.states_.push_back({r.from, false});
    out.total_ += r.to - r.from;
  }
  out.unfinished_ = out.ranges_.size();
  return out;
}

std::size_t RangePositions::find(std::string_view topic, std::int32_t partition) {
  const auto matches = [&](std::size_t i) { return ranges_[i].partition == partition && ranges_[i].topic == topic; };
  if (last_hit_ != npos && matches(last_hit_)) return last_hit_;
  for (std::size_t i = 0; i < ranges_.size(); ++i) {
    if (matches(i)) return last_hit_ = i;
  }
  return npos;
}

void RangePositions::advance(std::size_t index, std::int64_t to_offset) {
  auto& state = states_[index];
  const auto target = std::min(to_offset, ranges_[index].to);
  if (target <= state.position) return;
  done_ += target - state.position;
  state.position = target;
  if (state.position == ranges_[index].to) {
    state.finished = true;
    --unfinished_;
  }
}

RangePositions::Step RangePositions::on_message(std::size_t index, std::int64_t offset) {
  const auto& state = states_[index];
  if (state.finished) return {};
  // Below the position: already handed over (librdkafka does not send a message twice to one
  // client, but a repeat must never reach the handler).
  if (offset < state.position) return {};
  if (offset >= ranges_[index].to) {
    advance(index, ranges_[index].to);
    return {false, true};
  }
  advance(index, offset + 1);
  return {true, state.finished};
}

bool RangePositions::on_end(std::size_t index, std::int64_t next) {
  if (states_[index].finished) return false;
  advance(index, next);
  return states_[index].finished;
}

}  // namespace expo::kafka::detail

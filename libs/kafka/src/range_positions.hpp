#pragma once
// Where read_ranges stands in each of its ranges: which messages to hand over, when a range is
// finished, and how far the whole read is. No librdkafka types: the rules are plain arithmetic on
// offsets. One reader thread only.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "expo/core/result.hpp"
#include "expo/kafka/topic_reader.hpp"

namespace expo::kafka::detail {

class RangePositions {
 public:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  // Errors: "kafka_config" (permanent) for an empty topic name, a negative partition or offset,
  // to < from, or the same partition twice.
  static Result<RangePositions> create(std::span<const PartitionRange> ranges);

  // The ranges with something to read (from < to), in the order given.
  const std::vector<PartitionRange>& ranges() const { return ranges_; }
  // Index into ranges() of the range of (topic, partition), or npos. Cheap for runs of the same
  // partition (the last hit is tried first), which is how fetched messages arrive.
  std::size_t find(std::string_view topic, std::int32_t partition);

  struct Step {
    bool deliver = false;   // hand the message over
    bool finished = false;  // the range is finished by this step (true once per range)
  };
  // A message at `offset` of range `index`: delivered when at or after the position and before
  // `to`; a message at or beyond `to` is not delivered and finishes the range.
  Step on_message(std::size_t index, std::int64_t offset);
  // The partition's end was reached with the next offset to fetch being `next`: every offset below
  // it has been seen (or was no message: a transaction marker, a compacted gap). Returns whether
  // this finished the range.
  bool on_end(std::size_t index, std::int64_t next);

  bool all_finished() const { return unfinished_ == 0; }
  std::size_t unfinished() const { return unfinished_; }
  bool finished(std::size_t index) const { return states_[index].finished; }
  std::int64_t position(std::size_t index) const { return states_[index].position; }
  // Offsets passed over all ranges, and offsets in all ranges.
  std::int64_t done() const { return done_; }
  std::int64_t total() const { return total_; }

 private:
  struct State {
    std::int64_t position = 0;  // the next offset to hand over; from..to
    bool finished = false;
  };

  void advance(std::size_t index, std::int64_t to_offset);

  std::vector<PartitionRange> ranges_;
  std::vector<State> states_;
  std::size_t unfinished_ = 0;
  std::size_t last_hit_ = npos;
  std::int64_t done_ = 0;
  std::int64_t total_ = 0;
};

}  // namespace expo::kafka::detail

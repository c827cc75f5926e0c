#pragma once
// The messages the consumer loop (or read_ranges) has taken from librdkafka and not yet handled,
// with the views the handler gets: the one place an rd_kafka_message_t becomes a kafka::Message.
// The raw messages own the buffers the views point into, so both live and die together.
// One thread only (the consumer's, or the caller of read_ranges).

#include <librdkafka/rdkafka.h>

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "client.hpp"
#include "expo/kafka/consumer.hpp"

namespace expo::kafka::detail {

struct MessageDeleter {
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};
using MessagePtr = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;

class HeldBatch {
 public:
  // Takes a message that carries no error.
  void add(MessagePtr message);
  // Lets go of the messages of the given partitions (revoked while the batch was gathered): they are
  // not handled here, and their offsets are not stored, so their next owner starts at them.
  // Returns how many were let go.
  std::size_t drop_partitions(const rd_kafka_topic_partition_list_t& partitions);
  void clear();

  bool empty() const { return views_.empty(); }
  std::size_t size() const { return views_.size(); }
  std::span<const Message> messages() const { return views_; }

  // The next offset to commit for every partition in the batch: its highest offset + 1. Entries
  // appear in order of first appearance.
  PartitionListPtr next_offsets() const;

 private:
  std::vector<MessagePtr> raw_;
  std::vector<Message> views_;
};

}  // namespace expo::kafka::detail

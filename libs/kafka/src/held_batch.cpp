#include "held_batch.hpp"

#include <string>

namespace expo::kafka::detail {
namespace {

std::string_view as_view(const void* data, std::size_t size) {
  if (data == nullptr) return {};
  return {static_cast<const char*>(data), size};
}

Message view_of(const rd_kafka_message_t& m) {
  Message message;
  message.topic = rd_kafka_topic_name(m.rkt);
  message.partition = m.partition;
  message.offset = m.offset;
  message.key = as_view(m.key, m.key_len);
  message.value = as_view(m.payload, m.len);
  message.tombstone = m.payload == nullptr;
  rd_kafka_timestamp_type_t ts_type;
  message.timestamp_ms = rd_kafka_message_timestamp(&m, &ts_type);
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR && headers != nullptr) {
    const char* name = nullptr;
    const void* value = nullptr;
    std::size_t size = 0;
    for (std::size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      message.headers.push_back({name, std::string(as_view(value, size))});
    }
  }
  return message;
}

}  // namespace

void HeldBatch::add(MessagePtr message) {
  views_.push_back(view_of(*message));
  raw_.push_back(std::move(message));
}

std::size_t HeldBatch::drop_partitions(const rd_kafka_topic_partition_list_t& partitions) {
  std::size_t kept = 0;
  for (std::size_t i = 0; i < views_.size(); ++i) {
    const bool revoked =
        rd_kafka_topic_partition_list_find(&partitions, rd_kafka_topic_name(raw_[i]->rkt), raw_[i]->partition) != nullptr;
    if (revoked) continue;
    if (kept != i) {
      views_[kept] = std::move(views_[i]);
      raw_[kept] = std::move(raw_[i]);
    }
    ++kept;
  }
  const std::size_t dropped = views_.size() - kept;
  views_.resize(kept);
  raw_.resize(kept);
  return dropped;
}

void HeldBatch::clear() {
  views_.clear();  // the views first: they point into the raw messages
  raw_.clear();
}

PartitionListPtr HeldBatch::next_offsets() const {
  PartitionListPtr list(rd_kafka_topic_partition_list_new(4));
  for (const auto& m : raw_) {
    const char* topic = rd_kafka_topic_name(m->rkt);
    rd_kafka_topic_partition_t* entry = rd_kafka_topic_partition_list_find(list.get(), topic, m->partition);
    if (entry == nullptr) entry = rd_kafka_topic_partition_list_add(list.get(), topic, m->partition);
    // Arrival order is offset order within a partition, but a max costs nothing and assumes nothing.
    if (m->offset + 1 > entry->offset) entry->offset = m->offset + 1;
  }
  return list;
}

}  // namespace expo::kafka::detail

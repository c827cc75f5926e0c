#pragma once
// A bounded, group-less reader: reads given offset ranges of given partitions once, from start to
// end, and returns. For rebuilding a projection from the topics (read everything up to the end
// offsets of now, then again from there until a round finds nothing new) and for tools that recount
// the topics up to given offsets.
//
// No consumer group: partitions are assigned with explicit start offsets, nothing is committed, and
// running it never moves any group's offsets or triggers a rebalance of a service's consumers.
//
// Blocking (broker round trips, and reading may take minutes on a long topic): call it from a
// worker thread or a command-line tool, never from an io thread.
// Thread-safety: each call uses its own short-lived librdkafka client, so calls may run
// concurrently from different threads. The handler, on_progress and cancelled run only on the
// calling thread, inside the call.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "expo/core/result.hpp"
#include "expo/kafka/config.hpp"
#include "expo/kafka/consumer.hpp"

namespace expo::kafka {

// The messages of one partition with from <= offset < to. Empty when from == to.
struct PartitionRange {
  std::string topic{};
  std::int32_t partition = 0;
  std::int64_t from = 0;
  std::int64_t to = 0;
};

// (topic, partition) -> offset.
using PartitionOffsets = std::map<std::pair<std::string, std::int32_t>, std::int64_t>;

// One range for every partition of every topic in `topics` (in the order given, partitions in
// ascending order; a topic named twice counts once), with `to` = the partition's high watermark now
// (its end offset: every message acknowledged before the call lies below it) and `from` =
// `from_positions[(topic, partition)]` if given, else the low watermark. A given position below the
// low watermark (messages deleted by retention) is raised to it. So the next round of a rebuild
// passes the previous round's `to`s as `from_positions`.
// `extra`: librdkafka properties for the query client (security.protocol, sasl.*, ...).
// Blocking: a metadata request and one watermark request per partition, all within `timeout`.
// Errors: "kafka_unavailable" (retryable) when the broker does not answer within `timeout`;
// "kafka_unknown_topic" (permanent) for a topic that does not exist; "kafka_config" (permanent) for
// empty brokers or topic names, a negative position, or a position for a partition of no listed
// topic; "kafka_offset_out_of_range" (permanent) for a position beyond its partition's end (the
// topic was deleted and created again: the positions belong to another log).
Result<std::vector<PartitionRange>> ranges_to_end(const std::string& brokers, const std::vector<std::string>& topics,
                                                  const PartitionOffsets& from_positions = {},
                                                  std::chrono::milliseconds timeout = std::chrono::seconds(10),
                                                  const Properties& extra = {});

struct ReadOptions {
  // At most this many messages a handler call (at least 1). A call gets what has already been
  // fetched, so it may get fewer, never an empty span.
  std::size_t max_messages = 5000;
  // No progress (no message read, no range finished, no handler call returned) for this long ends
  // the read with "kafka_unavailable": an unreachable broker, or a `to` that is never reached.
  std::chrono::milliseconds timeout{30000};
  // After each handler call, and once at the end if the last ranges finished without one: how many
  // offsets of the ranges are behind the reader, of how many. Offsets, not messages (transaction
  // markers and compacted gaps count as read), so done reaches total exactly when every range is read.
  std::function<void(std::int64_t done, std::int64_t total)> on_progress{};
  // Asked between batches (at least every 100 ms); true ends the read with "cancelled".
  std::function<bool()> cancelled{};
  // Extra librdkafka properties (security.protocol, sasl.*, fetch sizes, ...). The ones the reader's
  // guarantees rest on (group.id, auto commit, enable.partition.eof, auto.offset.reset,
  // isolation.level, ...) are refused with "kafka_config".
  Properties extra{};
};

// For a reader paced by whoever consumes what it reads (a download its client reads at its own
// speed): little is fetched ahead (about 20,000 messages or 4 MiB, 1 MiB a fetch), so the process's
// memory stays flat whatever the topic holds. The defaults fetch far ahead, for a rebuild that reads
// as fast as it can. The properties serve ranges_to_end's `extra` too.
const Properties& paced_reader_properties();
ReadOptions paced_read_options(std::function<bool()> cancelled);

// Reads every range (empty ones are skipped) and hands the messages to `handler` in batches
// (BatchHandler, consumer.hpp: never empty, views valid during the call), in offset order within
// each partition (partitions interleave), each message once, a message at or beyond its range's
// `to` never. Offsets may jump (transaction markers, compaction): a range is finished when the
// reader's position in the partition reaches `to`, whether by a message or by reaching the
// partition's end. Returns success once every range is finished and its messages handled.
// Errors, each ending the read at once (nothing is retried; handled batches stay handled):
//  - the handler's own error (an exception it throws: "handler_exception"), returned as is;
//  - "kafka_unavailable" (retryable) after `options.timeout` without progress;
//  - "cancelled" (permanent) when options.cancelled() said so;
//  - "kafka_offset_out_of_range" (permanent) when a range starts outside its partition's log
//    (below the low watermark after retention, or beyond the end);
//  - "kafka_config" (permanent) for invalid ranges (negative or reversed offsets, the same partition
//    twice), empty brokers, an empty handler, max_messages = 0, a non-positive timeout, or a
//    property librdkafka or the reader refuses.
Result<void> read_ranges(const std::string& brokers, std::span<const PartitionRange> ranges,
                         const BatchHandler& handler, const ReadOptions& options = {});

}  // namespace expo::kafka

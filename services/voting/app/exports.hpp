#pragma once
// The organisers' export of every vote (GET /v1/admin/exports/votes.csv), read from votes.v1 and the
// voids on admin.v1: Kafka is the source of truth.
//
// Why from Kafka and not from the ledger in Redis: the ledger ({vote-ledger}:votes) is a projection
// that may lag the topic by up to a batch (250 ms), be mid-rebuild or lost, and it holds neither the
// vote's time as written nor its booth and region. Both topics are read up to their ends as of one
// moment (one kafka::ranges_to_end for both), admin.v1 first: its voids are few and kept in memory,
// so when a vote is read every void that can cover it is known, and the ledger's rule applies
// whatever order the two were written in (events::votes::voids: a void covers its visitor's or
// tablet's votes cast at or before it). Then votes.v1 streams through once, with the ledger's other
// rules: a vote_id seen before is the same vote (no second row); a visitor's later vote for an
// innovation with another id is a `repeat` that counts nowhere (and a void has nothing to take off
// it). The state column is then exactly what the ledger (and the leaderboard) would hold for the vote.
// Memory: the voids, and for each vote two 64-bit hashes (its id; its visitor and innovation), about
// 40 bytes a vote: ~2 MB for the 50,000 votes the event expects, never the rows themselves.
//
// Columns: vote_id, occurred_at (RFC 3339 in the event's UTC offset, +07:00 for WIB), local_time
// ("YYYY-MM-DD HH:MM:SS", event time), day, innovation_id, innovation_name, booth_id, region_id,
// region_name, device_id (empty for a vote from the visitor's phone), visitor_id (opaque), state
// (counted | voided | repeat), voided (true | false), void_reason (of the earliest void covering the
// vote; empty when not voided).
//
// Streamed like the check-in export: a worker thread (http::StreamWorkers) writes 64 KiB chunks, the
// connection sends one at a time; a client that goes away or a service that stops cancels the read.
// Thread-safety: reentrant; one call per download, each on its own worker thread.

#include <optional>
#include <string>

#include "expo/core/result.hpp"
namespace expo::http {
class ChunkWriter;
}

namespace expo::model {
struct Event;
}

namespace expo::voting {

// The CSV of the votes of `day` (an event day, already checked) or of the whole event, written to
// `out` (blocking: a Kafka read; on a worker thread, service::add_csv_export). A repeat is judged over
// the whole event whatever `day` is. Errors before the first byte: Kafka unreachable (retryable);
// "cancelled" once the download went away.
Result<void> write_votes_csv(const std::string& brokers, const model::Event& event,
                             const std::optional<std::string>& day, http::ChunkWriter& out);

std::string votes_csv_header();

}  // namespace expo::voting

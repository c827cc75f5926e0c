#pragma once
// The organisers' export of every check-in (GET /v1/admin/exports/checkins.csv), read from
// checkins.v1 itself: Kafka is the source of truth, and Redis keeps only what the scan flow needs.
//
// Streamed: a worker thread (http::StreamWorkers) reads the topic to its end as of the request
// (kafka::ranges_to_end, then read_ranges without a consumer group) and writes CSV rows into 64 KiB
// chunks; the connection sends one chunk at a time, so memory stays flat whatever the topic holds and
// a slow download slows the read. The client going away or the service stopping cancels the read.
//
// Columns (csv_columns()): checkin_id (the event's event_id), occurred_at (the scan time, RFC 3339 in
// the event's UTC offset, +07:00 for WIB), local_time ("YYYY-MM-DD HH:MM:SS" in event time, which
// spreadsheets take for a date-time), received_at (when the service got it: later than the scan for a
// tablet's offline queue synced afterwards; the event does not say more), day, booth_id, booth_name,
// region_id, region_name, device_id, visitor_id (the opaque id; no name, phone or e-mail is in the
// topic). Rows in partition order (per visitor, in time); partitions one after another.
//
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

namespace expo::checkin {

// The CSV of the check-ins of `day` (an event day, already checked) or of the whole event, written to
// `out` (blocking: a Kafka read; on a worker thread, service::add_csv_export). Errors before the first
// byte: Kafka unreachable (retryable); "cancelled" once the download went away.
Result<void> write_checkins_csv(const std::string& brokers, const model::Event& event,
                                const std::optional<std::string>& day, http::ChunkWriter& out);

// The header record's columns, in order (for tests and the README).
std::string csv_header();

}  // namespace expo::checkin

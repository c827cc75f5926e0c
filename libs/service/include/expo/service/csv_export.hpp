#pragma once
// The organisers' CSV downloads, offered the one way by every service that owns data:
//   GET /v1/admin/exports/<name>.csv[?day=YYYY-MM-DD]   (Authorization: Bearer <admin token>)
// The token is checked (401/403 as check_admin), `day` must be an event day (else 422 unknown_day,
// naming the field), and the body streams from `write` as text/csv, saved as
// "<name>-<event id>[-<day>].csv". `write` runs on a worker thread of the route's own
// http::StreamWorkers (blocking reads allowed; two exports at once, beyond that 503 "streams_busy"
// with Retry-After); an error it returns before the first byte becomes the error envelope (503 when
// retryable: Kafka away), after it a truncated transfer. The workers stop (cancelling the exports,
// joining their threads) with the service, through context.on_stop.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "expo/core/result.hpp"
#include "expo/http/response.hpp"

namespace expo::http {
class ChunkWriter;
}

namespace expo::service {

struct Context;

// Writes the CSV of `day` (an event day, already checked) or of the whole event (nullopt) to `out`.
using ExportWriter = std::function<Result<void>(const std::optional<std::string>& day, http::ChunkWriter& out)>;

void add_csv_export(Context& context, std::string name, ExportWriter write);

// 422 unknown_day naming the `day` field: the answer of every route whose ?day= is not an event day.
http::Response unknown_day();

}  // namespace expo::service

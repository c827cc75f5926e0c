#pragma once
// The organisers' CSV downloads, offered the one way by every service that owns data:
//   GET /v1/admin/exports/<name>.csv[?day=YYYY-MM-DD]   (Authorization: Bearer <admin token>)
// The token is checked (401/403 as check_admin), `day` must be an event day (else 422 unknown_day,
// naming the field), and the body streams from `start` (http::StreamWorkers: blocking reads on a
// worker thread) as text/csv, saved as "<name>-<event id>[-<day>].csv". start's errors become the
// error envelope: 503 with Retry-After when retryable (Kafka away, "streams_busy").

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "expo/core/result.hpp"
#include "expo/http/body_source.hpp"
#include "expo/http/response.hpp"

namespace expo::http {
class Router;
}

namespace expo::model {
struct Event;
}

namespace expo::service {

using ExportStart = std::function<Result<std::shared_ptr<http::BodySource>>(std::optional<std::string> day)>;

void add_csv_export(http::Router& router, std::string name, const model::Event& event, const std::string& admin_token,
                    ExportStart start);

// 422 unknown_day naming the `day` field: the answer of every route whose ?day= is not an event day.
http::Response unknown_day();

}  // namespace expo::service

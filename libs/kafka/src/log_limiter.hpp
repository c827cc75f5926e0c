#pragma once
// Rate-limited logging of librdkafka's errors and logs: a down broker reports the same failure many
// times a second per connection, which must not flood the service log.
// Thread-safe: librdkafka calls its log callback from its internal threads.

#include <chrono>
#include <cstdint>
#include <string_view>

#include "expo/core/log.hpp"

typedef struct rd_kafka_s rd_kafka_t;

namespace expo::kafka::detail {

inline constexpr std::chrono::seconds kLogWindow{10};

// True when a line for `key` may be written now (at most one per kLogWindow per key);
// `suppressed` receives how many were dropped for that key since the last line written.
bool log_allowed(std::string_view key, std::uint64_t& suppressed);

// Writes `msg` with the two fields, the client's name and the suppressed count, if the
// (client, key) pair is allowed now.
void log_limited(const rd_kafka_t* rk, log::Level level, std::string_view key, std::string_view msg,
                 log::Field first, log::Field second);

// Callbacks installed on every handle's configuration.
void log_callback(const rd_kafka_t* rk, int level, const char* fac, const char* buf);
void log_client_error(const rd_kafka_t* rk, int err, const char* reason);

}  // namespace expo::kafka::detail

#include "log_limiter.hpp"

#include <librdkafka/rdkafka.h>

#include <mutex>
#include <string>
#include <unordered_map>

namespace expo::kafka::detail {
namespace {

struct Slot {
  std::chrono::steady_clock::time_point last{};
  std::uint64_t suppressed = 0;
  bool used = false;
};

std::mutex g_mutex;
std::unordered_map<std::string, Slot> g_slots;
// Keys include the client name, and tests and restarts create clients freely: bound the map.
constexpr std::size_t kMaxSlots = 4096;

log::Level from_syslog(int level) {
  if (level <= 3) return log::Level::error;
  if (level == 4) return log::Level::warn;
  if (level <= 6) return log::Level::info;
  return log::Level::debug;
}

}  // namespace

bool log_allowed(std::string_view key, std::uint64_t& suppressed) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(g_mutex);
  auto it = g_slots.find(std::string(key));
  if (it == g_slots.end()) {
    if (g_slots.size() >= kMaxSlots) g_slots.clear();
    it = g_slots.emplace(std::string(key), Slot{}).first;
  }
  Slot& slot = it->second;
  if (slot.used && now - slot.last < kLogWindow) {
    ++slot.suppressed;
    return false;
  }
  suppressed = slot.suppressed;
  slot = Slot{now, 0, true};
  return true;
}

void log_limited(const rd_kafka_t* rk, log::Level level, std::string_view key, std::string_view msg,
                 log::Field first, log::Field second) {
  const std::string_view client = rk != nullptr ? rd_kafka_name(rk) : "kafka";
  std::string full_key;
  full_key.reserve(client.size() + key.size() + 1);
  full_key.append(client).append("/").append(key);
  std::uint64_t suppressed = 0;
  if (!log_allowed(full_key, suppressed)) return;
  if (suppressed == 0) {
    log::write(level, msg, {first, second, {"client", client}});
  } else {
    const std::string count = std::to_string(suppressed);
    log::write(level, msg, {first, second, {"client", client}, {"suppressed", count}});
  }
}

void log_callback(const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
  log_limited(rk, from_syslog(level), fac != nullptr ? fac : "log", "librdkafka",
              {"facility", fac != nullptr ? fac : ""}, {"detail", buf != nullptr ? buf : ""});
}

void log_client_error(const rd_kafka_t* rk, int err, const char* reason) {
  const auto code = static_cast<rd_kafka_resp_err_t>(err);
  const bool fatal = code == RD_KAFKA_RESP_ERR__FATAL;
  log_limited(rk, fatal ? log::Level::error : log::Level::warn, rd_kafka_err2name(code), "kafka client error",
              {"error", rd_kafka_err2name(code)}, {"reason", reason != nullptr ? reason : ""});
}

}  // namespace expo::kafka::detail

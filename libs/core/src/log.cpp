#include "expo/core/log.hpp"

#include <unistd.h>

#include <atomic>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <chrono>
#include <ctime>
#include <mutex>

namespace expo::log {
namespace {

std::atomic<Level> g_level{Level::info};
std::mutex g_service_mutex;
std::string g_service = "expo";

const char* level_name(Level level) {
  switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}

void append_quoted(std::string& out, std::string_view text) {
  out += boost::json::serialize(boost::json::string(text));
}

std::string utc_timestamp() {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const auto secs = time_point_cast<seconds>(now);
  const auto millis = duration_cast<milliseconds>(now - secs).count();
  const std::time_t t = system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  const auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf, n);
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(millis));
  out += frac;
  return out;
}

}  // namespace

void set_service(std::string_view name) {
  std::lock_guard lock(g_service_mutex);
  g_service = name;
}

void set_level(Level level) { g_level.store(level); }

bool enabled(Level level) { return level >= g_level.load(std::memory_order_relaxed); }

bool parse_level(std::string_view text, Level& out) {
  for (Level l : {Level::debug, Level::info, Level::warn, Level::error}) {
    if (text == level_name(l)) {
      out = l;
      return true;
    }
  }
  return false;
}

void write(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  if (level < g_level.load(std::memory_order_relaxed)) return;
  std::string line;
  line.reserve(128 + msg.size());
  line += "{\"ts\":\"";
  line += utc_timestamp();
  line += "\",\"level\":\"";
  line += level_name(level);
  line += "\",\"service\":";
  {
    std::lock_guard lock(g_service_mutex);
    append_quoted(line, g_service);
  }
  line += ",\"msg\":";
  append_quoted(line, msg);
  for (const auto& [key, value] : fields) {
    line += ',';
    append_quoted(line, key);
    line += ':';
    append_quoted(line, value);
  }
  line += "}\n";
  // One write(2) per line keeps lines whole when several threads log at once.
  [[maybe_unused]] auto written = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace expo::log

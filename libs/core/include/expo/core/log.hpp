#pragma once
// Structured logs: one JSON object per line on stderr, {"ts","level","service","msg",...fields}.
// Thread-safe: each line is formatted in the caller and written with a single write(2).
// Never pass personal data (names, phones, e-mails) as a field: there is no filter behind this.

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace expo::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

// Process-wide settings; call once at start, before threads log.
void set_service(std::string_view name);
void set_level(Level level);
// Parses "debug" | "info" | "warn" | "error"; returns false for anything else.
bool parse_level(std::string_view text, Level& out);
// Whether a line of `level` would be written now: lets a hot path skip building its fields.
bool enabled(Level level);

using Field = std::pair<std::string_view, std::string_view>;

void write(Level level, std::string_view msg, std::initializer_list<Field> fields = {});

inline void debug(std::string_view msg, std::initializer_list<Field> f = {}) { write(Level::debug, msg, f); }
inline void info(std::string_view msg, std::initializer_list<Field> f = {}) { write(Level::info, msg, f); }
inline void warn(std::string_view msg, std::initializer_list<Field> f = {}) { write(Level::warn, msg, f); }
inline void error(std::string_view msg, std::initializer_list<Field> f = {}) { write(Level::error, msg, f); }

}  // namespace expo::log

#pragma once
// CSV as the organisers' spreadsheets read it: RFC 4180 records (fields separated by commas,
// records ended by CRLF, a field holding a comma, a double quote, CR or LF enclosed in double quotes
// with its quotes doubled), UTF-8, and a byte order mark first so a spreadsheet that would otherwise
// guess a legacy code page (Excel on Windows) reads the names' non-ASCII letters right.
//
// A text field that starts with '=', '+', '-', '@', TAB or CR is written with a leading apostrophe:
// a spreadsheet would otherwise run it as a formula (CSV injection; a void reason is typed by a
// person). Numbers and flags go through integer()/boolean() and are never changed.
//
// Thread-safety: a RowWriter writes into the caller's string; use one per thread.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace expo::csv {

// The UTF-8 byte order mark a file starts with.
inline constexpr std::string_view bom = "\xEF\xBB\xBF";

// Appends one field to `out`, quoted when RFC 4180 requires it (no separator).
void append_field(std::string& out, std::string_view text);

// Builds one record in `out`: RowWriter(out).text("a").integer(2).boolean(true).end();
class RowWriter {
 public:
  explicit RowWriter(std::string& out) : out_(out) {}

  RowWriter& text(std::string_view value);
  RowWriter& integer(std::int64_t value);
  RowWriter& boolean(bool value);  // "true" | "false"
  // Ends the record with CRLF.
  void end();

 private:
  void separate();

  std::string& out_;
  bool first_ = true;
};

// "2023-11-23T09:00:00.000+07:00" -> "2023-11-23 09:00:00": the date and time as written (already in
// the event's offset), in the form spreadsheets take for a date-time. Shorter text is returned as is.
std::string spreadsheet_time(std::string_view rfc3339);

// A header record of the given column names.
void append_header(std::string& out, std::initializer_list<std::string_view> columns);

}  // namespace expo::csv

#include "expo/csv/writer.hpp"

#include <charconv>

namespace expo::csv {
namespace {

bool needs_quotes(std::string_view text) {
  return text.find_first_of(",\"\r\n") != std::string_view::npos;
}

// What a spreadsheet takes for the start of a formula (OWASP's list for CSV injection).
bool looks_like_formula(std::string_view text) {
  if (text.empty()) return false;
  const char c = text.front();
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

}  // namespace

void append_field(std::string& out, std::string_view text) {
  const bool formula = looks_like_formula(text);
  if (!needs_quotes(text) && !formula) {
    out.append(text);
    return;
  }
  out.push_back('"');
  if (formula) out.push_back('\'');
  for (const char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

RowWriter& RowWriter::text(std::string_view value) {
  separate();
  append_field(out_, value);
  return *this;
}

RowWriter& RowWriter::integer(std::int64_t value) {
  separate();
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out_.append(digits, end);
  return *this;
}

RowWriter& RowWriter::boolean(bool value) {
  separate();
  out_.append(value ? "true" : "false");
  return *this;
}

void RowWriter::end() {
  out_.append("\r\n");
  first_ = true;
}

void RowWriter::separate() {
  if (!first_) out_.push_back(',');
  first_ = false;
}

void append_header(std::string& out, std::initializer_list<std::string_view> columns) {
  RowWriter row(out);
  for (const auto column : columns) row.text(column);
  row.end();
}

std::string spreadsheet_time(std::string_view rfc3339) {
  if (rfc3339.size() < 19) return std::string(rfc3339);
  std::string out(rfc3339.substr(0, 19));
  out[10] = ' ';
  return out;
}

}  // namespace expo::csv

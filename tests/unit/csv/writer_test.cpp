// libs/csv: RFC 4180 quoting (commas, quotes, CR/LF), non-ASCII untouched, formulas neutralised, and a
// round trip of awkward fields through a strict RFC 4180 parser written here.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "expo/csv/writer.hpp"

namespace expo::csv {
namespace {

std::string field(std::string_view text) {
  std::string out;
  append_field(out, text);
  return out;
}

// RFC 4180, strictly: records end with CRLF; a quoted field may hold anything, "" is a quote; an
// unquoted field may hold neither a quote, CR nor LF. nullopt for text that breaks a rule.
std::optional<std::vector<std::vector<std::string>>> parse(std::string_view text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::size_t i = 0;
  while (i < text.size()) {
    std::string value;
    if (text[i] == '"') {
      ++i;
      for (;;) {
        if (i >= text.size()) return std::nullopt;
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            value.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        value.push_back(text[i++]);
      }
    } else {
      while (i < text.size() && text[i] != ',' && text[i] != '\r') {
        if (text[i] == '"' || text[i] == '\n') return std::nullopt;
        value.push_back(text[i++]);
      }
    }
    record.push_back(std::move(value));
    if (i < text.size() && text[i] == ',') {
      ++i;
      continue;
    }
    if (text.substr(i, 2) != "\r\n") return std::nullopt;
    i += 2;
    records.push_back(std::move(record));
    record.clear();
  }
  if (!record.empty()) return std::nullopt;
  return records;
}

TEST(CsvWriter, PlainFieldsStayAsTheyAre) {
  EXPECT_EQ(field("3579"), "3579");
  EXPECT_EQ(field("Kota Batu"), "Kota Batu");
  EXPECT_EQ(field(""), "");
  EXPECT_EQ(field("2023-11-23T09:00:00.000+07:00"), "2023-11-23T09:00:00.000+07:00");
}

TEST(CsvWriter, QuotesFieldsWithCommasQuotesAndLineBreaks) {
  EXPECT_EQ(field("Batu, Kota"), "\"Batu, Kota\"");
  EXPECT_EQ(field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(field("cr\rhere"), "\"cr\rhere\"");
  EXPECT_EQ(field("\""), "\"\"\"\"");
}

TEST(CsvWriter, NonAsciiTextIsWrittenUnchanged) {
  // UTF-8 bytes pass through: the byte order mark tells spreadsheets the encoding.
  EXPECT_EQ(field("Kabupaten Sumenep – Inovasi “Among Abdi Praja” 🚀"),
            "Kabupaten Sumenep – Inovasi “Among Abdi Praja” 🚀");
  EXPECT_EQ(field("Pelayanan, Terpadu ✓"), "\"Pelayanan, Terpadu ✓\"");
  EXPECT_EQ(bom, "\xEF\xBB\xBF");
}

TEST(CsvWriter, TextThatASpreadsheetWouldRunAsAFormulaIsNeutralised) {
  EXPECT_EQ(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
  EXPECT_EQ(field("+62 341"), "\"'+62 341\"");
  EXPECT_EQ(field("-1"), "\"'-1\"");
  EXPECT_EQ(field("@SUM(A1)"), "\"'@SUM(A1)\"");
  // Numbers written as numbers are never touched.
  std::string out;
  RowWriter(out).integer(-3).integer(0).integer(1234567890123).end();
  EXPECT_EQ(out, "-3,0,1234567890123\r\n");
}

TEST(CsvWriter, RowsAndHeaderEndWithCrlf) {
  std::string out;
  append_header(out, {"id", "name", "count"});
  RowWriter(out).text("3579").text("Kota Batu").integer(12).end();
  RowWriter(out).text("x").boolean(true).boolean(false).end();
  EXPECT_EQ(out, "id,name,count\r\n3579,Kota Batu,12\r\nx,true,false\r\n");
}

TEST(CsvWriter, AwkwardFieldsRoundTripThroughAStrictParser) {
  const std::vector<std::vector<std::string>> rows{
      {"id", "name", "note"},
      {"1", "Batu, Kota", "say \"hi\""},
      {"2", "", "line one\r\nline two\nthree"},
      {"3", "Sidoarjo “Smart” ✓", ",\",\r\n"},
      {"", "", ""},
  };
  std::string out;
  for (const auto& r : rows) {
    RowWriter w(out);
    for (const auto& f : r) w.text(f);
    w.end();
  }
  const auto parsed = parse(out);
  ASSERT_TRUE(parsed.has_value()) << out;
  EXPECT_EQ(*parsed, rows);
}

}  // namespace
}  // namespace expo::csv

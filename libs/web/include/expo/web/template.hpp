#pragma once
// A deliberately tiny template language for server-rendered pages:
//   {{name}}    the value, HTML-escaped
//   {{{name}}}  the value as it is, only for HTML the server made itself (the QR SVG, option lists)
// Names are [A-Za-z0-9_.-]+ with optional spaces inside the braces. There are no conditionals or
// loops: repeated markup is built in C++ (escaped there) and passed raw.
//
// Templates are parsed once at start; parse() rejects malformed markup, and names() lets the owner
// check, also at start, that it supplies every name the file uses, so a typo in a template fails
// the service's start (and its unit tests) instead of a request.
//
// Thread-safety and lifetime: a Template is an immutable value after parse(); share it freely.

#include <map>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "expo/core/result.hpp"

namespace expo::web {

using Values = std::map<std::string, std::string, std::less<>>;

class Template {
 public:
  // Errors: code "template_invalid", naming the line, e.g. "line 3: '{{' without '}}'".
  static Result<Template> parse(std::string_view text);

  // Every value the template uses must be present: a missing one is a programming error (the owner
  // checks names() at start) and throws std::invalid_argument naming it.
  std::string render(const Values& values) const;
  // The same, but every value unescaped: for plain text that is escaped later, where it is placed
  // (e.g. page strings that name the event).
  std::string render_text(const Values& values) const;

  // Substitutes the names present in `values` and keeps the others as holes, so values that never
  // change (page text, event name) are applied once at start and a request fills only the rest.
  Template bind(const Values& values) const;

  // The distinct names still to be filled, sorted.
  std::vector<std::string> names() const;
  // The names not present in `values` (empty when render(values) cannot throw).
  std::vector<std::string> missing(const Values& values) const;

 private:
  struct Part {
    enum class Kind { text, escaped, raw } kind = Kind::text;
    std::string text;  // literal text, or the name of a value
  };
  std::string render(const Values& values, bool escape) const;

  std::vector<Part> parts_;
  std::size_t literal_size_ = 0;  // to reserve the output once
};

// "{{a}}, {{b}}": names of template holes for an error message.
std::string holes_text(const std::vector<std::string>& names);

// A page file read whole (templates and strings are read once, at start). Errors: code
// "pages_invalid" naming the file.
Result<std::string> read_page_file(const std::filesystem::path& path);

}  // namespace expo::web

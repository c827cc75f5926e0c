#include "expo/web/template.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "expo/web/html.hpp"

namespace expo::web {
namespace {

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-';
}

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

Error invalid(std::string_view text, std::size_t at, std::string what) {
  const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n');
  return Error::permanent("template_invalid", "line " + std::to_string(line) + ": " + std::move(what));
}

}  // namespace

Result<Template> Template::parse(std::string_view text) {
  Template tpl;
  std::size_t pos = 0;
  auto add_text = [&tpl](std::string_view literal) {
    if (literal.empty()) return;
    if (!tpl.parts_.empty() && tpl.parts_.back().kind == Part::Kind::text) {
      tpl.parts_.back().text += literal;
    } else {
      tpl.parts_.push_back(Part{Part::Kind::text, std::string(literal)});
    }
    tpl.literal_size_ += literal.size();
  };
  while (pos < text.size()) {
    const auto open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      add_text(text.substr(pos));
      break;
    }
    add_text(text.substr(pos, open - pos));
    const bool raw = open + 2 < text.size() && text[open + 2] == '{';
    const std::string_view closing = raw ? "}}}" : "}}";
    const auto name_begin = open + (raw ? 3 : 2);
    const auto close = text.find(closing, name_begin);
    if (close == std::string_view::npos) {
      return invalid(text, open, std::string("'") + (raw ? "{{{" : "{{") + "' without '" + std::string(closing) + "'");
    }
    const auto inner = text.substr(name_begin, close - name_begin);
    const auto name = trim_spaces(inner);
    if (name.empty()) return invalid(text, open, "empty name between braces");
    if (!std::all_of(name.begin(), name.end(), name_char)) {
      return invalid(text, open, "bad name '" + std::string(name.substr(0, 40)) + "' (allowed: A-Z a-z 0-9 _ . -)");
    }
    // "{{a}}}" would leave a stray brace in the page: almost certainly a typo for {{{a}}}.
    const auto after = close + closing.size();
    if (!raw && after < text.size() && text[after] == '}') {
      return invalid(text, open, "'{{" + std::string(name) + "}}}' mixes two and three braces");
    }
    tpl.parts_.push_back(Part{raw ? Part::Kind::raw : Part::Kind::escaped, std::string(name)});
    pos = after;
  }
  return tpl;
}

std::string Template::render(const Values& values) const { return render(values, true); }

std::string Template::render_text(const Values& values) const { return render(values, false); }

std::string Template::render(const Values& values, bool escape) const {
  std::string out;
  out.reserve(literal_size_ + 256);
  for (const auto& part : parts_) {
    if (part.kind == Part::Kind::text) {
      out += part.text;
      continue;
    }
    const auto it = values.find(part.text);
    if (it == values.end()) throw std::invalid_argument("template value missing: " + part.text);
    out += part.kind == Part::Kind::raw || !escape ? it->second : html_escape(it->second);
  }
  return out;
}

Template Template::bind(const Values& values) const {
  Template bound;
  for (const auto& part : parts_) {
    const auto it = part.kind == Part::Kind::text ? values.end() : values.find(part.text);
    if (part.kind != Part::Kind::text && it == values.end()) {
      bound.parts_.push_back(part);
      continue;
    }
    const std::string literal = part.kind == Part::Kind::text  ? part.text
                                : part.kind == Part::Kind::raw ? it->second
                                                               : html_escape(it->second);
    if (!bound.parts_.empty() && bound.parts_.back().kind == Part::Kind::text) {
      bound.parts_.back().text += literal;
    } else {
      bound.parts_.push_back(Part{Part::Kind::text, literal});
    }
    bound.literal_size_ += literal.size();
  }
  return bound;
}

std::vector<std::string> Template::names() const {
  std::vector<std::string> out;
  for (const auto& part : parts_) {
    if (part.kind != Part::Kind::text) out.push_back(part.text);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::string> Template::missing(const Values& values) const {
  std::vector<std::string> out;
  for (auto& name : names()) {
    if (!values.contains(name)) out.push_back(std::move(name));
  }
  return out;
}

std::string holes_text(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + ("{{" + n + "}}");
  return out;
}

Result<std::string> read_page_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::permanent("pages_invalid", "cannot read " + path.string());
  std::ostringstream content;
  content << in.rdbuf();
  return std::move(content).str();
}

}  // namespace expo::web

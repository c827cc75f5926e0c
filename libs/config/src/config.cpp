#include "expo/config/config.hpp"

#include "expo/core/json_kind.hpp"

#include <algorithm>
#include <boost/json/stream_parser.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <utility>

namespace expo::config {
namespace {

namespace json = boost::json;

constexpr const char* kErrorCode = "config_invalid";

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view text) {
  constexpr std::string_view ws = " \t\r\n";
  const auto first = text.find_first_not_of(ws);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(ws);
  return text.substr(first, last - first + 1);
}

const char* type_name(Type type) {
  switch (type) {
    case Type::string: return "string";
    case Type::integer: return "integer";
    case Type::number: return "number";
    case Type::boolean: return "boolean";
  }
  return "?";
}

const char* a_type(Type type) {
  switch (type) {
    case Type::string: return "a string";
    case Type::integer: return "an integer";
    case Type::number: return "a number";
    case Type::boolean: return "a boolean";
  }
  return "?";
}

bool holds(const Value& value, Type type) {
  switch (type) {
    case Type::string: return std::holds_alternative<std::string>(value);
    case Type::integer: return std::holds_alternative<std::int64_t>(value);
    case Type::number: return std::holds_alternative<double>(value);
    case Type::boolean: return std::holds_alternative<bool>(value);
  }
  return false;
}

std::string double_text(double d) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return ec == std::errc{} ? std::string(buf, end) : std::string("?");
}

// How a value is shown to an operator: strings quoted so empty and blank values are visible.
std::string value_text(const Value& value) {
  struct Visitor {
    std::string operator()(const std::string& s) const { return json::serialize(json::string_view(s)); }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const { return double_text(d); }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
  };
  return std::visit(Visitor{}, value);
}

std::string shown(std::string_view key, const Value& value) {
  return is_secret_key(key) ? std::string("(hidden)") : value_text(value);
}

std::string range_text(const Field& field) {
  if (field.min && field.max) return std::to_string(*field.min) + ".." + std::to_string(*field.max);
  if (field.min) return ">= " + std::to_string(*field.min);
  if (field.max) return "<= " + std::to_string(*field.max);
  return {};
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string closest_key(const Schema& schema, std::string_view key) {
  const std::string wanted = lower(key);
  const Field* best = nullptr;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const Field& field : schema.fields()) {
    const std::size_t d = edit_distance(wanted, field.key);
    if (d < best_distance) {  // strict: ties keep declaration order
      best = &field;
      best_distance = d;
    }
  }
  return best ? best->key : std::string();
}

bool valid_key(std::string_view key) {
  if (key.empty() || key.front() == '.' || key.back() == '.') return false;
  char previous = '\0';
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (!ok || (c == '.' && previous == '.')) return false;
    previous = c;
  }
  return true;
}

bool is_prefix_object(std::string_view object, std::string_view key) {
  return key.size() > object.size() && key.substr(0, object.size()) == object && key[object.size()] == '.';
}

// --- values from the environment -------------------------------------------------------------

std::optional<Value> parse_text(Type type, std::string_view raw) {
  const std::string_view text = trim(raw);
  switch (type) {
    case Type::string:
      return Value{std::string(raw)};  // strings are taken verbatim: spaces may matter
    case Type::integer: {
      std::int64_t out = 0;
      const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
      if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
      return Value{out};
    }
    case Type::number: {
      double out = 0;
      const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
      if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size() || !std::isfinite(out)) {
        return std::nullopt;
      }
      return Value{out};
    }
    case Type::boolean: {
      const std::string l = lower(text);
      if (l == "true" || l == "1" || l == "yes") return Value{true};
      if (l == "false" || l == "0" || l == "no") return Value{false};
      return std::nullopt;
    }
  }
  return std::nullopt;
}

const char* expected_text(Type type) {
  return type == Type::boolean ? "a boolean (true/false/1/0/yes/no)" : a_type(type);
}

// --- values from the file --------------------------------------------------------------------

// Parses text as JSON; on failure the message carries the line and column of the error.
std::optional<json::value> parse_json(std::string_view text, std::string& error) {
  json::stream_parser parser;
  boost::system::error_code ec;
  const std::size_t consumed = parser.write(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    const std::size_t at = std::min(consumed, text.size());
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < at; ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    error = "invalid JSON at line " + std::to_string(line) + ", column " + std::to_string(column) + ": " +
            ec.message();
    return std::nullopt;
  }
  return parser.release();
}

class Loader {
 public:
  Loader(const Schema& schema, const EnvLookup& env) : schema_(schema), env_(env) {}

  void read_file(const std::filesystem::path& path) {
    path_ = path.string();
    std::string text;
    if (!read_all(path, text)) return;
    std::string parse_error;
    auto parsed = parse_json(text, parse_error);
    if (!parsed) {
      problems_.push_back("config file " + path_ + ": " + parse_error);
      return;
    }
    document_ = std::move(*parsed);
    if (!document_.is_object()) {
      problems_.push_back("config file " + path_ + ": the top level must be a JSON object, found " +
                          std::string(json_kind_text(document_.kind())));
      return;
    }
    walk(document_.as_object(), "");
  }

  struct Resolved {
    std::string key;
    Value value;
    std::string source;
  };

  // Every key resolved, or one message listing every problem (an operator fixes them in one go).
  std::variant<std::vector<Resolved>, std::string> resolve_all() {
    std::vector<Resolved> out;
    for (const Field& field : schema_.fields()) resolve(field, out);
    if (problems_.empty()) return out;
    std::string message;
    for (const auto& p : problems_) {
      if (!message.empty()) message += "; ";
      message += p;
    }
    return message;
  }

 private:
  bool read_all(const std::filesystem::path& path, std::string& out) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
      problems_.push_back("cannot read config file " + path_ + ": " + std::strerror(errno));
      return false;
    }
    char buf[8192];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    const bool failed = std::ferror(f) != 0;
    const int saved = errno;
    std::fclose(f);
    if (failed) {
      problems_.push_back("cannot read config file " + path_ + ": " + std::strerror(saved));
      return false;
    }
    return true;
  }

  const Field* first_under(std::string_view object) const {
    for (const Field& f : schema_.fields()) {
      if (is_prefix_object(object, f.key)) return &f;
    }
    return nullptr;
  }

  void unknown(const std::string& key) {
    std::string msg = "unknown key '" + key + "' in config file " + path_;
    const std::string suggestion = closest_key(schema_, key);
    if (!suggestion.empty()) msg += " (did you mean '" + suggestion + "'?)";
    problems_.push_back(std::move(msg));
  }

  void walk(const json::object& object, const std::string& prefix) {
    for (const auto& member : object) {
      const std::string name(member.key());
      const std::string key = prefix.empty() ? name : prefix + "." + name;
      if (name.find('.') != std::string::npos) {
        problems_.push_back("key '" + key + "' in config file " + path_ +
                            ": write dotted keys as nested objects, e.g. {\"http\":{\"port\":8081}}");
        continue;
      }
      if (schema_.find(key)) {
        file_values_[key] = &member.value();
        continue;
      }
      if (const Field* inner = first_under(key)) {
        if (member.value().is_object()) {
          walk(member.value().as_object(), key);
        } else {
          problems_.push_back("'" + key + "' in config file " + path_ + " must be a JSON object (it holds '" +
                              inner->key + "'), found " + std::string(json_kind_text(member.value().kind())));
        }
        continue;
      }
      // An unknown object is reported leaf by leaf so each gets its own suggestion.
      if (member.value().is_object() && !member.value().as_object().empty()) {
        walk(member.value().as_object(), key);
      } else {
        unknown(key);
      }
    }
  }

  std::optional<Value> from_json(const Field& field, const json::value& v) {
    const std::string where = field.key + " in config file " + path_;
    std::optional<Value> out;
    switch (field.type) {
      case Type::string:
        if (v.is_string()) out = Value{std::string(v.as_string())};
        break;
      case Type::integer:
        if (v.is_int64()) {
          out = Value{v.as_int64()};
        } else if (v.is_uint64()) {
          problems_.push_back(where + ": " + (is_secret_key(field.key) ? std::string("the value (hidden)")
                                                                       : json::serialize(v)) +
                              " is out of range (allowed " +
                              (range_text(field).empty() ? std::string("a 64-bit signed integer")
                                                         : range_text(field)) +
                              ")");
          return std::nullopt;
        }
        break;
      case Type::number:
        if (v.is_number()) out = Value{v.to_number<double>()};
        break;
      case Type::boolean:
        if (v.is_bool()) out = Value{v.as_bool()};
        break;
    }
    if (!out) {
      std::string msg = where + ": expected " + a_type(field.type) + ", found " + std::string(json_kind_text(v.kind()));
      const bool scalar = !v.is_object() && !v.is_array() && !v.is_null();
      if (scalar) msg += " " + (is_secret_key(field.key) ? std::string("(hidden)") : json::serialize(v));
      problems_.push_back(std::move(msg));
    }
    return out;
  }

  void resolve(const Field& field, std::vector<Resolved>& out) {
    // Environment first: the EXPO_ name, then the aliases in declaration order.
    std::vector<std::string> names{env_name(field.key)};
    names.insert(names.end(), field.extra_env.begin(), field.extra_env.end());
    for (const std::string& name : names) {
      const std::optional<std::string> raw = env_ ? env_(name) : std::nullopt;
      if (!raw || raw->empty()) continue;
      const std::string where = field.key + " from environment variable " + name;
      auto parsed = parse_text(field.type, *raw);
      if (!parsed) {
        const std::string what =
            is_secret_key(field.key) ? std::string("the value (hidden)") : value_text(Value{*raw});
        problems_.push_back(where + ": " + what + " is not " + expected_text(field.type));
        return;
      }
      accept(field, std::move(*parsed), "env " + name, where, out);
      return;
    }
    if (auto it = file_values_.find(field.key); it != file_values_.end()) {
      auto parsed = from_json(field, *it->second);
      if (parsed) accept(field, std::move(*parsed), "file", field.key + " in config file " + path_, out);
      return;
    }
    accept(field, field.default_value, "default", field.key + " (default value)", out);
  }

  void accept(const Field& field, Value value, std::string source, const std::string& where,
              std::vector<Resolved>& out) {
    if (field.type == Type::integer) {
      const std::int64_t i = std::get<std::int64_t>(value);
      if ((field.min && i < *field.min) || (field.max && i > *field.max)) {
        problems_.push_back(where + ": " + (is_secret_key(field.key) ? std::string("the value (hidden)")
                                                                     : std::to_string(i)) +
                            " is out of range (allowed " + range_text(field) + ")");
        return;
      }
    }
    if (field.validate) {
      if (auto message = field.validate(value)) {
        problems_.push_back(where + ": " + *message);
        return;
      }
    }
    out.push_back(Resolved{field.key, std::move(value), std::move(source)});
  }

  const Schema& schema_;
  const EnvLookup& env_;
  std::string path_;
  json::value document_;
  std::map<std::string, const json::value*, std::less<>> file_values_;
  std::vector<std::string> problems_;
};

}  // namespace

// --- Schema ----------------------------------------------------------------------------------

Schema& Schema::add(Field field) {
  if (!valid_key(field.key)) {
    throw std::invalid_argument("config schema: malformed key '" + field.key +
                                "' (use lowercase letters, digits and '_' joined by single dots)");
  }
  for (const Field& existing : fields_) {
    if (existing.key == field.key) throw std::invalid_argument("config schema: duplicate key '" + field.key + "'");
    if (is_prefix_object(existing.key, field.key) || is_prefix_object(field.key, existing.key)) {
      throw std::invalid_argument("config schema: key '" + field.key + "' conflicts with '" + existing.key +
                                  "' (one would be both a value and an object in the file)");
    }
  }
  // Let a number field be declared with an integer literal default.
  if (field.type == Type::number && std::holds_alternative<std::int64_t>(field.default_value)) {
    field.default_value = static_cast<double>(std::get<std::int64_t>(field.default_value));
  }
  if (!holds(field.default_value, field.type)) {
    throw std::invalid_argument("config schema: default of '" + field.key + "' is not " + a_type(field.type));
  }
  if ((field.min || field.max) && field.type != Type::integer) {
    throw std::invalid_argument("config schema: min/max on non-integer key '" + field.key + "'");
  }
  if (field.min && field.max && *field.min > *field.max) {
    throw std::invalid_argument("config schema: min > max for key '" + field.key + "'");
  }
  for (const std::string& name : field.extra_env) {
    if (name.empty()) throw std::invalid_argument("config schema: empty extra_env name for '" + field.key + "'");
  }
  fields_.push_back(std::move(field));
  return *this;
}

const Field* Schema::find(std::string_view key) const {
  for (const Field& field : fields_) {
    if (field.key == key) return &field;
  }
  return nullptr;
}

// --- free functions --------------------------------------------------------------------------

EnvLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const std::string n(name);
    if (const char* v = std::getenv(n.c_str())) return std::string(v);
    return std::nullopt;
  };
}

std::string env_name(std::string_view key) {
  std::string out = "EXPO_";
  for (char c : key) {
    out += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

bool is_secret_key(std::string_view key) {
  const std::string l = lower(key);
  for (std::string_view word : {"token", "secret", "key"}) {
    if (l.find(word) != std::string::npos) return true;
  }
  return false;
}

// --- Settings --------------------------------------------------------------------------------

const Settings::Entry& Settings::entry(std::string_view key) const {
  const auto it = entries_.find(key);
  if (it == entries_.end()) throw std::logic_error("config: no such key '" + std::string(key) + "'");
  return it->second;
}

namespace {
template <class T>
const T& typed(const Value& value, std::string_view key, const char* wanted) {
  if (const T* p = std::get_if<T>(&value)) return *p;
  throw std::logic_error("config: key '" + std::string(key) + "' is not " + wanted);
}
}  // namespace

std::string Settings::str(std::string_view key) const {
  return typed<std::string>(entry(key).value, key, "a string");
}
std::int64_t Settings::integer(std::string_view key) const {
  return typed<std::int64_t>(entry(key).value, key, "an integer");
}
double Settings::number(std::string_view key) const { return typed<double>(entry(key).value, key, "a number"); }
bool Settings::boolean(std::string_view key) const { return typed<bool>(entry(key).value, key, "a boolean"); }
const Value& Settings::value(std::string_view key) const { return entry(key).value; }
std::string Settings::source(std::string_view key) const { return entry(key).source; }

Result<Settings> load(const Schema& schema, const std::optional<std::filesystem::path>& file,
                      const EnvLookup& env) {
  Loader loader(schema, env);
  if (file) loader.read_file(*file);
  auto resolved = loader.resolve_all();
  if (auto* message = std::get_if<std::string>(&resolved)) {
    return Error::permanent(kErrorCode, std::move(*message));
  }
  Settings settings;
  for (auto& r : std::get<0>(resolved)) {
    settings.entries_.emplace(std::move(r.key), Settings::Entry{std::move(r.value), std::move(r.source)});
  }
  return settings;
}

std::string describe(const Schema& schema) {
  std::string out =
      "Settings (an environment variable overrides the config file, which overrides the default):\n";
  for (const Field& field : schema.fields()) {
    out += "\n  ";
    out += field.key;
    out += " (";
    out += type_name(field.type);
    if (const std::string range = range_text(field); !range.empty()) out += ", " + range;
    out += ")\n      default: ";
    out += shown(field.key, field.default_value);
    out += "\n      env:     ";
    out += env_name(field.key);
    for (const std::string& alias : field.extra_env) out += ", " + alias;
    out += '\n';
    if (!field.help.empty()) out += "      " + field.help + '\n';
  }
  return out;
}

}  // namespace expo::config

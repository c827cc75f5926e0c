#pragma once
// Typed settings from an optional JSON file plus environment variables, checked once at start so a
// service either runs with a complete, valid configuration or exits saying exactly what is wrong.
//
// Precedence: environment > file > default. A key "http.port" lives at {"http":{"port":...}} in the
// file and in EXPO_HTTP_PORT (then in the Field's extra_env aliases, first set one wins) in the
// environment. An environment variable set to the empty string counts as unset, because compose files
// and shells pass "${VAR}" through as "" when the host has no such variable.
//
// Thread-safety: Schema and Settings are plain values; concurrent const use is safe. The EnvLookup from
// process_environment() reads the process environment with getenv and must not race with setenv.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "expo/core/result.hpp"

namespace expo::config {

using Value = std::variant<std::string, std::int64_t, double, bool>;

enum class Type { string, integer, number, boolean };

// Every member has a default initializer so services can declare fields with designated
// initializers ({.key = ..., .type = ...}) without -Wmissing-field-initializers noise.
struct Field {
  std::string key{};  // dotted, e.g. "http.port"; each dot is one level of JSON object in the file
  Type type = Type::string;
  Value default_value{};  // must hold the alternative matching `type` (an integer is fine for number)
  std::string help{};
  std::optional<std::int64_t> min{}, max{};  // integers only, inclusive
  std::vector<std::string> extra_env{};      // aliases read after EXPO_<KEY>, e.g. "ADMIN_TOKEN"
  // Returns a message for the operator when the value is unacceptable (never echo a secret in it).
  std::function<std::optional<std::string>(const Value&)> validate{};
};

// The keys a service accepts. Declaring a key twice, a key that is also a prefix object of another
// ("http" and "http.port"), a malformed key or a default of the wrong type is a programming error and
// throws std::invalid_argument.
class Schema {
 public:
  Schema& add(Field field);
  const std::vector<Field>& fields() const noexcept { return fields_; }
  const Field* find(std::string_view key) const;

 private:
  std::vector<Field> fields_;
};

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// Reads the real process environment.
EnvLookup process_environment();

// "http.port" -> "EXPO_HTTP_PORT".
std::string env_name(std::string_view key);

// True when the key's name contains "token", "secret" or "key": its value is never echoed.
bool is_secret_key(std::string_view key);

// The validated values. Asking for a key the schema does not declare, or with the wrong accessor
// (integer() on a string key), is a programming error and throws std::logic_error.
class Settings {
 public:
  std::string str(std::string_view key) const;
  std::int64_t integer(std::string_view key) const;
  double number(std::string_view key) const;
  bool boolean(std::string_view key) const;
  const Value& value(std::string_view key) const;
  // "default" | "file" | "env NAME": where the value in effect came from, for the start-up log.
  std::string source(std::string_view key) const;

 private:
  friend Result<Settings> load(const Schema&, const std::optional<std::filesystem::path>&,
                               const EnvLookup&);
  struct Entry {
    Value value;
    std::string source;
  };
  const Entry& entry(std::string_view key) const;
  std::map<std::string, Entry, std::less<>> entries_;
};

// Builds the Settings or returns Error{code "config_invalid"} listing every problem found, each naming
// the key and where the bad value came from (file path or environment variable). `file` nullopt means
// no file; a path that cannot be read is an error.
Result<Settings> load(const Schema& schema, const std::optional<std::filesystem::path>& file,
                      const EnvLookup& env);

// Help text for --help: one block per key with type, default, range, environment names and help.
std::string describe(const Schema& schema);

}  // namespace expo::config

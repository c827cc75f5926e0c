#pragma once
// Page text in the two languages of the suite: Bahasa Indonesia (the default) and English.
// Loaded from a JSON file {"id": {"key": "text", ...}, "en": {...}} whose two languages must have
// exactly the same keys, so no page can show a missing string in one language.
//
// Thread-safety and lifetime: Strings is an immutable value after loading; share it freely.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "expo/core/result.hpp"

namespace expo::web {

enum class Lang { id, en };

// "id" | "en": for <html lang>, query strings and file keys.
std::string_view lang_code(Lang lang);
// The ?lang= query value: "en" (any case, or a tag such as "en-GB") is English; anything else,
// including no value, is Indonesian.
Lang lang_from_query(std::optional<std::string> value);

class Strings {
 public:
  using Table = std::map<std::string, std::string, std::less<>>;

  // Errors: code "strings_invalid", e.g. `"en" lacks "field.name.label"`.
  static Result<Strings> parse(std::string_view json);
  static Result<Strings> load(const std::filesystem::path& file);
  // For tables built in code (e.g. after substituting the event's name); same key check.
  static Result<Strings> from_tables(Table id, Table en);

  // nullptr for an unknown key.
  const std::string* find(Lang lang, std::string_view key) const;
  // An unknown key is a programming error: throws std::out_of_range naming it.
  const std::string& get(Lang lang, std::string_view key) const;
  const Table& table(Lang lang) const { return lang == Lang::en ? en_ : id_; }
  std::vector<std::string> keys() const;

  // {"id":{...},"en":{...}} as compact JSON, safe to place inside <script type="application/json">.
  std::string script_json() const;

 private:
  Table id_, en_;
};

// Every data-i18n="key" and data-i18n-attr="attr:key;attr:key" of a page must name a string, or
// switching language in the page would leave that element behind. Keys holding "{{" are filled by
// the code and skipped. Errors: code "strings_invalid" naming the file and the key.
Result<void> check_i18n_keys(std::string_view file, std::string_view html, const Strings& strings);

}  // namespace expo::web

#include "expo/web/i18n.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "expo/core/json_kind.hpp"
#include "expo/web/html.hpp"

namespace expo::web {
namespace {

namespace json = boost::json;

Error invalid(std::string message) { return Error::permanent("strings_invalid", std::move(message)); }

// Names at most a few keys so a half-translated file gives a readable message.
std::string list_keys(const std::vector<std::string>& keys) {
  std::string out;
  for (std::size_t i = 0; i < keys.size() && i < 5; ++i) {
    if (i > 0) out += ", ";
    out += '"' + keys[i] + '"';
  }
  if (keys.size() > 5) out += " and " + std::to_string(keys.size() - 5) + " more";
  return out;
}

std::vector<std::string> keys_missing_in(const Strings::Table& have, const Strings::Table& want) {
  std::vector<std::string> out;
  for (const auto& [key, text] : want) {
    if (!have.contains(key)) out.push_back(key);
  }
  return out;
}

Result<Strings::Table> read_table(const json::object& root, std::string_view lang) {
  const auto* value = root.if_contains(lang);
  if (value == nullptr) return invalid("no \"" + std::string(lang) + "\" object");
  if (!value->is_object()) {
    return invalid("\"" + std::string(lang) + "\" must be an object, found " + std::string(json_kind_text(value->kind())));
  }
  Strings::Table table;
  for (const auto& [key, text] : value->get_object()) {
    if (!text.is_string()) {
      return invalid("\"" + std::string(lang) + "\".\"" + std::string(key) + "\" must be a string, found " +
                     std::string(json_kind_text(text.kind())));
    }
    if (key.empty()) return invalid("\"" + std::string(lang) + "\" has an empty key");
    table.emplace(std::string(key), std::string(text.get_string()));
  }
  return table;
}

}  // namespace

std::string_view lang_code(Lang lang) { return lang == Lang::en ? "en" : "id"; }

Lang lang_from_query(std::optional<std::string> value) {
  if (!value || value->size() < 2) return Lang::id;
  const auto& v = *value;
  const bool en = (v[0] == 'e' || v[0] == 'E') && (v[1] == 'n' || v[1] == 'N');
  if (en && (v.size() == 2 || v[2] == '-' || v[2] == '_')) return Lang::en;
  return Lang::id;
}

Result<Strings> Strings::parse(std::string_view text) {
  boost::system::error_code ec;
  const json::value root = json::parse(text, ec);
  if (ec) return invalid("not JSON: " + ec.message());
  if (!root.is_object()) return invalid("the top level must be an object {\"id\": {...}, \"en\": {...}}");
  for (const auto& [key, value] : root.get_object()) {
    if (key != "id" && key != "en") return invalid("unknown language \"" + std::string(key) + "\" (id, en)");
  }
  auto id = read_table(root.get_object(), "id");
  if (!id) return id.error();
  auto en = read_table(root.get_object(), "en");
  if (!en) return en.error();
  return from_tables(std::move(id).value(), std::move(en).value());
}

Result<Strings> Strings::load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return invalid("cannot open " + file.string());
  std::ostringstream content;
  content << in.rdbuf();
  auto strings = parse(std::move(content).str());
  if (!strings) return invalid(file.filename().string() + ": " + strings.error().message);
  return strings;
}

Result<Strings> Strings::from_tables(Table id, Table en) {
  if (const auto lacking = keys_missing_in(en, id); !lacking.empty()) {
    return invalid("\"en\" lacks " + list_keys(lacking));
  }
  if (const auto lacking = keys_missing_in(id, en); !lacking.empty()) {
    return invalid("\"id\" lacks " + list_keys(lacking));
  }
  Strings strings;
  strings.id_ = std::move(id);
  strings.en_ = std::move(en);
  return strings;
}

const std::string* Strings::find(Lang lang, std::string_view key) const {
  const auto& t = table(lang);
  const auto it = t.find(key);
  return it == t.end() ? nullptr : &it->second;
}

const std::string& Strings::get(Lang lang, std::string_view key) const {
  if (const auto* text = find(lang, key)) return *text;
  throw std::out_of_range("no string \"" + std::string(key) + "\"");
}

std::vector<std::string> Strings::keys() const {
  std::vector<std::string> out;
  out.reserve(id_.size());
  for (const auto& [key, text] : id_) out.push_back(key);
  return out;
}

std::string Strings::script_json() const {
  auto to_object = [](const Table& t) {
    json::object o;
    for (const auto& [key, text] : t) o.emplace(key, text);
    return o;
  };
  json::object root;
  root.emplace("id", to_object(id_));
  root.emplace("en", to_object(en_));
  return json_for_script(json::serialize(root));
}

Result<void> check_i18n_keys(std::string_view file, std::string_view html, const Strings& strings) {
  auto check = [&](std::string_view key) -> Result<void> {
    if (strings.find(Lang::id, key) == nullptr) {
      return Error::permanent("strings_invalid", std::string(file) + ": data-i18n key \"" + std::string(key) + "\" is not in strings.json");
    }
    return {};
  };
  for (const std::string_view attr : {std::string_view("data-i18n=\""), std::string_view("data-i18n-attr=\"")}) {
    for (auto at = html.find(attr); at != std::string_view::npos; at = html.find(attr, at + 1)) {
      const auto begin = at + attr.size();
      const auto end = html.find('"', begin);
      if (end == std::string_view::npos) return Error::permanent("strings_invalid", std::string(file) + ": unterminated " + std::string(attr));
      const auto value = html.substr(begin, end - begin);
      if (value.find("{{") != std::string_view::npos) continue;  // filled by the code, checked there
      if (attr == "data-i18n=\"") {
        if (auto ok = check(value); !ok) return ok;
        continue;
      }
      // attr:key;attr:key
      std::size_t p = 0;
      while (p < value.size()) {
        auto semi = value.find(';', p);
        if (semi == std::string_view::npos) semi = value.size();
        const auto pair = value.substr(p, semi - p);
        const auto colon = pair.find(':');
        if (colon == std::string_view::npos) {
          return Error::permanent("strings_invalid", std::string(file) + ": data-i18n-attr \"" + std::string(value) + "\" is not attr:key");
        }
        if (auto ok = check(pair.substr(colon + 1)); !ok) return ok;
        p = semi + 1;
      }
    }
  }
  return {};
}

}  // namespace expo::web

#include "domain/visitor_input.hpp"

#include <array>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <utility>

#include "domain/email.hpp"
#include "domain/name.hpp"
#include "domain/phone.hpp"
#include "domain/text.hpp"
#include "expo/core/json_kind.hpp"
#include "expo/event_model/event.hpp"

namespace expo::registration {

namespace {

constexpr std::array<std::pair<VisitorType, std::string_view>, 5> kVisitorTypes{{
    {VisitorType::public_, "public"},
    {VisitorType::civil_servant, "civil_servant"},
    {VisitorType::student, "student"},
    {VisitorType::media, "media"},
    {VisitorType::guest, "guest"},
}};

// Every message below is a fixed text plus, at most, the JSON kind that was found ("a number"):
// nothing from the submitted value can reach a message, by construction.
constexpr std::string_view kNameExpected = "a string of 1 to 100 characters";
constexpr std::string_view kPhoneForms =
    "write it as 0812-3456-7890 or +62 812 3456 7890 (other countries: + and the country code)";
constexpr std::string_view kEmailForm = "write it as nama@contoh.co.id, at most 254 characters";
constexpr std::string_view kVisitorTypeExpected = "one of public, civil_servant, student, media, guest";
constexpr std::string_view kOriginRegionExpected =
    "the region_id of one of the event's regions (listed by GET /v1/event) or \"other\"";

// "<field>: <parts...>".
template <class... Parts>
FieldError error(std::string_view field, std::string_view code, const Parts&... parts) {
  std::string message(field);
  message += ": ";
  (message.append(std::string_view(parts)), ...);
  return FieldError{std::string(field), std::string(code), std::move(message)};
}

// Only the JSON kind of a wrong-typed value, never the value.
std::string found(const boost::json::value& v) { return "found " + std::string(json_kind_text(v.kind())); }

const boost::json::value* member(const boost::json::object& body, std::string_view key) {
  return body.if_contains(key);
}

// An optional string field: absent, null or blank means "not given".
bool given(const boost::json::value* v) {
  if (v == nullptr || v->is_null()) return false;
  const auto* s = v->if_string();
  return s == nullptr || !trim_unicode_space(std::string_view(*s)).empty();
}

std::variant<std::string, FieldError> check_name(const boost::json::value* v) {
  constexpr std::string_view kField = "name", kCode = "invalid_name";
  if (v == nullptr) return error(kField, kCode, "required; ", kNameExpected);
  const auto* s = v->if_string();
  if (s == nullptr) return error(kField, kCode, "must be ", kNameExpected, " (", found(*v), ")");
  auto name = normalize_name(std::string_view(*s));
  if (auto* problem = std::get_if<NameProblem>(&name)) {
    switch (*problem) {
      case NameProblem::empty:
        return error(kField, kCode, "must not be empty or only spaces; ", kNameExpected);
      case NameProblem::too_long: return error(kField, kCode, "must be at most 100 characters");
      case NameProblem::invalid_utf8: return error(kField, kCode, "must be valid UTF-8 text");
      case NameProblem::control_character:
        return error(kField, kCode, "must not contain control characters or line breaks");
    }
  }
  return std::get<std::string>(std::move(name));
}

std::variant<std::optional<std::string>, FieldError> check_phone(const boost::json::value* v) {
  constexpr std::string_view kField = "phone", kCode = "invalid_phone";
  if (!given(v)) return std::optional<std::string>{};
  const auto* s = v->if_string();
  if (s == nullptr) return error(kField, kCode, "must be a string or null (", found(*v), "); ", kPhoneForms);
  auto phone = normalize_phone(std::string_view(*s));
  if (!phone) return error(kField, kCode, "not a valid phone number; ", kPhoneForms);
  return phone;
}

std::variant<std::optional<std::string>, FieldError> check_email(const boost::json::value* v) {
  constexpr std::string_view kField = "email", kCode = "invalid_email";
  if (!given(v)) return std::optional<std::string>{};
  const auto* s = v->if_string();
  if (s == nullptr) return error(kField, kCode, "must be a string or null (", found(*v), "); ", kEmailForm);
  auto email = normalize_email(std::string_view(*s));
  if (!email) return error(kField, kCode, "not a valid e-mail address; ", kEmailForm);
  return email;
}

std::variant<VisitorType, FieldError> check_visitor_type(const boost::json::value* v) {
  constexpr std::string_view kField = "visitor_type", kCode = "invalid_visitor_type";
  if (v == nullptr) return error(kField, kCode, "required; ", kVisitorTypeExpected);
  const auto* s = v->if_string();
  if (s == nullptr) return error(kField, kCode, "must be a string (", found(*v), "), ", kVisitorTypeExpected);
  if (auto type = parse_visitor_type(std::string_view(*s))) return *type;
  return error(kField, kCode, "must be ", kVisitorTypeExpected);
}

std::variant<std::string, FieldError> check_origin_region(const boost::json::value* v,
                                                          const model::Event& event) {
  constexpr std::string_view kField = "origin_region", kCode = "invalid_origin_region";
  if (v == nullptr) return error(kField, kCode, "required; ", kOriginRegionExpected);
  const auto* s = v->if_string();
  if (s == nullptr) {
    return error(kField, kCode, "must be a string (", found(*v), "): ", kOriginRegionExpected);
  }
  const std::string_view id(*s);
  if (id == "other" || event.find_region(id) != nullptr) return std::string(id);
  return error(kField, kCode, "must be ", kOriginRegionExpected);
}

std::optional<FieldError> check_consent(const boost::json::value* v) {
  if (v != nullptr && v->is_bool() && v->get_bool()) return std::nullopt;
  return error("consent", "consent_required",
               "must be true: registering needs the visitor's consent to the processing of their "
               "personal data as described on the form");
}

}  // namespace

std::string_view to_string(VisitorType type) {
  for (const auto& [t, text] : kVisitorTypes) {
    if (t == type) return text;
  }
  return "unknown";  // unreachable for a valid enumerator
}

std::optional<VisitorType> parse_visitor_type(std::string_view text) {
  for (const auto& [t, name] : kVisitorTypes) {
    if (name == text) return t;
  }
  return std::nullopt;
}

std::variant<VisitorInput, FieldError> validate_visitor(const boost::json::object& body,
                                                        const model::Event& event) {
  VisitorInput input;

  auto name = check_name(member(body, "name"));
  if (auto* e = std::get_if<FieldError>(&name)) return std::move(*e);
  input.name = std::get<std::string>(std::move(name));

  auto phone = check_phone(member(body, "phone"));
  if (auto* e = std::get_if<FieldError>(&phone)) return std::move(*e);
  input.phone = std::get<0>(std::move(phone));

  auto email = check_email(member(body, "email"));
  if (auto* e = std::get_if<FieldError>(&email)) return std::move(*e);
  input.email = std::get<0>(std::move(email));

  auto type = check_visitor_type(member(body, "visitor_type"));
  if (auto* e = std::get_if<FieldError>(&type)) return std::move(*e);
  input.visitor_type = std::get<VisitorType>(type);

  auto region = check_origin_region(member(body, "origin_region"), event);
  if (auto* e = std::get_if<FieldError>(&region)) return std::move(*e);
  input.origin_region = std::get<std::string>(std::move(region));

  if (auto e = check_consent(member(body, "consent"))) return std::move(*e);
  return input;
}

}  // namespace expo::registration

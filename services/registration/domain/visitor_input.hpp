#pragma once
// The body of POST /v1/visitors, validated field by field into a VisitorInput or the first field
// error. Pure: no I/O, no clock; the api layer maps a FieldError to 422
// {"error":{"code":..., "message":...}}.
//
// Personal data: a FieldError's message names the field and what is expected and never contains
// the submitted value, so it may be logged and returned as is.
//
// Thread-safety and lifetime: pure functions; the result owns its strings and keeps no reference to
// the body or the event.

#include <boost/json/fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace expo::model {
struct Event;
}

namespace expo::registration {

// public_: "public" is a keyword.
enum class VisitorType { public_, civil_servant, student, media, guest };

// "public", "civil_servant", "student", "media", "guest": the wire names.
std::string_view to_string(VisitorType type);
// Exact, case-sensitive wire name; nullopt for anything else.
std::optional<VisitorType> parse_visitor_type(std::string_view text);

struct VisitorInput {
  std::string name;                  // trimmed, 1-100 code points of valid UTF-8 (domain/name.hpp)
  std::optional<std::string> phone;  // E.164, e.g. "+6281234567890" (domain/phone.hpp)
  std::optional<std::string> email;  // trimmed, domain lower-cased (domain/email.hpp)
  VisitorType visitor_type = VisitorType::public_;
  std::string origin_region;         // a region id of the event or "other"
};

struct FieldError {
  std::string field;    // "name", "phone", "email", "visitor_type", "origin_region" or "consent"
  std::string code;     // "invalid_name", ..., "consent_required"
  std::string message;  // names the field and what is expected; never the submitted value
};

// Checks name, phone, email, visitor_type, origin_region, consent in that order; the first failing
// field is the error. Unknown members are ignored (forward compatible) and never copied anywhere.
// phone and email: absent, null or a string that is empty after trimming mean "not given".
// consent must be the JSON literal true.
std::variant<VisitorInput, FieldError> validate_visitor(const boost::json::object& body,
                                                        const model::Event& event);

}  // namespace expo::registration

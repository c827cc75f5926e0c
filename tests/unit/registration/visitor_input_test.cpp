#include "domain/visitor_input.hpp"

#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "expo/event_model/event.hpp"

namespace json = boost::json;
namespace reg = expo::registration;

namespace {

const expo::model::Event& event2023() {
  static const expo::model::Event e = expo::model::default_event();
  return e;
}

// A complete, valid body; each case changes one or two members of it.
json::object base_body() {
  return json::parse(R"({"name": "Siti Nurhaliza", "phone": "0812-3456-7890", "email": "Siti@Example.COM",
                         "visitor_type": "student", "origin_region": "3579", "consent": true})")
      .as_object();
}

// Members to set (a JSON text per member, so every JSON type can be written) and to remove.
struct Change {
  std::vector<std::pair<std::string, std::string>> set;
  std::vector<std::string> remove;
};

json::object apply(const Change& change) {
  json::object body = base_body();
  for (const auto& [key, value] : change.set) body[key] = json::parse(value);
  for (const auto& key : change.remove) body.erase(key);
  return body;
}

struct Invalid {
  std::string what;
  json::object body;
  std::string field, code;
};

std::vector<Invalid> invalid_cases() {
  auto c = [](std::string what, Change change, std::string field) {
    static const std::map<std::string, std::string> kCodes = {
        {"name", "invalid_name"},       {"phone", "invalid_phone"},
        {"email", "invalid_email"},     {"visitor_type", "invalid_visitor_type"},
        {"origin_region", "invalid_origin_region"}, {"consent", "consent_required"}};
    return Invalid{std::move(what), apply(change), field, kCodes.at(field)};
  };
  std::vector<Invalid> cases = {
      c("name missing", {{}, {"name"}}, "name"),
      c("name null", {{{"name", "null"}}, {}}, "name"),
      c("name a number", {{{"name", "42"}}, {}}, "name"),
      c("name an array", {{{"name", R"(["Siti", "Nurhaliza"])"}}, {}}, "name"),
      c("name an object", {{{"name", R"({"first": "Siti"})"}}, {}}, "name"),
      c("name empty", {{{"name", R"("")"}}, {}}, "name"),
      c("name blank", {{{"name", R"(" \u00a0\u3000 ")"}}, {}}, "name"),
      c("name of 101 characters", {{{"name", "\"" + std::string(101, 'x') + "\""}}, {}}, "name"),
      c("name with a line break", {{{"name", R"("Siti\nNurhaliza")"}}, {}}, "name"),
      c("name with U+2028", {{{"name", R"("Siti\u2028Nurhaliza")"}}, {}}, "name"),
      c("phone a number", {{{"phone", "81234567890"}}, {}}, "phone"),
      c("phone a boolean", {{{"phone", "true"}}, {}}, "phone"),
      c("phone an object", {{{"phone", "{}"}}, {}}, "phone"),
      c("phone too short", {{{"phone", R"("0899 12")"}}, {}}, "phone"),
      c("phone with letters", {{{"phone", R"("0899-ABCD-EFGH")"}}, {}}, "phone"),
      c("email a number", {{{"email", "7"}}, {}}, "email"),
      c("email without @", {{{"email", R"("siti.example.com")"}}, {}}, "email"),
      c("email without TLD", {{{"email", R"("siti@example")"}}, {}}, "email"),
      c("visitor_type missing", {{}, {"visitor_type"}}, "visitor_type"),
      c("visitor_type null", {{{"visitor_type", "null"}}, {}}, "visitor_type"),
      c("visitor_type a number", {{{"visitor_type", "1"}}, {}}, "visitor_type"),
      c("visitor_type unknown", {{{"visitor_type", R"("vip_visitor")"}}, {}}, "visitor_type"),
      c("visitor_type capitalised", {{{"visitor_type", R"("Student")"}}, {}}, "visitor_type"),
      c("visitor_type Indonesian", {{{"visitor_type", R"("pelajar")"}}, {}}, "visitor_type"),
      c("origin_region missing", {{}, {"origin_region"}}, "origin_region"),
      c("origin_region a number", {{{"origin_region", "3579"}}, {}}, "origin_region"),
      c("origin_region unknown", {{{"origin_region", R"("9999")"}}, {}}, "origin_region"),
      c("origin_region of another province", {{{"origin_region", R"("3273")"}}, {}}, "origin_region"),
      c("origin_region empty", {{{"origin_region", R"("")"}}, {}}, "origin_region"),
      c("origin_region Other capitalised", {{{"origin_region", R"("Other")"}}, {}}, "origin_region"),
      c("origin_region with spaces", {{{"origin_region", R"(" 3579 ")"}}, {}}, "origin_region"),
      c("consent missing", {{}, {"consent"}}, "consent"),
      c("consent false", {{{"consent", "false"}}, {}}, "consent"),
      c("consent the string true", {{{"consent", R"("true")"}}, {}}, "consent"),
      c("consent 1", {{{"consent", "1"}}, {}}, "consent"),
      c("consent null", {{{"consent", "null"}}, {}}, "consent"),
      // The first failing field in the order name, phone, email, visitor_type, origin_region, consent.
      c("name before phone", {{{"name", "1"}, {"phone", R"("0899 12")"}}, {}}, "name"),
      c("phone before email", {{{"phone", R"("0899 12")"}, {"email", R"("siti")"}}, {}}, "phone"),
      c("email before visitor_type", {{{"email", R"("siti")"}, {"visitor_type", R"("vip_visitor")"}}, {}},
        "email"),
      c("visitor_type before origin_region",
        {{{"visitor_type", R"("vip_visitor")"}, {"origin_region", R"("9999")"}}, {}}, "visitor_type"),
      c("origin_region before consent", {{{"origin_region", R"("9999")"}, {"consent", "false"}}, {}},
        "origin_region"),
      c("everything missing", {{}, {"name", "phone", "email", "visitor_type", "origin_region", "consent"}},
        "name"),
  };
  // Bytes a JSON parser would refuse can still reach the rules through a hand-built object.
  Invalid bad_utf8 = c("name with invalid UTF-8", {}, "name");
  bad_utf8.body["name"] = json::string("Siti \xC3");
  cases.push_back(std::move(bad_utf8));
  return cases;
}

TEST(ValidateVisitor, AcceptsAndNormalisesAValidBody) {
  const auto result = reg::validate_visitor(base_body(), event2023());
  ASSERT_TRUE(std::holds_alternative<reg::VisitorInput>(result)) << std::get<reg::FieldError>(result).message;
  const auto& input = std::get<reg::VisitorInput>(result);
  EXPECT_EQ(input.name, "Siti Nurhaliza");
  EXPECT_EQ(input.phone, "+6281234567890");
  EXPECT_EQ(input.email, "Siti@example.com");
  EXPECT_EQ(input.visitor_type, reg::VisitorType::student);
  EXPECT_EQ(input.origin_region, "3579");
}

TEST(ValidateVisitor, AcceptsTheVariantsOfAValidBody) {
  struct Valid {
    std::string what;
    Change change;
    std::function<void(const reg::VisitorInput&)> check;
  };
  const std::vector<Valid> cases = {
      {"name trimmed", {{{"name", R"("\u00a0 Ni Luh Putu Ayu\u3000")"}}, {}},
       [](const auto& in) { EXPECT_EQ(in.name, "Ni Luh Putu Ayu"); }},
      {"name in Han script", {{{"name", R"("王小明")"}}, {}},
       [](const auto& in) { EXPECT_EQ(in.name, "王小明"); }},
      {"name with Vietnamese letters", {{{"name", R"("Đặng Thị")"}}, {}},
       [](const auto& in) { EXPECT_EQ(in.name, "Đặng Thị"); }},
      {"phone absent", {{}, {"phone"}}, [](const auto& in) { EXPECT_EQ(in.phone, std::nullopt); }},
      {"phone null", {{{"phone", "null"}}, {}}, [](const auto& in) { EXPECT_EQ(in.phone, std::nullopt); }},
      {"phone empty", {{{"phone", R"("")"}}, {}}, [](const auto& in) { EXPECT_EQ(in.phone, std::nullopt); }},
      {"phone blank", {{{"phone", R"(" ")"}}, {}}, [](const auto& in) { EXPECT_EQ(in.phone, std::nullopt); }},
      {"phone with +62", {{{"phone", R"("+62 (0)812 3456 7890")"}}, {}},
       [](const auto& in) { EXPECT_EQ(in.phone, "+6281234567890"); }},
      {"phone with 62", {{{"phone", R"("6281234567890")"}}, {}},
       [](const auto& in) { EXPECT_EQ(in.phone, "+6281234567890"); }},
      {"phone a landline", {{{"phone", R"("(0341) 591234")"}}, {}},
       [](const auto& in) { EXPECT_EQ(in.phone, "+62341591234"); }},
      {"phone abroad", {{{"phone", R"("+60 12-345 6789")"}}, {}},
       [](const auto& in) { EXPECT_EQ(in.phone, "+60123456789"); }},
      {"email absent", {{}, {"email"}}, [](const auto& in) { EXPECT_EQ(in.email, std::nullopt); }},
      {"email null", {{{"email", "null"}}, {}}, [](const auto& in) { EXPECT_EQ(in.email, std::nullopt); }},
      {"email empty", {{{"email", R"("")"}}, {}}, [](const auto& in) { EXPECT_EQ(in.email, std::nullopt); }},
      {"email trimmed", {{{"email", R"(" Budi@Contoh.ID ")"}}, {}},
       [](const auto& in) { EXPECT_EQ(in.email, "Budi@contoh.id"); }},
      {"neither phone nor email", {{}, {"phone", "email"}},
       [](const auto& in) { EXPECT_FALSE(in.phone || in.email); }},
      {"visitor_type public", {{{"visitor_type", R"("public")"}}, {}},
       [](const auto& in) { EXPECT_EQ(in.visitor_type, reg::VisitorType::public_); }},
      {"visitor_type civil_servant", {{{"visitor_type", R"("civil_servant")"}}, {}},
       [](const auto& in) { EXPECT_EQ(in.visitor_type, reg::VisitorType::civil_servant); }},
      {"visitor_type media", {{{"visitor_type", R"("media")"}}, {}},
       [](const auto& in) { EXPECT_EQ(in.visitor_type, reg::VisitorType::media); }},
      {"visitor_type guest", {{{"visitor_type", R"("guest")"}}, {}},
       [](const auto& in) { EXPECT_EQ(in.visitor_type, reg::VisitorType::guest); }},
      {"origin_region other", {{{"origin_region", R"("other")"}}, {}},
       [](const auto& in) { EXPECT_EQ(in.origin_region, "other"); }},
      {"origin_region Kota Surabaya", {{{"origin_region", R"("3578")"}}, {}},
       [](const auto& in) { EXPECT_EQ(in.origin_region, "3578"); }},
      {"origin_region Kabupaten Pacitan", {{{"origin_region", R"("3501")"}}, {}},
       [](const auto& in) { EXPECT_EQ(in.origin_region, "3501"); }},
      {"unknown members ignored", {{{"referrer", R"("poster")"}, {"extra", R"({"a": [1, 2]})"}}, {}},
       [](const auto& in) { EXPECT_EQ(in.name, "Siti Nurhaliza"); }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    const auto result = reg::validate_visitor(apply(c.change), event2023());
    ASSERT_TRUE(std::holds_alternative<reg::VisitorInput>(result))
        << std::get<reg::FieldError>(result).message;
    c.check(std::get<reg::VisitorInput>(result));
  }
}

TEST(ValidateVisitor, NamesTheFirstFailingField) {
  for (const auto& c : invalid_cases()) {
    SCOPED_TRACE(c.what + ": " + json::serialize(c.body));
    const auto result = reg::validate_visitor(c.body, event2023());
    ASSERT_TRUE(std::holds_alternative<reg::FieldError>(result));
    const auto& error = std::get<reg::FieldError>(result);
    EXPECT_EQ(error.field, c.field);
    EXPECT_EQ(error.code, c.code);
    // The message starts with the field it is about, so a person reading it knows what to fix.
    EXPECT_EQ(error.message.rfind(c.field + ": ", 0), 0u) << error.message;
  }
}

TEST(ValidateVisitor, EventRegionsComeFromTheEventGiven) {
  expo::model::Event event = event2023();
  event.regions = {{"r-north", "North", "kota"}};
  event.reindex();
  auto body = base_body();
  body["origin_region"] = "r-north";
  EXPECT_TRUE(std::holds_alternative<reg::VisitorInput>(reg::validate_visitor(body, event)));
  body["origin_region"] = "3579";  // a region of the default event, not of this one
  const auto result = reg::validate_visitor(body, event);
  ASSERT_TRUE(std::holds_alternative<reg::FieldError>(result));
  EXPECT_EQ(std::get<reg::FieldError>(result).field, "origin_region");
}

// Every string in a JSON value, with the member it sits under.
using KeyedStrings = std::vector<std::pair<std::string, std::string>>;
void strings_in(const json::value& v, const std::string& key, KeyedStrings& out) {
  if (const auto* s = v.if_string()) out.emplace_back(key, std::string(*s));
  if (const auto* a = v.if_array()) {
    for (const auto& e : *a) strings_in(e, key, out);
  }
  if (const auto* o = v.if_object()) {
    for (const auto& m : *o) strings_in(m.value(), std::string(m.key()), out);
  }
}

// Personal data must not travel in error messages (they are returned, and may be logged).
TEST(ValidateVisitor, NoMessageContainsTheSubmittedValues) {
  std::vector<Invalid> cases = invalid_cases();
  // Values that could only come from the visitor, each in a body that fails on its own field or on
  // a later one, plus an unknown member, which must never be echoed either.
  const std::vector<std::pair<std::string, Change>> leaks = {
      {"name", {{{"name", R"("Zulkarnain\nQwerty")"}, {"note", R"("catatan-pribadi-77")"}}, {}}},
      {"name", {{{"name", "\"" + std::string(120, 'Q') + "\""}}, {}}},
      {"phone", {{{"phone", R"("0877-QWERTY-99")"}}, {}}},
      {"phone", {{{"phone", R"("+62 999 888")"}, {"note", R"("catatan-pribadi-77")"}}, {}}},
      {"email", {{{"email", R"("zulkarnain.qwerty@@contoh.id")"}}, {}}},
      {"email", {{{"email", R"("zulkarnain@qwerty")"}, {"name", R"("Zulkarnain Qwerty")"}}, {}}},
      {"visitor_type", {{{"visitor_type", R"("zulkarnain-type")"}, {"email", R"("zq@contoh.id")"}}, {}}},
      {"origin_region", {{{"origin_region", R"("Desa Qwerty")"}, {"phone", R"("+62 877 1111 2222")"}}, {}}},
      {"consent", {{{"consent", R"("ya, setuju")"}, {"name", R"("Zulkarnain Qwerty")"}}, {}}},
  };
  for (const auto& [field, change] : leaks) {
    cases.push_back(Invalid{"leak " + field, apply(change), field, ""});
  }

  std::size_t checked = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    const auto result = reg::validate_visitor(c.body, event2023());
    ASSERT_TRUE(std::holds_alternative<reg::FieldError>(result));
    const std::string& message = std::get<reg::FieldError>(result).message;
    KeyedStrings values;
    strings_in(c.body, "", values);
    for (const auto& [key, value] : values) {
      // Shorter strings match message words by chance ("true", "4"); allowed words are not personal
      // ("student", "other"), and the message may name them as what is expected.
      if (value.size() < 4 || (key == "consent" && value == "true")) continue;
      if (value == "other" || reg::parse_visitor_type(value)) continue;
      EXPECT_EQ(message.find(value), std::string::npos) << key << " leaked into: " << message;
      ++checked;
    }
  }
  EXPECT_GT(checked, 200u);  // the check above really ran over the tables
}

TEST(VisitorType, RoundTripsItsWireNames) {
  const std::vector<std::pair<reg::VisitorType, std::string>> table = {
      {reg::VisitorType::public_, "public"}, {reg::VisitorType::civil_servant, "civil_servant"},
      {reg::VisitorType::student, "student"}, {reg::VisitorType::media, "media"},
      {reg::VisitorType::guest, "guest"}};
  for (const auto& [type, name] : table) {
    EXPECT_EQ(reg::to_string(type), name);
    EXPECT_EQ(reg::parse_visitor_type(name), type);
  }
  for (const char* wrong : {"", "Public", "public_", "civil servant", "asn", " guest"}) {
    EXPECT_EQ(reg::parse_visitor_type(wrong), std::nullopt) << wrong;
  }
}

}  // namespace

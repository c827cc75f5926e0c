#include "expo/web/i18n.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <stdexcept>

namespace expo::web {
namespace {

TEST(Lang, FromQueryDefaultsToIndonesian) {
  EXPECT_EQ(lang_from_query(std::nullopt), Lang::id);
  EXPECT_EQ(lang_from_query(""), Lang::id);
  EXPECT_EQ(lang_from_query("id"), Lang::id);
  EXPECT_EQ(lang_from_query("fr"), Lang::id);
  EXPECT_EQ(lang_from_query("eng"), Lang::id);
  EXPECT_EQ(lang_from_query("en"), Lang::en);
  EXPECT_EQ(lang_from_query("EN"), Lang::en);
  EXPECT_EQ(lang_from_query("en-GB"), Lang::en);
  EXPECT_EQ(lang_code(Lang::id), "id");
  EXPECT_EQ(lang_code(Lang::en), "en");
}

TEST(Strings, ParsesBothLanguages) {
  auto s = Strings::parse(R"({"id":{"hello":"Halo","bye":"Sampai jumpa"},"en":{"hello":"Hello","bye":"Goodbye"}})");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->get(Lang::id, "hello"), "Halo");
  EXPECT_EQ(s->get(Lang::en, "bye"), "Goodbye");
  EXPECT_EQ(s->find(Lang::en, "nope"), nullptr);
  EXPECT_THROW((void)s->get(Lang::id, "nope"), std::out_of_range);
  EXPECT_EQ(s->keys(), (std::vector<std::string>{"bye", "hello"}));
}

TEST(Strings, MissingKeysInEitherLanguageAreNamed) {
  auto en_short = Strings::parse(R"({"id":{"a":"1","b":"2"},"en":{"a":"1"}})");
  ASSERT_FALSE(en_short.ok());
  EXPECT_EQ(en_short.error().code, "strings_invalid");
  EXPECT_NE(en_short.error().message.find("\"en\" lacks \"b\""), std::string::npos) << en_short.error().message;

  auto id_short = Strings::parse(R"({"id":{"a":"1"},"en":{"a":"1","c":"3"}})");
  ASSERT_FALSE(id_short.ok());
  EXPECT_NE(id_short.error().message.find("\"id\" lacks \"c\""), std::string::npos) << id_short.error().message;
}

TEST(Strings, RejectsMalformedFiles) {
  EXPECT_FALSE(Strings::parse("not json").ok());
  EXPECT_FALSE(Strings::parse("[]").ok());
  EXPECT_FALSE(Strings::parse(R"({"id":{}})").ok());                          // no "en"
  EXPECT_FALSE(Strings::parse(R"({"id":{},"en":{},"fr":{}})").ok());          // unknown language
  EXPECT_FALSE(Strings::parse(R"({"id":{"a":1},"en":{"a":"1"}})").ok());      // not a string
  EXPECT_FALSE(Strings::parse(R"({"id":[],"en":{}})").ok());                  // not an object
  EXPECT_FALSE(Strings::load("/nonexistent/strings.json").ok());
}

TEST(Strings, ScriptJsonRoundTripsAndCannotCloseTheScript) {
  auto s = Strings::parse(R"({"id":{"x":"</script> & <b>"},"en":{"x":"ok"}})");
  ASSERT_TRUE(s.ok());
  const auto out = s->script_json();
  EXPECT_EQ(out.find('<'), std::string::npos);
  const auto parsed = boost::json::parse(out);
  EXPECT_EQ(parsed.at("id").at("x").as_string(), "</script> & <b>");
  EXPECT_EQ(parsed.at("en").at("x").as_string(), "ok");
}

}  // namespace
}  // namespace expo::web

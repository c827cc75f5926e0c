#include "expo/web/template.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace expo::web {
namespace {

Template must_parse(std::string_view text) {
  auto t = Template::parse(text);
  EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().message);
  return t.ok() ? std::move(t).value() : Template{};
}

TEST(Template, SubstitutesEscapedAndRawValues) {
  const auto t = must_parse("<p>{{name}}</p><div>{{{svg}}}</div>");
  EXPECT_EQ(t.render({{"name", "<b>Ani & \"Budi\"</b>"}, {"svg", "<svg/>"}}),
            "<p>&lt;b&gt;Ani &amp; &quot;Budi&quot;&lt;/b&gt;</p><div><svg/></div>");
}

TEST(Template, AllowsSpacesDotsAndRepeats) {
  const auto t = must_parse("{{ t.title }} - {{t.title}} - {{{ raw-x_1 }}}");
  EXPECT_EQ(t.render({{"t.title", "Judul"}, {"raw-x_1", "&"}}), "Judul - Judul - &");
  EXPECT_EQ(t.names(), (std::vector<std::string>{"raw-x_1", "t.title"}));
}

TEST(Template, TextWithoutPlaceholdersIsKeptAsIs) {
  const auto t = must_parse("plain { text } with } braces {");
  EXPECT_EQ(t.render({}), "plain { text } with } braces {");
  EXPECT_TRUE(t.names().empty());
}

TEST(Template, MalformedMarkupIsAParseErrorNamingTheLine) {
  const auto unclosed = Template::parse("line one\nline two {{name\n");
  ASSERT_FALSE(unclosed.ok());
  EXPECT_EQ(unclosed.error().code, "template_invalid");
  EXPECT_NE(unclosed.error().message.find("line 2"), std::string::npos) << unclosed.error().message;

  EXPECT_FALSE(Template::parse("{{}}").ok());
  EXPECT_FALSE(Template::parse("{{   }}").ok());
  EXPECT_FALSE(Template::parse("{{na me}}").ok());
  EXPECT_FALSE(Template::parse("{{a<b}}").ok());
  EXPECT_FALSE(Template::parse("{{{raw}}").ok());   // three open, two close
  EXPECT_FALSE(Template::parse("{{name}}}").ok());  // two open, three close
}

TEST(Template, MissingValueIsReportedAndThrows) {
  const auto t = must_parse("{{a}} {{b}} {{{c}}}");
  const Values partial{{"a", "1"}};
  EXPECT_EQ(t.missing(partial), (std::vector<std::string>{"b", "c"}));
  EXPECT_THROW((void)t.render(partial), std::invalid_argument);
  EXPECT_TRUE(t.missing({{"a", ""}, {"b", ""}, {"c", ""}}).empty());
}

TEST(Template, BindFillsKnownNamesOnceAndKeepsTheRest) {
  const auto t = must_parse("<h1>{{title}}</h1><p>{{name}}</p>{{{qr}}}");
  const auto bound = t.bind({{"title", "A & B"}});
  EXPECT_EQ(bound.names(), (std::vector<std::string>{"name", "qr"}));
  EXPECT_EQ(bound.render({{"name", "<x>"}, {"qr", "<svg/>"}}), "<h1>A &amp; B</h1><p>&lt;x&gt;</p><svg/>");
  // Binding does not change the original.
  EXPECT_EQ(t.names().size(), 3U);
}

TEST(Template, RenderTextLeavesValuesUnescaped) {
  const auto t = must_parse("Panitia {{event}} & {{{x}}}");
  EXPECT_EQ(t.render_text({{"event", "A & <B>"}, {"x", "<i>"}}), "Panitia A & <B> & <i>");
  EXPECT_EQ(t.render({{"event", "A & <B>"}, {"x", "<i>"}}), "Panitia A &amp; &lt;B&gt; & <i>");
}

TEST(Template, ValuesAreNotReinterpretedAsTemplates) {
  const auto t = must_parse("{{a}}|{{{b}}}");
  EXPECT_EQ(t.render({{"a", "{{b}}"}, {"b", "{{a}}"}}), "{{b}}|{{a}}");
}

}  // namespace
}  // namespace expo::web

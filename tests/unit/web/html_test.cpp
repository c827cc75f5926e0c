#include "expo/web/html.hpp"

#include <gtest/gtest.h>

namespace expo::web {
namespace {

TEST(HtmlEscape, EscapesTheFiveSpecialCharacters) {
  EXPECT_EQ(html_escape(R"(<a href="x" title='y'>&</a>)"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
}

TEST(HtmlEscape, LeavesOtherTextAndUtf8Alone) {
  EXPECT_EQ(html_escape("Dinas Kominfo — Kota Batu, ёжик 😀"), "Dinas Kominfo — Kota Batu, ёжик 😀");
  EXPECT_EQ(html_escape(""), "");
}

TEST(HtmlEscape, ScriptTagNeverSurvives) {
  const auto out = html_escape("<script>alert(1)</script>");
  EXPECT_EQ(out.find('<'), std::string::npos);
  EXPECT_EQ(out.find('>'), std::string::npos);
}

TEST(JsonForScript, EscapesWhatCouldCloseTheScriptElement) {
  const auto out = json_for_script(R"({"a":"</script><!-- & \u2028"})");
  EXPECT_EQ(out, R"({"a":"\u003c/script\u003e\u003c!-- \u0026 \u2028"})");
  // Raw U+2028 / U+2029 bytes become escapes too.
  EXPECT_EQ(json_for_script("\"a\xE2\x80\xA8" "b\xE2\x80\xA9\""), R"("a\u2028b\u2029")");
  // Other three-byte characters starting with E2 80 are kept (an em dash is E2 80 94).
  EXPECT_EQ(json_for_script("\"\xE2\x80\x94\""), "\"\xE2\x80\x94\"");
}

TEST(UrlEncode, KeepsUnreservedAndEncodesTheRest) {
  EXPECT_EQ(url_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(url_encode("a b&c=d/+?#"), "a%20b%26c%3Dd%2F%2B%3F%23");
  EXPECT_EQ(url_encode("\xC3\xA9"), "%C3%A9");
}

}  // namespace
}  // namespace expo::web

#include "domain/email.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace reg = expo::registration;

namespace {

// A domain of `length` characters: labels of 63 'b' and a ".com" TLD.
std::string domain_of(std::size_t length) {
  std::string d;
  while (d.size() + 4 < length) {
    const std::size_t room = length - 4 - d.size();
    if (!d.empty()) d += '.';
    d += std::string(std::min<std::size_t>(63, room - (d.empty() ? 0 : 1)), 'b');
  }
  return d + ".com";
}

TEST(Email, TheTestHelperBuildsDomainsOfTheAskedLength) {
  EXPECT_EQ(domain_of(189).size(), 189u);
  EXPECT_EQ(domain_of(190).size(), 190u);
}

TEST(Email, AcceptsAndLowerCasesOnlyTheDomain) {
  struct Case { std::string typed, normalised; };
  const std::vector<Case> cases = {
      {"siti@example.com", "siti@example.com"},
      {"  Siti.Nurhaliza@Example.CO.ID ", "Siti.Nurhaliza@example.co.id"},
      {"\xC2\xA0" "budi@contoh.id" "\xE3\x80\x80", "budi@contoh.id"},  // U+00A0, U+3000
      {"o'neil+expo@Mail.Example.ORG", "o'neil+expo@mail.example.org"},
      {"a@b.co", "a@b.co"},
      {"user_name-1@sub-domain.example.id", "user_name-1@sub-domain.example.id"},
      {"x!#$%&*/=?^`{|}~@jatimprov.go.id", "x!#$%&*/=?^`{|}~@jatimprov.go.id"},
      {"pos@123.example.com", "pos@123.example.com"},      // digit-only labels below the TLD
      {"x@xn--80ak6aa92e.com", "x@xn--80ak6aa92e.com"},    // an IDN in its ASCII form
      {std::string(64, 'a') + "@example.com", std::string(64, 'a') + "@example.com"},
      {"a@" + std::string(63, 'b') + ".com", "a@" + std::string(63, 'b') + ".com"},
      {std::string(64, 'a') + "@" + domain_of(189), std::string(64, 'a') + "@" + domain_of(189)},  // 254
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.typed);
    EXPECT_EQ(reg::normalize_email(c.typed), c.normalised);
  }
}

TEST(Email, RefusesWhatIsNotAnAddress) {
  struct Case { std::string what, typed; };
  const std::vector<Case> cases = {
      {"empty", ""},
      {"spaces", "  "},
      {"no @", "plainaddress"},
      {"no local part", "@example.com"},
      {"no domain", "siti@"},
      {"two @", "siti@home@example.com"},
      {"@@", "siti@@example.com"},
      {"space in local part", "siti nur@example.com"},
      {"space in domain", "siti@exa mple.com"},
      {"quoted local part", "\"siti\"@example.com"},
      {"brackets", "<siti>@example.com"},
      {"parentheses", "siti(x)@example.com"},
      {"comma", "siti,budi@example.com"},
      {"backslash", "siti\\budi@example.com"},
      {"leading dot", ".siti@example.com"},
      {"trailing dot", "siti.@example.com"},
      {"double dot", "siti..nur@example.com"},
      {"control character", "siti\n@example.com"},
      {"non-ASCII local part", "s\xC3\xAFti@example.com"},
      {"non-ASCII domain", "siti@\xE4\xBE\x8B\xE5\xAD\x90.com"},
      {"domain without a dot", "siti@localhost"},
      {"one-letter TLD", "siti@example.c"},
      {"numeric TLD", "siti@192.168.0.1"},
      {"TLD with a digit", "siti@example.c0m"},
      {"IP literal", "siti@[192.168.0.1]"},
      {"label starts with -", "siti@-example.com"},
      {"label ends with -", "siti@example-.com"},
      {"underscore in domain", "siti@exa_mple.com"},
      {"empty label", "siti@example..com"},
      {"leading dot in domain", "siti@.example.com"},
      {"trailing dot in domain", "siti@example.com."},
      {"local part of 65", std::string(65, 'a') + "@example.com"},
      {"label of 64", "a@" + std::string(64, 'b') + ".com"},
      {"255 characters", std::string(64, 'a') + "@" + domain_of(190)},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(reg::normalize_email(c.typed), std::nullopt) << reg::normalize_email(c.typed).value_or("");
  }
}

}  // namespace
